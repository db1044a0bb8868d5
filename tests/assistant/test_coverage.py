"""The coverage check (`jfp check`) with the real model and the shipped corpus."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from assistant.coverage import analyse_plan, check_plan
from assistant.duties import all_duties
from assistant.errors import DocumentError
from tests.conftest import jfp_env
from tests.helpers.pdfs import Line, make_pdf

CLIMATE = ("We will meet the Delivering a Net Zero NHS targets: net zero by 2040 for the emissions we control "
           "and by 2045 for those we can influence. Our Green Plan commits the ICB and its partner trusts to "
           "replace gas boilers with heat pumps, stop using desflurane, move patients to lower-carbon inhalers "
           "and switch the patient transport fleet to electric vehicles. Carbon emissions are reported to the "
           "board every quarter.")
WORKFORCE = ("One in ten nursing posts is vacant. Our workforce plan sets out how we will recruit, retain and "
             "redeploy staff as one workforce across health and social care, with a shared bank, rotational posts "
             "and flexible working, so that we rely far less on agency staff.")


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def coverage_result(corpus_service):
    from eval.coverage_eval import evaluate, print_table

    result = evaluate(corpus_service)
    print_table(result)  # shown with -s; the figures are also in the assertion messages
    return result


def test_labelled_plans_meet_the_targets(coverage_result):
    overall = coverage_result["overall"]["all"]
    figures = json.dumps(coverage_result["overall"], indent=1)
    assert overall["omitted_safety"] == 1.0, f"an omitted duty was reported addressed: {figures}"
    assert overall["addressed_recall"] >= 0.9, f"addressed recall below 90%: {figures}"


def test_held_out_plans_meet_the_targets_too(coverage_result):
    held = coverage_result["overall"]["heldout"]
    assert held["n"] > 0
    assert held["omitted_safety"] == 1.0 and held["addressed_recall"] >= 0.9, held


def test_duty_merely_named_in_a_list_is_not_addressed(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", "# Our plan\n\n## Priorities\n\nWe have regard to: integration, quality, "
                 f"research, innovation and patient choice.\n\n## Net zero\n\n{CLIMATE}\n\n## Our staff\n\n{WORKFORCE}\n")
    report = check_plan(corpus_service, plan)
    for duty_id in ("integration", "quality", "research", "innovation", "patient_choice"):
        assert report.row(duty_id).status != "addressed", report.row(duty_id)
    assert report.row("climate_change").status == "addressed"


def test_duty_addressed_under_an_unrelated_heading_counts(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Our plan\n\n## Our buildings and places\n\n{CLIMATE}\n")
    analysis = analyse_plan(corpus_service, plan)
    assert "climate_change" not in analysis.headed  # no heading names it
    row = analysis.report.row("climate_change")
    assert row.status == "addressed"
    assert row.evidence and row.evidence[0].section.endswith("Our buildings and places")


def test_heading_with_one_vague_sentence_is_partial(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Our plan\n\n## Net zero\n\n{CLIMATE}\n\n## Research\n\n"
                 "We value research and will do more of it.\n")
    row = check_plan(corpus_service, plan).row("research")
    assert row.status == "partial"
    assert row.evidence[0].quote == "We value research and will do more of it."


VAGUE_RESEARCH = "## Research\n\nWe value research and will do more of it.\n"


def test_a_plan_of_one_vague_sentence_does_not_address_the_duty(corpus_service, tmp_path):
    """A lone sentence has nothing to stand out against: it scores as it would beside other sections
    (partial for its heading), not addressed because the plan is short."""
    alone = check_plan(corpus_service, write(tmp_path, "alone.md", f"# Plan\n\n{VAGUE_RESEARCH}")).row("research")
    beside = check_plan(corpus_service, write(tmp_path, "beside.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n\n"
                                              f"## Our staff\n\n{WORKFORCE}\n\n{VAGUE_RESEARCH}")).row("research")
    assert alone.status == beside.status == "partial", (alone, beside)
    assert alone.score == pytest.approx(beside.score, abs=0.1)


def test_a_finance_heading_names_the_financial_duty_and_gives_its_evidence(corpus_service, tmp_path):
    finance = ("We will deliver a balanced financial position across the system each year, and our medium-term "
               "financial plan shows how the ICB and its partner trusts will live within the capital and revenue "
               "resource limits.")
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\nThe Chief Finance Officer is the board's net zero "
                 f"lead and reports spending on the Green Plan to the finance committee. {CLIMATE}\n\n"
                 f"## Finance\n\n{finance}\n")
    analysis = analyse_plan(corpus_service, plan)
    assert "financial" in analysis.headed
    row = analysis.report.row("financial")
    assert row.status != "missing"
    assert row.evidence and all(e.section.endswith("Finance") for e in row.evidence), row.evidence


def test_the_guidance_column_lists_the_duty_s_own_requirements_without_bare_lead_ins(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n")
    report = check_plan(corpus_service, plan)
    for duty_id in ("climate_change", "research", "financial"):
        own = {(r.citation.chunk_id, r.citation.quote) for r in corpus_service.requirements(duty_id, limit=200).requirements}
        for c in report.row(duty_id).guidance:
            assert (c.chunk_id, c.quote) in own, (duty_id, c.quote)
            assert not c.quote.rstrip().endswith(":"), (duty_id, c.quote)


def test_check_leaves_the_shared_index_unchanged(corpus_service, tmp_path):
    before = [(d.doc_id, d.chunks) for d in corpus_service.sources()]
    count = corpus_service.index.count()
    plan = write(tmp_path, "draft.md", f"# Draft plan\n\n## Net zero\n\n{CLIMATE}\n")
    check_plan(corpus_service, plan)
    assert [(d.doc_id, d.chunks) for d in corpus_service.sources()] == before
    assert corpus_service.index.count() == count


def test_evidence_is_quoted_verbatim_with_its_page(corpus_service, tmp_path):
    pages = [[Line("Our plan", size=16), Line("Introduction", size=14), "This plan covers five years."],
             [Line("Our buildings", size=14), *textwrap.wrap(CLIMATE, 90)]]
    path = tmp_path / "plan.pdf"
    path.write_bytes(make_pdf(pages))
    row = check_plan(corpus_service, path).row("climate_change")
    assert row.status == "addressed"
    for e in row.evidence:
        assert e.page == 2
        assert " ".join(e.quote.split()) in " ".join(CLIMATE.split())


def test_every_row_cites_what_the_guidance_asks(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n")
    report = check_plan(corpus_service, plan)
    kinds = {d.doc_id: d.kind for d in corpus_service.sources()}
    assert [r.duty_id for r in report.duties] == [d.id for d in all_duties()]
    for row in report.duties:
        assert row.guidance, row.duty_id
        for c in row.guidance:
            assert kinds[c.doc_id] != "icb_plan"  # another ICB's plan is not guidance
            assert " ".join(c.quote.split()) in " ".join(corpus_service.chunk_text(c.chunk_id).split())


def test_report_json_follows_the_contract(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n")
    data = json.loads(json.dumps(check_plan(corpus_service, plan).to_json()))
    assert data["plan"] == "plan.md"
    assert len(data["duties"]) == len(all_duties())
    for d in data["duties"]:
        assert {"duty_id", "title", "kind", "status", "score", "evidence", "guidance"} <= set(d)
        assert d["status"] in {"addressed", "partial", "missing"}
        assert 0.0 <= d["score"] <= 1.0
        assert all({"page", "section", "quote"} <= set(e) for e in d["evidence"])
        assert all({"n", "chunk_id", "doc_id", "title", "source", "page", "section", "quote"} <= set(c)
                   for c in d["guidance"])


def test_plan_with_no_sentences_is_a_clear_error(corpus_service, tmp_path):
    plan = write(tmp_path, "contents.md", "# Contents\n\n## Introduction\n\n## Finance\n\n- Workforce\n- Estates\n")
    with pytest.raises(DocumentError, match="no sentences to check"):
        check_plan(corpus_service, plan)


# --- the command line, as a user runs it ---------------------------------------------------------
def jfp(index_dir, *args):
    return subprocess.run([sys.executable, "-m", "assistant", "--index", str(index_dir), *args], capture_output=True,
                          text=True, env=jfp_env(index_dir), stdin=subprocess.DEVNULL, timeout=600)


def test_cli_check_json_reports_every_duty(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n")
    check_plan(corpus_service, plan)  # builds the guidance cache the subprocess then reads
    p = jfp(corpus_service.settings.index_dir, "check", str(plan), "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["plan"] == "plan.md"
    assert {d["duty_id"]: d["status"] for d in data["duties"]}["climate_change"] == "addressed"


def test_cli_check_writes_the_chosen_format(corpus_service, tmp_path):
    plan = write(tmp_path, "plan.md", f"# Plan\n\n## Net zero\n\n{CLIMATE}\n")
    p = jfp(corpus_service.settings.index_dir, "check", str(plan), "-o", str(tmp_path / "coverage.csv"))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "coverage.csv").read_text(encoding="utf-8-sig").startswith("duty_id,")
    assert "Wrote" in p.stdout


def test_cli_check_of_a_bad_file_is_a_plain_json_error(corpus_service, tmp_path):
    bad = tmp_path / "plan.pdf"
    bad.write_text("not a pdf at all", encoding="utf-8")
    p = jfp(corpus_service.settings.index_dir, "check", str(bad), "--json")
    assert p.returncode != 0
    err = json.loads(p.stdout)["error"]
    assert err["type"] == "document_error"
    assert "plan.pdf" in err["message"]
    assert "Traceback" not in p.stderr
