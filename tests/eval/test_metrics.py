"""The metric definitions in eval/metrics.py, one behaviour per test, on hand-made cases."""

from __future__ import annotations

import pytest

from eval.metrics import (
    abstention_precision_recall,
    chunk_is_relevant,
    citation_valid,
    citation_validity,
    faithfulness,
    hit_at_k,
    keypoint_coverage,
    keypoint_in_text,
    keypoint_recall,
    keypoints_missed,
    mean,
    normalise,
    reciprocal_rank,
    split_sentences,
    stem,
    strip_markers,
)

FILLER = "Unrelated words about estates, buildings and the weather go here."  # 10 words


# --- normalise and stem ---------------------------------------------------------------------------


def test_normalise_lowercases_and_collapses_whitespace():
    assert normalise("  The   Joint\n\tForward  PLAN ") == "the joint forward plan"


def test_normalise_unifies_curly_quotes_and_dashes():
    assert normalise("ICB\u2019s \u201cplan\u201d 2023\u201324 \u2014 done") == normalise("ICB's \"plan\" 2023-24 - done")


def test_normalise_drops_punctuation_at_token_edges_but_keeps_inner_punctuation():
    assert normalise("(ICB). don't, 2023/24; well-led! \u2022 *bold*") == "icb don't 2023/24 well-led bold"


@pytest.mark.parametrize(
    "forms",
    [
        ("plan", "plans", "planning", "planned"),
        ("service", "services", "serviced", "servicing"),
        ("body", "bodies"),
        ("agree", "agreed"),
        ("committee", "committees"),
    ],
)
def test_stem_maps_plural_ing_and_ed_forms_to_one_stem(forms):
    assert len({stem(w) for w in forms}) == 1


def test_strip_markers_removes_single_grouped_and_range_markers():
    assert strip_markers("a [1] b [2, 3] c [4-6] d [x]").split() == ["a", "b", "c", "d", "[x]"]


# --- key points -----------------------------------------------------------------------------------


def test_keypoint_phrase_matches_ignoring_case_and_punctuation():
    assert keypoint_in_text("30 June 2023", "Plans were due by 30 JUNE 2023.")


def test_keypoint_curly_apostrophe_matches_straight_apostrophe():
    assert keypoint_in_text("the ICB's duties", "This sets out the ICB\u2019s duties in full.")


def test_keypoint_phrase_must_match_whole_words():
    assert not keypoint_in_text("aim", "A claim was made.")


def test_single_word_keypoint_needs_a_phrase_match():
    assert not keypoint_in_text("ICBs", "Each ICB must publish a plan.")


def test_keypoint_paraphrase_with_all_content_words_in_one_window_counts():
    text = "Each ICB, with its partner trusts, must publish its joint forward plans before April."
    assert keypoint_in_text("publish a joint forward plan", text)


def test_keypoint_content_words_scattered_across_the_answer_do_not_count():
    # the point has 5 words, so the window is 2*5+10 = 20 words; each content word is 21+ words apart
    text = " ".join(["They publish reports.", FILLER, FILLER, "Joint working helps.", FILLER, FILLER,
                     "Moving forward matters.", FILLER, FILLER, "The plan is long."])
    assert not keypoint_in_text("publish a joint forward plan", text)


def test_keypoint_window_needs_80_percent_of_content_words():
    point = "reduce health inequalities in local populations"  # 5 content words: 4 needed
    assert keypoint_in_text(point, "We reduce inequalities in health for local people.")  # 4 of 5
    assert not keypoint_in_text(point, "We reduce inequalities in health for our area.")  # 3 of 5


# --- retrieval ------------------------------------------------------------------------------------


def test_chunk_is_relevant_when_it_covers_any_key_point():
    assert chunk_is_relevant("The deadline was 30 June 2023.", ["triple aim", "30 June 2023"])


def test_chunk_is_not_relevant_when_it_covers_no_key_point():
    assert not chunk_is_relevant("Estates and buildings.", ["triple aim", "30 June 2023"])


def test_hit_at_k_only_looks_at_the_first_k_chunks():
    texts = ["nothing", "nothing", "the triple aim"]
    assert (hit_at_k(texts, ["triple aim"], 2), hit_at_k(texts, ["triple aim"], 3)) == (0.0, 1.0)


def test_reciprocal_rank_of_first_relevant_chunk_at_rank_3_is_one_third():
    texts = ["nothing", "still nothing", "the triple aim", "the triple aim again"]
    assert reciprocal_rank(texts, ["triple aim"]) == pytest.approx(1 / 3)


