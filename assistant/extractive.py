"""The default answerer: a query-focused extractive summary with a verbatim quote per sentence.

Candidate sentences come from the best retrieved chunks. Each is scored by embedding similarity to
the question, plus a small prior for the chunk's retrieval rank and for requirement wording
("must", "should"); a little for similarity to the registry summary of the duty the question is
about (a neighbouring row's or section's sentence is off its topic); and, for a question asking
when, for giving a date or a frequency ("by 30 June", "annually"). The best passage among the top
chunks is chosen first (for a question on what a duty requires, the best passage of the guidance
itself among the chunks considered: an ICB's table of duties restates each in a line), then
sentences are picked by maximal marginal relevance so that the answer does not repeat itself, until
the word budget is spent (for a question on what a plan should include or cover, an item of a long
list gives way to the earliest item of its list not yet quoted). The answer quotes them most relevant
first (a reader who stops after three lines has read what answers the question); among units about as
relevant as the best, requirements before suggestions (must, should, other, may); a sentence opening
with "They" or "This" straight after the sentence it leans on, and never first when that one is not
quoted (``answer_order``). Every sentence is quoted as written and carries its citation marker. A
short list is quoted whole, with its lead-in ("The five priorities are:" and each priority), marked
on every line (``assistant.chunk_sentences.answer_units``). An item of a list too long to quote whole
is quoted under the list's lead-in ("ICBs ... may wish to address how they will:"), which is cited
too and counts towards the word budget.

The sentence vectors are computed once at ingest and stored with the chunks (see
``ingest.pipeline``); answering looks them up, and embeds only sentences with no matching stored
vector (an index made by an older version, or sentence splitting changed since).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.chunk_sentences import (
    Sentence,
    about_structure,
    answer_units,
    asks_for_chapters,
    contexts_digest,
    is_contents_section,
    is_outline,
    is_outline_chunk,
)
from assistant.citations import make_citation
from assistant.discourse import asks_about_document, describes_document
from assistant.duties import is_duty_heading
from assistant.duty_topics import DutyTopics
from assistant.enumeration import Asked, announces, asked_count, chapter_units, enumerated_units
from assistant.overview import centre
from assistant.parts import parts_named
from assistant.rows import row_duties
from assistant.terms import TermWeights, content_terms, stem
from assistant.types import Chunk, Citation, ScoredChunk
from ingest.chunking import split_sentences
from ingest.embedding import Embedder

_MUST = re.compile(r"\b(must|shall|is required to|are required to|legally required|legal requirement)\b", re.I)
# an instruction in a requirements table: "Duty to patient choice | Describe how ICBs will ..."
_IMPERATIVE = re.compile(r"(^|[\s|])(Describe|Set out|Explain|Outline|Articulate|Identify|Ensure|Show|Include|Address)\b")
_SHOULD = re.compile(r"\b(should|expected to|expects?)\b", re.I)
# "are encouraged to describe", "will need to consider", "the guidance recommends": advice, not an option
_ENCOURAGED = re.compile(r"\b(are|is) (strongly )?encouraged to|\b(will )?needs? to (consider|describe|set out|show|include|address)\b|\brecommends?\b", re.I)
# a requirement the sentence denies: "there is not an expectation that all stakeholders must be consulted"
_DENIED = re.compile(r"\b(not an expectation|no expectation|not (be )?expected to|not (legally )?required|no (legal )?requirement|"
                     r"need not|does not need to|do not need to|not necessarily)\b", re.I)
# an entry in a list of links or references, or a tick-box line of a cover sheet: not a statement
_REFERENCE = re.compile(r"https?://\S+\s*;?$|^\W*[☐☒☑✓✔]")
# where a document is found: "Final report of the Ockenden review - GOV.UK (www.gov.uk)"
_LINK_MENTION = re.compile(r"\((?:www\.|https?://)[^)]*\)|\bGOV\.UK\b")
# who to contact, a newsletter or a link prompt: the page around the guidance, not the guidance
_BOILERPLATE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\b(please contact|queries (on|about) [\w\s]{0,30}(can|should) be "
                          r"(directed|sent)|stay on top of the latest|click here)\b|^(find out|read) more\b|"
                          r"\b(available|found|see|read|accessed) (it |them )?here\W*$|"
                          r"^see\b.{0,120}\bfor (further|more) (information|details?|guidance)\W*$",
                          re.I)
# a line of a table of contents: "Duty to promote education and training..... | 21"
_CONTENTS_LINE = re.compile(r"(\.\s?){4,}\W*\d+\W*$|…+\W*\d+\W*$")
# the lead-in of a list of documents to read, not of points to make ("These are available on the
# Greener NHS Knowledge Hub ... and include:")
_READING_LIST = re.compile(r"\b(publications?|resources?|further reading|links?|references?|further information|"
                           r"available (on|from|at|via|through|by contacting))\b", re.I)
# a sentence whose last words point at the sentence before it ("The Joint Forward Plan is part of this.",
# "... in line with these."): quoted alone, it says nothing
_ENDS_ON_WHAT_CAME_BEFORE = re.compile(r"\b(?:of|in|with|to|for|on|by|from|like|after|before)\s+(?:this|these|that|those)\W*$",
                                       re.I)
# chunk ids -> {chunk id: (digest of the embedded texts, one row per unit of ``answer_units``)}
StoredVectors = Callable[[Sequence[str]], Mapping[str, tuple[str, np.ndarray]]]


@dataclass(frozen=True)
class ExtractiveConfig:
    max_words: int = 250
    max_sentences: int = 7
    chunks_considered: int = 6
    mmr_lambda: float = 0.72
    min_relevance: float = 0.22  # a sentence less similar than this to the question is not used
    min_words: int = 7
    w_dense: float = 0.55  # weight of embedding similarity to the question
    w_lexical: float = 0.30  # weight of IDF-weighted term overlap with the question
    rank_prior: float = 0.10  # bonus / retrieval rank of the sentence's chunk
    must_bonus: float = 0.06
    should_bonus: float = 0.03
    lead_bonus: float = 0.03  # first sentences of a section usually state the requirement
    duty_bonus: float = 0.04  # chunk tagged with a duty the question is about
    named_bonus: float = 0.15  # a sentence of a document the question names ("Cornwall's board paper")
    strategy: str = "anchored"  # "anchored": the best passage's sentences are chosen first; "scattered": pure MMR
    anchor_words: int = 120  # budget for each anchor passage's sentences
    anchor_floor: float = 0.10  # an anchor sentence needs at least this similarity to the question
    anchor_from: int = 3  # the anchor is chosen among this many top-ranked chunks
    anchors: int = 1  # how many passages are read in their own order for the answer (each from another document)
    # for a question on what a duty requires, the anchor is the best passage of the guidance itself among
    # the chunks considered, not of any document among the top ``anchor_from`` (an ICB's table of duties
    # restates each duty in a line and runs on into the next duty's row)
    guidance_anchor: bool = True
    # for a question on what a plan should include or cover, an item of a long list is read in the list's
    # order: the item picked gives way to the earliest of its list not yet quoted (a document lists what a
    # section should cover in its own order); a question about one thing gets the item that answers it
    lists_in_order: bool = True
    date_bonus: float = 0.06  # for a question asking when: a sentence that gives a date or a frequency
    w_topic: float = 0.05  # weight of similarity to the routed duties' titles and summaries (``assistant.duties``)
    # a sentence about a document rather than its subject ("It contains a selection of case studies",
    # ``assistant.discourse``) ranks after those that say what to do, unless the question is about one
    meta_penalty: float = 0.1
    requirement_margin: float = 0.03  # units this close to the most relevant one lead in the order must, should, other, may


@dataclass(frozen=True)
class Selection:
    sentence: Sentence
    relevance: float


@dataclass(frozen=True)
class Choice:
    """What ``ExtractiveAnswerer.choose`` picked, and the similarity to the question of the closest
    candidate unit, picked or not: whether the sources hold anything close to the question does not
    depend on which of the close units the word budget and the redundancy penalty let in."""

    picks: list[Selection]
    closest: float


_REQUIREMENT_INTENT = re.compile(
    r"\b(must|should|need(s|ed)? to|have to|has to|required?|requirements?|expect(s|ed|ation)?|guidance|legal(ly)?|"
    r"statutory|supposed to)\b", re.I)
# a question about an ICB's own papers by their type (which ICB is found from the names of the documents)
_LOCAL_NAMED = re.compile(r"\b(board paper|annex|our own (plan|strategy|strategies|papers?))\b", re.I)
LOCAL_KINDS = frozenset({"icb_plan", "icb_paper", "strategy", "other"})


def national_first(question: str, names_local: bool = False) -> bool:
    """A question about what is required, not about an ICB's own papers (``names_local``: the question
    names one of them, "what must Cornwall's plan include?")."""
    return bool(_REQUIREMENT_INTENT.search(question)) and not names_local and not _LOCAL_NAMED.search(question)


def strength(text: str) -> str:
    """must / should / may / other, from the modal verb (an imperative in a requirements table is a must).
    A requirement the sentence denies ("there is not an expectation that all stakeholders must be
    consulted") is none."""
    denied = _DENIED.search(text)
    if denied:  # "... does not need to be a separate plan, but it must ...": what follows the "but"
        rest = re.search(r"\bbut\b(.*)", text[denied.end():], re.I | re.S)
        return strength(rest.group(1)) if rest else "other"
    if _MUST.search(text):
        return "must"
    if _SHOULD.search(text) or _ENCOURAGED.search(text):
        return "should"
    if _IMPERATIVE.search(text):
        return "must"
    if re.search(r"\b(may|could|might|consider)\b", text, re.I):
        return "may"
    return "other"


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder: Embedder, config: ExtractiveConfig | None = None,
                 term_weights: Callable[[], TermWeights] | None = None,
                 stored_vectors: StoredVectors | None = None, topics: DutyTopics | None = None,
                 following: Callable[[Chunk], Chunk | None] | None = None,
                 preceding: Callable[[Chunk], Chunk | None] | None = None) -> None:
        """``following``: the chunk after a chunk in its document (for a counted set whose numbered
        paragraphs run past the retrieved chunks, ``assistant.enumeration``); ``preceding``: the chunk
        before (for a table row whose label ends the chunk before, ``assistant.rows``)."""
        self.embedder = embedder
        self._following = following
        self._preceding = preceding
        self.config = config or ExtractiveConfig()
        self._term_weights = term_weights or (lambda: TermWeights([]))
        self._stored = stored_vectors
        self._cache: dict[str, np.ndarray] = {}
        self.topics = topics or DutyTopics(embedder)

    def _before(self, chunk: Chunk) -> Chunk | None:
        return self._preceding(chunk) if self._preceding else None

    def sentence_vectors(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """Vectors of these sentences: the ones stored at ingest where the stored set is for exactly
        the sentences scored now (same texts, same order), else embedded here and cached."""
        rows: list[np.ndarray | None] = [None] * len(sentences)
        if self._stored is not None and sentences:
            chunks = {s.chunk.chunk_id: s.chunk for s in sentences}
            matching: dict[str, np.ndarray] = {}
            for cid, (digest, matrix) in self._stored(list(chunks)).items():
                own = answer_units(chunks[cid])
                if len(matrix) == len(own) and digest == contexts_digest([x.context for x in own]):
                    matching[cid] = matrix
            for i, s in enumerate(sentences):
                m = matching.get(s.chunk.chunk_id)
                if m is not None and s.position >= 0:  # -1: a unit made outside ``answer_units``
                    rows[i] = m[s.position]
        missing = [i for i, r in enumerate(rows) if r is None]
        if missing:
            for i, v in zip(missing, self._embed([sentences[i].context for i in missing]), strict=True):
                rows[i] = v
        return np.stack(rows).astype(np.float32, copy=False)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors, cached: the same chunks come back for many questions."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed_documents(missing), strict=True):
                if len(self._cache) >= 50_000:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts])

    def usable(self, s: Sentence) -> bool:
        """Lead-ins ("This could include:"), titles of resources or of the document itself, and fragments
        make poor answers alone."""
        t = s.text.rstrip()
        words = t.split()
        if s.lines:  # a list with its lead-in, unless it is a reading list
            lead, *items = s.lines
            titles = all(_title_like(x) for x in items) and len(lead.split()) < self.config.min_words
            return not (titles or is_reading_list(lead))
        if (sum(1 for w in words if w not in _DASHES) < self.config.min_words or t.endswith(":")
                or is_reference(t) or _CONTENTS_LINE.search(t) or _BOILERPLATE.search(t)):
            return False
        if _flat(t).rstrip(".") == _flat(s.chunk.title).rstrip("."):  # the document's own title, printed on it
            return False
        if _ENDS_ON_WHAT_CAME_BEFORE.search(t):  # "The Joint Forward Plan is part of this.": of what, alone?
            return False
        return not _title_like(t) and not _title_row(t) and not is_duty_heading(t)

    def score(self, question: str, cands: list[tuple[Sentence, int]], sims: np.ndarray,
              duties: tuple[str, ...] = (), name_words: frozenset[str] = frozenset()) -> np.ndarray:
        """``name_words``: words that name a document ("Lancashire"); they pick the source (retrieval
        boosts it), they are not what the question is about, so they do not count as overlap."""
        cfg = self.config
        skip = {stem(w) for w in name_words}
        q_terms = [t for t in content_terms(question) if t not in skip] or content_terms(question)
        weights = self._term_weights()
        out = np.zeros(len(cands))
        for i, (s, rank) in enumerate(cands):
            st = strength(s.text)
            out[i] = (cfg.w_dense * sims[i]
                      + cfg.w_lexical * weights.overlap(q_terms, s.context)
                      + cfg.rank_prior / rank
                      + (cfg.must_bonus if st == "must" else cfg.should_bonus if st == "should" else 0.0)
                      + (cfg.lead_bonus if s.position < 2 else 0.0)
                      + (cfg.duty_bonus if duties and set(duties) & set(s.chunk.duty_ids) else 0.0))
        return out

    def candidates(self, retrieved: Sequence[ScoredChunk], question: str | None = None) -> list[tuple[Sentence, int]]:
        """The units an answer may quote, each with its chunk's retrieval rank: the usable units of the
        top ``chunks_considered`` chunks, in retrieval order. With ``question``: an outline of a
        plan's chapters ("3.1 Overview of our new model of local care 3.2 ...") only when the question
        asks how a plan is structured; it names topics and says nothing about them."""
        outlines = question is not None and not about_structure(question)
        # a list of appendices ("2. Legislative requirements for the joint forward plan") unless the
        # question is about a document's parts
        contents = outlines and not asks_about_document(question or "")
        return [(s, r.rank) for r in retrieved[: self.config.chunks_considered]
                if not (contents and is_contents_section(r.chunk))
                for s in answer_units(r.chunk) if self.usable(s) and not (outlines and is_outline(s.text))]

    def select(self, question: str, retrieved: list[ScoredChunk], query_vector: np.ndarray | None = None,
               max_words: int | None = None, duties: tuple[str, ...] = (), names_local: bool = False,
               name_words: frozenset[str] = frozenset(), named_docs: frozenset[str] = frozenset()) -> list[Selection]:
        """The units the answer quotes, in answer order (``choose`` without the closest similarity)."""
        return self.choose(question, retrieved, query_vector, max_words, duties, names_local, name_words,
                           named_docs).picks

    def choose(self, question: str, retrieved: list[ScoredChunk], query_vector: np.ndarray | None = None,
               max_words: int | None = None, duties: tuple[str, ...] = (), names_local: bool = False,
               name_words: frozenset[str] = frozenset(), named_docs: frozenset[str] = frozenset(),
               overview: bool = False) -> Choice:
        """The units to quote, and how close the closest candidate is to the question.

        ``name_words``: the words that name a document; ``named_docs``: the documents the question
        names by them, whose sentences are preferred. ``overview``: the question asks what a named
        document says as a whole, so units are matched against that document's centre
        (``assistant.overview``), not the question's framing words."""
        cfg = self.config
        budget = max_words or cfg.max_words
        cands = self.candidates(retrieved, question)
        if not cands:
            return Choice([], 0.0)
        cands, counted = self._with_enumeration(question, cands, budget)
        qv = query_vector if query_vector is not None else self.embedder.embed_query(question)
        sv = self.sentence_vectors([s for s, _ in cands])
        # similarity to the question as asked: what the abstention threshold is calibrated on
        closeness = sv @ qv
        topic = without_names(question, name_words)
        # "what did Cornwall's board say about ...": sentences are chosen on what it is about
        sims = closeness if topic == question else sv @ self.embedder.embed_query(topic)
        if overview:
            own = [i for i, (u, _) in enumerate(cands) if not named_docs or u.chunk.doc_id in named_docs]
            sims = sv @ centre(sv[own]) if own else sims
        rel = self.score(question, cands, sims, duties, name_words)
        if cfg.date_bonus and asks_when(question):
            rel = rel + cfg.date_bonus * np.array([gives_time(s.text) for s, _ in cands])
        if duties and cfg.w_topic:  # on the duty's topic, not a neighbouring row's or section's
            rel = rel + cfg.w_topic * (sv @ self.topics.vector(duties))
        if cfg.meta_penalty and not (overview or about_structure(question) or asks_about_document(question)):
            rel = rel - cfg.meta_penalty * np.array([describes_document(s.text) for s, _ in cands])
        if named_docs and cfg.named_bonus:
            rel = rel + cfg.named_bonus * np.array([s.chunk.doc_id in named_docs for s, _ in cands])
        chosen: list[int] = []
        words = 0
        if counted:  # "what are the five elements?": the announcement and the five, in order
            chosen, words = counted, sum(len(cands[i][0].text.split()) for i in counted)
        elif cfg.strategy == "anchored":
            from_guidance = (cfg.guidance_anchor and bool(duties) and national_first(question, names_local)
                             and not parts_named(question))
            chosen, words = self._anchor(cands, sims, rel, budget, from_guidance)
        pool = [i for i in range(len(cands)) if sims[i] >= cfg.min_relevance and i not in chosen]
        anchor_set = set(chosen)
        seen_text: list[str] = [_flat(cands[i][0].text) for i in chosen]
        in_order = cfg.lists_in_order and asks_for_contents(question)
        while pool and len(chosen) < cfg.max_sentences + len(anchor_set):
            red = np.max(sv[pool] @ sv[chosen].T, axis=1) if chosen else np.zeros(len(pool))
            mmr = cfg.mmr_lambda * rel[pool] - (1 - cfg.mmr_lambda) * red
            j = int(np.argmax(mmr))
            i = pool.pop(j)
            if in_order:
                i = _earliest_in_list(cands, i, pool)
            s = cands[i][0]
            key = _flat(s.text)
            if any(key in t or t in key for t in seen_text):  # said already (overlapping chunks, a list)
                continue
            group = _with_illustrated(cands, i, chosen)
            if group is None:  # an example whose item cannot be quoted above it
                continue
            quoted = [cands[c][0] for c in chosen]
            n = 0
            for g in group:
                n += _cost(cands[g][0], quoted)
                quoted.append(cands[g][0])
            if chosen and words + n > budget:
                continue
            if any(_flat(cands[g][0].text) in t for g in group[:-1] for t in seen_text):
                continue  # the item it illustrates is quoted already, from an overlapping chunk
            for g in group[:-1]:  # the item an example illustrates, just above it
                if g in pool:
                    pool.remove(g)
                seen_text.append(_flat(cands[g][0].text))
            seen_text.append(key)
            chosen.extend(group)
            words += n
            if words >= budget:
                break
        # "what does Lancashire say about ...": Lancashire's words first; what the guidance requires
        # before how an ICB did it
        national = national_first(question, names_local)
        # and a table row keyed by another duty after the rest ("Duty in respect of research Set out
        # how ..." does not open an answer on climate change drawn from the same table)
        before = {c.chunk_id: self._before(c) for c in {s.chunk for s, _ in cands}} if duties else {}
        source_first = [(bool(named_docs) and s.chunk.doc_id not in named_docs,
                         national and s.chunk.kind in LOCAL_KINDS,
                         bool(duties) and _in_another_duty_row(s, duties, before[s.chunk.chunk_id]))
                        for s, _ in cands]
        ordered = answer_order(chosen if not counted else [i for i in chosen if i not in anchor_set], rel,
                               [strength(s.text) for s, _ in cands], cfg.requirement_margin,
                               _continuations(cands, chosen), source_first)
        if counted:  # the announcement and its members, in the document's order, then the rest
            ordered = [i for i in chosen if i in anchor_set] + ordered
        picks = [Selection(cands[i][0], float(closeness[i])) for i in ordered]
        return Choice(picks, float(np.max(closeness)))

    def _with_enumeration(self, question: str, cands: list[tuple[Sentence, int]],
                          budget: int) -> tuple[list[tuple[Sentence, int]], list[int]]:
        """For a question asking for a counted set ("what are the five elements?"), the candidates
        with the opening unit of each numbered paragraph of the set added where retrieval missed it,
        and the indices of the announcement and the paragraphs, in order; no indices when no
        candidate announces such a set, its paragraphs are not all found, or they overrun the budget.
        For a question asking for a plan's outline ("what are the main chapters?"), likewise the
        outline's top-level chapters (``assistant.enumeration``)."""
        if asks_for_chapters(question):
            with_chapters = self._chapters(cands, budget)
            if with_chapters[1]:
                return with_chapters
        asked = asked_count(question)
        return self._counted(asked, cands, budget) if asked else (cands, [])

    def _chapters(self, cands: list[tuple[Sentence, int]], budget: int) -> tuple[list[tuple[Sentence, int]], list[int]]:
        """The top-level chapters of the best-ranked outline among the candidates, added to them."""
        outline = next((c for c in dict.fromkeys(s.chunk for s, _ in cands) if is_outline_chunk(c)), None)
        chapters = chapter_units(outline, self._following) if outline and self._following else []
        if not chapters or sum(len(u.text.split()) for u in chapters) > budget:
            return cands, []
        # the chapters stand for the subsections under them, which are not quoted as well
        return self._added([(s, r) for s, r in cands if not is_outline(s.text)], chapters)

    def _counted(self, asked: Asked, cands: list[tuple[Sentence, int]],
                 budget: int) -> tuple[list[tuple[Sentence, int]], list[int]]:
        """The first unit of a candidate chunk that announces the asked set, with its members: a
        list quoted whole ("The three principles ... are:" and three items), or the numbered
        paragraphs or items after it. The announcement may be a lead-in ("... on three aspects:"),
        which is no answer alone but is one with the items it leads into."""
        for chunk in dict.fromkeys(s.chunk for s, _ in cands):
            for s in answer_units(chunk):
                if s.lines:
                    if announces(s.lines[0], asked) and len(s.lines) - 1 == asked.count:
                        return self._added(cands, [s])
                elif announces(s.text, asked):
                    items = enumerated_units(s, asked, self._following) if self._following else []
                    if items and sum(len(u.text.split()) for u in [s, *items]) <= budget:
                        return self._added(cands, [s, *items])
        return cands, []

    def _added(self, cands: list[tuple[Sentence, int]],
               units: list[Sentence]) -> tuple[list[tuple[Sentence, int]], list[int]]:
        """The candidates with ``units`` added where they are not among them, and their indices."""
        out = list(cands)
        index = {u: j for j, (u, _) in enumerate(out)}
        picked = []
        for u in units:
            if u not in index:  # in a chunk retrieval did not bring back, or no answer alone
                index[u] = len(out)
                out.append((u, self.config.chunks_considered + 1))
            picked.append(index[u])
        return out, picked

    def _anchor(self, cands: list[tuple[Sentence, int]], sims: np.ndarray, rel: np.ndarray,
                budget: int, from_guidance: bool = False) -> tuple[list[int], int]:
        """Pick the best passage among the top chunks and take its relevant sentences in order.
        ``from_guidance``: among the chunks of guidance documents considered, where there are any."""
        cfg = self.config
        guidance = from_guidance and any(s.chunk.kind == "guidance" for s, _ in cands)
        best_by_chunk: dict[str, float] = {}
        for i, (s, rank) in enumerate(cands):
            if (s.chunk.kind == "guidance" and rank <= cfg.chunks_considered) if guidance else rank <= cfg.anchor_from:
                cid = s.chunk.chunk_id
                best_by_chunk[cid] = max(best_by_chunk.get(cid, -1.0), float(rel[i]))
        if not best_by_chunk:
            return [], 0
        ranked = sorted(best_by_chunk, key=lambda c: -best_by_chunk[c])
        doc_of = {s.chunk.chunk_id: s.chunk.doc_id for s, _ in cands}
        anchor_ids: list[str] = []
        for cid in ranked:
            if len(anchor_ids) >= cfg.anchors:
                break
            if all(doc_of[cid] != doc_of[a] for a in anchor_ids):
                anchor_ids.append(cid)
        chosen: list[int] = []
        words = 0
        for anchor_id in anchor_ids:
            limit = words + min(cfg.anchor_words, budget - words)
            for i, (s, _) in enumerate(cands):
                if s.chunk.chunk_id != anchor_id or sims[i] < cfg.anchor_floor:
                    continue
                if _with_illustrated(cands, i, chosen) != [i]:  # an example whose item was left out
                    continue
                n = _cost(s, [cands[c][0] for c in chosen])
                if chosen and words + n > limit:
                    break
                chosen.append(i)
                words += n
        return chosen, words

    def compose(self, picks: list[Selection]) -> tuple[str, list[Citation]]:
        """Answer text with one marker per sentence, and the matching citations.

        The quote is the sentence as written; the answer line drops any "[3]" the source itself
        contains (a footnote, or a fake marker planted in a document), which would read as ours."""
        lines: list[str] = []
        citations: list[Citation] = []
        under: tuple[str, str] | None = None  # the long list whose items are being quoted
        n = 0
        for p in picks:
            s = p.sentence
            in_list = (s.chunk.chunk_id, s.lead) if s.lead else None
            if in_list and in_list != under:  # an item of a long list: its lead-in above it, cited
                n += 1
                citations.append(make_citation(n, s.chunk, s.lead))
                lines.append(f"- {_marked(' '.join(readable(s.lead).split()), n, full_stops_only=True)}")
            under = in_list
            n += 1
            citations.append(make_citation(n, s.chunk, s.text))
            if in_list:
                lines.append(f"  - {_marked(' '.join(readable(s.text).split()), n, full_stops_only=True)}")
            elif p.sentence.lines:  # a list: its lead-in, then each item, every sentence marked
                lead, *items = p.sentence.lines
                lines.append(f"- {readable(lead)} [{n}]")
                lines.extend(f"  - {_marked(readable(item), n)}" for item in items)
            else:
                # one line: a sentence rejoined across a line break keeps the break in its quote only;
                # a run-in heading and its sentence are two sentences, each marked
                lines.append(f"- {_marked(' '.join(readable(p.sentence.text).split()), n, full_stops_only=True)}")
        return "\n".join(lines), citations


