"""The RNN unrolling lesson's "What to notice", on hand-made numbers: every branch, both ways, and the edge cases
(ties, a two-character text with too few steps to fit a factor, a model that is 100% sure of every next character)."""
import numpy as np
import pytest

from lib.lessons import rnn_unrolling as lesson
from lib.lessons.rnn_unrolling import GradientSummary, Unrolled

RNN, LSTM, GRU = "vanilla RNN", "LSTM", "GRU"


def summary(**kw) -> GradientSummary:
    base = dict(back=20, rate={RNN: (0.5, 0.999), LSTM: (0.8, 0.995), GRU: (0.9, 0.99)},
                untrained_at={RNN: 1e-6, LSTM: 1e-3, GRU: 1e-2}, trained_at={RNN: 1e-4, LSTM: 1e-2, GRU: 1e-1})
    base.update(kw)
    return GradientSummary(**base)


def test_first_notice_counts_the_numbers_and_the_lstm_cell_state():
    lstm = lesson.notices("lstm", 30, 64, 0.42, summary())[0]
    assert "30 characters here" in lstm and "64 numbers" in lstm and "cell state c" in lstm and "**0.42**" in lstm
    gru = lesson.notices("gru", 30, 64, 1.0, summary())[0]  # a model 100% sure of every next character
    assert "cell state" not in gru and "**1.00**" in gru


def test_untrained_line_straight_or_rough_and_who_fades_fastest():
    straight = lesson.notices("rnn", 40, 64, 0.5, summary())[1]
    assert "straight lines" in straight and "R\u00b2 \u2265 0.990" in straight
    assert "the vanilla RNN, with no gates, fades fastest" in straight
    assert straight.index("for the vanilla RNN") < straight.index("for the LSTM") < straight.index("for the GRU")
    rough = lesson.notices("rnn", 40, 64, 0.5, summary(rate={RNN: (0.9, 0.5), LSTM: (0.4, 0.97)}))[1]
    assert "lines are rough" in rough and "here the LSTM fades fastest" in rough


def test_untrained_line_left_out_when_the_text_is_too_short_to_fit():
    out = lesson.notices("rnn", 2, 64, 0.3, summary(back=1, rate={}, untrained_at={}, trained_at={}))
    assert len(out) == 2 and not any("Untrained" in p or "Trained" in p for p in out)  # two characters


def test_trained_line_textbook_order_or_not():
    textbook = [p for p in lesson.notices("rnn", 40, 64, 0.5, summary()) if p.startswith("**Trained**")][0]
    assert "as the textbook expects" in textbook and "at least 10 times more" in textbook
    flipped = summary(trained_at={RNN: 1e-1, LSTM: 1e-5, GRU: 1e-3})
    line = [p for p in lesson.notices("rnn", 40, 64, 0.5, flipped) if p.startswith("**Trained**")][0]
    assert "textbook order does not hold" in line and "the vanilla RNN keeps the most" in line
    assert "Every cell keeps more" not in line  # the LSTM keeps less than untrained here


def test_ties_do_not_break_the_notices():
    tied = summary(rate={RNN: (0.7, 0.99), LSTM: (0.7, 0.99), GRU: (0.7, 0.99)},
                   trained_at={RNN: 1e-2, LSTM: 1e-2, GRU: 1e-2})
    out = lesson.notices("lstm", 40, 64, 0.5, tied)
    assert len(out) == 4 and all(out)
    assert "\u00d70.70 for the vanilla RNN" in out[1]


def test_sentence_boundary_drop_both_ways():
    drop = summary(ends=(12,), cross={RNN: (1e-2, 1e-5), LSTM: (1e-1, 1e-3), GRU: (1e-1, 1e-3)})
    last = lesson.notices("gru", 40, 64, 0.5, drop)[-1]
    assert "fall at the full stop 12 steps back" in last and "at least 100 times less" in last
    flat = summary(ends=(12,), cross={RNN: (1e-2, 5e-3), LSTM: (1e-1, 1e-3), GRU: (1e-1, 1e-3)})
    assert "Not every cell drops there" in lesson.notices("gru", 40, 64, 0.5, flat)[-1]
    none = lesson.notices("gru", 40, 64, 0.5, summary(ends=()))[-1]
    assert "type two sentences" in none


def unrolled(chars: str) -> Unrolled:
    T = len(chars)
    return Unrolled(chars=list(chars), unknown=[c == "é" for c in chars], states=np.zeros((T, 4)),
                    top_chars=[[" ", "a"] for _ in chars], top_probs=np.full((T, 2), 0.5),
                    next_prob=np.full(T - 1, 1.0))


def test_step_note_last_character_or_not_and_unknown_note():
    u = unrolled("hé")
    assert "The real next character, *é*, got 100%" in lesson.step_note("rnn", u, 0)
    assert "top guess for the next character is *\u2423* (50%)" in lesson.step_note("rnn", u, 0)
    assert "This is the last character." in lesson.step_note("rnn", u, 1)
    assert "é" in lesson.unknown_note(u) and lesson.unknown_note(unrolled("ab")) is None
    assert lesson.mean_next_prob(u) == pytest.approx(1.0)
