"""The order an extractive answer quotes its units in (``assistant.extractive.answer_order``)."""

import numpy as np
import pytest

from assistant.chunk_sentences import answer_units
from assistant.extractive import _continuations, answer_order, strength
from assistant.types import Chunk

MARGIN = 0.03


def order(rel, strengths, continues=None, source=None, chosen=None):
    r = np.array(rel, dtype=float)
    return answer_order(list(range(len(rel))) if chosen is None else chosen, r, strengths, MARGIN, continues, source)


def test_the_most_relevant_unit_comes_first():
    assert order([0.2, 0.5, 0.35], ["other"] * 3) == [1, 2, 0]


def test_among_units_about_as_relevant_as_the_best_requirements_lead():
    # 0 is the best; 1 (a must) and 2 (a should) are within the margin; 3 (a must) is not
    rel = [0.50, 0.48, 0.49, 0.30, 0.40]
    assert order(rel, ["other", "must", "should", "must", "may"]) == [1, 2, 0, 4, 3]


def test_a_far_less_relevant_requirement_does_not_lead():
    assert order([0.6, 0.3], ["other", "must"]) == [0, 1]


def test_a_unit_that_leans_on_the_one_before_follows_it_where_the_better_of_the_two_stands():
    # 2 ("They must share a draft ...") continues 1; it is the most relevant, so 1 and 2 lead, in order
    rel = [0.40, 0.30, 0.55]
    assert order(rel, ["other"] * 3, continues={2: 1}) == [1, 2, 0]


def test_chains_of_continuations_stay_in_the_documents_order():
    assert order([0.1, 0.5, 0.2, 0.3], ["other"] * 4, continues={2: 1, 3: 2}) == [1, 2, 3, 0]


def test_a_unit_leaning_on_one_not_quoted_does_not_open_the_answer():
    # 0 opens "It ..." and its sentence before is not quoted: the best unit that stands alone leads
    assert order([0.6, 0.4, 0.5], ["other"] * 3, continues={0: None}) == [2, 0, 1]


def test_when_every_unit_leans_on_another_the_order_is_left_as_it_is():
    assert order([0.6, 0.4], ["other"] * 2, continues={0: None, 1: None}) == [0, 1]


def test_the_source_key_comes_before_relevance():
    # a question naming a document: that document's units (key False) first, however relevant the rest
    source = [(True,), (False,), (True,), (False,)]
    assert order([0.9, 0.2, 0.8, 0.3], ["must"] * 4, source=source) == [3, 1, 0, 2]


def test_a_dangling_opener_is_only_swapped_with_a_unit_of_the_same_standing():
    # the named document's only unit leans on another; it still comes before the other documents' units
    source = [(False,), (True,)]
    assert order([0.5, 0.9], ["other"] * 2, continues={0: None}, source=source) == [0, 1]


def test_a_dangling_national_opener_gives_way_to_a_local_unit_that_stands_alone():
    # (named document?, local unit for a question on what is required?): the national unit leans on a
    # sentence not quoted; national-first is a preference, so the local unit that stands alone leads
    source = [(False, False), (False, True), (False, True)]
    assert order([0.9, 0.5, 0.6], ["must"] * 3, continues={0: None}, source=source) == [2, 0, 1]
    # a unit of another document than the one the question names still does not lead
    source = [(False, False), (True, False)]
    assert order([0.9, 0.5], ["must"] * 2, continues={0: None}, source=source) == [0, 1]


def test_only_the_chosen_units_are_ordered():
    assert order([0.9, 0.1, 0.5], ["other"] * 3, chosen=[1, 2]) == [2, 1]
    assert answer_order([], np.array([]), [], MARGIN) == []


def test_the_unit_moved_to_open_the_answer_keeps_the_units_that_continue_it():
    # 0 leans on nothing quoted; 1 and its continuation 2 are the first run that stands alone
    assert order([0.9, 0.5, 0.4, 0.3], ["other"] * 4, continues={0: None, 2: 1}) == [1, 2, 0, 3]


def test_a_sentence_that_draws_a_conclusion_from_the_one_before_leans_on_it():
    text = ("Victims of abuse have particular needs that services often miss. "
            "The plan should therefore cover these needs specifically. "
            "Therefore, ICBs may wish to train staff across the system. "
            "ICBs must set out the steps they will take for victims of abuse.")
    chunk = Chunk(chunk_id="g:00001", doc_id="g", title="Guidance", source="g.md", kind="guidance", page=1,
                  section="Victims of abuse", duty_ids=(), text=text, n_tokens=40, content_hash="h")
    cands = [(u, 1) for u in answer_units(chunk)]
    assert [u.text.split()[0] for u, _ in cands] == ["Victims", "The", "Therefore,", "ICBs"]
    # quoted after the sentence it concludes from; alone, it does not open the answer
    assert _continuations(cands, [0, 1, 2, 3]) == {1: 0, 2: 1}
    assert _continuations(cands, [1, 3]) == {1: None}
    assert order([0.9, 0.5], ["should", "must"], continues={0: None}) == [1, 0]


@pytest.mark.parametrize(("text", "expected"), [
    ("JFPs must set out how ICBs intend to discharge their duty.", "must"),
    ("The JFP should describe how the ICB will deliver against the targets.", "should"),
    ("ICBs may wish to describe how they will work with partners.", "may"),
    # advice in other words
    ("ICBs and partner trusts are encouraged to describe in their JFPs how they will address the priorities.", "should"),
    ("A population approach will need to consider public health and education.", "should"),
    # a requirement the sentence denies is none, unless a "but" brings one back
    ("There is not an expectation that all stakeholders must necessarily be consulted.", "other"),
    ("For a minor refresh they may not be expected to engage widely again.", "other"),
    ("The JFP does not need to repeat the green plan, but it must say how the plan will be delivered.", "must"),
    ("ICBs must not share patient data without a lawful basis.", "must"),
])
def test_strength_reads_the_modal_the_sentence_asserts(text, expected):
    assert strength(text) == expected
