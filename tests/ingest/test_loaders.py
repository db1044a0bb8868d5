"""ingest.loaders: real files of each type in, passages (text, page, section, kind) out.

PDFs are written in the test by tests/helpers/pdfs.py (real content streams, read by pypdf), DOCX
files by python-docx, and the shipped seeds are read as they are.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import docx
import pytest

from assistant.errors import DocumentError
from assistant.types import LoadedDocument, Passage
from ingest.loaders import SUPPORTED_EXTENSIONS, load_document
from tests.helpers.pdfs import Line, encrypt_pdf, make_pdf

SEEDS = Path("/work/shared/seeds")
if not SEEDS.is_dir():  # a clone without the shared folder: the corpus holds the same texts
    SEEDS = Path(__file__).resolve().parents[2] / "corpus"
LSC_ANNEX = next(SEEDS.glob("003_*.txt"), None) or next(SEEDS.glob("lsc-*.txt"), None)
CIOS_PAPER = next(SEEDS.glob("004_*.txt"), None) or next(SEEDS.glob("cios-*.txt"), None)
NHSE_GUIDANCE = next(SEEDS.glob("000_*.txt"), None) or next(SEEDS.glob("nhse-*.txt"), None)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def by_kind(doc: LoadedDocument, kind: str) -> list[Passage]:
    return [p for p in doc.passages if p.kind == kind]


def error_for(path: Path, **kwargs) -> str:
    with pytest.raises(DocumentError) as info:
        load_document(path, **kwargs)
    message = info.value.message
    assert "\n" not in message, "a DocumentError message is one line"
    assert message.startswith("Could not read '"), message
    return message


def three_page_plan() -> bytes:
    """A 3-page plan: running header and "Page n of 3" footer on every page, a heading per page."""
    topics = [
        ("Introduction", "This plan sets out our priorities for the next five years and how"),
        ("Duty to reduce inequalities", "We will target the most deprived fifth of our population and"),
        ("Financial duties", "Expenditure will not exceed the sums we receive in the year, and"),
    ]
    pages = []
    for n, (heading, first_line) in enumerate(topics, start=1):
        pages.append(
            [
                Line("NHS Example ICB - Joint Forward Plan 2024", size=8),
                Line(f"{n}. {heading}", size=16, gap_before=12),
                Line(first_line, gap_before=8),
                f"we will deliver them with partners across the system (page {n} text).",
                Line(f"A second paragraph on the topic of {heading.lower()}.", gap_before=9),
                Line(f"Page {n} of 3", size=8, gap_before=300),
            ]
        )
    return make_pdf(pages, title="Example ICB Joint Forward Plan")


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_passages_carry_their_real_page_numbers(tmp_path):
    doc = load_document(write(tmp_path, "plan.pdf", three_page_plan()))
    assert doc.pages == 3
    pages_of = {p.text: p.page for p in doc.passages}
    assert pages_of["A second paragraph on the topic of introduction."] == 1
    assert pages_of["A second paragraph on the topic of duty to reduce inequalities."] == 2
    assert pages_of["A second paragraph on the topic of financial duties."] == 3


def test_pdf_repeated_header_and_page_footer_are_dropped(tmp_path):
    doc = load_document(write(tmp_path, "plan.pdf", three_page_plan()))
    texts = " ".join(p.text for p in doc.passages)
    assert "NHS Example ICB - Joint Forward Plan 2024" not in texts
    assert "of 3" not in texts


def test_pdf_wrapped_lines_of_a_paragraph_are_joined_in_order(tmp_path):
    doc = load_document(write(tmp_path, "plan.pdf", three_page_plan()))
    assert any(
        p.text == "This plan sets out our priorities for the next five years and how "
        "we will deliver them with partners across the system (page 1 text)."
        for p in doc.passages
    )


def test_a_sentence_cut_by_a_page_break_and_its_footnote_is_one_passage(tmp_path):
    pages = [
        [Line("Engagement", size=16),
         Line("Effective engagement is essential with local people, communities, and providers of", gap_before=8),
         "care and support across the system including the voluntary and community and social",
         Line("1 National Health Service Act 2006 (as amended by the Health and Care Act 2022).", gap_before=300)],
        ["enterprise sector, independent social care providers, and unpaid carers. We will report back.",
         Line("A second paragraph about engagement with carers.", gap_before=9)],
    ]
    doc = load_document(write(tmp_path, "paper.pdf", make_pdf(pages)))
    texts = [p.text for p in doc.passages]
    whole = ("Effective engagement is essential with local people, communities, and providers of care and support "
             "across the system including the voluntary and community and social enterprise sector, independent "
             "social care providers, and unpaid carers. We will report back.")
    assert whole in texts
    assert next(p.page for p in doc.passages if p.text == whole) == 1
    # the footnote is kept, after the sentence it interrupted; the rest follows in order
    assert texts.index(whole) < texts.index("1 National Health Service Act 2006 (as amended by the Health and Care Act "
                                            "2022).") < texts.index("A second paragraph about engagement with carers.")


def test_a_list_without_bullets_and_a_repeated_table_header_are_not_joined_to_what_follows(tmp_path):
    text = ("# Climate change\n\nThis could include setting out plans to:\n\n"
            "deliver against key national targets for the NHS Carbon Footprint\n\n"
            "engage and develop the system-wide workforce across health and care\n\n"
            "Legislative requirement Implications for the plan\n\nwork with system partners on travel\n\n"
            "Legislative requirement Implications for the plan\n\nembed net zero principles in clinical services\n")
    doc = load_document(write(tmp_path, "list.md", text))
    assert [p.text for p in doc.passages if p.kind != "heading"] == [
        "This could include setting out plans to:",
        "deliver against key national targets for the NHS Carbon Footprint",
        "engage and develop the system-wide workforce across health and care",
        "Legislative requirement Implications for the plan", "work with system partners on travel",
        "Legislative requirement Implications for the plan", "embed net zero principles in clinical services"]


def test_pdf_larger_font_lines_become_the_section_path(tmp_path):
    doc = load_document(write(tmp_path, "plan.pdf", three_page_plan()))
    second = next(p for p in doc.passages if p.text.startswith("A second paragraph on the topic of duty"))
    assert second.section == ("2. Duty to reduce inequalities",)
    assert [p.text for p in by_kind(doc, "heading")] == [
        "1. Introduction",
        "2. Duty to reduce inequalities",
        "3. Financial duties",
    ]


def test_pdf_heading_sizes_nest_into_levels(tmp_path):
    pdf = make_pdf(
        [
            [
                Line("Statutory duties", size=18),
                Line("Duty to promote integration", size=14, gap_before=10),
                Line("We will join up services around people.", gap_before=6),
                Line("Duty to improve quality", size=14, gap_before=10),
                Line("We will improve quality.", gap_before=6),
            ]
        ]
    )
    doc = load_document(write(tmp_path, "duties.pdf", pdf))
    quality = next(p for p in doc.passages if p.text == "We will improve quality.")
    assert quality.section == ("Statutory duties", "Duty to improve quality")


@pytest.mark.parametrize("one_block", [True, False], ids=["one-text-block", "block-per-cell"])
def test_pdf_table_row_stays_one_passage_with_cells_separated(tmp_path, one_block):
    pdf = make_pdf(
        [
            [
                Line("Legislative requirements", size=16),
                Line(cells=((72, "Requirement"), (300, "What the plan should include")), gap_before=10),
                Line(cells=((72, "Duty to reduce inequalities"), (300, "Set out how the ICB will reduce them"))),
                Line(cells=((72, "Financial duties"), (300, "Show that spending stays within limits"))),
            ]
        ],
        one_block=one_block,
    )
    doc = load_document(write(tmp_path, "table.pdf", pdf))
    rows = [p.text for p in by_kind(doc, "table_row")]
    assert "Duty to reduce inequalities | Set out how the ICB will reduce them" in rows
    assert "Financial duties | Show that spending stays within limits" in rows


def test_pdf_title_comes_from_metadata(tmp_path):
    doc = load_document(write(tmp_path, "plan.pdf", three_page_plan()))
    assert doc.title == "Example ICB Joint Forward Plan"


def test_pdf_encrypted_with_empty_user_password_is_read(tmp_path):
    data = encrypt_pdf(three_page_plan(), user_password="")
    doc = load_document(write(tmp_path, "open-but-encrypted.pdf", data))
    assert doc.pages == 3


def test_pdf_with_a_password_is_refused_with_what_to_do(tmp_path):
    data = encrypt_pdf(three_page_plan(), user_password="secret")
    message = error_for(write(tmp_path, "locked.pdf", data))
    assert "encrypted" in message
    assert "Save an unprotected copy and use that instead." in message


def test_truncated_pdf_is_refused_as_damaged(tmp_path):
    data = three_page_plan()
    message = error_for(write(tmp_path, "cut.pdf", data[: len(data) // 2]))
    assert "truncated or damaged" in message
    assert "fresh copy" in message


def test_pdf_with_garbage_after_the_header_is_refused_as_damaged(tmp_path):
    message = error_for(write(tmp_path, "junk.pdf", b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n"))
    assert "damaged" in message


def test_image_only_pdf_is_refused_as_a_scan_needing_ocr(tmp_path):
    data = make_pdf([[], []], image_only=True)
    message = error_for(write(tmp_path, "scan.pdf", data))
    assert "scanned PDF with no text layer: run OCR on it first" in message


def test_pdf_that_is_really_a_zip_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("plan.txt", "hello")
    message = error_for(write(tmp_path, "plan.pdf", buffer.getvalue()))
    assert "has a .pdf name but is a zip archive" in message
    assert "Unzip it" in message


def test_pdf_that_is_really_text_is_refused(tmp_path):
    message = error_for(write(tmp_path, "notes.pdf", "Just some notes, saved with the wrong name.\n"))
    assert "has a .pdf name but is plain text" in message


def test_pdf_that_is_really_a_docx_is_told_to_rename(tmp_path):
    path = tmp_path / "real.docx"
    document = docx.Document()
    document.add_paragraph("Hello.")
    document.save(path)
    message = error_for(write(tmp_path, "plan.pdf", path.read_bytes()))
    assert "is a Word .docx document" in message
    assert "Rename it to .docx" in message


# --- DOCX --------------------------------------------------------------------------------------


def make_docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "Example ICB plan"
    document.add_heading("Statutory duties", level=1)
    document.add_paragraph("How the plan meets each duty.")
    document.add_heading("Duty to reduce inequalities", level=2)
    document.add_paragraph("We will focus on Core20PLUS5.")
    document.add_paragraph("Targeted lung health checks", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Duty"
    table.cell(0, 1).text = "How the plan addresses it"
    table.cell(1, 0).text = "Duty to reduce inequalities"
    table.cell(1, 1).text = "Core20PLUS5 programme across all places"
    document.add_heading("Finance", level=1)
    document.add_paragraph("We will break even.")
    path = tmp_path / "plan.docx"
    document.save(path)
    return path


def test_docx_heading_styles_build_the_section_path(tmp_path):
    doc = load_document(make_docx(tmp_path))
    by_text = {p.text: p for p in doc.passages}
    assert by_text["We will focus on Core20PLUS5."].section == ("Statutory duties", "Duty to reduce inequalities")
    assert by_text["We will break even."].section == ("Finance",)
    assert doc.pages is None and all(p.page is None for p in doc.passages)


def test_docx_table_row_is_one_passage_with_cells_joined(tmp_path):
    doc = load_document(make_docx(tmp_path))
    rows = [p.text for p in by_kind(doc, "table_row")]
    assert rows == [
        "Duty | How the plan addresses it",
        "Duty to reduce inequalities | Core20PLUS5 programme across all places",
    ]


def test_docx_list_paragraph_is_a_list_item_and_title_comes_from_core_properties(tmp_path):
    doc = load_document(make_docx(tmp_path))
    assert [p.text for p in by_kind(doc, "list_item")] == ["Targeted lung health checks"]
    assert doc.title == "Example ICB plan"


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    message = error_for(write(tmp_path, "plan.docx", "This is plain text with a .docx name.\n"))
    assert "has a .docx name but is plain text" in message
    assert "save it as .docx again" in message


def test_docx_that_is_a_zip_without_a_document_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    message = error_for(write(tmp_path, "plan.docx", buffer.getvalue()))
    assert "has a .docx name but is a zip archive" in message


def test_docx_with_a_broken_document_part_is_refused(tmp_path):
    good = make_docx(tmp_path).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, body[:200] if item.filename == "word/document.xml" else body)
    message = error_for(write(tmp_path, "broken.docx", buffer.getvalue()))
    assert "not a valid .docx file" in message


def test_docx_with_no_text_is_refused(tmp_path):
    path = tmp_path / "empty.docx"
    docx.Document().save(path)
    assert "contains no text" in error_for(path)


# --- HTML --------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>ICB plan &amp; duties</title>
<style>body { color: red }</style><script>var tracking = 1;</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<h1>Our plan</h1><p>Intro text.</p>
<h2>Duty to reduce inequalities</h2>
<p>We   will reduce
   inequalities.</p>
<ul><li>Core20PLUS5</li><li>Health checks &amp; screening</li></ul>
<table><tr><th>Duty</th><th>Response</th></tr>
<tr><td>Duty to reduce inequalities</td><td><p>Core20PLUS5.</p><p>Targeted checks.</p></td></tr></table>
<h2>Finance</h2><div>Break even.</div>
</body></html>"""


