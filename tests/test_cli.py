"""The CLI's contract and error paths, run as a user would: a real subprocess."""

import json
import subprocess
import sys

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
