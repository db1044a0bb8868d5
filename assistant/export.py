"""Drafts as Markdown and as Word documents (python-docx).

Word output uses the built-in Heading styles, so a board paper template's styles apply; each
``[TO CONFIRM: ...]`` placeholder is highlighted in yellow; citation markers are superscript
``[n]`` and each draft ends with a Sources list (number, document, page, section, quote).
python-docx has no footnote support and no maintained add-on for it is installed, so citations are
markers plus a Sources list rather than Word footnotes.

The helpers (``add_heading``, ``add_rich_paragraph``, ``add_table``, ``add_sources``,
``add_contents``) are meant for any Word export in the project, e.g. a coverage report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from assistant.citations import collapse
from assistant.draft import Draft, Plan, phrases
from assistant.errors import InputError
from assistant.types import Citation

# placeholders, citation markers, **bold**, *italic*, [link text](target)
_INLINE = re.compile(r"(\[TO CONFIRM:[^\]]*\])|\[(\d+)\]|\*\*(.+?)\*\*|\*(.+?)\*|\[([^\]]+)\]\([^)]*\)")
_BULLET = re.compile(r"^[-*•]\s+")
_SUB_BULLET = re.compile(r"^\s{2,}[-*•]\s+")


# --- Markdown --------------------------------------------------------------------------------------
def citation_line(c: Citation) -> str:
    """'[3] Title, page 4, section: A > B. “quote”'"""
    where = c.title + (f", page {c.page}" if c.page else "") + (f", section: {c.section}" if c.section else "")
    return f"[{c.n}] {where}. “{collapse(c.quote)}”"


def sources_markdown(citations: Sequence[Citation], level: int = 2) -> str:
    if not citations:
        return ""
    lines = [f"{'#' * level} {phrases()['sources_heading']}", ""]
    lines += [f"- {citation_line(c)}" for c in citations]
    return "\n".join(lines) + "\n"


def draft_to_markdown(draft: Draft) -> str:
    """The draft's text followed by its Sources list."""
    return draft.text.rstrip() + "\n\n" + sources_markdown(draft.citations)


def _demote(markdown: str) -> str:
    return re.sub(r"^(#+) ", r"#\1 ", markdown, flags=re.M)


def plan_to_markdown(plan: Plan) -> str:
    ph = phrases()
    parts = [f"# {plan.title}", "", plan.intro, "", f"## {ph['contents_heading']}", ""]
    parts += [f"{i}. {d.title}" for i, d in enumerate(plan.sections, start=1)]
    parts.append("")
    for d in plan.sections:
        parts += [_demote(draft_to_markdown(d)).rstrip(), ""]
    return "\n".join(parts)


# --- Word helpers ----------------------------------------------------------------------------------
def add_heading(doc, text: str, level: int) -> Paragraph:
    """A paragraph in the built-in 'Heading n' style (level 0 is 'Title')."""
    return doc.add_heading(text, level=level)


def add_rich_paragraph(doc, line: str, style: str | None = None) -> Paragraph:
    """One Markdown line as a paragraph ('- ' lines become 'List Bullet' paragraphs, indented ones
    'List Bullet 2')."""
    if _SUB_BULLET.match(line):
        line = _SUB_BULLET.sub("", line)
        style = style or "List Bullet 2"
    elif _BULLET.match(line):
        line = _BULLET.sub("", line)
        style = style or "List Bullet"
    p = doc.add_paragraph(style=style)
    add_inline(p, line)
    return p


def add_inline(paragraph: Paragraph, text: str) -> None:
    """Runs for inline Markdown: **bold**, *italic*, superscript [n] markers, highlighted
    [TO CONFIRM: ...] placeholders; link targets are dropped, their text kept."""
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        placeholder, marker, bold, italic, link = m.groups()
        if placeholder:
            paragraph.add_run(placeholder).font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif marker:
            paragraph.add_run(f"[{marker}]").font.superscript = True
        elif bold:
            paragraph.add_run(bold).bold = True
        elif italic:
            paragraph.add_run(italic).italic = True
        else:
            paragraph.add_run(link)
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def add_sources(doc, citations: Sequence[Citation], level: int) -> None:
    """A 'Sources' heading and one paragraph per citation: [n] document, page, section, quote."""
    if not citations:
        return
    add_heading(doc, phrases()["sources_heading"], level)
    for c in citations:
        p = doc.add_paragraph()
        p.add_run(f"[{c.n}] ").bold = True
        p.add_run(c.title).italic = True
        p.add_run((f", page {c.page}" if c.page else "") + (f", section: {c.section}" if c.section else "") + ". ")
        p.add_run(f"“{collapse(c.quote)}”")


def add_table(doc, header: Sequence[str], rows: Iterable[Sequence[object]], style: str = "Table Grid"):
    """A Word table with a bold header row; cell text may use the inline Markdown of drafts."""
    rows = [list(r) for r in rows]
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = style
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(str(text)).bold = True
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            add_inline(cell.paragraphs[0], "" if value is None else str(value))
    return table


def _field_char(paragraph: Paragraph, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(el)


def add_contents(doc, entries: Sequence[str], levels: str = "1-1") -> None:
    """A real Word table-of-contents field over the given heading levels. Until Word updates the
    field (F9, or right-click > Update Field) it shows the plain list of ``entries``."""
    if not entries:
        return
    paragraphs = [doc.add_paragraph() for _ in entries]
    first, last = paragraphs[0], paragraphs[-1]
    _field_char(first, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f' TOC \\o "{levels}" \\h \\z \\u '
    first.add_run()._r.append(instr)
    _field_char(first, "separate")
    for p, entry in zip(paragraphs, entries, strict=True):
        p.add_run(entry)
    _field_char(last, "end")


# --- Word documents ----------------------------------------------------------------------------------
def _add_draft(doc, draft: Draft, level: int) -> None:
    add_heading(doc, draft.title, level)
    for heading, paragraphs in draft.sections:
        add_heading(doc, heading, level + 1)
        for line in paragraphs:
            add_rich_paragraph(doc, line)
    add_sources(doc, draft.citations, level + 1)


def _save(doc, path: Path) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
    except OSError as exc:
        raise InputError(f"Could not write '{path}': {exc.strerror or exc}. Choose another file name or folder.") from exc
    return path


def draft_to_docx(draft: Draft, path: Path) -> Path:
    """Write one drafted section as a Word document; returns the path written."""
    doc = Document()
    doc.core_properties.title = draft.title
    _add_draft(doc, draft, level=1)
    return _save(doc, path)


def plan_to_docx(plan: Plan, path: Path) -> Path:
    """Write the whole-plan skeleton: title, contents, one Heading 1 per duty in plan order."""
    doc = Document()
    doc.core_properties.title = plan.title
    add_heading(doc, plan.title, 0)
    add_rich_paragraph(doc, plan.intro)
    doc.add_paragraph(phrases()["contents_heading"], style="TOC Heading")  # not a Heading 1: the TOC skips it
    add_contents(doc, [d.title for d in plan.sections])
    for d in plan.sections:
        _add_draft(doc, d, level=1)
    return _save(doc, path)


__all__ = ["add_contents", "add_heading", "add_inline", "add_rich_paragraph", "add_sources", "add_table", "citation_line",
           "draft_to_docx", "draft_to_markdown", "plan_to_docx", "plan_to_markdown", "sources_markdown"]
