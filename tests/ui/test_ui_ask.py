"""Asking questions in the browser: cited answers, the quoted passage, abstention, separate chats."""

import warnings

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.ui.conftest import ask, screenshot

pytestmark = pytest.mark.browser

CLIMATE = "What must the joint forward plan say about climate change?"


def test_answer_cites_sources_and_a_citation_expands_to_its_highlighted_quote(page):
    ask(page, CLIMATE)
    answer = page.locator("#jfp-chat [data-testid='bot']").last.inner_text()
    assert "climate" in answer.lower() and "[1]" in answer
    first = page.locator("#jfp-evidence details.jfp-cite").first
    quote = first.locator("mark")
    assert not quote.is_visible()  # folded until the reader asks for it
    first.locator("summary").click()
    assert quote.is_visible()
    assert len(quote.inner_text().split()) >= 4
    meta = first.locator("dl.jfp-meta").inner_text()
    assert "Document" in meta and "Page" in meta and "Section" in meta
    # the quote sits inside its surrounding text, not on its own
    assert len(first.locator("p.jfp-context").inner_text()) > len(quote.inner_text()) + 40
    screenshot(page, "ask")


def test_out_of_scope_question_shows_not_in_the_sources(page):
    ask(page, "Who won the 1966 World Cup?")
    banner = page.locator("#jfp-evidence .jfp-abstain")
    assert banner.is_visible()
    assert "Not in the sources" in banner.inner_text()
    assert "Not in the sources" in page.locator("#jfp-chat [data-testid='bot']").last.inner_text()
    assert page.locator("#jfp-evidence h3").filter(has_text="Closest material").is_visible()
    screenshot(page, "ask-not-in-sources")


def test_answer_downloads_as_markdown_with_its_citations(page):
    ask(page, CLIMATE)
    page.get_by_text("Copy or download this answer with its citations").click()
    with page.expect_download() as d:
        page.locator("#jfp-download-answer").click()
    text = open(d.value.path(), encoding="utf-8").read()
    assert text.startswith(f"# {CLIMATE}")
    assert "## Sources" in text and "[1] " in text


def test_two_people_do_not_see_each_others_chats(page, browser, app_url):
    ask(page, CLIMATE)
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:
        other.goto(app_url)
        other.locator("#jfp-question textarea").wait_for()
        other.wait_for_timeout(500)
        assert other.locator("#jfp-chat [data-testid='bot']").count() == 0
        assert CLIMATE not in other.locator("#jfp-evidence").inner_text()
    finally:
        other.context.close()


def test_selecting_an_earlier_answer_shows_its_sources_again(page):
    ask(page, CLIMATE)
    ask(page, "Who won the 1966 World Cup?")
    first = page.locator("#jfp-chat [data-testid='bot']").first
    shown = page.locator("#jfp-evidence .jfp-q").filter(has_text=CLIMATE)
    first.scroll_into_view_if_needed()
    first.click(position={"x": 12, "y": 12})  # on its first words, clear of the message's buttons
    try:
        shown.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        # On a loaded 2-core CI machine the first click was occasionally ignored (2 runs in about 6);
        # a person clicks again. Selecting must still bring the sources back. The warning keeps count.
        warnings.warn("the first click on the earlier answer was ignored; clicked again", stacklevel=1)
        first.click(position={"x": 12, "y": 12})
        shown.wait_for()
    assert page.locator("#jfp-evidence .jfp-abstain").count() == 0


def test_page_makes_no_requests_off_this_machine(page):
    ask(page, CLIMATE)
    for tab in ("Requirements", "Draft", "Check", "Library"):
        page.get_by_role("tab", name=tab).click()
    page.wait_for_timeout(500)
    assert page.external_requests == []


def test_a_keyboard_user_can_ask_and_open_a_citation(page):
    box = page.locator("#jfp-question textarea")
    box.focus()
    page.keyboard.type(CLIMATE)
    page.keyboard.press("Enter")
    page.locator("#jfp-evidence .jfp-q").filter(has_text=CLIMATE).wait_for()
    summary = page.locator("#jfp-evidence details.jfp-cite summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#jfp-evidence details.jfp-cite mark").first.is_visible()
