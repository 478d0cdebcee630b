"""The lecture's slides as data (in the outline's order, each complete and pointing at a registered page), the
navigation arithmetic, and every "number it measured" sentence on hand-made numbers, both ways where it has a
condition."""
import math

import pytest

from lib import site
from lib.lessons import lecture as L

REGISTERED = [site.HOME.url_path, *(p.url_path for p in site.PAGES)]

# the outline's order (../shared/reference/lecture-outline.md), transfer learning after attention when its page lands
OUTLINE = ["agenda", "ml_to_fm", "innovations", "timeline", "quote", "rnn", "seq2seq", "two_problems", "attention",
           "transfer", "training_data", "datasets", "multilingual", "transformer", "model_size", "post_training",
           "sampling", "hallucination", "references"]


def test_slides_follow_the_outline():
    assert "transfer-learning" in REGISTERED  # the transfer page is on main: its slide is in the deck
    assert [s.id for s in L.slides(REGISTERED)] == OUTLINE


def test_without_the_transfer_page_its_slide_is_left_out():
    ids = [s.id for s in L.slides([r for r in REGISTERED if r != "transfer-learning"])]
    assert ids == [i for i in OUTLINE if i != "transfer"]


@pytest.mark.parametrize("slide", L.SLIDES, ids=[s.id for s in L.SLIDES])
def test_every_slide_is_complete(slide):
    assert slide.title and slide.point and slide.notes
    assert slide.page in REGISTERED, f"{slide.id}: page {slide.page!r} is not in lib/site"
    assert slide.point.count(". ") <= 2, "a slide's point is one or two sentences"
    assert len(slide.notes) > 80, "notes say what to say, what to ask, what the number means"
    assert "Ask" in slide.notes or "ask" in slide.notes or slide.id == "references"


def test_slide_ids_are_unique_and_each_has_a_live_function_and_notices():
    from lib.lessons import lecture_live as LL

    ids = [s.id for s in L.slides([*REGISTERED, "transfer-learning"])]
    assert len(set(ids)) == len(ids)
    for i in ids:
        assert callable(getattr(LL, i)), i
        assert i in L.NOTICES, i


def test_quote_slide_shows_a_quotation_with_its_source():
    q = next(s for s in L.SLIDES if s.id == "quote")
    assert "Transformer" in q.quote and "ULMFiT" in q.quote
    assert "Tunstall" in q.source and "2022" in q.source


@pytest.mark.parametrize("raw, expected", [("3", 3), (3, 3), ("1", 1), ("18", 18), ("0", 1), ("-2", 1), ("99", 18),
                                           ("2.9", 2), ("abc", 1), ("", 1), (None, 1), ("inf", 18), ("nan", 1),
                                           (" 4 ", 4)])
def test_clamp(raw, expected):
    assert L.clamp(raw, 18) == expected


def test_clamp_needs_a_deck():
    with pytest.raises(ValueError):
        L.clamp("1", 0)


def test_next_and_previous_stop_at_the_ends():
    assert L.next_slide(3, 18) == 4 and L.next_slide(18, 18) == 18
    assert L.prev_slide(3, 18) == 2 and L.prev_slide(1, 18) == 1


def test_go_deeper_query_merges_the_slide_settings_with_the_live_ones():
    s = next(s for s in L.SLIDES if s.id == "rnn")
    q = L.go_deeper_query(s, {"rnn_step": 12})
    assert q == {"rnn_text": L.RNN_TEXT, "rnn_cell": "lstm", "rnn_step": "12"}
    assert L.go_deeper_query(next(s for s in L.SLIDES if s.id == "timeline")) == {}


# ------------------------------------------------------------------------------------------------- notices
def test_no_numbers_no_notice():
    assert L.notices("timeline", None) == [] and L.notices("quote", {}) == []


def test_agenda():
    assert L.notices("agenda", {"pages": 8, "sections": 4}) == ["8 pages of this app go deeper, in 4 sections."]


def test_ml_to_fm_both_ways():
    g = {"first": "A", "last": "B", "years": 2.0, "ratio": 100.0, "per_year": 10.0, "doubling_months": 3.6}
    out = L.notices("ml_to_fm", g)
    assert "**100x**" in out[0] and "every **4 months**" in out[1]
    out = L.notices("ml_to_fm", {**g, "doubling_months": math.inf})
    assert "no growth" in out[1]


