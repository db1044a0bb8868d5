"""Governance lookup for every duty id."""

import pytest

from assistant.citations import quote_in_chunk
from assistant.duties import duty_ids

# duties whose row appears in appendix 2 of the Cornwall paper (the requirements table)
APPENDIX_2 = {"health_services", "integration", "wider_effect", "financial", "jlhws", "quality", "inequalities",
              "patient_involvement", "public_involvement", "patient_choice", "advice", "innovation", "research",
              "education_training", "climate_change", "children_young_people", "victims_of_abuse"}
NATIONAL_SECTION = set(duty_ids()) - {"health_services", "jlhws"}  # the national guidance has a section for these


@pytest.mark.parametrize("duty_id", duty_ids())
def test_requirements_for_every_duty_are_verbatim_and_cited(corpus_service, duty_id):
    res = corpus_service.requirements(duty_id)
    assert res.requirements, f"no requirements found for {duty_id}"
    for r in res.requirements:
        assert r.strength in {"must", "should", "may", "other"}
        assert r.text == r.citation.quote
        assert quote_in_chunk(r.text, corpus_service.chunk_text(r.citation.chunk_id))
    kinds = {r.citation.kind if hasattr(r.citation, "kind") else corpus_service.manifest.chunk(r.citation.chunk_id).kind
             for r in res.requirements}
    if duty_id in NATIONAL_SECTION:
        assert "guidance" in kinds, f"the national guidance section for {duty_id} must surface"
    if duty_id in APPENDIX_2:
        cornwall_rows = [r for r in res.requirements
                         if "Appendix 2" in r.citation.section]
        assert cornwall_rows, f"appendix 2 of the Cornwall paper must surface for {duty_id}"


def test_requirements_lead_with_national_guidance_and_must_before_should(corpus_service):
    res = corpus_service.requirements("patient_choice")
    titles = [r.citation.title for r in res.requirements]
    assert titles[0].startswith("Guidance on development of the joint forward plan")
    guidance = [r.strength for r in res.requirements if r.citation.title == titles[0]]
    order = {"must": 0, "should": 1, "may": 2, "other": 3}
    assert [order[s] for s in guidance] == sorted(order[s] for s in guidance)


def test_a_requirement_comes_from_its_own_row_of_a_requirements_table(corpus_service):
    # appendix 2 of the Cornwall paper: the climate-change row, not the children's row below it
    texts = [r.text for r in corpus_service.requirements("climate_change").requirements]
    assert any(t.startswith("Duty as to climate change, etc. The plan should describe how the ICB") or
               t.startswith("The plan should describe how the ICB and its partner trusts will deliver") for t in texts)
    assert not any("population of children, young people, and families" in t for t in texts)
    assert not any("research needs of the ICB" in t for t in texts)
    # and from its own section of the national guidance: the wider-effect section's "must"s are not
    # patient choice's, though its involvement section's pointer to patient choice is
    choice = [r.text for r in corpus_service.requirements("patient_choice").requirements]
    assert not any("duty to deliver financial balance" in t for t in choice)
    assert "JFPs should be clear about the links between this duty and the duty as to patient choice." in choice


def test_row_labels_of_a_table_are_told_from_prose():
    from dataclasses import replace

    from assistant.rows import row_duties
    from assistant.types import Chunk

    text = ("Duty in respect of research Set out how the ICB will promote research.\n"
            "Addressing the particular needs of children and young people\n"
            "The plan must set out any steps for under-25s. Identify and set steps for families.\n"
            "Describing the health services for which the ICB proposes to make arrangements\n"
            "Set out how the ICB will meet its population's health needs.\n"
            "Something else entirely | The ICB will report each quarter.\n"
            "workforce planning at organisational, system and national level")
    c = Chunk(chunk_id="d:1", doc_id="d", title="Board paper", source="p.pdf", kind="icb_paper", page=30,
              section="Appendix 2", duty_ids=("research",), text=text, n_tokens=80, content_hash="h")
    assert row_duties(c, "Set out how the ICB will promote research.") == ("research",)
    assert row_duties(c, "Identify and set steps for families.") == ("children_young_people",)
    assert row_duties(c, "Set out how the ICB will meet its population's health needs.") == ("health_services",)
    assert row_duties(c, "The ICB will report each quarter.") == ()  # a row whose label names no duty
    assert row_duties(c, "workforce planning at organisational, system and national level") == ()
    assert row_duties(replace(c, text="Plain prose about the plan."), "Plain prose about the plan.") == ()


def test_an_item_of_a_list_typed_without_bullets_knows_its_lead_in():
    from assistant.chunk_sentences import sentences_of
    from assistant.types import Chunk

    text = ("The JFP provides an opportunity to set out the approach to procurement. This could include:\n"
            "the governance structure, including:\n"
            "arrangements for reporting into the ICB\n"
            "4 See the Procurement Act 2023 for the thresholds that apply\n"
            "alignment of category strategy with patient pathways and supply chain resilience")
    chunk = Chunk(chunk_id="d:1", doc_id="d", title="t", source="s", kind="guidance", page=None,
                  section="Procurement", duty_ids=(), text=text, n_tokens=60, content_hash="h")
    leads = {s.text: s.list_lead for s in sentences_of(chunk)}
    # the nested lead-in ("the governance structure, including:") lost its bullet; the one above it
    # says how strongly the items are expected
    assert leads["arrangements for reporting into the ICB"] == "This could include: the governance structure, including:"
    assert leads["alignment of category strategy with patient pathways and supply chain resilience"].startswith(
        "This could include:")
    assert leads["4 See the Procurement Act 2023 for the thresholds that apply"] == ""  # a footnote among them
    assert leads["The JFP provides an opportunity to set out the approach to procurement."] == ""


