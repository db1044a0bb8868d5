"""What a draft is made of: the guidance's requirements for a duty and the sentences of the ICB's
own documents that speak to it, chosen before any wording is added (see ``assistant/draft.py``).

"The ICB's own documents" are every kind but guidance, briefing and commentary (``icb_plan``,
``icb_paper``, and user-ingested ``strategy`` or ``other``). A sentence from them counts when it is a
statement (not a heading, a list lead-in, or the guidance restated), and it is on the duty's topic:
its table row is keyed by the duty, its chunk is tagged with it, or it uses the duty's signal phrases
and is close to it in meaning.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.chunk_sentences import sentences_of, unfinished
from assistant.citations import collapse, make_citation
from assistant.duties import Duty, all_duties, duties_in_heading, get_duty, match_duties
from assistant.requirements import find_requirements
from assistant.rows import row_duties
from assistant.types import Chunk, Citation

NATIONAL_KINDS = frozenset({"guidance", "briefing", "commentary"})  # everything else is the ICB's own
# guidance restated in an ICB paper ("The plan must set out ...") is not something the ICB will do
_ASKS = r"(describe|set out|explain|outline|show|include|identify|demonstrate|consider|draw out|articulate|cover)"
_ECHO = re.compile(r"^" + _ASKS + r"\b|\b(must|should|could|may wish to|(?:is|are) expected to|will need to)\s+(?:also\s+)?"
                   + _ASKS + r"\b|\b(?-i:Describe|Set out|Explain|Outline)\b"
                   r"|^(it|the plan|plans|jfps?|icbs?|systems?)\s+(must|should)\b|\bthe guidance\b"
                   r"|\b(is|are|should|can) expect(ed)? to\b|\brecommend(s|ed)?\b", re.I)
# outline numbers, check boxes, "(b)" list fragments: structure, not statements
_FRAGMENT = re.compile(r"^(\d+(\.\d+)+\s|\([a-z]{1,3}\)\s|[^\w\"'‘“(£]|(including|and|or|but|with)\b)", re.I)
_MODAL = re.compile(r"\b(must|should)\b", re.I)
_EXPECTS = re.compile(r"\b(must|should|may wish|expected|required|set out|describe|explain|outline|include|consider)\b", re.I)
_OUTLINE = re.compile(r"\b\d+\.\d+\s+[A-Z]")  # "5.1 Infrastructure 5.2 Workforce": a contents list
_COMMITMENT = re.compile(r"\b(we|our|will|is underway|are developing|has been|have been|we have|is being)\b", re.I)
_METRIC = re.compile(r"\b(measures?|measured|metrics?|targets?|kpis?|indicators?|monitor(?:ed|ing)?|track(?:ed|ing)?|"
                     r"dashboards?|ratings?|trajector(?:y|ies)|outcomes framework|reduce\w* by|increase\w* by)\b", re.I)
_PARTNER = re.compile(r"\b(local authorit(?:y|ies)|councils?|partner trusts?|nhs trusts?|foundation trusts?|providers?|"
                      r"vcse|voluntary|community sector|healthwatch|health and wellbeing boards?|primary care|police|"
                      r"nhs england|partners?|partnerships?|provider collaboratives?|hospices?|universit(?:y|ies)|"
                      r"innovation network|ahsn|social care|schools|housing|public health)\b", re.I)


@dataclass(frozen=True)
class Point:
    """One verbatim sentence from an ICB document, with how well it fits the duty."""

    chunk: Chunk
    text: str
    score: float


@dataclass(frozen=True)
class Material:
    """What retrieval found for one duty, before any wording is added."""

    statutory: Citation | None
    expects: tuple[Citation, ...]
    actions: tuple[Point, ...]
    measures: tuple[Point, ...]
    partners: tuple[Point, ...]


# --- embeddings, cached per embedder (drafting every duty re-reads the same sentences) -------------
class CachedEmbedder:
    MAX_ENTRIES = 200_000

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "embedder")
        self.dimension = getattr(inner, "dimension", 0)
        self._docs: dict[str, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.inner.embed_documents([])
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._docs]
            if missing:
                if len(self._docs) + len(missing) > self.MAX_ENTRIES:
                    self._docs.clear()
                self._docs.update(zip(missing, self.inner.embed_documents(missing), strict=True))
            return np.stack([self._docs[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            if text not in self._queries:
                self._queries[text] = self.inner.embed_query(text)
            return self._queries[text]


_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached_embedder(embedder) -> CachedEmbedder:
    if isinstance(embedder, CachedEmbedder):
        return embedder
    try:
        if embedder not in _CACHES:
            _CACHES[embedder] = CachedEmbedder(embedder)
        return _CACHES[embedder]
    except TypeError:  # not weak-referenceable: cache for this call only
        return CachedEmbedder(embedder)


# --- gathering material ----------------------------------------------------------------------------
def _trim_row_key(text: str) -> str:
    """Table rows read "Duty as to climate change | Our plan ...": quote the cell, not the key."""
    tail = text.rsplit(" | ", 1)[-1].strip()
    return tail if tail != text and len(tail.split()) >= 7 else text


def _row_duties(chunk: Chunk) -> dict[str, tuple[str, ...] | None]:
    """For each line of a chunk, the duties its table row is keyed by ("Duty as to climate change | ...");
    continuation lines belong to the row above; None where no row is known."""
    out: dict[str, tuple[str, ...] | None] = {}
    current: tuple[str, ...] | None = None
    for line in chunk.text.split("\n"):
        if " | " in line:
            key = line.split(" | ", 1)[0]
            current = tuple(duties_in_heading(key) or match_duties(key))
        out[line] = current
    return out


def _on_topic(duty: Duty, chunk: Chunk, sentence: str, before: Chunk | None = None) -> bool | None:
    """True when the sentence's table row is keyed by this duty (or, outside a table, its chunk is
    tagged with it); False when its row is keyed by another duty; None when nothing says.

    A row is found by its label as ``jfp requirements`` finds it (``rows.row_duties``: a
    table flattened to text, "Duty to promote education and training" on a line of its own above its
    sentences, or the last row of ``before``, the chunk before, carried over), else by a " | " cell
    break after a key that names a duty or a content area."""
    # a content area's one-word name ("Workforce Improve retention ...") also heads rows of tables
    # that are not about duties (NHS England's objectives), so only a statutory duty's label counts
    labelled = tuple(d for d in row_duties(chunk, sentence, before) if get_duty(d).kind == "duty")
    if labelled:
        return True if duty.id in labelled else (False if duty.kind == "duty" else None)
    for line, keyed in _row_duties(chunk).items():
        if sentence in line and keyed is not None:
            if duty.id in keyed:
                return True
            # rows are keyed by statutory duties: a content area may be spoken of in any row
            return False if keyed and duty.kind == "duty" else None
    return True if duty.id in chunk.duty_ids else None


@lru_cache(maxsize=1)
def _duty_headings() -> tuple[str, ...]:
    return tuple(h.lower() for d in all_duties() if d.kind == "duty" for h in d.headings)


def _statement(text: str) -> bool:
    """A full statement worth quoting: not a lead-in, a heading, a fragment or restated guidance
    (a requirements table flattened into text starts with the duty's heading)."""
    return (len(text.split()) >= 7 and not text.rstrip().endswith(":") and not _ECHO.search(text)
            and not _FRAGMENT.search(text) and len(_OUTLINE.findall(text)) < 2
            and not text.lower().startswith(_duty_headings()))


def _local_points(service, duty: Duty, query: str, qv: np.ndarray, embedder: CachedEmbedder) -> list[Point]:
    """Relevant sentences from the ICB's own documents (every kind but guidance, briefing, commentary)."""
    from ingest.index import Filters

    retriever = service.retriever
    kinds = sorted({c.kind for c in retriever.chunks} - NATIONAL_KINDS)
    chunks: dict[str, Chunk] = {c.chunk_id: c for c in retriever.chunks if c.kind in kinds and duty.id in c.duty_ids}
    for kind in kinds:
        for r in retriever.retrieve(query, k=6, filters=Filters(kind=kind), duties=[duty.id], query_vector=qv):
            chunks.setdefault(r.chunk.chunk_id, r.chunk)
    sents = [s for c in chunks.values() for s in sentences_of(c) if _statement(_trim_row_key(s.text))]
    if not sents:
        return []
    sims = embedder.embed_documents([s.context for s in sents]) @ qv
    before = {cid: retriever.previous_chunk(c) for cid, c in chunks.items()}  # a table row carried over
    points: dict[str, Point] = {}
    for s, sim in zip(sents, sims, strict=True):
        text = _trim_row_key(s.text)
        tagged = _on_topic(duty, s.chunk, s.text, before[s.chunk.chunk_id])
        named = duty.id in match_duties(text)  # the sentence itself uses the duty's signal phrases
        if sim < (0.25 if tagged else 0.35 if named else 0.55) or (tagged is False and not named):
            continue
        score = (float(sim) + (0.12 if tagged else 0.0) + (0.08 if named else 0.0)
                 + (0.04 if _COMMITMENT.search(text) else 0.0))
        key = collapse(text).lower()
        if key not in points or points[key].score < score:
            points[key] = Point(s.chunk, text, score)
    return sorted(points.values(), key=lambda p: -p.score)


def _take(points: list[Point], used: set[str], limit: int, per_doc: int, test=lambda p: True) -> tuple[Point, ...]:
    out: list[Point] = []
    count: dict[str, int] = {}
    for p in points:
        if p.text in used or not test(p) or count.get(p.chunk.doc_id, 0) >= per_doc:
            continue
        out.append(p)
        used.add(p.text)
        count[p.chunk.doc_id] = count.get(p.chunk.doc_id, 0) + 1
        if len(out) >= limit:
            break
    return tuple(out)


def _expectations(service, duty: Duty, qv: np.ndarray, embedder: CachedEmbedder) -> tuple[Citation | None, list[Citation]]:
    """The requirement quoted as the statutory one, and what else the guidance expects, most relevant first."""
    reqs = [r for r in find_requirements(duty, service.retriever, embedder).requirements
            if not r.text.rstrip().endswith((":", "?")) and not _other_duty_heading(duty, r.text)]
    if not reqs:
        return None, []
    contexts = []
    for r in reqs:
        head = r.citation.section.split(" > ")[-1] if r.citation.section else ""
        contexts.append(f"{head}: {r.text}" if head else r.text)
    chunks = [service.retriever.chunk(r.citation.chunk_id) for r in reqs]
    sims = embedder.embed_documents(contexts) @ qv
    scored = []
    for r, c, sim in zip(reqs, chunks, sims, strict=True):
        tagged = c is not None and duty.id in c.duty_ids or duty.id in match_duties(r.text)
        national = c is not None and c.kind in NATIONAL_KINDS
        # an ICB's own document counts here only where it restates the guidance ("the plan should ...")
        restated = tagged and (_MODAL.search(r.text) or _ECHO.search(r.text))
        if sim >= (0.25 if tagged else 0.35) and (national or restated):
            scored.append((float(sim) + (0.1 if tagged else 0.0) + (0.05 if national else 0.0), national, r))
    scored.sort(key=lambda x: -x[0])
    statutory = _statutory(service, duty, qv, embedder, scored) if duty.kind == "duty" else None
    picked: list[tuple[bool, int, Citation]] = []
    per_doc: dict[str, int] = {}
    for _score, national, r in scored:
        c = r.citation
        if same_quote(c, statutory) or per_doc.get(c.doc_id, 0) >= 4:
            continue
        per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
        picked.append((national, reqs.index(r), c))
        if len(picked) >= 7:
            break
    # national guidance first, then an ICB paper that restates it; within each, find_requirements' order
    picked.sort(key=lambda x: (not x[0], x[1]))
    expects = [c for _, _, c in picked]
    docs = {c.doc_id for c in expects + ([statutory] if statutory else [])}
    if len(docs) < 2:
        expects += _another_voice(service, duty, qv, embedder, docs)
    return statutory, expects


def same_quote(a: Citation, b: Citation | None) -> bool:
    return b is not None and a.chunk_id == b.chunk_id and collapse(a.quote) == collapse(b.quote)


def _another_voice(service, duty: Duty, qv: np.ndarray, embedder: CachedEmbedder, docs: set[str]) -> list[Citation]:
    """When one document is all the guidance found, the best sentence naming the duty from another
    document that states what the plan should hold (national, or an ICB paper restating it)."""
    query = f"{duty.title}. {duty.summary}"
    chunks = [r.chunk for r in service.retriever.retrieve(query, k=12, duties=[duty.id], query_vector=qv)
              if r.chunk.doc_id not in docs]
    sents = [s for c in chunks for s in sentences_of(c)
             if len(s.text.split()) >= 7 and not s.text.rstrip().endswith((":", "?")) and duty.id in match_duties(s.text)
             and (c.kind in NATIONAL_KINDS and _EXPECTS.search(s.text) or _MODAL.search(s.text) or _ECHO.search(s.text))]
    if not sents:
        return []
    sims = embedder.embed_documents([s.context for s in sents]) @ qv
    best, sim = max(zip(sents, sims, strict=True), key=lambda x: x[1])
    return [make_citation(0, best.chunk, best.text)] if sim >= 0.25 else []


def _statutory(service, duty: Duty, qv: np.ndarray, embedder: CachedEmbedder, scored: list) -> Citation | None:
    """The sentence that states the duty: a full sentence saying "must" from national guidance on the
    duty, else one an ICB paper restates, else a requirement implying it ("discharge the duty to ...")."""
    sents = [s for c in service.retriever.chunks if c.kind in NATIONAL_KINDS and duty.id in c.duty_ids
             for s in sentences_of(c) if re.search(r"\bmust\b", s.text) and s.text[:1].isupper()]
    if sents:
        sims = embedder.embed_documents([s.context for s in sents]) @ qv
        # "JFPs must set out ..." states what the plan must do; prefer it to other musts on the topic
        bonus = [(0.1 if re.search(r"\b(jfps?|plans?)\s+must\b", s.text, re.I) else 0.0)
                 + (0.1 if duty.id in match_duties(s.text) else 0.0) for s in sents]
        best, sim, _ = max(zip(sents, sims, bonus, strict=True), key=lambda x: x[1] + x[2])
        if sim >= 0.35:
            return make_citation(0, best.chunk, with_its_items(best.text, best.chunk.text))
    musts = [(bool(_MODAL.search(r.text)), r.text[:1].isupper(), national, sc, r.citation)
             for sc, national, r in scored if r.strength == "must" and (national or _MODAL.search(r.text))]
    return max(musts, key=lambda m: m[:4])[4] if musts else None


_ITEM_LINE = re.compile(r"^\s*(?:[a-z]|\(?[a-z0-9]{1,3}[.)]\s)")


def with_its_items(sentence: str, text: str) -> str:
    """The sentence as it stands in ``text`` and, when it leads into a list ("... in respect of each
    financial year:", "... expertise in"), the items on the lines after it: the lead-in alone states
    no requirement. The items are the lines that start in lower case or with "a." / "(i)", up to one
    ending a sentence."""
    start = text.find(sentence)
    if start < 0 or not (sentence.rstrip().endswith(":") or unfinished(sentence)):
        return sentence
    end = start + len(sentence)
    rest = text[end:]
    taken = 0
    for line in rest.split("\n")[1:]:
        if not line.strip() or not _ITEM_LINE.match(line):
            break
        taken += 1
        end = text.index(line, end) + len(line)
        if line.rstrip().endswith("."):
            break
    return text[start:end] if taken else sentence


def _other_duty_heading(duty: Duty, text: str) -> bool:
    """"Duty to patient choice Describe how ..." is a row about another duty."""
    t = text.lower()
    return any(t.startswith(h.lower()) for d in all_duties() if d.id != duty.id for h in d.headings if len(h) > 12)


def gather(service, duty: Duty, embedder: CachedEmbedder | None = None) -> Material:
    embedder = embedder or cached_embedder(service.embedder)
    query = f"{duty.title}. {duty.summary}"
    qv = embedder.embed_query(query)
    statutory, expects = _expectations(service, duty, qv, embedder)
    points = _local_points(service, duty, query, qv, embedder)
    used: set[str] = set()
    measures = _take(points, used, 3, 2, lambda p: bool(_METRIC.search(p.text)) and p.score >= 0.45)
    actions = _take(points, used, 5, 3)
    partners = _take(points, used, 3, 2, lambda p: bool(_PARTNER.search(p.text)) and p.score >= 0.45)
    return Material(statutory, tuple(expects), actions, measures, partners)
