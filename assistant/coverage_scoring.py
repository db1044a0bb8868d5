"""How strongly a plan's passages speak to each duty: plan units, duty profiles, features, status.

Plan units
    Every sentence of the plan (bullets stripped, table cells split, a short first cell of a table
    row kept as the row's heading, not as content), plus each multi-sentence passage as a whole.
    A unit is *substantive* when it has at least ``MIN_WORDS`` words and is not a name list: a
    sentence that names three or more duties at under ``LIST_WORDS_PER_DUTY`` words each ("We have
    regard to: integration, quality and research.") says nothing about any of them.

Duty profiles
    Two descriptors from the registry (title + summary; title + signal phrases) and the guidance's
    requirement sentences (``find_requirements``). All vectors are centred on the mean of every
    duty's descriptors and requirements before comparison: MiniLM scores any two sentences of JFP
    prose as similar, and centring removes that shared "NHS planning" direction so what is left is
    the topic.

Features (per duty, over the substantive units)
    ``specificity``: mean of the two highest z-scores of the unit-to-duty similarity, where a
    unit's z-score compares its similarity to this duty with its similarity to all duties (divided
    by the unit's spread over the duties, floored by a fixed spread, ``SIM_SPREAD``, so a flat, empty
    sentence does not stand out). A plan that addresses the duty has units that are about this duty
    more than any other; a single vague sentence gives one high z-score, not two (a plan of one
    sentence included: the missing second counts as 0). Nothing in a unit's z-score depends on the
    plan's other units, so a section scores the same alone and inside a fuller plan.
    ``phrases``: sentences that contain one of the duty's signal phrases *and* rank the duty in
    their top three by similarity, each weighted by how specific the phrase is (1 / number of
    duties whose guidance text uses it); used as log(1 + x).
    ``guidance_terms``: the same top-two z-score, over a lexical score instead of the embedding:
    each word stem's log-odds of appearing in this duty's guidance (its requirement sentences and
    registry entry) rather than in all duties' guidance, summed over the unit's stems (its spread
    floored by ``TERM_SPREAD``). It compares each plan sentence with the words of every requirement
    at once, and catches what the small embedding model blurs ("expert advice from public health colleagues" is advice, not strategy).
    (A cosine "mean over requirements of the best-matching unit" was tried as a third feature;
    fitted, its weight was close to zero, so it is not used.)

Score and status
    score = logistic(w . features + b), fitted on the labelled plans in ``eval/plans`` (addressed
    against missing); ``addressed`` when score >= the upper threshold, ``partial`` when >= the lower
    one, else ``missing``. Weights and thresholds live in ``coverage_calibration.json`` and are
    written by ``eval/coverage_eval.py --calibrate``. One rule sits on top: a duty that a heading
    (or a table row's name) names, with a sentence under it, is at least ``partial``, never more
    on the heading's account: the author meant to cover it, and the text decides how well. A heading
    names a duty by the guidance's heading, a signal phrase, or a common short name ("Finance").

Evidence
    The sentences quoted for a duty (``evidence_order``): those under a heading that names it first,
    then those more about this duty than any other, so a sentence of the net zero section that
    mentions the Chief Finance Officer is not the finance duty's best evidence when the plan has a
    finance section.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.duties import Duty, _norm, _phrase_re, duties_in_heading, match_duties
from assistant.terms import content_terms
from assistant.types import Passage
from ingest.chunking import split_sentences

MIN_WORDS = 6
LIST_WORDS_PER_DUTY = 6
TOP_UNITS = 2
ON_TOPIC_Z = 1.0
# z-score floors: about the largest plan-wide spread (unit-to-duty deviations) of the labelled plans,
# centred cosine and guidance-term score; fixed, so what else a plan says cannot move a unit's z-score
SIM_SPREAD = 0.13
TERM_SPREAD = 0.40
FEATURES = ("specificity", "phrases", "guidance_terms")
CALIBRATION_PATH = Path(__file__).with_name("coverage_calibration.json")

# short names a plan's heading gives a duty that its signal phrases miss: (name, duty id, whole heading
# only). "People" alone is the workforce only as a whole heading ("Involving local people" is not).
SHORT_NAMES = (("finance", "financial", False), ("people", "workforce", True), ("our people", "workforce", True))

_BULLET = re.compile(r"^\s*(?:[-•*▪◦●·]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+")
_CELL = " | "


@dataclass(frozen=True)
class PlanUnit:
    """A sentence (or a whole passage) of the plan, with where it is."""

    text: str
    page: int | None
    section: str
    passage: int  # index of the passage it came from
    whole_passage: bool = False
    substantive: bool = True
    heading: str = ""  # the deepest heading above it, or its table row's first cell


def is_name_list(text: str) -> bool:
    """A sentence that names several duties in passing ("We have regard to: a, b and c.")."""
    named = match_duties(text)
    return len(named) >= 3 and len(text.split()) / len(named) <= LIST_WORDS_PER_DUTY


def _cells(passage: Passage) -> tuple[str, list[str]]:
    """A table row's heading (a short first cell) and the lines of its other cells."""
    if passage.kind != "table_row" or _CELL not in passage.text:
        return "", passage.text.split("\n")
    cells = passage.text.split(_CELL)
    head = cells[0].strip() if len(cells[0].split()) <= 14 and "\n" not in cells[0] else ""
    body = cells[1:] if head else cells
    return head, [line for cell in body for line in cell.split("\n")]