def test_html_headings_build_the_section_path(tmp_path):
    doc = load_document(write(tmp_path, "plan.html", PAGE))
    by_text = {p.text: p for p in doc.passages}
    assert by_text["We will reduce inequalities."].section == ("Our plan", "Duty to reduce inequalities")
    assert by_text["Break even."].section == ("Our plan", "Finance")
    assert doc.title == "ICB plan & duties"


def test_html_list_items_and_table_rows(tmp_path):
    doc = load_document(write(tmp_path, "plan.htm", PAGE))
    assert [p.text for p in by_kind(doc, "list_item")] == ["Core20PLUS5", "Health checks & screening"]
    assert [p.text for p in by_kind(doc, "table_row")] == [
        "Duty | Response",
        "Duty to reduce inequalities | Core20PLUS5.\nTargeted checks.",
    ]


def test_html_script_style_and_nav_are_dropped(tmp_path):
    doc = load_document(write(tmp_path, "plan.html", PAGE))
    texts = " ".join(p.text for p in doc.passages)
    assert "tracking" not in texts and "color" not in texts and "About us" not in texts


def test_html_with_no_text_is_refused(tmp_path):
    message = error_for(write(tmp_path, "blank.html", "<html><body><script>x()</script></body></html>"))
    assert "contains no text" in message


