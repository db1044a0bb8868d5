"""The evaluation harness: gold-set loading, scoring of hand-made answers, summary and rows.

Fixtures (conftest.py, eval_fakes.py): a 3-item gold set and a recording fake ``ask``. Expected figures:

* q1 (climate_change): relevant chunk at rank 2 -> hit@5 1, RR 0.5; covers "net zero" but not
  "green plan" -> coverage 0.5; citation [1] valid, [2] quotes text missing from its document;
  both sentences supported by their cited chunks -> faithfulness 1.0.
* q2 (financial): nothing relevant retrieved -> hit@5 0, RR 0; abstained -> coverage 0.
* q3 (out of scope): abstained correctly; not scored for retrieval or coverage.
"""

from __future__ import annotations

import json

import pytest
from eval_fakes import ANSWERS, GOLD_LINES, make_answer

from eval.harness import GoldItem, GoldSetError, load_gold, run_eval

CONTRACT = {
    "retrieval": {"hit_at_5", "mrr"},
    "answer": {"keypoint_coverage", "faithfulness"},
    "citations": {"validity"},
    "abstention": {"precision", "recall"},
}


def write_lines(tmp_path, lines: list[str]):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- load_gold ------------------------------------------------------------------------------------


def test_load_gold_reads_one_item_per_line(gold_file):
    assert [item.id for item in load_gold(gold_file)] == ["q1", "q2", "q3"]


def test_load_gold_ignores_unknown_fields(gold_file):
    assert load_gold(gold_file)[0] == GoldItem(
        id="q1", question=GOLD_LINES[0]["question"], duty="climate_change", must_mention=("net zero", "green plan"),
        out_of_scope=False, kind="duty",
    )


def test_load_gold_skips_blank_lines(tmp_path):
    path = write_lines(tmp_path, ['{"id": "a", "question": "Q?"}', "", "   ", '{"id": "b", "question": "R?"}'])
    assert [item.id for item in load_gold(path)] == ["a", "b"]


def test_malformed_json_line_gives_an_error_naming_the_line(tmp_path):
    path = write_lines(tmp_path, ['{"id": "a", "question": "Q?"}', '{"id": "b", "question": "R?"'])
    with pytest.raises(GoldSetError, match=r"line 2: not valid JSON"):
        load_gold(path)


def test_missing_question_gives_an_error_naming_the_line_and_field(tmp_path):
    path = write_lines(tmp_path, ['{"id": "a", "question": "Q?"}', "", '{"id": "c"}'])
    with pytest.raises(GoldSetError, match=r"line 3: missing 'question'"):
        load_gold(path)


def test_missing_id_gives_an_error_naming_the_line(tmp_path):
    path = write_lines(tmp_path, ['{"question": "Q?"}'])
    with pytest.raises(GoldSetError, match=r"line 1: missing 'id'"):
        load_gold(path)


def test_must_mention_that_is_not_a_list_of_strings_is_an_error(tmp_path):
    path = write_lines(tmp_path, ['{"id": "a", "question": "Q?", "must_mention": "net zero"}'])
    with pytest.raises(GoldSetError, match=r"line 1: 'must_mention' must be a list"):
        load_gold(path)


def test_repeated_id_is_an_error_naming_both_lines(tmp_path):
    path = write_lines(tmp_path, ['{"id": "a", "question": "Q?"}', '{"id": "a", "question": "R?"}'])
    with pytest.raises(GoldSetError, match=r"line 2: id 'a' is already used on line 1"):
        load_gold(path)


def test_missing_gold_file_is_a_clear_error(tmp_path):
    with pytest.raises(GoldSetError, match="does not exist"):
        load_gold(tmp_path / "nope.jsonl")


def test_empty_gold_file_is_an_error(tmp_path):
    with pytest.raises(GoldSetError, match="has no items"):
        load_gold(write_lines(tmp_path, [""]))


# --- run_eval -------------------------------------------------------------------------------------


def test_ask_is_called_once_per_item_with_question_and_duty(three_item_result, fake_ask):
    assert fake_ask.calls == [(line["question"], line.get("duty")) for line in GOLD_LINES]


def test_each_chunk_and_document_is_looked_up_once(three_item_result, chunk_lookup, doc_lookup):
    assert sorted(chunk_lookup.calls) == ["c2", "c3"]
    assert doc_lookup.calls == ["d1"]


def test_summary_has_the_contract_fields(three_item_result):
    summary = three_item_result.summary()
    assert summary["n"] == 3
    for section, keys in CONTRACT.items():
        assert keys <= set(summary[section]), section


def test_summary_numbers_on_the_three_item_gold_set(three_item_result):
    s = three_item_result.summary()
    # keypoint_recall: q1's retrieved c2 holds "net zero" but no chunk holds "green plan" (1/2); q2's c1 holds nothing
    # the intervals: resampling two items (RR 0.5 and 0; coverage 0.5 and 0) gives means of 0, 0.25, 0.5
    assert s["retrieval"] == {"hit_at_5": 0.5, "mrr": 0.25, "keypoint_recall": 0.25, "n": 2, "mrr_interval": [0.0, 0.5]}
    assert s["answer"] == {"keypoint_coverage": 0.25, "keypoint_coverage_interval": [0.0, 0.5], "lead_coverage": 0.25,
                           "faithfulness": 1.0}
    assert s["citations"] == {"validity": 0.5, "n": 2}
    assert s["abstention"] == {"precision": 0.5, "recall": 1.0}


