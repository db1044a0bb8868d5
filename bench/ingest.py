"""Ingest speed against its physical floor, embedding.

    python bench/ingest.py             # the shipped corpus, and 10 altered copies of it
    python bench/ingest.py --quick     # the shipped corpus, and 2 altered copies
    python bench/ingest.py --scale 5

For each corpus, into a fresh index: the total ingest time; the embedding-only time for exactly the
texts the pipeline embedded (``ingest.chunking.views`` of every chunk, batched per document as the
pipeline batches them, and the answerer's sentence texts, ``assistant.chunk_sentences.sentence_contexts``,
once per document; same embedder and batch size), measured in the same run; their ratio; the
re-ingest time of the unchanged corpus and its share of the first ingest; peak memory of each stage.
The views and the sentences are also timed apart, so the cost of storing sentence vectors shows.

Targets (issue A): total <= 1.25 x embedding-only; unchanged re-ingest < 5% of the first ingest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # after the project root: see common.py

from common import (  # noqa: E402
    CORPUS,
    Stopwatch,
    log,
    machine_note,
    make_service,
    markdown_table,
    multiply_corpus,
    peak_rss_mb,
    quiet_logs,
    reset_peak_rss,
    save_json,
    secs,
    temp_dir,
    verdict,
    warm,
)

RATIO_TARGET = 1.25
REINGEST_SHARE_TARGET = 0.05


def embedding_only(service) -> tuple[float, int, float, int]:
    """Embed the texts the pipeline embedded for the indexed chunks, batched the same way: the views,
    then each document's distinct sentence texts. Returns (views seconds, views, sentences seconds,
    sentences)."""
    from assistant.chunk_sentences import sentence_contexts
    from ingest.chunking import views

    emb = service.embedder
    batch = service.settings.embedding_batch_size
    n = m = 0
    view_s = sentence_s = 0.0
    for doc in service.sources():
        chunks = service.manifest.chunks(doc.doc_id)
        texts = [text for c in chunks for _, text in views(c)]
        with Stopwatch() as sw:
            for start in range(0, len(texts), batch):
                emb.embed_documents(texts[start : start + batch])
        view_s += sw.seconds
        n += len(texts)
        sentences = list(dict.fromkeys(t for c in chunks for t in sentence_contexts(c)))
        with Stopwatch() as sw:
            emb.embed_documents(sentences)
        sentence_s += sw.seconds
        m += len(sentences)
    return view_s, n, sentence_s, m


def bench_one(label: str, paths: list[Path], work: Path) -> dict:
    svc = make_service(work / "index")
    warm(svc)
    svc.index.count()  # open Chroma before timing: a fresh index pays it once, not per document
    log(f"{label}: first ingest")
    reset_peak_rss()
    with Stopwatch() as first:
        rep = svc.ingest(paths)
    peak_ingest = peak_rss_mb()
    if rep.failed:
        raise SystemExit(f"ingest failed: {rep.failed[:3]}")
    log(f"{label}: {rep.chunks} chunks in {secs(first.seconds)}; embedding-only for the same texts")
    reset_peak_rss()
    view_s, n_views, sentence_s, n_sentences = embedding_only(svc)
    embed_s, n_texts = view_s + sentence_s, n_views + n_sentences
    peak_embed = peak_rss_mb()
    log(f"{label}: embedding-only {secs(embed_s)} for {n_texts} texts ({n_views} views {secs(view_s)}, "
        f"{n_sentences} sentences {secs(sentence_s)}); re-ingest")
    with Stopwatch() as again:
        rep2 = svc.ingest(paths)
    assert rep2.unchanged == rep.added and rep2.embedded_chunks == 0, rep2
    return {
        "label": label, "documents": rep.documents, "chunks": rep.chunks, "embedded_texts": n_texts,
        "views": n_views, "views_embed_s": view_s, "sentences": n_sentences, "sentences_embed_s": sentence_s,
        "pipeline_sentences": svc.ingestor.embedded_sentences,
        "pipeline_embedded": rep.embedded_chunks, "ingest_s": first.seconds, "embed_only_s": embed_s,
        "pipeline_embed_s": svc.ingestor.embed_seconds, "ratio": first.seconds / max(embed_s, 1e-9),
        "reingest_s": again.seconds, "reingest_share": again.seconds / max(first.seconds, 1e-9),
        "peak_ingest_mb": peak_ingest, "peak_embed_mb": peak_embed,
    }


def run(quick: bool = False, scale: int | None = None) -> dict:
    quiet_logs()
    scale = scale or (2 if quick else 10)
    res: dict = {"machine": machine_note(), "scale": scale, "runs": []}
    with temp_dir("jfp-bench-ingest-") as work:
        res["runs"].append(bench_one("shipped corpus", [CORPUS], work / "x1"))
        docs = work / f"x{scale}-docs"
        multiply_corpus(docs, scale)
        res["runs"].append(bench_one(f"{scale}x corpus (altered copies)", [docs], work / f"x{scale}"))
    big = res["runs"][-1]
    res["targets"] = {
        "ratio": {"value": big["ratio"], "target": RATIO_TARGET, "met": big["ratio"] <= RATIO_TARGET},
        "reingest_share": {"value": big["reingest_share"], "target": REINGEST_SHARE_TARGET,
                           "met": all(r["reingest_share"] < REINGEST_SHARE_TARGET for r in res["runs"])},
    }
    res["markdown"] = markdown(res)
    save_json("ingest", res)
    return res


def markdown(res: dict) -> str:
    rows = [[r["label"], r["documents"], f"{r['chunks']:,}",
             f"{r['embedded_texts']:,} ({r['views']:,} + {r['sentences']:,})",
             f"{secs(r['embed_only_s'])} ({secs(r['views_embed_s'])} + {secs(r['sentences_embed_s'])})",
             secs(r["ingest_s"]), f"{r['ratio']:.2f}x",
             f"{r['ingest_s'] / max(r['pipeline_embed_s'], 1e-9):.2f}x",
             secs(r["reingest_s"]), f"{r['reingest_share'] * 100:.2f}%",
             f"{r['peak_ingest_mb']:.0f} MB / {r['peak_embed_mb']:.0f} MB"] for r in res["runs"]]
    t = res["targets"]
    m = res["machine"]
    return "\n".join([
        "## Ingest speed (bench/ingest.py)",
        "",
        f"Machine: {m['cores']} cores, load average {m['load1']} at start, torch threads {m['torch_threads']}. "
        "Embedding-only = the same embedder and batch size on exactly the texts the pipeline embedded "
        "(`views()` of every chunk, and the sentences the answerer scores, stored since pipeline version 3), "
        "measured in the same run. Each corpus goes into a fresh index.",
        "",
        markdown_table(["corpus", "docs", "chunks", "texts embedded (views + sentences)",
                        "embedding-only (views + sentences)", "total ingest",
                        "total / embedding-only", "total / its own embedding time", "re-ingest unchanged",
                        "re-ingest / first", "peak RSS ingest / embed"], rows),
        "",
        "\"Its own embedding time\" is the time the pipeline spent inside the embedder during that same ingest: "
        "unlike the separate embedding-only run it shares the ingest's time window, so on a machine whose "
        "load changes from minute to minute it shows the pipeline's own overhead more faithfully.",
        "",
        f"- Total <= {RATIO_TARGET}x embedding-only ({res['runs'][-1]['label']}): {t['ratio']['value']:.2f}x, "
        f"{verdict(t['ratio']['met'])}",
        f"- Unchanged re-ingest < {REINGEST_SHARE_TARGET:.0%} of the first: "
        + ", ".join(f"{r['reingest_share'] * 100:.2f}%" for r in res["runs"]) + f", {verdict(t['reingest_share']['met'])}",
    ])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 altered copies instead of 10")
    ap.add_argument("--scale", type=int, default=None, help="how many altered copies make the large corpus")
    args = ap.parse_args()
    print(run(quick=args.quick, scale=args.scale)["markdown"])


if __name__ == "__main__":
    main()