_STRENGTH_ORDER = {"must": 0, "should": 1, "other": 2, "may": 3}
# a unit that leans on the one before it: "They should include ...", "This means ...", or an item of a
# list whose lead-in is in the chunk before ("the protection or improvement of public health."), or
# draws a conclusion from it ("The plan should therefore cover these needs specifically.")
_LEANING = re.compile(r"^(They|This|These|Those|It|Its|Their|Such|Both|The latter)\b|^[a-z]|"
                      r"^(\S+\s+){0,4}(?i:therefore|thus|hence)\b")


def _in_another_duty_row(s: Sentence, duties: Sequence[str], before: Chunk | None = None) -> bool:
    """The unit sits in a table row keyed by other duties than ``duties`` ("Duty in respect of research
    Set out how ..." above the climate change row of the same passage); ``before``, the chunk before
    in the document, for a row carried over from it (``assistant.rows``)."""
    row = row_duties(s.chunk, s.lines[0] if s.lines else s.text, before)
    return bool(row) and not set(row) & set(duties)


def answer_order(chosen: Sequence[int], rel: np.ndarray, strengths: Sequence[str], margin: float,
                 continues: Mapping[int, int | None] | None = None,
                 source: Sequence[tuple[bool, ...]] | None = None) -> list[int]:
    """The order an answer quotes its units in: most relevant first, so that a reader who stops after
    the first lines has read what answers the question; among the units within ``margin`` of the most
    relevant, what the guidance requires comes before what it suggests (must, should, other, may).

    ``continues``: the units that lean on the one before ("They must share a draft ...", a list item
    cut from its lead-in), each with the unit it follows in its chunk when that one is quoted too, else
    ``None``. Such a unit comes straight after the unit it follows, and does not open the answer, where
    "It" would point at nothing.
    ``source``: a sort key per candidate that comes before all of that (the document a question names
    first, national guidance first for a question on what is required). ``rel``, ``strengths`` and
    ``source`` are indexed by candidate; ``chosen`` are the candidates quoted."""
    if not chosen:
        return []
    continues = continues or {}
    top = max(float(rel[i]) for i in chosen)

    def key(i: int) -> tuple[bool, int, float]:
        leading = float(rel[i]) >= top - margin
        return (not leading, _STRENGTH_ORDER[strengths[i]] if leading else 0, -float(rel[i]))

    # a unit and the units that continue it form a run, quoted in the document's order where its most
    # relevant unit would stand
    head = {i: i for i in chosen}
    for i in sorted(chosen):
        j = continues.get(i)
        if j is not None:
            head[i] = head[j]
    runs: dict[int, list[int]] = {}
    for i in sorted(chosen, key=lambda i: (head[i], i)):
        runs.setdefault(head[i], []).append(i)
    ordered = sorted(runs.values(), key=lambda r: (source[r[0]] if source else (), min(key(i) for i in r)))
    # the answer would open with a dangling pronoun: the first run of the same standing that does not
    # open with one leads
    def standing(i: int) -> tuple[bool, ...]:
        return source[i] if source else ()

    # failing one, the first that stands alone from the same document a question names: national
    # guidance first is a preference, and "They must share a draft ..." is no opening, whoever says it
    free = [k for k, r in enumerate(ordered) if r[0] not in continues]
    top = standing(ordered[0][0])
    opener = next((k for k in free if standing(ordered[k][0]) == top),
                  next((k for k in free if standing(ordered[k][0])[:1] == top[:1]), None))
    if opener:
        ordered.insert(0, ordered.pop(opener))
    return [i for run in ordered for i in run]


