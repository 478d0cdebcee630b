"""lib.attention_lab on a tiny random GPT-2: the hand-worked head equals the model's own attention."""
import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from lib import attention_lab as A
from lib.models import lm as lm_module


@pytest.fixture(scope="module")
def tiny_lm():
    tok = lm_module.train_tokenizer(["The capital of France is Paris."] * 20, vocab_size=280)
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=24, n_layer=2, n_head=3)
    model = GPT2LMHeadModel._from_config(cfg, attn_implementation="eager")
    model.eval()
    return lm_module.LM(model, tok, "tiny")


def test_maps_shape_rows_sum_to_one_and_causal(tiny_lm):
    maps = A.attention_maps(tiny_lm, "The capital of France is")
    L, H, T, T2 = maps.weights.shape
    assert (L, H, T) == (2, 3, len(maps.tokens)) and T == T2
    assert np.allclose(maps.weights.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.triu(maps.weights, k=1) == 0)


@pytest.mark.parametrize("layer,head", [(0, 0), (1, 2)])
def test_worked_head_equals_model(tiny_lm, layer, head):
    w = A.worked_head(tiny_lm, "The capital of France is Paris", layer, head)
    assert w.max_abs_diff < 1e-5
    assert w.q.shape == (len(w.tokens), 8) and w.d_head == 8
    assert np.allclose(w.scaled, w.scores / np.sqrt(8))
    assert np.isneginf(w.masked[0, 1])
    assert np.allclose(w.weights, w.model_weights, atol=1e-5)


def test_worked_head_rejects_bad_indices(tiny_lm):
    with pytest.raises(ValueError):
        A.worked_head(tiny_lm, "The capital", 5, 0)


def test_parameter_breakdown_sums_to_model(tiny_lm):
    parts = dict(lm_module.parameter_breakdown(tiny_lm.model))
    assert sum(parts.values()) == sum(p.numel() for p in tiny_lm.model.parameters())
    assert parts["position embeddings"] == 32 * 24
    # 2 layers x (qkv 24*72+72 + proj 24*24+24)
    assert parts["attention (Q, K, V, output projection)"] == 2 * (24 * 72 + 72 + 24 * 24 + 24)
