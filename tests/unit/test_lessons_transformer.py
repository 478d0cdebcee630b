"""lib.lessons.transformer on a tiny random GPT-2: the hand-worked head equals the model's own attention."""
import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from lib.lessons import transformer as A
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


# --------------------------------------------------------------------------------------------- notices, by hand
def _notices(**over):
    args = dict(layer_view=1, last_token="\u00b7is", strongest_key="\u00b7France", strongest_head=2,
                strongest_weight=0.61, layer=0, head=3, d_head=32, max_abs_diff=3e-8,
                biggest_part="token embeddings (shared with the output layer)", biggest_parameters=65_536,
                total_parameters=100_000, start_split=None)
    args.update(over)
    return A.notices(**args)


def test_split_notice_says_more_pieces_only_when_there_are_more():
    more = _notices(start_split=("Kenya", ("K", "en", "ya"), ("\u00b7Kenya",)))
    assert "splits into more pieces (3 against 1)" in more[0]
    # issue 16: "Kenya lies in Africa..." gives 4 pieces both ways: no "more pieces" claim
    same = _notices(start_split=("Kenya", ("K", "en", "y", "a"), ("\u00b7K", "en", "y", "a")))
    assert "more pieces" not in same[0] and "the same number of pieces (4), but different ones" in same[0]
    fewer = _notices(start_split=("Xy", ("Xy",), ("\u00b7X", "y")))
    assert "after a space splits into more pieces (2 against 1)" in fewer[0]


def test_no_split_notice_when_the_word_splits_the_same_or_there_is_none():
    for split in (None, ("a", ("a",), ("a",))):
        assert not any("at the start of the prompt" in p for p in _notices(start_split=split))


def test_single_token_prompt_and_strongest_head():
    out = _notices(last_token="a", strongest_key="a", strongest_weight=1.0, strongest_head=0, layer_view=0)
    assert "the last token, `a`, attends most strongly (weight 1.00) to `a` in head 0" in out[0]


def test_check_notice_follows_the_difference():
    assert "matches the model's own weights to 3.0e-08" in _notices()[1]
    assert "differs from the model's own weights by 2.0e-02" in _notices(max_abs_diff=0.02)[1]


def test_biggest_part_notice():
    assert "more than all the rest together" in _notices()[-1] and "(65,536 of 100,000, 66%)" in _notices()[-1]
    tie = _notices(biggest_part="MLP (feed-forward)", biggest_parameters=50_000)[-1]
    assert "**MLP (feed-forward)** (50,000 of 100,000, 50%)." in tie and "rest together" not in tie


def test_step_matrix_blanks_the_mask(tiny_lm):
    wh = A.worked_head(tiny_lm, "The capital of France is", 0, 0)
    assert np.isnan(A.step_matrix(wh, 3)[0, 1]) and np.isnan(A.step_matrix(wh, 4)[0, 1])
    assert np.array_equal(A.step_matrix(wh, 1), wh.scores)
    assert A.strongest(A.attention_maps(tiny_lm, "The capital"), 0)[2] <= 1.0