def _continuations(cands: Sequence[tuple[Sentence, int]], chosen: Sequence[int]) -> dict[int, int | None]:
    """The chosen units that open with a pronoun or in lower case, each with the chosen unit just
    before it in its chunk (``None`` when that one is not quoted). An item of a long list follows the
    item of its list quoted before it; the first one quoted stands under the list's lead-in
    (``compose``), so it leans on nothing."""
    at = {(cands[i][0].chunk.chunk_id, cands[i][0].position): i for i in chosen if cands[i][0].position >= 0}
    out: dict[int, int | None] = {}
    last_item: dict[tuple[str, str], int] = {}
    for i in sorted(chosen, key=lambda i: (cands[i][0].chunk.chunk_id, cands[i][0].position)):
        s = cands[i][0]
        if s.lead:
            key = (s.chunk.chunk_id, s.lead)
            if key in last_item:
                out[i] = last_item[key]
            last_item[key] = i
        elif s.position >= 0 and _LEANING.match(s.text):
            out[i] = at.get((s.chunk.chunk_id, s.position - 1))
    return out


# an item of a list that illustrates the item before it ("work with system partners to tackle the
# carbon emissions that arise from travel ..." / "for example, by improving local public transport ...")
_EXAMPLE = re.compile(r"^(?:(?:for example|for instance|such as|eg)\b|e\.g\.)", re.I)
# an item that names what the item before it introduced ("must before the start of each financial year,
# prepare a plan setting out their planned capital resource use" / "must publish that plan and give a
# copy to ..." / "may revise the published plan"): alone it reads as about whatever plan the question is
_REFERS_BACK = re.compile(r"^(?:\W*\w+\W+){0,3}?(?:that|this|these|those|such|the published|the same)\s+"
                          r"(?:plans?|strateg(?:y|ies)|documents?|reports?|programmes?|frameworks?)\b", re.I)


