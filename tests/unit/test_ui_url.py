"""The URL side of bookmarkable demos: values read back from query parameters, typed by their defaults."""
import math

import pytest

from lib.ui import MAX_URL_TEXT, _parse


def test_types_follow_the_default():
    assert _parse("0.5", 0.7, None, None) == 0.5
    assert _parse("12", 5, None, None) == 12 and isinstance(_parse("12.0", 5, None, None), int)
    assert _parse("1", False, None, None) is True and _parse("no", True, None, None) is False
    assert _parse("hello", "x", None, None) == "hello"


def test_bounds_clamp_and_options_refuse():
    assert _parse("9", 1.0, None, (0.0, 2.0)) == 2.0
    assert _parse("-3", 10, None, (1, 50)) == 1
    with pytest.raises(ValueError):
        _parse("LSTM2", "GRU", ["RNN", "LSTM", "GRU"], None)
    assert _parse("LSTM", "GRU", ["RNN", "LSTM", "GRU"], None) == "LSTM"


@pytest.mark.parametrize("raw", ["nan", "inf", "abc", ""])
def test_garbage_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        _parse(raw, 0.7, None, None)


def test_long_text_is_capped():
    assert len(_parse("a" * 10_000, "x", None, None)) == MAX_URL_TEXT
    assert not math.isnan(_parse("1e3", 0.5, None, (0.0, 2.0)))

