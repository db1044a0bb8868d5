"""Structure-aware chunking.

Passages from a loader are grouped under their heading path: a chunk never crosses a heading, a page
or a document, and a table row is never split from itself. Within a section, passages are packed up
to ``target_tokens`` (cl100k_base); a passage longer than that is split on sentence boundaries with a
small overlap. Every chunk carries what a citation needs, and its duty tags from the registry.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

from assistant.duties import duties_in_heading, tag_duties
from assistant.tokens import count_tokens
from assistant.types import Chunk, LoadedDocument, Passage

SECTION_SEP = " > "
_BRACKET_REACH = 300  # characters: a bracketed aside closes within this, or it is not one
# a sentence end, one that closes a quotation ('... under that section." Specifically ...'), or one with
# a footnote marker glued to it ("... education and training.3 The JFP"): text from a PDF, or from
# HTML with the <sup> tag dropped
_SENTENCE_END = re.compile(r"(?:(?<=[.!?;:])|(?<=[.!?][\"”’])|(?<=[a-z)][.!?]\d)|(?<=[a-z)][.!?]\d\d))\s+"
                           r"(?=[\"'‘“(\[]?[A-Z0-9•\-])")
# a full stop that ends an abbreviation, not a sentence: "before each financial year – i.e. 1 April",
# "partners (e.g. NHS England)"; and before a number, "see para. 4", "No. 10". Not "etc.", which
# often does end one ("Duty as to climate change, etc. The plan should ...").
_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:i\.e|e\.g|cf|viz|vs|approx|incl)\.$", re.I)
_BEFORE_NUMBER = re.compile(r"(?<![A-Za-z])(?:no|nos|para|paras|p|pp|fig|figs|vol|ch)\.$", re.I)


@dataclass(frozen=True)
class ChunkingConfig:
    target_tokens: int = 300
    overlap_tokens: int = 40


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (conservative: a sentence end followed by a capital or digit).

    No split inside a bracket that closes soon after ("(Saving and Improving Lives: The Future of UK
    Clinical Research Delivery) set out ..." is one sentence, not two); a bracket left open, or closed
    only far away, does not hold splits back. Linear in the length of the text."""
    opens = [m.start() for m in re.finditer(r"\(", text)]
    closes = [m.start() for m in re.finditer(r"\)", text)]
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[max(start, m.start() - 8):m.start()]
        if _ABBREVIATION.search(before) or (text[m.end():m.end() + 1].isdigit() and _BEFORE_NUMBER.search(before)):
            continue
        depth = (bisect_left(opens, m.start()) - bisect_left(opens, start)
                 - (bisect_left(closes, m.start()) - bisect_left(closes, start)))
        if depth > 0:
            i, j = bisect_left(closes, m.end()), bisect_left(opens, m.end())
            close = closes[i] if i < len(closes) else None
            if close is not None and close - m.end() <= _BRACKET_REACH and (j == len(opens) or close < opens[j]):
                continue
        parts.append(text[start:m.start()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _split_long(text: str, target: int, overlap: int) -> Iterator[str]:
    """Split one over-long passage on sentence boundaries; overlap repeats trailing sentences.

    Text with no sentence end, and a single sentence longer than ``target``, are cut into token
    windows instead (see ``_token_windows``)."""
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        yield from _token_windows(text, target, overlap)
        return
    current: list[str] = []
    size = 0
    for s in sentences:
        n = count_tokens(s)
        if n > target:
            # a "sentence" longer than a chunk (a list of figures, a run-on line): windows of its own
            if current:
                yield " ".join(current)
            yield from _token_windows(s, target, overlap)
            current, size = [], 0
            continue
        if current and size + n > target:
            yield " ".join(current)
            # carry trailing sentences up to the overlap budget
            carry: list[str] = []
            c = 0
            for prev in reversed(current):
                pn = count_tokens(prev)
                if c + pn > overlap:
                    break
                carry.insert(0, prev)
                c += pn
            current, size = carry, c
        current.append(s)
        size += n
    if current:
        yield " ".join(current)


_WORD = re.compile(r"\S+")


def _token_windows(text: str, target: int, overlap: int) -> Iterator[str]:
    """Cut text into verbatim spans of at most ``target`` tokens, between words.

    Each span after the first repeats whole words, at most ``overlap`` tokens of them, from the end
    of the one before. Counting tokens rather than words matters: figures, codes and URLs take
    several tokens a word. A single word longer than ``target`` tokens is cut inside itself."""
    atoms = _atoms(text, target)
    if not atoms:
        return

    def tokens(a: int, b: int) -> int:  # tokens of the span from atom a up to (not including) atom b
        return count_tokens(text[atoms[a][0] : atoms[b - 1][1]])

    estimate = [count_tokens(text[max(0, s - 1) : e]) for s, e in atoms]  # the atom with its leading space
    start, min_end = 0, 1
    while True:
        end, total = start, 0
        while end < len(atoms) and total + estimate[end] <= target:
            total += estimate[end]
            end += 1
        end = max(end, min_end)
        while end > min_end and tokens(start, end) > target:
            end -= 1
        while end < len(atoms) and tokens(start, end + 1) <= target:
            end += 1
        yield text[atoms[start][0] : atoms[end - 1][1]]
        if end >= len(atoms):
            return
        # carry trailing words up to the overlap budget, leaving room for at least one new word
        nxt = end
        while nxt - 1 > start and tokens(nxt - 1, end) <= overlap:
            nxt -= 1
        while nxt < end and tokens(nxt, end + 1) > target:
            nxt += 1
        start, min_end = nxt, end + 1


def _atoms(text: str, target: int) -> list[tuple[int, int]]:
    """Character spans of the words of ``text``; a word longer than ``target`` tokens is cut into
    pieces that fit (a piece is at least one character)."""
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if len(m.group().encode("utf-8")) > target:  # a token is at least one byte: only then can it be over
            while True:
                cap = min(end, start + 16 * target)  # count only a bounded prefix of a very long word
                if cap == end and count_tokens(text[start:end]) <= target:
                    break
                lo, hi = start + 1, cap  # the longest prefix that fits, by bisection
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if count_tokens(text[start:mid]) <= target:
                        lo = mid
                    else:
                        hi = mid - 1
                spans.append((start, lo))
                start = lo
                if start == end:
                    break
        if start < end:
            spans.append((start, end))
    return spans


def _pieces(passages: Iterable[Passage], cfg: ChunkingConfig) -> Iterator[tuple[str, int]]:
    """Yield (text, tokens) pieces small enough to pack; long passages are split, rows kept whole."""
    for p in passages:
        n = count_tokens(p.text)
        if n <= cfg.target_tokens or p.kind == "table_row" and n <= cfg.target_tokens * 3:
            yield p.text, n
        else:
            for part in _split_long(p.text, cfg.target_tokens, cfg.overlap_tokens):
                yield part, count_tokens(part)


def chunk_document(doc: LoadedDocument, doc_id: str, kind: str, cfg: ChunkingConfig | None = None) -> list[Chunk]:
    """Turn a loaded document into chunks, in reading order."""
    cfg = cfg or ChunkingConfig()
    chunks: list[Chunk] = []
    body = [p for p in doc.passages if p.kind != "heading"]
    for (page, section), group in groupby(body, key=lambda p: (p.page, p.section)):
        section_str = SECTION_SEP.join(own_duty_path(section))
        texts: list[str] = []
        sizes: list[int] = []
        size = 0
        for text, n in _pieces(group, cfg):
            if texts and size + n > cfg.target_tokens:
                # a list's lead-in ("... may wish to describe how they will:") goes with its items,
                # when the two fit in one chunk
                carry = len(texts) > 1 and texts[-1].rstrip().endswith(":") and sizes[-1] + n <= cfg.target_tokens
                keep = len(texts) - 1 if carry else len(texts)
                chunks.append(_make(doc, doc_id, kind, page, section_str, texts[:keep], len(chunks)))
                texts, sizes = texts[keep:], sizes[keep:]
                size = sum(sizes)
            texts.append(text)
            sizes.append(n)
            size += n
        if texts:
            chunks.append(_make(doc, doc_id, kind, page, section_str, texts, len(chunks)))
    return chunks


def own_duty_path(section: Sequence[str]) -> tuple[str, ...]:
    """The heading path, starting at the deepest heading that names a duty when a heading above it
    names another one: a duty's heading typed one level too deep ("# Duty to promote education and
    training" ... "## Duty as to climate change" in NHS England's supporting materials) starts that
    duty's section; it is not a part of the duty above it."""
    for i in range(len(section) - 1, 0, -1):
        own = set(duties_in_heading(section[i]))
        if own and any(set(duties_in_heading(h)) - own for h in section[:i]):
            return tuple(section[i:])
    return tuple(section)


def _make(doc: LoadedDocument, doc_id: str, kind: str, page: int | None, section: str,
          texts: list[str], ordinal: int) -> Chunk:
    text = "\n".join(texts)
    return Chunk(
        chunk_id=f"{doc_id}:{ordinal:05d}",
        doc_id=doc_id,
        title=doc.title,
        source=doc.source,
        kind=kind,
        page=page,
        section=section,
        duty_ids=tag_duties(section, text),
        text=text,
        n_tokens=count_tokens(text),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        ordinal=ordinal,
    )


VIEW_SEP = "#"  # a view id is its chunk's id, or that id, this, and the view's name ("d1:00003#w2")


def chunk_of_view(view_id: str) -> str:
    """The chunk id a vector id belongs to (see ``views``): read from the id, not from stored metadata."""
    return view_id.split(VIEW_SEP, 1)[0]


def doc_of_chunk(chunk_id: str) -> str:
    """The document id inside a chunk id (``{doc_id}:{ordinal:05d}``, see ``_make``)."""
    return chunk_id.rsplit(":", 1)[0]


def views(chunk: Chunk, window_tokens: int = 90) -> list[tuple[str, str]]:
    """Texts to embed for a chunk, as (view_id, text): the whole chunk, then windows of a few
    sentences. Small windows keep a specific sentence findable inside a broad chunk; each view is
    prefixed with the chunk's own heading so it keeps its topic."""
    head = chunk.section.split(SECTION_SEP)[-1] if chunk.section else ""

    def with_head(text: str) -> str:
        return f"{head}\n{text}" if head and head not in text[:200] else text

    out = [(chunk.chunk_id, with_head(chunk.text))]
    if chunk.n_tokens <= window_tokens:
        return out
    units = [s for line in chunk.text.split("\n") for s in split_sentences(line)]
    window: list[str] = []
    size = 0
    for u in units:
        n = count_tokens(u)
        if window and size + n > window_tokens:
            out.append((f"{chunk.chunk_id}{VIEW_SEP}w{len(out)}", with_head(" ".join(window))))
            window, size = [], 0
        window.append(u)
        size += n
    if window and len(out) > 1:
        out.append((f"{chunk.chunk_id}{VIEW_SEP}w{len(out)}", with_head(" ".join(window))))
    elif window:  # a single window would repeat the whole chunk
        pass
    return out
