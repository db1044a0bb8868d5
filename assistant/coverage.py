"""The coverage check: does a draft plan address every statutory duty and content area?

``check_plan(service, path)`` reads the plan into memory (it is a draft: it never goes near the
shared index), splits it into sentences and passages, embeds them once, and compares them with a
profile of each duty: the registry's title, summary and signal phrases, and the guidance's own
requirement sentences from the requirements lookup. How the comparison becomes a score and a
status (``addressed``, ``partial``, ``missing``) is in ``assistant/coverage_scoring.py``; the
weights and thresholds are fitted on labelled plans (``eval/plans``) by ``eval/coverage_eval.py``.

Each row carries the evidence (up to three sentences of the plan, from different passages where it
can, quoted verbatim with page and section; those under the duty's own heading and those about this
duty more than any other first) and what the guidance asks for that duty (requirement citations,
national guidance first), so the author can see what to add.

Duty profiles (``assistant/coverage_guidance.py``) are cached in the process and on disk, keyed by
the index's documents, so checking a plan after the first embeds only the plan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.coverage_guidance import duty_profiles, is_lead_in
from assistant.coverage_scoring import (
    Calibration,
    DutyFeatures,
    PlanUnit,
    duty_features,
    headed_duties,
    plan_units,
    similarities,
)
from assistant.errors import DocumentError
from assistant.types import Citation, CoverageStatus

log = logging.getLogger(__name__)

MAX_EVIDENCE = 3
MAX_GUIDANCE = 3

Progress = Callable[[str, dict], None]


@dataclass(frozen=True)
class Evidence:
    page: int | None
    section: str
    quote: str

    def to_json(self) -> dict:
        return {"page": self.page, "section": self.section, "quote": self.quote}


@dataclass(frozen=True)
class CoverageRow:
    duty_id: str
    title: str
    kind: str
    status: CoverageStatus
    score: float
    evidence: tuple[Evidence, ...]
    guidance: tuple[Citation, ...]
    features: DutyFeatures | None = None

    def to_json(self) -> dict:
        return {"duty_id": self.duty_id, "title": self.title, "kind": self.kind, "status": self.status,
                "score": round(self.score, 3), "evidence": [e.to_json() for e in self.evidence],
                "guidance": [c.to_json() for c in self.guidance]}


@dataclass(frozen=True)
class CoverageReport:
    plan: str  # the plan's file name
    title: str
    duties: tuple[CoverageRow, ...]
    pages: int | None = None

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.duties if r.status == s) for s in ("addressed", "partial", "missing")}

    def row(self, duty_id: str) -> CoverageRow:
        return next(r for r in self.duties if r.duty_id == duty_id)

    def to_json(self) -> dict:
        return {"plan": self.plan, "title": self.title, "pages": self.pages, "summary": self.counts(),
                "duties": [r.to_json() for r in self.duties]}


# --- the check ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanAnalysis:
    """Everything the check computed for one plan: the report and the features behind each row."""

    report: CoverageReport
    features: dict[str, DutyFeatures]
    headed: frozenset[str]  # duties a heading names (at least partial whatever the score)


def load_plan(service, path: Path):
    from ingest.loaders import load_document

    doc = load_document(path, max_file_mb=service.settings.max_file_mb)
    units = plan_units(doc.passages)
    if not any(u.substantive for u in units):
        raise DocumentError(f"Could not check '{doc.source}': it has no sentences to check (only headings, lists "
                            "or fragments). Check that it is the full plan, not a contents page or a scanned copy.")
    return doc, units


def analyse_plan(service, path: Path, *, progress: Progress | None = None,
                 calibration: Calibration | None = None) -> PlanAnalysis:
    path = Path(path)
    doc, units = load_plan(service, path)
    profiles = duty_profiles(service, progress)
    calibration = calibration or Calibration.load()
    if progress:
        progress("file", {"name": doc.source})
    vectors = embed_units(service.embedder, units, doc.source, progress)
    sims = similarities(vectors, units, profiles.profiles, profiles.g, profiles.terms)
    headed = headed_duties(units)
    own = {d.doc_id for d in service.sources() if d.content_hash == doc.content_hash}
    rows, features = [], {}
    total = len(profiles.profiles)
    for j, (profile, guide) in enumerate(zip(profiles.profiles, profiles.guidance, strict=True)):
        duty = profile.duty
        if progress:
            progress("duties", {"done": j, "total": total, "name": duty.title})
        reqs = tuple(r for r in guide.shown or guide.requirements if r.citation.doc_id not in own and not is_lead_in(r))
        f = duty_features(j, sims, units, profile, headed.get(duty.id, ()))
        score = calibration.score(f)
        status = calibration.status(score, headed=duty.id in headed)
        on_heading = score < calibration.partial and duty.id in headed  # partial for its heading alone
        best = tuple(headed[duty.id]) if on_heading else f.best
        features[duty.id] = f
        evidence = _evidence(units, best, frozenset(headed.get(duty.id, ()))) if status != "missing" else ()
        rows.append(CoverageRow(duty.id, duty.title, duty.kind, status, score, evidence, _guidance(reqs), f))
    if progress:
        progress("duties", {"done": total, "total": total, "name": "done"})
    report = CoverageReport(plan=doc.source, title=doc.title, duties=tuple(rows), pages=doc.pages)
    return PlanAnalysis(report, features, frozenset(headed))


def embed_units(embedder, units: Sequence[PlanUnit], name: str = "the plan", progress: Progress | None = None,
                batch: int = 256) -> np.ndarray:
    """Sentence vectors from the model; a whole passage's vector is the mean of its sentences' (as good
    on the labelled plans as embedding it, and it halves the time on a long plan)."""
    sentences = [i for i, u in enumerate(units) if not u.whole_passage]
    distinct = list(dict.fromkeys(units[i].text for i in sentences))  # running headers, repeated boilerplate
    parts = []
    for start in range(0, len(distinct), batch):
        if progress:
            progress("embedding", {"done": start, "total": len(distinct), "name": f"Reading {name}"})
        parts.append(embedder.embed_documents(distinct[start:start + batch]))
    found = np.concatenate(parts)
    row = {text: k for k, text in enumerate(distinct)}
    vectors = np.zeros((len(units), found.shape[1]), dtype=np.float32)
    vectors[sentences] = found[[row[units[i].text] for i in sentences]]
    members: dict[int, list[int]] = {}
    for i in sentences:
        members.setdefault(units[i].passage, []).append(i)
    for i, u in enumerate(units):
        if u.whole_passage:
            mean = vectors[members[u.passage]].mean(axis=0)
            vectors[i] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return vectors


def check_plan(service, path: Path, *, progress: Progress | None = None) -> CoverageReport:
    """A duty-by-duty coverage report on a draft plan (PDF, Word, HTML, Markdown or text)."""
    return analyse_plan(service, path, progress=progress).report


def _evidence(units: Sequence[PlanUnit], best: Sequence[int], headed: Collection[int] = ()) -> tuple[Evidence, ...]:
    """Up to ``MAX_EVIDENCE`` of ``best`` (already in evidence order): the sentences under the duty's own
    heading (``headed``) first, then the rest; within each, one per passage first, then the next best
    sentences of those passages (a workforce section of one paragraph shows both its sentences)."""
    chosen: list[int] = []
    for group in ([i for i in best if i in headed], [i for i in best if i not in headed]):
        first: list[int] = []
        seen: set[int] = set()
        for i in group:
            if units[i].passage not in seen:
                seen.add(units[i].passage)
                first.append(i)
        chosen += first + [i for i in group if i not in first]
    return tuple(Evidence(units[i].page, units[i].section, units[i].text) for i in chosen[:MAX_EVIDENCE])


def _guidance(requirements: Sequence) -> tuple[Citation, ...]:
    return tuple(replace(r.citation, n=n) for n, r in enumerate(requirements[:MAX_GUIDANCE], start=1))


__all__ = ["CoverageReport", "CoverageRow", "Evidence", "PlanAnalysis", "analyse_plan", "check_plan", "duty_profiles"]
