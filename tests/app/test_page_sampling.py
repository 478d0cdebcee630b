"""The Sampling and hallucination page, through the real app.py: the shown probabilities are transformers'
processors' output, temperature 0 is argmax, the same seed gives the same samples."""
import pytest
import torch
from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from lib.models import registry
from tests.apptest import open_page, texts

PAGE = "app_pages/sampling_hallucination.py"
PROMPT = "The capital of Botswana is"  # the page default: seen 3 times, 14 different answers in 20 samples

pytestmark = pytest.mark.skipif(not (registry.model_dir("gpt_base") / "model.safetensors").exists(),
                                reason="embedded GPT not built (python -m lib.train gpt)")


def expected_probs(prompt, temperature, top_k, top_p):
    lm = registry.load("gpt_base")
    ids = lm.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        logits = lm.model(input_ids=torch.tensor([ids])).logits[:, -1].float()
    dummy = torch.zeros((1, 1), dtype=torch.long)
    scores = TemperatureLogitsWarper(temperature)(dummy, logits)
    if top_k:
        scores = TopKLogitsWarper(top_k)(dummy, scores)
    if top_p < 1:
        scores = TopPLogitsWarper(top_p)(dummy, scores)
    return torch.softmax(scores, -1)[0], torch.softmax(logits, -1)[0]


def table(at):
    return at.dataframe[0].value


def test_page_renders_with_template():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Sampling and hallucination"
    body = texts(at)
    for part in ("1. The next-token distribution", "2. Sample many times", "3. Hallucination lab", "What to notice",
                 "Check yourself", "References", "Self-delusion"):
        assert part in body, part


def test_displayed_probabilities_equal_transformers_processors():
    at = open_page(PAGE)
    at.slider(key="samp_temperature").set_value(0.7)
    at.slider(key="samp_top_k").set_value(10)
    at.slider(key="samp_top_p").set_value(0.9).run()
    assert not at.exception
    df = table(at)
    probs, model = expected_probs(PROMPT, 0.7, 10, 0.9)
    for _, row in df[df["id"] >= 0].iterrows():
        assert row["sampler"] == pytest.approx(float(probs[row["id"]]), abs=1e-5)  # float32, thread count may differ
        assert row["model (T=1)"] == pytest.approx(float(model[row["id"]]), abs=1e-5)
        assert (row["status"] == "cut") == (float(probs[row["id"]]) == 0.0)
    assert df["sampler"].sum() == pytest.approx(1.0, abs=1e-5)


def test_temperature_zero_is_argmax():
    at = open_page(PAGE)
    at.slider(key="samp_temperature").set_value(0.0).run()
    assert not at.exception
    df = table(at)
    _, model = expected_probs(PROMPT, 1.0, 0, 1.0)
    top = df.iloc[0]
    assert top["id"] == int(model.argmax())
    assert top["sampler"] == 1.0
    assert (df["sampler"].iloc[1:] == 0).all()
    assert "every sample is the same" in texts(at)


def test_same_seed_same_samples_new_seed_changes_them():
    def samples(at):
        return [m.value for m in at.markdown if "<div style=\"margin:2px 0\"><b>1.</b>" in m.value]

    at = open_page(PAGE)
    at.slider(key="samp_temperature").set_value(1.5).run()
    first = samples(at)
    at.run()
    assert samples(at) == first
    at2 = open_page(PAGE)
    at2.slider(key="samp_temperature").set_value(1.5).run()
    assert samples(at2) == first
    next(b for b in at.button if b.label == "New seed").click().run()
    assert not at.exception
    assert at.number_input(key="samp_seed").value == 1
    assert samples(at) != first


@pytest.mark.parametrize("prompt", ["", "🙂🙂 " * 50, "x" * 5000, "Столица Франции", "<b>hi</b>"])
def test_hostile_prompts_do_not_crash(prompt):
    at = open_page(PAGE)
    at.text_input(key="samp_prompt").input(prompt).run()
    assert not at.exception


