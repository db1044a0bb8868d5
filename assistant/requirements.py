"""Governance lookup: what the sources require for one duty, verbatim, with strength and citation.

Candidates are the sentences of chunks tagged with the duty (heading or table-row match first) and
of the best chunks retrieved for the duty's title and summary. A sentence is kept when it reads as a
requirement or expectation (must / should / may / "set out", "describe"...) and is close to the
duty, and is not one of another duty's: a later sentence of another duty's row of a requirements
table, or a sentence of another duty's section that does not name this duty. Requirements are
grouped by source, national guidance first, then "must" before "should".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.chunk_sentences import Sentence, sentences_of
from assistant.citations import make_citation
from assistant.duties import Duty, duties_in_heading, match_duties
from assistant.extractive import is_reading_list, refers_to_the_item_before, strength
from assistant.rows import row_duties
from assistant.types import Chunk, Citation

_EXPECTS = re.compile(
    r"\b(must|should|may wish|may|could|expected|expect|required|requires|set out|sets out|describe|explain|"
    r"articulate|outline|identify|ensure|include|consider|demonstrate|show)\b", re.I)
_SIGNPOSTS = re.compile(r"\b(workspaces?|platforms?|hubs?|networks?) (which|that)\b|\buseful information\b", re.I)
# a modal verb of its own: an item that says "must" or "should" keeps that strength under any lead-in
_MODAL = re.compile(r"\b(must|shall|should|(is|are) required to|(is|are) expected to)\b", re.I)
MAX_LIMIT = 200  # the longest list ``jfp requirements --limit`` gives
KIND_ORDER = {"guidance": 0, "icb_paper": 1, "briefing": 2, "icb_plan": 3, "commentary": 4}
STRENGTH_ORDER = {"must": 0, "should": 1, "may": 2, "other": 3}


@dataclass(frozen=True)
class Requirement:
    text: str
    strength: str
    citation: Citation
    lead_in: str = ""  # for an item of a list: the lead-in it completes ("This could include:")

    def to_json(self) -> dict:
        return {"text": self.text, "strength": self.strength, "citation": self.citation.to_json(),
                "lead_in": self.lead_in}


@dataclass(frozen=True)
class RequirementsResult:
    duty: Duty
    requirements: tuple[Requirement, ...]
    more: int = 0  # requirements found beyond the limit, not listed (``find_requirements(limit=...)``)

    @property
    def title(self) -> str:
        return self.duty.title

    @property
    def statutory_basis(self) -> str:
        return self.duty.statutory_basis

    def to_json(self) -> dict:
        return {"duty_id": self.duty.id, "title": self.duty.title, "kind": self.duty.kind,
                "statutory_basis": self.duty.statutory_basis,
                "requirements": [r.to_json() for r in self.requirements], "more": self.more}


def find_requirements(duty: Duty, retriever, embedder, *, limit: int = 18, min_similarity: float = 0.30,
                      by_row: bool = True, list_items: bool = True) -> RequirementsResult:
    """``by_row``: leave out a sentence that sits under another duty's row label of a table (see
    ``row_duties``). ``list_items``: an item of a list is a requirement when its lead-in
    reads as one ("This could include:" and "the role of technology and data in decision-making"),
    with the lead-in's strength unless the item says must or should itself."""
    query = f"{duty.title}. {duty.summary}"
    qv = embedder.embed_query(query)
    tagged = [c for c in retriever.chunks if duty.id in c.duty_ids]
    # the tagged chunks are all in already: retrieval is for the untagged ones (a row of a table
    # that speaks to several duties), so no duty boost
    retrieved = [r.chunk for r in retriever.retrieve(query, k=10, duties=[], query_vector=qv)]
    chunks = list({c.chunk_id: c for c in tagged + retrieved}.values())
    cands = [s for c in chunks for s in sentences_of(c)
             if (_EXPECTS.search(s.text) or (list_items and _by_lead(s))) and not _points_elsewhere(s.text)]
    if not cands:
        return RequirementsResult(duty, ())
    sims = embedder.embed_documents([s.context for s in cands]) @ qv
    before = {c.chunk_id: retriever.previous_chunk(c) for c in chunks}  # a table row carried over
    scored = []
    for s, sim in zip(cands, sims, strict=True):
        keyed = duties_in_heading(s.text[:90])
        if keyed and duty.id not in keyed:
            continue  # a table row about another duty
        row = row_duties(s.chunk, s.text, before[s.chunk.chunk_id]) if by_row else ()
        if row and duty.id not in row:
            continue  # a later sentence of a table row about another duty
        if by_row and _under_another_duty(s.chunk, duty.id) and duty.id not in match_duties(s.text) and not keyed:
            continue  # a sentence of another duty's section that does not speak of this one
        on_topic = duty.id in s.chunk.duty_ids or duty.id in keyed
        if sim < (min_similarity if on_topic else min_similarity + 0.05):
            continue
        # whether it reads as a requirement itself, or only by its list's lead-in
        scored.append((s, float(sim) + (0.1 if on_topic else 0.0), bool(_EXPECTS.search(s.text))))
    # the sentences that read as requirements themselves first, then the items that do by their
    # lead-in, so that a long list of suggestions does not crowd out a "must"
    # among those, a "must" ranks a little higher, and a "must" that names this duty ("JFPs must set
    # out how ICBs intend to discharge their duty to address the particular needs of victims of
    # abuse") higher still: it is the duty's headline, short and general, so it matches the duty's
    # description less well than the detail around it
    scored.sort(key=lambda x: (not x[2], -(x[1] + _priority(x[0].text, duty.id))))
    best = _said_once(scored, limit, list_items)
    # how many the longest list (``MAX_LIMIT``) would show that this one does not
    more = len(_said_once(scored, MAX_LIMIT, list_items)) - len(best) if limit < MAX_LIMIT else 0
    # within a passage, in reading order: an item under the item it names ("must publish that plan")
    best.sort(key=lambda x: (KIND_ORDER.get(x[0].chunk.kind, 9), x[0].chunk.title, STRENGTH_ORDER[x[1]],
                             x[0].chunk.ordinal, x[0].position))
    reqs = tuple(Requirement(text=s.text, strength=st, citation=make_citation(n, s.chunk, s.text),
                             lead_in=s.list_lead if list_items else "")
                 for n, (s, st) in enumerate(best, start=1))
    return RequirementsResult(duty, reqs, max(0, more))


