"""Requirements, Draft and Check tabs in the browser."""

import csv

import docx
import pytest

from tests.ui.conftest import choose, open_tab, screenshot, settle, unavailable, upload

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


SEAVIEW = "Seaview ICB draft JFP 2025 (v0.3).md"
DOWNLOADS = {"csv": "#jfp-check-csv", "docx": "#jfp-check-docx", "md": "#jfp-check-md"}


def _check(page, plan) -> None:
    """Upload ``plan`` in the Check tab (in place of any plan already there), check it, and wait."""
    open_tab(page, "Check")
    clear = page.locator("#jfp-plan").get_by_role("button", name="Clear")
    if clear.count():
        clear.first.click()
    upload(page, "jfp-plan", plan)
    page.locator("#jfp-check-go").click()
    page.locator("#jfp-check-out table.jfp-rag, #jfp-check-out .jfp-banner").first.wait_for()
    settle(page)
    if unavailable(page, "#jfp-check-out", "Checking a plan"):
        pytest.skip("checking (assistant/coverage.py) is not built yet in this checkout")


def test_the_check_report_and_its_downloads_keep_the_plans_own_name(page, tmp_path):
    plan = tmp_path / SEAVIEW
    plan.write_text(PLAN, encoding="utf-8")
    _check(page, plan)
    assert SEAVIEW in page.locator("#jfp-check-out .jfp-summary").inner_text()
    for ext, button in DOWNLOADS.items():
        with page.expect_download() as d:
            page.locator(button).click()
        assert d.value.suggested_filename == f"Seaview ICB draft JFP 2025 (v0.3)-coverage.{ext}"


def test_the_check_report_downloads_as_markdown_as_the_command_line_writes_it(page, tmp_path):
    plan = tmp_path / "anytown-plan.md"
    plan.write_text(PLAN, encoding="utf-8")
    _check(page, plan)
    with page.expect_download() as d:
        page.locator("#jfp-check-md").click()
    text = open(d.value.path(), encoding="utf-8").read()
    assert text.startswith("# Coverage check: ") and "Plan file: `anytown-plan.md`" in text
    assert "| Duty or content area | Kind | Status | Score | Best evidence in the plan |" in text
    assert "### Duty to reduce inequalities" in text


def test_a_failed_check_hides_the_previous_plans_downloads(page, tmp_path):
    good = tmp_path / "anytown-plan.md"
    good.write_text(PLAN, encoding="utf-8")
    _check(page, good)
    assert all(page.locator(b).is_visible() for b in DOWNLOADS.values())
    broken = tmp_path / "broken.docx"
    broken.write_text("This is plain text, not a Word document.", encoding="utf-8")
    _check(page, broken)
    page.locator("#jfp-check-out .jfp-error").wait_for()
    assert "broken.docx" in page.locator("#jfp-check-out").inner_text()
    for button in DOWNLOADS.values():
        page.locator(button).wait_for(state="hidden")


def test_requirements_can_all_be_shown_from_the_page(page):
    integration = "Duty to promote integration"  # the guidance states far more of these than fit at first
    open_tab(page, "Requirements")
    choose(page, "jfp-req-duty", integration)
    page.locator("#jfp-req-go").click()
    out = page.locator("#jfp-req-out")
    out.locator("h2").filter(has_text=integration).wait_for()
    settle(page)
    shown = out.locator("ol.jfp-reqs > li").count()
    more = out.locator(".jfp-banner").filter(has_text="more")
    assert more.count() == 1
    assert "jfp requirements" not in out.inner_text()
    assert "Show all requirements" in more.inner_text()
    page.locator("#jfp-req-all").get_by_label("Show all requirements").check()
    page.locator("#jfp-req-go").click()
    page.wait_for_function("n => document.querySelectorAll('#jfp-req-out ol.jfp-reqs > li').length > n", arg=shown)
    settle(page)
    assert out.locator(".jfp-banner").filter(has_text="more").count() == 0
