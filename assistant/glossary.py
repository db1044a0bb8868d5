"""NHS planning acronyms, expanded in queries so that "JFP" finds "joint forward plan" and back."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path

from assistant.terms import TermWeights, stem

ACRONYMS: dict[str, str] = {
    "jfp": "joint forward plan",
    "jfps": "joint forward plans",
    "icb": "integrated care board",
    "icbs": "integrated care boards",
    "ics": "integrated care system",
    "icp": "integrated care partnership",
    "hwb": "health and wellbeing board",
    "hwbs": "health and wellbeing boards",
    "jlhws": "joint local health and wellbeing strategy",
    "jhws": "joint health and wellbeing strategy",
    "jsna": "joint strategic needs assessment",
    "phm": "population health management",
    "cyp": "children and young people",
    "vcse": "voluntary community and social enterprise",
    "nhse": "NHS England",
    "bcf": "better care fund",
    "arrs": "additional roles reimbursement scheme",
    "uec": "urgent and emergency care",
    "cqc": "care quality commission",
    "nihr": "national institute for health and care research",
    "ahsn": "academic health science network",
    "ahsns": "academic health science networks",
    "send": "special educational needs and disabilities",
    "ld": "learning disability",
    "smart": "specific measurable achievable realistic time-bound",
}
_WORD_OR_AMP = re.compile(r"[A-Za-z]+(?:&[A-Za-z]+)?")


def load_local(path: Path) -> dict[str, str]:
    """Local acronyms shipped beside a corpus (``glossary.json``: {"CIoS": "Cornwall and Isles of Scilly"})."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k).lower(): str(v) for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def expand(text: str, local: dict[str, str] | None = None, skip: Collection[str] = ()) -> str:
    """Append the long form of each acronym in ``text`` (a question or a chunk); the original words are
    kept. ``skip``: acronyms (lower case) left as they are."""
    table = {**ACRONYMS, **(local or {})}
    extra = []
    for w in _WORD_OR_AMP.findall(text):
        lw = w.lower()
        if lw in table and lw not in skip and (any(ch.isupper() for ch in w[1:]) or w.isupper()
                                               or lw in {"jfps", "icbs", "hwbs", "ahsns"}):
            extra.append(table[lw])
    return text if not extra else f"{text} ({'; '.join(dict.fromkeys(extra))})"


# an acronym used in at least one chunk in ten is the corpus's everyday word
COMMON_SHARE = 0.1


def everyday_acronyms(weights: TermWeights, local: dict[str, str] | None = None,
                      share: float = COMMON_SHARE) -> frozenset[str]:
    """The acronyms (lower case) that at least ``share`` of the chunks use: in a library of planning
    documents, "JFP" and "ICB" are on every other page. Their long forms help BM25 find a chunk that
    spells them out, but appended to a question for the embedding model they pull every sentence
    towards "joint forward plan" and away from what the question is about ("how will our ICS
    mature?" matched a blog's "we will continue to support ICS leaders" over the guidance on system
    development). A rare acronym keeps its long form: "AHSN" means nothing to the model."""
    if not weights.n or not weights.df:
        return frozenset()
    return frozenset(a for a in {**ACRONYMS, **(local or {})}
                     if max(weights.df.get(a, 0), weights.df.get(stem(a), 0)) / weights.n >= share)
