"""The Transformer page's lesson: self-attention inside a GPT-2 style model, read from the real model and recomputed
by hand, where the parameters are, and the page's "What to notice" written from those numbers.

`attention_maps` asks transformers for the attention weights of every layer and head (`output_attentions=True`,
which needs the eager attention implementation). `worked_head` recomputes one head step by step from the layer's
own weights: Q, K and V, the scores Q K^T, the scaling by sqrt(d_head), the causal mask and the softmax, and checks
the result against what the model returned. The functions taking (source, checkpoint, ...) load the model by name so
that a page can cache them with ui.memo; `notices` is a pure function of plain numbers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib.charts import lm as lmcharts
from lib.models import lm as lm_module
from lib.models import registry
from lib.models.lm import show_token

MAX_TOKENS = 24
SHORT_PARTS = {"token embeddings (shared with the output layer)": "token embeddings",
               "attention (Q, K, V, output projection)": "attention (Q, K, V, out)"}


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


# ------------------------------------------------------------------------------------- by model name, for the page
def maps(source: str, checkpoint: str, prompt: str) -> AttentionMaps:
    return attention_maps(registry.load_lm(source, checkpoint), prompt, MAX_TOKENS)


def worked(source: str, checkpoint: str, prompt: str, layer: int, head: int) -> WorkedHead:
    return worked_head(registry.load_lm(source, checkpoint), prompt, layer, head, MAX_TOKENS)


def start_word(source: str, checkpoint: str, prompt: str):
    return start_word_tokens(registry.load_lm(source, checkpoint), prompt)


def heatmap_spec(am: AttentionMaps, layer: int, head: int, cell: int, projector: bool) -> dict:
    """One head's map of section 1, the causal mask drawn blank."""
    T = am.weights.shape[2]
    w = am.weights[layer, head].copy()
    w[np.triu_indices(T, 1)] = np.nan
    return lmcharts.finished_spec(lmcharts.attention_heatmap(w, [show_token(t) for t in am.tokens], cell=cell,
                                                             title=f"layer {layer}, head {head}", projector=projector),
                                  projector)


def step_matrix(wh: WorkedHead, step: int) -> np.ndarray:
    """What step `step` of the hand computation shows: 1 scores, 2 scaled, 3 masked (-inf drawn blank), 4 softmax
    (the future drawn blank)."""
    T = len(wh.tokens)
    if step == 1:
        return wh.scores
    if step == 2:
        return wh.scaled
    if step == 3:
        return np.where(np.isneginf(wh.masked), np.nan, wh.masked)
    return np.where(np.triu(np.ones((T, T)), 1) > 0, np.nan, wh.weights)


def matrix_frame(m: np.ndarray, rows, cols) -> pd.DataFrame:
    return pd.DataFrame(np.round(m, 3), index=[show_token(r) for r in rows], columns=list(cols))


def breakdown(source: str, checkpoint: str) -> tuple[pd.DataFrame, dict]:
    """The parameter count of each part of the model, from its own modules, and its shape."""
    model = registry.load_lm(source, checkpoint).model
    cfg = model.config
    shape = {"layers": cfg.n_layer, "width": cfg.n_embd, "heads": cfg.n_head, "vocabulary": cfg.vocab_size,
             "context": cfg.n_positions}
    return pd.DataFrame(lm_module.parameter_breakdown(model), columns=["part", "parameters"]), shape


def strongest(am: AttentionMaps, layer: int) -> tuple[int, int, float]:
    """In `layer`, the head and the key position the last token attends to most, and that weight."""
    last = am.weights[layer, :, -1, :]            # H, T
    head, key = np.unravel_index(np.argmax(last), last.shape)
    return int(head), int(key), float(last.max())


# ------------------------------------------------------------------------------------------------ what to notice
def notices(layer_view: int, last_token: str, strongest_key: str, strongest_head: int, strongest_weight: float,
            layer: int, head: int, d_head: int, max_abs_diff: float, biggest_part: str, biggest_parameters: int,
            total_parameters: int, start_split: tuple[str, tuple[str, ...], tuple[str, ...]] | None) -> list[str]:
    """The page's "What to notice", from plain numbers. Tokens are passed as shown (leading space as a middle dot)."""
    out = []
    if start_split is not None and start_split[1] != start_split[2]:
        word, at_start, with_space = start_split
        pieces = (" + ".join(f"`{t}`" for t in at_start), " + ".join(f"`{t}`" for t in with_space))
        a, b = len(at_start), len(with_space)
        if a > b:
            how = f"so it is a different, rarer string that splits into more pieces ({a} against {b})."
        elif a < b:
            how = f"so it is a different string; here the form after a space splits into more pieces ({b} against {a})."
        else:
            how = f"so it is a different string: the same number of pieces ({a}), but different ones."
        out.append(f"“{word}” at the start of the prompt is {pieces[0]}, but after a space it is {pieces[1]}: "
                   f"BPE tokens include the space before a word (shown as `·`), and the first word of a text has "
                   f"none, {how}")
    out.append(f"In the layer shown above (layer {layer_view}), the last token, `{last_token}`, attends most strongly "
               f"(weight {strongest_weight:.2f}) to `{strongest_key}` in head {strongest_head}.")
    if max_abs_diff < 1e-4:
        out.append(f"Our step-by-step softmax(QKᵀ/√{d_head} + mask) for layer {layer}, head {head} matches the "
                   f"model's own weights to {max_abs_diff:.1e}: nothing else happens inside a head.")
    else:
        out.append(f"Our step-by-step softmax(QKᵀ/√{d_head} + mask) for layer {layer}, head {head} differs "
                   f"from the model's own weights by {max_abs_diff:.1e}: this model computes attention differently.")
    share = biggest_parameters / total_parameters if total_parameters else 0.0
    out.append(f"The largest part of this model is **{SHORT_PARTS.get(biggest_part, biggest_part)}** "
               f"({biggest_parameters:,} of {total_parameters:,}, {share:.0%})"
               + (": more than all the rest together." if share > 0.5 else "."))
    return out
