"""Shared helpers for the benches: timing, percentiles, peak memory, corpus multiplication, caching.

Every bench prints its figures next to a baseline measured in the same run, so the ratios hold on a
busy machine even when the absolute numbers move.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import resource
import sys
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the project root goes first: bench/ingest.py must never shadow the ``ingest`` package
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p != str(ROOT)]

from assistant import privacy  # noqa: E402

privacy.apply()

CORPUS = ROOT / "corpus"
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"
DEV_GOLD = ROOT / "eval" / "gold" / "dev.jsonl"
_NOT_DOCS = {"provenance.json", "glossary.json"}


def quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("transformers", "sentence_transformers", "chromadb", "httpx", "huggingface_hub", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def log(msg: str) -> None:
    """Progress for the person running the bench, on stderr (stdout carries the results)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- timing and statistics -------------------------------------------------------------------
@dataclass
class Stopwatch:
    seconds: float = 0.0
    _t0: float = field(default=0.0, repr=False)

    def __enter__(self) -> Stopwatch:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * p / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_stats(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/mean/max in milliseconds, and n."""
    return {
        "n": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "mean_ms": (sum(seconds) / len(seconds) * 1000) if seconds else float("nan"),
        "max_ms": max(seconds) * 1000 if seconds else float("nan"),
    }


# --- memory ----------------------------------------------------------------------------------
def reset_peak_rss() -> bool:
    """Reset this process's peak resident set (Linux: VmHWM), so a stage's peak can be read alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM (resettable) or getrusage's ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# --- the machine -----------------------------------------------------------------------------
def machine_note() -> dict[str, object]:
    """Cores and load: a busy machine slows every figure, the ratios much less."""
    load1, load5, _ = os.getloadavg()
    try:
        import torch

        threads = torch.get_num_threads()
    except Exception:  # noqa: BLE001 - informational only
        threads = None
    return {"cores": os.cpu_count(), "load1": round(load1, 2), "load5": round(load5, 2), "torch_threads": threads,
            "python": sys.version.split()[0]}


# --- services --------------------------------------------------------------------------------
def make_service(index_dir: Path, **overrides):
    from assistant.config import Settings
    from assistant.service import JfpService

    return JfpService(Settings(index_dir=index_dir, **overrides))


def warm(service) -> None:
    """Load the model and run it once, so no measurement pays for start-up."""
    service.embedder.embed_documents(["warm up the embedding model", "a second, slightly longer warm-up text"])


# --- corpus multiplication -------------------------------------------------------------------
def corpus_files(folder: Path = CORPUS) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in _NOT_DOCS and not p.name.startswith("."))


_SYNONYMS = {
    "plan": "programme", "plans": "programmes", "services": "provision", "local": "area-based",
    "partners": "partner organisations", "people": "residents", "improve": "strengthen", "support": "back",
    "develop": "build", "system": "ICS", "care": "support", "approach": "method", "ensure": "make sure",
    "describe": "set out", "should": "ought to", "include": "cover", "communities": "neighbourhoods",
    "health": "wellbeing", "quality": "standard", "data": "information", "work": "collaborate",
}
_PLACES = ("Northshire", "Riverside", "Westmoor", "Eastfield", "Coastal", "Highdale", "Lowmarsh", "Greenbank",
           "Stonebridge", "Fairholme", "Ashcombe", "Kingsmere")
_WORD = re.compile(r"\b[a-z]+\b")


def alter_text(text: str, copy: int, seed: int = 0) -> str:
    """A plausible variant of a planning document: the same structure (headings untouched, so the
    chunk count stays close), body wording changed by seeded synonym swaps and a place name."""
    rng = random.Random(f"{seed}:{copy}")
    place = _PLACES[copy % len(_PLACES)] + (f" {copy // len(_PLACES) + 1}" if copy >= len(_PLACES) else "")

    def swap(m: re.Match[str]) -> str:
        w = m.group(0)
        return _SYNONYMS[w] if w in _SYNONYMS and rng.random() < 0.35 else w

    out = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            out.append(line)
            continue
        line = _WORD.sub(swap, line)
        line = line.replace("ICB", f"{place} ICB", 1) if rng.random() < 0.5 else line
        out.append(line)
    return f"{place} variant {copy}.\n" + "\n".join(out) + "\n"


def multiply_corpus(dest: Path, copies: int, *, seed: int = 0, start: int = 0, src: Path = CORPUS) -> list[Path]:
    """Write ``copies`` altered copies of every corpus document into ``dest`` (with a provenance.json
    so titles and kinds carry over). Copy numbers run from ``start``; existing files are kept."""
    dest.mkdir(parents=True, exist_ok=True)
    prov_src = json.loads((src / "provenance.json").read_text(encoding="utf-8"))
    prov_path = dest / "provenance.json"
    prov = json.loads(prov_path.read_text(encoding="utf-8")) if prov_path.exists() else {}
    written: list[Path] = []
    originals = corpus_files(src)
    for copy in range(start, start + copies):
        for f in originals:
            name = f"{f.stem}--v{copy:03d}{f.suffix}"
            target = dest / name
            if not target.exists():
                target.write_text(alter_text(f.read_text(encoding="utf-8"), copy, seed), encoding="utf-8")
            meta = dict(prov_src.get(f.name, {}))
            meta["title"] = f"{meta.get('title', f.stem)} (variant {copy})"
            prov[name] = meta
            written.append(target)
    prov_path.write_text(json.dumps(prov, indent=1), encoding="utf-8")
    return written


def chunker_output(folder: Path = CORPUS) -> str:
    """A hash of what ingest makes of the shipped corpus before embedding: every chunk (text, section,
    page, duty tags) and the sentences the answerer embeds for it. It changes when loading, chunking,
    tagging or sentence splitting changes what is stored, and not when their code is only reworded
    (a new helper, a comment), which would otherwise force a rebuild of identical chunks (the 10,000
    chunk index took 87 minutes on 2 cores)."""
    from assistant.chunk_sentences import sentence_contexts
    from ingest.chunking import chunk_document
    from ingest.loaders import load_document
    from ingest.pipeline import load_provenance

    prov = load_provenance(folder)
    h = hashlib.sha256()
    for f in corpus_files(folder):
        p = prov.get(f.name)
        doc = load_document(f, title=p.title if p else None)
        for c in chunk_document(doc, f.name, (p.kind if p else None) or "other"):
            h.update(json.dumps([c.chunk_id, c.title, c.page, c.section, c.duty_ids, c.text,
                                 sentence_contexts(c)]).encode())
    return h.hexdigest()


def source_fingerprint(*extra: object, files: Iterable[Path] = ()) -> str:
    """A short hash of the corpus, of what ingest makes of it (``chunker_output``) and any extra
    parameters."""
    h = hashlib.sha256()
    for f in [*corpus_files(), *files]:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    h.update(chunker_output().encode())
    try:
        import chromadb

        h.update(chromadb.__version__.encode())
    except ImportError:
        pass
    h.update(json.dumps([str(e) for e in extra]).encode())
    return h.hexdigest()[:12]


# --- questions -------------------------------------------------------------------------------
def dev_questions(limit: int | None = None) -> list[str]:
    qs = [json.loads(line)["question"] for line in DEV_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return qs[:limit] if limit else qs


# --- output ----------------------------------------------------------------------------------
def ms(x: float) -> str:
    return f"{x:.1f} ms" if x < 1000 else f"{x / 1000:.2f} s"


def secs(x: float) -> str:
    return f"{x:.2f} s" if x < 120 else f"{x / 60:.1f} min"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def save_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    return path


@contextmanager
def temp_dir(prefix: str):
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)