def test_summary_lists_failed_item_ids(three_item_result):
    assert three_item_result.summary()["failures"] == ["q1", "q2"]


def test_failure_reasons_say_what_was_missed(three_item_result):
    q1, q2, _ = three_item_result.items
    assert q1.problems == ("answer missed: 'green plan'", "invalid citations: [2]")
    assert q2.problems == ("abstained on an in-scope question", "retrieval: no relevant chunk in the top 5")


def test_a_missed_point_a_retrieved_chunk_holds_is_reported_as_left_out(chunk_lookup, doc_lookup):
    from eval_fakes import make_answer

    from eval.harness import GoldItem, score_item

    item = GoldItem(id="q9", question="What about net zero?", must_mention=("net zero", "green plan"))
    answer = make_answer(item.question, "Plans should report on air quality.", retrieved=("c1", "c2"))
    result = score_item(item, answer, chunk_lookup, doc_lookup)
    assert result.keypoint_recall == 0.5
    assert result.missed_retrieved == ("net zero",)
    assert result.problems[0] == "answer missed: 'net zero' (in a retrieved chunk); 'green plan'"


def test_lead_coverage_counts_only_the_key_points_in_the_first_100_words(chunk_lookup, doc_lookup):
    from eval_fakes import make_answer

    from eval.harness import GoldItem, score_item

    item = GoldItem(id="q8", question="What about net zero?", must_mention=("net zero", "green plan"))
    filler = " ".join(["Plans should report on air quality."] * 20)  # 120 words
    late = make_answer(item.question, f"The green plan matters. {filler} Net zero by 2040.", retrieved=("c1",))
    result = score_item(item, late, chunk_lookup, doc_lookup)
    assert result.keypoint_coverage == 1.0
    assert result.lead_coverage == 0.5
    assert result.scores()["lead_coverage"] == 0.5
    abstained = make_answer(item.question, "I could not find this.", abstained=True, retrieved=("c1",))
    assert score_item(item, abstained, chunk_lookup, doc_lookup).lead_coverage == 0.0


def test_per_duty_breakdown(three_item_result):
    per_duty = three_item_result.summary()["per_duty"]
    assert per_duty["climate_change"] == {
        "n": 1, "hit_at_5": 1.0, "mrr": 0.5, "keypoint_coverage": 0.5, "abstention_accuracy": 1.0,
    }
    assert per_duty["financial"] == {
        "n": 1, "hit_at_5": 0.0, "mrr": 0.0, "keypoint_coverage": 0.0, "abstention_accuracy": 0.0,
    }
    assert set(per_duty) == {"climate_change", "financial"}


def test_per_kind_breakdown_uses_the_kind_field(three_item_result):
    per_kind = three_item_result.summary()["per_kind"]
    assert per_kind["duty"]["n"] == 2
    assert per_kind["out_of_scope"] == {
        "n": 1, "hit_at_5": None, "mrr": None, "keypoint_coverage": None, "abstention_accuracy": 1.0,
    }


def test_summary_is_json_serialisable(three_item_result):
    assert json.loads(json.dumps(three_item_result.summary())) == three_item_result.summary()


def test_figures_are_rounded_to_4_decimal_places(chunk_lookup, doc_lookup):
    item = GoldItem(id="r3", question="Q?", must_mention=("triple aim",))
    answer = make_answer("Q?", "I could not find this.", abstained=True, retrieved=("c1", "c4", "c5"))
    result = run_eval([item], lambda q, d: answer, chunk_lookup, doc_lookup, progress=False)
    assert result.summary()["retrieval"]["mrr"] == 0.3333


def test_rows_have_one_entry_per_item_with_id_scores_and_the_ask_object(three_item_result):
    rows = three_item_result.rows()
    assert [row["id"] for row in rows] == ["q1", "q2", "q3"]
    ask_keys = set(ANSWERS[GOLD_LINES[0]["question"]].to_json())
    for row in rows:
        assert ask_keys <= set(row)
        assert {"hit_at_5", "reciprocal_rank", "keypoint_coverage", "citation_validity", "faithfulness"} <= set(row)
    assert rows[0]["answer"] == ANSWERS[GOLD_LINES[0]["question"]].answer
    assert json.loads(json.dumps(rows)) == rows


def test_progress_bar_goes_to_stderr_and_can_be_turned_off(gold_file, fake_ask, chunk_lookup, doc_lookup, capsys):
    items = load_gold(gold_file)
    run_eval(items, fake_ask, chunk_lookup, doc_lookup, progress=False)
    assert capsys.readouterr() == ("", "")
    run_eval(items, fake_ask, chunk_lookup, doc_lookup, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "3/3" in err


def test_an_error_from_ask_names_the_gold_item(gold_file, chunk_lookup, doc_lookup):
    def failing_ask(question, duty):
        raise RuntimeError("index unavailable")

    with pytest.raises(RuntimeError) as info:
        run_eval(load_gold(gold_file), failing_ask, chunk_lookup, doc_lookup, progress=False)
    assert "gold item 'q1'" in " ".join(info.value.__notes__)