# an item that opens on what the item before it named ("these platforms should form part of the national
# whole", a sub-item of "... an ICS-wide intelligence function underpinned by a single analytical
# platform ..." once the loader has lost the bullets that nested it): in an answer, quoted under its
# list's lead-in without that item, it reads as one of the list's own points
_OPENS_ON_ITEM_BEFORE = re.compile(r"^(?:these|those|such)\s+[a-z]+s\b|"
                                   # "this will align with the duty to reduce inequalities", "this must
                                   # inform actions to build connections ...": the item before is "this"
                                   r"^this\s+(?:will|must|may|should|can|could|would|includes?|means|is|has)\b", re.I)


def refers_to_the_item_before(text: str) -> bool:
    """A list item that names what the item before it introduced ("must publish that plan"): alone,
    it reads as about whatever plan the reader has in mind."""
    return bool(_REFERS_BACK.match(text))


def _earliest_in_list(cands: Sequence[tuple[Sentence, int]], i: int, pool: list[int]) -> int:
    """``i``, or, when it is an item of a long list, the earliest item of that list still in ``pool``
    (which then takes ``i``'s place there, and ``i`` goes back in). An example ("for example, ...") is
    never taken first: it is quoted under the item it illustrates (``_with_illustrated``)."""
    s = cands[i][0]
    if not s.lead or _EXAMPLE.match(s.text):
        return i
    earlier = [c for c in pool if cands[c][0].chunk.chunk_id == s.chunk.chunk_id and cands[c][0].lead == s.lead
               and cands[c][0].position < s.position and not _EXAMPLE.match(cands[c][0].text)]
    if not earlier:
        return i
    first = min(earlier, key=lambda c: cands[c][0].position)
    pool.remove(first)
    pool.append(i)
    return first


