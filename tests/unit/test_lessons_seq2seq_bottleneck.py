"""The seq2seq bottleneck lesson's "What to notice", on hand-made numbers: every branch both ways, and the edge cases
(a tie between the widths, a one-word sentence, models that are 100% right)."""
import math

from lib.data import translation as tr
from lib.lessons import seq2seq_bottleneck as lesson
from lib.lessons.seq2seq_bottleneck import Numbers, Timing

NAMES = {"seq2seq_small": "no attention, 64 units", "seq2seq_wide": "no attention, 128 units",
         "seq2seq_attn": "attention, 64 units"}
S, W, A = NAMES["seq2seq_small"], NAMES["seq2seq_wide"], NAMES["seq2seq_attn"]


def curve(first: float, last: float) -> dict:
    return {b: first + (last - first) * i / (len(tr.BUCKETS) - 1) for i, b in enumerate(tr.BUCKETS)}


def numbers(**kw) -> Numbers:
    base = dict(model=S, n_words=12, hidden=64, names=NAMES,
                exact={S: curve(95, 0), W: curve(98, 40), A: curve(99, 100)},
                bucket_sizes={b: 400 for b in tr.BUCKETS}, source="from the training report",
                timing=Timing(length=512, rnn_ms=20.0, att_ms=2.0, rnn_madds=1e7, att_madds=4e7),
                beyond={S: {"36-45": 0.0, "46-60": 0.0}, W: {"36-45": 0.0, "46-60": 0.0},
                        A: {"36-45": 70.0, "46-60": 0.0}})
    base.update(kw)
    return Numbers(**base)


def find(out: list[str], start: str) -> str:
    return next(p for p in out if p.startswith(start))


def test_bridge_line_counts_words_and_numbers():
    out = lesson.notices(numbers(n_words=1, hidden=128, model=W))  # a one-word sentence
    assert out[0].startswith("The decoder of the no attention, 128 units model sees the 1-word sentence only "
                             "through **128 numbers**")


def test_bahdanau_reproduced_or_not_and_the_width_branch():
    line = find(lesson.notices(numbers()), "On held-out sentences")
    assert "Bahdanau's finding, reproduced" in line and "Twice the width helps" in line
    flat = numbers(exact={S: curve(95, 80), W: curve(95, 80), A: curve(99, 100)})  # a tie between the widths
    line = find(lesson.notices(flat), "On held-out sentences")
    assert "gap between the models is smaller" in line and "Twice the width barely helps" in line


def test_sentence_rights_only_with_a_reference():
    assert not any(p.startswith("On this sentence") for p in lesson.notices(numbers()))
    out = lesson.notices(numbers(rights={S: (3, 12), W: (12, 12), A: (12, 12)}))
    assert "no attention, 64 units gets **3/12** words right" in find(out, "On this sentence")


def test_the_chart_says_100_but_this_sentence_is_wrong():
    """Sentence 6 at 35 words: the attention model writes one word wrong while its bucket says 100%."""
    wrong = numbers(n_words=35, rights={S: (5, 35), W: (9, 35), A: (34, 35)},
                    errors={S: [("x", "y")], W: [], A: [("vacas", "cajas")]})
    line = find(lesson.notices(wrong), "The chart says")
    assert "**100%** exact for attention, 64 units at 28-35 words" in line and "*vacas* for *cajas*" in line
    assert "400 held-out sentences" in line
    assert sum(p.startswith("The chart says") for p in lesson.notices(wrong)) == 1  # not for the weak models
    right = numbers(n_words=35, rights={S: (5, 35), W: (9, 35), A: (35, 35)})  # a model 100% right
    assert not any(p.startswith("The chart says") for p in lesson.notices(right))


def test_beyond_the_training_lengths_both_ways():
    drop = find(lesson.notices(numbers()), "No training sentence had more than 35 words")
    assert "**70%** exact at 36-45" in drop and "**0%** at 46-60" in drop and "only as good as the lengths" in drop
    holds = numbers(beyond={A: {"36-45": 99.0, "46-60": 95.0}})
    assert "it generalises" in find(lesson.notices(holds), "Beyond the 35 words")


def test_length_warning_only_past_35_words():
    beyond = {A: {"36-45": 70.0, "46-60": 0.0}}
    assert lesson.length_warning(35, beyond, A) is None
    assert "At 36-45 words the attention, 64 units model gets 70%" in lesson.length_warning(36, beyond, A)
    assert "At 46-60 words" in lesson.length_warning(60, beyond, A)


def test_timing_faster_or_slower_and_the_one_token_at_a_time_caveat():
    out = lesson.notices(numbers())
    assert "(10.0x faster), although it does more arithmetic." in find(out, "At 512 positions")
    slow = numbers(timing=Timing(length=512, rnn_ms=1.0, att_ms=4.0, rnn_madds=1e7, att_madds=4e7))
    assert "(4.0x slower" in find(lesson.notices(slow), "At 512 positions")
    cheap = numbers(timing=Timing(length=8, rnn_ms=2.0, att_ms=1.0, rnn_madds=4e7, att_madds=1e7))
    line = find(lesson.notices(cheap), "At 8 positions")
    assert "(2.0x faster). " in line and "although" not in line
    caveat = find(out, "The one step is for reading")
    assert "Generating is still one token at a time" in caveat and "512 passes" in caveat


def test_mistakes_and_exact():
    assert lesson.mistakes(["el", "perro"], ["el", "gato", "duerme"]) == [("perro", "gato"), ("-", "duerme")]
    assert lesson.mistakes(["a"], ["a"]) == []
    df = __import__("pandas").DataFrame([{"model": A, "bucket": "3-7", "exact match %": 100.0}])
    assert lesson.exact(df, A, "3-7") == 100.0 and math.isnan(lesson.exact(df, S, "3-7"))


def test_beyond_line_names_every_model():
    line = lesson.beyond_line({A: {"36-45": 64.0, "46-60": 0.0}, S: {"36-45": 0.0, "46-60": 0.0}})
    assert "attention, 64 units **64%** and **0%**" in line and "no attention, 64 units **0%**" in line


def test_exact_by_matches_exact_and_gives_nan_for_missing_rows():
    import math

    import pandas as pd

    from lib.lessons import seq2seq_bottleneck as lesson

    df = pd.DataFrame({"model": ["A", "A", "B"], "bucket": ["1-5", "6-10", "1-5"], "exact match %": [90.0, 40.0, 70.0]})
    got = lesson.exact_by(df, ["A", "B"], ["1-5", "6-10"])
    assert got["A"] == {"1-5": 90.0, "6-10": 40.0} and got["B"]["1-5"] == lesson.exact(df, "B", "1-5") == 70.0
    assert math.isnan(got["B"]["6-10"]) and math.isnan(lesson.exact(df, "B", "6-10"))
