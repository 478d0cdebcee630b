"""The lecture in Chromium: step through every slide with the keys a clicker sends (PageDown / PageUp) and the arrow
keys, in normal and projector mode; the counter follows, nothing raises, and at 1280x720 in projector mode every
slide fits one screen (no vertical scroll in the document or in Streamlit's own scrolling container, nothing wider
than the viewport). ?slide=N opens slide N and Back goes to the previous slide in one press. Screenshots of every
slide in projector mode go to artifacts/lecture/ for a person to look at."""
from __future__ import annotations

import pytest

from lib import site
from lib.lessons import lecture as L
from tests.browser.server import CHARTS_DRAWN, DONE, ROOT

pytestmark = pytest.mark.browser

DECK = L.slides([site.HOME.url_path, *(p.url_path for p in site.PAGES)])
M = len(DECK)
SHOTS = ROOT / "artifacts" / "lecture"
WAIT = 300_000  # ms: generous, the machine is shared; the tests wait on conditions, never on a clock

# everything that scrolls vertically (the document, or a Streamlit container with overflow auto/scroll) and
# by how much its content is taller than its box; and every visible element that sticks out on the right
MEASURE = """() => {
  const out = {doc: [document.documentElement.scrollHeight, window.innerHeight], scrollers: [], wide: []};
  for (const el of document.querySelectorAll('body *')) {
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.right <= 0) continue;  // off-screen on the left: the collapsed sidebar
    if ((st.overflowY === 'auto' || st.overflowY === 'scroll') && el.scrollHeight > el.clientHeight + 1
        && el.clientHeight > 100) {
      out.scrollers.push([el.getAttribute('data-testid') || el.className.toString().slice(0, 40),
                          el.scrollHeight, el.clientHeight]);
    }
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && r.right > window.innerWidth + 1 && r.left < window.innerWidth) {
      out.wide.push([el.tagName, el.getAttribute('data-testid') || el.className.toString().slice(0, 40),
                     Math.round(r.right)]);
    }
  }
  return out;
}"""



def _context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    return context, page


def counter_text(page) -> str:
    c = page.locator('[data-testid="lecture-counter"]')
    return c.first.inner_text() if c.count() else "(no counter)"


def wait_slide(page, n: int) -> None:
    """Until the counter says n / M, the script has finished, and every chart is drawn."""
    try:
        _wait_slide(page, n)
    except Exception as exc:  # say where it got stuck
        raise AssertionError(f"waiting for slide {n}: counter {counter_text(page)!r}, url {page.url}, "
                             f"exceptions {page.locator('[data-testid=stException]').count()}") from exc


def _wait_slide(page, n: int) -> None:
    page.wait_for_function(
        "want => { const c = document.querySelector('[data-testid=\"lecture-counter\"]');"
        " return c && c.textContent.trim() === want; }", arg=f"{n} / {M}", timeout=WAIT)
    page.wait_for_selector(DONE, timeout=WAIT)
    page.wait_for_function(CHARTS_DRAWN, timeout=WAIT)
    page.wait_for_selector(DONE, timeout=WAIT)


def slide_problems(page, n: int, projector: bool) -> list[str]:
    """What is wrong with slide n as drawn (empty: nothing)."""
    name = f"slide {n} ({DECK[n - 1].id})"
    out = []
    if page.locator('[data-testid="stException"]').count():
        out.append(f"{name}: exception {page.locator('[data-testid=stException]').first.inner_text()[:300]}")
    if page.locator('[data-testid="stAlertContentError"]').count():
        out.append(f"{name} shows an error")
    if f"slide={n}" not in page.url:
        out.append(f"{name}: the URL is {page.url}")
    if projector:
        m = page.evaluate(MEASURE)
        height, viewport = m["doc"]
        if height > viewport:
            out.append(f"{name}: the document is {height}px tall, viewport {viewport}")
        if m["scrollers"]:
            out.append(f"{name} scrolls: {m['scrollers']}")
        if m["wide"]:
            out.append(f"{name}: wider than the viewport: {m['wide'][:5]}")
    return out


