"""Coverage reports as Markdown, CSV and a Word RAG table.

All three carry one row per duty and content area, in registry order: status, score, the best
evidence from the plan (quote, page, section) and what the guidance asks for (quote and source).
The Word table shades each status cell red (missing), amber (partial) or green (addressed) and also
writes the status in words, so the table reads the same in black and white or to a screen reader.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from assistant.citations import collapse
from assistant.coverage import CoverageReport, CoverageRow, Evidence
from assistant.errors import InputError
from assistant.formats import choose_format
from assistant.types import Citation

STATUS_WORDS = {"addressed": "Addressed", "partial": "Partial", "missing": "Missing"}
RAG = {"addressed": "Green", "partial": "Amber", "missing": "Red"}
# fills a reader can print and still read black text on (Excel's conditional-format colours)
RAG_FILL = {"addressed": "C6EFCE", "partial": "FFEB9C", "missing": "FFC7CE"}
FORMATS = ("md", "csv", "docx")


def where(e: Evidence) -> str:
    parts = [f"page {e.page}" if e.page else "", e.section]
    return ", ".join(p for p in parts if p)


def source_label(c: Citation) -> str:
    return ", ".join(p for p in (c.title, f"page {c.page}" if c.page else "", c.section) if p)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# --- Markdown --------------------------------------------------------------------------------------
def to_markdown(report: CoverageReport) -> str:
    counts = report.counts()
    lines = [f"# Coverage check: {report.title or report.plan}", "",
             f"Plan file: `{report.plan}`. {len(report.duties)} statutory duties and content areas checked: "
             f"{counts['addressed']} addressed, {counts['partial']} partial, {counts['missing']} missing.", "",
             "| Duty or content area | Kind | Status | Score | Best evidence in the plan |",
             "|---|---|---|---|---|"]
    for r in report.duties:
        best = f"“{_cell(r.evidence[0].quote)}” ({_cell(where(r.evidence[0]))})" if r.evidence else "Nothing found"
        lines.append(f"| {_cell(r.title)} | {_kind(r)} | {RAG[r.status]}: {STATUS_WORDS[r.status]} | "
                     f"{r.score:.2f} | {best} |")
    lines += ["", "## Details", ""]
    for r in report.duties:
        lines += [f"### {r.title}: {STATUS_WORDS[r.status].lower()}", ""]
        if r.evidence:
            lines += ["What the plan says:", ""]
            lines += [f"- “{e.quote}” ({where(e) or 'no page or section'})" for e in r.evidence]
        else:
            lines.append("The plan says nothing that addresses this.")
        lines.append("")
        if r.guidance:
            lines += ["What the guidance asks for:", ""]
            lines += [f"- “{collapse(c.quote)}” ({source_label(c)})" for c in r.guidance]
            lines.append("")
    return "\n".join(lines)


def _kind(r: CoverageRow) -> str:
    return "statutory duty" if r.kind == "duty" else "content area"


# --- CSV -------------------------------------------------------------------------------------------
CSV_COLUMNS = ("duty_id", "title", "kind", "status", "rag", "score", "evidence", "evidence_where", "guidance",
               "guidance_sources")


# a cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would run it as a formula (OWASP's advice
    on CSV injection): the plan and the guidance are someone else's text. Other text is unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(report: CoverageReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in report.duties:
        texts = ("\n".join(e.quote for e in r.evidence), "\n".join(where(e) for e in r.evidence),
                 "\n".join(c.quote for c in r.guidance), "\n".join(source_label(c) for c in r.guidance))
        # every text cell is made safe; the score is a number we format, so a negative one stays a number
        w.writerow([*map(csv_safe, (r.duty_id, r.title, r.kind, r.status, RAG[r.status])), f"{r.score:.3f}",
                    *map(csv_safe, texts)])
    return buf.getvalue()


# --- Word ------------------------------------------------------------------------------------------
DOCX_HEADER = ("Duty or content area", "Status", "Score", "Evidence in the plan", "What the guidance asks for")


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _lines(cell, lines: Sequence[tuple[str, str]], empty: str) -> None:
    """Quote and source pairs as paragraphs in one cell: the quote, then its source in small type."""
    from docx.shared import Pt

    para = cell.paragraphs[0]
    if not lines:
        para.add_run(empty).italic = True
        return
    for i, (quote, source) in enumerate(lines):
        if i:
            para = cell.add_paragraph()
        para.add_run(f"“{quote}”")
        if source:
            small = para.add_run(f" ({source})")
            small.font.size = Pt(8)


def to_docx(report: CoverageReport):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.core_properties.title = f"Coverage check: {report.title or report.plan}"
    doc.add_heading(f"Coverage check: {report.title or report.plan}", level=1)
    counts = report.counts()
    doc.add_paragraph(f"Plan file: {report.plan}. {len(report.duties)} statutory duties and content areas checked: "
                      f"{counts['addressed']} addressed (green), {counts['partial']} partial (amber), "
                      f"{counts['missing']} missing (red).")
    table = doc.add_table(rows=1 + len(report.duties), cols=len(DOCX_HEADER))
    table.style = "Table Grid"
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, DOCX_HEADER, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row, r in zip(table.rows[1:], report.duties, strict=True):
        name, status, score, evidence, guidance = row.cells
        name.paragraphs[0].add_run(r.title).bold = True
        name.add_paragraph(_kind(r)).runs[0].font.size = Pt(8)
        status.paragraphs[0].add_run(STATUS_WORDS[r.status]).bold = True
        _shade(status, RAG_FILL[r.status])
        score.paragraphs[0].add_run(f"{r.score:.2f}")
        _lines(evidence, [(e.quote, where(e)) for e in r.evidence], "Nothing found in the plan.")
        _lines(guidance, [(collapse(c.quote), source_label(c)) for c in r.guidance], "")
    widths = (Cm(4.5), Cm(2.2), Cm(1.5), Cm(9.0), Cm(9.0))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return doc


# --- files -----------------------------------------------------------------------------------------
def infer_format(path: Path | None, fmt: str | None) -> str:
    """The export format, by the one rule of ``assistant.formats.choose_format``: ``fmt`` and the file's
    suffix must agree, either alone will do, and with neither it is Markdown."""
    return choose_format(path, fmt, FORMATS, "md", what="a coverage report")


def write(report: CoverageReport, path: Path, fmt: str | None = None) -> Path:
    path = Path(path)
    chosen = infer_format(path, fmt)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if chosen == "docx":
            to_docx(report).save(str(path))
        elif chosen == "csv":
            path.write_text(to_csv(report), encoding="utf-8-sig")  # with a BOM so Excel reads UTF-8
        else:
            path.write_text(to_markdown(report), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Could not write '{path}': {exc.strerror or exc}. Choose another file name or folder.") from exc
    return path


def write_markdown(report: CoverageReport, path: Path) -> Path:
    return write(report, path, "md")


def write_csv(report: CoverageReport, path: Path) -> Path:
    return write(report, path, "csv")


def write_docx(report: CoverageReport, path: Path) -> Path:
    return write(report, path, "docx")
