"""Evaluation of jfp-assistant against gold sets.

``eval.metrics`` defines every metric as a small pure function; ``eval.harness`` loads a gold set,
asks each question once and scores the answers; ``eval.report`` renders results as Markdown.
"""

from __future__ import annotations

from eval.harness import EvalResult, GoldItem, GoldSetError, ItemResult, load_gold, run_eval
from eval.report import compare, write_report

__all__ = [
    "EvalResult",
    "GoldItem",
    "GoldSetError",
    "ItemResult",
    "compare",
    "load_gold",
    "run_eval",
    "write_report",
]