def test_innovations_both_ways():
    assert "adds **90 points**" in L.notices("innovations", {"bucket": "28-35", "without": 10.0, "with": 100.0})[0]
    assert "did not help" in L.notices("innovations", {"bucket": "28-35", "without": 50.0, "with": 40.0})[0]


def test_timeline_both_ways():
    assert "every **8 months**" in L.notices("timeline", {"models": 5, "doubling_months": 8.2})[0]
    assert "did not grow" in L.notices("timeline", {"models": 5, "doubling_months": math.inf})[0]


def test_rnn_three_ways():
    base = {"read": "P", "step": 26, "steps": 31, "guess": "a", "guess_p": 0.6}
    assert "Right" in L.notices("rnn", {**base, "next": "a", "next_p": 0.6})[1]
    wrong = L.notices("rnn", {**base, "next": "e", "next_p": 0.1})[1]
    assert wrong.startswith("Wrong") and "10%" in wrong
    assert "last character" in L.notices("rnn", {**base, "next": None, "next_p": None})[1]


def test_seq2seq_both_ways():
    v = {"short_bucket": "3-7", "long_bucket": "28-35", "short": 99.0, "long": 0.0}
    assert "costs 99 points" in L.notices("seq2seq", v)[0]
    assert "no clear drop" in L.notices("seq2seq", {**v, "long": 95.0})[0]
    assert len(L.notices("seq2seq", v)) == 1  # no beyond-the-training-lengths numbers: no sentence about them


def test_seq2seq_beyond_the_training_lengths_both_ways():
    v = {"short_bucket": "3-7", "long_bucket": "28-35", "short": 99.0, "long": 0.0, "trained_up_to": 35,
         "beyond_buckets": ("36-45", "46-60"), "att_long": 100.0, "att_beyond": (66.0, 0.0)}
    falls = L.notices("seq2seq", v)[1]
    assert "**100%** up to 35 words" in falls and "**66%** at 36-45" in falls and "**0%** at 46-60" in falls
    holds = L.notices("seq2seq", {**v, "att_beyond": (98.0, 95.0)})[1]
    assert "still 98% at 36-45 and 95% at 46-60" in holds and "never saw" in holds
    named = L.notices("seq2seq", {**v, "model": "no attention, 128 units"})[0]
    assert named.startswith("Without attention (128 units): **99%**")


def test_two_problems_both_ways():
    v = {"length": 512, "rnn_ms": 40.0, "att_ms": 2.0, "att_steps": 1}
    assert "**20.0x**" in L.notices("two_problems", v)[0]
    slow = L.notices("two_problems", {**v, "rnn_ms": 1.0})[0]
    assert "was not slower" in slow and "512 steps in a chain" in slow


def test_attention_both_ways():
    assert L.notices("attention", {"aligned": 6, "rows": 7, "correct": True}) == [
        "**6 of 7** output words put their largest weight on the word they translate."]
    assert "differs" in L.notices("attention", {"aligned": 3, "rows": 7, "correct": False})[1]


def test_training_data_both_ways():
    assert "*zebra*" in L.notices("training_data", {"unknown": ["zebra"], "output": "el perro"})[0]
    assert L.notices("training_data", {"unknown": [], "output": "el perro"})[0].startswith("Every word was seen")
    assert len(L.notices("training_data", {"unknown": [], "output": "el perro"})) == 1


def test_training_data_says_the_attention_pages_measurement():
    out = L.notices("training_data", {"unknown": ["zebra"], "output": "la mujer", "measured": "No data, 0 of 100."})
    assert out[1] == "No data, 0 of 100."


def test_transfer_says_the_transfer_pages_sentences():
    assert L.notices("transfer", {"said": ("a.", "b."), "live": False}) == ["a.", "b."]
    assert L.notices("transfer", {"live": False}) == []


# ------------------------------------------------------------------------------------ the live elements (adapter)
def test_the_adapter_keeps_no_models_of_its_own():
    """Models come from lib.models.registry's per-process cache (what ui.cached_model returns), never a second
    cache in the adapter."""
    from lib.lessons import lecture_live as LL
    from lib.models import registry

    assert not [k for k, v in vars(LL).items() if hasattr(v, "cache_info")]
    LL.live("rnn", False)
    assert registry.load.cache_info().currsize >= 1
    assert registry.load("char_lstm") is registry.load("char_lstm")