MUST_BONUS = 0.05  # requirements_eval dev 99 -> 102 of 168 key points, held-out 58 of 86 unchanged
NAMES_DUTY_BONUS = 0.1  # with MUST_BONUS: dev 101, held-out 58; every "JFPs must set out how ..." is then listed


def _priority(text: str, duty_id: str) -> float:
    """What is added to a requirement's similarity when ranking: a "must", and a "must" naming the duty."""
    if strength(text) != "must":
        return 0.0
    return MUST_BONUS + (NAMES_DUTY_BONUS if duty_id in match_duties(text) else 0.0)


def _said_once(scored: list, limit: int, list_items: bool) -> list:
    """``_keep``, then again without the lead-ins whose items it lists: a lead-in ("... may wish to
    address how they will:") whose items are listed is said by them, as each item shows it
    (``lead_in``), so its place goes to the next requirement."""
    best = _keep(scored, limit, set(), list_items)
    said = {(s.chunk.chunk_id, s.list_lead) for s, _ in best if list_items and s.list_lead}
    leads = {s.text.lower() for s, _ in best if s.text.rstrip().endswith(":") and (s.chunk.chunk_id, s.text) in said}
    return _keep(scored, limit, leads, list_items) if leads else best


def _keep(scored: list, limit: int, skip: set[str], list_items: bool) -> list:
    """The best sentences up to ``limit``, but every source that speaks to the duty represented;
    ``skip``: texts (lower case) left out."""
    best: list = []
    seen: set[str] = set(skip)
    per_doc: dict[str, int] = {}
    for s, _score, own in scored:
        # the cap keeps room for every source; the items read by their lead-in come after every
        # source has had its share, so they only fill what is left of the limit
        capped = own and per_doc.get(s.chunk.doc_id, 0) >= max(4, limit // 2)
        if s.text.lower() in seen or capped:
            continue
        group = _with_item_before(s, scored)
        for g in group or ():
            if g.text.lower() in seen or len(best) >= limit:
                continue
            seen.add(g.text.lower())
            per_doc[g.chunk.doc_id] = per_doc.get(g.chunk.doc_id, 0) + 1
            best.append((g, _strength(g, list_items)))
        if len(best) >= limit:
            break
    return best


def _with_item_before(s: Sentence, scored: list, depth: int = 3) -> list[Sentence] | None:
    """``s``, or for an item that reads only under the item before it ("must publish that plan" under
    "must ... prepare a plan setting out their planned capital resource use"), that item first; None
    when that item is no requirement found here (alone, "that plan" reads as the joint forward plan)."""
    if not (s.list_lead and refers_to_the_item_before(s.text)):
        return [s]
    above = next((x[0] for x in scored if x[0].chunk.chunk_id == s.chunk.chunk_id and x[0].list_lead == s.list_lead
                  and x[0].position == s.position - 1), None)
    if above is None or depth == 0:
        return None
    head = _with_item_before(above, scored, depth - 1)
    return None if head is None else [*head, s]


# a footnote that points at documents ("5 This could include recommendations set out in:" above
# "Leadership for a collaborative and inclusive future - GOV.UK (www.gov.uk); ..."): where to read,
# not what to do
_FOOTNOTE = re.compile(r"^\d{1,2}\s+[A-Z]")
_WEB = re.compile(r"www\.|https?://|gov\.uk|»", re.I)


def _points_elsewhere(text: str) -> bool:
    """A lead-in to a list of documents to read or places to look ("The following additional
    publications may support ICBs ... :"), or a footnote that cites documents or leads into a list
    of them ("5 This could include recommendations set out in:")."""
    t = text.rstrip()
    return ((t.endswith(":") and (is_reading_list(t) or bool(_SIGNPOSTS.search(t))))
            or (bool(_FOOTNOTE.match(t)) and (t.endswith(":") or bool(_WEB.search(t)))))


def _by_lead(s: Sentence) -> bool:
    """An item of a list whose lead-in reads as a requirement ("This could include:"), unless the
    list is one of documents to read ("The following additional publications may support ...:") or
    places to look ("There are several FutureNHS workspaces which may provide useful information")."""
    return (bool(s.list_lead) and bool(_EXPECTS.search(s.list_lead)) and not is_reading_list(s.list_lead)
            and not _SIGNPOSTS.search(s.list_lead) and not s.text.rstrip().endswith(":"))


def _strength(s: Sentence, list_items: bool) -> str:
    """must / should / may / other: an item of a list takes its lead-in's ("may wish to describe how
    they will:" makes "deliver against key national targets" a suggestion, not an instruction),
    unless it says must or should itself."""
    if list_items and s.list_lead and not _MODAL.search(s.text):
        return strength(s.list_lead)
    return strength(s.text)


def _under_another_duty(chunk: Chunk, duty_id: str) -> bool:
    """The chunk's own heading (the last of its section path) names duties, and not this one."""
    named = duties_in_heading(chunk.section.split(" > ")[-1]) if chunk.section else []
    return bool(named) and duty_id not in named


__all__ = ["Requirement", "RequirementsResult", "find_requirements"]