# a question on what a plan or a section of it should hold, not on one thing ("What should we include on
# workforce?", "What is the plan supposed to cover?", "What does the guidance expect on research?")
_CONTENTS_QUESTION = re.compile(
    r"\b(include|cover|say about|look like|write about|contain|expect(ed)? (on|around|of|from))\b|"
    r"\bwhat (should|must|does|do)\b.*\b(plan|jfp|section|part|chapter)\b", re.I)


def asks_for_contents(question: str) -> bool:
    return bool(_CONTENTS_QUESTION.search(question))


def _with_illustrated(cands: Sequence[tuple[Sentence, int]], i: int, chosen: Sequence[int],
                      depth: int = 3) -> list[int] | None:
    """The units to quote for candidate ``i``: itself, and when it is a list item that gives an example
    ("for example, by improving ...") or names what the item before introduced ("must publish that
    plan"), first the item it leans on unless that one is quoted already. Under another item the
    example would read as that item's, and "that plan" as the plan the question is about; so ``None``
    when the item it leans on is no candidate (or leans on another, too deep in a chain)."""
    s = cands[i][0]
    # a sub-item whose list the loader could not see ("this must inform actions ...", opening a chunk or
    # under an item with no lead-in): it leans on the line before it just the same
    unlisted = not s.lead and s.text[:1].islower() and bool(_OPENS_ON_ITEM_BEFORE.match(s.text))
    if not (unlisted or s.lead and (_EXAMPLE.match(s.text) or _REFERS_BACK.match(s.text)
                                    or _OPENS_ON_ITEM_BEFORE.match(s.text))):
        return [i]
    above = next((c for c, (u, _) in enumerate(cands) if u.chunk.chunk_id == s.chunk.chunk_id
                  and u.lead == s.lead and u.position == s.position - 1), None)
    if above is None or depth == 0 or not _next_to(s.chunk.text, cands[above][0].text, s.text):
        return None  # or a line too short to be a unit sits between them: the example is that line's
    if above in chosen:
        return [i]
    if unlisted:  # quoted after the line it leans on, when that is quoted for itself; never alone
        return None
    head = _with_illustrated(cands, above, chosen, depth - 1)
    return None if head is None else [*head, i]


