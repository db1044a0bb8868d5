"""Prompt templates are files under ``prompts/``, loaded by name.

Each file starts with a front-matter block listing its variables::

    ---
    variables: [question, sources]
    ---
    text with {question} and {sources}

Rendering checks that exactly the listed variables are supplied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.errors import JfpError

_FRONT = re.compile(r"^---\s*\nvariables:\s*\[(.*?)\]\s*\n---\s*\n", re.S)


@dataclass(frozen=True)
class Prompt:
    name: str
    variables: tuple[str, ...]
    template: str

    def render(self, **values: object) -> str:
        missing = set(self.variables) - set(values)
        extra = set(values) - set(self.variables)
        if missing or extra:
            raise JfpError(f"prompt '{self.name}': missing {sorted(missing)}, unexpected {sorted(extra)}")
        out = self.template
        for k in self.variables:
            out = out.replace("{" + k + "}", str(values[k]))
        return out


@lru_cache(maxsize=64)
def load_prompt(name: str, folder: Path = PROJECT_ROOT / "prompts") -> Prompt:
    path = folder / f"{name}.md"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise JfpError(f"Prompt template '{name}' is missing ({path}). Reinstall jfp-assistant.") from exc
    m = _FRONT.match(raw)
    variables = tuple(v.strip() for v in m.group(1).split(",") if v.strip()) if m else ()
    body = raw[m.end():] if m else raw
    return Prompt(name=name, variables=variables, template=body.strip() + "\n")