def test_the_training_data_slide_shows_the_attention_pages_number():
    from lib.lessons import attention_alignment as A
    from lib.lessons import lecture_live as LL

    v = LL.live("training_data", True).numbers
    u = A.unseen_words_of()
    assert v["measured"] == A.unseen_notice(u) and (v["right"], v["n"]) == (u.right, u.n)
    assert v["unknown"] == ["zebra"]


def test_the_seq2seq_slide_has_the_reports_lengths_beyond_training():
    from lib.lessons import lecture_live as LL
    from lib.models.seq2seq_eval import BEYOND

    live = LL.live("seq2seq", True)
    assert set(BEYOND) <= set(live.data["bucket"])
    assert len(live.numbers["att_beyond"]) == 2


def test_the_transfer_slide_draws_the_pages_curve_and_its_notice():
    from lib.lessons import lecture_live as LL
    from lib.lessons import transfer_learning as tl

    live = LL.live("transfer", True)
    report = tl.load_report()
    assert live.kind == "chart" and live.numbers["said"] == tuple(tl.curve_notices(report)[i] for i in (0, 2))
    assert set(live.data["method"]) == set(tl.METHOD_NAMES.values())


def test_datasets():
    out = L.notices("datasets", {"raw_pages": 33, "pages": 12, "raw_words": 1000, "words": 390})[0]
    assert "**12**" in out and "(36%)" in out and "39% of the words" in out
    assert "(0%)" in L.notices("datasets", {"raw_pages": 0, "pages": 0, "raw_words": 0, "words": 0})[0]


def test_multilingual_both_ways():
    assert "**4.4x**" in L.notices("multilingual", {"language": "Burmese", "ratio": 4.4})[0]
    assert "No language costs more" in L.notices("multilingual", {"language": "English", "ratio": 1.0})[0]


def test_transformer():
    out = L.notices("transformer", {"query": "is", "key": "capital", "weight": 0.69, "layer": 0, "head": 1})[0]
    assert "*capital*" in out and "**0.69**" in out and "head 1" in out


def test_model_size():
    out = L.notices("model_size", {"ours_text": "875 K", "ratio": 200000.0, "flops": 3.7e24})
    assert "**875 K**" in out[0] and "**200,000x**" in out[0] and "3.7e+24" in out[1]


def test_post_training_both_ways():
    assert "taught it to say" in L.notices("post_training", {"name": "X", "base_idk": 0.0, "dpo_idk": 0.9})[0]
    assert "did not raise" in L.notices("post_training", {"name": "X", "base_idk": 0.5, "dpo_idk": 0.4})[0]
    tiny = L.notices("post_training", {"name": "X", "base_idk": 0.00003, "dpo_idk": 0.4})[0]
    assert "**3e-5**" in tiny and "0.00" not in tiny  # a tiny probability is not printed as 0.00
    sft = {"name": "X", "base_idk": 0.0, "dpo_idk": 0.9, "sft_answer": "The capital of Lesotho is Maseru."}
    assert "SFT names a capital anyway" in L.notices("post_training", {**sft, "sft_outcome": "capital"})[-1]
    assert len(L.notices("post_training", {**sft, "sft_outcome": "abstain"})) == 1


def test_sampling_three_ways():
    v = {"temperature": 1.0, "top": "S", "top_p": 0.06, "kept": 512, "vocab": 512}
    out = L.notices("sampling", v)
    assert "**6%**" in out[0] and "samples will disagree" in out[1]
    assert "greedy" in L.notices("sampling", {**v, "temperature": 0.0, "top_p": 1.0, "kept": 1})[1]
    assert len(L.notices("sampling", {**v, "top_p": 0.8})) == 1


def test_hallucination_both_ways():
    assert "fewer, not none" in L.notices("hallucination", {"sft": 0.96, "dpo": 0.19, "abstain": 0.8})[0]
    assert "no improvement" in L.notices("hallucination", {"sft": 0.5, "dpo": 0.5, "abstain": 0.0})[0]
