"""Every free-text box on every page gets hostile input through AppTest: no exception, ever; a note whenever input
is cut. New pages are covered automatically: the boxes are found by walking each registered page."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import site
from tests.apptest import open_page, texts

HOSTILE = {
    "empty": "",
    "whitespace": "   \n\t  \n",
    "novel": "It was a bright cold day in April, and the clocks were striking thirteen. " * 1400,  # ~100,000 chars
    "emoji_and_combining": "👩\u200d👩\u200d👧 🇫🇷 ❤\ufe0f Z\u0351\u0358a\u0310\u0353l\u0363g\u0350o\u0366 e\u0301",
    "right_to_left": "عاصمة فرنسا هي باريس \u202e reversed \u202c שלום",
    "cjk": "法国的首都是巴黎。日本の首都は東京です。대한민국의 수도는 서울이다",
    "zero_width_and_controls": "The\u200b capital\u200c of\u200d France\ufeff is\u2060 \x07\x1b[31m\x08\x7f",
    "nul": "The capital\x00 of\x00 France",
    "unknown_words": "Zorblat quexify the grumbling vintaphore near Xyloquenta.",
    "html_and_markdown": "<script>alert(1)</script><img src=x onerror=alert(2)> **bold** [x](javascript:alert(3))",
    "surrogate_like": "\ud7ff\ue000\uffff\U0001f600\U000e0001",
    "one_char": "a",
}
PAGES = [site.HOME, *site.PAGES]


def text_boxes(at):
    return [(kind, w.key) for kind in ("text_input", "text_area", "chat_input") for w in getattr(at, kind)
            if w.key is not None]


def _mode_switches(at):
    """Radios of the page (not quizzes) whose options are plain values: some boxes only appear in another mode."""
    out = []
    for r in at.radio:
        if r.key is None or str(r.key).startswith("quiz_") or r.value is None:
            continue
        if str(r.format_func(r.value)) != str(r.value):
            continue
        out += [(r.key, o) for o in r.options if o != str(r.value)]
    return out


def _open(path, setup):
    at = open_page(path)
    if setup:
        at.radio(key=setup[0]).set_value(setup[1]).run()
        assert not at.exception, at.exception
    return at


def _pages_with_boxes():
    out, seen = [], set()
    for info in PAGES:
        at = open_page(info.path)
        for setup in [None, *_mode_switches(at)]:
            found = text_boxes(_open(info.path, setup)) if setup else text_boxes(at)
            for kind, key in found:
                if (info.path, key) in seen:
                    continue
                seen.add((info.path, key))
                out.append(pytest.param(info.path, setup, kind, key, id=f"{info.url_path}:{key}"))
    return out


BOXES = _pages_with_boxes()


def test_some_boxes_are_covered():
    assert BOXES, "no free-text boxes found on any page"


@pytest.mark.parametrize("path,setup,kind,key", BOXES)
def test_hostile_inputs(path, setup, kind, key):
    at = _open(path, setup)
    for name, value in HOSTILE.items():
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, f"{name!r} in {key}: {at.exception}"
        if name == "novel":
            widget = getattr(at, kind)(key=key)
            limit = getattr(widget.proto, "max_chars", 0)
            if limit:  # the box itself refuses more (and shows its counter, e.g. 120/120)
                assert len(widget.value) <= limit
            else:
                body = texts(at)
                assert "cut" in body or "limit" in body, f"{key}: a 100,000-character input was not reported as cut"


@pytest.mark.parametrize("path,setup,kind,key", BOXES)
def test_property_based_text(path, setup, kind, key):
    at = _open(path, setup)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
    def check(value):
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, f"{value!r} in {key}: {at.exception}"

    check()
