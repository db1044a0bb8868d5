"""Query speed: retrieval and extractive answer latency at the shipped corpus and at 10,000 chunks.

    python bench/query.py            # shipped corpus and 10,000 chunks
    python bench/query.py --quick    # shipped corpus and 2,000 chunks, fewer questions

Baselines measured in the same run, on the same index and questions: BM25-only retrieval and
dense-only retrieval (the two halves of the hybrid), and the query embedding alone. The large index is
built by ingesting altered copies of the corpus and cached under bench/results/cache/ keyed by a hash
of the corpus and of the chunks ingest makes of it, so re-runs only measure. Building it can take a long
time on two cores (embedding is the floor); an interrupted build resumes where it stopped.

Targets (issue B): retrieval p95 <= 50 ms and extractive answer p95 <= 300 ms at 10,000 chunks.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # after the project root: see common.py

from common import (  # noqa: E402
    CACHE,
    CORPUS,
    ROOT,
    Stopwatch,
    dev_questions,
    latency_stats,
    log,
    machine_note,
    make_service,
    markdown_table,
    ms,
    multiply_corpus,
    quiet_logs,
    save_json,
    secs,
    source_fingerprint,
    verdict,
    warm,
)

RETRIEVAL_P95_MS = 50.0
ANSWER_P95_MS = 300.0
BUILD_VERSION = 1  # bump when the way the scaled corpus is generated changes


# --- index building (cached) -----------------------------------------------------------------
def _fingerprint() -> str:
    """What a cached index depends on: the corpus, the chunks and sentences made of it, and the
    pipeline version (what ingest stores, e.g. the answerer's sentence vectors since version 3)."""
    from ingest.pipeline import PIPELINE_VERSION

    return source_fingerprint("query-index", BUILD_VERSION, PIPELINE_VERSION)


def scaled_dir() -> Path:
    """The one cached scaled index: it grows to the largest size asked for and is reused for smaller ones."""
    return CACHE / f"scaled-{_fingerprint()}"


def index_for(target_chunks: int | None) -> Path:
    """A cached index holding the shipped corpus (None), or the shipped corpus plus altered copies,
    at least ``target_chunks`` chunks (grown and resumed as needed)."""
    if not target_chunks:
        base = CACHE / f"corpus-{_fingerprint()}"
    else:
        base = scaled_dir()
    index_dir = base / "index"
    done = base / "complete.json"
    state = json.loads(done.read_text()) if done.exists() else {}
    if state and (not target_chunks or state.get("chunks", 0) >= target_chunks):
        return index_dir
    svc = make_service(index_dir)
    log(f"building index in {base} (cached for later runs)")
    with Stopwatch() as sw:
        rep = svc.ingest([CORPUS])
        if target_chunks:
            docs = base / "docs"
            per_copy = max(1, len(svc.manifest.chunks()) // max(1, len(svc.sources())) * 5)
            copies = len(list(docs.glob("*--v*"))) // 5 if docs.exists() else 0
            rep = svc.ingest([CORPUS, docs]) if copies else rep
            while rep.chunks < target_chunks:
                need = math.ceil((target_chunks - rep.chunks) / per_copy)
                step = max(1, min(need, 4))  # a few copies per round: progress is kept if interrupted
                multiply_corpus(docs, step, start=copies)
                copies += step
                rep = svc.ingest([CORPUS, docs])
                log(f"  {rep.documents} documents, {rep.chunks} chunks ({sw_elapsed(sw)})")
    if rep.failed:
        raise SystemExit(f"building the bench index failed: {rep.failed[:3]}")
    done.write_text(json.dumps({"documents": rep.documents, "chunks": rep.chunks,
                                "build_seconds": sw.seconds + state.get("build_seconds", 0.0)}))
    return index_dir


def sw_elapsed(sw: Stopwatch) -> str:
    return secs(time.perf_counter() - sw._t0)


# --- measurement -----------------------------------------------------------------------------
def measure(index_dir: Path, questions: list[str], answer_questions: int, profile_to: Path | None = None) -> dict:
    from assistant.duties import duties_in_question
    from assistant.retrieval import RetrievalConfig

    svc = make_service(index_dir)
    warm(svc)
    svc.ask(questions[0])  # builds BM25 and term weights, opens Chroma: not part of any query's latency
    r = svc.retriever
    base = r.config
    configs = {
        "hybrid": base,
        "bm25_only": RetrievalConfig(**{**base.__dict__, "use_dense": False}),
        "dense_only": RetrievalConfig(**{**base.__dict__, "use_lexical": False}),
    }
    from ingest.embedding import load_embedder

    # the baseline for the question embedding: the same model through torch (JFP_QUERY_BACKEND=torch)
    torch_embedder = load_embedder(svc.settings.embedding_model, svc.settings.embedding_batch_size, "torch")
    torch_embedder.embed_query(questions[0])
    times: dict[str, list[float]] = {name: [] for name in [*configs, "embed_query", "embed_query_torch"]}
    for q in questions:
        # one embedding of the question, through each backend; retrieval reads what ``ask`` reads
        expanded = svc.expand(q)
        query = svc.question_query(q)
        duties = duties_in_question(q)[:2]
        with Stopwatch() as sw:
            svc.embedder.embed_query(expanded)
        times["embed_query"].append(sw.seconds)
        with Stopwatch() as sw:
            torch_embedder.embed_query(expanded)
        times["embed_query_torch"].append(sw.seconds)
        for name, cfg in configs.items():
            with Stopwatch() as sw:
                r.retrieve(query.text, k=svc.settings.k, duties=duties, query_vector=query.vector, config=cfg)
            times[name].append(sw.seconds)
    answers: list[float] = []
    abstained = 0
    for q in questions[:answer_questions]:
        with Stopwatch() as sw:
            a = svc.ask(q)
        answers.append(sw.seconds)
        abstained += a.abstained
    # the same questions again (a long-running UI's steady state); since pipeline version 3 the sentence
    # vectors are stored at ingest, so this should match the first-time figures
    repeats: list[float] = []
    for q in questions[:answer_questions]:
        with Stopwatch() as sw:
            svc.ask(q)
        repeats.append(sw.seconds)
    profile_text = ""
    if profile_to is not None:
        unseen = [q for q in dev_questions() if q not in set(questions[:answer_questions + 1])][:5]
        prof = cProfile.Profile()
        prof.enable()
        for q in unseen:  # questions not asked before, so the profile shows a first-time answer
            svc.ask(q)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        profile_text = buf.getvalue()
        profile_to.write_text(profile_text)
    stats = {name: latency_stats(v) for name, v in times.items()}
    stats["answer"] = latency_stats(answers)
    stats["answer_repeat"] = latency_stats(repeats)
    return {"chunks": len(r.chunks), "vectors": svc.index.count(), "documents": len(svc.sources()),
            "abstained": abstained, "stats": stats, "profile_top": _top_lines(profile_text)}


def _top_lines(profile_text: str, n: int = 22) -> list[str]:
    lines = [ln for ln in profile_text.splitlines() if ln.strip() and ln.strip()[0].isdigit()]
    return lines[:n]


def cold_start(index_dir: Path, question: str, runs: int) -> dict:
    """Wall time of a fresh `jfp ask` process, against `jfp --help` (interpreter and CLI import)."""
    env = dict(os.environ, JFP_INDEX_DIR=str(index_dir))
    base_cmd = [sys.executable, "-m", "assistant"]
    help_t, ask_t = [], []
    for _ in range(runs):
        with Stopwatch() as sw:
            subprocess.run([*base_cmd, "--help"], env=env, capture_output=True, check=True, cwd=ROOT)
        help_t.append(sw.seconds)
        with Stopwatch() as sw:
            out = subprocess.run([*base_cmd, "ask", question, "--json"], env=env, capture_output=True, text=True,
                                 cwd=ROOT)
        if out.returncode != 0:
            raise SystemExit(f"jfp ask failed: {out.stderr[-500:]}")
        ask_t.append(sw.seconds)
    return {"help_s": min(help_t), "ask_s": min(ask_t), "runs": runs}


# --- the bench -------------------------------------------------------------------------------
def run(quick: bool = False, large_chunks: int | None = None, large_index: Path | None = None) -> dict:
    """``large_index``: measure this ingested index as the large one instead of the cached scaled
    index (an ICB's own index, or a scaled one built before a code change that leaves chunks alone)."""
    quiet_logs()
    large = large_chunks or (2000 if quick else 10_000)
    questions = dev_questions(30 if quick else None)
    n_answers = 10 if quick else 30
    note = machine_note()
    results: dict = {"machine": note, "quick": quick, "sizes": {}}
    large_label = ""
    for target in (None, large):
        with Stopwatch() as build:
            index_dir = large_index if (target and large_index) else index_for(target)
        log(f"measuring {'the shipped corpus' if target is None else f'at least {target:,} chunks'} "
            f"({len(questions)} retrievals, {n_answers} answers)")
        prof = (ROOT / "bench" / "results" / "query_profile.txt") if target else None
        m = measure(index_dir, questions, n_answers, profile_to=prof)
        m["build_or_cache_s"] = build.seconds
        m["index_dir"] = str(index_dir)
        # named by what was measured: a cached larger index is reused for a smaller size
        label = "shipped corpus" if target is None else f"{m['chunks']:,} chunks"
        results["sizes"][label] = m
        large_label = label
    q = dev_questions(1)[0]
    log("timing the cold start of `jfp ask`")
    results["cold_start"] = cold_start(Path(results["sizes"][large_label]["index_dir"]), q, runs=1 if quick else 2)
    big = results["sizes"][large_label]["stats"]
    results["targets"] = {
        "retrieval_p95_ms": {"value": big["hybrid"]["p95_ms"], "target": RETRIEVAL_P95_MS,
                             "met": big["hybrid"]["p95_ms"] <= RETRIEVAL_P95_MS, "at": large_label},
        "answer_p95_ms": {"value": big["answer"]["p95_ms"], "target": ANSWER_P95_MS,
                          "met": big["answer"]["p95_ms"] <= ANSWER_P95_MS, "at": large_label},
    }
    results["markdown"] = markdown(results, large_label)
    save_json("query", results)
    return results


def markdown(res: dict, large_label: str) -> str:
    rows = []
    for label, m in res["sizes"].items():
        s = m["stats"]
        bm, de, hy = s["bm25_only"], s["dense_only"], s["hybrid"]
        eq, et = s["embed_query"], s.get("embed_query_torch", s["embed_query"])
        rows.append([label, f"{m['chunks']:,} / {m['vectors']:,}",
                     f"{ms(eq['p50_ms'])} / {ms(et['p50_ms'])} ({eq['p50_ms'] / max(et['p50_ms'], 1e-9):.2f}x)",
                     f"{ms(hy['p50_ms'])} / {ms(hy['p95_ms'])}",
                     f"{ms(bm['p50_ms'])} / {ms(bm['p95_ms'])}", f"{ms(de['p50_ms'])} / {ms(de['p95_ms'])}",
                     f"{hy['p95_ms'] / max(bm['p95_ms'], 1e-9):.1f}x / {hy['p95_ms'] / max(de['p95_ms'], 1e-9):.1f}x",
                     f"{ms(s['answer']['p50_ms'])} / {ms(s['answer']['p95_ms'])}",
                     f"{s['answer']['p95_ms'] / max(hy['p95_ms'] + s['embed_query']['p95_ms'], 1e-9):.1f}x",
                     f"{ms(s['answer_repeat']['p50_ms'])} / {ms(s['answer_repeat']['p95_ms'])}"])
    t = res["targets"]
    cs = res["cold_start"]
    big = res["sizes"][large_label]
    out = [
        "## Query speed (bench/query.py)",
        "",
        f"Machine: {res['machine']['cores']} cores, load average {res['machine']['load1']} at start. "
        f"Retrieval = hybrid retrieval given the query vector; query embedding shown apart. "
        f"Answer = the whole `service.ask` (embedding, retrieval, extractive answer), model warm, "
        f"{big['stats']['answer']['n']} dev questions; retrieval over {big['stats']['hybrid']['n']} dev questions.",
        "",
        markdown_table(["index", "chunks / vectors", "embed query p50 / torch baseline", "hybrid p50 / p95", "BM25-only p50 / p95",
                        "dense-only p50 / p95", "hybrid p95 vs BM25 / dense", "answer p50 / p95",
                        "answer p95 vs embed+retrieval p95", "same questions again p50 / p95"], rows),
        "",
        f"- Retrieval p95 at {t['retrieval_p95_ms']['at']}: {ms(t['retrieval_p95_ms']['value'])} "
        f"(target <= {RETRIEVAL_P95_MS:g} ms): {verdict(t['retrieval_p95_ms']['met'])}",
        f"- Extractive answer p95 at {t['answer_p95_ms']['at']}: {ms(t['answer_p95_ms']['value'])} "
        f"(target <= {ANSWER_P95_MS:g} ms): {verdict(t['answer_p95_ms']['met'])}",
        f"- Cold start of `jfp ask` ({large_label}): {secs(cs['ask_s'])}, against `jfp --help` {secs(cs['help_s'])} "
        f"({cs['ask_s'] / max(cs['help_s'], 1e-9):.1f}x); warm answer p50 {ms(big['stats']['answer']['p50_ms'])} "
        f"(cold/warm {cs['ask_s'] * 1000 / max(big['stats']['answer']['p50_ms'], 1e-9):.0f}x).",
    ]
    if big.get("profile_top"):
        out += ["", f"cProfile of 5 first-time answers at {large_label} (cumulative; full listing in "
                "bench/results/query_profile.txt):", "", "```", *big["profile_top"], "```"]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2,000 chunks and fewer questions")
    ap.add_argument("--chunks", type=int, default=None, help="size of the large index (default 10,000)")
    ap.add_argument("--build-only", action="store_true", help="build (or resume) the cached large index and stop")
    ap.add_argument("--large-index", type=Path, default=None,
                    help="measure this ingested index (its index folder) as the large one, instead of building")
    args = ap.parse_args()
    if args.large_index and not (args.large_index / "manifest.sqlite3").is_file():
        raise SystemExit(f"No index at {args.large_index}: give the folder `jfp ingest` wrote (JFP_INDEX_DIR).")
    if args.build_only:
        quiet_logs()
        index_for(None)
        print(index_for(args.chunks or (2000 if args.quick else 10_000)))
        return
    print(run(quick=args.quick, large_chunks=args.chunks, large_index=args.large_index)["markdown"])


if __name__ == "__main__":
    main()
