"""lib.lm_lab: next-token tables from cached logits, sample summaries, escaped coloured tokens."""
import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from lib import lm_lab, sampling
from lib.models import lm as lm_module


@pytest.fixture(scope="module")
def tiny_lm():
    tok = lm_module.train_tokenizer(["The capital of France is Paris.", "<b>&</b>"] * 20, vocab_size=290)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=16, n_layer=1, n_head=2))
    model.eval()
    return lm_module.LM(model, tok, "tiny")


def test_distribution_frame_uses_cached_logits_and_processors(tiny_lm):
    nt = lm_lab.next_token(tiny_lm, "The capital of")
    before = nt.logits.copy()
    df = lm_lab.distribution_frame(nt, 0.7, 5, 0.9)
    expected = sampling.probabilities(torch.from_numpy(nt.logits), 0.7, 5, 0.9).numpy()
    body = df[df["id"] >= 0]
    assert np.allclose(body["probability"], expected[body["id"]], atol=1e-7)
    assert df["probability"].sum() == pytest.approx(1.0, abs=1e-6)
    assert (body["status"] == "kept").sum() <= 5
    assert np.array_equal(nt.logits, before)
    assert len(body) == lm_lab.TOP and list(body["id"]) == list(np.argsort(-nt.logits, kind="stable")[:lm_lab.TOP])


def test_greedy_frame_is_one_hot(tiny_lm):
    nt = lm_lab.next_token(tiny_lm, "The capital of")
    df = lm_lab.distribution_frame(nt, 0.0, 0, 1.0)
    assert df.iloc[0]["probability"] == 1.0 and (df["probability"].iloc[1:] == 0).all()
    assert lm_lab.kept_count(nt, 0.0, 0, 1.0) == 1


def test_empty_prompt_is_refused(tiny_lm):
    with pytest.raises(ValueError):
        lm_lab.next_token(tiny_lm, "")


def test_samples_and_counts(tiny_lm):
    s = lm_lab.samples(tiny_lm, "The capital of", 6, 1.0, 0, 1.0, seed=2, max_new_tokens=4)
    assert s == lm_lab.samples(tiny_lm, "The capital of", 6, 1.0, 0, 1.0, seed=2, max_new_tokens=4)
    counts = lm_lab.answer_counts(s)
    assert counts["count"].sum() == 6
    ent = lm_lab.entropy_frame(s)
    assert (ent["entropy_bits"] >= 0).all()


def test_coloured_tokens_are_escaped():
    html = lm_lab.coloured_tokens_html(["<script>", " & ", "\n"], [0.1, 0.5, 0.9])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.count("<span") == 3
