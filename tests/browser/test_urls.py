"""Every demo is bookmarkable, in a real browser: on every page, change each demo's settings with the mouse and the
keyboard, read the URL, open it in a FRESH browser context (a new session: nothing shared but the URL) and check that
the same widget values are shown. Waits are on conditions only (the URL changing, the app's script state)."""
from __future__ import annotations

import re

import pytest

from tests.browser.server import wait_done

pytestmark = pytest.mark.browser

KINDS = {"text": "stTextInput", "area": "stTextArea", "select": "stSelectbox", "multi": "stMultiSelect",
         "slider": "stSlider", "number": "stNumberInput", "radio": "stRadio", "check": "stCheckbox"}

# page -> actions: (kind, label, how). The label is matched exactly against the widget's own label (first match).
#   text/area/number: the value to type; select: the start of the option to pick; multi: a chip to remove;
#   slider: keys to press on its thumb; radio: the option's text; check: None (a click toggles it)
FLOWS = {
    "": [("multi", "Architecture families shown", "encoder-only Transformer"), ("select", "Compare", "BERT"),
         ("select", "with", "Chinchilla")],
    "rnn-unrolling": [("text", "Text for the model to read", "The capital of Peru is Lima."),
                      ("radio", "Cell", "GRU"), ("slider", "Time step", ["ArrowRight"] * 3)],
    "seq2seq-bottleneck": [("slider", "Sentence length (words)", ["ArrowLeft"] * 2),
                           ("number", "Sentence number", "3"), ("radio", "Model without attention", None),
                           ("slider", "Decoder step", ["ArrowRight"]), ("slider", "Sentences", ["ArrowRight"]),
                           ("number", "Seed", "11")],
    "attention-alignment": [("slider", "Clauses", ["ArrowLeft"]), ("select", "Adjective", "black"),
                            ("select", "Verb", "paints"), ("slider", "Decoding step", ["ArrowRight"] * 2)],
    "transfer-learning": [("slider", "Labelled examples N", ["ArrowRight"]), ("number", "Seed", "3"),
                          ("select", "Fine-tuning recipe", "plain fine-tuning"),
                          ("radio", "Start from a sample (then edit it, or paste your own)", "a short story"),
                          ("area", "Your text", "A paragraph of my own about the sea. " * 8)],
    "data-sources": [("check", "12. Bad words", None), ("select", "Rule", "11."), ("select", "Page", "p07"),
                     ("area", "Text", "My own page.\nIt has two lines that end well."),
                     ("select", "Made-up page, line by line", "h03"),
                     ("select", "See how one passage is cut", "Burmese")],
    "post-training": [("select", "Ask about", "Fiji"), ("slider", "\u03b2 (how far from the SFT model)", ["ArrowRight"]),
                      ("slider", "Steps (8 pairs each)", ["ArrowRight"] * 2), ("check", "Stabilising terms", None)],
    "sampling-hallucination": [("text", "Prompt", "The capital of Peru is"),
                               ("slider", "Temperature", ["ArrowLeft"] * 4), ("slider", "Top-k (0 = off)", ["ArrowRight"] * 3),
                               ("slider", "Samples", ["ArrowLeft"]), ("number", "Seed", "3"),
                               ("select", "Country", "Namibia"),
                               ("slider", "Temperature for the answers", ["ArrowRight"])],
    "transformer": [("area", "Prompt", "The capital of Peru is"), ("radio", "Layer", "layer 1"),
                    ("number", "Head", "1"), ("radio", "Step", "3. scale")],
    "model-size": [("number", "Layers L", "12"), ("select", "Model", "Chinchilla"),
                   ("radio", "Training tokens", "My own number"), ("number", "Training tokens (billions)", "42"),
                   ("slider", "Utilisation", ["ArrowLeft"] * 2)],
}


def _widget(page, kind: str, label: str):
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return page.locator(f'[data-testid="{KINDS[kind]}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').filter(has_text=exact)).first


def _state(page, kind: str, label: str):
    w = _widget(page, kind, label)
    w.wait_for()
    if kind in ("text", "number"):
        return w.locator("input").first.input_value()
    if kind == "area":
        return w.locator("textarea").first.input_value()
    if kind == "select":
        return w.locator('input[role="combobox"]').first.input_value()
    if kind == "multi":
        return sorted(w.locator("[data-tag]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"))
    if kind == "slider":
        return w.locator('input[type="range"]').first.get_attribute("aria-valuetext")
    if kind in ("radio", "check"):
        return w.evaluate("el => [...el.querySelectorAll('input')].map(i => i.checked).join(',')")
    raise ValueError(kind)


def _act(page, kind: str, label: str, how) -> None:
    w = _widget(page, kind, label)
    w.scroll_into_view_if_needed()
    if kind in ("text", "number"):
        box = w.locator("input").first
        box.fill(how)
        box.press("Enter")
    elif kind == "area":
        box = w.locator("textarea").first
        box.fill(how)
        box.press("Control+Enter")
    elif kind == "select":
        box = w.locator('input[role="combobox"]').first
        box.click()
        box.fill(how)
        page.locator('[role="option"]').filter(has_text=re.compile(rf"^\s*{re.escape(how)}")).first.click()
    elif kind == "multi":
        w.locator(f'button[aria-label="Remove {how}"]').first.click()
    elif kind == "slider":
        thumb = w.locator('input[type="range"]').first
        thumb.focus()
        for key in how:
            thumb.press(key)
    elif kind == "radio":
        options = w.locator('label[data-testid="stRadioOption"]')
        (options.filter(has_text=re.compile(rf"^\s*{re.escape(how)}\s*$")).first if how else options.nth(1)).click()
    elif kind == "check":
        w.locator("label").first.click()


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    wait_done(page)
    return context, page


@pytest.mark.parametrize("path", list(FLOWS), ids=[p or "home" for p in FLOWS])
def test_every_demo_comes_back_from_its_url(chromium, server, path):
    flow = FLOWS[path]
    context, page = _open(chromium, f"{server}/{path}")
    try:
        before = {(k, lab): _state(page, k, lab) for k, lab, _ in flow if _widget(page, k, lab).count()}
        for kind, label, how in flow:
            url = page.url
            _act(page, kind, label, how)
            # every change is away from the default, so the URL must change; then the rerun must finish
            page.wait_for_function("u => location.href !== u", arg=url)
            wait_done(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        after = {(k, lab): _state(page, k, lab) for k, lab, _ in flow}
        changed = [key for key in before if before[key] != after[key]]
        assert len(changed) == len(before), f"settings that did not change: {set(before) - set(changed)}"
        bookmark = page.url
    finally:
        context.close()

    fresh, page = _open(chromium, bookmark)
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        again = {(k, lab): _state(page, k, lab) for k, lab, _ in flow}
        assert again == after, {key: (after[key], again[key]) for key in after if after[key] != again[key]}
        assert page.url == bookmark  # the page writes back the URL it was opened with
    finally:
        fresh.close()
