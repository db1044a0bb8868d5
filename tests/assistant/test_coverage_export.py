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


def test_format_comes_from_the_suffix_unless_given(tmp_path):
    assert infer_format(tmp_path / "r.docx", None) == "docx"
    assert infer_format(tmp_path / "r.txt", "csv") == "csv"
    with pytest.raises(InputError, match="md, csv or docx"):
        infer_format(tmp_path / "r.pdf", None)
