"""What the RNN unrolling page computes: the hidden state at every step, the next-character predictions, and how
much the last hidden state still depends on each earlier input (gradient norms, by autograd). Takes models,
returns numbers (numpy arrays, dataclasses, DataFrames); no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lib.models.rnn import CELL_NAMES, UNK
from lib.torch_threads import single_thread


@dataclass
class Unrolled:
    chars: list[str]  # the input characters, one per step
    unknown: list[bool]  # True where the character was never in the training text (read as UNK)
    states: np.ndarray  # (T, H): the hidden state after each step
    top_chars: list[list[str]]  # (T, k): the k most likely next characters after each step
    top_probs: np.ndarray  # (T, k)
    next_prob: np.ndarray  # (T-1,): the probability the model gave to the character that really came next

    @property
    def steps(self) -> int:
        return len(self.chars)


def show_char(c: str) -> str:
    """A character as a label: spaces made visible."""
    return "\u2423" if c == " " else c


@single_thread
@torch.inference_mode()
def unroll(model, text: str, top_k: int = 5) -> Unrolled:
    """Run the model over `text` one character per step and keep what happened at each step."""
    if not text:
        raise ValueError("no text to read")
    ids = model.vocab.encode(text)
    logits, states = model(torch.tensor([ids]), return_states=True)  # 1, T, V and 1, T, H
    probs = F.softmax(logits[0], dim=-1)  # T, V
    top_p, top_i = probs.topk(min(top_k, probs.shape[-1]), dim=-1)
    itos = model.vocab.itos
    nxt = probs[torch.arange(len(ids) - 1), torch.tensor(ids[1:], dtype=torch.long)] if len(ids) > 1 else probs[:0, 0]
    return Unrolled(chars=list(text), unknown=[i == 0 for i in ids], states=states[0].numpy().copy(),
                    top_chars=[[itos[j] for j in row] for row in top_i.tolist()], top_probs=top_p.numpy().copy(),
                    next_prob=nxt.numpy().copy())


@single_thread
def gradient_norms(model, text: str) -> np.ndarray:
    """For each step t, the size of the gradient of the LAST hidden state with respect to the input at step t:
    the Frobenius norm of the Jacobian d h_T / d x_t (x_t the character's embedding), by autograd.

    The Jacobian has H rows; we get them all in one backward pass by running H copies of the sequence and taking
    row k from copy k. Only the inputs get gradients (torch.autograd.grad), so the shared model is not touched."""
    ids = torch.tensor([model.vocab.encode(text)])  # 1, T
    H = model.config.hidden
    with torch.enable_grad():
        x = model.emb(ids).detach().expand(H, -1, -1).clone().requires_grad_(True)  # H, T, E
        _logits, states, _final = model.forward_embedded(x)  # H, T, H
        last = states[torch.arange(H), -1, torch.arange(H)].sum()  # sum_k h_T[k] taken from copy k
        (grad,) = torch.autograd.grad(last, x)  # H, T, E: grad[k, t] = d h_T[k] / d x_t
    return grad.pow(2).sum(dim=(0, 2)).sqrt().numpy()  # T


def gradient_table(models: dict[str, object], text: str) -> pd.DataFrame:
    """Gradient norms of every model on the same text, long format: cell, step, steps back from the end,
    character, gradient norm, and the norm relative to the last step's."""
    rows = []
    for cell, model in models.items():
        norms = gradient_norms(model, text)
        for t, g in enumerate(norms):
            rows.append({"cell": CELL_NAMES.get(cell, cell), "step": t, "steps back": len(text) - 1 - t,
                         "char": show_char(text[t]), "gradient norm": float(g),
                         "relative to last": float(g / norms[-1]) if norms[-1] > 0 else float("nan")})
    return pd.DataFrame(rows)


def decay_summary(table: pd.DataFrame, back: int) -> dict[str, float]:
    """For each cell: the gradient norm `back` steps before the end, relative to the last step's."""
    out = {}
    for cell, group in table.groupby("cell", sort=False):
        row = group[group["steps back"] == back]
        if len(row):
            out[cell] = float(row["relative to last"].iloc[0])
    return out


def untrained_like(model, seed: int):
    """A fresh model of the same shape and vocabulary with random (untrained, PyTorch default) weights: the cell's
    mechanics without anything training taught it. Seeded with a private generator, so the global one is untouched."""
    from lib.models.rnn import CharRNN

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        fresh = CharRNN(model.config)
    fresh.vocab = model.vocab
    return fresh.eval()


def untrained_gradient_table(models: dict[str, object], text: str, seeds=(0, 1, 2)) -> pd.DataFrame:
    """Like gradient_table, for untrained copies of each model (one per seed), the relative norms averaged over
    the seeds geometrically (the mean of their logarithms, the right average for numbers that shrink by factors)."""
    tables = [gradient_table({c: untrained_like(m, s) for c, m in models.items()}, text) for s in seeds]
    out = tables[0].copy()
    with np.errstate(divide="ignore"):  # a gradient that underflowed float32 is 0: its log is -inf, its mean 0
        for col in ("relative to last", "gradient norm"):
            out[col] = np.exp(np.mean([np.log(t[col].to_numpy()) for t in tables], axis=0))
    return out


def decay_rate(table: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """For each cell: (the factor one step back multiplies the gradient by, R^2 of the straight line). Both from a
    least-squares line through log(relative gradient) against steps back (1 and further; the last step is 1 by
    definition). A straight line on a log scale (R^2 near 1) means geometric decay: the same factor every step."""
    out = {}
    for cell, g in table.groupby("cell", sort=False):
        g = g[(g["steps back"] >= 1) & (g["relative to last"] > 0)]
        if len(g) < 3:
            continue
        x, y = g["steps back"].to_numpy(float), np.log(g["relative to last"].to_numpy())
        slope, icept = np.polyfit(x, y, 1)
        resid = y - (slope * x + icept)
        ss = float(((y - y.mean()) ** 2).sum())
        out[cell] = (float(np.exp(slope)), 1 - float((resid ** 2).sum()) / ss if ss > 0 else 1.0)
    return out


def sentence_ends(text: str) -> list[int]:
    """Steps back (from the last character) of every sentence end (. ! ?) before the last character."""
    n = len(text)
    return [n - 1 - i for i, ch in enumerate(text[:-1]) if ch in ".!?" and (i + 1 == n - 1 or text[i + 1] == " ")]


def across_boundary(table: pd.DataFrame, boundary: int) -> dict[str, tuple[float, float]]:
    """For each cell: the mean relative gradient (geometric) over the characters after a sentence end (steps back
    below `boundary`, the last character left out) and over those up to and including it."""
    out = {}
    for cell, g in table.groupby("cell", sort=False):
        g = g[g["relative to last"] > 0]
        after = g[(g["steps back"] >= 1) & (g["steps back"] < boundary)]["relative to last"].to_numpy()
        before = g[g["steps back"] >= boundary]["relative to last"].to_numpy()
        if len(after) and len(before):
            out[cell] = (float(np.exp(np.log(after).mean())), float(np.exp(np.log(before).mean())))
    return out


@torch.inference_mode()
def generate(model, prompt: str, n_chars: int = 60) -> str:
    """Greedy continuation of `prompt`, one character at a time (each step feeds the last state forward)."""
    ids = model.vocab.encode(prompt) or [0]
    x = model.emb(torch.tensor([ids]))
    _logits, _states, state = model.forward_embedded(x)
    logits = _logits[0, -1]
    out = []
    for _ in range(n_chars):
        nxt = int(logits.argmax())
        out.append(model.vocab.itos[nxt])
        logits3, _s, state = model.forward_embedded(model.emb(torch.tensor([[nxt]])), state)
        logits = logits3[0, -1]
    return "".join(out).replace(UNK, "?")
