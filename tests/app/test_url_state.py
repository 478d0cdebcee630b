"""Every demo is bookmarkable: a URL with every key of a page set (none to its default) opens the page with exactly
those widget values, and the page writes the same values back into the URL. A URL with bad values falls back to the
defaults without an error. (The browser version, which changes widgets and opens the URL in a fresh context, is
tests/browser/test_urls.py.)"""
import pytest

from lib.data import c4
from lib.lessons import transfer_learning as tl
from tests.apptest import open_page

KINDS = ("selectbox", "multiselect", "slider", "select_slider", "number_input", "text_input", "text_area", "radio",
         "checkbox", "toggle")

# page -> {URL key: (value in the URL, value the widget must show)}
CASES = {
    "home": ("app_pages/home.py", {
        "home_a": ("BERT", "BERT"), "home_b": ("Chinchilla", "Chinchilla"),
        "home_families": ("RNN (LSTM),decoder-only Transformer", ["RNN (LSTM)", "decoder-only Transformer"])}),
    "rnn": ("app_pages/rnn_unrolling.py", {
        "rnn_text": ("The capital of Peru is Lima.", "The capital of Peru is Lima."), "rnn_cell": ("gru", "gru"),
        "rnn_step": ("5", 5)}),
    "seq2seq_random": ("app_pages/seq2seq_bottleneck.py", {
        "s2s_len": ("8", 8), "s2s_seed": ("3", 3), "s2s_model": ("seq2seq_wide", "seq2seq_wide"),
        "s2s_step": ("2", 2), "s2s_eval_n": ("600", 600), "s2s_eval_seed": ("11", 11)}),
    "seq2seq_typed": ("app_pages/seq2seq_bottleneck.py", {
        "s2s_mode": ("Type your own", "Type your own"), "s2s_text": ("the big dog sleeps", "the big dog sleeps")}),
    "attention_built": ("app_pages/attention_alignment.py", {
        "att_clauses": ("3", 3), "att_conj1": ("because", "because"), "att_conj2": ("when", "when"),
        "att_c0_det": ("a", "a"), "att_c0_adj": ("black", "black"), "att_c0_noun": ("cat", "cat"),
        "att_c0_verb": ("paints", "paints"), "att_c0_odet": ("this", "this"), "att_c0_oadj": ("white", "white"),
        "att_c0_onoun": ("tree", "tree"), "att_c2_noun": ("boy", "boy"), "att_step": ("3", 3)}),
    "attention_typed": ("app_pages/attention_alignment.py", {
        "att_mode": ("Type freely", "Type freely"), "att_text": ("the red cat sees a dog", "the red cat sees a dog")}),
    "transfer": ("app_pages/transfer_learning.py", {
        "tl_n": ("64", 64), "tl_seed": ("3", 3), "tl_tricks": ("plain fine-tuning", "plain fine-tuning"),
        "tl_sample": ("a short story", "a short story"),
        "tl_text": ("A paragraph of my own. " * 12, "A paragraph of my own. " * 12)}),
    "data": ("app_pages/data_sources.py", {
        "c4_bad_words": ("0", False), "c4_dedup": ("0", False), "c4_focus": ("policy", "policy"),
        "c4_page": ("p07", "p07"), "c4_text": ("My own pasted page.\nIt has two lines.", "My own pasted page.\nIt has "
                                                                                          "two lines."),
        "c4_harm_page": ("h03", "h03"), "c4_tok_lang": ("Burmese", "Burmese")}),
    "post_training": ("app_pages/post_training.py", {
        "pt_country": ("Fiji", "Fiji"), "pt_beta": ("0.5", 0.5), "pt_steps": ("50", 50), "pt_lr": ("0.0003", 3e-4),
        "pt_stabilise": ("0", False)}),
    "sampling": ("app_pages/sampling_hallucination.py", {
        "samp_prompt": ("The capital of Peru is", "The capital of Peru is"), "samp_checkpoint": ("gpt_sft", "gpt_sft"),
        "samp_temperature": ("0.5", 0.5), "samp_top_k": ("10", 10), "samp_top_p": ("0.9", 0.9), "samp_seed": ("3", 3),
        "samp_n": ("10", 10), "samp_lab_country": ("Namibia", "Namibia"), "samp_lab_t": ("0.5", 0.5)}),
    "transformer": ("app_pages/transformer.py", {
        "tf_prompt": ("The capital of Peru is", "The capital of Peru is"), "tf_checkpoint": ("gpt_dpo", "gpt_dpo"),
        "tf_layer": ("1", 1), "tf_head": ("1", 1), "tf_layer_view": ("1", 1), "tf_step": ("3. scale", "3. scale")}),
    "model_size": ("app_pages/model_size.py", {
        "size_layers": ("12", 12), "size_width": ("768", 768), "size_heads": ("12", 12), "size_vocab": ("50257", 50257),
        "size_context": ("1024", 1024), "size_model": ("GPT-3", "GPT-3"),
        "size_tokens_rule": ("My own number", "My own number"), "size_tokens_b": ("42.0", 42.0),
        "size_gpus": ("64", 64), "size_util": ("0.5", 0.5), "size_peak_tflops": ("100.0", 100.0),
        "size_price": ("3.5", 3.5)}),
}


def widget(at, key):
    for kind in KINDS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise AssertionError(f"no widget with key {key!r} on the page")


@pytest.mark.parametrize("case", list(CASES))
def test_a_url_with_every_key_opens_with_those_values(case):
    page, keys = CASES[case]
    at = open_page(page, query={k: raw for k, (raw, _) in keys.items()})
    assert not at.exception, at.exception
    for key, (raw, shown) in keys.items():
        value = widget(at, key).value
        assert value == (pytest.approx(shown) if isinstance(shown, float) else shown), (key, value)
        assert at.query_params.get(key) in (raw, [raw]), (key, at.query_params.get(key))  # and written back


def test_the_data_cases_switch_off_real_rules():
    assert {"bad_words", "dedup", "policy"} <= set(c4.RULE_KEYS)
    assert "a short story" in tl.SAMPLES


@pytest.mark.parametrize("page, key, bad, default", [
    ("app_pages/home.py", "home_families", "RNN (LSTM),no such family", 6),
    ("app_pages/post_training.py", "pt_country", "Atlantis", "default_option"),  # computed: the lesson's default
    ("app_pages/sampling_hallucination.py", "samp_lab_t", "0.7", 0.0),
    ("app_pages/transformer.py", "tf_step", "9. nothing", "1. Q, K, V"),
    ("app_pages/data_sources.py", "c4_page", "p999", "p01"),
    ("app_pages/transfer_learning.py", "tl_sample", "a novel", "new countries, in the style the model read"),
])
def test_bad_values_fall_back_to_the_default(page, key, bad, default):
    at = open_page(page, query={key: bad})
    assert not at.exception, at.exception
    value = widget(at, key).value
    if default == "default_option":
        from lib.lessons import post_training

        default = post_training.default_option()
    assert (len(value) if isinstance(default, int) and isinstance(value, list) else value) == default
