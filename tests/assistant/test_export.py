"""Markdown and Word exports of drafts, opened again with python-docx and checked."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from assistant.draft import build_plan
from assistant.duties import plan_order
from assistant.export import (
    add_table,
    citation_line,
    draft_to_docx,
    draft_to_markdown,
    plan_to_docx,
    plan_to_markdown,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def draft(corpus_service):
    return corpus_service.draft("climate_change")


@pytest.fixture(scope="module")
def docx_path(draft, tmp_path_factory):
    return draft_to_docx(draft, tmp_path_factory.mktemp("docx") / "climate.docx")


@pytest.fixture(scope="module")
def plan(corpus_service):
    return build_plan(corpus_service)


@pytest.fixture(scope="module")
def plan_doc(plan, tmp_path_factory):
    return Document(str(plan_to_docx(plan, tmp_path_factory.mktemp("plan") / "plan.docx")))


def _after(paragraphs, heading_text):
    i = next(i for i, p in enumerate(paragraphs) if p.text == heading_text and p.style.name.startswith("Heading"))
    return paragraphs[i + 1:]


def test_docx_has_title_and_section_headings_in_heading_styles(draft, docx_path):
    doc = Document(str(docx_path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    expected = [("Heading 1", draft.title)] + [("Heading 2", h) for h, _ in draft.sections] + [("Heading 2", "Sources")]
    assert headings == expected


def test_docx_placeholders_are_highlighted_yellow(draft, docx_path):
    doc = Document(str(docx_path))
    runs = [r for p in doc.paragraphs for r in p.runs if "[TO CONFIRM:" in r.text]
    assert len(runs) == draft.placeholders > 0
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in runs)
    assert all(re.fullmatch(r"\[TO CONFIRM: [^\]]+\]", r.text) for r in runs)


def test_docx_citation_markers_are_superscript(draft, docx_path):
    doc = Document(str(docx_path))
    marks = [r for p in doc.paragraphs for r in p.runs if re.fullmatch(r"\[\d+\]", r.text)]
    assert marks and all(r.font.superscript for r in marks)
    assert {int(r.text[1:-1]) for r in marks} == {c.n for c in draft.citations}


def test_docx_sources_list_matches_citations(draft, docx_path):
    doc = Document(str(docx_path))
    entries = _after(doc.paragraphs, "Sources")
    assert len(entries) == len(draft.citations)
    for p, c in zip(entries, draft.citations, strict=True):
        assert p.text.startswith(f"[{c.n}] {c.title}")
        assert f"“{c.quote}”" in p.text
        assert (f"page {c.page}" in p.text) == bool(c.page)
        assert not c.section or c.section in p.text


def test_docx_bullets_use_list_style(docx_path):
    doc = Document(str(docx_path))
    assert any(p.style.name == "List Bullet" and re.search(r"\[\d+\]", p.text) for p in doc.paragraphs)


def test_markdown_export_has_the_draft_and_its_sources(draft):
    md = draft_to_markdown(draft)
    assert md.startswith(draft.text.rstrip())
    assert "\n## Sources\n" in md
    for c in draft.citations:
        assert f"- {citation_line(c)}" in md


def test_plan_docx_has_a_heading_1_per_duty_in_plan_order(plan_doc):
    h1 = [p.text for p in plan_doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [d.title for d in plan_order()]


def test_plan_docx_has_a_title_and_a_contents_field_listing_every_section(plan, plan_doc):
    paras = plan_doc.paragraphs
    assert paras[0].style.name == "Title" and paras[0].text == plan.title
    body = plan_doc.element.body
    instr = [e.text for e in body.iter(qn("w:instrText"))]
    assert any(t.strip().startswith("TOC") for t in instr)
    i = next(i for i, p in enumerate(paras) if p.text == "Contents" and p.style.name == "TOC Heading")
    contents = paras[i + 1:]
    assert [p.text for p in contents[: len(plan.sections)]] == [d.title for d in plan_order()]


def test_plan_docx_has_each_sections_sources(plan, plan_doc):
    sources = [p for p in plan_doc.paragraphs if p.text == "Sources" and p.style.name == "Heading 2"]
    assert len(sources) == len(plan.sections)


def test_plan_markdown_lists_contents_then_every_section(plan):
    md = plan_to_markdown(plan)
    for i, d in enumerate(plan.sections, start=1):
        assert f"\n{i}. {d.title}\n" in md
        assert f"\n## {d.title}\n" in md
    assert plan.placeholders == sum(len(re.findall(r"\[TO CONFIRM: [^\]]+\]", d.text)) for d in plan.sections)


def test_add_table_writes_header_and_rich_cells(tmp_path):
    doc = Document()
    add_table(doc, ["Duty", "Status"], [["Climate change", "missing [TO CONFIRM: evidence] [2]"]])
    path = tmp_path / "t.docx"
    doc.save(str(path))
    table = Document(str(path)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Duty", "Status"]
    assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    runs = table.rows[1].cells[1].paragraphs[0].runs
    assert any(r.text == "[TO CONFIRM: evidence]" and r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in runs)
    assert any(r.text == "[2]" and r.font.superscript for r in runs)


def test_a_statutory_requirement_that_leads_into_a_list_is_quoted_with_its_items(plan, plan_doc):
    # "... must exercise their functions with a view to ensuring that, in respect of each financial
    # year:" states nothing without the two limits that follow it
    financial = next(d for d in plan.sections if d.duty_id == "financial")
    statutory = dict(financial.sections)["Statutory requirement"]
    lead = next(i for i, line in enumerate(statutory) if "in respect of each financial year:" in line)
    items = statutory[lead + 1:lead + 3]
    assert [line.startswith("  - ") for line in items] == [True, True]
    assert "local capital resource use does not exceed a limit" in items[0]
    quote = next(c.quote for c in financial.citations if "in respect of each financial year" in c.quote)
    assert "local revenue resource use does not exceed a limit set by NHS England." in quote
    # Word shows them as a list under the lead-in
    paragraphs = plan_doc.paragraphs
    i = next(i for i, p in enumerate(paragraphs) if "in respect of each financial year:" in p.text)
    assert [p.style.name for p in paragraphs[i + 1:i + 3]] == ["List Bullet 2", "List Bullet 2"]