# --- Markdown and text -------------------------------------------------------------------------

MARKDOWN = """# **Joint forward plan**

Intro paragraph that was
hard-wrapped over two lines.

## Duty to reduce inequalities

- Core20PLUS5
- Health checks

### Actions

1. Do the first thing.

# Finance

Break even.
"""


def test_markdown_hash_headings_build_the_section_path(tmp_path):
    doc = load_document(write(tmp_path, "plan.md", MARKDOWN))
    by_text = {p.text: p for p in doc.passages}
    assert by_text["1. Do the first thing."].section == (
        "Joint forward plan",
        "Duty to reduce inequalities",
        "Actions",
    )
    assert by_text["Break even."].section == ("Finance",)
    assert doc.title == "Joint forward plan"


def test_markdown_hard_wrapped_lines_join_and_bullets_become_list_items(tmp_path):
    doc = load_document(write(tmp_path, "plan.markdown", MARKDOWN))
    assert "Intro paragraph that was hard-wrapped over two lines." in [p.text for p in doc.passages]
    assert [p.text for p in by_kind(doc, "list_item")] == ["Core20PLUS5", "Health checks", "1. Do the first thing."]


def test_text_line_of_html_fragments_is_cleaned_into_separate_passages(tmp_path):
    line = "<p>First para &amp; more.</p> <ul><li>Item one</li><li>Item two</li></ul>\n"
    doc = load_document(write(tmp_path, "fragment.txt", line))
    assert [(p.kind, p.text) for p in doc.passages] == [
        ("paragraph", "First para & more."),
        ("list_item", "Item one"),
        ("list_item", "Item two"),
    ]


