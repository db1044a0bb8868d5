"""The UI's pure parts, without a browser: safe upload names, escaping, login parsing, exposure."""

import pytest

from assistant import ui_format as fmt
from assistant.config import Settings
from assistant.errors import InputError
from assistant.ui import exposure_warning, parse_auth
from assistant.ui_callbacks import Callbacks
from assistant.ui_files import Outbox, portable_name, safe_name, store_upload


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("/abs/path/Plan 2025.PDF", "Plan 2025.pdf"),
    ("..", "upload"),
    (".hidden.md", "hidden.md"),
    ("naïve strategy<script>.docx", "naive strategy_script.docx"),
    ("", "upload"),
])
def test_safe_name_keeps_uploads_inside_their_folder(name, expected):
    assert safe_name(name) == expected


def test_store_upload_copies_into_the_folder_under_a_safe_name(tmp_path):
    src = tmp_path / "incoming"
    src.write_text("# Plan\n\nText.\n")
    dest = store_upload(src, "../../../escape.md", tmp_path / "uploads", max_mb=1)
    assert dest.parent == (tmp_path / "uploads").resolve()
    assert dest.name == "escape.md" and dest.read_text().startswith("# Plan")


def test_store_upload_refuses_other_types_and_oversized_files(tmp_path):
    src = tmp_path / "x"
    src.write_bytes(b"a" * 2048)
    with pytest.raises(InputError, match="only .pdf"):
        store_upload(src, "tool.exe", tmp_path / "uploads", max_mb=1)
    with pytest.raises(InputError, match="upload limit"):
        store_upload(src, "big.txt", tmp_path / "uploads", max_mb=0.001)


def test_document_text_is_escaped_never_live_html():
    evil = '<img src=x onerror="alert(1)"> <script>steal()</script>'
    cite = {"n": 1, "chunk_id": "c1", "title": evil, "source": "a.md", "page": 2, "section": evil, "quote": "steal()"}
    html = fmt.evidence_html(evil, False, [cite], {"c1": f"before {evil} after"})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>steal()</mark>" in html
    assert "<script>" not in fmt.answer_markdown(evil)
    assert "<img" not in fmt.highlight_placeholders(evil)


def test_a_citation_names_its_publisher_when_known_escaped():
    cite = {"n": 1, "chunk_id": "c1", "title": "Blog", "source": "b.md", "page": None, "section": "",
            "quote": "q", "publisher": "NHS Arden & GEM <CSU>"}
    html = fmt.citation_details(cite, "q")
    assert "<dt>Publisher</dt><dd>NHS Arden &amp; GEM &lt;CSU&gt;</dd>" in html
    assert "Publisher" not in fmt.citation_details({**cite, "publisher": ""}, "q")
    from assistant.types import DocumentRecord

    doc = DocumentRecord("d1", "Blog", "b.md", "commentary", None, 3, "h", publisher="NHS Arden & GEM")
    assert "NHS Arden &amp; GEM · b.md · id d1" in fmt.library_html([doc])
    assert "'jfp-small'>b.md · id d1" in fmt.library_html([DocumentRecord("d1", "Blog", "b.md", "commentary", None, 3, "h")])


def test_quote_is_highlighted_inside_its_surrounding_text():
    text = "The plan must be published by 30 June.  It must describe   the services the ICB will arrange."
    html = fmt.quote_in_context("It must describe the services", text)
    assert "<mark>It must describe   the services</mark>" in html
    assert html.index("published") < html.index("<mark>") < html.index("arrange")


def test_placeholders_are_highlighted_in_a_draft():
    md = fmt.draft_markdown({"text": "The lead is [TO CONFIRM: a named lead].", "placeholders": 1})
    assert '<mark class="jfp-placeholder">[TO CONFIRM: a named lead]</mark>' in md
    assert "1 placeholder" in md


def test_answer_export_has_the_answer_and_every_citation():
    cites = [{"n": 1, "title": "Guidance", "page": 4, "section": "Climate", "source": "g.pdf", "quote": "Plans must..."}]
    md = fmt.answer_export("Q?", "Answer [1]", False, cites)
    assert md.startswith("# Q?") and "Answer [1]" in md
    assert "[1] Guidance, page 4, Climate (g.pdf)" in md and "> Plans must..." in md


def test_auth_setting_parses_to_user_password_pairs():
    assert parse_auth(None) is None and parse_auth("  ") is None
    assert parse_auth("ann:pw1, bob:p:w2") == [("ann", "pw1"), ("bob", "p:w2")]
    with pytest.raises(InputError, match="JFP_UI_AUTH"):
        parse_auth("ann")