def test_unreachable_hub_model_falls_back_with_a_clear_message(monkeypatch):
    at = open_page(PAGE)
    at.session_state["model_source"] = "distilgpt2"
    at.run()
    assert not at.exception
    assert any("cannot be reached" in w.value and "embedded tiny GPT instead" in w.value for w in at.warning)
    assert len(table(at)) == 21


@pytest.fixture
def local_hub_model(tmp_path, monkeypatch):
    """A tiny GPT-2 saved with save_pretrained and allowlisted: the Hub code path without a network."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from lib.models import lm as lm_module

    tok = registry.load("gpt_base").tokenizer
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=16, n_layer=2, n_head=2))
    folder = tmp_path / "tiny-hub-gpt2"
    lm_module.save(lm_module.LM(model, tok, "tiny"), folder)
    monkeypatch.setattr(registry, "HUB_ALLOWLIST", (str(folder),))
    registry.load_hub.cache_clear()
    yield str(folder)
    registry.load_hub.cache_clear()


def test_a_hub_model_from_the_sidebar_is_used(local_hub_model):
    at = open_page(PAGE)
    at.session_state["model_source"] = local_hub_model
    at.run()
    assert not at.exception
    assert any(local_hub_model in c.value for c in at.caption)
    df = table(at)
    lm = registry.load_hub(local_hub_model)
    ids = lm.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        probs = torch.softmax(lm.model(input_ids=torch.tensor([ids])).logits[0, -1], -1)
    top = df.iloc[0]
    assert top["id"] == int(probs.argmax())
    assert top["model (T=1)"] == pytest.approx(float(probs.max()), abs=1e-6)


def test_samples_follow_the_sliders_they_are_drawn_with():
    """issue 16: moving the temperature redrew only section 1 (its own fragment), so section 2 kept showing samples
    from the old settings. The samples must be drawn inside the sliders' fragment: in it, or in a fragment it calls
    (issue 12: section 2 is a fragment of its own inside section 1's, so a new seed redraws the samples only)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(PAGE).read_text())
    fragments = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)
                 and any("fragment" in ast.unparse(d) for d in f.decorator_list)}

    def holds(f, text):
        return text in ast.unparse(f)
    sampler = [f for f in fragments.values() if holds(f, "L.sample_view")]
    assert len(sampler) == 1
    sliders = [f for f in fragments.values() if all(holds(f, k) for k in ("samp_temperature", "samp_top_k",
                                                                          "samp_top_p"))]
    assert len(sliders) == 1
    calls = {n.func.id for n in ast.walk(sliders[0]) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert sliders[0] is sampler[0] or sampler[0].name in calls
    at = open_page(PAGE)
    at.slider(key="samp_temperature").set_value(0.0).run()
    caption = next(c.value for c in at.caption if "samples at" in c.value)
    assert "temperature 0 (greedy)" in caption
    assert "gave **1** distinct continuation;" in texts(at)


def test_top_k_help_says_ties_are_kept():
    at = open_page(PAGE)
    assert "tie" in at.slider(key="samp_top_k").help


def test_three_outcomes_from_the_report():
    """Issue 15: the hallucination figures are the classifier's three outcomes; the base model's "a." is neither."""
    import json
    from lib.paths import MODELS
    ev = json.loads((MODELS / "report_gpt.json").read_text())["evaluation"]
    at = open_page(PAGE)
    out = next(d.value for d in at.dataframe if "neither" in d.value.columns)
    base = ev["gpt_base"]["completion"]
    dpo = ev["gpt_dpo"]["qa"]
    assert out.iloc[0]["names a capital"] == pytest.approx(100 * base["invented_names_a_capital"])
    assert out.iloc[0]["neither"] == pytest.approx(100 * (1 - base["invented_names_a_capital"]
                                                          - base["abstention_invented"]))
    assert out.iloc[2]["abstains"] == pytest.approx(100 * dpo["capital"]["abstention_invented"])
    body = texts(at)
    assert f"the other **{out.iloc[0]['neither'] / 100:.0%}** are *neither*" in body
    assert f"it abstains on **{dpo['capital']['abstention_invented']:.0%}**" in body
