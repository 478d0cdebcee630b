"""The seq2seq bottleneck page, through the real app.py: the bridge vector, step-by-step decoding, the long-sentence
gap between the models, accuracy by length (report and live re-evaluation), the timing of sequential processing."""
import re

from tests.apptest import open_page, texts

PAGE = "app_pages/seq2seq_bottleneck.py"


def words_right(at) -> dict[str, tuple[int, int]]:
    df = at.dataframe[0].value
    return {m: (int(r), int(n)) for m, r, n in zip(df["model"], df["words right"], df["of"])}


def test_page_renders_with_template():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "The seq2seq bottleneck"
    body = texts(at)
    for part in ("What to notice", "Check yourself", "References", "RNNsearch-50", "arXiv:1409.0473"):
        assert part in body, part
    assert "only through **64 numbers**" in body


def test_long_sentence_shows_the_gap_between_the_models():
    at = open_page(PAGE)
    at.slider(key="s2s_len").set_value(30).run()
    assert not at.exception
    right = words_right(at)
    got, n = right["attention, 64 units"]
    assert n >= 28 and got == n  # attention: every word right
    got, n = right["no attention, 64 units"]
    assert got <= n - 10  # without attention it falls apart on a long sentence
    assert "words right, no attention, 128 units" in texts(at)
    at.slider(key="s2s_len").set_value(5).run()
    right = words_right(at)
    assert right["no attention, 64 units"] == right["attention, 64 units"]  # a short one is easy for both


def test_step_control_and_the_wider_bridge():
    at = open_page(PAGE)
    at.slider(key="s2s_step").set_value(4).run()
    assert not at.exception
    assert any(m.value.startswith("**Step 4 of") for m in at.markdown)
    at.radio(key="s2s_model").set_value("seq2seq_wide").run()
    assert not at.exception
    assert "only through **128 numbers**" in texts(at)
    assert at.query_params.get("s2s_model") == "seq2seq_wide"


def test_report_numbers_reproduce_bahdanau():
    at = open_page(PAGE)
    line = next(m.value for m in at.markdown if "Bahdanau's finding, reproduced" in m.value)
    small = re.search(r"no attention, 64 units \*\*([\d]+)% \u2192 ([\d]+)%\*\*", line)
    attn = re.search(r"(?<!no )attention, 64 units \*\*([\d]+)% \u2192 ([\d]+)%\*\*", line)
    assert small and attn
    assert int(small.group(1)) >= 85 and int(attn.group(1)) >= 90
    assert int(attn.group(2)) >= int(attn.group(1)) - 10
    assert int(small.group(2)) <= int(attn.group(2)) - 30


def test_live_re_evaluation_replaces_the_report():
    at = open_page(PAGE)
    at.select_slider(key="s2s_eval_n").set_value(120).run()
    at.button(key="s2s_eval").click().run()
    assert not at.exception
    body = texts(at)
    assert "live, 120 fresh held-out sentences, seed 7" in body
    at.button(key="s2s_eval_reset").click().run()
    assert "from the training report" in texts(at)


def test_the_page_prepares_the_re_evaluation_before_the_first_press():
    """Drawing the page asks for the re-evaluation's one-off set-up in the background (ui.warm_up); the set-up fills
    the training sentences' cache that the first press used to fill itself (1.5 s)."""
    from lib import serve
    from lib.lessons import seq2seq_bottleneck as lesson
    from lib.models import seq2seq_eval

    open_page(PAGE)
    assert f"call:{lesson.prepare_re_evaluation.__module__}.prepare_re_evaluation" in serve._asked
    lesson.prepare_re_evaluation()
    assert seq2seq_eval.train_sources.cache_info().currsize == 1
    hits = seq2seq_eval.train_sources.cache_info().hits
    seq2seq_eval.fresh_heldout(12, 3)
    assert seq2seq_eval.train_sources.cache_info().hits == hits + 1


def test_timing_counts_steps():
    at = open_page(PAGE)
    steps = at.dataframe[2].value
    assert list(steps["RNN"]) == [8, 32, 128, 512]
    assert list(steps["self-attention"]) == [1, 1, 1, 1]
    at.button(key="s2s_time").click().run()
    assert not at.exception
    assert any("512 steps one after another" in m.value for m in at.markdown)


def test_typed_sentence_and_bad_input():
    at = open_page(PAGE)
    at.radio(key="s2s_mode").set_value("Type your own").run()
    assert not at.exception
    right = words_right(at)
    assert right["attention, 64 units"] == (21, 21)  # the default typed sentence, 21 words
    at.text_input(key="s2s_text").set_value("the zebra sleeps 🦓").run()
    assert not at.exception
    assert any("zebra" in w.value for w in at.warning)
    assert any("no reference translation" in i.value for i in at.info)
    at.text_input(key="s2s_text").set_value("").run()
    assert not at.exception
    assert any("Type an English sentence" in i.value for i in at.info)


def test_hostile_typed_text():
    at = open_page(PAGE)
    at.radio(key="s2s_mode").set_value("Type your own").run()
    for value in ["a " * 50_000, "عاصمة \u202e the dog sleeps", "\x00\x07 the\u200b dog", "<img src=x>", "法国"]:
        at.text_input(key="s2s_text").set_value(value).run()
        assert not at.exception, (value[:20], at.exception)


def test_the_sentence_the_chart_gets_wrong_is_said_so():
    """Sentence 6 at 35 words: the page says when a model whose chart reads >= 90% at this length gets it wrong."""
    at = open_page(PAGE)
    at.slider(key="s2s_len").set_value(35).run()
    assert not at.exception
    got, n = words_right(at)["attention, 64 units"]
    said = re.compile(r"The chart says \*\*\d+%\*\* exact for attention, 64 units at 28-35 words, yet")
    assert bool(said.search(texts(at))) == (got < n)  # said exactly when this sentence comes out wrong
    at.slider(key="s2s_len").set_value(5).run()
    got, n = words_right(at)["attention, 64 units"]
    assert got == n and not re.search(r"The chart says \*\*\d+%\*\* exact for attention, 64 units", texts(at))


def test_lengths_beyond_training_are_a_lesson_not_a_silent_failure():
    at = open_page(PAGE)
    body = texts(at)
    m = re.search(r"(?<!no )attention, 64 units \*\*(\d+)%\*\* and \*\*(\d+)%\*\*", body)
    assert "Beyond the lengths they saw" in body and m and int(m.group(2)) <= int(m.group(1))
    assert "Generating is still one token at a time" in body  # the "1 step" caveat
    at.radio(key="s2s_mode").set_value("Type your own").run()
    long = " and ".join(["the dog sleeps"] * 10)  # 39 words: longer than any training sentence
    at.text_input(key="s2s_text").input(long).run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "no training sentence had more than 35" in w.value)
    assert "This sentence has 39 words" in warning and "At 36-45 words" in warning
    at.text_input(key="s2s_text").input("the dog sleeps").run()
    assert not any("no training sentence" in w.value for w in at.warning)
