"""Helpers shared by the format loaders: whitespace, list markers, page furniture, heading paths."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.types import Passage, PassageKind

# Spaces other than newlines, including the no-break and other Unicode spaces PDFs and web pages use.
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,9}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")

# "- item", "• item", "1. item", "1) item", "a) item", "(a) item", "iv. item"
_BULLET = re.compile(r"^\s*([-*+•●▪◦·‣∙–—➢➤►■□o])\s+(?=\S)")
_ENUMERATOR = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\([a-z]\)|\(?[ivx]{1,5}[.)])\s+(?=\S)")

_URL_LINE = re.compile(r"^(?:<?https?://\S+?>?|www\.\S+)$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|pg\.?|p\.)\s*#+(?:\s*(?:of|/)\s*#+)?|#+\s*(?:of|/)\s*#+|[-–—]\s*#+\s*[-–—]|#+|[ivxlc]{1,6})$",
    re.IGNORECASE,
)


class LoadFailure(Exception):
    """Raised by a format loader; ``load_document`` turns it into a one-line ``DocumentError``."""

    def __init__(self, why: str, fix: str) -> None:
        super().__init__(f"{why}. {fix}")
        self.why = why
        self.fix = fix


def clean_inline(text: str) -> str:
    """One line of text: entities decoded, zero-width marks dropped, runs of spaces collapsed."""
    if _ENTITY.search(text):
        text = html.unescape(text)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_block(text: str) -> str:
    """Text whose line breaks matter (a table row with several paragraphs): tidy each line."""
    lines = (clean_inline(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def is_list_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _ENUMERATOR.match(line))


def strip_bullet(text: str) -> str:
    """Drop a bullet glyph ("•", "-") but keep enumerators ("1.", "(a)"): they carry meaning."""
    return _BULLET.sub("", text, count=1).strip()


def furniture_key(line: str) -> str:
    """Normalise a line for frequency counting: case, spacing and digits do not matter."""
    return re.sub(r"\d+", "#", _SPACES.sub(" ", line).strip().lower())


def looks_like_furniture(line: str) -> bool:
    """A URL on its own, or a page number in one of its usual forms ("Page 3 of 10", "- 3 -")."""
    key = furniture_key(line)
    return bool(_URL_LINE.match(key) or _PAGE_NUMBER.match(key))


def repeated_furniture(lines: Iterable[str], min_count: int = 3) -> set[str]:
    """Keys of furniture-looking lines that occur at least ``min_count`` times."""
    counts = Counter(furniture_key(line) for line in lines if line.strip())
    return {key for key, n in counts.items() if n >= min_count and looks_like_furniture(key)}


class PageFurniture:
    """Running headers, footers and page numbers: lines repeated at the edges of many pages.

    Only the first and last ``edge`` lines of each page are candidates, so a phrase that recurs in
    body text or a table is never dropped. An edge line is furniture when:

    - the same text is at the edge of at least 40% of pages (and at least two), or
    - it is short and carries the page's printed number, where the printed number is found as the
      offset from the real page number that most pages agree on ("Chapter 2: Scope   7"), or
    - it is a bare page number ("Page 3 of 10", "- 7 -", "iv").
    """

    def __init__(self, pages: Sequence[Sequence[str]], edge: int = 2) -> None:
        self.edge = edge
        self._exact: set[str] = set()
        self._offset: int | None = None
        if len(pages) < 2:
            return
        exact: Counter[str] = Counter()
        offsets: Counter[int] = Counter()
        for number, lines in enumerate(pages, start=1):
            edges = self.edges(lines)
            exact.update({_norm(line) for line in edges})
            offsets.update({number - n for line in edges if _short(line) for n in _numbers(line)})
        threshold = max(2, -(-len(pages) * 2 // 5))
        self._exact = {key for key, n in exact.items() if n >= threshold}
        if offsets:
            offset, n = offsets.most_common(1)[0]
            self._offset = offset if n >= threshold else None

    def edges(self, lines: Sequence[str]) -> list[str]:
        body = [line for line in lines if line.strip()]
        return body if len(body) <= 2 * self.edge else body[: self.edge] + body[-self.edge :]

    def is_furniture(self, line: str, page: int) -> bool:
        if _PAGE_NUMBER.match(furniture_key(line)) or _norm(line) in self._exact:
            return True
        return self._offset is not None and _short(line) and (page - self._offset) in _numbers(line)


def _norm(line: str) -> str:
    return _SPACES.sub(" ", line).strip().lower()


def _short(line: str) -> bool:
    return len(line.split()) <= 12


def _numbers(line: str) -> set[int]:
    return {int(n) for n in re.findall(r"(?<![\d.,/])\d{1,4}(?![\d.,/]\d)", line)}


class SectionPath:
    """The current heading path; a heading of level n replaces everything at level n or deeper."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, level: int, title: str) -> tuple[str, ...]:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        return self.path

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self._stack)

    @property
    def top_level(self) -> int | None:
        return self._stack[-1][0] if self._stack else None


