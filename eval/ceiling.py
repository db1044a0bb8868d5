"""How much of the key-point coverage gap is retrieval, and how much is sentence choice.

For each in-scope question of a gold split, the product answers as usual; then a greedy oracle,
which can see the key points, picks from the same candidate units the answerer had (the usable
units of its top chunks) within the same word budget, each time the unit that covers the most
key points not yet covered per word. Four figures come out, each a mean over the questions:

- coverage: what the product's answer covers (as ``jfp eval`` scores it);
- oracle: what the greedy oracle covers from the same candidates and budget. Greedy is not the
  optimum, so this is a floor under the best any sentence choice could do;
- in candidates: key points that some candidate unit covers, whatever the budget;
- retrieved: key points that some retrieved chunk covers (``jfp eval``'s key points retrieved).

A gap between coverage and oracle is sentence choice; between oracle and in candidates, the budget;
between in candidates and retrieved, chunks retrieved but not read or units not usable; below
retrieved, retrieval.

    python -m eval.ceiling [--gold eval/gold/dev.jsonl] [--index DIR] [--worst N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from assistant.config import Settings
from assistant.service import JfpService
from eval import metrics
from eval.harness import DEFAULT_GOLD, load_gold, run_eval


def greedy_oracle(units: Sequence[str], must_mention: Sequence[str], budget: int) -> float:
    """Share of ``must_mention`` covered by the texts of ``units`` picked greedily by new key points
    per word, the picks' words adding up to at most ``budget``."""
    if not must_mention:
        return 0.0
    covers = [({p for p in must_mention if metrics.keypoint_in_text(p, u)}, max(1, len(u.split())))
              for u in units]
    got: set[str] = set()
    words = 0
    while True:
        best = max(((len(points - got) / n, i) for i, (points, n) in enumerate(covers)
                    if points - got and words + n <= budget), default=None)
        if best is None:
            return len(got) / len(must_mention)
        points, n = covers[best[1]]
        got |= points
        words += n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--index", default=None)
    ap.add_argument("--worst", type=int, default=10, help="list this many questions with the largest oracle gap")
    args = ap.parse_args()
    settings = Settings(index_dir=args.index) if args.index else Settings()
    svc = JfpService(settings)
    answerer = svc.answers.extractive
    budget = svc.answers.max_words
    items = [i for i in load_gold(args.gold) if not i.out_of_scope and i.must_mention]
    scored = run_eval(items, lambda q, duty: svc.ask(q), svc.chunk_text, svc.document_text, progress=False)
    rows = []
    for r in scored.items:
        units = [u.text for u, _ in answerer.candidates(list(r.answer.retrieved), r.item.question)]
        rows.append((r.item, r.keypoint_coverage, greedy_oracle(units, r.item.must_mention, budget),
                     metrics.keypoint_recall(units, r.item.must_mention), r.keypoint_recall))
    if not rows:
        raise SystemExit("No in-scope question with key points in that gold set.")
    means = [sum(r[i] for r in rows) / len(rows) for i in range(1, 5)]
    print(f"{args.gold}: {len(rows)} in-scope questions, budget {budget} words")
    for label, value in zip(("coverage", "oracle", "in candidates", "retrieved"), means, strict=True):
        print(f"  {label:14} {value:.3f}")
    print(f"  the product's coverage is {means[0] / means[1]:.0%} of the greedy oracle's" if means[1] else "")
    for item, cov, oracle, _, _ in sorted(rows, key=lambda r: r[1] - r[2])[: args.worst]:
        if oracle > cov:
            print(f"  {item.id}: coverage {cov:.2f}, oracle {oracle:.2f}  {item.question}")


if __name__ == "__main__":
    main()
