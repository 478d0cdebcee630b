"""Everything the seq2seq bottleneck page (app_pages/seq2seq_bottleneck.py) computes: a random sentence of the
grammar, the three models' translations and scores on it, accuracy by length (from the training report, live, and
beyond the 35 words the models were trained on), Bahdanau's table, the timing of sequential against parallel
processing, and the page's "What to notice" (`notices`, a pure function of those numbers). Functions ending in `_of`
take model names and load through lib.models.registry, so the page can cache them with ui.memo. No Streamlit.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch
import torch.nn.functional as F

from lib import charts, paths
from lib.charts import sequence as sc
from lib.data import translation as tr
from lib.models import registry, seq2seq_eval
from lib.models.seq2seq_eval import BEYOND, BEYOND_N, TRAINED_UP_TO, Translation, beyond_bucket
from lib.torch_threads import single_thread

NO_ATTN = ("seq2seq_small", "seq2seq_wide")
ALL = (*NO_ATTN, "seq2seq_attn")
TIMING_LENGTHS = (8, 32, 128, 512)
RNN_COL, ATT_COL = "RNN (one step at a time)", "self-attention (all at once)"


# ------------------------------------------------------------------------------------------- one sentence
def random_sentence(n_words: int, seed: int) -> tr.Pair:
    """A random sentence of the grammar with about `n_words` words (the closest length found)."""
    rng = random.Random(seed)
    best = None
    for _ in range(400):
        p = tr.random_pair(rng, max(1, round(n_words / 7)))
        if best is None or abs(len(p) - n_words) < abs(len(best) - n_words):
            best = p
        if len(p) == n_words:
            break
    return best




def word_marks(out: list[str], ref: list[str]) -> list[bool]:
    """For each output word, whether it equals the reference word at the same position."""
    return [i < len(ref) and w == ref[i] for i, w in enumerate(out)]


def compare(translations: dict[str, Translation], pair: tr.Pair) -> pd.DataFrame:
    """One row per model: words right (position by position) out of the longer of output and reference (so
    extra words count against it), the number of extra words, and exact match."""
    rows = []
    for label, t in translations.items():
        marks = word_marks(t.out, list(pair.tgt))
        n = max(len(pair.tgt), len(t.out))  # extra or missing words count as wrong
        rows.append({"model": label, "words right": sum(marks), "of": n,
                     "extra words": max(0, len(t.out) - len(pair.tgt)),
                     "word accuracy %": 100 * sum(marks) / n, "exact": t.out == list(pair.tgt)})
    return pd.DataFrame(rows)



def translate_of(name: str, words: tuple[str, ...]) -> Translation:
    """`seq2seq_eval.translate` with the embedded model `name`."""
    return seq2seq_eval.translate(registry.load(name), words)


def labels_of() -> dict[str, str]:
    """Registry name -> how the page names the model ("attention, 64 units")."""
    return {name: seq2seq_eval.model_label(registry.load(name)) for name in ALL}


def bridge_chart_of(name: str, words: tuple[str, ...]):
    """The bridge vector of `name` for `words` as a heatmap of 8 rows (so that it fits the screen)."""
    t = translate_of(name, words)
    H = t.bridge.shape[0]
    grid = t.bridge.reshape(8, -1)
    return charts.heatmap(grid, [f"{i * grid.shape[1]}" for i in range(8)], [str(j) for j in range(grid.shape[1])],
                          row_title="", col_title="", value_title="value", scheme="redblue", domain=(-1, 1),
                          cell=30 if H <= 64 else 18).properties(
        title=f"The bridge: {H} numbers between -1 and 1 for a {len(words)}-word sentence")


def step_line(t: Translation, k: int, ref: list[str] | None) -> str:
    """What decoder step k (0-based) saw and wrote."""
    s, so_far, H = t.steps[k], t.out[:k], t.bridge.shape[0]
    return (f"**Step {k + 1} of {len(t.steps)}.** The decoder's inputs: the word it wrote last "
            f"(*{so_far[-1] if so_far else 'start'}*) and the same {H}-number bridge as at every step. "
            f"It writes **{s.word}** with probability {s.prob:.2f} "
            f"(runners-up: {', '.join(f'{w} {p:.2f}' for w, p in s.top[1:])})"
            + (f"; the grammar's word here is **{ref[k]}**." if ref and k < len(ref) else "."))


# ---------------------------------------------------------------------------------------- accuracy by length
def report_table_of() -> pd.DataFrame:
    """The training report's exact match and token accuracy by length, models named as on the page."""
    return seq2seq_eval.report_frame(seq2seq_eval.load_report(), labels_of())


