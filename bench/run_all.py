"""Run the three benches and write one Markdown summary to bench/results/summary.md (and print it).

    python bench/run_all.py            # the default sizes (see below)
    python bench/run_all.py --quick    # smaller sizes, a few minutes
    python bench/run_all.py --full     # the issue's sizes: 10x corpus ingest, 10,000-chunk queries

Every figure is printed next to a baseline measured in the same run (embedding-only for ingest,
BM25-only and dense-only retrieval for queries, the single-user answer for load), so the ratios
hold on a busy machine. Embedding is the floor on 2 cores (about 5 whole-chunk texts a second on a
loaded machine), so the default sizes are chosen to fit about ten minutes once the cached query
index exists: a 3x corpus for ingest, 10,000 chunks for queries (built once, then cached under
bench/results/cache/), and 60 s of load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE))

from common import RESULTS, log, machine_note, secs  # noqa: E402  (puts the project root first on sys.path)


def _bench(name: str):
    """Load bench/<name>.py under another module name: bench/ingest.py must not shadow the ingest package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ingest_bench = _bench("ingest")
query_bench = _bench("query")
load_bench = _bench("load")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes: 2x corpus, 2,000 chunks, 30 s of load")
    size.add_argument("--full", action="store_true", help="the issue's sizes: 10x corpus, 10,000 chunks, 90 s of load")
    ap.add_argument("--chunks", type=int, default=None, help="size of the large query index")
    ap.add_argument("--only", choices=["ingest", "query", "load"], action="append", help="run only these benches")
    args = ap.parse_args()
    only = set(args.only or ["ingest", "query", "load"])
    scale = 2 if args.quick else 10 if args.full else 3
    chunks = args.chunks or (2000 if args.quick else 10_000)
    seconds = 30.0 if args.quick else 90.0 if args.full else 60.0
    started = time.perf_counter()
    note = machine_note()
    sections: list[str] = []
    targets: list[tuple[str, str, bool]] = []
    if "ingest" in only:
        log(f"ingest bench (1x and {scale}x corpus)")
        r = ingest_bench.run(quick=args.quick, scale=scale)
        sections.append(r["markdown"])
        t = r["targets"]
        targets += [("ingest total <= 1.25x embedding-only", f"{t['ratio']['value']:.2f}x", t["ratio"]["met"]),
                    ("unchanged re-ingest < 5% of first ingest", f"{t['reingest_share']['value'] * 100:.2f}%",
                     t["reingest_share"]["met"])]
    if "query" in only:
        log(f"query bench (shipped corpus and {chunks:,} chunks)")
        r = query_bench.run(quick=args.quick, large_chunks=chunks)
        sections.append(r["markdown"])
        t = r["targets"]
        targets += [(f"retrieval p95 <= 50 ms at {t['retrieval_p95_ms']['at']}", f"{t['retrieval_p95_ms']['value']:.1f} ms",
                     t["retrieval_p95_ms"]["met"]),
                    (f"extractive answer p95 <= 300 ms at {t['answer_p95_ms']['at']}",
                     f"{t['answer_p95_ms']['value']:.0f} ms", t["answer_p95_ms"]["met"])]
    if "load" in only:
        log("load bench")
        r = load_bench.run(quick=args.quick, seconds=seconds)
        sections.append(r["markdown"])
        t = r["targets"]
        targets += [("load: no errors (20 users; 10 concurrent ingests)", "none" if t["no_errors"]["met"] else "errors",
                     t["no_errors"]["met"]),
                    ("load: answer p95 <= 2 s (20 users)", f"{t['answer_p95_s']['value']:.2f} s", t["answer_p95_s"]["met"])]
    total = time.perf_counter() - started
    lines = [
        "# jfp-assistant benchmark summary",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')}, {'quick' if args.quick else 'full' if args.full else 'default'} sizes, "
        f"{secs(total)} in all. Machine: {note['cores']} cores, load average {note['load1']} (1 min) / "
        f"{note['load5']} (5 min) at start, torch threads {note['torch_threads']}, Python {note['python']}.",
        "",
        "| target | measured | status |",
        "|---|---|---|",
        *[f"| {name} | {value} | {'met' if ok else '**missed**'} |" for name, value, ok in targets],
        "",
        *[s + "\n" for s in sections],
    ]
    text = "\n".join(lines)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
