"""What the guidance asks for each duty, as vectors the coverage check compares a plan with.

For every duty: the requirement sentences from the requirements lookup (``find_requirements``,
other ICBs' plans left out: they are examples, not requirements) and the registry's descriptors.
The scoring model compares a plan with the guidance as a body of text (the lookup without its
table-row and list rules, which takes in some of other duties' sentences); the report's "what the
guidance asks for" is the duty's own list, as ``jfp requirements`` gives it, without bare lead-ins.
Building these embeds a few hundred guidance sentences, so the result is cached twice: in the
process, and on disk under ``<index>/coverage-cache/`` keyed by the index's documents, the duty
registry, the embedding model and the lookup's code. The cache holds only derived vectors and
requirement quotes; the index itself (documents, chunks) is never written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.coverage_scoring import (
    DutyProfile,
    TermModel,
    centre,
    descriptor_texts,
    guidance_text,
    phrase_specificity,
)
from assistant.duties import Duty
from assistant.errors import InputError
from assistant.requirements import Requirement
from assistant.types import Citation

log = logging.getLogger(__name__)

CACHE_VERSION = "2"
NOT_GUIDANCE_KINDS = frozenset({"icb_plan"})
Progress = Callable[[str, dict], None]


@dataclass(frozen=True)
class DutyGuidance:
    duty: Duty
    requirements: tuple[Requirement, ...]  # what the scoring model compares with (see ``_build``)
    vectors: np.ndarray  # one per requirement
    shown: tuple[Requirement, ...] = ()  # what the report shows: the duty's own, as `jfp requirements` lists them


@dataclass(frozen=True)
class Profiles:
    guidance: tuple[DutyGuidance, ...]
    profiles: tuple[DutyProfile, ...]
    g: np.ndarray  # the centre all vectors are compared around
    terms: TermModel


class MemoEmbedder:
    """Embeds each distinct text once: the 24 requirement lookups share most of their sentences."""

    def __init__(self, embedder) -> None:
        self.embedder, self.memo = embedder, {}

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        need = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if need:
            self.memo.update(zip(need, self.embedder.embed_documents(need), strict=True))
        if not texts:
            return np.zeros((0, int(getattr(self.embedder, "dimension", 384))), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def _context(r: Requirement) -> str:
    """The text the lookup embedded for this sentence (its section's last heading, then the sentence),
    so the vector is already in the memo."""
    head = r.citation.section.split(" > ")[-1] if r.citation.section else ""
    return f"{head}: {r.text}" if head else r.text


_MEMORY: dict[str, Profiles] = {}
_LOCK = threading.Lock()


def _key(service, docs, duties: Sequence[Duty]) -> str:
    """What the cached guidance depends on: the model, the documents and how they were indexed, the
    registry, and the code of the lookup and of everything it retrieves and splits with."""
    import assistant.chunk_sentences
    import assistant.extractive
    import assistant.glossary
    import assistant.requirements
    import assistant.retrieval
    from ingest.pipeline import PIPELINE_VERSION

    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}|{PIPELINE_VERSION}|{getattr(service.embedder, 'name', '')}".encode())
    for d in sorted(docs, key=lambda d: d.doc_id):
        h.update(f"|{d.doc_id}:{d.content_hash}:{d.kind}".encode())
    for duty in duties:
        h.update(json.dumps([duty.id, duty.title, duty.summary, duty.phrases]).encode())
    for module in (assistant.requirements, assistant.retrieval, assistant.glossary, assistant.chunk_sentences,
                   assistant.extractive):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:24]


def duty_profiles(service, progress: Progress | None = None) -> Profiles:
    """Profiles of every duty (cached in the process and on disk, per index state)."""
    docs = service.sources()
    if not docs:
        raise InputError("The index is empty. Run 'jfp ingest' first (no path ingests the shipped corpus): "
                         "the check compares your plan with what the guidance asks for each duty.")
    duties = tuple(service.duties())
    key = _key(service, docs, duties)
    with _LOCK:
        if key in _MEMORY:
            return _MEMORY[key]
        folder = Path(service.settings.index_dir) / "coverage-cache"
        guidance = _read(folder / f"{key}.npz", duties)
        if guidance is None:
            guidance = _build(service, docs, duties, progress)
            _write(folder, key, guidance)
        memo = MemoEmbedder(service.embedder)
        descriptors = memo.embed_documents([t for d in duties for t in descriptor_texts(d)]).reshape(len(duties), 2, -1)
        weights = phrase_specificity(duties, {gd.duty.id: " ".join(r.text for r in gd.requirements) for gd in guidance})
        profiles = tuple(DutyProfile(gd.duty, descriptors[i], gd.vectors, weights[gd.duty.id])
                         for i, gd in enumerate(guidance))
        terms = TermModel.build([guidance_text(gd.duty, [r.text for r in gd.requirements]) for gd in guidance])
        result = Profiles(tuple(guidance), profiles, centre(profiles), terms)
        _MEMORY[key] = result
        return result


def is_lead_in(r: Requirement) -> bool:
    """A list's lead-in ("ICBs ... may wish to address how they will:"): nothing to do without its items."""
    return r.text.rstrip().endswith(":")


def _build(service, docs, duties: Sequence[Duty], progress: Progress | None) -> list[DutyGuidance]:
    from assistant.requirements import find_requirements

    kinds = {d.doc_id: d.kind for d in docs}
    memo = MemoEmbedder(service.embedder)
    out = []
    for n, duty in enumerate(duties):
        if progress:
            progress("guidance", {"done": n, "total": len(duties), "name": f"Reading the guidance: {duty.title}"})
        # not by row: the check matches a plan against the guidance as a body of text, and its model
        # was fitted on it (with the rows, addressed recall on the labelled plans fell from 93% to 88%).
        # That body takes in other duties' sentences, so the report shows the lookup's own list instead.
        found = find_requirements(duty, service.retriever, memo, by_row=False, list_items=False)
        reqs = tuple(r for r in found.requirements if kinds.get(r.citation.doc_id) not in NOT_GUIDANCE_KINDS)
        own = find_requirements(duty, service.retriever, memo)
        shown = tuple(r for r in own.requirements
                      if kinds.get(r.citation.doc_id) not in NOT_GUIDANCE_KINDS and not is_lead_in(r))
        out.append(DutyGuidance(duty, reqs, memo.embed_documents([_context(r) for r in reqs]), shown))
    return out


def _write(folder: Path, key: str, guidance: Sequence[DutyGuidance]) -> None:
    """Best effort: a read-only index folder only means the next run rebuilds the profiles."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        meta = {gd.duty.id: {"model": [r.to_json() for r in gd.requirements], "shown": [r.to_json() for r in gd.shown]}
                for gd in guidance}
        arrays = {f"v{i}": gd.vectors for i, gd in enumerate(guidance)}
        tmp = folder / f"{key}.tmp.npz"
        np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
        tmp.replace(folder / f"{key}.npz")
        for old in folder.glob("*.npz"):
            if old.name != f"{key}.npz":
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not cache the coverage profiles in %s: %s", folder, exc)


def _read(path: Path, duties: Sequence[Duty]) -> list[DutyGuidance] | None:
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            out = []
            for i, duty in enumerate(duties):
                reqs, shown = (tuple(Requirement(r["text"], r["strength"], Citation(**r["citation"]))
                                     for r in meta[duty.id][part]) for part in ("model", "shown"))
                out.append(DutyGuidance(duty, reqs, np.array(data[f"v{i}"]), shown))
            return out
    except (OSError, KeyError, ValueError, TypeError) as exc:
        log.info("ignoring an unreadable coverage cache %s: %s", path, exc)
        return None
