"""Asking questions in the browser: cited answers, the quoted passage, abstention, separate chats."""

import warnings

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.ui.conftest import ask, choose, open_tab, remove_document, screenshot, settle, upload

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


def test_not_in_the_sources_speaks_to_a_web_user_not_a_command_line_user(page):
    ask(page, "Who won the 1966 World Cup?")
    said = page.locator("#jfp-chat [data-testid='bot']").last.inner_text()
    assert "jfp ingest" not in said and "Library tab" in said
    panel = page.locator("#jfp-evidence").inner_text()
    assert "confidence" not in panel.lower() and "below 0." not in panel


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


def test_an_empty_question_asks_for_one_and_leaves_the_box_usable(page):
    box = page.locator("#jfp-question textarea")
    box.fill("   ")
    page.locator("#jfp-ask").click()
    page.locator("#jfp-evidence").get_by_text("Please type a question.").wait_for()
    settle(page)
    assert page.locator("#jfp-chat [data-testid='bot'], #jfp-chat [data-testid='user']").count() == 0  # no answer
    assert page.locator("[data-testid='status-tracker']").filter(has_text="Error").count() == 0  # no error badge
    ask(page, CLIMATE)  # the box and the button still take a question
    assert "[1]" in page.locator("#jfp-chat [data-testid='bot']").last.inner_text()


def test_the_chats_own_clear_button_starts_a_new_conversation(page, browser, app_url):
    follow_up = "And by when?"
    fresh = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:
        fresh.goto(app_url)
        fresh.locator("#jfp-question textarea").wait_for()
        ask(fresh, follow_up)
        alone = fresh.locator("#jfp-chat [data-testid='bot']").last.inner_text()
    finally:
        fresh.context.close()
    ask(page, CLIMATE)
    page.locator("#jfp-chat").get_by_role("button", name="Clear").click()
    page.locator("#jfp-evidence .jfp-hint").wait_for()  # the sources panel is back to its hint
    assert CLIMATE not in page.locator("#jfp-evidence").inner_text()
    ask(page, follow_up)
    assert page.locator("#jfp-chat [data-testid='bot']").count() == 1
    assert page.locator("#jfp-chat [data-testid='bot']").last.inner_text() == alone  # not read as a follow-up


def test_a_long_question_is_shortened_in_the_sources_heading_and_the_limit_is_shown(page):
    assert "Up to 2,000 characters" in page.locator("#jfp-question").inner_text()
    question = CLIMATE + " " + " ".join(["Please also say how the plan covers net zero travel and estates."] * 40)
    assert len(question) > 2000
    page.locator("#jfp-question textarea").fill(question)
    page.locator("#jfp-ask").click()
    heading = page.locator("#jfp-evidence .jfp-evidence .jfp-q")
    heading.filter(has_text=CLIMATE).wait_for()
    settle(page)
    shown = heading.inner_text()
    assert len(shown) < 250 and shown.rstrip().endswith("…")
    first, panel = page.locator("#jfp-evidence details.jfp-cite").first.bounding_box(), \
        page.locator("#jfp-evidence").bounding_box()
    assert first["y"] < panel["y"] + panel["height"] - 20  # the first citation is still in view


def _add_note(page, tmp_path, name: str, title: str) -> None:
    path = tmp_path / name
    path.write_text(f"# {title}\n\nThe {title.split()[0]} board will fit solar panels to every clinic roof.\n")
    open_tab(page, "Library")
    upload(page, "jfp-upload", path)
    page.locator("#jfp-add").click()
    page.locator("#jfp-library").get_by_text(title).first.wait_for()
    settle(page)


def test_a_document_removed_by_someone_else_is_named_as_gone_from_the_filter(page, browser, app_url, tmp_path):
    _add_note(page, tmp_path, "kestrel-note.md", "Kestrel Vale estates note")
    open_tab(page, "Ask")
    choose(page, "jfp-doc-filter", "Kestrel Vale estates note (kestrel-note.md)")
    other = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:  # a colleague removes the document while it is chosen here
        other.goto(app_url)
        other.locator("#jfp-question textarea").wait_for()
        remove_document(other, "Kestrel Vale estates note")
    finally:
        other.context.close()
    page.locator("#jfp-question textarea").fill("Which roofs will get solar panels?")
    page.locator("#jfp-ask").click()
    said = page.locator("#jfp-chat [data-testid='bot']").last
    said.wait_for()
    settle(page)
    assert "no longer in the library" in said.inner_text()
    assert "no longer in the library" in page.locator("#jfp-evidence").inner_text()
    assert "jfp sources" not in page.locator("#jfp-evidence").inner_text()
    assert page.locator("#jfp-doc-filter input").input_value() == "All documents"


def test_removing_the_document_chosen_in_the_filter_sets_it_back_to_all_documents(page, tmp_path):
    _add_note(page, tmp_path, "osprey-note.md", "Osprey Bay estates note")
    open_tab(page, "Ask")
    choose(page, "jfp-doc-filter", "Osprey Bay estates note (osprey-note.md)")
    remove_document(page, "Osprey Bay estates note")
    settle(page)
    open_tab(page, "Ask")
    assert page.locator("#jfp-doc-filter input").input_value() == "All documents"
    ask(page, CLIMATE)  # no error: the question is asked of every document
    assert "[1]" in page.locator("#jfp-chat [data-testid='bot']").last.inner_text()
    assert page.locator("[data-testid='status-tracker']").filter(has_text="Error").count() == 0
