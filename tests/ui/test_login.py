"""With JFP_UI_AUTH set, the app asks for a login before showing anything."""

import pytest

from tests.ui.conftest import VIEWPORT, free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def login_app(tmp_path, browser):
    from assistant.config import Settings
    from assistant.service import JfpService
    from assistant.ui import serve

    settings = Settings(index_dir=tmp_path / "index", ui_auth="planner:correct-horse")
    served = serve(JfpService(settings), settings, "127.0.0.1", free_port(), block=False)
    yield served.url
    served.demo.close()


def test_the_app_is_shown_only_after_signing_in(login_app, browser):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        page.goto(login_app)
        page.get_by_label("username").fill("planner")
        page.get_by_label("password").fill("wrong")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials").wait_for(timeout=30_000)
        assert page.locator("#jfp-question").count() == 0
        page.get_by_label("username").fill("planner")
        page.get_by_label("password").fill("correct-horse")
        page.get_by_role("button", name="Login").click()
        page.locator("#jfp-question textarea").wait_for(timeout=60_000)
    finally:
        page.context.close()
