import os

import pytest

from tests.browser.server import CHROMIUM_ARGS, chromium_path, streamlit_server

WAIT_MS = 600_000


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing, and CI must run the browser tests: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def patient_context(*args, **kwargs):
            """Every wait of a browser test is on a condition; a busy shared machine is slow, not wrong, so no
            wait gives up before 10 minutes (Playwright's default is 30 s: a page.goto timed out under load)."""
            ctx = new_context(*args, **kwargs)
            ctx.set_default_timeout(WAIT_MS)
            ctx.set_default_navigation_timeout(WAIT_MS)
            return ctx

        browser.new_context = patient_context
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server():
    with streamlit_server(timeout=600) as (base, proc):
        yield base
