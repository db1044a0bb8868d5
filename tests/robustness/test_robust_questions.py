"""Odd questions, unknown duty ids and a plan file that is not a plan: a clear message or a cited
answer (or an abstention), never a crash; the library answers as before afterwards."""

from __future__ import annotations

import json

import pytest

from assistant.citations import markers, quote_in_chunk
from assistant.errors import InputError, JfpError, UnknownDutyError
from tests.robustness.conftest import assert_index_intact, run_jfp

REFUSED = {
    "empty": "",
    "only spaces and newlines": "   \n\t  ",
    "100 KB long": "What must the plan say about climate change? " * 2300,
    "only punctuation": "?!?... ;:,-- !!! ???",
    "only control characters": "\x00\x01\x02\x1b\x7f\x08",
}
ANSWERED = {
    "Welsh": "Sut bydd partneriaid yn lleihau allyriadau carbon o adeiladau?",
    "French": "Comment les partenaires vont-ils réduire les émissions de carbone des bâtiments ?",
    "with control characters": "How will partners\x00 cut carbon\x1b[0m emissions\x07 from buildings?\r\n",
    "with markup": "<script>alert(1)</script> How will partners cut carbon emissions? [1] [99]",
    "one word": "carbon",
}


def _check_answer(svc, a) -> None:
    for c in a.citations:
        chunk = svc.manifest.chunk(c.chunk_id)
        assert chunk is not None and quote_in_chunk(c.quote, chunk.text)
    ns = {c.n for c in a.citations}
    assert set(markers(a.answer)) <= ns, f"markers {markers(a.answer)} but citations {sorted(ns)}"


@pytest.mark.parametrize("kind", list(REFUSED))
def test_unusable_question_gets_a_plain_message(library, kind):
    svc, before, _ = library
    with pytest.raises(InputError) as err:
        svc.ask(REFUSED[kind])
    message = err.value.message
    assert message and len(message) < 300 and "question" in message.lower()
    assert_index_intact(svc, before)


@pytest.mark.parametrize("kind", list(ANSWERED))
def test_odd_but_usable_question_is_answered_or_abstains_with_valid_citations(library, kind):
    svc, before, _ = library
    a = svc.ask(ANSWERED[kind])
    assert a.answer.strip()
    _check_answer(svc, a)
    assert "\x00" not in a.question and "\x1b" not in a.question
    assert_index_intact(svc, before)


# "CLIMATE CHANGE" is accepted (a duty id may be written with spaces, tests/assistant/test_duties.py)
@pytest.mark.parametrize("duty", ["not_a_duty", "CLIMATE CHANGE!!", "'; DROP TABLE chunks; --", "x" * 5000, ""])
def test_unknown_duty_id_is_refused_with_the_known_ids(library, duty):
    svc, before, _ = library
    with pytest.raises(UnknownDutyError) as err:
        svc.requirements(duty)
    assert "jfp duties" in err.value.message and "climate_change" in err.value.message
    if duty:
        with pytest.raises(UnknownDutyError):
            svc.ask("What about buildings?", duty=duty)
    assert_index_intact(svc, before)


def test_unknown_duty_for_draft_is_refused(library):
    svc, before, _ = library
    pytest.importorskip("assistant.draft", reason="assistant/draft.py is not built yet")
    with pytest.raises(UnknownDutyError):
        svc.draft("no_such_duty")
    assert_index_intact(svc, before)


@pytest.mark.parametrize("name", ["shopping-list.txt", "photo.png.pdf", "missing.md"])
def test_check_of_a_file_that_is_not_a_plan_gets_a_clear_message(library, tmp_path, name):
    svc, before, _ = library
    pytest.importorskip("assistant.coverage", reason="assistant/coverage.py (jfp check) is not built yet")
    f = tmp_path / name
    if name.endswith(".txt"):
        f.write_text("Eggs\nMilk\nBread\n", encoding="utf-8")
    elif name.endswith(".pdf"):
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    try:
        report = svc.check(f)
    except JfpError as exc:
        assert name.split(".")[0] in exc.message or "plan" in exc.message.lower()
    else:  # a list that is not a plan addresses no duty
        assert all(d.status == "missing" for d in report.duties)
    assert_index_intact(svc, before)


def test_cli_reports_an_empty_question_as_json_error_with_non_zero_exit(library):
    svc, before, base = library
    out = run_jfp(base / "index", "ask", "", "--json", timeout=120)
    assert out.returncode != 0
    err = json.loads(out.stdout)["error"]
    assert err["type"] == "invalid_input" and "question" in err["message"].lower()
    assert "Traceback" not in out.stderr


def test_cli_reports_an_unknown_duty_with_non_zero_exit(library):
    svc, before, base = library
    out = run_jfp(base / "index", "requirements", "no_such_duty", "--json", timeout=120)
    assert out.returncode != 0
    assert json.loads(out.stdout)["error"]["type"] == "unknown_duty"
    assert "Traceback" not in out.stderr