def plan_units(passages: Sequence[Passage]) -> list[PlanUnit]:
    """The units of a plan, in reading order: each passage's sentences, then the passage itself."""
    units: list[PlanUnit] = []
    for i, p in enumerate(passages):
        if p.kind == "heading":
            continue
        head, lines = _cells(p)
        section = " > ".join([*p.section, head] if head else p.section)
        heading = head or (p.section[-1] if p.section else "")
        sentences = [s.strip() for line in lines for s in split_sentences(_BULLET.sub("", line).strip())]
        sentences = [s for s in sentences if s]
        for s in sentences:
            ok = len(s.split()) >= MIN_WORDS and not is_name_list(s)
            units.append(PlanUnit(s, p.page, section, i, substantive=ok, heading=heading))
        if len(sentences) > 1:
            whole = " ".join(sentences)
            units.append(PlanUnit(whole, p.page, section, i, whole_passage=True, substantive=not is_name_list(whole),
                                  heading=heading))
    return units


def heading_duties(heading: str) -> tuple[str, ...]:
    """Duties a heading names: the guidance's heading, a signal phrase ("Money", "Net zero", "Digital"),
    or a common short name (``SHORT_NAMES``: "Finance"; "Our people" only as the whole heading)."""
    h = _norm(heading).strip(" .:")
    short = [d for name, d, whole in SHORT_NAMES if (h == name if whole else _phrase_re(name).search(h))]
    return tuple(dict.fromkeys([*duties_in_heading(heading), *match_duties(heading), *short]))


def headed_duties(units: Sequence[PlanUnit]) -> dict[str, list[int]]:
    """Duties named by a heading (or table row name) with at least one sentence under it: unit indices."""
    out: dict[str, list[int]] = {}
    named: dict[str, tuple[str, ...]] = {}
    for i, u in enumerate(units):
        if not u.heading or u.whole_passage or len(u.text.split()) < 3 or is_name_list(u.text):
            continue
        if u.heading not in named:
            named[u.heading] = heading_duties(u.heading)
        for duty_id in named[u.heading]:
            out.setdefault(duty_id, []).append(i)
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


@dataclass(frozen=True)
class DutyProfile:
    """What one duty looks like: registry descriptors and the guidance's requirements, as vectors."""

    duty: Duty
    descriptors: np.ndarray  # (2, dim), raw embeddings
    requirements: np.ndarray  # (n, dim), raw embeddings of the requirement sentences
    phrase_weight: dict[str, float] = field(default_factory=dict)  # signal phrase -> specificity


def descriptor_texts(duty: Duty) -> list[str]:
    return [f"{duty.title}. {duty.summary}", ", ".join((duty.title, *duty.phrases))]


def phrase_specificity(duties: Sequence[Duty], guidance_text: dict[str, str]) -> dict[str, dict[str, float]]:
    """1 / (number of duties whose summary and requirements use the phrase), per duty and phrase."""
    texts = {d.id: _norm(f"{d.summary} {guidance_text.get(d.id, '')}") for d in duties}
    out: dict[str, dict[str, float]] = {}
    for d in duties:
        out[d.id] = {}
        for p in d.phrases:
            n = sum(1 for t in texts.values() if _phrase_re(p).search(t))
            out[d.id][p] = 1.0 / max(n, 1)
    return out


