"""Word .docx (python-docx): paragraphs and tables in body order; Title/Heading N styles give sections."""

from __future__ import annotations

import io
import logging
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from assistant.types import Passage, PassageKind

from .common import LoadFailure, SectionPath, clean_inline, join_cells, make_passage

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


def load_docx(data: bytes) -> tuple[str | None, list[Passage]]:
    """Title and passages of a .docx file (no page numbers: Word decides pages when it renders)."""
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, KeyError, ValueError, XMLSyntaxError... all mean "broken"
        log.debug("python-docx could not open the file: %r", exc)
        raise LoadFailure(
            "it is not a valid .docx file (the Word document inside is damaged or missing)",
            "Open it in Word and save it as .docx again, or get a fresh copy.",
        ) from None

    section = SectionPath()
    passages: list[Passage] = []
    first_heading: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = clean_inline(block.text)
            if not text:
                continue
            level = _heading_level(block)
            if level is not None:
                path = section.enter(level, text)
                first_heading = first_heading or text
                passages.append(Passage(text=text, page=None, section=path, kind="heading"))
                continue
            passage = make_passage(text, None, section.path, _paragraph_kind(block))
        elif isinstance(block, Table):
            for row_text in _rows(block):
                passage = make_passage(row_text, None, section.path, "table_row")
                if passage:
                    passages.append(passage)
            continue
        else:
            continue
        if passage:
            passages.append(passage)

    title = clean_inline(document.core_properties.title or "") or first_heading
    return title or None, passages


def _style_name(paragraph: Paragraph) -> str:
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style id the styles part does not define
        return ""


def _heading_level(paragraph: Paragraph) -> int | None:
    """0 for Title, n for Heading n, None for body text."""
    name = _style_name(paragraph).strip()
    if name.lower() == "title":
        return 0
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else None


def _paragraph_kind(paragraph: Paragraph) -> PassageKind:
    p_pr = paragraph._p.pPr
    numbered = p_pr is not None and p_pr.numPr is not None
    return "list_item" if numbered or "list" in _style_name(paragraph).lower() else "paragraph"


def _rows(table: Table) -> list[str]:
    """One string per row, cells joined with " | "; a merged cell is read once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(p.text for p in cell.paragraphs))
        text = join_cells(cells)
        if text:
            rows.append(text)
    return rows
