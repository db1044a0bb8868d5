"""The CLI's contract and error paths, run as a user would: a real subprocess."""

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import jfp_env

JFP = [sys.executable, "-m", "assistant"]


def run(args, index_dir, **kw):
    return subprocess.run(JFP + ["--index", str(index_dir), *args], capture_output=True, text=True,
                          env=jfp_env(index_dir), stdin=subprocess.DEVNULL, timeout=600, **kw)


def test_duties_json_lists_all_ids_with_titles_and_basis(tmp_path):
    p = run(["duties", "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert len(rows) == 24
    assert all({"id", "title", "kind", "statutory_basis"} <= set(r) for r in rows)


def test_unknown_command_fails_with_usage_message(tmp_path):
    p = run(["frobnicate"], tmp_path)
    assert p.returncode != 0
    assert "No such command" in p.stderr


def test_unknown_duty_id_is_a_clear_json_error(tmp_path):
    p = run(["requirements", "net_zero", "--json"], tmp_path)
    assert p.returncode != 0
    err = json.loads(p.stdout)["error"]
    assert err["type"] == "unknown_duty"
    assert "jfp duties" in err["message"]
    assert "Traceback" not in p.stderr
    # the nearest duty is suggested, in the message and as a field a script can use
    assert err["suggestion"] == "climate_change" and "Did you mean 'climate_change'?" in err["message"]


def test_empty_question_is_an_error_with_a_message(tmp_path):
    p = run(["ask", "   ", "--json"], tmp_path)
    assert p.returncode != 0
    assert json.loads(p.stdout)["error"]["type"] == "invalid_input"
    assert "question" in p.stderr.lower()


def test_asking_an_empty_index_says_to_ingest_first(tmp_path):
    p = run(["ask", "What about climate change?", "--json"], tmp_path)
    assert p.returncode != 0
    assert "jfp ingest" in json.loads(p.stdout)["error"]["message"]


def test_every_command_has_help_with_an_example(tmp_path):
    for cmd in ["duties", "ingest", "sources", "remove", "ask", "requirements", "draft", "check", "eval", "ui"]:
        p = run([cmd, "--help"], tmp_path)
        assert p.returncode == 0, cmd
        assert "Example" in p.stdout, f"'jfp {cmd} --help' should show an example"


def test_eval_on_your_own_gold_set_reports_into_the_index_not_over_the_shipped_report(corpus_service, tmp_path):
    from assistant.commands.evaluation import SHIPPED_REPORT

    shipped = SHIPPED_REPORT.read_bytes()
    gold = tmp_path / "our-questions.jsonl"
    gold.write_text(json.dumps({"id": "q1", "question": "What must the plan say about climate change?",
                                "must_mention": ["climate change"]}) + "\n", encoding="utf-8")
    index_dir = corpus_service.settings.index_dir
    p = run(["eval", "--gold", str(gold)], index_dir)
    assert p.returncode == 0, p.stderr
    report = index_dir / "reports" / "our-questions.md"
    assert f"report: {report}" in p.stdout
    assert "our-questions.jsonl" in report.read_text(encoding="utf-8")
    assert SHIPPED_REPORT.read_bytes() == shipped


# --- export formats: one rule for jfp check and jfp draft (assistant/formats.py) --------------------
PLAN = ("# Our plan\n\n## Net zero\n\n=HYPERLINK(\"http://example.invalid\",\"x\") We will meet the Delivering a "
        "Net Zero NHS targets: net zero by 2040 for the emissions we control and by 2045 for those we can influence. "
        "Our Green Plan commits the ICB and its partner trusts to replace gas boilers with heat pumps, stop using "
        "desflurane, move patients to lower-carbon inhalers and switch the patient transport fleet to electric "
        "vehicles. Carbon emissions are reported to the board every quarter.\n")


def plan_file(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(PLAN, encoding="utf-8")
    return path


def refused(p) -> str:
    """The message of an input error reported as --json asks; checks it came before any slow work
    (the index in these tests is empty, so reaching it would be a different error)."""
    assert p.returncode == 2, p.stderr
    error = json.loads(p.stdout)["error"]
    assert error["type"] == "invalid_input", error
    assert "Traceback" not in p.stderr
    return error["message"]


def test_check_refuses_a_format_it_cannot_write(tmp_path):
    message = refused(run(["check", str(plan_file(tmp_path)), "--format", "xml", "--json"], tmp_path))
    assert "md, csv or docx" in message


def test_draft_refuses_a_format_it_cannot_write(tmp_path):
    message = refused(run(["draft", "research", "--format", "csv", "--json"], tmp_path))
    assert "md or docx" in message


def test_draft_will_not_write_markdown_into_a_pdf(tmp_path):
    message = refused(run(["draft", "research", "-o", str(tmp_path / "dr.pdf"), "--json"], tmp_path))
    assert ".pdf" in message and "Markdown (.md) or Word (.docx)" in message
    assert not (tmp_path / "dr.pdf").exists()


def test_check_will_not_write_a_file_jfp_cannot_make(tmp_path):
    for name in ("r.xlsx", "r.html"):
        message = refused(run(["check", str(plan_file(tmp_path)), "-o", str(tmp_path / name), "--json"], tmp_path))
        assert "Markdown (.md), a spreadsheet (.csv) or Word (.docx)" in message
        assert not (tmp_path / name).exists()


def test_check_format_that_disagrees_with_the_file_name_is_refused(tmp_path):
    p = run(["check", str(plan_file(tmp_path)), "--format", "csv", "-o", str(tmp_path / "r.docx"), "--json"], tmp_path)
    assert "--format csv but 'r.docx' ends in .docx: drop --format or change the file name" in refused(p)
    assert not (tmp_path / "r.docx").exists()


def test_draft_format_that_disagrees_with_the_file_name_is_refused(tmp_path):
    p = run(["draft", "research", "--format", "md", "-o", str(tmp_path / "d.docx"), "--json"], tmp_path)
    assert "--format md but 'd.docx' ends in .docx" in refused(p)


def test_check_word_report_with_no_file_asks_for_one(tmp_path):
    message = refused(run(["check", str(plan_file(tmp_path)), "--format", "docx", "--json"], tmp_path))
    assert "-o FILE.docx" in message


@pytest.mark.slow
def test_check_format_csv_with_no_file_prints_the_csv_report(corpus_service, tmp_path):
    p = run(["check", str(plan_file(tmp_path)), "--format", "csv"], corpus_service.settings.index_dir)
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) == 24 and rows[0]["duty_id"] == "health_services"


@pytest.mark.slow
def test_check_format_markdown_with_no_file_prints_the_markdown_report(corpus_service, tmp_path):
    p = run(["check", str(plan_file(tmp_path)), "--format", "Markdown"], corpus_service.settings.index_dir)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("# Coverage check: ") and "## Details" in p.stdout


@pytest.mark.slow
def test_check_csv_file_escapes_a_formula_quoted_from_the_plan(corpus_service, tmp_path):
    out = tmp_path / "report.csv"
    p = run(["check", str(plan_file(tmp_path)), "-o", str(out)], corpus_service.settings.index_dir)
    assert p.returncode == 0, p.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        climate = next(r for r in csv.DictReader(f) if r["duty_id"] == "climate_change")
    assert climate["evidence"].startswith('\'=HYPERLINK("http://example.invalid","x") We will meet')


@pytest.mark.slow
def test_check_file_with_no_suffix_is_written_as_format_says_or_as_markdown(corpus_service, tmp_path):
    plan, index_dir = str(plan_file(tmp_path)), corpus_service.settings.index_dir
    assert run(["check", plan, "--format", "csv", "-o", str(tmp_path / "as-csv")], index_dir).returncode == 0
    assert run(["check", plan, "-o", str(tmp_path / "as-md")], index_dir).returncode == 0
    assert (tmp_path / "as-csv").read_text(encoding="utf-8-sig").startswith("duty_id,title,")
    assert (tmp_path / "as-md").read_text(encoding="utf-8").startswith("# Coverage check: ")


@pytest.mark.slow
def test_check_json_is_unchanged_when_a_file_is_written_too(corpus_service, tmp_path):
    plan, index_dir, out = str(plan_file(tmp_path)), corpus_service.settings.index_dir, tmp_path / "r.csv"
    plain = run(["check", plan, "--json"], index_dir)
    p = run(["check", plan, "--format", "csv", "-o", str(out), "--json"], index_dir)
    assert p.returncode == plain.returncode == 0, p.stderr
    report = json.loads(p.stdout)  # the whole of stdout is the one JSON document
    assert report == json.loads(plain.stdout)
    assert {"plan", "duties"} <= set(report) and len(report["duties"]) == 24
    assert [r["duty_id"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))] == \
        [d["duty_id"] for d in report["duties"]]
