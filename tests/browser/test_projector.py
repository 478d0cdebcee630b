"""The pages in projector mode (1280x720, ?projector=1): no chart shorter than 240 px, Tab never walks into the
collapsed sidebar, sidebar labels are not cut, and Back after a page change needs one press. Screenshots at 1280x720
(projector) and 390x844 (phone) go to artifacts/screenshots/ for a person to look at."""
import pytest

from lib import site
from tests.browser.server import CHARTS_DRAWN, ROOT, wait_done

SHOTS = ROOT / "artifacts" / "screenshots"
PAGES = [site.HOME, *site.PAGES]
pytestmark = pytest.mark.browser

# what has the focus, when it is inside the sidebar (else null), and whether the sidebar is collapsed at that moment
_FOCUS_IN_SIDEBAR = """() => { const a = document.activeElement, s = a.closest('[data-testid="stSidebar"]');
  return s ? [a.tagName, a.getAttribute('aria-label') || (a.innerText || '').slice(0, 40),
              s.getAttribute('data-collapsed'), s.getAttribute('aria-expanded'), getComputedStyle(s).visibility]
           : null; }"""


def _path(info):
    return "" if info is site.HOME else info.url_path


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_projector_page(chromium, server, info):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/{_path(info)}?projector=1")
        wait_done(page)
        page.wait_for_function(CHARTS_DRAWN, timeout=600_000)  # measure drawn charts, not their loading skeletons
        page.screenshot(path=str(SHOTS / f"{info.url_path}_projector_1280.png"))
        heights = page.locator('[data-testid="stVegaLiteChart"]').evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().height))")
        assert all(h >= 240 for h in heights), heights
        # Tab through the page's first controls: never into the hidden sidebar
        page.locator("h1").first.click()
        for _ in range(15):
            page.keyboard.press("Tab")
            inside = page.evaluate(_FOCUS_IN_SIDEBAR)
            assert not inside, f"the focus went into the collapsed sidebar: {inside}"
    finally:
        context.close()


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_phone_screenshot(chromium, server, info):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server}/{_path(info)}")
        wait_done(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(SHOTS / f"{info.url_path}_phone.png"), full_page=False)
        page.set_viewport_size({"width": 390, "height": 5000})
        wait_done(page)
        page.screenshot(path=str(SHOTS / f"{info.url_path}_phone_full.png"))
    finally:
        context.close()


def test_nav_labels_fit_and_back_takes_one_press(chromium, server):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/?projector=1")
        wait_done(page)
        page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button').first.click()
        page.locator('[data-testid="stSidebarNavLink"]').first.wait_for()
        cut = page.locator('[data-testid="stSidebarNavLink"] span').evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
        assert not cut, cut
        target = site.PAGES[0]
        page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=target.title).first.click()
        page.wait_for_function("p => location.pathname.endsWith(p) && location.search.includes('projector=1')",
                               arg=f"/{target.url_path}")
        wait_done(page)
        page.go_back()
        page.wait_for_function("() => location.pathname === '/'")
        wait_done(page)
        assert page.locator("h1").first.inner_text().lower().startswith("from machine learning")
    finally:
        context.close()