def _next_to(text: str, first: str, second: str) -> bool:
    """Whether ``second`` is the line after ``first`` in ``text`` (a bullet may open it)."""
    at = text.find(first)
    while at >= 0:
        after = text.find(second, at + len(first))
        if after >= 0 and _ITEM_GAP.fullmatch(text[at + len(first):after]):
            return True
        at = text.find(first, at + 1)
    return False


_ITEM_GAP = re.compile(r"[ \t]*\n\s*(?:[-\u2022*\u25aa\u25e6]\s+)?")


def _cost(s: Sentence, chosen: Sequence[Sentence]) -> int:
    """The words quoting ``s`` adds to an answer that quotes ``chosen``: its own, and its list's
    lead-in when it is the first item of that list quoted (``compose`` quotes the lead-in above it)."""
    n = len(s.text.split())
    if s.lead and not any(c.lead == s.lead and c.chunk.chunk_id == s.chunk.chunk_id for c in chosen):
        n += len(s.lead.split())
    return n


_WHEN = re.compile(r"\b(when|deadlines?|dates?|timetable|timelines?|timescales?|by when|how often|how soon|"
                   r"how frequently|what time)\b", re.I)
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_TIME = re.compile(rf"\b(\d{{1,2}}(st|nd|rd|th)?\s+({_MONTHS})\b|({_MONTHS})\s+\d{{4}}|(19|20)\d\d(/\d\d)?\b|"
                   r"annual(ly)?|every year|each (financial |fiscal )?year|quarterly|monthly|"
                   r"(before|by) the (start|end) of)", re.I)


