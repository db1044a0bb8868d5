"""Coverage reports as Markdown, CSV and a Word RAG table: open them and read them back."""

from __future__ import annotations

import csv
import io

import docx
import pytest

from assistant.coverage import CoverageReport, CoverageRow, Evidence
from assistant.coverage_export import CSV_COLUMNS, DOCX_HEADER, RAG_FILL, infer_format, to_csv, to_markdown, write
from assistant.duties import all_duties
from assistant.errors import InputError
from assistant.types import Citation

STATUSES = ("addressed", "partial", "missing")


def report() -> CoverageReport:
    rows = []
    for i, d in enumerate(all_duties()):
        status = STATUSES[i % 3]
        evidence = () if status == "missing" else (
            Evidence(page=i + 1, section="Plan > Section | with a pipe", quote=f"We will act on {d.title.lower()}."),)
        guidance = (Citation(n=1, chunk_id=f"g:{i:05d}", doc_id="g", title="JFP guidance", source="guidance.txt",
                             page=None, section="Annex", quote=f"JFPs should set out {d.summary.lower()}"),)
        rows.append(CoverageRow(d.id, d.title, d.kind, status, 0.9 - 0.4 * (i % 3), evidence, guidance))
    return CoverageReport(plan="draft.pdf", title="Draft joint forward plan", duties=tuple(rows), pages=60)


def test_csv_has_one_row_per_duty():
    rows = list(csv.DictReader(io.StringIO(to_csv(report()))))
    assert len(rows) == len(all_duties()) == 24
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["duty_id"] for r in rows] == [d.id for d in all_duties()]
    assert {r["rag"] for r in rows} == {"Green", "Amber", "Red"}


def test_csv_file_opens_in_excel_as_utf8(tmp_path):
    path = write(report(), tmp_path / "coverage.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert "“" not in path.read_text(encoding="utf-8-sig").splitlines()[0]


def test_word_table_has_24_rows_and_a_header_with_rag_shading(tmp_path):
    path = write(report(), tmp_path / "coverage.docx")
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert len(table.rows) == 24 + 1
    assert [c.text for c in table.rows[0].cells] == list(DOCX_HEADER)
    for row, expected in zip(table.rows[1:], report().duties, strict=True):
        status_cell = row.cells[1]
        assert status_cell.text.lower() == expected.status
        fill = status_cell._tc.tcPr.find(docx.oxml.ns.qn("w:shd")).get(docx.oxml.ns.qn("w:fill"))
        assert fill == RAG_FILL[expected.status]
        assert row.cells[0].text.startswith(expected.title)
    assert {RAG_FILL[s] for s in STATUSES} == {"C6EFCE", "FFEB9C", "FFC7CE"}  # green, amber, red


def test_word_table_shows_evidence_and_guidance_quotes(tmp_path):
    doc = docx.Document(str(write(report(), tmp_path / "coverage.docx")))
    first = doc.tables[0].rows[1]
    assert "We will act on" in first.cells[3].text and "page 1" in first.cells[3].text
    assert "JFPs should set out" in first.cells[4].text and "JFP guidance" in first.cells[4].text
    missing = doc.tables[0].rows[3]
    assert missing.cells[3].text == "Nothing found in the plan."


def test_markdown_report_has_every_duty():
    md = to_markdown(report())
    for d in all_duties():
        assert f"| {d.title} |" in md
        assert f"### {d.title}:" in md
    assert md.count("\n| ") == 24 + 1  # header and one row per duty (the separator starts with "|-")
    assert "Section \\| with a pipe" in md  # a pipe in a section does not break the table


def test_format_comes_from_the_suffix_or_from_format_for_a_file_with_no_suffix(tmp_path):
    assert infer_format(tmp_path / "r.docx", None) == "docx"
    assert infer_format(tmp_path / "r.CSV", None) == "csv"
    assert infer_format(tmp_path / "report", "csv") == "csv"
    assert infer_format(tmp_path / "report", None) == "md"


def test_format_names_ignore_case_a_leading_dot_and_accept_markdown_and_word(tmp_path):
    assert [infer_format(None, f) for f in ("Markdown", ".CSV", " md ")] == ["md", "csv", "md"]
    assert infer_format(tmp_path / "r.docx", "Word") == "docx"


def test_a_suffix_jfp_cannot_write_is_refused_naming_the_formats_it_can(tmp_path):
    for name in ("r.pdf", "r.xlsx", "r.html", "r.txt"):
        with pytest.raises(InputError, match=r"Markdown \(\.md\), a spreadsheet \(\.csv\) or Word \(\.docx\)"):
            infer_format(tmp_path / name, None)


def test_format_that_disagrees_with_the_suffix_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"--format csv but 'r\.docx' ends in \.docx: drop --format"):
        infer_format(tmp_path / "r.docx", "csv")


