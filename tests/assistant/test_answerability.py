"""The answer-type checks: a question asking for a count, a figure or a person is only answered when a
quoted sentence gives one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answerability import CorpusStats, unanswerable_reason

LIBRARY = [
    "The elective waiting list in the system fell to 41,000 people in March 2024.",
    "Reduce adult bed occupancy to 92% or below by March 2024.",
    "The ICB's Chief Finance Officer leads the green plan as Senior Responsible Officer (SRO).",
    "The capital budget for 2024/25 is £120 million across the system.",
    "Systems have significant flexibility over what the plan covers and how it is structured.",
    "The chair of the ICB board is appointed with the approval of NHS England.",
    "We will recruit 26,000 Additional Roles Reimbursement Scheme roles by 2024.",
    "The hospital has 300 staff and 92% of its beds are occupied.",
]
STATS = CorpusStats.build(LIBRARY)


def reason(question: str, quoted: list[str]) -> str | None:
    return unanswerable_reason(question, quoted, STATS)


def test_how_many_is_answered_by_a_count_of_the_thing_asked_about():
    assert reason("How many people are on the elective waiting list?", [LIBRARY[0]]) is None


@pytest.mark.parametrize("quoted", [
    [LIBRARY[1]],  # a percentage of beds is not a number of beds
    ["Eliminate waits of over 65 weeks for elective care by March 2024."],  # a count of weeks, not beds
    ["The new wing opened in 2024 with more beds."],  # a year is not a count
])
def test_how_many_without_a_count_of_that_thing_abstains(quoted):
    assert reason("How many beds does the hospital have?", quoted)


def test_figures_about_the_subject_that_count_something_else_do_not_answer_how_many():
    assert reason("How many beds does the hospital have?", [LIBRARY[7]]) == "The sources give no count of beds."
    assert reason("How many staff does the hospital have?", [LIBRARY[7]]) is None


def test_how_many_counts_the_whole_thing_asked_about_and_names_it():
    # "hospital beds": a count of hospital beds answers; a count of other beds does not, and the reason
    # says what was asked about, as asked
    assert reason("How many hospital beds does the system have?", ["The system has 1,200 hospital beds."]) is None
    assert (reason("How many hospital beds does the system have?", ["We will open 200 new specialist dementia beds."])
            == "The sources give no count of hospital beds.")
    assert reason("How many NHS staff does the hospital have?", [LIBRARY[7]]) == "The sources give no count of NHS staff."


def test_a_year_alone_is_not_a_figure():
    quoted = ["The capital budget will be agreed with partners in 2024."]
    assert reason("What is the capital budget?", quoted) == "The sources give no figure for this."


def test_a_money_measure_needs_money_or_its_name_in_the_same_sentence():
    assert reason("What is the capital budget?", [LIBRARY[3]]) is None
    # a figure about the subject (ARRS) that is not a rate does not answer "what is the rate"
    got = reason("What's the reimbursement rate under the Additional Roles Reimbursement Scheme?", [LIBRARY[6]])
    assert got == "The sources give no rate figure for this."


def test_a_figure_for_another_thing_measured_the_same_way_does_not_answer():
    # "rate" is the measure asked for, not the subject: a rate of something else is no answer
    quoted = ["Recover the dementia diagnosis rate to 66.7% by March 2024."]
    got = reason("What's the reimbursement rate for a clinical pharmacist under ARRS?", quoted)
    assert got == "The sources give no figure for this."


def test_a_footnote_reference_is_not_a_figure():
    quoted = ["ICBs must promote the involvement of each patient (ARRS) in decisions about their treatment.1 It helps."]
    got = reason("What's the reimbursement rate under ARRS?", quoted)
    assert got == "The sources give no figure for this."
    # a real figure next to it still counts
    assert reason("What's the reimbursement rate under ARRS?", ["Under ARRS the reimbursement rate is 100%."]) is None


def test_how_much_freedom_is_not_a_question_about_an_amount():
    assert reason("How much freedom do systems have over what goes in the plan?", [LIBRARY[4]]) is None


def test_a_role_named_in_the_library_but_not_in_the_quoted_passages_abstains():
    got = reason("Who is the chair of the ICB?", [LIBRARY[4]])
    assert got and "do not say who holds this role" in got
    assert reason("Who is the chair of the ICB?", [LIBRARY[5]]) is None


def test_a_role_absent_from_the_library_abstains():
    got = reason("Who is the chief executive of the ICB?", [LIBRARY[5]])
    assert got and "do not name who holds this role" in got


def test_who_chairs_needs_a_quoted_sentence_about_chairing():
    assert reason("Who chairs the ICB?", [LIBRARY[4]]) == "The sources do not say who does this."
    assert reason("Who chairs the ICB?", [LIBRARY[5]]) is None


def test_who_chairs_something_needs_a_sentence_about_chairing_that_thing():
    # the NHS Confederation briefing's events list: its "chairs" are someone else's
    stats = CorpusStats.build(LIBRARY + ["8 February - ICP chairs meeting: our next meeting will focus on the Hewitt review.",
                                         "Lancashire and South Cumbria published its plan in 2024."])
    events = ["8 February - ICP chairs meeting: our next meeting will focus on the Hewitt review."]
    assert unanswerable_reason("Who chairs Lancashire and South Cumbria ICB?", events, stats) == (
        "The sources do not say who does this.")
    chaired = ["Lancashire and South Cumbria ICB is chaired by Jane Smith, appointed in 2024."]
    assert unanswerable_reason("Who chairs Lancashire and South Cumbria ICB?", chaired, stats) is None


def test_a_role_given_by_its_acronym_is_found():
    assert reason("Who's the SRO for the green plan?", [LIBRARY[2]]) is None


def test_questions_about_who_should_act_are_not_role_lookups():
    assert reason("Who should we involve in the estates vision?", [LIBRARY[4]]) is None


def test_who_is_responsible_asks_who_does_something_not_for_a_post_named_responsible():
    quoted = ["Local directors of public health will retain responsibility for providing public health advice."]
    assert reason("Who is responsible for giving public health advice to the ICB?", quoted) is None


def test_who_leads_something_in_a_named_place_needs_the_thing_led_not_the_place_in_the_sentence():
    # "Lancashire" names the document to look in; the annex's sentence says who leads its green plan
    # without repeating the ICB's name. A subject that is only a name still has to be in the sentence.
    green = "Our Green Plan is delivered by a system programme, which the ICB's Chief Finance Officer leads as SRO."
    events = "8 February - ICP chairs meeting: our next meeting will focus on the Hewitt review."
    stats = replace(CorpusStats.build(LIBRARY + [green, events, "Lancashire and South Cumbria published its plan in 2024."]),
                    document_names=frozenset({"lancashire", "south", "cumbria"}))
    assert unanswerable_reason("Who leads the green plan in Lancashire and South Cumbria?", [green], stats) is None
    assert unanswerable_reason("Who leads the estates strategy in Lancashire?", [green], stats) == (
        "The sources do not say who does this.")
    assert unanswerable_reason("Who chairs Lancashire and South Cumbria ICB?", [events], stats) == (
        "The sources do not say who does this.")


def test_asking_for_the_name_of_a_post_is_a_role_lookup():
    got = reason("What is the name of the chief executive?", [LIBRARY[5]])
    assert got and "do not name who holds this role (chief executive)" in got
    assert reason("What is the name of the chair of the ICB board?", [LIBRARY[5]]) is None


def test_how_many_about_a_named_place_needs_a_count_for_that_place():
    from dataclasses import replace

    stats = replace(CorpusStats.build(LIBRARY + ["Open 200 new specialist dementia beds by 2030."]),
                    document_names=frozenset({"cornwall"}))
    dementia = ["Open 200 new specialist dementia beds by 2030."]
    # the count is of beds, but not of the named hospital's beds
    why = unanswerable_reason("How many beds does the Royal Cornwall Hospital have?", dementia, stats)
    assert why and "Royal Hospital" in why
    assert unanswerable_reason("How many beds does the Royal Cornwall Hospital have?",
                               ["The Royal Cornwall Hospital has 750 beds."], stats) is None
    # "Cornwall" only names a document in the library: the board paper's count answers
    assert unanswerable_reason("How many beds will Cornwall open?", dementia, stats) is None


def test_a_question_in_words_the_library_never_uses_is_refused():
    why = unanswerable_reason("When does the Premier League season start?", [LIBRARY[4]], STATS, max_unknown_share=0.5)
    assert why and "premier" in why and "appear in no indexed document" in why
    # the check is off unless calibrated (1.0), and one unknown word is never enough
    assert unanswerable_reason("When does the Premier League season start?", [LIBRARY[4]], STATS) is None
    assert unanswerable_reason("What flexibility do systems have over their plan's scope?", [LIBRARY[4]], STATS,
                               max_unknown_share=0.3) is None


def test_a_question_whose_only_subject_no_document_mentions_is_refused_by_that_word():
    # "dentistry" is the whole subject; "plan" and "say" only frame the question. A misspelling is
    # named as written, so the planner can see it
    ask = lambda q: unanswerable_reason(q, [LIBRARY[4]], STATS, max_unknown_share=0.5)  # noqa: E731
    assert ask("What should the plan say about dentistry?") == "No indexed document mentions dentistry."
    assert ask("What should the plan say about ocupancy?") == "No indexed document mentions ocupancy."
    # a subject the library knows is not refused for one unknown word beside it, nor is any question
    # while the vocabulary check is off
    assert ask("What should the plan say about dentistry and hospital beds?") is None
    assert unanswerable_reason("What should the plan say about dentistry?", [LIBRARY[4]], STATS) is None


@pytest.mark.parametrize("question", [
    "Write me a SQL query that counts registered patients by GP practice.",
    "Can you write Python code to chart the waiting list figures?",
    "Please give me an Excel formula for the growth in bed occupancy.",
])
def test_a_request_for_code_is_refused_with_its_reason(question):
    why = reason(question, [LIBRARY[0], LIBRARY[1]])
    assert why and "does not write code" in why


@pytest.mark.parametrize("question", [
    "Write a draft of the climate change section.",
    "Write me a summary of what the guidance says about patient choice.",
    "What must the code of conduct section cover?",
    "What query did the board raise about the timetable?",
])
def test_writing_requests_about_the_plan_are_not_taken_for_code(question):
    assert reason(question, [LIBRARY[4]]) is None


NATIONAL = "Capital allocations will be topped-up by £300 million nationally, which is prioritised for systems."
OWN = "Our capital allocation for 2024/25 is £120 million across the system."


def test_a_figure_for_a_named_body_is_not_answered_by_a_national_figure_or_another_document():
    q = "How much is Cornwall's capital allocation?"
    # the national top-up, quoted in Cornwall's own paper, is still not Cornwall's allocation
    assert "names gives no figure" in unanswerable_reason(q, [NATIONAL], STATS, from_named=[True])
    # Cornwall's paper is quoted, but the figure comes from another document
    assert "names gives no figure" in unanswerable_reason(q, [NATIONAL, OWN, "Cornwall will plan its capital."],
                                                          STATS, from_named=[True, False, True])
    assert unanswerable_reason(q, [NATIONAL, OWN], STATS, from_named=[False, True]) is None


def test_without_a_named_document_a_national_figure_answers():
    assert unanswerable_reason("How much is the national capital top-up?", [NATIONAL], STATS) is None
    assert unanswerable_reason("How much is the national capital top-up?", [NATIONAL], STATS,
                               from_named=[False]) is None


def test_a_name_no_document_uses_is_named_back_to_the_planner():
    # "Welsh" is in no document: the answer can only speak to publishing the plan, and says so
    from assistant.answerability import unmentioned_names

    assert unmentioned_names("Do we have to publish the plan in Welsh?", STATS) == ["Welsh"]
    # names the library uses, the question's first word, and acronyms are not flagged
    assert unmentioned_names("Who leads the green plan as Senior Responsible Officer?", STATS) == []
    assert unmentioned_names("Welsh aside, how is the plan structured?", STATS) == []
    assert unmentioned_names("What does the SRO lead for the ICB?", STATS) == []


def test_an_answer_to_a_question_naming_something_no_document_mentions_carries_a_notice(corpus_service):
    answer = corpus_service.ask("Do we have to publish the joint forward plan in Welsh?")
    assert not answer.abstained  # the sources do say how the plan is published
    assert any("No indexed document mentions Welsh" in n for n in answer.notices), answer.notices
    plain = corpus_service.ask("Do we have to publish the joint forward plan?")
    assert not any("No indexed document mentions" in n for n in plain.notices), plain.notices
