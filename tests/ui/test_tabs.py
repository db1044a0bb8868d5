"""Requirements, Draft and Check tabs in the browser."""

import csv

import docx
import pytest

from tests.ui.conftest import choose, open_tab, screenshot, unavailable, upload

pytestmark = pytest.mark.browser

CLIMATE = "Duty as to climate change"

PLAN = """# Anytown ICB joint forward plan 2025 to 2030

## Duty to reduce inequalities

We will reduce inequalities between patients in their ability to access health services and in the
outcomes achieved for them. Our Core20PLUS5 programme targets the most deprived 20% of our population
and inclusion health groups, and we will report progress on narrowing the gap in life expectancy to the
board each quarter.

## Duty as to climate change

Our Green Plan sets out how the ICB and its partner trusts will deliver against the targets in
Delivering a Net Zero NHS: net zero for the emissions we control directly by 2040. The board holds an
executive lead to account for the Green Plan, and we will cut emissions from travel, estates and
medicines such as anaesthetic gases and inhalers.
"""


def test_requirements_lists_what_the_guidance_requires_with_citations(page):
    open_tab(page, "Requirements")
    choose(page, "jfp-req-duty", CLIMATE)
    page.locator("#jfp-req-go").click()
    out = page.locator("#jfp-req-out")
    out.locator("h2").filter(has_text=CLIMATE).wait_for()
    assert out.locator("h3").filter(has_text="Must").count() + out.locator("h3").filter(has_text="Should").count() >= 1
    first = out.locator("details.jfp-cite").first
    first.locator("summary").click()
    assert first.locator("mark").is_visible()
    screenshot(page, "requirements")


def test_draft_shows_the_text_and_downloads_a_word_file(page, tmp_path):
    open_tab(page, "Draft")
    choose(page, "jfp-draft-duty", CLIMATE)
    page.locator("#jfp-draft-go").click()
    page.locator("#jfp-draft-cites .jfp-banner, #jfp-draft-cites h3").first.wait_for()
    if unavailable(page, "#jfp-draft-cites", "Drafting"):
        pytest.skip("drafting (assistant/draft.py) is not built yet in this checkout")
    assert "climate" in page.locator("#jfp-draft-text").inner_text().lower()
    placeholders = page.locator("#jfp-draft-text mark.jfp-placeholder")
    if placeholders.count():
        placeholders.first.scroll_into_view_if_needed()
    screenshot(page, "draft")
    with page.expect_download() as d:
        page.locator("#jfp-draft-docx").click()
    assert d.value.suggested_filename.endswith(".docx")
    target = tmp_path / d.value.suggested_filename
    d.value.save_as(target)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "climate" in text.lower()


def test_check_reads_a_plan_and_shows_the_rag_table(page, tmp_path):
    plan = tmp_path / "anytown-plan.md"
    plan.write_text(PLAN, encoding="utf-8")
    open_tab(page, "Check")
    upload(page, "jfp-plan", plan)
    screenshot(page, "check")  # replaced by the report below once checking is built
    page.locator("#jfp-check-go").click()
    page.locator("#jfp-check-out table.jfp-rag, #jfp-check-out .jfp-banner").first.wait_for()
    if unavailable(page, "#jfp-check-out", "Checking a plan"):
        pytest.skip("checking (assistant/coverage.py) is not built yet in this checkout")
    table = page.locator("#jfp-check-out table.jfp-rag")
    rows = table.locator("tbody tr")
    assert rows.count() >= 17
    inequalities = rows.filter(has=page.locator("th", has_text="Duty to reduce inequalities"))
    assert inequalities.locator(".jfp-status").inner_text() in ("Addressed", "Partly addressed")
    assert "reduce inequalities between patients" in inequalities.locator("td").nth(1).inner_text()  # the plan quoted
    assert rows.locator(".jfp-status").filter(has_text="Missing").count() >= 1
    inequalities.scroll_into_view_if_needed()
    screenshot(page, "check")
    csv_button = page.locator("#jfp-check-csv")
    if csv_button.is_visible():  # the CSV export (assistant/coverage_export.py) is built
        with page.expect_download() as d:
            csv_button.click()
        rows_csv = list(csv.DictReader(open(d.value.path(), encoding="utf-8-sig")))
        assert len(rows_csv) == rows.count()