def make_passage(text: str, page: int | None, section: tuple[str, ...], kind: PassageKind) -> Passage | None:
    """A passage with tidy whitespace, or None when nothing is left of it."""
    text = clean_block(text) if kind == "table_row" else clean_inline(text)
    if kind == "list_item":
        text = strip_bullet(text)
    return Passage(text=text, page=page, section=section, kind=kind) if text else None


def join_wrapped(lines: Iterable[str]) -> str:
    """Join hard-wrapped lines with a space; a word broken at a hyphen ("long-/term") is rejoined."""
    out = ""
    for line in (clean_inline(line) for line in lines):
        if not line:
            continue
        if out and re.search(r"[A-Za-z]-$", out):
            out += line
        else:
            out = f"{out} {line}" if out else line
    return out


def join_cells(cells: Iterable[str]) -> str:
    """Cells of one table row, tidied, empty ones dropped, joined with " | "."""
    return " | ".join(c for c in (clean_block(cell) for cell in cells) if c)


# a footnote at the foot of a page: "1 National Health Service Act 2006 (as amended by ...)."
_FOOTNOTE = re.compile(r"^\d{1,3}\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;][\"'’”)\]]*$")


def rejoin_split_sentences(passages: Sequence[Passage]) -> list[Passage]:
    """Passages with a sentence that a page break cut in two joined again.

    A paragraph or list item that stops without closing punctuation ("... including the voluntary
    and community and social"), followed on the next page, or after the footnotes at the foot of its
    page, by a paragraph of the same section that opens in lower case ("enterprise sector,
    independent social care providers ..."), is one sentence: the two halves become one passage, on
    the first half's page, and the footnotes follow it. A line that recurs in the document (a table
    header repeated on every page) is not the first half of anything, nor is a short line (a label,
    a heading), nor an item of a list without bullets."""
    seen = Counter(p.text for p in passages)
    out: list[Passage] = []
    i = 0
    while i < len(passages):
        first = passages[i]
        j = i + 1
        while (j < len(passages) and j <= i + 3 and passages[j].kind == "paragraph"
               and _FOOTNOTE.match(passages[j].text)):
            j += 1
        rest = passages[j] if j < len(passages) else None
        # the break between the halves: footnotes, or a new page (a text file's blank line may be
        # a real paragraph break)
        broken = j > i + 1 or rest is not None and first.page is not None and rest.page == first.page + 1
        # an item of a list that has no bullets ("... how they will:", "deliver ...", "engage ...")
        # opens in lower case or follows the lead-in: it is not the first half of a sentence
        in_list = first.kind == "paragraph" and (first.text[:1].islower() or bool(out) and out[-1].text.endswith(":"))
        if (rest is not None and first.kind in ("paragraph", "list_item") and rest.kind == "paragraph"
                and rest.section == first.section and rest.text[:1].islower() and len(first.text.split()) >= 5
                and seen[first.text] == 1 and not _SENTENCE_END.search(first.text) and not in_list and broken):
            out.append(Passage(text=f"{first.text} {rest.text}", page=first.page, section=first.section,
                               kind=first.kind))
            out.extend(passages[i + 1: j])
            i = j + 1
        else:
            out.append(first)
            i += 1
    return out
