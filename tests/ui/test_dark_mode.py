"""With the computer set to a dark colour scheme, the app's own boxes (citations, banners, table
headers) stay readable: their text contrasts with their background as WCAG AA asks (4.5 to 1)."""

import re

import pytest

from tests.ui.conftest import STEP_MS, VIEWPORT, ask, open_tab

pytestmark = pytest.mark.browser

AA = 4.5  # WCAG AA contrast for body text

# The text colour of an element and the colour behind it: its own background, or the nearest
# ancestor's that is not transparent.
COLOURS = """e => {
    let n = e, bg = null;
    while (n && !bg) {
        const b = getComputedStyle(n).backgroundColor;
        if (b && b !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(b)) bg = b;
        n = n.parentElement;
    }
    return [getComputedStyle(e).color, bg || 'rgb(255, 255, 255)'];
}"""


def luminance(rgb: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(locator) -> tuple[float, str, str]:
    fg, bg = locator.evaluate(COLOURS)
    return contrast(fg, bg), fg, bg


@pytest.fixture
def dark_page(browser, app_url):
    context = browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.goto(app_url)
    page.locator("#jfp-question textarea").wait_for()
    assert "dark" in page.evaluate("document.body.className")  # Gradio follows the system scheme
    yield page
    context.close()


def test_citations_and_the_not_in_sources_banner_are_readable_in_dark_mode(dark_page):
    ask(dark_page, "Who won the 1966 World Cup?")
    panel = dark_page.locator("#jfp-evidence")
    for what, locator in (("the not-in-the-sources banner", panel.locator(".jfp-abstain")),
                          ("a citation card", panel.locator("details.jfp-cite").first),
                          ("a citation's title", panel.locator("details.jfp-cite summary").first),
                          ("the question heading", panel.locator(".jfp-q"))):
        ratio, fg, bg = readable(locator)
        assert ratio >= AA, f"{what}: text {fg} on {bg} has contrast {ratio:.1f}, under {AA}"


def test_table_headers_are_readable_in_dark_mode(dark_page):
    open_tab(dark_page, "Library")
    header = dark_page.locator("#jfp-library thead th").first
    header.wait_for()
    ratio, fg, bg = readable(header)
    assert ratio >= AA, f"a table header: text {fg} on {bg} has contrast {ratio:.1f}, under {AA}"
