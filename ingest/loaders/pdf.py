"""PDF (pypdf): lines with their font size and position, then paragraphs, rows and headings per page.

Lines come from pypdf's layout-mode text engine (the one behind ``extract_text(extraction_mode=
"layout")``), which we call one step earlier so that each line keeps its font height and y position:
a larger font marks a heading, a wider gap than usual a new paragraph, and wide horizontal gaps
inside a line the cells of a table row. If that engine fails on a page, the page falls back to
plain ``extract_text()`` (no font sizes: headings then come from numbering alone).
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
from pypdf.generic import ContentStream

from assistant.types import Passage

from .common import (
    LoadFailure,
    PageFurniture,
    SectionPath,
    clean_inline,
    is_list_item,
    join_wrapped,
    make_passage,
    strip_bullet,
)

log = logging.getLogger(__name__)

_CELL_GAP = re.compile(r"\s*\t\s*")
_WIDE_GAP = re.compile(r" {5,}")
_MARKER = re.compile(r"^(?:[-*+•●▪◦·‣∙–—➢➤►■□o]|\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-zA-Z][.)]|\(?[ivx]{1,5}[.)])$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+[A-Z(]")


@dataclass(frozen=True)
class _Line:
    text: str  # table cells separated by tabs
    size: float | None  # font height in points, None when unknown
    y: float | None  # baseline, larger is higher on the page


def load_pdf(data: bytes) -> tuple[str | None, list[Passage], int]:
    """Title, passages (with 1-based page numbers) and page count of a PDF."""
    reader = _open(data)
    pages = [_page_lines(page, number) for number, page in enumerate(reader.pages, start=1)]
    if not any(line.text.strip() for lines in pages for line in lines):
        raise LoadFailure(
            "it is a scanned PDF with no text layer: run OCR on it first",
            "For example 'ocrmypdf in.pdf out.pdf', then use the OCR'd copy.",
        )
    furniture = PageFurniture([[line.text for line in lines] for lines in pages])
    body = _body_size(pages)
    pages = [_drop_furniture(lines, n, furniture, body) for n, lines in enumerate(pages, start=1)]
    passages = _Builder(pages).passages()
    meta_title = _metadata_title(reader)
    first_h1 = next((p.text for p in passages if p.kind == "heading" and len(p.section) == 1), None)
    return meta_title or first_h1, passages, len(pages)


def _open(data: bytes) -> PdfReader:
    if b"%%EOF" not in data[-65536:]:  # truncation cuts the end off; trailing junk after it is common
        raise LoadFailure(
            "the PDF is truncated or damaged (its end-of-file marker is missing)",
            "Get a fresh copy or export it again from the program that made it, then try again.",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted()
        len(reader.pages)  # forces the page tree to load: a broken one fails here
    except LoadFailure:
        raise
    except (FileNotDecryptedError, DependencyError):
        raise _encrypted() from None
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError...) on junk
        log.debug("pypdf could not open the file: %r", exc)
        raise LoadFailure(
            "the PDF is damaged and cannot be opened",
            "Get a fresh copy or export it again from the program that made it, then try again.",
        ) from None
    return reader


def _encrypted() -> LoadFailure:
    return LoadFailure("the file is encrypted (password-protected)", "Save an unprotected copy and use that instead.")


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = clean_inline(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:  # a broken info dictionary is no reason to refuse the document
        return None
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    if sum(ch.isalpha() for ch in title) < 3 or title.lower() in {"untitled", "title", "document"}:
        return None
    return title


def _page_lines(page, number: int) -> list[_Line]:
    try:
        return _layout_lines(page)
    except (PdfReadError, FileNotDecryptedError):
        raise
    except Exception as exc:
        log.warning("page %d: layout extraction failed (%r); using plain text extraction", number, exc)
    try:
        text = page.extract_text() or ""
    except Exception as exc:
        log.warning("page %d: no text could be extracted (%r)", number, exc)
        return []
    return [_Line(line, None, None) for line in text.splitlines()]


def _layout_lines(page) -> list[_Line]:
    """One ``_Line`` per rendered line, top to bottom (pypdf's layout engine, before padding)."""
    from pypdf._text_extraction import _layout_mode  # pinned pypdf: a test covers this path

    contents = page.get("/Contents")
    if contents is None:
        return []
    ops = iter(ContentStream(contents.get_object(), page.pdf, "bytes").operations)
    groups = _layout_mode.text_show_operations(ops, page._layout_mode_fonts(), True, None)
    if not groups:
        return []
    lines = []
    for y, parts in _layout_mode.y_coordinate_groups(groups, None).items():
        pieces: list[str] = []
        end = None
        for part in parts:  # sorted left to right
            height = part["font_height"] or part["font_size"] or 10.0
            if end is not None:
                gap = part["tx"] - end
                pieces.append("\t" if gap > 1.2 * height else " " if gap > 0.15 * height else "")
            # inside one text block pypdf pads gaps with spaces: a few are justified word spacing,
            # a long run is a jump to the next table column
            pieces.append(_WIDE_GAP.sub("\t", part["text"].replace("\n", " ")))
            end = part["displaced_tx"]
        text = "".join(pieces)
        if not text.strip():
            continue
        weights: Counter[float] = Counter()
        for part in parts:
            weights[part["font_height"]] += len(part["text"].strip())
        size = round(weights.most_common(1)[0][0] * 2) / 2 or None
        if strip_bullet(text.replace("\t", " ").strip()) != text.replace("\t", " ").strip():
            size = None  # pypdf reports the bullet glyph's size for the whole line: not the text's
        lines.append(_Line(text, size, float(y)))
    return lines


def _body_size(pages: list[list[_Line]]) -> float | None:
    """The font height most characters are set in."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size:
                sizes[line.size] += len(line.text.strip())
    return sizes.most_common(1)[0][0] if sizes else None


def _drop_furniture(lines: list[_Line], page: int, furniture: PageFurniture, body: float | None) -> list[_Line]:
    """Drop furniture at the page's edges; a line set larger than body text is a heading, never furniture."""
    edge = furniture.edge
    candidates = set(range(min(edge, len(lines)))) | set(range(max(0, len(lines) - edge), len(lines)))
    return [
        line
        for i, line in enumerate(lines)
        if not (
            i in candidates
            and furniture.is_furniture(line.text, page)
            and not (body and line.size and line.size > body)
        )
    ]


class _Builder:
    """Turns each page's lines into passages; the heading path carries over from page to page."""

    def __init__(self, pages: list[list[_Line]]) -> None:
        self.pages = pages
        self.body = _body_size(pages)
        sizes = {line.size for lines in pages for line in lines if line.size}
        big = sorted({s for s in sizes if self.body and s >= self.body * 1.15}, reverse=True)
        self.levels = {size: rank for rank, size in enumerate(big, start=1)}
        self.section = SectionPath()
        self.out: list[Passage] = []

    def passages(self) -> list[Passage]:
        for number, lines in enumerate(self.pages, start=1):
            self._page(number, lines)
        return self.out

    def _emit(self, text: str, page: int, kind) -> None:
        passage = make_passage(text, page, self.section.path, kind)
        if passage:
            self.out.append(passage)

    def _page(self, page: int, lines: list[_Line]) -> None:
        para: list[str] = []
        kind = "paragraph"
        heading: list[str] = []
        heading_level = 0
        prev: _Line | None = None

        def flush() -> None:
            nonlocal para, heading
            if heading:
                title = clean_inline(" ".join(heading))
                if len(title.split()) <= 25:
                    self.section.enter(heading_level, title)
                    self._emit(title, page, "heading")
                else:  # large type, but too long for a heading: a pull quote or standfirst
                    self._emit(title, page, "paragraph")
            if para:
                self._emit(join_wrapped(para), page, kind)
            para, heading = [], []

        for i, line in enumerate(lines):
            text = line.text.strip()
            cells = _CELL_GAP.split(text)
            if len(cells) >= 2 and _MARKER.match(cells[0]):  # "•    item" is a list item, not a row
                text, cells = cells[0] + " " + " | ".join(cells[1:]), [text]
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            level = 0 if len(cells) >= 2 else self._heading_level(line, text, prev, nxt)
            if level:
                same_heading = heading and heading_level == level and not _gap_break(prev, line)
                if not same_heading:
                    flush()
                heading.append(text)
                heading_level = level
            elif len(cells) >= 2:
                flush()
                self._emit(" | ".join(cells), page, "table_row")
            else:
                if heading or not para or _gap_break(prev, line) or is_list_item(text):
                    flush()
                    kind = "list_item" if is_list_item(text) else "paragraph"
                para.append(text)
            prev = line
        flush()

    def _heading_level(self, line: _Line, text: str, prev: _Line | None, nxt: _Line | None) -> int:
        text = clean_inline(text)
        words = text.split()
        if not words or len(words) > 20 or sum(ch.isalpha() for ch in text) < 2 or strip_bullet(text) != text:
            return 0
        if line.size and line.size in self.levels:
            return self.levels[line.size]
        # body-size heading: a numbered, short, stand-alone line with no closing punctuation
        numbered = _NUMBERED.match(text)
        alone = (prev is None or _gap_break(prev, line)) and (nxt is None or _gap_break(line, nxt))
        if numbered and alone and len(words) <= 12 and text[-1] not in ".,;:" and line.size == self.body:
            return len(self.levels) + numbered.group(1).count(".") + 1
        return 0


def _gap_break(above: _Line | None, below: _Line) -> bool:
    """A vertical gap wider than line spacing, or a change of font size, starts a new block."""
    if above is None or above.y is None or below.y is None:
        return False
    if above.size and below.size and abs(above.size - below.size) >= 1.5:
        return True
    size = max(above.size or 0, below.size or 0)
    return bool(size) and above.y - below.y > 1.6 * size