def test_the_items_of_a_list_of_expectations_are_requirements(corpus_service):
    procurement = corpus_service.requirements("procurement").requirements
    items = {r.text: r for r in procurement}
    # "This could include:" and eight items, none of which says "should" or "may" itself: before, only
    # the one that happened to say "may be necessary" was listed
    item = items["alignment of category strategy with patient pathways, supply chain resilience and risk mitigation"]
    assert item.strength == "may"
    assert item.lead_in.startswith("This could include:")
    assert item.to_json()["lead_in"] == item.lead_in
    assert len([r for r in procurement if r.lead_in]) >= 5
    # a list of further reading is not a list of requirements
    workforce = corpus_service.requirements("workforce").requirements
    assert not any("System Workforce Improvement Model" in r.text for r in workforce)
    assert any(r.text.startswith("develop a system-wide approach to recruitment, retention, and deployment")
               for r in workforce)
    # the items fill what is left: the sentences that read as requirements themselves are all still there
    climate = corpus_service.requirements("climate_change").requirements
    assert any(r.text.startswith("JFPs must set out how ICBs intend to discharge their duty in relation to mitigating")
               and r.strength == "must" for r in climate)
    # the check's model was fitted on the requirements without the items, and keeps them so
    from assistant.duties import get_duty
    from assistant.requirements import find_requirements
    plain = find_requirements(get_duty("procurement"), corpus_service.retriever, corpus_service.embedder,
                              by_row=False, list_items=False).requirements
    assert not any(r.lead_in for r in plain)
    assert len(plain) < len(procurement)


def test_a_table_row_cut_between_chunks_keeps_its_duty(corpus_service):
    # Cornwall's appendix 2: "Addressing the particular needs of victims of abuse" ends one chunk and
    # its "The plan must set out any steps ..." opens the next, a chunk also tagged with inequalities
    inequalities = [r.text for r in corpus_service.requirements("inequalities").requirements]
    assert not any("particular needs of victims of abuse" in t for t in inequalities)
    victims = [r.text for r in corpus_service.requirements("victims_of_abuse").requirements]
    assert any(t.startswith("The plan must set out any steps that the ICB proposes to take to address the "
                            "particular needs of victims of abuse") for t in victims)


def test_pointers_to_reading_and_lead_ins_said_by_their_items_are_not_requirements(corpus_service):
    workforce = corpus_service.requirements("workforce").requirements
    texts = [r.text for r in workforce]
    # "The following additional publications may support ...:" and a footnote citing documents
    assert not any(t.startswith("The following additional publications") for t in texts)
    assert not any(t.startswith("5 This could include recommendations") for t in texts)
    # "In their JFPs, ICBs and their partner trusts may wish to address how they will:" is shown with
    # each of its items (lead_in), not as a requirement of its own
    items = [r for r in workforce if r.lead_in]
    assert items
    assert not {r.lead_in for r in items} & set(texts)
    for duty_id in duty_ids():
        found = corpus_service.requirements(duty_id).requirements
        listed = {(r.citation.chunk_id, r.lead_in) for r in found if r.lead_in}
        assert not [r.text for r in found if r.text.endswith(":") and (r.citation.chunk_id, r.text) in listed], duty_id


def test_a_list_cut_at_its_limit_says_how_many_more_there_are(corpus_service):
    from assistant.errors import InputError

    short = corpus_service.requirements("climate_change", limit=5)
    assert len(short.requirements) == 5 and short.more > 0
    whole = corpus_service.requirements("climate_change", limit=200)  # the longest list
    assert whole.more == 0 and len(whole.requirements) == 5 + short.more
    # the five are in the whole list, in it or as the lead-in its items show
    said = {r.text for r in whole.requirements} | {r.lead_in for r in whole.requirements}
    assert {r.text for r in short.requirements} <= said
    assert short.to_json()["more"] == short.more
    with pytest.raises(InputError, match="--limit"):
        corpus_service.requirements("climate_change", limit=0)


@pytest.mark.parametrize("duty_id, headline", [
    ("victims_of_abuse", "JFPs must set out how ICBs intend to discharge their duty to address the particular needs of victims of abuse."),
    ("climate_change", "JFPs must set out how ICBs intend to discharge their duty in relation to mitigating the impact of Climate change."),
])
def test_the_duty_s_headline_must_is_in_the_default_list(corpus_service, duty_id, headline):
    """The short, general "JFPs must set out how ..." that opens each duty's section of the guidance
    matches the duty's description less well than the detail around it; it is listed all the same."""
    texts = [r.text for r in corpus_service.requirements(duty_id).requirements]
    assert headline in texts, texts


def test_an_item_naming_the_item_before_it_is_listed_under_that_item(corpus_service):
    """'must publish that plan' means the capital resource plan of the item before it; listed alone
    (it was the financial duty's first requirement) it reads as the joint forward plan."""
    texts = [r.text for r in corpus_service.requirements("financial").requirements]
    publish = next(i for i, t in enumerate(texts) if t.startswith("must publish that plan"))
    prepare = next(i for i, t in enumerate(texts) if "prepare a plan setting out their planned capital resource use" in t)
    assert prepare < publish, texts
