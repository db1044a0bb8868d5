"""How much of what the gold set expects for a duty ``jfp requirements DUTY`` lists.

    .venv/bin/python -m eval.requirements_eval                 # dev and held-out
    .venv/bin/python -m eval.requirements_eval --index DIR     # reuse an index that holds the shipped corpus

For every gold item tied to a duty, its key points (``must_mention``) are looked for in the text of
that duty's requirements, with the same matching as answer coverage (``eval.metrics``). The figure is
the share of key points found, pooled over the items of a split, with the number of requirements
listed: a lookup that listed every sentence would find them all, so the two are read together. It
describes the governance lookup; the gold key points were written for the questions, so it is a
floor, not a target.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eval.harness import GoldItem, load_gold
from eval.metrics import keypoint_in_text

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class RequirementsRecall:
    found: int
    key_points: int
    duties: int
    requirements: int  # listed over those duties

    @property
    def share(self) -> float | None:
        return self.found / self.key_points if self.key_points else None


def requirements_recall(service, items: list[GoldItem]) -> RequirementsRecall:
    """Key points of the items found in the requirements of each item's duty (items with no duty or
    no key points are left out)."""
    texts: dict[str, str] = {}
    listed = 0
    found = total = 0
    for item in items:
        if not item.duty or not item.must_mention:
            continue
        if item.duty not in texts:
            reqs = service.requirements(item.duty).requirements
            listed += len(reqs)
            texts[item.duty] = "\n".join(r.text for r in reqs)
        for point in item.must_mention:
            total += 1
            found += keypoint_in_text(point, texts[item.duty])
    return RequirementsRecall(found, total, len(texts), listed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="an index that holds the shipped corpus (default: a fresh temporary one)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    from assistant import privacy
    from assistant.config import Settings
    from assistant.service import JfpService

    privacy.apply()
    out = {}
    with tempfile.TemporaryDirectory(prefix="jfp-requirements-eval-") as tmp:
        service = JfpService(Settings(index_dir=args.index or Path(tmp)))
        if not service.sources():
            service.ingest()
        for split in SPLITS:
            r = requirements_recall(service, load_gold(ROOT / "eval" / "gold" / f"{split}.jsonl"))
            out[split] = {"found": r.found, "key_points": r.key_points, "share": r.share,
                          "duties": r.duties, "requirements": r.requirements}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for split, r in out.items():
            share = "n/a" if r["share"] is None else f"{r['share']:.3f}"
            print(f"{split}: {r['found']}/{r['key_points']} key points found ({share}) "
                  f"in {r['requirements']} requirements over {r['duties']} duties")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