def centre(profiles: Sequence[DutyProfile]) -> np.ndarray:
    """The shared direction of all duties' descriptors and requirements (removed before comparing)."""
    vecs = [p.descriptors[:1] for p in profiles] + [p.requirements for p in profiles if len(p.requirements)]
    return np.concatenate(vecs).mean(axis=0)


@dataclass(frozen=True)
class TermModel:
    """Per-duty log-odds of each word stem in the guidance's language for that duty, against all duties."""

    vocab: dict[str, int]
    weights: np.ndarray  # (terms, duties), negative weights clipped to 0

    @classmethod
    def build(cls, texts: Sequence[str], alpha: float = 0.5) -> TermModel:
        """``texts[j]``: everything the registry and the guidance say about duty j."""
        counts = [Counter(content_terms(t)) for t in texts]
        vocab = {t: i for i, t in enumerate(sorted(set().union(*counts)))}
        c = np.zeros((len(vocab), len(texts)))
        for j, counter in enumerate(counts):
            for t, n in counter.items():
                c[vocab[t], j] = n
        v = max(len(vocab), 1)
        p_duty = (c + alpha) / (c.sum(axis=0, keepdims=True) + alpha * v)
        p_all = (c.sum(axis=1, keepdims=True) + alpha) / (c.sum() + alpha * v)
        return cls(vocab, np.clip(np.log(p_duty) - np.log(p_all), 0.0, None))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, duties): summed weights of each text's distinct stems, over the square root of their number."""
        out = np.zeros((len(texts), self.weights.shape[1]))
        for k, text in enumerate(texts):
            terms = set(content_terms(text))
            idx = [self.vocab[t] for t in terms if t in self.vocab]
            if idx:
                out[k] = self.weights[idx].sum(axis=0) / math.sqrt(len(terms))
        return out


def guidance_text(duty: Duty, requirements: Sequence[str]) -> str:
    """What the term model learns a duty's language from: the registry entry and the requirements."""
    return " ".join([duty.title, duty.summary, *duty.phrases, *duty.phrases, *requirements])


def _zscores(m: np.ndarray, floor: float) -> np.ndarray:
    """Each row against its own mean, over its spread floored by a fixed ``floor``: a flat, empty unit
    has no stand-out duty. The floor is a constant, not the plan's own spread: with the plan's, every
    well-written section raised it and so lowered every other section's z-scores (a research section
    scored addressed alone and partial inside a fuller plan), and a one-sentence plan's lone sentence
    stood out against nothing."""
    dev = m - m.mean(axis=1, keepdims=True)
    return dev / np.maximum(m.std(axis=1, keepdims=True), floor)


@dataclass(frozen=True)
class Similarities:
    """Unit-by-duty similarity of the substantive units, and per-unit z-scores of it and of the terms."""

    index: np.ndarray  # positions of the substantive units in the plan's unit list
    sim: np.ndarray  # (units, duties): centred cosine, max over the duty's descriptors
    z: np.ndarray  # (units, duties)
    z_terms: np.ndarray  # (units, duties): z-scores of the guidance-term scores
    texts: tuple[str, ...] = ()  # the units' text, normalised for phrase matching


def similarities(unit_vectors: np.ndarray, units: Sequence[PlanUnit], profiles: Sequence[DutyProfile],
                 g: np.ndarray, terms: TermModel) -> Similarities:
    index = np.array([i for i, u in enumerate(units) if u.substantive], dtype=int)
    if not len(index):
        empty = np.zeros((0, len(profiles)))
        return Similarities(index, empty, empty, empty)
    vecs = _unit(unit_vectors[index] - g)
    sim = np.stack([(vecs @ _unit(p.descriptors - g).T).max(axis=1) for p in profiles], axis=1)
    lexical = terms.scores([units[i].text for i in index])
    return Similarities(index, sim, _zscores(sim, SIM_SPREAD), _zscores(lexical, TERM_SPREAD),
                        tuple(_norm(units[i].text) for i in index))