def test_listening_beyond_this_computer_without_login_is_warned():
    assert exposure_warning("127.0.0.1", None) is None
    assert exposure_warning("localhost", None) is None
    assert exposure_warning("0.0.0.0", [("a", "b")]) is None
    assert "JFP_UI_AUTH" in exposure_warning("0.0.0.0", None)


@pytest.mark.parametrize("name, expected", [
    ("Seaview ICB draft JFP 2025 (v0.3).md", "Seaview ICB draft JFP 2025 (v0.3).md"),
    ("Plan für Nord (Entwurf).docx", "Plan für Nord (Entwurf).docx"),
    ("../../etc/passwd", "passwd"),
    ("C:\\x\\plan.pdf", "plan.pdf"),
    ('a:b?"c".md', "a_b_c_.md"),
    ("..", "upload"),
    (".hidden.md", "hidden.md"),
])
def test_portable_name_keeps_the_persons_file_name_where_it_can(name, expected):
    assert portable_name(name) == expected


def test_a_plan_to_check_is_stored_under_its_own_name(tmp_path):
    src = tmp_path / "incoming"
    src.write_text("# Plan\n\nText.\n")
    dest = store_upload(src, "Seaview ICB draft JFP 2025 (v0.3).md", tmp_path / "plan", max_mb=1, keep_name=True)
    assert dest.name == "Seaview ICB draft JFP 2025 (v0.3).md" and dest.parent == (tmp_path / "plan").resolve()


def test_the_sources_heading_shortens_a_long_question():
    question = "What must the plan say about climate change? " + "And about net zero estates and travel? " * 60
    html = fmt.evidence_html(question, False, [], {})
    heading = html.split("<q>")[1].split("</q>")[0]
    assert len(heading) <= fmt.QUESTION_CHARS + 1 and heading.endswith("…")
    assert heading.startswith("What must the plan say about climate change?")
    assert "What must the plan say" in fmt.evidence_html("What must the plan say?", False, [], {})


def test_the_abstain_panel_leaves_out_the_bare_confidence_score():
    html = fmt.evidence_html("Who won?", True, [], {}, notices=("confidence 0.25 below 0.33",))
    assert "confidence" not in html and "0.33" not in html
    reason = "No indexed document mentions Wembley."
    assert reason in fmt.evidence_html("Who won at Wembley?", True, [], {}, notices=(reason,))


def test_command_line_advice_is_reworded_for_the_web():
    abstain = "If the answer should be there, add the document in the Library (or with `jfp ingest`) and ask again."
    assert fmt.for_the_web(abstain) == "If the answer should be there, add the document in the Library tab and ask again."
    empty = fmt.error_html("The index is empty. Run 'jfp ingest' first (no path ingests the shipped corpus).")
    assert "jfp ingest" not in empty and "Library tab" in empty
    gone = fmt.error_html("No document with id 'abc' is indexed. Run 'jfp sources' to see the ids.")
    assert "jfp sources" not in gone and "No document with id" in gone


def test_the_requirements_view_says_how_to_see_them_all_on_the_page():
    result = {"duty_id": "climate_change", "title": "Duty as to climate change", "more": 7,
              "requirements": [{"text": "Plans must cover net zero.", "strength": "must",
                                "citation": {"chunk_id": "c1", "title": "Guidance", "quote": "net zero"}}]}
    html = fmt.requirements_html(result, {})
    assert "7 more were found" in html and "jfp requirements" not in html and "--limit" not in html
    assert "Show all requirements" in html


def test_the_upload_summary_counts_only_files_really_added():
    assert fmt.upload_summary(["unchanged"]) == "No files added; 1 file was already there, unchanged."
    assert fmt.upload_summary(["added"]) == "1 file added to the library."
    assert fmt.upload_summary(["added", "updated", "unchanged", "unchanged", "not added"]) == (
        "2 files added to the library; 2 files were already there, unchanged; 1 file could not be added (see below).")


def test_plural_says_one_passage_and_two_passages():
    assert fmt.plural(1, "passage") == "1 passage" and fmt.plural(2, "passage") == "2 passages"


@pytest.mark.parametrize("call, downloads", [
    (lambda cb: cb.check(None), (1, 2, 3)),
    (lambda cb: cb.draft(""), (2, 3)),
])
def test_a_failed_check_or_draft_hides_its_downloads(tmp_path, call, downloads):
    cb = Callbacks(None, Settings(index_dir=tmp_path / "index"), Outbox())
    out = call(cb)
    assert "There is a problem" in out[1 if downloads == (2, 3) else 0]
    for i in downloads:
        assert isinstance(out[i], dict) and out[i].get("visible") is False and out[i].get("value") is None