def accuracy_chart(table: pd.DataFrame, source: str):
    return sc.accuracy_by_length(table, order=tr.BUCKETS).properties(
        title=f"Exact match by source length ({source})", height=360)


def report_chart_of():
    return accuracy_chart(report_table_of(), "from the training report")


def re_evaluate_of(n: int, seed: int, progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """Every model on one fresh held-out sample of `n` sentences (`seq2seq_eval.re_evaluate`)."""
    names = labels_of()
    return seq2seq_eval.re_evaluate({names[m]: registry.load(m) for m in ALL}, n, seed, progress)


def prepare_re_evaluation() -> None:
    """The re-evaluation's one-off cost: the 60,000 training sentences its fresh samples must avoid, generated once
    per process (about 1.5 s; the page does it in the background once it is drawn)."""
    seq2seq_eval.train_sources()


def beyond_of() -> pd.DataFrame:
    """Exact match and token accuracy of every model on sentences longer than any in training
    (`seq2seq_eval.evaluate_beyond`): from the training report, or measured now when the report has none."""
    report, names = seq2seq_eval.load_report(), labels_of()
    return seq2seq_eval.buckets_frame(
        {names[m]: report.get(m, {}).get("beyond") or seq2seq_eval.evaluate_beyond(registry.load(m)) for m in ALL},
        order=BEYOND)


def beyond_line(beyond: dict[str, dict[str, float]]) -> str:
    """The measured exact match beyond the training lengths, one clause per model."""
    return (f"**Beyond the lengths they saw.** No training sentence had more than {TRAINED_UP_TO} words. Exact match "
            f"on {BEYOND_N} fresh sentences of {BEYOND[0]} and of {BEYOND[1]} words: "
            + "; ".join(f"{label} **{v[BEYOND[0]]:.0f}%** and **{v[BEYOND[1]]:.0f}%**" for label, v in beyond.items())
            + ".")


def exact(df: pd.DataFrame, label: str, bucket: str) -> float:
    """The exact match % of model `label` in `bucket`, NaN when the table has no such row."""
    row = df[(df["model"] == label) & (df["bucket"] == bucket)]
    return float(row["exact match %"].iloc[0]) if len(row) else float("nan")


def exact_by(df: pd.DataFrame, labels, buckets) -> dict[str, dict[str, float]]:
    """`exact(df, label, bucket)` for every label and bucket, from one pass over the table (NaN where it has no
    row): the page asks for 24 of them on every run, and 24 boolean filters of a data frame cost 10-30 ms."""
    values = {(m, b): float(v) for m, b, v in zip(df["model"], df["bucket"], df["exact match %"])}
    return {m: {b: values.get((m, b), float("nan")) for b in buckets} for m in labels}


def bahdanau_table() -> pd.DataFrame:
    """Bahdanau et al. (2014), table 1: BLEU on WMT'14 English-French, with the source of every row."""
    return pd.read_csv(paths.DATA / "bahdanau2014_bleu.csv")


# ------------------------------------------------------------------------------------------ sequential cost
@single_thread
@torch.inference_mode()
def time_sequential_vs_parallel(lengths: list[int], dim: int = 64, repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    """Time a GRU encoder (which must take the positions one after another) against one self-attention layer
    (which handles all positions in one matrix product), on random inputs of each length, batch of one.
    Returns length, milliseconds (best of `repeats`), the number of sequential steps each needs and the
    multiply-adds each does (self-attention does more arithmetic, but all of it at once)."""
    torch.manual_seed(seed)
    gru = torch.nn.GRU(dim, dim, batch_first=True)
    qkv, proj = torch.nn.Linear(dim, 3 * dim), torch.nn.Linear(dim, dim)

    def self_attention(x):  # x: 1, L, C
        q, k, v = qkv(x).chunk(3, dim=-1)
        return proj(F.scaled_dot_product_attention(q, k, v))

    def gru_steps(x):  # the loop written out: step t needs the state of step t-1
        h = torch.zeros(1, 1, dim)
        for t in range(x.shape[1]):
            _out, h = gru(x[:, t:t + 1], h)
        return h

    rows = []
    timed = {}  # one core for both (see the decorator), so that the comparison is about the algorithm
    for n in lengths:
        x = torch.randn(1, n, dim)
        timings = {}
        for label, fn in (("RNN (one step at a time)", gru_steps),
                          ("self-attention (all at once)", self_attention)):
            fn(x)  # warm up
            runs = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn(x)
                runs.append(1000 * (time.perf_counter() - t0))
            timings[label] = float(min(runs))  # best of: the least disturbed by other work on the machine
        timed[n] = timings
    for n, timings in timed.items():
        for label, ms in timings.items():
            rnn = label.startswith("RNN")
            rows.append({"length": n, "layer": label, "ms": ms, "sequential steps": n if rnn else 1,
                         # GRU: 3 gates x (input + recurrent) matrices per step; attention: q, k, v and output
                         # projections plus the n x n scores and the weighted sum of values
                         "multiply-adds": n * 6 * dim * dim if rnn else 4 * n * dim * dim + 2 * n * n * dim})
    return pd.DataFrame(rows)



def timing_of(lengths: tuple[int, ...], run: int) -> tuple[pd.DataFrame, object]:
    """The timings (a fresh measurement for every `run`) and their chart, measured once for both."""
    times = time_sequential_vs_parallel(list(lengths))
    return times, sc.timing(times).properties(title="Time to process one sequence", height=380)


def timing_tables(times: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sequential steps, multiply-adds) by length, one column per layer under a short name."""
    short = {RNN_COL: "RNN", ATT_COL: "self-attention"}
    steps = times.pivot(index="length", columns="layer", values="sequential steps").reset_index()
    work = times.pivot(index="length", columns="layer", values="multiply-adds").reset_index()
    return steps.rename(columns=short), work.rename(columns=short)


@dataclass(frozen=True)
class Timing:
    """The longest timed length: milliseconds and multiply-adds of each layer."""
    length: int
    rnn_ms: float
    att_ms: float
    rnn_madds: float
    att_madds: float


def timing_summary(times: pd.DataFrame) -> Timing:
    last = times[times["length"] == times["length"].max()].set_index("layer")
    return Timing(length=int(times["length"].max()), rnn_ms=float(last.loc[RNN_COL, "ms"]),
                  att_ms=float(last.loc[ATT_COL, "ms"]), rnn_madds=float(last.loc[RNN_COL, "multiply-adds"]),
                  att_madds=float(last.loc[ATT_COL, "multiply-adds"]))


# ------------------------------------------------------------------------------------------ what to notice
def mistakes(out: list[str], ref: list[str]) -> list[tuple[str, str]]:
    """(written, the grammar's word) at every position where they differ; a missing word is written as "-"."""
    return [(out[i] if i < len(out) else "-", ref[i] if i < len(ref) else "-")
            for i in range(max(len(out), len(ref))) if i >= len(out) or i >= len(ref) or out[i] != ref[i]]


@dataclass
class Numbers:
    """Everything the notices are written from (plain numbers, so that tests can make them by hand)."""
    model: str  # the label of the model shown in section 1
    n_words: int
    hidden: int  # the size of its bridge vector
    names: dict[str, str]  # registry name -> label, for ALL
    exact: dict[str, dict[str, float]]  # label -> length bucket -> exact match % (the chart's numbers)
    bucket_sizes: dict[str, int]  # length bucket -> sentences the chart's numbers were measured on
    source: str  # where the chart's numbers come from
    timing: Timing
    beyond: dict[str, dict[str, float]]  # label -> BEYOND range -> exact match % (lengths never trained on)
    rights: dict[str, tuple[int, int]] | None = None  # label -> (words right, of) on this sentence, if it has a
    errors: dict[str, list[tuple[str, str]]] | None = None  # reference: label -> mistakes(out, reference)


def length_warning(n_words: int, beyond: dict[str, dict[str, float]], attn: str) -> str | None:
    """Said next to a typed sentence longer than any in training: how the models do at such lengths."""
    if n_words <= TRAINED_UP_TO:
        return None
    b = beyond_bucket(n_words)
    return (f"This sentence has {n_words} words; no training sentence had more than {TRAINED_UP_TO}. At {b} words "
            f"the {attn} model gets {beyond.get(attn, {}).get(b, float('nan')):.0f}% of {BEYOND_N} such sentences "
            f"exactly right (section 3): a model is only as good as the lengths it saw.")


def notices(n: Numbers) -> list[str]:
    """The page's "What to notice", from the numbers."""
    a, s, w = (n.names[m] for m in ("seq2seq_attn", "seq2seq_small", "seq2seq_wide"))
    first, mid, last = tr.BUCKETS[0], tr.BUCKETS[2], tr.BUCKETS[-1]

    def ex(label, bucket):
        return n.exact.get(label, {}).get(bucket, float("nan"))

    out = [f"The decoder of the {n.model} model sees the {n.n_words}-word sentence only through "
           f"**{n.hidden} numbers**; the vector has the same size for 3 words or 35."]
    if n.rights is not None:
        r = {label: f"{got}/{of}" for label, (got, of) in n.rights.items()}
        out.append(f"On this sentence: {s} gets **{r[s]}** words right, {w} **{r[w]}**, {a} **{r[a]}** (extra or "
                   f"missing words count as wrong).")
        bucket = tr.length_bucket(n.n_words)
        for label, (got, of) in n.rights.items():
            score = ex(label, bucket)
            if got < of and score >= 90:  # the chart's high figure is not every sentence
                wrong = "; ".join(f"*{x}* for *{y}*" for x, y in (n.errors or {}).get(label, [])[:3])
                out.append(f"The chart says **{score:.0f}%** exact for {label} at {bucket} words, yet it gets this "
                           f"sentence wrong" + (f" ({wrong})" if wrong else "") + ": the figure is measured on "
                           f"{n.bucket_sizes.get(bucket, 0)} held-out sentences, and a high score is not a "
                           f"promise about any one sentence.")
    out.append(
        f"On held-out sentences ({n.source}), exact match from {first} words to {last} words: "
        f"{s} **{ex(s, first):.0f}% \u2192 {ex(s, last):.0f}%**; "
        f"{w} {ex(w, first):.0f}% \u2192 {ex(w, last):.0f}%; "
        f"{a} **{ex(a, first):.0f}% \u2192 {ex(a, last):.0f}%**. "
        + (f"Twice the width helps on medium lengths ({mid} words: {ex(w, mid):.0f}% against "
           f"{ex(s, mid):.0f}%) " if ex(w, mid) > ex(s, mid) + 5 else
           f"Twice the width barely helps ({mid} words: {ex(w, mid):.0f}% against {ex(s, mid):.0f}%) ")
        + ("but only attention removes the drop: Bahdanau's finding, reproduced."
           if ex(a, last) >= ex(a, first) - 10 and ex(s, last) < ex(s, first) - 30 else
           "; on this sample the gap between the models is smaller than in Bahdanau's figure."))
    near, far = (n.beyond.get(a, {}).get(b, float("nan")) for b in BEYOND)
    if far < ex(a, last) - 20:
        out.append(f"No training sentence had more than {TRAINED_UP_TO} words. Beyond that, even attention, at "
                   f"{ex(a, last):.0f}% up to {TRAINED_UP_TO} words, falls to **{near:.0f}%** exact at {BEYOND[0]} "
                   f"words and **{far:.0f}%** at {BEYOND[1]} ({BEYOND_N} sentences each): a model is only as good "
                   f"as the lengths it saw.")
    else:
        out.append(f"Beyond the {TRAINED_UP_TO} words of the longest training sentence, attention still gets "
                   f"{near:.0f}% exact at {BEYOND[0]} words and {far:.0f}% at {BEYOND[1]} ({BEYOND_N} sentences "
                   f"each): on these lengths it generalises.")
    t = n.timing
    ratio = t.rnn_ms / t.att_ms if t.att_ms > 0 else float("inf")
    out.append(
        f"At {t.length} positions the RNN needs **{t.length} steps one after another** and took {t.rnn_ms:.1f} ms "
        f"here; self-attention needs **1 step** and took {t.att_ms:.1f} ms "
        + (f"({ratio:.1f}x faster)" + (", although it does more arithmetic. " if t.att_madds > t.rnn_madds else ". ")
           if ratio >= 1 else
           f"({1 / ratio:.1f}x slower: on this small CPU its extra arithmetic, {t.att_madds:.1e} multiply-adds "
           f"against {t.rnn_madds:.1e}, costs more than the chain). ")
        + "What differs is what more hardware can do: a GPU does all of self-attention's independent products at "
          "once, while the RNN's steps must wait for each other however many cores there are.")
    out.append("The one step is for reading a sequence that is already there (the input, or training on known "
               "text). Generating is still one token at a time for a Transformer too: each new word needs one more "
               f"pass, so writing {t.length} tokens takes {t.length} passes one after another.")
    return out
