"""Everything the RNN unrolling page (app_pages/rnn_unrolling.py) computes: the hidden state at every step, the
next-character predictions, how much the last hidden state still depends on each earlier input (gradient norms,
by autograd, for the trained cells and for untrained copies), and the page's "What to notice" (`notices`, a pure
function of those numbers). Functions ending in `_of` take model names and load through lib.models.registry, so
the page can cache them with ui.memo; the others take models. No Streamlit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lib import charts
from lib.charts import sequence as sc
from lib.models import registry
from lib.models.rnn import CELL_NAMES, CharRNN
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


# ------------------------------------------------------------------------------------------ what the page shows
CELLS = ("rnn", "lstm", "gru")
MODEL_OF = {"rnn": "char_rnn", "lstm": "char_lstm", "gru": "char_gru"}
BACK = 20  # how far back the gradient summary looks
SEEDS = (0, 1, 2)  # untrained copies of each cell, averaged


def unroll_of(cell: str, text: str) -> Unrolled:
    """`unroll` with the trained model of `cell` ("rnn", "lstm" or "gru")."""
    return unroll(registry.load(MODEL_OF[cell]), text)


def state_spec_of(cell: str, text: str, projector: bool) -> dict:
    """The hidden-state heatmap of (cell, text) as a finished Vega-Lite spec; each step only adds its outline."""
    u = unroll_of(cell, text)
    c = sc.state_map(u.states, [show_char(ch) for ch in u.chars], height=300).properties(
        title=f"Hidden state: {u.states.shape[1]} units at each step", width="container")
    return sc.to_spec(charts.style(c, projector))


def next_char_spec(labels: tuple[str, ...], probs: tuple[float, ...], height_per_bar: int, projector: bool) -> dict:
    """The step's next-character guesses as a finished Vega-Lite spec (cached by the page: one per step)."""
    return charts.finished_spec(charts.bars(list(labels), np.asarray(probs), value_title="probability", domain=(0, 1),
                                            height_per_bar=height_per_bar).properties(title="Next-character guesses"),
                                projector)


def gradient_spec(table: pd.DataFrame, ends: tuple[int, ...], points: bool, title: str, projector: bool) -> dict:
    """A gradient-against-steps-back chart (`sc.gradient_curves`) as a finished spec, 300 px high."""
    return charts.finished_spec(sc.gradient_curves(table, ends, points=points).properties(height=300, title=title),
                                projector)


@dataclass(frozen=True)
class GradientView:
    """Everything the gradient section draws for one text: both tables, their summary, and the two charts as
    finished specs for the laptop and the projector (`specs[projector] == (untrained, trained)`), so that a rerun
    costs one cache look-up keyed by the text (no data frame hashed on every run)."""
    trained: pd.DataFrame
    untrained: pd.DataFrame
    summary: "GradientSummary"
    specs: dict


def gradient_view_of(text: str) -> GradientView:
    trained, untrained = trained_gradients_of(text), untrained_gradients_of(text)
    g = summarize(trained, untrained, text)
    points = len(text) <= 40
    specs = {p: (gradient_spec(untrained, (), points, "Untrained cells (random weights)", p),
                 gradient_spec(trained, tuple(g.ends), points,
                               "Trained models" + (" (dashed: sentence end)" if g.ends else ""), p))
             for p in (False, True)}
    return GradientView(trained, untrained, g, specs)


def trained_gradients_of(text: str) -> pd.DataFrame:
    """`gradient_table` of the three trained cells on `text`."""
    return gradient_table({c: registry.load(MODEL_OF[c]) for c in CELLS}, text)


def untrained_gradients_of(text: str) -> pd.DataFrame:
    """`untrained_gradient_table` of the three cells on `text`, averaged over SEEDS."""
    return untrained_gradient_table({c: registry.load(MODEL_OF[c]) for c in CELLS}, text, SEEDS)


@dataclass(frozen=True)
class GradientSummary:
    """The numbers the page's gradient notices are written from."""
    back: int  # how many steps back the comparison looks
    rate: dict[str, tuple[float, float]] = field(default_factory=dict)  # untrained: factor per step, R^2
    untrained_at: dict[str, float] = field(default_factory=dict)  # untrained, relative gradient `back` steps back
    trained_at: dict[str, float] = field(default_factory=dict)  # trained, the same
    ends: tuple[int, ...] = ()  # sentence ends, in steps back
    cross: dict[str, tuple[float, float]] = field(default_factory=dict)  # trained, after / before ends[0]


def summarize(trained: pd.DataFrame, untrained: pd.DataFrame, text: str) -> GradientSummary:
    ends = sentence_ends(text)
    back = min(BACK, len(text) - 1)
    return GradientSummary(back=back, rate=decay_rate(untrained), untrained_at=decay_summary(untrained, back),
                           trained_at=decay_summary(trained, back), ends=tuple(ends),
                           cross=across_boundary(trained, ends[0]) if ends else {})


