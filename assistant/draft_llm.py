"""The LLM path for drafts: the model writes plain planning prose from the same material the
extractive draft uses, and the result is checked exactly as answers are.

Every sentence goes through ``verify_generated`` (markers must point at sources the model was
given, numbers must appear in a cited source; each kept marker becomes a verbatim quote). The one
exception is a sentence holding a ``[TO CONFIRM: ...]`` placeholder and no marker: it is kept if it
has no number, since it claims nothing. Any ``LLMError`` (a dead endpoint, an unusable reply, a reply
with nothing checkable) reaches ``build_draft``, which falls back to the extractive draft.
"""

from __future__ import annotations

import re

from assistant.answer import verify_generated
from assistant.citations import markers, numbers_in
from assistant.draft import PLACEHOLDER, CitationBook, Draft, finish, phrases, section_headings, topic_of
from assistant.draft_material import NATIONAL_KINDS, Material, cached_embedder
from assistant.duties import Duty
from assistant.errors import LLMError
from assistant.extractive import ExtractiveAnswerer
from assistant.prompts import load_prompt
from assistant.types import Chunk, ScoredChunk
from ingest.chunking import split_sentences

MAX_SOURCES = 10
_BODY_KEYS = ("statutory", "expects", "actions", "measures", "partners")  # the template's body variables, in order


def _sources(service, m: Material) -> list[ScoredChunk]:
    """The chunks behind the material: guidance first, then the ICB's own documents."""
    chunks: dict[str, Chunk] = {}
    for c in ([m.statutory] if m.statutory else []) + list(m.expects):
        chunk = service.retriever.chunk(c.chunk_id)
        if chunk is not None:
            chunks.setdefault(chunk.chunk_id, chunk)
    for p in m.actions + m.measures + m.partners:
        chunks.setdefault(p.chunk.chunk_id, p.chunk)
    return [ScoredChunk(chunk=c, score=0.0, rank=i) for i, c in enumerate(list(chunks.values())[:MAX_SOURCES], start=1)]


def _messages(duty: Duty, sources: list[ScoredChunk]) -> list[dict[str, str]]:
    blocks = []
    for i, r in enumerate(sources, start=1):
        c = r.chunk
        owner = "guidance" if c.kind in NATIONAL_KINDS else "the ICB's own document"
        where = c.title + (f", page {c.page}" if c.page else "") + (f", section: {c.section}" if c.section else "")
        blocks.append(f"[{i}] ({owner}: {where})\n<<<\n{c.text}\n>>>")
    headings = "\n".join(f"## {h}" for h in section_headings())
    return [
        {"role": "system", "content": load_prompt("draft_system").render()},
        {"role": "user", "content": load_prompt("draft_user").render(
            title=duty.title, basis=duty.statutory_basis, headings=headings, sources="\n\n".join(blocks))},
    ]


def _split_reply(reply: str) -> dict[str, list[str]]:
    """The model's lines under each of our headings (matched case-insensitively); other text is ignored."""
    wanted = {h.lower(): h for h in section_headings()}
    out: dict[str, list[str]] = {h: [] for h in wanted.values()}
    current: str | None = None
    for line in reply.splitlines():
        m = re.match(r"^\s*#{1,6}\s*(.+?)\s*#*\s*$", line)
        if m:
            current = wanted.get(m.group(1).strip(" *").lower())
            continue
        if current and line.strip():
            out[current].append(line.strip())
    return out


def _check_line(line: str, sources: list[ScoredChunk], extractive, book: CitationBook) -> tuple[str, int]:
    """One line of the reply with unsupported sentences removed and markers renumbered; and how many went."""
    bullet = bool(re.match(r"^[-*•]\s+", line))
    body = re.sub(r"^[-*•]\s+", "", line)
    kept: list[str] = []
    dropped = 0
    for sentence in split_sentences(body):
        if PLACEHOLDER.search(sentence) and not markers(sentence):
            if numbers_in(sentence):
                dropped += 1
            else:
                kept.append(sentence)
            continue
        text, cites, n_dropped = verify_generated(sentence, sources, extractive)
        dropped += n_dropped
        if not cites:
            continue
        renumber = {str(c.n): str(book.reuse(c)) for c in cites}
        kept.append(re.sub(r"\[(\d+)\]", lambda mm, r=renumber: f"[{r[mm.group(1)]}]", text))
    if not kept:
        return "", dropped
    return ("- " if bullet else "") + " ".join(kept), dropped


def draft_with_llm(service, duty: Duty, material: Material) -> Draft:
    sources = _sources(service, material)
    if not sources:
        raise LLMError("There was no source material to give the language model for this section.")
    reply = service.chat.complete(_messages(duty, sources), max_tokens=1200)
    sections = _split_reply(reply)
    # verify_generated only needs an embedder; the drafting cache saves re-embedding the same chunks
    extractive = ExtractiveAnswerer(cached_embedder(service.embedder))
    book = CitationBook()
    ph = phrases(topic_of(duty))
    bodies: dict[str, str] = {}
    dropped = 0
    for key, heading in zip(_BODY_KEYS, section_headings(), strict=True):
        lines = []
        for line in sections[heading]:
            checked, n = _check_line(line, sources, extractive, book)
            dropped += n
            if checked:
                lines.append(checked)
        bodies[key] = "\n\n".join(lines) if lines else ph["llm_section_none"]
    if not book.citations:
        raise LLMError("The language model's draft had no sentence that could be checked against the sources.")
    notices = (f"{dropped} unsupported sentence(s) removed from the model's draft.",) if dropped else ()
    return finish(duty, book.citations, backend=getattr(service.chat, "name", "llm"), notices=notices, **bodies)