def test_tab_separated_row_with_html_cells_is_one_table_row(tmp_path):
    text = "# Annex\n\nDuty to reduce inequalities\t<p>Core20PLUS5.</p> <ul><li>(a) checks</li></ul>\n"
    doc = load_document(write(tmp_path, "annex.txt", text))
    assert [(p.kind, p.text) for p in by_kind(doc, "table_row")] == [
        ("table_row", "Duty to reduce inequalities | Core20PLUS5.\n(a) checks")
    ]


def test_tab_indented_plain_text_is_a_paragraph_not_a_table_row(tmp_path):
    doc = load_document(write(tmp_path, "notes.txt", "\tAn indented paragraph that\n\tcontinues here.\n"))
    assert [(p.kind, p.text) for p in doc.passages] == [("paragraph", "An indented paragraph that continues here.")]


def test_text_repeated_url_furniture_is_dropped_but_a_single_url_is_kept(tmp_path):
    furniture = "https://www.england.nhs.uk/long-read/guidance-on-developing-the-joint-forward-plan/"
    body = "\n\n".join(f"Paragraph {i} of the board paper.\n{furniture}" for i in range(4))
    doc = load_document(write(tmp_path, "paper.txt", body + "\n\nhttps://example.org/once\n"))
    texts = [p.text for p in doc.passages]
    assert furniture not in " ".join(texts)
    assert "https://example.org/once" in texts
    assert "Paragraph 3 of the board paper." in texts