def step_note(cell: str, u: Unrolled, k: int) -> str:
    """What happened at step k (0-based): the character read, the top guess, and the real next character's share."""
    label = show_char(u.chars[k])
    nxt = u.chars[k + 1] if k + 1 < u.steps else None
    return (f"At step {k + 1} the {CELL_NAMES[cell]} read *{label}* and its top guess for the next "
            f"character is *{show_char(u.top_chars[k][0])}* ({u.top_probs[k][0]:.0%})."
            + (f" The real next character, *{show_char(nxt)}*, got {u.next_prob[k]:.0%}."
               if nxt is not None else " This is the last character."))


def unknown_note(u: Unrolled) -> str | None:
    """A warning naming the characters the model never saw in training, or None."""
    missing = sorted({ch for ch, unk in zip(u.chars, u.unknown) if unk})
    if not missing:
        return None
    return (f"Never seen in the training text: {' '.join(missing)}. The model reads each as one "
            f"\u201cunknown\u201d character.")


def mean_next_prob(u: Unrolled) -> float:
    """The average probability the model gave to the character that really came next."""
    return float(np.mean(u.next_prob)) if len(u.next_prob) else float("nan")


def notices(cell: str, steps: int, hidden: int, mean_p: float, g: GradientSummary) -> list[str]:
    """The page's "What to notice", from the numbers: the cell read `steps` characters into `hidden` numbers and gave
    the real next character `mean_p` on average; `g` summarises the gradients of the untrained and trained cells."""
    rate, fresh_at, decay, back = g.rate, g.untrained_at, g.trained_at, g.back
    out = [
        f"Whatever the text's length ({steps} characters here), everything the {CELL_NAMES[cell]} remembers is the "
        f"{hidden} numbers of one column of the heatmap"
        + (f", plus the {hidden} of the LSTM's cell state c, which it keeps beside h (not drawn)."
           if cell == "lstm" else ".")
        + f" Across the whole text it gave the character that really came next an average probability of "
          f"**{mean_p:.2f}**.",
    ]
    order = sorted(rate, key=lambda c: rate[c][0])  # fastest decay first
    r2 = math.floor(1000 * min((v[1] for v in rate.values()), default=0)) / 1000  # rounded down: "at least"
    if rate:
        out.append(
            "**Untrained**, each step back multiplies the gradient by a factor, on average "
            + ", ".join(f"\u00d7{rate[c][0]:.2f} for the {c}" for c in order)
            + (f". So the curves are straight lines on the log scale (a line fits each with R\u00b2 \u2265 {r2:.3f})"
               if r2 >= 0.98 else
               f". On a text this short the lines are rough (a line fits with R\u00b2 \u2265 {r2:.3f})")
            + f", and {back} steps back only "
            + ", ".join(f"{fresh_at[c]:.0e} ({c})" for c in order if c in fresh_at)
            + " is left. That is the vanishing gradient: "
            + (f"the {order[0]}, with no gates, fades fastest; the gated "
               f"{' and '.join(order[1:])} keep a larger factor per step through their additive path."
               if order[0] == CELL_NAMES["rnn"] else f"here the {order[0]} fades fastest."))
    ranked = sorted(decay, key=decay.get, reverse=True)
    if ranked:
        gain = {c: decay[c] / fresh_at[c] for c in ranked if fresh_at.get(c, 0) > 0}
        line = (f"**Trained**, on this text, {back} steps back: "
                + ", ".join(f"{c} {decay[c]:.1e}" for c in ranked) + ".")
        if gain and min(gain.values()) > 1:
            line += (f" Every cell keeps more than untrained (at least {min(gain.values()):.0f} times "
                     f"more, the {min(gain, key=gain.get)}).")
        if ranked[0] == CELL_NAMES["rnn"] or ranked[-1] != CELL_NAMES["rnn"]:
            line += (f" The textbook order does not hold here: the {ranked[0]} keeps the most and the "
                     f"{ranked[-1]} the least. Gates *can* carry a gradient further; whether they do "
                     f"depends on what training needed.")
        else:
            line += f" The {ranked[-1]} keeps the least, as the textbook expects."
        out.append(line)
    if g.ends:
        b, cross = g.ends[0], g.cross  # the last sentence end before the final character
        drops = {c: a / z for c, (a, z) in cross.items() if z > 0}
        summary = ("averaged over the last sentence the gradient is "
                   + ", ".join(f"{a:.0e}" for a, _ in cross.values())
                   + ", before the full stop " + ", ".join(f"{z:.0e}" for _, z in cross.values())
                   + f" ({', '.join(cross)})")
        if drops and min(drops.values()) >= 10:
            out.append(f"The trained curves are not straight lines: they fall at the full stop {b} steps back "
                       f"(dashed): {summary}, at least {min(drops.values()):.0f} times less. These small models "
                       "learned from short, independent sentences, so they learned to forget at a sentence "
                       "boundary: nothing before it helped predict what came after.")
        else:
            out.append(f"Across the full stop {b} steps back (dashed): {summary}. Not every cell drops there "
                       "by a factor of 10 or more on this text.")
    else:
        out.append("The trained curves are not straight lines: they stay high for part of the text and then drop. "
                   "These models learned from short, independent sentences; type two sentences (or pick the first "
                   "example) to see whether the drop falls at the full stop.")
    return out
