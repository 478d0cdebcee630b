"""The Training data sources page, through the real app.py: rule toggles drive the funnel, pasted text runs through
the same rules, hostile text does not crash, and the tokenizer section works with and without the GPT tokenizer."""
import pytest
import streamlit as st

from lib.models import tokenizer as tk
from lib.data import c4
from tests.apptest import open_page, texts

PAGE = "app_pages/data_sources.py"


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def expected_pages_kept(enabled):
    res = c4.run_pipeline(c4.load_sample_pages(), set(enabled))
    return f"{res.funnel[-1].pages} of {res.funnel[0].pages}"


def test_page_renders_with_template_and_funnel():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Training data sources"
    body = texts(at)
    for part in ("What to notice", "Check yourself", "References", "1. Scale", "2. The C4 rules, live",
                 "4. Who the filters remove", "5. What the rules let through", "6. Languages",
                 "7. Building datasets is costly", c4.ORDER_NOTE, "Where this run simplifies C4"):
        assert part in body, part
    assert metric(at, "Pages kept") == expected_pages_kept(c4.RULE_KEYS)
    assert "of 33 pages" in body


def test_toggling_a_rule_changes_the_funnel_and_the_url():
    at = open_page(PAGE)
    before = metric(at, "Pages kept")
    at.checkbox(key="c4_bad_words").uncheck().run()
    assert not at.exception
    after = metric(at, "Pages kept")
    assert after == expected_pages_kept([k for k in c4.RULE_KEYS if k != "bad_words"]) != before
    assert at.query_params.get("c4_bad_words") == "0"
    summary = at.dataframe[0].value
    row = summary[summary["rule"] == "12. Bad-words list"].iloc[0]
    assert not row["on"] and row["pages removed"] == 0


def test_all_rules_off_keeps_everything():
    at = open_page(PAGE)
    for key in c4.RULE_KEYS:
        at.checkbox(key=f"c4_{key}").uncheck()
    at.run()
    assert not at.exception
    assert metric(at, "Pages kept") == "33 of 33"
    assert metric(at, "Words kept").endswith("of " + metric(at, "Words kept").split(" of ")[1])
    assert "With the 0 rule(s) you left on, 33 of 33 pages and 100% of the words survive." in texts(at)


def test_url_turns_a_rule_off():
    # open_page(query=...) loses the query on the home page's run, so set it just before switching pages
    at = open_page()
    at.query_params["c4_dedup"] = "0"
    at.switch_page(PAGE).run()
    assert at.checkbox(key="c4_dedup").value is False
    assert metric(at, "Pages kept") == expected_pages_kept([k for k in c4.RULE_KEYS if k != "dedup"])


def test_page_explorer_says_why_a_page_was_removed():
    at = open_page(PAGE)
    at.selectbox(key="c4_page").set_value("p07").run()
    assert any("rule 7" in e.value and "curly bracket" in e.value for e in at.error)
    assert "rule 7: this line drops the whole page" in texts(at)  # the line with the "{" is highlighted
    at.selectbox(key="c4_page").set_value("p17").run()
    assert any("Kept" in s.value for s in at.success)
    assert "removed [citation needed]" in texts(at)


