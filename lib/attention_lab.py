"""Self-attention inside a GPT-2 style model, read from the real model and recomputed by hand.

`attention_maps` asks transformers for the attention weights of every layer and head (`output_attentions=True`,
which needs the eager attention implementation). `worked_head` recomputes one head step by step from the layer's
own weights: Q, K and V, the scores Q K^T, the scaling by sqrt(d_head), the causal mask and the softmax, and checks
the result against what the model returned.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class AttentionMaps:
    tokens: tuple[str, ...]
    weights: np.ndarray   # (n_layer, n_head, T, T): row = query position, column = key position


@torch.inference_mode()
def attention_maps(lm, prompt: str, max_tokens: int = 24) -> AttentionMaps:
    ids = lm.encode(prompt)[-max_tokens:]
    if not ids:
        raise ValueError("The prompt is empty.")
    out = lm.model(input_ids=torch.tensor([ids]), output_attentions=True)
    weights = torch.stack([a[0] for a in out.attentions]).float().numpy()  # L, H, T, T
    return AttentionMaps(tuple(lm.tokens(ids)), weights)


@dataclass(frozen=True)
class WorkedHead:
    tokens: tuple[str, ...]
    layer: int
    head: int
    d_head: int
    x: np.ndarray          # (T, C) the layer's input after its first layer norm
    q: np.ndarray          # (T, d) queries of this head
    k: np.ndarray          # (T, d) keys
    v: np.ndarray          # (T, d) values
    scores: np.ndarray     # (T, T) q k^T
    scaled: np.ndarray     # (T, T) scores / sqrt(d)
    masked: np.ndarray     # (T, T) future positions set to -inf
    weights: np.ndarray    # (T, T) softmax of each row
    output: np.ndarray     # (T, d) weights @ v: what this head adds (before the output projection)
    model_weights: np.ndarray  # (T, T) the attention weights transformers returned for this head
    max_abs_diff: float


def _gpt2_blocks(model):
    transformer = getattr(model, "transformer", None)
    if transformer is None or not hasattr(transformer, "h"):
        raise ValueError("The worked example needs a GPT-2 style model (transformer.h[i].attn.c_attn).")
    return transformer.h


@torch.inference_mode()
def worked_head(lm, prompt: str, layer: int, head: int, max_tokens: int = 24) -> WorkedHead:
    """Recompute head `head` of layer `layer` by hand from the model's own weights."""
    model = lm.model
    blocks = _gpt2_blocks(model)
    cfg = model.config
    n_head, C = cfg.n_head, cfg.n_embd
    d = C // n_head
    if not (0 <= layer < len(blocks) and 0 <= head < n_head):
        raise ValueError(f"layer must be in 0..{len(blocks) - 1} and head in 0..{n_head - 1}")
    ids = lm.encode(prompt)[-max_tokens:]
    if not ids:
        raise ValueError("The prompt is empty.")
    out = model(input_ids=torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
    block = blocks[layer]
    x = block.ln_1(out.hidden_states[layer])[0]                   # T, C: the input of this layer's attention
    qkv = block.attn.c_attn(x)                                    # T, 3C (GPT-2's Conv1D: x @ W + b)
    q_all, k_all, v_all = qkv.split(C, dim=-1)                    # each T, C
    sl = slice(head * d, (head + 1) * d)                          # this head's d columns
    q, k, v = q_all[:, sl], k_all[:, sl], v_all[:, sl]            # each T, d
    scores = q @ k.T                                              # T, T
    scaled = scores / math.sqrt(d) if getattr(cfg, "scale_attn_weights", True) else scores
    T = len(ids)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    masked = scaled.masked_fill(future, float("-inf"))
    weights = torch.softmax(masked, dim=-1)
    model_w = out.attentions[layer][0, head]
    return WorkedHead(tokens=tuple(lm.tokens(ids)), layer=layer, head=head, d_head=d, x=x.numpy(), q=q.numpy(),
                      k=k.numpy(), v=v.numpy(), scores=scores.numpy(), scaled=scaled.numpy(), masked=masked.numpy(),
                      weights=weights.numpy(), output=(weights @ v).numpy(), model_weights=model_w.float().numpy(),
                      max_abs_diff=float((weights - model_w).abs().max()))


def head_summary(maps: AttentionMaps) -> list[dict]:
    """For every head: where the last token looks most, and how spread its attention is (entropy in bits)."""
    L, H, T, _ = maps.weights.shape
    rows = []
    for layer in range(L):
        for head in range(H):
            row = maps.weights[layer, head, -1]
            p = row[row > 0]
            rows.append({"layer": layer, "head": head, "last token attends most to": maps.tokens[int(row.argmax())],
                         "weight": float(row.max()), "entropy_bits": float(-(p * np.log2(p)).sum()),
                         "previous-token score": float(np.mean([maps.weights[layer, head, t, t - 1]
                                                                for t in range(1, T)])) if T > 1 else 0.0})
    return rows


def start_word_tokens(lm, prompt: str) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """The prompt's first word, its tokens at the very start (no space before it) and its tokens after a space, as in
    the middle of a sentence: byte-level BPE tokens carry the space in front of a word, so the same word can split
    differently. None when the prompt has no first word."""
    words = prompt.split()
    if not words:
        return None
    word = words[0]
    return word, tuple(lm.tokens(lm.encode(word))), tuple(lm.tokens(lm.encode(" " + word)))
