"""Run a gold set through the assistant and score it with :mod:`eval.metrics`.

The harness knows nothing about how answers are made: it is given an ``ask(question, duty)`` callable
(in production the service façade's ``ask``) and two look-ups, ``chunk_text(chunk_id)`` and
``doc_text(doc_id)``, that return stored text or ``None``. ``jfp eval`` wires these to the index::

    items = load_gold(path)
    result = run_eval(items, ask=service.ask, chunk_text=..., doc_text=...)
    print(json.dumps(result.summary()))
    for row in result.rows(): ...

What is scored, per item (``None`` means "not scored for this item"):

* retrieval -- ``hit_at_5`` and ``reciprocal_rank`` over ``Answer.retrieved`` (best first), for
  in-scope items that have ``must_mention``; ``keypoint_recall``, the share of key points that some
  retrieved chunk covers (about the most the answer could cover from what it was given);
* answer -- ``keypoint_coverage`` for the same items; an in-scope item the assistant abstained on
  scores 0. ``lead_coverage``, the same over the answer's first ``LEAD_WORDS`` words only: what a
  reader who stops after the first few lines has been told (coverage over 300 words does not see the
  order of an answer; this does). ``faithfulness`` for every answer that did not abstain;
* citations -- each citation's quote is checked against the cited chunk's text and the full text of
  its document (:func:`eval.metrics.citation_valid`); the overall validity is over all citations of
  all answers (micro-average);
* abstention -- precision and recall of ``abstained`` against ``out_of_scope`` over all items.

Summary figures are means over the items scored (``faithfulness`` too: a mean of per-answer shares),
rounded to 4 decimal places.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.errors import InputError
from assistant.types import Answer
from eval import metrics, uncertainty

logger = logging.getLogger(__name__)

DEFAULT_GOLD = Path(__file__).resolve().parent / "gold" / "dev.jsonl"
HIT_K = 5
MAX_ANSWER_WORDS = 300
LEAD_WORDS = 100  # about the first three lines of an answer

AskFn = Callable[[str, str | None], Answer]
TextLookup = Callable[[str], str | None]


class GoldSetError(InputError):
    """A gold-set file cannot be read or one of its lines is malformed."""

    type = "invalid_gold_set"


@dataclass(frozen=True)
class GoldItem:
    """One question of a gold set. Fields other than these are ignored when loading."""

    id: str
    question: str
    duty: str | None = None
    must_mention: tuple[str, ...] = ()
    out_of_scope: bool = False
    kind: str | None = None


def _item_from_json(obj: Any, where: str) -> GoldItem:
    if not isinstance(obj, dict):
        raise GoldSetError(f"{where}: expected a JSON object, got {type(obj).__name__}.")
    for key in ("id", "question"):
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            raise GoldSetError(f"{where}: missing '{key}' (every item needs a non-empty string '{key}').")
    duty, kind = obj.get("duty"), obj.get("kind")
    for key, value in (("duty", duty), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise GoldSetError(f"{where}: '{key}' must be a string or absent, got {value!r}.")
    must = obj.get("must_mention") or []
    if not isinstance(must, list) or not all(isinstance(p, str) and p.strip() for p in must):
        raise GoldSetError(f"{where}: 'must_mention' must be a list of non-empty strings, got {must!r}.")
    oos = obj.get("out_of_scope", False)
    if not isinstance(oos, bool):
        raise GoldSetError(f"{where}: 'out_of_scope' must be true or false, got {oos!r}.")
    return GoldItem(
        id=obj["id"], question=obj["question"], duty=duty or None, must_mention=tuple(must),
        out_of_scope=oos, kind=kind or None,
    )


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read a JSON Lines gold set: one ``{"id", "question", "duty"?, "must_mention"?, "out_of_scope"?}``
    object a line (``kind`` is kept for the per-kind breakdown; other fields are ignored).

    Blank lines are skipped. Raises :class:`GoldSetError` naming the file and line for invalid JSON, a
    missing or empty ``id``/``question``, a field of the wrong type or a repeated id, and when the
    file is missing or holds no items.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldSetError(f"Gold set '{p}' does not exist. Pass an existing JSONL file with --gold.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldSetError(f"Could not read gold set '{p}': {exc}.") from exc
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{p}, line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldSetError(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno}). Each line must be one JSON object."
            ) from None
        item = _item_from_json(obj, where)
        if item.id in seen:
            raise GoldSetError(f"{where}: id '{item.id}' is already used on line {seen[item.id]}; ids must be unique.")
        seen[item.id] = n
        items.append(item)
    if not items:
        raise GoldSetError(f"Gold set '{p}' has no items: expected one JSON object per line.")
    return items


@dataclass(frozen=True)
class ItemResult:
    """The scores of one gold item and the answer they were computed from."""

    item: GoldItem
    answer: Answer
    hit_at_5: float | None = None
    reciprocal_rank: float | None = None
    keypoint_coverage: float | None = None
    missed: tuple[str, ...] = ()  # key points the answer did not cover
    lead_coverage: float | None = None  # key points covered in the first ``LEAD_WORDS`` words
    keypoint_recall: float | None = None
    missed_retrieved: tuple[str, ...] = ()  # of ``missed``, those a retrieved chunk covers: left out, not unfound
    citations_valid: tuple[bool, ...] = ()  # one flag per citation, in order
    faithfulness: float | None = None

    @property
    def should_abstain(self) -> bool:
        return self.item.out_of_scope

    @property
    def citation_validity(self) -> float | None:
        return metrics.mean(float(v) for v in self.citations_valid)

    @property
    def problems(self) -> tuple[str, ...]:
        """Plain-English reasons the item counts as failed; empty when it passed."""
        out: list[str] = []
        if self.item.out_of_scope and not self.answer.abstained:
            out.append("answered an out-of-scope question instead of abstaining")
        if not self.item.out_of_scope and self.answer.abstained:
            out.append("abstained on an in-scope question")
        if self.hit_at_5 == 0.0:
            out.append(f"retrieval: no relevant chunk in the top {HIT_K}")
        if self.missed and not self.answer.abstained:
            out.append("answer missed: " + "; ".join(
                f"'{p}'" + (" (in a retrieved chunk)" if p in self.missed_retrieved else "") for p in self.missed))
        bad = [c.n for c, ok in zip(self.answer.citations, self.citations_valid, strict=True) if not ok]
        if bad:
            out.append("invalid citations: " + ", ".join(f"[{n}]" for n in bad))
        return tuple(out)

    def scores(self) -> dict[str, Any]:
        return {
            "hit_at_5": _r(self.hit_at_5),
            "reciprocal_rank": _r(self.reciprocal_rank),
            "keypoint_coverage": _r(self.keypoint_coverage),
            "missed": list(self.missed),
            "lead_coverage": _r(self.lead_coverage),
            "keypoint_recall": _r(self.keypoint_recall),
            "missed_retrieved": list(self.missed_retrieved),
            "citation_validity": _r(self.citation_validity),
            "faithfulness": _r(self.faithfulness),
            "problems": list(self.problems),
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _interval(xs: Iterable[float | None]) -> list[float] | None:
    """``[low, high]``: the 95% bootstrap interval of the mean over the items (``eval.uncertainty``)."""
    iv = uncertainty.interval(list(xs))
    return None if iv is None else [round(iv.low, 4), round(iv.high, 4)]


def _group(results: Sequence[ItemResult]) -> dict[str, Any]:
    return {
        "n": len(results),
        "hit_at_5": _r(metrics.mean(r.hit_at_5 for r in results)),
        "mrr": _r(metrics.mean(r.reciprocal_rank for r in results)),
        "keypoint_coverage": _r(metrics.mean(r.keypoint_coverage for r in results)),
        "abstention_accuracy": _r(
            metrics.mean(float(r.answer.abstained == r.should_abstain) for r in results)
        ),
    }


def _breakdown(results: Iterable[ItemResult], key: Callable[[GoldItem], str | None]) -> dict[str, Any]:
    groups: dict[str, list[ItemResult]] = {}
    for r in results:
        k = key(r.item)
        if k is not None:
            groups.setdefault(k, []).append(r)
    return {k: _group(groups[k]) for k in sorted(groups)}


@dataclass(frozen=True)
class EvalResult:
    """The scored items of one run; every figure is derived from them on demand."""

    items: tuple[ItemResult, ...] = field(default_factory=tuple)

    def failures(self) -> list[ItemResult]:
        return [r for r in self.items if r.problems]

    def summary(self) -> dict[str, Any]:
        """The ``jfp eval --json`` document (CONTRACT.md), plus ``per_duty``, ``per_kind`` and
        ``failures`` (ids of items with at least one problem)."""
        flags = [ok for r in self.items for ok in r.citations_valid]
        precision, recall = metrics.abstention_precision_recall(
            (r.should_abstain, r.answer.abstained) for r in self.items
        )
        scored = [r for r in self.items if r.hit_at_5 is not None]
        return {
            "n": len(self.items),
            "retrieval": {
                "hit_at_5": _r(metrics.mean(r.hit_at_5 for r in scored)),
                "mrr": _r(metrics.mean(r.reciprocal_rank for r in scored)),
                "keypoint_recall": _r(metrics.mean(r.keypoint_recall for r in scored)),
                "n": len(scored),
                "mrr_interval": _interval(r.reciprocal_rank for r in scored),
            },
            "answer": {
                "keypoint_coverage": _r(metrics.mean(r.keypoint_coverage for r in self.items)),
                # how far chance moves the figure on this many questions: 95% bootstrap interval
                "keypoint_coverage_interval": _interval(r.keypoint_coverage for r in self.items),
                "lead_coverage": _r(metrics.mean(r.lead_coverage for r in self.items)),
                "faithfulness": _r(metrics.mean(r.faithfulness for r in self.items)),
            },
            "citations": {"validity": _r(metrics.mean(float(f) for f in flags)), "n": len(flags)},
            "abstention": {"precision": _r(precision), "recall": _r(recall)},
            "per_duty": _breakdown(self.items, lambda it: it.duty),
            "per_kind": _breakdown(self.items, lambda it: it.kind),
            "failures": [r.item.id for r in self.failures()],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One dict per gold item for ``--out``: ``{"id", "duty", "kind", "out_of_scope", <scores>}``
        followed by the item's ``jfp ask --json`` object."""
        return [
            {
                "id": r.item.id,
                "duty": r.item.duty,
                "kind": r.item.kind,
                "out_of_scope": r.item.out_of_scope,
                **r.scores(),
                **r.answer.to_json(),
            }
            for r in self.items
        ]


