"""The duty registry: every statutory duty and content area a joint forward plan must cover.

One registry serves retrieval (routing and boosting), ingestion (tagging chunks), drafting, the
coverage check and the evaluation. Ids follow ../shared/CONTRACT.md; statutory bases are sections of
the National Health Service Act 2006 as amended by the Health and Care Act 2022 (s.14Z52 sets out
what the plan must contain). Content areas are not statutory: they come from table 2 of the annex
of NHS England's JFP guidance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from assistant.errors import UnknownDutyError

DutyKind = Literal["duty", "content_area"]


@dataclass(frozen=True)
class Duty:
    id: str
    title: str
    kind: DutyKind
    statutory_basis: str
    summary: str  # one line: what the plan has to show
    headings: tuple[str, ...]  # headings in the guidance/annexes that introduce this duty
    phrases: tuple[str, ...]  # phrases that signal the duty in a question or a passage
    plan_section: str  # where it sits in the plan structure (Cornwall appendix 8)
    plan_order: int

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "statutory_basis": self.statutory_basis,
            "summary": self.summary,
            "plan_section": self.plan_section,
        }


_JFP = "s.14Z52(2)"
_GUIDANCE_T2 = "Not statutory: content area in table 2 of the annex to NHS England's JFP guidance"

DUTIES: tuple[Duty, ...] = (
    Duty("health_services", "Describing the health services the ICB will arrange", "duty",
         f"{_JFP}(a) NHS Act 2006",
         "Describe the health services for which the ICB proposes to make arrangements to meet its population's physical and mental health needs.",
         ("Describing the health services", "Describe the health services"),
         ("health services for which", "arrange and/or provide", "health needs of their population", "services commissioned",
          "physical and mental health needs", "commissioning intentions"),
         "1. Introduction; 4. Improving access, experience and outcomes", 1),
    Duty("integration", "Duty to promote integration", "duty", "s.14Z42 NHS Act 2006 (via s.14Z52(2)(b))",
         "Explain how the ICB will provide health services in an integrated way with health-related and social care services.",
         ("Duty to promote integration",),
         ("integration", "integrated way", "joined up care", "joined-up care", "better care fund", "social care services",
          "integrated neighbourhood teams", "health-related services", "integrate"),
         "3.1 Model of local care (steps towards increasing integration)", 8),
    Duty("wider_effect", "Duty to have regard to the wider effect of decisions (the triple aim)", "duty",
         "s.14Z43 NHS Act 2006 (via s.14Z52(2)(b))",
         "Show how the triple aim (health and wellbeing, quality of services, efficient and sustainable use of resources) shaped the plan and decisions.",
         ("Duty to have regard to the wider effect of decisions", "Duty to have regard to wider effect of decisions"),
         ("triple aim", "wider effect", "wider effects of decisions", "health and wellbeing of the people",
          "efficiency and sustainability", "sustainable use of resources"),
         "1.1 ICS vision, aims and purpose", 2),
    Duty("financial", "Financial duties", "duty", "ss.223GB to 223N NHS Act 2006 (via s.14Z52(2)(b))",
         "Show expenditure within resources, compliance with NHS England financial objectives and limits, and how efficiency and productivity will improve.",
         ("Financial duties",),
         ("financial duties", "financial", "expenditure", "value for money", "productivity", "efficiency",
          "financial objectives", "expenditure limits", "capital", "break even", "balanced net system financial position",
          "money", "budget"),
         "5.3 Financial sustainability and financial strategy", 22),
    Duty("jlhws", "Implementing joint local health and wellbeing strategies", "duty", f"{_JFP}(c) NHS Act 2006",
         "Set out the steps the ICB will take to implement each relevant joint local health and wellbeing strategy.",
         ("Implementing any joint health and wellbeing strategy", "joint local health and wellbeing strateg",
          "Implementing any joint LHWBS"),
         ("joint local health and wellbeing strateg", "joint health and wellbeing strateg", "health and wellbeing strateg",
          "jlhws", "jhws", "health and wellbeing board", "hwb", "integrated care strategy"),
         "4.1 People experiencing inequity (delivering the Joint Health and Wellbeing Strategy)", 3),
    Duty("quality", "Duty to improve quality of services", "duty", "s.14Z34 NHS Act 2006 (via s.14Z52(2)(b))",
         "Set quality objectives and metrics that evidence sustained, equitable improvement.",
         ("Duty to improve quality of services",),
         ("quality of services", "quality improvement", "improve quality", "quality objectives", "patient safety",
          "patient experience", "clinical effectiveness", "cqc", "quality"),
         "4. Improving access, experience and outcomes (quality objectives)", 12),
    Duty("inequalities", "Duty to reduce inequalities", "duty", "s.14Z35 NHS Act 2006 (via s.14Z52(2)(b))",
         "Set out how the ICB will reduce inequalities in access, experience and outcomes (Core20PLUS5).",
         ("Duty to reduce inequalities",),
         ("inequalities", "inequality", "health inequalities", "core20plus5", "core20+5", "equitable access", "disparities",
          "deprived", "deprivation", "inclusion health", "inequity"),
         "2. Population health and health inequalities", 5),
    Duty("patient_involvement", "Duty to promote the involvement of each patient", "duty",
         "s.14Z36 NHS Act 2006 (via s.14Z52(2)(b))",
         "Describe how patients are involved in decisions about their own care: the comprehensive model of personalised care.",
         ("Duty to promote the involvement of each patient", "Duty to promote involvement of each patient"),
         ("involvement of each patient", "involving patients in decisions", "decisions about their own care",
          "decisions about their care", "personalised care", "comprehensive model of personalised care", "shared decision",
          "personal health budget", "personalised care and support plan", "social prescribing", "patient involvement"),
         "3.2 Person at the centre (comprehensive model of personalised care)", 9),
    Duty("public_involvement", "Duty to involve the public", "duty", "s.14Z45 NHS Act 2006 (via s.14Z52(2)(b))",
         "Describe how the public, communities and stakeholders are engaged and involved in planning and decisions.",
         ("Duty to involve the public", "Public involvement by integrated care boards"),
         ("involve the public", "public involvement", "engagement", "engage", "consultation", "consult", "communities",
          "working with people and communities", "healthwatch", "voluntary, community", "co-production", "coproduction",
          "co-produce", "co-design"),
         "1. Introduction (how the plan was developed)", 10),
    Duty("patient_choice", "Duty as to patient choice", "duty", "s.14Z37 NHS Act 2006 (via s.14Z52(2)(b))",
         "Explain how patient choice is upheld in commissioning, contracting and services, and how choices are publicised.",
         ("Duty as to patient choice", "Duty to patient choice"),
         ("patient choice", "choice", "legal right to choose", "right to choose", "choices available to patients", "nhs e-referral"),
         "3.2 Person at the centre", 11),
    Duty("advice", "Duty to obtain appropriate advice", "duty", "s.14Z38 NHS Act 2006 (via s.14Z52(2)(b))",
         "Outline how the ICB obtains expert advice, including from clinical and professional leaders and local authority partners.",
         ("Duty to obtain appropriate advice",),
         ("appropriate advice", "expert advice", "obtain advice", "clinical and care professional", "professional leadership",
          "advice", "public health expertise"),
         "1. Introduction (governance)", 13),
    Duty("innovation", "Duty to promote innovation", "duty", "s.14Z39 NHS Act 2006 (via s.14Z52(2)(b))",
         "Set out how the ICB will promote innovation and the adoption and spread of proven innovation.",
         ("Duty to promote innovation",),
         ("innovation", "innovate", "adoption and spread", "academic health science network", "ahsn", "health innovation network",
          "new products and pathways", "life sciences"),
         "5.4 Innovation and research", 18),
    Duty("research", "Duty in respect of research", "duty", "s.14Z40 NHS Act 2006 (via s.14Z52(2)(b))",
         "Set out how the ICB will facilitate and promote research and use research evidence.",
         ("Duty in respect of research",),
         ("research", "nihr", "national institute for health and care research", "clinical research", "evidence from research",
          "research delivery", "clinical trials", "research active"),
         "5.4 Innovation and research", 19),
    Duty("education_training", "Duty to promote education and training", "duty", "s.14Z41 NHS Act 2006 (via s.14Z52(2)(b))",
         "Explain how education and training support the workforce plan and staff supply.",
         ("Duty to promote education and training",),
         ("education and training", "training", "education", "trainees", "apprenticeship", "learners", "placements",
          "health education england"),
         "5.2 Workforce (role of education and training)", 17),
    Duty("climate_change", "Duty as to climate change", "duty", "s.14Z44 NHS Act 2006 (via s.14Z52(2)(b))",
         "Describe how the ICB and partner trusts will deliver Net Zero NHS targets and align with green plans.",
         ("Duty as to climate change",),
         ("climate change", "net zero", "carbon", "green plan", "greener nhs", "emissions", "climate",
          "air pollution", "environmental"),
         "5.1 Infrastructure (reducing the carbon footprint)", 21),
    Duty("children_young_people", "Addressing the particular needs of children and young people", "duty",
         f"{_JFP}(d) NHS Act 2006",
         "Set out steps to address the particular needs of children and young people under 25.",
         ("Addressing the particular needs of children and young people",
          "Addressing the particular needs of children and young persons"),
         ("children and young people", "children", "young people", "young persons", "under the age of 25", "under 25",
          "under-25", "cyp", "families", "child", "safeguarding children", "send", "transition to adult"),
         "2.1 Population groups with unique needs (children and young people)", 6),
    Duty("victims_of_abuse", "Addressing the particular needs of victims of abuse", "duty", f"{_JFP}(e) NHS Act 2006",
         "Set out steps to address the particular needs of victims of abuse, including domestic and sexual abuse.",
         ("Addressing the particular needs of victims of abuse",),
         ("victims of abuse", "domestic abuse", "sexual abuse", "domestic abuse act", "abuse", "safeguarding",
          "violence against women", "survivors"),
         "2.1 Population groups with unique needs (victims of abuse)", 7),
    Duty("workforce", "Workforce", "content_area", _GUIDANCE_T2,
         "Describe how the system will grow, retain and support its workforce (one workforce across partners).",
         ("Workforce",),
         ("workforce", "staff", "recruitment", "retention", "people plan", "people promise", "one workforce", "agency staff"),
         "5.2 Workforce", 16),
    Duty("digital_data", "Digital and data", "content_area", _GUIDANCE_T2,
         "Set out the digital and data strategy: shared care records, digital maturity, data for population health.",
         ("Digital and data", "Digital & data"),
         ("digital", "data", "shared care record", "digital maturity", "what good looks like", "cyber", "electronic patient record",
          "technology", "digital inclusion", "nhs app"),
         "5.1 Infrastructure (digital)", 20),
    Duty("estates", "Estates", "content_area", _GUIDANCE_T2,
         "Describe the estates strategy and infrastructure plans across the system.",
         ("Estates",),
         ("estates", "estate", "buildings", "infrastructure strategy", "capital", "premises", "one public estate"),
         "5.1 Infrastructure (estates)", 23),
    Duty("procurement", "Procurement and supply chain", "content_area", _GUIDANCE_T2,
         "Describe how procurement and the supply chain will be managed collaboratively.",
         ("Procurement/supply chain", "Procurement"),
         ("procurement", "supply chain", "purchasing", "provider selection regime", "contracts", "suppliers"),
         "5.3 Financial sustainability", 24),
    Duty("population_health_management", "Population health management", "content_area", _GUIDANCE_T2,
         "Explain how population health management (data-driven segmentation and targeted intervention) will be used.",
         ("Population health management",),
         ("population health management", "phm", "population health", "segmentation", "risk stratification",
          "linked data", "proactive care"),
         "3.1 Model of local care (population health management)", 4),
    Duty("system_development", "System development", "content_area", _GUIDANCE_T2,
         "Describe how the system will develop: provider collaboratives, place-based partnerships, leadership and governance.",
         ("System development",),
         ("system development", "provider collaborative", "place-based partnership", "place", "leadership", "governance",
          "organisational development", "delegation", "mature", "system maturity", "ics maturity"),
         "1. Introduction; 3. Our ambitions", 14),
    Duty("wider_social_economic", "Supporting wider social and economic development", "content_area", _GUIDANCE_T2,
         "Show how the NHS will support wider social and economic development (anchor institutions, employment, social value).",
         ("Supporting wider social and economic development",),
         ("social and economic development", "anchor institution", "anchor", "social value", "local employment",
          "economic development", "wider determinants", "economic", "local economy"),
         "3.3 My place (improving equity locally)", 15),
)


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Duty]:
    return {d.id: d for d in DUTIES}


def all_duties() -> tuple[Duty, ...]:
    return DUTIES


def duty_ids() -> list[str]:
    return [d.id for d in DUTIES]


def get_duty(duty_id: str) -> Duty:
    """Return the duty for its id, written with spaces or hyphens too ("climate change"), or for its
    title; else raise a plain-English error listing the known ids, with the nearest one suggested
    ("climate_chnage": did you mean climate_change?)."""
    key = re.sub(r"[\s-]+", "_", (duty_id or "").strip().lower())
    duty = _by_id().get(key) or next((d for d in DUTIES if _norm(d.title) == _norm((duty_id or "").strip())), None)
    if duty is None:
        raise UnknownDutyError(duty_id, duty_ids(), _nearest(key))
    return duty


def _nearest(key: str) -> str | None:
    """The duty id closest to a mistyped one ("victim_of_abuse", "workforse"), if any is close."""
    import difflib

    ids = duty_ids()
    close = difflib.get_close_matches(key, ids, n=1, cutoff=0.75)
    if close:
        return close[0]
    # a word of a title: "choice" -> patient_choice, when only one duty has it
    words = set(key.split("_")) - {"duty", "to", "of", "the", "and", "as", "in", "a"}
    hits = [d.id for d in DUTIES if words and words <= set(re.findall(r"[a-z]+", (d.title + " " + d.id).lower()))]
    if len(hits) == 1:
        return hits[0]
    # a phrase that signals one duty: "net_zero" -> climate_change
    signalled = duties_in_question(key.replace("_", " "))
    return signalled[0] if len(signalled) == 1 else None


def plan_order() -> list[Duty]:
    """Duties in the order a plan presents them (after Cornwall's appendix 8 structure)."""
    return sorted(DUTIES, key=lambda d: d.plan_order)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("&", "and"))


@lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(_norm(phrase)).replace(r"\ ", r"\s+"))


def duties_in_heading(heading: str) -> list[str]:
    """Duty ids whose guidance heading matches this heading text."""
    h = _norm(heading)
    found = []
    for d in DUTIES:
        if any(_norm(x) in h for x in d.headings):
            found.append(d.id)
    return found


def is_duty_heading(text: str) -> bool:
    """A line that is a duty's heading or a table row's label ("Addressing the particular needs of
    victims of abuse"), perhaps with a word or two more, and no sentence of its own (no full stop)."""
    t = text.strip()
    if not t or t.endswith((".", "?", "!")):
        return False
    h = _norm(t)
    n = len(h.split())
    return any(h.startswith(head) and n <= words + 3 for head, words in _normed_headings())


@lru_cache(maxsize=1)
def _normed_headings() -> tuple[tuple[str, int], ...]:
    """Every duty heading, normalised, with its word count: ``is_duty_heading`` runs for every
    candidate sentence of every answer."""
    return tuple((_norm(x), len(x.split())) for d in DUTIES for x in d.headings)


def match_duties(text: str, min_hits: int = 1) -> dict[str, int]:
    """Count signal-phrase hits per duty in ``text`` (case-insensitive, whole-word starts)."""
    t = _norm(text)
    hits: dict[str, int] = {}
    for d in DUTIES:
        n = sum(len(_phrase_re(p).findall(t)) for p in d.phrases)
        if n >= min_hits:
            hits[d.id] = n
    return hits


def tag_duties(section: str, text: str, max_tags: int = 3) -> tuple[str, ...]:
    """Duty tags for a passage: heading match first, then the strongest signal phrases."""
    tags: list[str] = []
    # the deepest heading that names a duty wins ("Education > Duty as to climate change" is climate)
    for heading in reversed(section.split(" > ")) if section else ():
        tags = duties_in_heading(heading)
        if tags:
            break
    if not tags:
        # a table row or list entry keyed by a duty's name ("Duty to reduce inequalities | ...")
        tags = duties_in_heading(text[:90])
    if not tags:
        hits = match_duties(text)
        ranked = sorted(hits.items(), key=lambda kv: -kv[1])
        # a tag needs two signal hits in the passage, or one distinctive multi-word phrase
        tags = [k for k, n in ranked if n >= 2][:max_tags]
    return tuple(dict.fromkeys(tags))


def duties_in_question(question: str) -> list[str]:
    """Duties a question names or implies, strongest first."""
    hits = match_duties(question)
    for d in DUTIES:
        if d.id.replace("_", " ") in _norm(question) or _norm(d.title) in _norm(question):
            hits[d.id] = hits.get(d.id, 0) + 3
    return [k for k, _ in sorted(hits.items(), key=lambda kv: -kv[1])]