def test_reciprocal_rank_is_zero_when_no_chunk_is_relevant():
    assert reciprocal_rank(["nothing", "nothing"], ["triple aim"]) == 0.0


# --- answer coverage ------------------------------------------------------------------------------


def test_coverage_is_the_share_of_key_points_covered():
    answer = "The plan covers the triple aim and was due by 30 June 2023."
    assert keypoint_coverage(answer, ["triple aim", "30 June 2023", "net zero", "Healthwatch"]) == 0.5


def test_coverage_ignores_text_after_300_words():
    answer = " ".join(["word"] * 300) + " the triple aim"
    assert keypoint_coverage(answer, ["triple aim"]) == 0.0
    assert keypoint_coverage(answer, ["triple aim"], max_words=303) == 1.0


def test_coverage_counts_the_300_words_across_lines():
    answer = "\n".join(["- " + " ".join(["word"] * 99)] * 3) + "\n- the triple aim"  # 300 words, then the point
    assert keypoint_coverage(answer, ["triple aim"]) == 0.0
    assert keypoint_coverage(answer, ["triple aim"], max_words=304) == 1.0


def test_a_point_is_covered_within_one_line_not_across_two():
    answer = ("- ensure patients have information to help them make choices about their care. [3]\n"
              "- A JFP that addresses the duty to involve each patient well will consider the model. [4]")
    assert keypoint_coverage(answer, ["duty as to patient choice"]) == 0.0
    assert keypoint_coverage(answer.replace("\n", " "), ["duty as to patient choice"]) == 1.0  # one paragraph
    assert keypoint_coverage("- The duty as to patient choice applies. [1]", ["duty as to patient choice"]) == 1.0


def test_a_line_wrapped_inside_a_paragraph_is_still_one_paragraph():
    wrapped = "JFPs must set out how ICBs will discharge the duty as to\npatient choice.\n\nAnother paragraph."
    assert keypoint_coverage(wrapped, ["duty as to patient choice"]) == 1.0
    split = "ICBs should explain the duty.\n\nPatients want choice."
    assert keypoint_coverage(split, ["duty as to patient choice"]) == 0.0
    listed = "- explain the duty\n  - 1. patient choice"
    assert keypoint_coverage(listed, ["duty as to patient choice"]) == 0.0


def test_coverage_strips_citation_markers_before_matching():
    assert keypoint_coverage("Talk to Healthwatch[3] first.", ["Healthwatch"]) == 1.0


def test_citation_markers_do_not_count_towards_the_word_limit():
    answer = " ".join(["word [1]"] * 299) + " Healthwatch"
    assert keypoint_coverage(answer, ["Healthwatch"]) == 1.0


def test_keypoints_missed_lists_the_points_not_covered():
    assert keypoints_missed("The triple aim.", ["triple aim", "net zero"]) == ["net zero"]


def test_keypoint_recall_counts_points_covered_by_any_retrieved_chunk():
    chunks = ["The plan must address the triple aim.", "Nothing relevant here.", "Cut emissions to net zero by 2040."]
    assert keypoint_recall(chunks, ["triple aim", "net zero", "patient choice"]) == pytest.approx(2 / 3)


def test_keypoint_recall_is_zero_when_no_chunk_covers_a_point_and_none_without_points():
    assert keypoint_recall(["Nothing relevant here."], ["triple aim"]) == 0.0
    assert keypoint_recall([], ["triple aim"]) == 0.0
    assert keypoint_recall(["The triple aim."], []) is None


def test_coverage_is_none_without_key_points():
    assert keypoint_coverage("Anything.", []) is None


# --- citations ------------------------------------------------------------------------------------


CHUNK = "ICBs must publish\na joint forward plan before the start of each financial year."
DOCUMENT = "Heading\n\nICBs must publish a joint forward plan before the start of each financial year.\n"


def test_citation_is_valid_when_quote_is_in_chunk_and_document_up_to_whitespace():
    assert citation_valid("must publish a joint  forward plan", CHUNK, DOCUMENT)


def test_citation_with_quote_not_in_the_chunk_is_invalid():
    assert not citation_valid("must publish a strategy", CHUNK, DOCUMENT + " must publish a strategy")


def test_citation_with_quote_in_chunk_but_not_in_the_document_is_invalid():
    assert not citation_valid("must publish a joint forward plan", CHUNK, "Some other document.")


