"""The Library tab in the browser: add a document, find it listed and cited, re-add, remove."""

import pytest

from tests.ui.conftest import ask, open_tab, remove_document, screenshot, settle, upload

pytestmark = pytest.mark.browser

NOTE = """# Wessex Moorland hedgerow pledge

## Green estates

The Wessex Moorland integrated care board will plant four thousand hedgerow trees beside every community
hospital car park by March 2027, to shade patients and absorb road traffic emissions.
"""


def _add(page, path, expect: str) -> None:
    """Add one file in the Library tab and wait for its result ("added", "unchanged"...) in the table."""
    open_tab(page, "Library")
    upload(page, "jfp-upload", path)
    page.locator("#jfp-add").click()
    page.locator("#jfp-results").get_by_text(expect, exact=True).first.wait_for()
    assert path.name in page.locator("#jfp-results").inner_text()


def test_uploaded_document_is_listed_in_the_library_and_cited_in_an_answer(page, tmp_path):
    path = tmp_path / "wessex-hedgerows.md"
    path.write_text(NOTE, encoding="utf-8")
    _add(page, path, "added")
    page.locator("#jfp-library").get_by_text("Wessex Moorland hedgerow pledge").first.wait_for()
    screenshot(page, "library")
    open_tab(page, "Ask")
    ask(page, "How many hedgerow trees will Wessex Moorland plant beside community hospitals?")
    cite = page.locator("#jfp-evidence details.jfp-cite").filter(has_text="Wessex Moorland hedgerow pledge").first
    cite.locator("summary").click()
    assert "four thousand hedgerow trees" in cite.locator("mark").inner_text()


def test_adding_an_unchanged_file_again_reports_it_unchanged(page, tmp_path):
    path = tmp_path / "unchanged-note.md"
    path.write_text("# Unchanged note\n\nThe Fenland estates board meets on the second Tuesday of each month.\n")
    _add(page, path, "added")
    assert "1 file added to the library" in page.locator("#jfp-lib-status").inner_text()
    _add(page, path, "unchanged")
    assert "already in the library" in page.locator("#jfp-results").inner_text()
    status = page.locator("#jfp-lib-status").inner_text()
    assert "No files added" in status and "1 file was already there" in status


def test_a_removed_document_leaves_the_library(page, tmp_path):
    path = tmp_path / "to-remove.md"
    path.write_text("# Temporary briefing on ferry links\n\nThe island ferry timetable changes each winter.\n")
    _add(page, path, "added")
    table = page.locator("#jfp-library")
    table.get_by_text("Temporary briefing on ferry links").first.wait_for()
    remove_document(page, "Temporary briefing on ferry links")
    assert "(1 passage)" in page.locator("#jfp-lib-status").inner_text()
    table.get_by_text("Temporary briefing on ferry links").wait_for(state="detached")


def test_remove_asks_for_confirmation_before_removing(page, tmp_path):
    path = tmp_path / "keep-me.md"
    path.write_text("# Harbour parking briefing\n\nThe harbour car park closes for resurfacing each spring.\n")
    _add(page, path, "added")
    table = page.locator("#jfp-library")
    box = page.locator("#jfp-remove-doc input")
    box.click()
    box.fill("Harbour parking")
    page.get_by_role("option").filter(has_text="Harbour parking briefing").first.click()
    button = page.locator("#jfp-remove")
    button.click()
    button.filter(has_text="Confirm remove Harbour parking briefing").wait_for()
    settle(page)
    assert table.get_by_text("Harbour parking briefing").count() == 1  # not removed yet
    assert "Confirm remove" in page.locator("#jfp-lib-status").inner_text()
    box.click()  # choosing another document steps back: nothing is removed
    box.fill("Cornwall")
    page.get_by_role("option").filter(has_text="Cornwall").first.click()
    button.filter(has_text="Confirm").wait_for(state="detached")
    assert button.inner_text().strip() == "Remove"
    remove_document(page, "Harbour parking briefing")
    table.get_by_text("Harbour parking briefing").wait_for(state="detached")


def test_a_file_of_the_wrong_type_is_refused_with_a_reason(page, tmp_path):
    path = tmp_path / "macro.exe"
    path.write_bytes(b"MZ not a document")
    open_tab(page, "Library")
    page.locator("#jfp-upload input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(500)
    if page.locator("#jfp-upload").get_by_text("macro.exe").count():  # the browser let it through: the server refuses
        page.locator("#jfp-add").click()
        page.locator("#jfp-results").get_by_text("not added").wait_for()
        assert "only .pdf" in page.locator("#jfp-results").inner_text()
    else:  # the page itself refused it
        assert page.locator("#jfp-library").get_by_text("macro").count() == 0