def test_unknown_format_is_refused_naming_the_allowed_ones():
    with pytest.raises(InputError, match="Use --format md, csv or docx"):
        infer_format(None, "xml")


def test_word_report_with_no_file_asks_for_one():
    with pytest.raises(InputError, match=r"add -o FILE\.docx"):
        infer_format(None, "docx")


# --- CSV injection: plan and guidance text is someone else's, and a spreadsheet runs formulas -------
FORMULAS = ('=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTabbed")


def report_quoting(evidence: str, guidance: str, section: str = "Net zero") -> CoverageReport:
    base = report()
    first = base.duties[0]
    row = CoverageRow(first.duty_id, first.title, first.kind, "addressed", 0.9,
                      (Evidence(page=None, section=section, quote=evidence),),
                      (Citation(n=1, chunk_id="g:00001", doc_id="g", title="JFP guidance", source="guidance.txt",
                                page=None, section="", quote=guidance),))
    return CoverageReport(plan=base.plan, title=base.title, duties=(row, *base.duties[1:]), pages=base.pages)


def _first_row(text: str) -> dict[str, str]:
    return next(csv.DictReader(io.StringIO(text)))


def test_csv_cell_that_would_run_as_a_formula_starts_with_an_apostrophe():
    for formula in FORMULAS:
        row = _first_row(to_csv(report_quoting(f"{formula} We will reach net zero.", formula, section=formula)))
        assert row["evidence"] == f"'{formula} We will reach net zero.", formula
        assert row["evidence_where"] == f"'{formula}", formula
        assert row["guidance"] == f"'{formula}", formula
        assert row["guidance_sources"] == "JFP guidance"


def test_csv_cell_starting_with_a_carriage_return_starts_with_an_apostrophe():
    # read as raw text: Python's csv writer does not quote a lone \r, so no csv reader can read this row back
    assert ",'\rReturn," in to_csv(report_quoting("\rReturn", "JFPs should."))


def test_csv_file_read_back_has_the_hyperlink_escaped(tmp_path):
    path = write(report_quoting('=HYPERLINK("http://example.invalid","x") We will reach net zero.', "JFPs should."),
                 tmp_path / "coverage.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["evidence"] == '\'=HYPERLINK("http://example.invalid","x") We will reach net zero.'
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())


def test_csv_cells_that_are_not_formulas_are_unchanged():
    plain = report()
    rows = list(csv.DictReader(io.StringIO(to_csv(plain))))
    for row, r in zip(rows, plain.duties, strict=True):
        assert row["evidence"] == "\n".join(e.quote for e in r.evidence)
        assert row["guidance"] == "\n".join(c.quote for c in r.guidance)
        assert row["title"] == r.title and row["score"] == f"{r.score:.3f}"
    mid = _first_row(to_csv(report_quoting("We cut emissions by 10% - a third of the target = progress.", "A-B")))
    assert mid["evidence"] == "We cut emissions by 10% - a third of the target = progress."
    assert mid["guidance"] == "A-B"