def score_item(item: GoldItem, answer: Answer, chunk_text: TextLookup, doc_text: TextLookup) -> ItemResult:
    """Score one answer against its gold item (see the module docstring for what is scored)."""
    must = item.must_mention
    hit = rr = coverage = lead = recall = None
    missed: tuple[str, ...] = ()
    missed_retrieved: tuple[str, ...] = ()
    if not item.out_of_scope and must:
        texts = [s.chunk.text for s in answer.retrieved]
        hit = metrics.hit_at_k(texts, must, HIT_K)
        rr = metrics.reciprocal_rank(texts, must)
        recall = metrics.keypoint_recall(texts, must)
        if answer.abstained:
            coverage, lead, missed = 0.0, 0.0, must
        else:
            missed = tuple(metrics.keypoints_missed(answer.answer, must, MAX_ANSWER_WORDS))
            coverage = metrics.keypoint_coverage(answer.answer, must, MAX_ANSWER_WORDS)
            lead = metrics.keypoint_coverage(answer.answer, must, LEAD_WORDS)
        missed_retrieved = tuple(p for p in missed if metrics.keypoint_recall(texts, [p]))
    cited: dict[int, str | None] = {}
    valid: list[bool] = []
    for c in answer.citations:
        ctext = chunk_text(c.chunk_id)
        valid.append(metrics.citation_valid(c.quote, ctext, doc_text(c.doc_id)))
        if ctext is not None:
            cited[c.n] = f"{cited[c.n]}\n{ctext}" if cited.get(c.n) else ctext
    faith = None if answer.abstained else metrics.faithfulness(answer.answer, cited)
    return ItemResult(
        item=item, answer=answer, hit_at_5=hit, reciprocal_rank=rr, keypoint_coverage=coverage,
        lead_coverage=lead, missed=missed, keypoint_recall=recall, missed_retrieved=missed_retrieved, citations_valid=tuple(valid),
        faithfulness=faith,
    )


