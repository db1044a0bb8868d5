"""Usage errors, help text and bad paths, run as a user would: a real subprocess (see tests/test_cli.py)."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import jfp_env

JFP = [sys.executable, "-m", "assistant"]
WIDE = {"COLUMNS": "200"}  # help lines unwrapped, so a phrase is never split across two


def run(args, index_dir, env=None):
    return subprocess.run(JFP + list(args), capture_output=True, text=True, env={**jfp_env(index_dir), **(env or {})},
                          stdin=subprocess.DEVNULL, timeout=600)


def usage_error(p):
    assert p.returncode == 2, p.stderr
    assert p.stdout.count("\n") == 1, "one JSON document on stdout"
    error = json.loads(p.stdout)["error"]
    assert error["type"] == "usage"
    assert error["message"][:20] in p.stderr, "the same error is shown on stderr"
    return error["message"]


def test_missing_argument_with_json_is_a_usage_error_on_stdout_too(tmp_path):
    p = run(["ask", "--json"], tmp_path)
    assert usage_error(p) == "Missing argument 'question'."
    assert "ask [OPTIONS]" in p.stderr  # the usage line, as without --json


def test_bad_option_value_with_json_is_a_usage_error_on_stdout_too(tmp_path):
    message = usage_error(run(["ask", "x", "--k", "abc", "--json"], tmp_path))
    assert "Invalid value for '--k'" in message


def test_unknown_command_with_json_is_a_usage_error_on_stdout_too(tmp_path):
    assert usage_error(run(["bogus", "--json"], tmp_path)) == "No such command 'bogus'."


def test_the_installed_jfp_script_reports_usage_errors_as_json(tmp_path):
    script = Path(sys.executable).with_name("jfp")  # pyproject's [project.scripts] entry point
    p = subprocess.run([str(script), "ask", "--json"], capture_output=True, text=True, env=jfp_env(tmp_path),
                       stdin=subprocess.DEVNULL, timeout=600)
    assert usage_error(p) == "Missing argument 'question'."


def test_usage_error_without_json_leaves_stdout_empty(tmp_path):
    p = run(["ask"], tmp_path)
    assert p.returncode == 2
    assert p.stdout == ""
    assert "Missing argument 'question'." in p.stderr


def test_help_with_json_still_prints_help_and_succeeds(tmp_path):
    p = run(["ask", "--help", "--json"], tmp_path, WIDE)
    assert p.returncode == 0, p.stderr
    assert "ask [OPTIONS]" in p.stdout and "Example" in p.stdout


def test_a_command_failing_with_json_keeps_its_own_exit_status_and_error(tmp_path):
    p = run(["ask", "   ", "--json"], tmp_path)
    assert p.returncode == 2  # InputError's status, passed through typer.Exit
    assert json.loads(p.stdout)["error"]["type"] == "invalid_input"


def test_a_command_succeeding_with_json_exits_zero(tmp_path):
    p = run(["duties", "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)) == 24


def test_eval_help_shows_the_report_path_in_full(tmp_path):
    p = run(["eval", "--help"], tmp_path, WIDE)
    assert p.returncode == 0, p.stderr
    assert "reports/GOLD.md in the index folder" in p.stdout
    assert "/reports/.md" not in p.stdout


def test_help_shows_flags_without_a_value_and_options_with_their_type(tmp_path):
    p = run(["ask", "--help"], tmp_path, WIDE)
    assert p.returncode == 0, p.stderr
    assert "<bool>" not in p.stdout
    json_row = next(line for line in p.stdout.splitlines() if "--json" in line)
    assert json_row.split("--json", 1)[1].split()[0] == "Print"  # the help text follows the flag directly
    assert "<int>" in next(line for line in p.stdout.splitlines() if "--k " in line)


def test_index_that_is_a_file_is_a_plain_input_error(tmp_path):
    index_file = tmp_path / "somefile"
    index_file.write_text("not an index")
    p = run(["--index", str(index_file), "ask", "x", "--json"], tmp_path / "unused")
    assert p.returncode == 2, p.stderr
    error = json.loads(p.stdout)["error"]
    assert error["type"] == "invalid_input"
    assert f"must be a folder; '{index_file}' is a file." in error["message"]
    assert "internal_error" not in p.stdout and "report it" not in p.stderr


def test_index_dir_variable_that_is_a_file_is_a_plain_input_error(tmp_path):
    index_file = tmp_path / "somefile"
    index_file.write_text("not an index")
    p = run(["sources", "--json"], index_file)  # JFP_INDEX_DIR only
    assert p.returncode == 2, p.stderr
    assert f"JFP_INDEX_DIR) must be a folder; '{index_file}' is a file." in json.loads(p.stdout)["error"]["message"]


def test_index_inside_a_file_names_the_file(tmp_path):
    index_file = tmp_path / "somefile"
    index_file.write_text("not an index")
    p = run(["--index", str(index_file / "index"), "sources", "--json"], tmp_path / "unused")
    assert p.returncode == 2, p.stderr
    assert f"'{index_file}' is a file." in json.loads(p.stdout)["error"]["message"]


def test_check_on_an_empty_file_says_try_again_not_ingest(tmp_path):
    plan = tmp_path / "empty.txt"
    plan.write_bytes(b"")
    p = run(["check", str(plan), "--json"], tmp_path / "index")
    assert p.returncode != 0
    message = json.loads(p.stdout)["error"]["message"]
    assert message.endswith("then try again.") and "ingest" not in message


def test_check_on_a_folder_asks_for_one_file_inside_it(tmp_path):
    p = run(["check", str(tmp_path), "--json"], tmp_path / "index")
    assert p.returncode != 0
    message = json.loads(p.stdout)["error"]["message"]
    assert "Give the path of one file inside it." in message and "ingest" not in message


def test_check_of_a_file_just_over_the_size_limit_never_reads_as_the_limit(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: 105,000,000 bytes on paper, nothing on disk
        fh.truncate(105_000_000)
    p = run(["check", str(big), "--json"], tmp_path / "index")
    assert p.returncode != 0
    assert "is 100.1 MB, over the 100 MB limit" in json.loads(p.stdout)["error"]["message"]
