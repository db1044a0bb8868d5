"""Governance lookup: what the sources require for one duty, verbatim, with strength and citation.

Candidates are the sentences of chunks tagged with the duty (heading or table-row match first) and
of the best chunks retrieved for the duty's title and summary. A sentence is kept when it reads as a
requirement or expectation (must / should / may / "set out", "describe"...) and is close to the
duty; requirements are grouped by source, national guidance first, then "must" before "should".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.chunk_sentences import sentences_of
from assistant.citations import make_citation
from assistant.duties import Duty, duties_in_heading
from assistant.extractive import strength
from assistant.types import Citation

_EXPECTS = re.compile(
    r"\b(must|should|may wish|may|could|expected|expect|required|requires|set out|sets out|describe|explain|"
    r"articulate|outline|identify|ensure|include|consider|demonstrate|show)\b", re.I)
KIND_ORDER = {"guidance": 0, "icb_paper": 1, "briefing": 2, "icb_plan": 3, "commentary": 4}
STRENGTH_ORDER = {"must": 0, "should": 1, "may": 2, "other": 3}


@dataclass(frozen=True)
class Requirement:
    text: str
    strength: str
    citation: Citation

    def to_json(self) -> dict:
        return {"text": self.text, "strength": self.strength, "citation": self.citation.to_json()}


@dataclass(frozen=True)
class RequirementsResult:
    duty: Duty
    requirements: tuple[Requirement, ...]

    @property
    def title(self) -> str:
        return self.duty.title

    @property
    def statutory_basis(self) -> str:
        return self.duty.statutory_basis

    def to_json(self) -> dict:
        return {"duty_id": self.duty.id, "title": self.duty.title, "kind": self.duty.kind,
                "statutory_basis": self.duty.statutory_basis,
                "requirements": [r.to_json() for r in self.requirements]}


def find_requirements(duty: Duty, retriever, embedder, *, limit: int = 18, min_similarity: float = 0.30) -> RequirementsResult:
    query = f"{duty.title}. {duty.summary}"
    qv = embedder.embed_query(query)
    tagged = [c for c in retriever.chunks if duty.id in c.duty_ids]
    # the tagged chunks are all in already: retrieval is for the untagged ones (a row of a table
    # that speaks to several duties), so no duty boost
    retrieved = [r.chunk for r in retriever.retrieve(query, k=10, duties=[], query_vector=qv)]
    chunks = list({c.chunk_id: c for c in tagged + retrieved}.values())
    cands = [s for c in chunks for s in sentences_of(c) if _EXPECTS.search(s.text)]
    if not cands:
        return RequirementsResult(duty, ())
    sims = embedder.embed_documents([s.context for s in cands]) @ qv
    scored = []
    for s, sim in zip(cands, sims, strict=True):
        keyed = duties_in_heading(s.text[:90])
        if keyed and duty.id not in keyed:
            continue  # a table row about another duty
        on_topic = duty.id in s.chunk.duty_ids or duty.id in keyed
        if sim < (min_similarity if on_topic else min_similarity + 0.05):
            continue
        scored.append((s, float(sim) + (0.1 if on_topic else 0.0)))
    scored.sort(key=lambda x: -x[1])
    # keep the best sentences, but make sure every source that speaks to the duty is represented
    best: list = []
    seen: set[str] = set()
    per_doc: dict[str, int] = {}
    for s, sc in scored:
        key = s.text.lower()
        if key in seen or per_doc.get(s.chunk.doc_id, 0) >= max(4, limit // 2):
            continue
        seen.add(key)
        per_doc[s.chunk.doc_id] = per_doc.get(s.chunk.doc_id, 0) + 1
        best.append((s, sc))
        if len(best) >= limit:
            break
    best.sort(key=lambda x: (KIND_ORDER.get(x[0].chunk.kind, 9), x[0].chunk.title,
                             STRENGTH_ORDER[strength(x[0].text)], x[0].chunk.ordinal))
    reqs = tuple(Requirement(text=s.text, strength=strength(s.text), citation=make_citation(n, s.chunk, s.text))
                 for n, (s, _) in enumerate(best, start=1))
    return RequirementsResult(duty, reqs)


__all__ = ["Requirement", "RequirementsResult", "find_requirements"]
