"""How long `jfp check` takes on a 60-page PDF plan (target: under 60 s).

    .venv/bin/python bench/check_speed.py [--index DIR] [--pages 60]

Builds a 60-page PDF plan (dense text: the labelled plans' paragraphs, repeated with page-specific
figures, about 450 words a page), then times `jfp check PLAN --json` as a user runs it, in a new
process each time:

- **cold**: nothing cached (the guidance profiles are built from the index: about 300 requirement
  sentences embedded), as on the first check after an ingest;
- **warm**: the guidance profiles read from the index's coverage cache, as on every later check.

The baseline, measured in the same run, is the floor any checker pays: reading the PDF and
embedding its sentences once, in process with the model already loaded. Prints seconds and ratios,
and the load average: other work on the machine slows every figure alike.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if p != str(ROOT)]

TARGET_SECONDS = 60.0
SOURCES = [ROOT / "eval" / "plans" / "src" / "coastal_plan.txt", ROOT / "eval" / "plans" / "src" / "riverside_plan.txt",
           ROOT / "eval" / "plans" / "northshire_plan.md"]


def paragraphs() -> list[tuple[str, str]]:
    """(heading, paragraph) pairs from the labelled plans written for the evaluation."""
    out = []
    for src in SOURCES:
        heading = ""
        for block in src.read_text(encoding="utf-8").split("\n\n"):
            block = block.strip()
            if block.startswith("## "):
                heading = re.sub(r"^\d+\.\s*", "", block[3:])
            elif block and not block.startswith("#"):
                out.append((heading, block))
    return out


def sixty_page_pdf(pages: int = 60) -> bytes:
    from tests.helpers.pdfs import Line, make_pdf

    paras = paragraphs()
    out, k = [], 0
    for n in range(1, pages + 1):
        lines: list = [Line("Example ICB - Joint Forward Plan 2025 to 2030", size=8)]
        while len(lines) < 40:
            heading, text = paras[k % len(paras)]
            k += 1
            # every sentence distinct, as in a real plan (the checker embeds a repeated sentence once)
            ref = f" (see {n}.{k})."
            text = re.sub(r"\.(\s|$)", lambda m, ref=ref: ref + m.group(1), text)
            lines.append(Line(f"{n}.{k % 9 + 1} {heading}", size=13, gap_before=10))
            wrapped = textwrap.wrap(text, 100)
            lines += [Line(wrapped[0], gap_before=6), *wrapped[1:]]
        out.append([*lines[:44], Line(f"Page {n} of {pages}", size=8, gap_before=12)])
    return make_pdf(out, title="Example ICB Joint Forward Plan 2025 to 2030")


def jfp_check(index: Path, plan: Path) -> tuple[float, dict]:
    env = dict(os.environ, JFP_INDEX_DIR=str(index))
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "assistant", "--index", str(index), "check", str(plan), "--json"],
                       capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=1800)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"jfp check failed: {p.stderr}")
    return elapsed, json.loads(p.stdout)


def floor(index: Path, plan: Path) -> tuple[float, int]:
    from assistant.config import Settings
    from assistant.coverage import embed_units, load_plan
    from assistant.service import JfpService

    service = JfpService(Settings(index_dir=index))
    service.embedder.embed_query("warm up")
    start = time.perf_counter()
    _, units = load_plan(service, plan)
    embed_units(service.embedder, units)
    return time.perf_counter() - start, len(units)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="an index holding the shipped corpus (default: ingest one in a temp folder)")
    ap.add_argument("--pages", type=int, default=60)
    args = ap.parse_args()
    from assistant import privacy

    privacy.apply()
    with tempfile.TemporaryDirectory(prefix="jfp-check-speed-") as tmp:
        tmp = Path(tmp)
        index = args.index or tmp / "index"
        if args.index is None:
            from assistant.config import Settings
            from assistant.service import JfpService

            JfpService(Settings(index_dir=index)).ingest()
        plan = tmp / "plan-60-pages.pdf"
        plan.write_bytes(sixty_page_pdf(args.pages))
        shutil.rmtree(index / "coverage-cache", ignore_errors=True)
        cold, report = jfp_check(index, plan)
        warm, _ = jfp_check(index, plan)
        base, n_units = floor(index, plan)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    counts = {s: sum(1 for d in report["duties"] if d["status"] == s) for s in ("addressed", "partial", "missing")}
    print(f"plan: {report['pages']} pages, {n_units} sentences and passages; report: {counts}")
    print(f"baseline (read + embed the plan, model loaded): {base:6.1f} s")
    print(f"jfp check, cold (builds the guidance profiles):  {cold:6.1f} s  ({cold / base:.1f}x baseline)")
    print(f"jfp check, warm (guidance profiles cached):      {warm:6.1f} s  ({warm / base:.1f}x baseline)")
    print(f"target < {TARGET_SECONDS:.0f} s: cold {'met' if cold < TARGET_SECONDS else 'NOT met'}, "
          f"warm {'met' if warm < TARGET_SECONDS else 'NOT met'}; load average during the run {load:.1f} "
          f"on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