def asks_when(question: str) -> bool:
    """The question asks for a date, a deadline or how often ("when must the plan be published?")."""
    return bool(_WHEN.search(question))


def gives_time(text: str) -> bool:
    """The sentence gives a date, a year or a frequency ("by 30 June", "annually before 1 April")."""
    return bool(_TIME.search(text))


def is_reading_list(lead: str) -> bool:
    """The lead-in of a list of documents to read or places to look, not of points to make."""
    return is_reference(lead) or bool(_READING_LIST.search(lead))


def is_reference(text: str) -> bool:
    """An entry of a list of links or references, or a tick-box line of a cover sheet. A sentence that
    names where a document is found and goes on to say something ("The Code of Practice for Victims of
    Crime (Victim's Code) - GOV.UK (www.gov.uk) defines who is a victim of a crime ...") is a statement."""
    if _REFERENCE.search(text):
        return True
    mentions = list(_LINK_MENTION.finditer(text))
    if not mentions:
        return False
    tail = text[mentions[-1].end():]
    return len(tail.split()) < 5 or ";" in tail


def without_names(question: str, name_words: frozenset[str]) -> str:
    """The question without the words that name a document ("Cornwall's", "Lancashire and South
    Cumbria"): retrieval already prefers that document, and left in, the name makes any sentence that
    mentions it ("We will also be seeking the views of the Royal Cornwall Hospital Trust") look close
    to the question. The question itself when nothing is left of it."""
    if not name_words:
        return question
    pattern = r"\b(?:" + "|".join(map(re.escape, sorted(name_words, key=len, reverse=True))) + r")(?:['’]s)?\b"
    topic = " ".join(re.sub(pattern, " ", question, flags=re.I).split())
    return topic if topic != " ".join(question.split()) and content_terms(topic) else question


