"""Citation guarantees: every quote is verbatim from its chunk, every number in generated text is
found in a cited source."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.types import Chunk, Citation

_WS = re.compile(r"\s+")
# numbers as people write them: 30, 2023/24, 76%, £1.2m, 1,000, 25th; a lone list number "1." is not a figure
_NUMBER = re.compile(r"(?<![\w.])(?:£|\$)?\d[\d,]*(?:\.\d+)?(?:/\d+)?%?")
_MARKER = re.compile(r"\[(\d+)\]")


def collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def verbatim(quote: str, chunk_text: str) -> str | None:
    """The span of ``chunk_text`` that ``quote`` is, as the chunk has it: line breaks and runs of spaces
    as written (a list quoted whole keeps its lines), or None when the words are not there in that order."""
    q = quote.strip()
    if not q:
        return None
    if q in chunk_text:
        return q
    found = re.search(r"\s+".join(re.escape(w) for w in _WS.split(q) if w), chunk_text)
    return found.group(0) if found else None


def quote_in_chunk(quote: str, chunk_text: str) -> bool:
    """A quote is valid when, whitespace collapsed, it is a non-empty substring of the chunk text: when
    ``verbatim`` finds its span."""
    return verbatim(quote, chunk_text) is not None


def make_citation(n: int, chunk: Chunk, quote: str) -> Citation:
    """A citation whose quote is the chunk's own text: ``quote in chunk.text`` holds as written."""
    span = verbatim(quote, chunk.text)
    if span is None:
        raise ValueError(f"quote is not verbatim in chunk {chunk.chunk_id}: {quote[:80]!r}")
    return Citation(n=n, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
                    page=chunk.page, section=chunk.section, quote=span, publisher=chunk.publisher)


def numbers_in(text: str) -> set[str]:
    """Figures in a text, normalised (thousands separators and currency dropped)."""
    out = set()
    for m in _NUMBER.findall(_MARKER.sub(" ", text)):
        v = m.replace(",", "").lstrip("£$").rstrip("%")
        if v:
            out.add(v)
    return out


def uncited_numbers(text: str, cited_texts: Iterable[str]) -> set[str]:
    """Numbers in ``text`` that appear in none of the cited texts."""
    available: set[str] = set()
    for t in cited_texts:
        available |= numbers_in(t)
    return {n for n in numbers_in(text) if n not in available}


def markers(text: str) -> list[int]:
    return [int(m) for m in _MARKER.findall(text)]
