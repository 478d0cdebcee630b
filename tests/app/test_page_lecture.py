"""The lecture page through the real app.py: every slide renders from ?slide=N (normal and projector mode), next and
previous change the slide and the URL, a bad or out-of-range N clamps without an error, notes toggle."""
import re

import pytest

from lib import site
from lib.lessons import lecture as L
from tests.apptest import open_page

PAGE = "app_pages/lecture.py"
DECK = L.slides([site.HOME.url_path, *(p.url_path for p in site.PAGES)])
M = len(DECK)


def counter(at) -> str:
    found = [m.value for m in at.markdown if "lecture-counter" in m.value]
    assert found, "no slide counter on the page"
    return re.search(r">(\d+ / \d+)<", found[0]).group(1)


def title(at) -> str:
    return at.title[0].value


@pytest.mark.parametrize("n", range(1, M + 1))
def test_every_slide_renders_from_its_url(n):
    at = open_page(PAGE, query={"slide": str(n)}, projector=n % 2 == 0)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert counter(at) == f"{n} / {M}"
    assert DECK[n - 1].title in title(at)
    assert at.query_params.get("slide") in (str(n), [str(n)])


def test_next_and_previous_change_the_slide_and_the_url():
    at = open_page(PAGE, query={"slide": "3"})
    at.button(key="lecture_next").click().run()
    assert not at.exception, at.exception
    assert counter(at) == f"4 / {M}"
    assert DECK[3].title in title(at)
    assert at.query_params.get("slide") in ("4", ["4"])
    at.button(key="lecture_prev_arrow").click().run()
    at.button(key="lecture_prev").click().run()
    assert counter(at) == f"2 / {M}"
    at.button(key="lecture_next_arrow").click().run()
    assert counter(at) == f"3 / {M}"


def test_first_and_last_slides_stop_at_the_ends():
    at = open_page(PAGE, query={"slide": "1"})
    assert at.button(key="lecture_prev").disabled
    at.button(key="lecture_prev_arrow").click().run()
    assert counter(at) == f"1 / {M}"
    at = open_page(PAGE, query={"slide": str(M)})
    assert at.button(key="lecture_next").disabled
    at.button(key="lecture_next_arrow").click().run()
    assert counter(at) == f"{M} / {M}"


@pytest.mark.parametrize("raw, expected", [("abc", 1), ("0", 1), ("-4", 1), ("999", M), ("2.7", 2), ("", 1),
                                           # hostile: the slide number is the page's only free input
                                           ("1e308", M), ("\U0001f600", 1), ("<script>alert(1)</script>", 1),
                                           ("3\x00", 1), ("9" * 5000, M), ("inf", M), ("\u0663", 3)])
def test_a_bad_slide_number_clamps_without_an_error(raw, expected):
    at = open_page(PAGE, query={"slide": raw})
    assert not at.exception, at.exception
    assert counter(at) == f"{expected} / {M}"
    assert at.query_params.get("slide") in (str(expected), [str(expected)])


def test_notes_show_on_the_laptop_and_hide_on_the_projector():
    at = open_page(PAGE, query={"slide": "2"})
    assert any(DECK[1].notes[:40] in m.value for m in at.markdown)
    at.button(key="lecture_notes_btn").click().run()
    assert not any(DECK[1].notes[:40] in m.value for m in at.markdown)
    at = open_page(PAGE, query={"slide": "2"}, projector=True)
    assert not any(DECK[1].notes[:40] in m.value for m in at.markdown)
    at.button(key="lecture_notes_btn").click().run()
    assert any(DECK[1].notes[:40] in m.value for m in at.markdown)


def test_the_temperature_the_lecturer_picks_changes_the_number():
    n = next(i for i, s in enumerate(DECK, 1) if s.id == "sampling")
    at = open_page(PAGE, query={"slide": str(n)})
    assert any("temperature **1.0**" in m.value for m in at.markdown)
    at.button_group(key="lecture_temperature").set_value(0.0).run()
    assert not at.exception, at.exception
    assert any("temperature **0.0**" in m.value and "greedy" in m.value for m in at.markdown)
    assert counter(at) == f"{n} / {M}"


def test_the_rnn_step_the_lecturer_picks_changes_the_number():
    n = next(i for i, s in enumerate(DECK, 1) if s.id == "rnn")
    at = open_page(PAGE, query={"slide": str(n)})
    at.slider(key="lecture_rnn_step").set_value(1).run()
    assert not at.exception, at.exception
    assert any("(step 1 of" in m.value for m in at.markdown)


def test_the_transfer_slide_trains_live_when_the_lecturer_presses_train():
    n = next(i for i, s in enumerate(DECK, 1) if s.id == "transfer")
    at = open_page(PAGE, query={"slide": str(n)}, projector=True)
    assert not at.exception, at.exception
    assert any("With **32 labels**" in m.value for m in at.markdown), "the transfer page's curve notice"
    at.button(key="lecture_transfer_train").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Your run (N = 32, seed 0)" in m.value for m in at.markdown)
    assert at.button(key="lecture_transfer_train").disabled
    assert counter(at) == f"{n} / {M}"
