"""HTML, script and markdown typed into every text box of every page, in Chromium: no dialog fires, no injected
element appears, and the text stays text."""
import pytest

from lib import site
from tests.browser.server import wait_done

pytestmark = pytest.mark.browser
PAGES = [site.HOME, *site.PAGES]
PAYLOAD = ('<img src=x onerror="alert(1)"><script>alert(2)</script><b id="pwned">bold</b>'
           '<svg onload="alert(3)"></svg> [click](javascript:alert(4)) <iframe src="javascript:alert(5)"></iframe>'
           ' **strong** <a id="pwnlink" href="javascript:alert(6)">x</a>')
BOXES = '[data-testid="stTextArea"] textarea, [data-testid="stTextInput"] input'


@pytest.mark.parametrize("info", PAGES, ids=[p.url_path for p in PAGES])
def test_payloads_stay_text(chromium, server, info):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{server}/{'' if info is site.HOME else info.url_path}")
        wait_done(page)
        n = page.locator(BOXES).count()
        for i in range(n):
            box = page.locator(BOXES).nth(i)
            box.fill(PAYLOAD)
            box.press("Control+Enter" if box.evaluate("e => e.tagName") == "TEXTAREA" else "Enter")
            page.wait_for_timeout(300)
            wait_done(page)
            page.wait_for_timeout(500)  # give any injected handler time to fire
            assert not dialogs, f"a dialog fired on {info.title}: {dialogs}"
            for sel in ("#pwned", "#pwnlink", 'img[src="x"]', "iframe[src^='javascript']", "svg[onload]"):
                assert page.locator(sel).count() == 0, f"{sel} was injected into {info.title}"
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator("a[href^='javascript']").count() == 0
    finally:
        context.close()
