import pytest

from assistant.duties import all_duties, duties_in_question, get_duty, plan_order, tag_duties
from assistant.errors import UnknownDutyError

CONTRACT_IDS = {
    "health_services", "integration", "wider_effect", "financial", "jlhws", "quality", "inequalities",
    "patient_involvement", "public_involvement", "patient_choice", "advice", "innovation", "research",
    "education_training", "climate_change", "children_young_people", "victims_of_abuse", "workforce",
    "digital_data", "estates", "procurement", "population_health_management", "system_development",
    "wider_social_economic",
}


def test_registry_has_every_contract_id_once():
    ids = [d.id for d in all_duties()]
    assert set(ids) == CONTRACT_IDS
    assert len(ids) == len(set(ids))


def test_seventeen_duties_and_seven_content_areas_each_with_a_basis():
    duties = [d for d in all_duties() if d.kind == "duty"]
    areas = [d for d in all_duties() if d.kind == "content_area"]
    assert (len(duties), len(areas)) == (17, 7)
    assert all(d.statutory_basis and d.title and d.phrases for d in all_duties())
    assert all("14Z" in d.statutory_basis or "223" in d.statutory_basis for d in duties)


def test_unknown_duty_id_raises_a_helpful_error():
    with pytest.raises(UnknownDutyError) as e:
        get_duty("net_zero")
    assert "net_zero" in e.value.message and "climate_change" in e.value.message


def test_duty_lookup_ignores_case_and_spaces():
    assert get_duty(" Climate_Change ").id == "climate_change"


@pytest.mark.parametrize("written", ["climate change", "climate-change", "Duty as to climate change"])
def test_a_duty_can_be_named_with_spaces_or_by_its_title(written):
    assert get_duty(written).id == "climate_change"


@pytest.mark.parametrize(("typed", "meant"), [
    ("climate_chnage", "climate_change"), ("victim_of_abuse", "victims_of_abuse"), ("workforse", "workforce"),
    ("choice", "patient_choice"), ("net_zero", "climate_change"),
])
def test_a_mistyped_duty_id_gets_the_nearest_one_suggested(typed, meant):
    with pytest.raises(UnknownDutyError) as e:
        get_duty(typed)
    assert e.value.suggestion == meant and f"Did you mean '{meant}'?" in e.value.message


def test_a_duty_id_like_none_gets_no_suggestion():
    with pytest.raises(UnknownDutyError) as e:
        get_duty("xyz")
    assert e.value.suggestion is None and "Did you mean" not in e.value.message


def test_questions_imply_duties_by_their_phrases():
    assert duties_in_question("How do we show progress on net zero?")[0] == "climate_change"
    assert "victims_of_abuse" in duties_in_question("What about people affected by domestic abuse?")
    assert "children_young_people" in duties_in_question("What do we need for under-25s?")
    # the statute's own words for the duty (s.14Z36: "involvement of each patient ... in decisions
    # relating to ... their care or treatment"), not the word "choice"
    q = "What do we have to write about involving patients in decisions about their own care and treatment?"
    assert duties_in_question(q)[0] == "patient_involvement"


def test_planners_everyday_words_route_to_their_duty():
    # words planners use that the guidance's own headings do not
    assert duties_in_question("How should we cover co-production with residents?")[0] == "public_involvement"
    assert duties_in_question("What should we say about clinical trials?")[0] == "research"
    assert duties_in_question("What about the life sciences sector?")[0] == "innovation"
    assert duties_in_question("What about the NHS App?")[0] == "digital_data"
    assert duties_in_question("What can we say about the local economy?")[0] == "wider_social_economic"
    assert duties_in_question("What about reducing disparities in access?")[0] == "inequalities"
    # "ICS maturity" is how the service speaks of system development; digital maturity stays digital
    assert duties_in_question("How will our ICS mature over the five years?")[0] == "system_development"
    assert duties_in_question("What should we say about ICS maturity?")[0] == "system_development"
    assert duties_in_question("What about digital maturity?") == ["digital_data"]


def test_financial_or_service_sustainability_is_not_climate_change():
    # the guidance uses "sustainability" for money and services ("financial sustainability",
    # "clinically and financially sustainable services"); only environmental words mean climate
    assert duties_in_question("How will we ensure financial sustainability?") == ["financial"]
    assert "climate_change" not in duties_in_question("What about the sustainability of our services?")
    assert duties_in_question("What must we say about environmental sustainability?")[0] == "climate_change"


def test_tagging_prefers_the_heading_then_a_table_row_key_then_phrases():
    assert tag_duties("Guidance > Duty as to patient choice", "anything") == ("patient_choice",)
    assert tag_duties("Annex", "Duty to reduce inequalities | The ICB aims to...") == ("inequalities",)
    assert tag_duties("", "Our Core20PLUS5 work targets health inequalities in deprived areas.") == ("inequalities",)
    assert tag_duties("", "The meeting started at ten.") == ()


def test_plan_order_covers_every_duty():
    assert {d.id for d in plan_order()} == CONTRACT_IDS


@pytest.mark.parametrize(("label", "duty"), [
    # the Lancashire annex's row labels, worded a little differently from the guidance's headings
    ("Addressing the particular needs of children and young persons", "children_young_people"),
    ("Implementing any joint LHWBS", "jlhws"),
    ("Public involvement by integrated care boards", "public_involvement"),
])
def test_a_table_rows_label_in_another_wording_tags_its_duty(label, duty):
    assert tag_duties("Annex", f"{label} | Our plan sets out what we will do about this over five years.") == (duty,)