def _cached(lookup: TextLookup) -> TextLookup:
    memo: dict[str, str | None] = {}

    def get(key: str) -> str | None:
        if key not in memo:
            memo[key] = lookup(key)
        return memo[key]

    return get


def run_eval(
    items: Sequence[GoldItem],
    ask: AskFn,
    chunk_text: TextLookup,
    doc_text: TextLookup,
    progress: bool = True,
) -> EvalResult:
    """Ask every gold question once (``ask(question, duty)``) and score the answers.

    ``chunk_text(chunk_id)`` and ``doc_text(doc_id)`` return the stored text of a chunk and the full
    text of a document, or ``None`` when unknown; each id is looked up at most once per run. A
    progress bar goes to stderr unless ``progress`` is false. An exception from ``ask`` propagates,
    with a note naming the gold item.
    """
    chunk_text, doc_text = _cached(chunk_text), _cached(doc_text)
    results: list[ItemResult] = []
    for item in tqdm(items, desc="eval", unit="q", file=sys.stderr, disable=not progress):
        try:
            answer = ask(item.question, item.duty)
        except Exception as exc:
            exc.add_note(f"while asking gold item '{item.id}': {item.question}")
            raise
        result = score_item(item, answer, chunk_text, doc_text)
        logger.debug("eval %s: %s", item.id, result.scores())
        results.append(result)
    return EvalResult(items=tuple(results))
