"""First drafts of plan sections, one per duty, every statement cited.

A draft has the same five parts for every duty (headings in ``prompts/draft_section.md``): the
statutory requirement with its basis, what the guidance expects the plan to show (verbatim
requirements from ``find_requirements``), what the ICB will do (sentences from the ICB's own
documents, labelled by document), how progress will be measured, and the partners involved.
Where the ICB's documents hold no local fact (actions, a target, a date, a named lead, partners) the
draft says so with a visible ``[TO CONFIRM: ...]`` placeholder; placeholders are counted.

Without an LLM the draft is assembled from retrieved sentences quoted verbatim, with connective
wording from ``prompts/draft_phrases.md``. With an LLM (``assistant/draft_llm.py``) the same
material is rewritten as prose and checked like an answer; if that fails, the extractive draft is
returned with a notice. The statutory basis comes from the duty register (``assistant/duties.py``),
not from a source; it is the only text in a draft that is not quoted from a cited chunk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.citations import collapse, make_citation
from assistant.draft_material import CachedEmbedder, Material, Point, cached_embedder, gather
from assistant.duties import Duty, plan_order
from assistant.errors import InputError, LLMError
from assistant.prompts import load_prompt
from assistant.types import Chunk, Citation

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\[TO CONFIRM:[^\]]*\]")
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.M)
_LEAD = re.compile(r"\b(senior responsible (?:owner|officer)|SRO|executive lead|named lead|lead director|chief \w+ officer|director of \w+)\b", re.I)
_DATE = re.compile(r"\b(20\d\d(?:/\d\d)?|january|february|march|april|may|june|july|august|september|october|november|"
                   r"december|by the end of|quarter|q[1-4])\b", re.I)


# --- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    duty_id: str
    title: str
    text: str  # Markdown: "# title", then "## heading" per section
    citations: tuple[Citation, ...]  # numbered 1..n in order of first use in ``text``
    placeholders: int  # "[TO CONFIRM: ...]" occurrences in ``text``
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs), paragraphs as Markdown lines
    backend: str = "extractive"
    kind: str = "duty"
    statutory_basis: str = ""
    plan_section: str = ""
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"duty_id": self.duty_id, "title": self.title, "text": self.text,
                "citations": [c.to_json() for c in self.citations], "placeholders": self.placeholders,
                "kind": self.kind, "statutory_basis": self.statutory_basis, "plan_section": self.plan_section,
                "sections": [{"heading": h, "paragraphs": list(p)} for h, p in self.sections],
                "backend": self.backend, "notices": list(self.notices)}


@dataclass(frozen=True)
class Plan:
    """A whole-plan skeleton: one draft per duty and content area, in plan order."""

    title: str
    intro: str
    sections: tuple[Draft, ...]

    @property
    def placeholders(self) -> int:
        return sum(d.placeholders for d in self.sections)

    def to_json(self) -> dict:
        return {"title": self.title, "sections": [d.to_json() for d in self.sections], "placeholders": self.placeholders}


class CitationBook:
    """Numbers citations 1..n in the order they are first used; the same quote keeps its number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, str], int] = {}

    def _add(self, key: tuple[str, str], make: Callable[[int], Citation]) -> int:
        if key not in self._numbers:
            self._numbers[key] = len(self.citations) + 1
            self.citations.append(make(self._numbers[key]))
        return self._numbers[key]

    def cite(self, chunk: Chunk, quote: str) -> int:
        return self._add((chunk.chunk_id, collapse(quote)), lambda n: make_citation(n, chunk, quote))

    def reuse(self, citation: Citation) -> int:
        return self._add((citation.chunk_id, collapse(citation.quote)), lambda n: replace(citation, n=n))


# --- wording from prompts/ -----------------------------------------------------------------------
@lru_cache(maxsize=256)
def phrases(topic: str = "", document: str = "") -> dict[str, str]:
    """The connective wording in ``prompts/draft_phrases.md`` (one ``key: text`` a line)."""
    text = load_prompt("draft_phrases").render(topic=topic, document=document)
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            out[key.strip()] = value.strip()
    return out


def section_headings() -> list[str]:
    """The headings every draft has, in order (from ``prompts/draft_section.md``)."""
    return _HEADING.findall(load_prompt("draft_section").template)


def topic_of(duty: Duty) -> str:
    """How placeholders name the duty: 'the duty as to climate change', 'workforce'."""
    t = duty.title[0].lower() + duty.title[1:]
    return f"the {t}" if t.startswith("duty ") else t


def count_placeholders(text: str) -> int:
    return len(PLACEHOLDER.findall(text))


