"""HTML, script and markdown typed into every text box of every page, in Chromium: no dialog fires, no injected
element appears, and the text stays text."""
from urllib.parse import urlencode

import pytest

from lib import site
from tests.app.test_hostile_input import BOXES
from tests.browser.server import wait_done

pytestmark = pytest.mark.browser
PAGES = [site.HOME, *site.PAGES]
BY_PATH = {p.path: p for p in PAGES}
# boxes that only appear in another mode of a page (a radio), opened through the page's bookmarkable URL
MODES = sorted({(b.values[0], b.values[1]) for b in BOXES if b.values[1] is not None})
TARGETS = ([pytest.param(p, "", id=p.url_path) for p in PAGES]
           + [pytest.param(BY_PATH[path], "?" + urlencode({key: value}), id=f"{BY_PATH[path].url_path}:{value}")
              for path, (key, value) in MODES])
PAYLOAD = ('<img src=x onerror="alert(1)"><script>alert(2)</script><b id="pwned">bold</b>'
           '<svg onload="alert(3)"></svg> [click](javascript:alert(4)) <iframe src="javascript:alert(5)"></iframe>'
           ' **strong** <a id="pwnlink" href="javascript:alert(6)">x</a>')
TEXT_BOXES = '[data-testid="stTextArea"] textarea, [data-testid="stTextInput"] input'


@pytest.mark.parametrize("info,query", TARGETS)
def test_payloads_stay_text(chromium, server, info, query):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{server}/{'' if info is site.HOME else info.url_path}{query}")
        wait_done(page)
        if query:  # this mode exists to show a text box: wait for it
            page.wait_for_selector(TEXT_BOXES, timeout=600_000)
        n = page.locator(TEXT_BOXES).count()
        for i in range(n):
            box = page.locator(TEXT_BOXES).nth(i)
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