def check_slide(page, n: int, projector: bool) -> None:
    problems = slide_problems(page, n, projector)
    assert not problems, problems


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_step_through_every_slide_with_the_keyboard(chromium, server, projector):
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide=1" + ("&projector=1" if projector else ""))
        wait_slide(page, 1)
        if projector:
            SHOTS.mkdir(parents=True, exist_ok=True)
        problems = []  # every slide is checked (and photographed) before the test fails
        for n in range(1, M + 1):
            problems += slide_problems(page, n, projector)
            if projector:
                page.screenshot(path=str(SHOTS / f"slide-{n:02d}-{DECK[n - 1].id}.png"))
            if n < M:
                page.keyboard.press("PageDown" if n % 2 else "ArrowRight")
                wait_slide(page, n + 1)
        assert not problems, "\n".join(problems)
        page.keyboard.press("PageDown")  # past the end: stays on the last slide
        page.keyboard.press("PageUp")
        wait_slide(page, M - 1)
        page.keyboard.press("ArrowLeft")
        wait_slide(page, M - 2)
    finally:
        context.close()


@pytest.mark.parametrize("n", [1, 7, M])
def test_a_fresh_browser_lands_on_the_slide_in_the_url(chromium, server, n):
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide={n}&projector=1")
        wait_slide(page, n)
        check_slide(page, n, True)
        assert DECK[n - 1].title in page.locator(".st-key-lecture_title h1").inner_text()
    finally:
        context.close()


def test_a_bad_slide_number_clamps(chromium, server):
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide=9999")
        wait_slide(page, M)
        page.goto(f"{server}/lecture?slide=banana")
        wait_slide(page, 1)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_back_goes_to_the_previous_slide_in_one_press(chromium, server):
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide=5")
        wait_slide(page, 5)
        page.keyboard.press("PageDown")
        wait_slide(page, 6)
        page.keyboard.press("ArrowRight")
        wait_slide(page, 7)
        page.go_back()
        wait_slide(page, 6)
        assert "slide=6" in page.url
        page.go_back()
        wait_slide(page, 5)
        assert "slide=5" in page.url
        page.go_forward()
        wait_slide(page, 6)
        page.keyboard.press("PageUp")  # the keys still work after history navigation
        wait_slide(page, 5)
    finally:
        context.close()


def test_the_clicker_still_turns_slides_after_the_slider_was_moved(chromium, server):
    """A slider with the focus takes PageDown / PageUp for itself; on the lecture they turn the slide (lib/ui.py
    _CLICKER_JS), while the arrow keys still move the slider."""
    n = next(i for i, s in enumerate(DECK, start=1) if s.id == "rnn")
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide={n}")
        wait_slide(page, n)
        page.wait_for_function("() => window.__ufmClicker === true", timeout=WAIT)
        thumb = page.locator('.st-key-lecture_rnn_step input[type="range"]')  # Streamlit 1.67: react-aria
        before = thumb.input_value()
        thumb.focus()
        page.keyboard.press("ArrowLeft")  # the slider's own key: it moves, the slide stays
        page.wait_for_function(
            "was => { const t = document.querySelector('.st-key-lecture_rnn_step input[type=\"range\"]');"
            " return t && t.value !== was; }", arg=before, timeout=WAIT)
        wait_slide(page, n)
        thumb.focus()
        page.keyboard.press("PageDown")
        wait_slide(page, n + 1)
        page.keyboard.press("PageUp")
        wait_slide(page, n)
        page.locator('.st-key-lecture_rnn_step input[type="range"]').focus()
        page.keyboard.press("PageUp")
        wait_slide(page, n - 1)
    finally:
        context.close()


def test_speaker_notes_on_the_projector_stay_within_the_screen(chromium, server):
    """The lecturer may show the notes on the projector (N): they float over the foot of the slide, scrolled inside
    a third of the screen, so the slide still fits 1280x720 (the walkthrough found a page pushed below 720 px)."""
    n = max(range(1, M + 1), key=lambda i: len(DECK[i - 1].notes))  # the longest notes
    context, page = _context(chromium)
    try:
        page.goto(f"{server}/lecture?slide={n}&projector=1")
        wait_slide(page, n)
        assert page.locator(".st-key-lecture_notes_panel").count() == 0  # hidden on the projector until asked
        page.keyboard.press("n")
        page.wait_for_selector(".st-key-lecture_notes_panel", timeout=WAIT)
        wait_slide(page, n)
        height, viewport = page.evaluate(MEASURE)["doc"]
        assert height <= viewport, f"the document is {height}px tall with the notes shown, viewport {viewport}"
        box = page.locator(".st-key-lecture_notes_panel").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport + 1 and box["height"] <= 0.35 * viewport
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 + 1, f"the notes stick out sideways: {box}"
        assert DECK[n - 1].notes[:40] in page.locator(".st-key-lecture_notes_panel").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"slide-{n:02d}-notes-on-projector.png"))
        page.keyboard.press("n")
        page.wait_for_selector(".st-key-lecture_notes_panel", state="detached", timeout=WAIT)
    finally:
        context.close()