def parse_sections(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(heading, non-empty lines) for each "## " heading of a Markdown draft; an item of a nested
    list keeps its indent ("  - local capital resource use ...")."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            out.append((m.group(1), []))
        elif out and line.strip():
            out[-1][1].append(line.rstrip() if _NESTED.match(line) else line.strip())
    return tuple((h, tuple(lines)) for h, lines in out)


# --- composing the extractive draft ------------------------------------------------------------------
_NESTED = re.compile(r"^\s{2,}[-*•]\s+")
_ITEM_MARK = re.compile(r"^\s*(?:\(?[a-z0-9]{1,3}[.)]\s+)?")  # "a. ", "(i) " before a list item


def _bullets(points: Sequence[Point], book: CitationBook) -> list[str]:
    return [f"- {p.text} [{book.cite(p.chunk, p.text)}]" for p in points]


def compose(duty: Duty, m: Material, *, backend: str = "extractive", notices: Sequence[str] = ()) -> Draft:
    ph = phrases(topic_of(duty))
    book = CitationBook()
    if m.statutory is not None:
        lead, *items = m.statutory.quote.split("\n")
        statutory = ([ph["statutory_lead"], "", f"- {collapse(lead)} [{book.reuse(m.statutory)}]"]
                     + [f"  - {collapse(_ITEM_MARK.sub('', item))}" for item in items])
    else:
        statutory = [ph["statutory_none" if duty.kind == "duty" else "content_area"]]
    expects = ([ph["expects_lead"], ""] + [f"- {collapse(c.quote)} [{book.reuse(c)}]" for c in m.expects]
               if m.expects else [ph["expects_none"]])
    actions: list[str] = []
    if m.actions:
        actions += [ph["actions_lead"], ""]
        by_doc: dict[str, list[Point]] = {}
        for p in m.actions:
            by_doc.setdefault(p.chunk.title, []).append(p)
        for title, points in by_doc.items():
            actions += [phrases(document=title)["from_document"], *_bullets(points, book), ""]
    else:
        actions += [ph["actions_none"], ""]
    local = m.actions + m.measures + m.partners
    if not any(_LEAD.search(p.text) for p in local):
        actions.append(ph["no_lead"])
    if not any(_DATE.search(p.text) for p in m.actions + m.measures):
        actions += ["", ph["no_dates"]]
    if m.measures:
        measures = [ph["measures_lead"], "", *_bullets(m.measures, book)]
        if not any(_DATE.search(p.text) or re.search(r"\d", p.text) for p in m.measures):
            measures += ["", ph["no_targets"]]
    else:
        measures = [ph["measures_none"]]
    partners = [ph["partners_lead"], "", *_bullets(m.partners, book)] if m.partners else [ph["partners_none"]]
    return finish(duty, book.citations, backend=backend, notices=notices, statutory="\n".join(statutory),
                  expects="\n".join(expects), actions="\n".join(actions).strip(), measures="\n".join(measures),
                  partners="\n".join(partners))


def finish(duty: Duty, citations: Sequence[Citation], *, backend: str, notices: Sequence[str] = (),
           **bodies: str) -> Draft:
    """Fill the section template and wrap it as a ``Draft``."""
    text = load_prompt("draft_section").render(title=duty.title, basis=duty.statutory_basis, **bodies)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Draft(duty_id=duty.id, title=duty.title, text=text, citations=tuple(citations),
                 placeholders=count_placeholders(text), sections=parse_sections(text), backend=backend,
                 kind=duty.kind, statutory_basis=duty.statutory_basis, plan_section=duty.plan_section,
                 notices=tuple(notices))


# --- entry points ------------------------------------------------------------------------------------
def _require_index(service) -> None:
    if not service.manifest.doc_ids():
        raise InputError("The index is empty. Run 'jfp ingest' first (no path ingests the shipped corpus).")


def build_draft(service, duty: Duty, *, embedder: CachedEmbedder | None = None, use_llm: bool = True) -> Draft:
    """A first draft for one duty; with a chat model configured (and ``use_llm``), written by it and checked."""
    _require_index(service)
    material = gather(service, duty, embedder)
    if use_llm and service.chat is not None:
        from assistant.draft_llm import draft_with_llm

        try:
            return draft_with_llm(service, duty, material)
        except LLMError as exc:
            log.info("LLM draft for %s failed: %s", duty.id, exc.message)
            return compose(duty, material, notices=(f"{exc.message} This draft was built by the extractive fallback.",))
    return compose(duty, material)


def build_plan(service, *, progress: Callable[[Duty], None] | None = None) -> Plan:
    """Every duty and content area in plan order. Once the chat model fails, later sections are
    drafted extractively rather than waiting on it again."""
    _require_index(service)
    embedder = cached_embedder(service.embedder)
    drafts: list[Draft] = []
    use_llm = True
    for duty in plan_order():
        if progress:
            progress(duty)
        d = build_draft(service, duty, embedder=embedder, use_llm=use_llm)
        if use_llm and service.chat is not None and d.backend == "extractive":
            use_llm = False
        elif not use_llm and service.chat is not None:
            d = replace(d, notices=d.notices + ("The language model failed earlier in this run; this section was "
                                                "built by the extractive fallback.",))
        drafts.append(d)
    ph = phrases()
    return Plan(title=ph["plan_title"], intro=ph["plan_intro"], sections=tuple(drafts))


__all__ = ["Draft", "Plan", "Material", "Point", "CitationBook", "build_draft", "build_plan", "compose", "finish",
           "gather", "phrases", "section_headings", "count_placeholders", "parse_sections", "topic_of"]
