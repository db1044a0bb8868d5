"""Hybrid retrieval: BM25 and dense search fused, routed by duty and by named document, diversified.

- Lexical: BM25 (bm25s) over the manifest's chunks, rebuilt when the manifest generation changes,
  so it is always in step with ingest and remove. Each chunk is indexed with the long form of the
  acronyms it uses (``assistant.glossary``), so "health and wellbeing boards" finds a chunk that only
  says "HWBs" (the query side already expands "HWB" the other way).
- Dense: cosine search in the vector index (the best of a chunk's views), restricted to documents
  the manifest knows.
- Fusion, two functions behind ``RetrievalConfig.fusion``:
  ``linear`` (the default), a convex combination ``alpha * cosine + (1 - alpha) * BM25 / best BM25``
  over the union of both candidate lists; and ``rrf``, reciprocal rank fusion (k=60). Linear keeps
  how far ahead a chunk is, which rank fusion throws away; on the gold splits it ranks the answering
  chunk higher on both (README, "Quality"), as Bruch et al. found for hybrid retrieval in general
  ("An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023).
- Routing: a boost for chunks tagged with a duty the question names or implies, and one for chunks
  of a document the question names ("what did Cornwall agree?", see ``document_names``).
- Fragments last: a chunk of a few words with no sentence (a cover title, a caption) is ranked after
  every passage; it can match a question that names its document closely and has nothing to quote.
- Diversity: at most ``max_doc_share`` of the results from one document (or, with
  ``doc_discount`` < 1, a greedy pass that discounts a document each time it is picked), so one long
  document does not crowd out the rest.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import threading
from dataclasses import dataclass, replace

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from assistant.answerability import CorpusStats
from assistant.chunk_sentences import about_structure, asks_for_outline, is_outline_chunk
from assistant.duties import duties_in_question
from assistant.glossary import everyday_acronyms, expand
from assistant.parts import parts_named, parts_of
from assistant.terms import STOPWORDS, TermWeights
from assistant.types import Chunk, ScoredChunk
from ingest.chunking import views
from ingest.embedding import Embedder
from ingest.index import Filters, VectorIndex
from ingest.manifest import Manifest

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import

RRF_K = 60
BOUND_SLACK = 0.02  # cosine: how far an approximate vector search may rank a closer view below the last it returns
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class RetrievalConfig:
    k: int = 8
    candidates: int = 40  # from each retriever before fusion
    fusion: str = "linear"  # "linear" (alpha * cosine + (1 - alpha) * BM25 / best BM25) or "rrf" (reciprocal rank)
    alpha: float = 0.8  # weight of the dense similarity in linear fusion (fitted on the dev split)
    # Routing boosts are in units of a tenth of the linear score's range, or of one rank-1 RRF
    # contribution; ``tuned`` gives the values fitted on the dev split for each fusion.
    duty_boost: float = 1.5  # for chunks tagged with a duty the question names or implies
    doc_boost: float = 2.5  # for chunks of a document the question names ("the Cornwall paper")
    outline_boost: float = 2.5  # for an outline of a plan's chapters when the question asks for it
    # for chunks in a numbered part the question names ("appendix 2", ``assistant.parts``); as strong
    # as naming the document, and not fitted: only one gold question names a part, and it ranks first
    part_boost: float = 2.5
    doc_discount: float = 1.0  # < 1: each further pick from a document is discounted (else: a cap, below)
    use_dense: bool = True
    use_lexical: bool = True
    dense_weight: float = 1.0  # weight of the dense ranking in RRF (lexical has 1.0)
    max_doc_share: float = 0.6  # at most this share of the k results from one document
    # the vector search reads the question as asked (everyday acronyms such as "JFP" not spelled out)
    # at this weight, and spelled out in full at the rest (``JfpService.question_query``). Dev / held-out
    # coverage 0.770-0.783 / 0.825 for weights 0.3-0.7, against 0.768 / 0.824 spelled out only and
    # 0.765 / 0.816 as asked only; at 0.5 and above "What are the key deadlines for the JFP?" loses its dates
    as_asked_weight: float = 0.4

    @classmethod
    def tuned(cls, fusion: str = "linear", **overrides) -> RetrievalConfig:
        """The settings fitted on the dev split for this fusion function."""
        if fusion not in FUSIONS:
            raise ValueError(f"Unknown fusion {fusion!r}; choose one of {', '.join(FUSIONS)}.")
        fitted = {"linear": {"alpha": 0.8, "duty_boost": 1.5, "doc_boost": 2.5},
                  "rrf": {"duty_boost": 1.0, "doc_boost": 1.0, "outline_boost": 1.0, "part_boost": 1.0}}[fusion]
        return cls(**{"fusion": fusion, **fitted, **overrides})


FUSIONS = ("linear", "rrf")


def rrf(rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal rank fusion: score(id) = sum over rankings of w / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = weights[i] if weights else 1.0
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + w / (k + rank)
    return scores


def diversify(ranked: list[tuple[str, float]], doc_of: dict[str, str], k: int, discount: float) -> list[tuple[str, float]]:
    """Greedy selection where each pick from an already-picked document is discounted."""
    pool = list(ranked)
    picked: list[tuple[str, float]] = []
    per_doc: dict[str, int] = {}
    while pool and len(picked) < k:
        best_i = max(range(len(pool)), key=lambda i: pool[i][1] * (discount ** per_doc.get(doc_of[pool[i][0]], 0)))
        cid, score = pool.pop(best_i)
        per_doc[doc_of[cid]] = per_doc.get(doc_of[cid], 0) + 1
        picked.append((cid, score))
    return picked


def cap_per_document(ranked: list[tuple[str, float]], doc_of: dict[str, str], k: int, cap: int) -> list[tuple[str, float]]:
    """Best-first, but no document takes more than ``cap`` of the ``k`` places (while others can fill them)."""
    picked: list[tuple[str, float]] = []
    overflow: list[tuple[str, float]] = []
    per_doc: dict[str, int] = {}
    for cid, score in ranked:
        if len(picked) >= k:
            break
        d = doc_of[cid]
        if per_doc.get(d, 0) >= cap:
            overflow.append((cid, score))
            continue
        per_doc[d] = per_doc.get(d, 0) + 1
        picked.append((cid, score))
    picked += overflow[: k - len(picked)]  # only one document has anything left: let it fill up
    return picked


_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_POSSESSIVE = re.compile(r"['’]s?$")


def _words(text: str) -> set[str]:
    """The words of ``text`` in lower case, a possessive dropped ("Cornwall's" is "cornwall")."""
    return {_POSSESSIVE.sub("", w.lower()) for w in _NAME_WORD.findall(text)}


# words of place names that name no place alone: "South" in "Lancashire and South Cumbria" must not
# make "the South West region" a question about Lancashire
_GENERIC_PLACE_WORDS = frozenset({"north", "south", "east", "west", "central", "isles", "island", "islands", "city",
                                  "county", "borough", "greater", "upper", "lower", "new", "mid"})


def document_names(titles: dict[str, str], chunks: list[Chunk]) -> dict[str, frozenset[str]]:
    """Words that name one document: capitalised in its title ("Cornwall", "Lancashire"; ``titles`` may
    carry the publisher's name after the title: "Arden", "GEM") and found in no other document's title
    or text. "Plans" or "Guidance" name nothing: every document uses them.
    All of a name's words are kept ("Lancashire", "South", "Cumbria"): they are taken out of the
    question when its sentences are matched; ``named_documents`` needs more than "South" alone."""
    seen_in: dict[str, set[str]] = {}
    for c in chunks:
        for w in _words(c.text):
            seen_in.setdefault(w, set()).add(c.doc_id)
    for doc_id, title in titles.items():
        for w in _words(title):
            seen_in.setdefault(w, set()).add(doc_id)
    out = {}
    for doc_id, title in titles.items():
        words = {_POSSESSIVE.sub("", w.lower()) for w in _NAME_WORD.findall(title) if w[:1].isupper() and len(w) >= 3}
        out[doc_id] = frozenset(w for w in words if seen_in.get(w, set()) <= {doc_id})
    return out


_SENTENCE_STOP = re.compile(r"[.!?](?:\s|$)")
FRAGMENT_WORDS = 20


def is_fragment(chunk: Chunk) -> bool:
    """A chunk that is a few words with no sentence in them and no table cells: a cover title ("Lancashire
    and South Cumbria Integrated Care Board"), a version line, a caption. It matches a question that
    names its document very closely and answers nothing."""
    text = chunk.text
    return len(text.split()) < FRAGMENT_WORDS and not _SENTENCE_STOP.search(text) and " | " not in text


# The words of a question that say how it is asked, not what about: bm25s's English list (33 words,
# Lucene's) keeps "what", "how", "we", "our", "should", "need", so "What should we include on
# workforce?" matched the ICB papers' "we" and any "should" as strongly as the national guidance's
# workforce section. Only the question drops them: the chunks keep their words, so BM25's length
# normalisation is as before (dropping them on both sides ranked less well on the dev split).
QUERY_STOPWORDS = sorted(set(STOPWORDS_EN) | STOPWORDS)


class LexicalIndex:
    """BM25 over chunk text and section path; the question without the words that only frame it
    (``QUERY_STOPWORDS``).

    With ``glossary`` (acronym -> long form, ``assistant.glossary``), each chunk is indexed with the
    long forms of the acronyms it uses appended; without it, the plain text (the BM25 baseline).
    """

    def __init__(self, chunks: list[Chunk], glossary: dict[str, str] | None = None) -> None:
        self.chunks = chunks
        self._retriever = bm25s.BM25()
        corpus = [f"{c.section}\n{c.text}" for c in chunks]
        if glossary is not None:
            corpus = [expand(t, glossary) for t in corpus]
        tokens = bm25s.tokenize(corpus, stopwords="en", show_progress=False) if corpus else None
        if corpus:
            self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[Chunk, float]]:
        if not self.chunks or not _TOKEN.search(query):
            return []
        q = bm25s.tokenize([query], stopwords=QUERY_STOPWORDS, show_progress=False)
        if not q.ids or not q.ids[0]:
            return []
        if filters and not filters.is_empty():
            mask = np.array([1.0 if filters.accepts(c) else 0.0 for c in self.chunks], dtype=np.float32)
        else:
            mask = None
        n = min(n, len(self.chunks))
        # n_threads=0 runs in this thread; 1 starts a thread pool for every question (~1.5 ms)
        docs, scores = self._retriever.retrieve(q, k=n, show_progress=False, weight_mask=mask, n_threads=0)
        out = []
        for i, s in zip(docs[0], scores[0], strict=True):
            if s > 0:
                out.append((self.chunks[int(i)], float(s)))
        return out


class HybridRetriever:
    def __init__(self, manifest: Manifest, index: VectorIndex, embedder: Embedder, config: RetrievalConfig | None = None,
                 glossary: dict[str, str] | None = None) -> None:
        """``glossary``: local acronyms (``glossary.json`` beside the corpus) on top of the built-in ones."""
        self.manifest = manifest
        self.glossary = glossary or {}
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        self._lock = threading.Lock()
        self._generation = -1
        self._lexical: LexicalIndex | None = None
        self._by_id: dict[str, Chunk] = {}
        self._next: dict[str, str] = {}
        self._names: dict[str, frozenset[str]] = {}
        self._kinds: dict[str, str] = {}
        self._views: dict[str, list[str]] = {}
        self._fragments: set[str] = set()
        self._outlines: set[str] = set()
        self._parts: dict[tuple[str, str], list[str]] = {}  # ("appendix", "2") -> the chunks in it
        self.corpus = CorpusStats.empty()
        self._everyday: frozenset[str] = frozenset()

    def refresh(self) -> None:
        """Rebuild the in-memory chunk table and BM25 index if the manifest changed."""
        gen = self.manifest.generation()
        with self._lock:
            if gen != self._generation or self._lexical is None:
                chunks = self.manifest.chunks()
                self._by_id = {c.chunk_id: c for c in chunks}
                in_order = sorted(chunks, key=lambda c: (c.doc_id, c.ordinal))
                self._next = {a.chunk_id: b.chunk_id for a, b in itertools.pairwise(in_order) if a.doc_id == b.doc_id}
                self._previous = {b: a for a, b in self._next.items()}
                self._lexical = LexicalIndex(chunks, self.glossary)
                # a document is named by its title or its publisher ("the Arden & GEM blog")
                self._names = document_names({c.doc_id: f"{c.title} {c.publisher}" for c in chunks}, chunks)
                self._kinds = {c.doc_id: c.kind for c in chunks}
                self._views = {}
                self._fragments = {c.chunk_id for c in chunks if is_fragment(c)}
                self._outlines = {c.chunk_id for c in chunks if is_outline_chunk(c)}
                self._parts = {}
                for c in chunks:
                    for part in parts_of(c.section):
                        self._parts.setdefault(part, []).append(c.chunk_id)
                self.corpus = replace(CorpusStats.build(f"{c.section}\n{c.text}" for c in chunks),
                                      document_names=frozenset().union(*self._names.values()))
                self._everyday = everyday_acronyms(self.corpus.weights, self.glossary)
                self._generation = gen

    def document_kind(self, doc_id: str) -> str | None:
        self.refresh()
        return self._kinds.get(doc_id)

    def named_documents(self, query: str) -> list[str]:
        """Documents the question names by a word only their title uses ("what did Cornwall agree?");
        none when it names more than two (then it is not asking about one document)."""
        self.refresh()
        words = _words(query)
        named = [d for d, names in self._names.items() if (names - _GENERIC_PLACE_WORDS) & words]
        return named if len(named) <= 2 else []

    @property
    def term_weights(self) -> TermWeights:
        return self.corpus.weights

    def everyday_acronyms(self) -> frozenset[str]:
        """The acronyms most chunks use (``assistant.glossary.everyday_acronyms``)."""
        self.refresh()
        return self._everyday

    def chunk(self, chunk_id: str) -> Chunk | None:
        self.refresh()
        return self._by_id.get(chunk_id)

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The chunk after this one in its document, if any."""
        self.refresh()
        after = self._next.get(chunk.chunk_id)
        return self._by_id.get(after) if after else None

    def previous_chunk(self, chunk: Chunk) -> Chunk | None:
        """The chunk before this one in its document, if any."""
        self.refresh()
        before = self._previous.get(chunk.chunk_id)
        return self._by_id.get(before) if before else None

    @property
    def chunks(self) -> list[Chunk]:
        self.refresh()
        return list(self._by_id.values())

    def retrieve(self, query: str, *, k: int | None = None, filters: Filters | None = None,
                 duties: list[str] | None = None, query_vector: np.ndarray | None = None,
                 config: RetrievalConfig | None = None) -> list[ScoredChunk]:
        cfg = config or self.config
        k = k or cfg.k
        self.refresh()
        assert self._lexical is not None
        rankings: list[list[str]] = []
        weights: list[float] = []
        dense_sim: dict[str, float] = {}
        lexical_score: dict[str, float] = {}
        if cfg.use_dense:
            qv = query_vector if query_vector is not None else self.embedder.embed_query(query)
            hits = [h for h in self.index.query(qv, cfg.candidates, filters) if h.chunk_id in self._by_id]
            dense_sim = {h.chunk_id: h.similarity for h in hits}
            rankings.append([h.chunk_id for h in hits])
            weights.append(cfg.dense_weight)
        if cfg.use_lexical:
            lex = self._lexical.search(query, cfg.candidates, filters)
            lexical_score = {c.chunk_id: s for c, s in lex}
            rankings.append([c.chunk_id for c, _ in lex])
            weights.append(1.0)
        wanted = set(duties if duties is not None else duties_in_question(query)[:2])
        named = self.named_documents(query) if cfg.doc_boost else []
        parts = parts_named(query) if cfg.part_boost else frozenset()
        # the chunks of a part the question names ("appendix 4") are candidates though neither
        # retriever brought them back: a short table of dates matches no word of "what is in appendix 4?"
        in_parts = {cid for p in parts for cid in self._parts.get(p, ())
                    if not filters or filters.is_empty() or filters.accepts(self._by_id[cid])}
        # a cover title, a caption, or (unless the question asks how a plan is laid out) an outline of
        # chapters: nothing to quote, ranked after every passage
        last = self._fragments if about_structure(query) else self._fragments | self._outlines
        outline_boost = cfg.outline_boost if asks_for_outline(query) else 0.0  # "what are the main chapters?"
        linear = cfg.fusion == "linear" and cfg.use_dense and cfg.use_lexical
        bonus_unit = 0.1 if linear else 1.0 / (RRF_K + 1)

        def boost(cid: str) -> float:
            c = self._by_id[cid]
            return ((cfg.duty_boost * bonus_unit if cfg.duty_boost and wanted & set(c.duty_ids) else 0.0)
                    + (cfg.doc_boost * bonus_unit if named and c.doc_id in named else 0.0)
                    + (outline_boost * bonus_unit if cid in self._outlines else 0.0)
                    + (cfg.part_boost * bonus_unit if cid in in_parts else 0.0))

        if linear:
            top_lex = max(lexical_score.values(), default=0.0) or 1.0

            def linear_score(cid: str) -> float:
                return (cfg.alpha * dense_sim.get(cid, 0.0) + (1 - cfg.alpha) * lexical_score.get(cid, 0.0) / top_lex
                        + boost(cid))

            fused = {cid: linear_score(cid) for cid in dense_sim}
            missing = [c for c in lexical_score if c not in dense_sim]
            missing += [c for c in sorted(in_parts) if c not in dense_sim and c not in lexical_score]
            missing = self._could_be_picked(missing, fused, dense_sim, lexical_score, top_lex, boost, k, cfg, last)
            if missing:
                view_ids = {v: cid for cid in missing for v in self._view_ids(cid)}
                dense_sim.update(self.index.similarities(qv, missing, view_ids))
                fused.update({cid: linear_score(cid) for cid in missing})
        else:
            fused = rrf(rankings, weights=weights)
            fused.update({cid: 0.0 for cid in in_parts if cid not in fused})
            for cid in fused:
                fused[cid] += boost(cid)
        picked = self._pick(fused, k, cfg, last)
        return [
            ScoredChunk(chunk=self._by_id[cid], score=score, rank=i, dense=dense_sim.get(cid),
                        lexical=lexical_score.get(cid))
            for i, (cid, score) in enumerate(picked, start=1)
        ]

    def _could_be_picked(self, missing: list[str], fused: dict[str, float], dense_sim: dict[str, float],
                         lexical_score: dict[str, float], top_lex: float, boost, k: int,
                         cfg: RetrievalConfig, last: set[str]) -> list[str]:
        """The lexical-only candidates that could still be among the ``k`` picked, so only their vectors
        are read (the second index call is most of a question's retrieval time on a large index).

        A chunk the vector search did not return is no closer to the question than the least close one
        it did (plus ``BOUND_SLACK``, as the search is approximate), which caps its fused score. One whose
        cap still ranks after the k-th pick made from the scored chunks alone cannot be picked: the
        per-document cap only ever skips chunks, so every one of those k comes before it."""
        if not missing or cfg.doc_discount < 1 or not dense_sim:
            return missing
        picked = self._pick(fused, k, cfg, last)
        if len(picked) < k:
            return missing
        floor = min(dense_sim.values()) + BOUND_SLACK
        worst = _order(*picked[-1], last)
        return [cid for cid in missing
                if _order(cid, cfg.alpha * floor + (1 - cfg.alpha) * lexical_score.get(cid, 0.0) / top_lex + boost(cid),
                          last)
                <= worst]

    def _pick(self, fused: dict[str, float], k: int, cfg: RetrievalConfig, last: set[str]) -> list[tuple[str, float]]:
        """The ``k`` results from the fused scores, in order, kept diverse across documents; the chunks
        in ``last`` after every other."""
        ranked = sorted(fused.items(), key=lambda kv: _order(*kv, last))
        doc_of = {cid: self._by_id[cid].doc_id for cid, _ in ranked}
        if cfg.doc_discount < 1:
            return diversify(ranked, doc_of, k, cfg.doc_discount)
        return cap_per_document(ranked, doc_of, k, max(1, math.ceil(k * cfg.max_doc_share)))

    def _view_ids(self, chunk_id: str) -> list[str]:
        """The ids of a chunk's stored vectors (``ingest.chunking.views``), worked out once per chunk."""
        ids = self._views.get(chunk_id)
        if ids is None:
            ids = self._views[chunk_id] = [vid for vid, _ in views(self._by_id[chunk_id])]
        return ids

    def top_dense_similarity(self, results: list[ScoredChunk]) -> float:
        sims = [r.dense for r in results if r.dense is not None]
        return max(sims) if sims else 0.0


def _order(chunk_id: str, score: float, last: set[str]) -> tuple[bool, float]:
    """Sort key of a scored chunk: one in ``last`` (a fragment, an outline) holds nothing to quote, so
    it comes after every passage; then the higher score first."""
    return (chunk_id in last, -score)


def with_rank(results: list[ScoredChunk]) -> list[ScoredChunk]:
    return [replace(r, rank=i) for i, r in enumerate(results, start=1)]