@dataclass(frozen=True)
class DutyFeatures:
    specificity: float
    phrases: float
    guidance_terms: float
    best: tuple[int, ...]  # substantive sentences to quote as evidence, best first (plan unit indices)

    def vector(self) -> list[float]:
        return [self.specificity, math.log1p(self.phrases), self.guidance_terms]

    def to_json(self) -> dict:
        return {"specificity": round(self.specificity, 4), "phrases": round(self.phrases, 4),
                "guidance_terms": round(self.guidance_terms, 4)}


def _has_phrase(phrase: str, normalised_text: str) -> bool:
    """The registry's phrase match (a word start), with a plain substring test first: far faster."""
    return _norm(phrase) in normalised_text and bool(_phrase_re(phrase).search(normalised_text))


def _top_mean(values: np.ndarray, n: int = TOP_UNITS) -> float:
    """The mean of the ``n`` highest values, a plan with fewer units counting the absent ones as 0 (no
    more about the duty than about any other): one sentence is one sentence, however short the plan."""
    return float(np.sort(values)[::-1][:n].sum() / n)


def evidence_order(j: int, sims: Similarities, units: Sequence[PlanUnit], headed: Collection[int] = ()) -> list[int]:
    """Substantive sentences (positions in ``sims``) as evidence for duty j, best first: those under a
    heading that names the duty (``headed``: plan unit indices), then those about this duty more than
    any other (by embedding and guidance-term z-score together), each group by that combined z-score.
    A sentence on the duty's topic but more about another duty comes only when there is neither; and
    when no sentence is on its topic, the best two."""
    z = sims.z[:, j]
    both = sims.z + sims.z_terms
    own = both.argmax(axis=1) == j
    sentences = [k for k in range(len(sims.index)) if not units[sims.index[k]].whole_passage]
    on_topic = [k for k in sentences if (z[k] >= ON_TOPIC_Z and sims.sim[k, j] > 0) or sims.index[k] in headed]
    preferred = [k for k in on_topic if sims.index[k] in headed or own[k]]
    if not on_topic:
        return sorted(sentences, key=lambda k: -z[k])[:TOP_UNITS]
    return sorted(preferred or on_topic, key=lambda k: (sims.index[k] not in headed, not own[k], -both[k, j]))


def duty_features(j: int, sims: Similarities, units: Sequence[PlanUnit], profile: DutyProfile,
                  headed: Collection[int] = ()) -> DutyFeatures:
    """The features of duty j; ``headed``: plan units under a heading that names it (evidence first)."""
    if not len(sims.index):
        return DutyFeatures(0.0, 0.0, 0.0, ())
    z = sims.z[:, j]
    in_top3 = (sims.sim > sims.sim[:, [j]]).sum(axis=1) < 3
    phrases = 0.0
    for k, pos in enumerate(sims.index):
        u = units[pos]
        if u.whole_passage or not in_top3[k]:
            continue
        text = sims.texts[k]
        weights = [w for p, w in profile.phrase_weight.items() if _has_phrase(p, text)]
        phrases += max(weights, default=0.0)
    best = tuple(int(sims.index[k]) for k in evidence_order(j, sims, units, frozenset(headed)))
    return DutyFeatures(_top_mean(z), phrases, _top_mean(sims.z_terms[:, j]), best)


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over the features and the two status thresholds, fitted on labelled plans."""

    weights: tuple[float, ...]
    bias: float
    addressed: float
    partial: float
    fitted_on: tuple[str, ...] = ()
    held_out: tuple[str, ...] = ()

    def score(self, f: DutyFeatures) -> float:
        x = sum(w * v for w, v in zip(self.weights, f.vector(), strict=True)) + self.bias
        return 1.0 / (1.0 + math.exp(-x))

    def status(self, score: float, headed: bool = False) -> str:
        """The status for a score; ``headed``: a heading names the duty, so it is at least partial."""
        if score >= self.addressed:
            return "addressed"
        return "partial" if score >= self.partial or headed else "missing"

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
                "thresholds": {"addressed": self.addressed, "partial": self.partial},
                "fitted_on": list(self.fitted_on), "held_out": list(self.held_out)}

    @classmethod
    def from_json(cls, data: dict) -> Calibration:
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError(f"calibration is for features {data.get('features')}, not {list(FEATURES)}")
        t = data["thresholds"]
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]), float(t["addressed"]),
                   float(t["partial"]), tuple(data.get("fitted_on", ())), tuple(data.get("held_out", ())))

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
