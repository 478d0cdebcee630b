"""Charts for the RNN, seq2seq and attention pages. Like lib.charts, they take arrays and labels (never models),
raise ValueError on shape mismatches, and leave fonts to lib.charts.style (applied by ui.chart)."""
from __future__ import annotations

import json
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd

from lib.charts import PALETTE, _check_len


def index_axis(labels: Sequence[str], title: str | None = None, labelAngle: int = 0, **kwargs) -> alt.Axis:
    """An axis over positions 0..n-1 that shows `labels` (words may repeat, so positions, not words, are the data)."""
    return alt.Axis(labelExpr=f"{json.dumps([str(x) for x in labels])}[datum.value]", title=title,
                    labelAngle=labelAngle, **kwargs)

HIGHLIGHT = "#d1495b"
TRUE_ALIGN = "#edae49"


def attention_map(weights: np.ndarray, src: Sequence[str], tgt: Sequence[str], *, step: int | None = None,
                  true_align: Sequence[int] | None = None, crossing: Sequence[int] | None = None,
                  annotate: bool = True, cell: int = 34) -> alt.LayerChart:
    """Target words (rows) by source words (columns), weights in colour and tooltips. `step` outlines that row
    (the current decoding step); `true_align[j]` marks the grammar's aligned source word of row j with a dot;
    rows listed in `crossing` (adjective-noun swaps) get their true cell outlined in gold."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"attention_map needs a 2-D array, got shape {w.shape}")
    _check_len("target words", tgt, w.shape[0])
    _check_len("source words", src, w.shape[1])
    rows, cols = np.meshgrid(np.arange(w.shape[0]), np.arange(w.shape[1]), indexing="ij")
    df = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "weight": w.ravel(),
                       "target": np.asarray([str(t) for t in tgt])[rows.ravel()],
                       "source": np.asarray([str(s) for s in src])[cols.ravel()]})
    base = alt.Chart(df).encode(
        x=alt.X("col:O", axis=index_axis(src, "source (English)", orient="top", labelAngle=-40)),
        y=alt.Y("row:O", axis=index_axis(tgt, "output (Spanish)")))
    layers = [base.mark_rect().encode(
        color=alt.Color("weight:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="attention"),
        tooltip=[alt.Tooltip("target:N", title="output word"), alt.Tooltip("source:N", title="source word"),
                 alt.Tooltip("weight:Q", format=".3f")])]
    if annotate:
        layers.append(base.transform_filter(alt.datum.weight >= 0.1).mark_text(fontSize=11).encode(
            text=alt.Text("weight:Q", format=".1f"),
            color=alt.condition(alt.datum.weight > 0.5, alt.value("white"), alt.value("black"))))
    if true_align is not None:
        _check_len("true_align", true_align, w.shape[0])
        truth = pd.DataFrame({"row": range(len(true_align)), "col": list(true_align)})
        truth = truth[truth["col"] >= 0]  # rows with no aligned word (the end marker) get no mark
        if crossing:
            cross = truth[truth["row"].isin(list(crossing))]
            layers.append(alt.Chart(cross).mark_rect(fill=None, stroke=TRUE_ALIGN, strokeWidth=4).encode(
                x="col:O", y="row:O"))
        layers.append(alt.Chart(truth).mark_point(shape="diamond", size=40, filled=True, color=TRUE_ALIGN,
                                                  opacity=0.9).encode(x="col:O", y="row:O"))
    if step is not None:
        if not 0 <= step < w.shape[0]:
            raise ValueError(f"step={step} is outside 0..{w.shape[0] - 1}")
        sub = df[df["row"] == step]
        layers.append(alt.Chart(sub).mark_rect(fill=None, stroke=HIGHLIGHT, strokeWidth=3).encode(
            x="col:O", y="row:O"))
    return alt.layer(*layers).properties(width=max(cell * w.shape[1], 160), height=max(cell * w.shape[0], 80))


def state_map(states: np.ndarray, step_labels: Sequence[str], *, step: int | None = None,
              height: int = 300, value_title: str = "activation") -> alt.LayerChart:
    """A hidden-state heatmap: units (rows) by time steps (columns), diverging colours around 0, the current
    step outlined. `states` is (T, H), one row per step, as the models return it."""
    s = np.asarray(states, dtype=float)
    if s.ndim != 2:
        raise ValueError(f"state_map needs a (steps, units) array, got shape {s.shape}")
    _check_len("step labels", step_labels, s.shape[0])
    steps, units = np.meshgrid(np.arange(s.shape[0]), np.arange(s.shape[1]), indexing="ij")
    df = pd.DataFrame({"step": steps.ravel(), "unit": units.ravel(), "value": s.ravel(),
                       "char": np.asarray([str(c) for c in step_labels])[steps.ravel()]})
    lim = float(np.abs(s).max()) or 1.0
    base = alt.Chart(df).encode(
        x=alt.X("step:O", axis=index_axis(step_labels, "time step (input character)")),
        y=alt.Y("unit:O", title=f"hidden unit (1-{s.shape[1]})", axis=alt.Axis(labels=False, ticks=False)))
    layers = [base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domain=[-lim, lim], reverse=True),
                        title=value_title),
        tooltip=[alt.Tooltip("step:O"), alt.Tooltip("char:N", title="input"), alt.Tooltip("unit:O"),
                 alt.Tooltip("value:Q", format=".3f")])]
    if step is not None:
        if not 0 <= step < s.shape[0]:
            raise ValueError(f"step={step} is outside 0..{s.shape[0] - 1}")
        box = pd.DataFrame({"step": [step]})
        layers.append(alt.Chart(box).mark_rect(fill=None, stroke="black", strokeWidth=3).encode(
            x=alt.X("step:O"), y=alt.value(0), y2=alt.value(height)))
    return alt.layer(*layers).properties(height=height)


def unrolled(chars: Sequence[str], predictions: Sequence[str], probs: Sequence[float], *, step: int,
             window: int = 9, cell_label: str = "RNN") -> alt.LayerChart:
    """The network unrolled in time around `step`: one box per step (the same cell, copied), the input character
    below it, its top next-character prediction above it, and the hidden state passed along as arrows."""
    n = len(chars)
    _check_len("predictions", predictions, n)
    _check_len("probs", probs, n)
    if not 0 <= step < n:
        raise ValueError(f"step={step} is outside 0..{n - 1}")
    lo = max(0, min(step - window // 2, n - window))
    hi = min(n, lo + window)
    idx = list(range(lo, hi))
    df = pd.DataFrame({"x": idx, "t": [f"t={t}" for t in idx], "char": [chars[t] for t in idx],
                       "pred": [predictions[t] for t in idx], "p": [float(probs[t]) for t in idx],
                       "current": [t == step for t in idx], "past": [t <= step for t in idx],
                       "status": ["now" if t == step else "read" if t < step else "ahead" for t in idx]})
    xs = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[lo - 0.7, lo + window - 0.3]))
    base = alt.Chart(df).encode(x=xs)
    boxes = base.mark_rect(width=62, height=54, cornerRadius=6, stroke="black", strokeWidth=1.5).encode(
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1.6, 1.6])),
        color=alt.Color("status:N", legend=None,
                        scale=alt.Scale(domain=["now", "read", "ahead"], range=[HIGHLIGHT, PALETTE[0], "#c9d3e0"])),
        tooltip=[alt.Tooltip("t:N", title="step"), alt.Tooltip("char:N", title="input"),
                 alt.Tooltip("pred:N", title="predicts next"), alt.Tooltip("p:Q", format=".2f")],
    ).transform_calculate(y="0")
    label = base.mark_text(color="white", fontWeight="bold").encode(
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.6, 1.6])), text=alt.value(cell_label)).transform_calculate(y="0")
    inputs = base.mark_text(fontSize=22, fontWeight="bold").encode(
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.6, 1.6])), text="char:N").transform_calculate(y="-1.15")
    preds = base.mark_text(fontSize=18, color="#444").encode(
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.6, 1.6])), text="lbl:N",
        opacity=alt.condition(alt.datum.past, alt.value(1.0), alt.value(0.35))).transform_calculate(
        y="1.2", lbl="'\u2192 ' + datum.pred + ' ' + format(datum.p, '.0%')")
    arrows_df = df.iloc[:-1].assign(x2=df["x"].iloc[1:].to_numpy())
    arrows = alt.Chart(arrows_df).mark_rule(strokeWidth=3, color="#333").encode(
        x=alt.X("xa:Q", scale=alt.Scale(domain=[lo - 0.7, lo + window - 0.3])), x2="xb:Q",
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.6, 1.6]))).transform_calculate(
        xa="datum.x + 0.33", xb="datum.x2 - 0.33", y="0")
    heads = alt.Chart(arrows_df).mark_point(shape="triangle-right", size=90, filled=True, color="#333").encode(
        x=alt.X("xb:Q", scale=alt.Scale(domain=[lo - 0.7, lo + window - 0.3])),
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-1.6, 1.6]))).transform_calculate(xb="datum.x2 - 0.36", y="0")
    return alt.layer(arrows, heads, boxes, label, inputs, preds).properties(height=200)


def accuracy_by_length(df: pd.DataFrame, value: str = "exact match %", *, order: Sequence[str]) -> alt.Chart:
    """Accuracy per source-length bucket, one line per model. Needs columns model, bucket, `value`, n."""
    missing = {"model", "bucket", value, "n"} - set(df.columns)
    if missing:
        raise ValueError(f"accuracy_by_length: missing columns {sorted(missing)}")
    return alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=120), strokeWidth=4).encode(
        x=alt.X("bucket:N", sort=list(order), title="source sentence length (words)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{value}:Q", scale=alt.Scale(domain=[0, 100]), title=value),
        color=alt.Color("model:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["model:N", "bucket:N", alt.Tooltip(f"{value}:Q", format=".1f"), "n:Q"])


def weights_bars(weights: Sequence[float], src: Sequence[str], *, true_index: int | None = None) -> alt.Chart:
    """One decoding step's attention weights over the source words, the true aligned word in gold."""
    _check_len("source words", src, len(weights))
    df = pd.DataFrame({"pos": range(len(src)), "word": [str(s) for s in src], "weight": [float(w) for w in weights],
                       "true": [i == true_index for i in range(len(src))]})
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("pos:O", axis=index_axis(src, None, labelAngle=-40)),
        y=alt.Y("weight:Q", scale=alt.Scale(domain=[0, 1]), title="attention weight"),
        color=alt.condition(alt.datum.true, alt.value(TRUE_ALIGN), alt.value(PALETTE[0])),
        tooltip=["word:N", alt.Tooltip("weight:Q", format=".3f")]).properties(height=180)