_DASHES = frozenset({"-", "–", "—", "|", "•", ":"})  # not words ("ANNEX – Summary of ICB statutory duties")


def _title_like(text: str) -> bool:
    """A heading or the title of a document: mostly capitalised words, no full stop, no table cells."""
    t = text.rstrip()
    words = t.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    return bool(words) and capitalised / len(words) >= 0.5 and not t.endswith((".", "?", "!")) and "|" not in t


def _title_row(text: str) -> bool:
    """A row of short cells that says nothing: a table's header row, or a web page's title kept as
    a link's text ("Tools and resources | Domestic violence and abuse: multi-agency working | Guidance
    | NICE"). Three cells or more, none longer than eight words, none a sentence, no figures (a row
    of a table of targets, "A&E 4-hour | 76% | March 2024", is data)."""
    cells = [c.strip() for c in text.split("|") if c.strip()]
    return (len(cells) >= 3 and not any(ch.isdigit() for ch in text)
            and all(len(c.split()) <= 8 and not _FULL_STOP.search(c) for c in cells))


def _flat(text: str) -> str:
    return " ".join(text.lower().split())


_FULL_STOP = re.compile(r"[.!?][\"'’”)\]]*$")


def _marked(text: str, n: int, full_stops_only: bool = False) -> str:
    """``text`` with the marker after each of its sentences. With ``full_stops_only``, a part the
    splitter cut at a semicolon or a colon ("... the voluntary sector;") runs on into the next part
    unmarked: it is one sentence in English."""
    parts = split_sentences(text)
    if full_stops_only:
        groups: list[str] = []
        run: list[str] = []
        for part in parts:
            run.append(part)
            if _FULL_STOP.search(part):
                groups.append(" ".join(run))
                run = []
        parts = groups + ([" ".join(run)] if run else [])
    return " ".join(f"{part} [{n}]" for part in parts) or f"{text} [{n}]"


_SOURCE_MARKER = re.compile(r"\s*\[\d+\]")


def without_markers(text: str) -> str:
    """Text with bracketed numbers that look like citation markers ("by 2027 [3].") removed."""
    return _SOURCE_MARKER.sub("", text).strip()


# a footnote number glued to the word or the punctuation before it: "common standards,5 ensuring",
# "The statutory requirement1 is that"; not "2023/24", "Core20PLUS5" or "14Z36"
_GLUED_FOOTNOTE = re.compile(r"(?<=[a-z][,;:)’”])\d{1,2}(?=\s)|(?<=[a-z]{5})\d(?=\s+[a-z])")
# the ticks and question marks of a scoring grid's cells after a row's label ("... follow ups ✓ ✓ ✓ ?")
_TICK_CELLS = re.compile(r"(\s+[✓✔✗✘?]){2,}\s*$")


def readable(text: str) -> str:
    """An answer line for a quoted unit: no citation markers of the source's own, no footnote numbers
    glued to words, no grid of ticks after a row's label. The citation keeps the words verbatim."""
    out = _GLUED_FOOTNOTE.sub("", without_markers(text))
    grid = _TICK_CELLS.search(out)
    if grid and grid.start() > 0 and any(c in grid.group() for c in "✓✔✗✘"):
        out = out[: grid.start()]
    return out
