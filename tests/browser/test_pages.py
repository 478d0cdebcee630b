"""Every registered page opens in Chromium without an exception box, in normal and projector mode, and gets a
screenshot at 1280x720 (saved in artifacts/screenshots/ for a person to look at)."""
from pathlib import Path

import pytest

from lib import site
from tests.browser.server import ROOT, streamlit_server, wait_done

SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = [site.HOME, *site.PAGES]

pytestmark = pytest.mark.browser


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # the app must work offline: nothing may be fetched from anywhere but the app's own server
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else dialogs.append(f"external request: {r.url}"))
    page.goto(url)
    wait_done(page)
    return context, page, dialogs


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_page_opens_without_exception_in_both_modes(chromium, server, info):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = "" if info is site.HOME else info.url_path
    for projector in (False, True):
        url = f"{server}/{path}" + ("?projector=1" if projector else "")
        context, page, dialogs = _open(chromium, url)
        try:
            assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
                '[data-testid="stException"]').first.inner_text()
            title = page.locator("h1").first.inner_text()
            assert title.strip(), "the page has no title"
            if info is site.HOME:
                assert "foundation models" in title.lower()
            assert not dialogs
            assert page.get_by_text("Page not found").count() == 0, f"{url} answered 'Page not found'"
            suffix = "_projector" if projector else ""
            page.screenshot(path=str(SHOTS / f"{info.url_path}{suffix}.png"))
            # Streamlit scrolls inside its own container, so a tall viewport stands in for a full-page shot
            page.set_viewport_size({"width": 1280, "height": 2400})
            page.wait_for_timeout(500)
            wait_done(page)
            page.screenshot(path=str(SHOTS / f"{info.url_path}{suffix}_full.png"))
        finally:
            context.close()


def test_projector_toggle_enlarges_text(chromium, server):
    context, page, _ = _open(chromium, server)
    try:
        size = lambda: page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                                     "'[data-testid=\"stMarkdownContainer\"] p')).fontSize)")
        before = size()
        page.get_by_text("Projector mode").click()
        wait_done(page)
        page.wait_for_function("() => new URL(location.href).searchParams.get('projector') === '1'")
        after = size()
        assert after >= 1.4 * before - 0.5, (before, after)
    finally:
        context.close()


def test_a_deep_link_is_the_first_request_to_a_fresh_server(chromium):
    """A lecturer's bookmark opens the right page even when it is the first thing a new server is asked for."""
    target = site.PAGES[-1] if site.PAGES else site.HOME
    with streamlit_server(timeout=600) as (base, _proc):
        context, page, _ = _open(chromium, f"{base}/{target.url_path}?projector=1")
        try:
            page.wait_for_timeout(500)
            assert page.get_by_text("Page not found").count() == 0
            assert page.locator("h1").first.inner_text().strip() == target.title or target is site.HOME
            assert page.url.endswith(f"/{target.url_path}?projector=1")
        finally:
            context.close()


def test_an_open_expander_stays_open_across_a_live_run(chromium, server):
    """A reviewer opened the transfer page's "precomputed curve" expander, pressed "Train all three", and found it
    shut: the run added elements above it, so it was drawn anew. The run's elements live in one container now."""
    from tests.browser.server import DONE

    context, page, _ = _open(chromium, f"{server}/transfer-learning")
    try:
        details = page.locator("details", has=page.locator("summary", has_text="The precomputed curve"))
        page.locator("summary", has_text="The precomputed curve").click()
        page.wait_for_function("el => el.open", arg=details.element_handle(), timeout=60_000)
        page.get_by_role("button", name="Train all three").click()
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=120_000)
        page.wait_for_selector(DONE, timeout=600_000)
        page.get_by_text("Training took").first.wait_for(timeout=600_000)   # the run's notes: the run is drawn
        assert details.get_attribute("open") is not None
    finally:
        context.close()