def test_pasted_text_runs_through_the_rules():
    at = open_page(PAGE)
    good = ("The river flooded the old town after three days of rain.\n"
            "Volunteers carried sandbags to the houses closest to the water.\n"
            "By evening the water had started to fall again, and people went home.\n"
            "Please enable JavaScript to read the comments.")
    at.text_area(key="c4_text").input(good).run()
    assert not at.exception
    assert any("survives with 3 of 4 lines" in s.value for s in at.success)
    assert "mentions &quot;javascript&quot;" in texts(at) or "javascript" in texts(at).lower()
    at.text_area(key="c4_text").input("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 3).run()
    assert any("removed by rule" in w.value for w in at.warning)


@pytest.mark.parametrize("hostile", ["", "   \n\n", "\U0001F600\U0001F525" * 3000, "{" * 5000,
                                     "a" * 100_000, "<script>alert(1)</script> $x$ **bold** _it_.\n" * 50,
                                     "\u0000\u202e\u200b hidden.", "\u0928\u092e\u0938\u094d\u0924\u0947 " * 2000])
def test_hostile_text_does_not_crash(hostile):
    at = open_page(PAGE)
    at.text_area(key="c4_text").input(hostile).run()
    assert not at.exception
    if len(hostile) > 20_000:
        assert any("were cut" in i.value for i in at.info)
    if not hostile.strip():
        assert any("empty" in i.value for i in at.info)


def test_tokenizer_missing_gives_a_friendly_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(tk, "PROJECT_TOKENIZER_DIR", tmp_path)
    st.cache_resource.clear()
    at = open_page(PAGE)
    assert not at.exception
    assert any("python -m lib.train" in w.value for w in at.warning)
    st.cache_resource.clear()


@pytest.fixture()
def small_tokenizer_dir(tmp_path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    english = [p["text"] for p in c4.load_sample_pages() if p["id"] in {"p01", "p02", "p04", "p16", "p27"}]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(english * 3, trainers.BpeTrainer(
        vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>").save_pretrained(tmp_path)
    return tmp_path


def test_tokens_per_language_with_a_project_tokenizer(monkeypatch, small_tokenizer_dir):
    monkeypatch.setattr(tk, "PROJECT_TOKENIZER_DIR", small_tokenizer_dir)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page(PAGE)
    assert not at.exception
    body = texts(at)
    assert "Our tokenizer needs" in body and "as many tokens for" in body
    at.selectbox(key="c4_tok_lang").set_value("Burmese").run()
    assert not at.exception
    assert any(c.value.startswith("Burmese:") for c in at.caption)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_hub_tokenizer_offline_fails_fast_with_a_message(monkeypatch):
    from lib.models import registry

    monkeypatch.setattr(registry, "HUB_ALLOWLIST", ("distilgpt2",), raising=False)
    monkeypatch.setattr(registry, "hub_reachable", lambda timeout=1.5: False)
    st.cache_resource.clear()
    at = open_page(PAGE)
    at.session_state["model_source"] = "distilgpt2"
    at.run()
    assert not at.exception
    assert any("cannot be reached" in i.value for i in at.info)
    st.cache_resource.clear()


def test_quiz_feedback():
    at = open_page(PAGE)
    at.radio(key="quiz_data_sources_1").set_value("It has a word from the bad-words list").run()
    at.radio(key="quiz_data_sources_0").set_value("Kept, because it ends with a full stop").run()
    assert any("One listed word" in s.value for s in at.success)
    assert any("Not quite" in w.value for w in at.warning)


def test_projector_mode_opens():
    at = open_page(PAGE, projector=True)
    assert not at.exception
    assert len(texts(at)) < len(texts(open_page(PAGE)))


def test_rule_explorer_lists_what_a_rule_removed():
    at = open_page(PAGE)
    at.selectbox(key="c4_focus").set_value("bad_words").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "what" in d.value.columns)
    assert set(table["page"]) == {"p10", "p18", "p19", "p20", "p21"}
    at.checkbox(key="c4_bad_words").uncheck().run()
    assert not at.exception
    assert at.selectbox(key="c4_focus").value != "bad_words"  # a switched-off rule leaves the list


def test_bytes_and_tokens_are_named_and_agree_with_the_metric():
    at = open_page(PAGE)
    shown = metric(at, "C4 after all rules (text size)")
    delta = next(m.delta for m in at.metric if m.label == "C4 after all rules (text size)")
    assert shown == "745 GB" and delta.startswith("12% of 6.1 TB")
    point = next(line for line in texts(at).splitlines() if "Two measures" in line)
    assert "bytes" in point and "tokens" in point
    assert "(**12%**, the metric above)" in point and "1.4 T tokens (**11%**)" in point


def test_ties_for_the_most_pages_name_every_rule():
    res = c4.run_pipeline(c4.load_sample_pages(), set(c4.RULE_KEYS))
    rows = c4.rule_summary(res)
    best = max(r["pages removed"] for r in rows)
    tied = [r["rule"] for r in rows if r["pages removed"] == best]
    at = open_page(PAGE)
    point = next(line for line in texts(at).splitlines() if "the most pages" in line or "most pages removed" in line)
    for rule in tied:
        assert rule in point
    if len(tied) > 1:
        assert "tie for the most pages removed" in point


def test_rule_checkbox_labels_are_short():
    at = open_page(PAGE)
    labels = [at.checkbox(key=f"c4_{k}").label for k in c4.RULE_KEYS]
    assert all(len(label) <= 20 for label in labels), labels


def test_building_datasets_is_costly_beside_our_stages():
    """Issue 16: the chapter's demonstration and comparison costs, next to the data each of our stages used."""
    at = open_page(PAGE)
    assert not at.exception
    body = texts(at)
    assert "7. Building datasets is costly" in body
    assert metric(at, "InstructGPT's demonstrations") == "13,000"
    assert metric(at, "A comparison against a written response") == "$3.50"
    table = next(t.value for t in at.table if "a real model" in t.value.columns)
    assert list(table.index) == ["pre-training", "supervised finetuning", "preference finetuning"]
    assert "Labelled data is what costs money" in body


def test_c4_notes_beside_the_rules():
    """Issue 15: the order and the simplifications are said next to the result, the end-mark note in the help."""
    at = open_page(PAGE)
    body = texts(at)
    for note in c4.SIMPLIFICATIONS:
        assert note in body
    assert c4.END_MARK_NOTE in at.checkbox(key="c4_terminal_punct").help
    assert at.checkbox(key="c4_long_word").label == "1. 1,000-char words"
    at.radio(key="quiz_data_sources_0").set_value("Removed: \"...\" does not count as an end").run()
    assert any("Rule 3 keeps lines ending in . ! ? or a straight double quote" in s.value for s in at.success)


def test_made_up_harmful_pages_pass_the_rules():
    """Issue 16: misinformation, propaganda, ... written by the project, labelled as made up, through every rule."""
    res = c4.harmful_pages_passing()
    at = open_page(PAGE)
    assert not at.exception
    assert metric(at, "Made-up harmful pages that pass every rule") == f"{res.passed} of {res.total}"
    assert any(w.value.startswith("MADE UP BY THIS PROJECT") for w in at.warning)
    kinds = next(d.value for d in at.dataframe if "pass every rule" in d.value.columns)
    assert set(kinds["kind"]) == set(res.by_kind)
    point = next(line for line in texts(at).splitlines() if "made-up harmful pages pass" in line)
    if res.passed == res.total:
        assert f"**All {res.total}** made-up harmful pages pass every rule" in point
    # every rule runs on them, whatever the switches say
    at.checkbox(key="c4_bad_words").uncheck().run()
    assert metric(at, "Made-up harmful pages that pass every rule") == f"{res.passed} of {res.total}"
    first = res.pages[0]["id"]
    assert at.selectbox(key="c4_harm_page").value == first
    assert any("MADE UP" in c.value and ".example" in c.value for c in at.caption)
    at.selectbox(key="c4_harm_page").set_value(res.pages[-1]["id"]).run()
    assert not at.exception
    assert "Washington Post, 19 April 2023" in texts(at)