def test_citation_quote_must_match_case_and_punctuation_exactly():
    assert not citation_valid("Must publish a joint forward plan", CHUNK, DOCUMENT)


def test_citation_with_empty_quote_is_invalid():
    assert not citation_valid("  ", CHUNK, DOCUMENT)


def test_citation_whose_chunk_cannot_be_found_is_invalid():
    assert not citation_valid("must publish", None, DOCUMENT)


def test_citation_validity_is_the_share_of_valid_citations():
    triples = [("must publish", CHUNK, DOCUMENT), ("not there", CHUNK, DOCUMENT)]
    assert citation_validity(triples) == 0.5


def test_citation_validity_is_none_without_citations():
    assert citation_validity([]) is None


# --- faithfulness ---------------------------------------------------------------------------------

SOURCE = "ICBs must publish a joint forward plan before the start of each financial year."


def test_sentence_supported_by_its_cited_chunk_is_faithful():
    assert faithfulness("Each ICB publishes its joint forward plan before the financial year [1].", {1: SOURCE}) == 1.0


def test_sentence_without_a_marker_is_unsupported():
    assert faithfulness("Each ICB publishes its joint forward plan before the financial year.", {1: SOURCE}) == 0.0


def test_sentence_citing_an_unrelated_chunk_is_unsupported():
    assert faithfulness("Football is played by two teams of eleven [1].", {1: SOURCE}) == 0.0


def test_sentence_citing_a_missing_number_is_unsupported():
    assert faithfulness("ICBs publish a joint forward plan [2].", {1: SOURCE}) == 0.0


def test_support_needs_60_percent_of_content_words():
    # content words: icb, publish, joint, forward, plan, weekly, podcast, video, series -> 5/9 = 56%
    assert faithfulness("ICBs publish joint forward plans, weekly podcasts, videos and series [1].", {1: SOURCE}) == 0.0


def test_faithfulness_is_the_share_of_supported_sentences():
    answer = "ICBs publish a joint forward plan [1]. Football needs two teams of eleven [1]."
    assert faithfulness(answer, {1: SOURCE}) == 0.5


def test_faithfulness_uses_all_texts_cited_by_a_sentence():
    answer = "ICBs publish a joint forward plan covering net zero emissions [1, 2]."
    assert faithfulness(answer, {1: SOURCE, 2: "Net zero emissions by 2040."}) == 1.0


def test_marker_after_the_full_stop_belongs_to_its_sentence():
    assert faithfulness("ICBs publish a joint forward plan. [1]", {1: SOURCE}) == 1.0


def test_faithfulness_skips_headings_lead_ins_and_empty_lines():
    answer = "## Publishing\n\n**Key points**\n\nIn short:\n\n- ICBs publish a joint forward plan [1].\n"
    assert split_sentences(answer) == ["ICBs publish a joint forward plan [1]."]
    assert faithfulness(answer, {1: SOURCE}) == 1.0


def test_an_abbreviation_does_not_end_a_scored_sentence():
    answer = "- Confirm it before each financial year – i.e. 1 April [1].\n- We said no. Then we left [2]."
    assert split_sentences(answer) == ["Confirm it before each financial year – i.e. 1 April [1].", "We said no.",
                                       "Then we left [2]."]
    source = "Confirm it before each financial year, i.e. 1 April."
    assert faithfulness("- Confirm it before each financial year – i.e. 1 April [1].", {1: source}) == 1.0


def test_faithfulness_is_none_when_there_is_no_sentence():
    assert faithfulness("", {1: SOURCE}) is None


# --- abstention and mean --------------------------------------------------------------------------


def test_abstention_precision_and_recall_on_a_small_table():
    pairs = [  # (should_abstain, did_abstain)
        (True, True),  # correct abstention
        (True, False),  # missed
        (True, False),  # missed
        (False, True),  # wrongly abstained
        (False, False),
    ]
    precision, recall = abstention_precision_recall(pairs)
    assert (precision, recall) == (0.5, pytest.approx(1 / 3))


def test_abstention_precision_is_one_when_nothing_abstained():
    assert abstention_precision_recall([(True, False), (False, False)])[0] == 1.0


def test_abstention_recall_is_one_when_nothing_should_abstain():
    assert abstention_precision_recall([(False, True), (False, False)])[1] == 1.0


def test_mean_ignores_none():
    assert mean([1.0, None, 0.0]) == 0.5


def test_mean_of_only_none_is_none():
    assert mean([None, None]) is None