def test_plain_text_numbered_headings_are_recognised_conservatively(tmp_path):
    text = (
        "1. Executive summary\n\nThe purpose of this paper is to update the board.\n\n"
        "Joint forward plan\n\nThe plan is due in June.\n\n"
        "2. Recommendations\n\nMembers are asked to note the plan.\n\n"
        "1. Note the timetable.\n"
    )
    doc = load_document(write(tmp_path, "paper.txt", text))
    by_text = {p.text: p for p in doc.passages}
    assert by_text["The plan is due in June."].section == ("1. Executive summary", "Joint forward plan")
    assert by_text["Members are asked to note the plan."].section == ("2. Recommendations",)
    assert by_text["1. Note the timetable."].kind == "list_item"


def test_cp1252_text_is_decoded(tmp_path):
    text = "The ICB’s plan – “draft” – costs £300m and includes café services.\n"
    doc = load_document(write(tmp_path, "legacy.txt", text.encode("cp1252")))
    assert doc.passages[0].text == text.strip()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_decoded_with_or_without_bom(tmp_path, encoding):
    text = "Duty to reduce inequalities – Core20PLUS5 £5.\n"
    doc = load_document(write(tmp_path, "wide.txt", text.encode(encoding)))
    assert doc.passages[0].text == text.strip()


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    doc = load_document(write(tmp_path, "bom.md", "\ufeff# Heading\n\nBody.\n".encode("utf-8")))
    assert doc.passages[0].text == "Heading"


def test_binary_junk_with_a_txt_name_is_refused(tmp_path):
    junk = bytes(range(256)) * 20
    message = error_for(write(tmp_path, "junk.txt", junk))
    assert "binary, not text" in message


def test_png_with_a_md_name_is_refused_as_an_image(tmp_path):
    message = error_for(write(tmp_path, "chart.md", b"\x89PNG\r\n\x1a\n" + os.urandom(200)))
    assert "has a .md name but is a PNG image" in message


def test_text_that_mentions_the_pdf_header_is_still_text(tmp_path):
    doc = load_document(write(tmp_path, "notes.md", "A PDF file starts with %PDF-1.7 and ends with %%EOF.\n"))
    assert doc.passages[0].text == "A PDF file starts with %PDF-1.7 and ends with %%EOF."


def test_whitespace_only_text_is_refused_as_having_no_text(tmp_path):
    assert "contains no text" in error_for(write(tmp_path, "blank.txt", "  \n\t\n   \n"))


# --- checks before any format ------------------------------------------------------------------


def test_missing_file_is_refused_with_its_path(tmp_path):
    message = error_for(tmp_path / "nowhere.pdf")
    assert "no such file" in message and "nowhere.pdf" in message


def test_directory_is_refused(tmp_path):
    message = error_for(tmp_path)
    assert "is a folder, not a file" in message


def test_zero_byte_file_is_refused(tmp_path):
    message = error_for(write(tmp_path, "empty.pdf", b""))
    assert "the file is empty (0 bytes)" in message


def test_file_over_the_size_limit_is_refused_with_sizes_and_setting(tmp_path):
    path = write(tmp_path, "big.txt", "word " * 300_000)  # about 1.4 MB
    message = error_for(path, max_file_mb=1)
    assert "is 1.4 MB, over the 1 MB limit (JFP_MAX_FILE_MB)" in message


def test_file_just_over_the_size_limit_never_reads_as_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:  # sparse: 105,000,000 bytes on paper, nothing on disk
        fh.truncate(105_000_000)
    message = error_for(path)  # the default limit, 100 MB of 1024 * 1024 bytes
    assert "is 100.1 MB, over the 100 MB limit (JFP_MAX_FILE_MB)" in message


