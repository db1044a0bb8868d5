"""NHS planning acronyms, expanded in queries so that "JFP" finds "joint forward plan" and back."""

from __future__ import annotations

import json
import re
from pathlib import Path

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


def expand(text: str, local: dict[str, str] | None = None) -> str:
    """Append the long form of each acronym in ``text`` (a question or a chunk); the original words are kept."""
    table = {**ACRONYMS, **(local or {})}
    extra = []
    for w in _WORD_OR_AMP.findall(text):
        lw = w.lower()
        if lw in table and (any(ch.isupper() for ch in w[1:]) or w.isupper() or lw in {"jfps", "icbs", "hwbs", "ahsns"}):
            extra.append(table[lw])
    return text if not extra else f"{text} ({'; '.join(dict.fromkeys(extra))})"
