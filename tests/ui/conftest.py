"""Browser-test set-up: the real `jfp ui` on a free local port, over a temporary index holding the
shipped corpus, driven by Debian's Chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT, jfp_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # a common laptop screen
JFP = [sys.executable, "-m", "assistant"]
STEP_MS = 90_000  # the longest any single step (an answer, an upload, a draft) may take
UI_LOGS: list[Path] = []  # the server log of each `jfp ui` started here, shown when a browser test fails


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium (run 'make browser' or "
                    "'apt-get install chromium'); browser tests need a real browser.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Ingest the shipped corpus into a temporary index, then start `jfp ui` and wait for its URL."""
    _require_chromium()
    index = tmp_path_factory.mktemp("ui-index")
    env = jfp_env(index)
    env.pop("JFP_UI_AUTH", None)
    env["JFP_UPLOAD_MAX_MB"] = "1"
    ingest = subprocess.run([*JFP, "--index", str(index), "ingest", "--json"], env=env, capture_output=True,
                            text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert ingest.returncode == 0, ingest.stderr
    log = (index / "ui.log").open("w")
    UI_LOGS.append(index / "ui.log")
    proc = subprocess.Popen([*JFP, "--index", str(index), "ui", "--port", str(free_port())], env=env,
                            stdout=subprocess.PIPE, stderr=log, text=True, stdin=subprocess.DEVNULL)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    deadline, url = time.monotonic() + 180, None
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if "running at" in line:
            url = next(w for w in line.split() if w.startswith("http"))
    if url is None:
        proc.kill()
        pytest.fail(f"jfp ui did not print its URL; log:\n{(index / 'ui.log').read_text()}")
    assert urlparse(url).hostname == "127.0.0.1"
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report carries the end of the app's server log (a traceback from a
    callback is there, and nowhere else)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for path in UI_LOGS:
            if path.exists():
                report.sections.append((f"jfp ui log ({path.name})", path.read_text(errors="replace")[-4000:]))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    _require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser context (a new user) on the app, at laptop size, recording calls off this machine."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    page.external_requests = []
    page.on("request", lambda r: page.external_requests.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:"))
            else None)
    page.goto(app_url)
    page.locator("#jfp-question textarea").wait_for()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save what a person sees on a laptop screen to docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(400)  # let transitions settle
    page.screenshot(path=str(path))
    return path


# --- what a person does --------------------------------------------------------------------------
def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def ask(page, question: str) -> None:
    """Type a question, press Ask, and wait until the answer and its sources are on the page."""
    before = page.locator("#jfp-chat [data-testid='bot']").count()
    page.locator("#jfp-question textarea").fill(question)
    page.locator("#jfp-ask").click()
    page.locator("#jfp-chat [data-testid='bot']").nth(before).wait_for()
    page.locator("#jfp-evidence .jfp-evidence .jfp-q").filter(has_text=question).wait_for()
    settle(page)


def settle(page) -> None:
    """Wait until no event is running and the chat has stopped scrolling to its newest message, so a
    click lands on what it aims at (a click during the scroll can hit a neighbouring message)."""
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
                           ".every(e => e.classList.contains('hide'))")
    assert page.evaluate("""async () => {
        const boxes = [...document.querySelectorAll('#jfp-chat *')].filter(e => e.scrollHeight > e.clientHeight);
        let last = null;
        for (let i = 0; i < 60; i++) {
            const now = boxes.map(e => e.scrollTop).join();
            if (now === last) return true;
            last = now;
            await new Promise(r => setTimeout(r, 200));
        }
        return false;
    }"""), "the chat kept scrolling"


def choose(page, elem_id: str, option: str) -> None:
    """Pick an option from a Gradio dropdown by typing part of it, as a keyboard user would."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(option[:20])
    page.get_by_role("option", name=option, exact=True).click()


def upload(page, elem_id: str, *paths: Path) -> None:
    page.locator(f"#{elem_id} input[type=file]").set_input_files([str(p) for p in paths])
    for p in paths:
        page.locator(f"#{elem_id}").get_by_label(p.name, exact=True).first.wait_for()  # listed as uploaded


def unavailable(page, selector: str, what: str) -> bool:
    """True when the feature said plainly that it is not built yet (drafting/checking land separately)."""
    return page.locator(selector).filter(has_text=f"{what} is not available").count() > 0




def remove_document(page, title: str) -> None:
    """In the Library tab, choose the document titled ``title``, press Remove, then confirm."""
    open_tab(page, "Library")
    box = page.locator("#jfp-remove-doc input")
    box.click()
    box.fill(title[:20])
    page.get_by_role("option").filter(has_text=title).first.click()
    button = page.locator("#jfp-remove")
    button.click()
    button.filter(has_text=f"Confirm remove {title}").wait_for()
    button.click()
    page.locator("#jfp-lib-status").filter(has_text="Removed").wait_for()