def test_file_a_byte_over_the_size_limit_is_said_to_be_just_over(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        fh.truncate(1024 * 1024 + 1)
    message = error_for(path, max_file_mb=1)
    assert "it is just over the 1 MB limit (JFP_MAX_FILE_MB)" in message


def test_loader_messages_suit_check_as_well_as_ingest(tmp_path):
    """`jfp check` reads a plan with the same loader but never indexes it: no message may say ingest."""
    messages = [
        error_for(tmp_path),
        error_for(write(tmp_path, "empty.txt", b"")),
        error_for(write(tmp_path, "notes.rtf", b"{\\rtf1 hello}")),
        error_for(write(tmp_path, "plan.pdf", b"%PDF-1.7 broken")),
        error_for(write(tmp_path, "plan.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)),
        error_for(write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)),
    ]
    assert "Give the path of one file inside it." in messages[0]
    assert "then try again." in messages[1]
    for message in messages:
        assert "ingest" not in message, message


def test_unsupported_extension_lists_the_supported_types(tmp_path):
    message = error_for(write(tmp_path, "budget.xlsx", b"PK\x03\x04whatever"))
    assert "'.xlsx' files are not supported" in message
    for ext in (".pdf", ".docx", ".html", ".md", ".txt"):
        assert ext in message


def test_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", "text")
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root: make the read fail as it would for anyone else

        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", refuse)
    message = error_for(path)
    assert "permission denied" in message and "permissions" in message


# --- the record itself -------------------------------------------------------------------------


def test_record_has_hash_source_path_and_a_pretty_fallback_title(tmp_path):
    data = "Just a paragraph.\n"
    path = write(tmp_path, "board_paper-2023.txt", data)
    doc = load_document(path)
    assert doc.content_hash == hashlib.sha256(data.encode()).hexdigest()
    assert doc.source == "board_paper-2023.txt"
    assert doc.path == str(path.resolve())
    assert doc.title == "Board paper 2023"
    assert doc.pages is None


def test_title_argument_wins(tmp_path):
    doc = load_document(write(tmp_path, "plan.md", MARKDOWN), title="Given title")
    assert doc.title == "Given title"


def test_supported_extensions_are_listed():
    assert set(SUPPORTED_EXTENSIONS) == {".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt"}


# --- the shipped seeds -------------------------------------------------------------------------


@pytest.mark.skipif(LSC_ANNEX is None, reason="seed 003 not available")
def test_seed_003_inequalities_row_keeps_its_duty_key_with_the_whole_row():
    doc = load_document(LSC_ANNEX)
    row = next(p for p in doc.passages if p.text.startswith("Duty to reduce inequalities | "))
    assert row.kind == "table_row"
    assert "Core20+5" in row.text and "Oral health & Mental health." in row.text
    assert "<" not in row.text and "&amp;" not in row.text


@pytest.mark.skipif(LSC_ANNEX is None, reason="seed 003 not available")
def test_seed_003_html_fragments_become_clean_lines_and_split_rows_are_rejoined():
    doc = load_document(LSC_ANNEX)
    wider = next(p for p in doc.passages if p.text.startswith("Duty to have regard to wider effect of decisions | "))
    assert "\n(a) health and wellbeing of the people of England\n" in wider.text
    finance = next(p for p in doc.passages if p.text.startswith("Financial duties | "))
    assert finance.text.endswith("(strategic priority one).")  # the row's continuation on the next page
    assert not any(p.text.startswith("the core purpose") for p in doc.passages)
    assert all("<" not in p.text for p in doc.passages)


@pytest.mark.skipif(CIOS_PAPER is None, reason="seed 004 not available")
def test_seed_004_repeated_url_page_furniture_is_dropped():
    doc = load_document(CIOS_PAPER)
    url = "https://www.england.nhs.uk/long-read/guidance-on-developing-the-joint-forward-plan/"
    assert not any(url in p.text for p in doc.passages)
    assert any(
        p.section and p.section[0] == "Appendix 2: Joint Forward Plan legislative requirements" for p in doc.passages
    )


@pytest.mark.skipif(NHSE_GUIDANCE is None, reason="seed 000 not available")
def test_seed_000_duty_sections_come_from_markdown_headings():
    doc = load_document(NHSE_GUIDANCE)
    sections = {p.section for p in doc.passages}
    assert ("Duty to reduce inequalities",) in sections
    assert doc.title == "Guidance on development of the joint forward plan"
