"""Markdown and plain text: decoding, '#' headings, list items, tab-separated rows, HTML fragments.

Plain-text files without any '#' heading get a conservative heading heuristic (see ``_Headings``):
numbered headings in sequence ("1. Executive summary", "2. Recommendations"), "Appendix N: ..."
lines, and short stand-alone title lines that occur once and are followed by body text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from assistant.types import Passage, PassageKind

from .common import (
    LoadFailure,
    SectionPath,
    clean_inline,
    furniture_key,
    is_list_item,
    join_cells,
    join_wrapped,
    make_passage,
    repeated_furniture,
)
from .html import fragment_blocks, fragment_text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_RULE = re.compile(r"^\s*(?:([-*_=])(?:\s*\1){2,}|[-:|\t ]*-{2,}[-:|\t ]*)\s*$")  # --- and |--|--|
_BLOCK_TAG = re.compile(r"</?(?:p|div|ul|ol|li|br|table|tr|td|th|thead|tbody|h[1-6]|blockquote)(?:\s[^<>]*)?/?>", re.I)
_INLINE_TAG = re.compile(r"</?(?:span|strong|em|b|i|u|a|sup|sub|small|font|mark)(?:\s[^<>]*)?/?>", re.I)
_URL_ONLY = re.compile(r"^<?(?:https?://|www\.)\S+>?$", re.I)
_BOLD = re.compile(r"\*\*|__")
_BOLD_SPAN = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+([A-Z].*)$")
_APPENDIX = re.compile(r"^(?:Appendix|Annex|Annexe|Schedule)\s+(?:\d{1,2}|[A-Z])\b(\s*[:.\-–—]\s*\S.*)?$")


def decode_text(data: bytes) -> str:
    """Bytes to text: a BOM wins, then UTF-8, then UTF-16 without a BOM, then Windows-1252 when it
    reads as plausible Western text, then detection.

    Raises ``LoadFailure`` when the bytes are not text (NUL bytes or mostly control characters).
    """
    text: str | None = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                raise _binary() from None
            break
    if text is None and b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise _binary()
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _detect(data)
    _check_printable(text)
    return text.lstrip("\ufeff")


def _binary() -> LoadFailure:
    return LoadFailure(
        "its content is binary, not text",
        "Check that it is the file you meant; if it is a document in another format, give it its real extension.",
    )


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        encoding = "utf-16-le"
    elif even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _detect(data: bytes) -> str:
    """Text that is not UTF-8: English planning documents that are not UTF-8 are nearly always
    Windows-1252 (a superset of Latin-1's printable range), so that wins when it decodes cleanly
    and reads as Western text. Detection on short text is unreliable: it reads a cp1252 "Café ...
    ‘green’ ... €2m" as a Baltic code page. Anything else goes to charset-normalizer."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_western(text):
        return text
    matches = list(from_bytes(data))
    if not matches:
        raise _binary()
    best = matches[0]
    # Short Western text is often equally plausible as cp1250 and cp1252: prefer cp1252 on a tie.
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.01:
            return data.decode("cp1252")
    return str(best)


# may stand between two letters in real text: apostrophes, dashes, middle dot, soft hyphen
_IN_WORD_OK = frozenset("’‘–—·\u00ad")


def _plausible_western(text: str, sample: int = 100_000) -> bool:
    """Does text decoded as cp1252 read as a Western European language?

    Not when it holds control characters, when many of its letters are accented (Cyrillic or Greek
    bytes read as cp1252: "Ñîâìåñòíûé"), or when a symbol sits inside a word (Polish cp1250 read as
    cp1252: "wspó³pracy")."""
    text = text[:sample]
    letters = accented = 0
    for i, ch in enumerate(text):
        if ch.isalpha():
            letters += 1
            accented += ord(ch) > 0x7F
        elif ord(ch) < 0x20 and ch not in "\t\n\r\f\v":
            return False
        elif (ord(ch) > 0x7F and ch not in _IN_WORD_OK and 0 < i < len(text) - 1
              and text[i - 1].isalpha() and text[i + 1].isalpha()):
            return False
    return accented <= 0.3 * letters


def _check_printable(text: str) -> None:
    if "\x00" in text:
        raise _binary()
    sample = text[:20000]
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\t\n\r\f\v")
    if sample and bad > 0.05 * len(sample):
        raise _binary()


@dataclass
class _Unit:
    """One source line, classified."""

    kind: str  # blank | heading | row | html | url | text
    text: str = ""
    level: int = 0
    cells: list[str] = field(default_factory=list)


def _classify(line: str, furniture: set[str]) -> _Unit:
    if not line.strip() or _RULE.match(line):
        return _Unit("blank")
    if furniture_key(line) in furniture:
        return _Unit("blank")  # page furniture: a break, like the page break it stood for
    heading = _MD_HEADING.match(line)
    if heading:
        return _Unit(
            "heading", clean_inline(_BOLD.sub("", _INLINE_TAG.sub("", heading.group(2) or ""))), len(heading.group(1))
        )
    cells = _row_cells(line)
    if cells is not None:
        return _Unit("row", cells=[fragment_text(c) if _BLOCK_TAG.search(c) else _INLINE_TAG.sub("", c) for c in cells])
    if _BLOCK_TAG.search(line):
        return _Unit("html", line)
    if _URL_ONLY.match(line.strip()):
        return _Unit("url", line.strip())
    return _Unit("text", _BOLD_SPAN.sub(r"\1", _INLINE_TAG.sub("", line)))


def _row_cells(line: str) -> list[str] | None:
    """Cells of a tab-separated or Markdown pipe-table row, or None for other lines."""
    stripped = line.strip(" ")
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        return stripped[1:-1].split("|")
    cells = line.rstrip("\t ").split("\t")
    return cells if len(cells) >= 2 else None


class _Headings:
    """Conservative plain-text heading detection, on lines that stand alone between blank lines."""

    def __init__(self, units: list[_Unit]) -> None:
        self.units = units
        self.counts: dict[str, int] = {}
        for unit in units:
            if unit.kind == "text":
                key = furniture_key(unit.text)
                self.counts[key] = self.counts.get(key, 0) + 1

    def mark(self) -> None:
        """Turn heading-like text units into level-1 (numbered, appendix) or nested headings.

        An unnumbered heading nests under the numbered heading or appendix before it, except after
        the last numbered heading of the body, where it starts a new top-level section.
        """
        last_number, governed_by = 0, ""  # "" | "numbered" | "appendix"
        weak: list[tuple[_Unit, str]] = []
        last_numbered_at = -1
        for i, unit in enumerate(self.units):
            if unit.kind != "text":
                continue
            text = clean_inline(unit.text)
            alone = self._kind_at(i - 1) in ("blank", "heading", None) and self._kind_at(i + 1) in ("blank", None)
            appendix = _APPENDIX.match(text)
            if appendix and _short(text, 15) and (alone or appendix.group(1)):
                unit.kind, unit.text, unit.level = "heading", text, 1
                governed_by = "appendix"
                continue
            if not alone or not self._body_follows(i):
                continue
            numbered = _NUMBERED.match(text)
            if numbered:
                if governed_by != "appendix" and int(numbered.group(1)) == last_number + 1 and _short(text, 12):
                    unit.kind, unit.text, unit.level = "heading", text, 1
                    last_number, governed_by, last_numbered_at = last_number + 1, "numbered", len(weak)
                continue
            if self._title_like(text, i):
                unit.kind, unit.text, unit.level = "heading", text, 2 if governed_by else 1
                weak.append((unit, governed_by))
        for unit, governor in weak[last_numbered_at:] if last_numbered_at >= 0 else ():
            if governor == "numbered":
                unit.level = 1

    def _kind_at(self, i: int) -> str | None:
        return self.units[i].kind if 0 <= i < len(self.units) else None

    def _body_follows(self, i: int) -> bool:
        following = (u for u in self.units[i + 1 :] if u.kind != "blank")
        nxt = next(following, None)
        return nxt is not None and nxt.kind in ("text", "row", "html")

    def _title_like(self, text: str, i: int) -> bool:
        words = text.split()
        return (
            1 <= len(words) <= 8
            and len(text) <= 70
            and text[0].isupper()
            and sum(ch.isalpha() for ch in text) >= 3
            and text[-1] not in ".,;:!?"
            and "," not in text
            and not _URL_ONLY.match(text)
            and "@" not in text
            and not text.startswith("By ")
            and not is_list_item(text)
            and "%" not in text
            and self.counts.get(furniture_key(text), 0) < 3  # a line repeated often is a table header
            and self._after_sentence_end(i)
        )

    def _after_sentence_end(self, i: int) -> bool:
        """The block before ends a sentence (or there is none): not a row of an unruled table."""
        previous = next((u for u in reversed(self.units[:i]) if u.kind != "blank"), None)
        if previous is None or previous.kind in ("heading", "html", "row", "url"):
            return True
        return previous.text.rstrip().endswith((".", "!", "?", ")", '"', "”", "’", "…"))


def _short(text: str, max_words: int) -> bool:
    return len(text.split()) <= max_words and text[-1] != "."


_MD_LINK = re.compile(r"\[([^\[\]]+)\]\([^()\s]*\)")
_MD_ESCAPE = re.compile(r"\\([()\[\]*_#])")


def strip_markdown_links(text: str) -> str:
    """``[Better Care Fund](#)`` reads as "Better Care Fund": keep link text, drop the target."""
    return _MD_LINK.sub(r"\1", _MD_ESCAPE.sub(r"\1", text))


def parse_text(text: str, *, plain: bool) -> tuple[str | None, list[Passage]]:
    """Title (first H1) and passages of Markdown-like text; ``plain`` enables heading heuristics."""
    lines = text.splitlines()
    furniture = repeated_furniture(lines)
    units = [_classify(line, furniture) for line in lines]
    has_md_headings = any(u.kind == "heading" for u in units)
    if plain and not has_md_headings:
        _Headings(units).mark()

    passages: list[Passage] = []
    section = SectionPath()
    para: list[str] = []
    para_kind: PassageKind = "paragraph"
    last_was_row = False

    def emit(body: str, kind: PassageKind, path: tuple[str, ...] | None = None) -> None:
        passage = make_passage(strip_markdown_links(body), None, section.path if path is None else path, kind)
        if passage:
            passages.append(passage)

    def flush() -> None:
        nonlocal para
        if para:
            emit(join_wrapped(para), para_kind)
        para = []

    for unit in units:
        if unit.kind == "blank":
            flush()
            continue
        if unit.kind == "row" and not unit.cells[0].strip():
            if last_was_row and passages and passages[-1].kind == "table_row":
                # a row broken across a page: its cells continue the previous row
                prev = passages.pop()
                emit(prev.text + "\n" + join_cells(unit.cells[1:]), "table_row", prev.section)
                continue
            unit = _Unit("text", " ".join(unit.cells))  # a tab-indented line, not a table
        if unit.kind == "row":
            flush()
            emit(join_cells(unit.cells), "table_row")
            last_was_row = True
            continue
        last_was_row = False
        if unit.kind == "heading":
            flush()
            if unit.text:
                emit(unit.text, "heading", section.enter(unit.level, unit.text))
        elif unit.kind == "html":
            flush()
            for block in fragment_blocks(unit.text):
                if block.kind == "heading":
                    emit(block.text, "heading", section.enter(block.level, block.text))
                else:
                    emit(block.text, block.kind)
        elif unit.kind == "url":
            flush()
            emit(unit.text, "paragraph")
        elif is_list_item(unit.text):
            flush()
            para, para_kind = [unit.text], "list_item"
        else:
            if not para:
                para_kind = "paragraph"
            para.append(unit.text)
    flush()
    title = next((u.text for u in units if u.kind == "heading" and u.level == 1 and u.text), None)
    return (title if has_md_headings else None), passages
