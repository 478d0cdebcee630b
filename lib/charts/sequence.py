"""Charts for the RNN, seq2seq and attention pages. Like lib.charts, they take arrays and labels (never models),
raise ValueError on shape mismatches, and leave fonts to lib.charts.style (applied by ui.chart)."""
from __future__ import annotations

import functools
import json
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd

from lib.charts import PALETTE, VALIDATE, _check_len, style


def index_axis(labels: Sequence[str], title: str | None = None, labelAngle: int = 0, **kwargs) -> alt.Axis:
    """An axis over positions 0..n-1 that shows `labels` (words may repeat, so positions, not words, are the data)."""
    return alt.Axis(labelExpr=f"{json.dumps([str(x) for x in labels])}[datum.value]", title=title,
                    labelAngle=labelAngle, **kwargs)

HIGHLIGHT = "#d1495b"
TRUE_ALIGN = "#edae49"


@functools.lru_cache(maxsize=2)
def house_config(projector: bool) -> dict:
    """The `config` block that lib.charts.style gives every chart, for specs written as plain dicts."""
    probe = alt.Chart(pd.DataFrame({"x": [0]})).mark_point().encode(x="x:Q")
    return style(probe, projector).to_dict()["config"]


def attention_map(weights: np.ndarray, src: Sequence[str], tgt: Sequence[str], *,
                  true_align: Sequence[int] | None = None, crossing: Sequence[int] | None = None,
                  annotate: bool = True, cell: int = 34, projector: bool = False) -> dict:
    """Target words (rows) by source words (columns), weights in colour and tooltips, as a Vega-Lite spec in the
    house style. `true_align[j]` marks the grammar's aligned source word of row j with a gold diamond (-1: none);
    rows listed in `crossing` (adjective-noun swaps) get their true cell outlined in gold. Add the current step
    with `with_row_outline`.

    Written as a plain dict rather than with Altair objects: it is rebuilt for every new sentence, and building
    and validating the Altair version took about 60 ms, this takes about 1."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"attention_map needs a 2-D array, got shape {w.shape}")
    n_rows, n_cols = w.shape
    _check_len("target words", tgt, n_rows)
    _check_len("source words", src, n_cols)
    src, tgt = [str(x) for x in src], [str(x) for x in tgt]
    values = [{"row": i, "col": j, "weight": float(w[i, j]), "target": tgt[i], "source": src[j]}
              for i in range(n_rows) for j in range(n_cols)]

    def axis(labels, title, **extra):
        return {"labelExpr": f"{json.dumps(labels)}[datum.value]", "title": title, **extra}

    layers: list[dict] = [{
        "mark": {"type": "rect"},
        "encoding": {
            "color": {"field": "weight", "type": "quantitative", "title": "attention",
                      "scale": {"scheme": "blues", "domain": [0, 1]}},
            "tooltip": [{"field": "target", "type": "nominal", "title": "output word"},
                        {"field": "source", "type": "nominal", "title": "source word"},
                        {"field": "weight", "type": "quantitative", "format": ".2f"}]}}]
    if annotate:
        layers.append({
            # two decimals as everywhere on the pages, without the leading 0 so that it fits a cell: ".96", "1.00"
            "transform": [{"filter": "datum.weight >= 0.1"},
                          {"calculate": "substring(format(datum.weight, '.2f'), datum.weight < 0.995 ? 1 : 0)",
                           "as": "label"}],
            "mark": {"type": "text", "fontSize": max(8, min(round(cell * 0.33), 14))},
            "encoding": {"text": {"field": "label", "type": "nominal"},
                         "color": {"condition": {"test": "datum.weight > 0.5", "value": "white"},
                                   "value": "black"}}})
    if true_align is not None:
        _check_len("true_align", true_align, n_rows)
        truth = [{"row": i, "col": int(c)} for i, c in enumerate(true_align) if c is not None and c >= 0]
        if crossing:
            rows = set(crossing)
            layers.append({"data": {"values": [t for t in truth if t["row"] in rows]},
                           "mark": {"type": "rect", "fill": None, "stroke": TRUE_ALIGN, "strokeWidth": 4}})
        layers.append({"data": {"values": truth},
                       "mark": {"type": "point", "shape": "diamond", "size": 45, "filled": True,
                                "color": TRUE_ALIGN, "opacity": 1, "xOffset": -cell / 2 + 7,
                                "yOffset": -cell / 2 + 7, "stroke": "black", "strokeWidth": 0.5}})
    return {
        "data": {"values": values},
        "encoding": {  # shared by every layer
            "x": {"field": "col", "type": "ordinal",
                  "axis": axis(src, "source (English)", orient="top", labelAngle=-40)},
            "y": {"field": "row", "type": "ordinal", "axis": axis(tgt, "output (Spanish)", labelAngle=0)}},
        "layer": layers,
        "width": max(cell * n_cols, 160), "height": max(cell * n_rows, 80),
        "config": house_config(projector),
    }


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
        box = pd.DataFrame({"step": [step]})  # a rect with only x set spans the full height
        layers.append(alt.Chart(box).mark_rect(fill=None, stroke="black", strokeWidth=3).encode(x=alt.X("step:O")))
    return alt.layer(*layers).properties(height=height)


def unrolled(chars: Sequence[str], predictions: Sequence[str], probs: Sequence[float], *, step: int,
             window: int = 9, cell_label: str = "RNN", projector: bool = False) -> str:
    """The network unrolled in time around `step`, as an SVG string: one box per step (the same cell, copied), the
    input character below it, its top next-character prediction above it, and the hidden state passed along as
    arrows. Steps already read are blue, the current one red, the ones ahead grey. (SVG, not Altair: it is a
    diagram, and it is redrawn at every step, so it must be cheap.)"""
    import html

    n = len(chars)
    _check_len("predictions", predictions, n)
    _check_len("probs", probs, n)
    if not 0 <= step < n:
        raise ValueError(f"step={step} is outside 0..{n - 1}")
    lo = max(0, min(step - window // 2, n - window))
    hi = min(n, lo + window)
    box_w, gap, box_h = 84, 34, 58
    width = (hi - lo) * (box_w + gap) + gap
    font = 26 if projector else 20
    y_box = 48
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 215" width="100%" '
             f'style="max-width:{width * (1.4 if projector else 1.1):.0f}px" role="img" '
             f'aria-label="{html.escape(cell_label)} unrolled in time, step {step + 1} of {n}">',
             '<defs><marker id="arr" markerWidth="12" markerHeight="12" refX="10" refY="6" orient="auto" '
             'markerUnits="userSpaceOnUse"><path d="M0,0 L12,6 L0,12 z" fill="#333"/></marker></defs>',
             '<g font-family="Source Sans Pro, Helvetica, Arial, sans-serif">']
    if lo > 0:
        parts.append(f'<text x="4" y="{y_box + box_h / 2 + 6}" font-size="{font}" fill="#888">…</text>')
    for k, t in enumerate(range(lo, hi)):
        x = gap + k * (box_w + gap)
        colour = HIGHLIGHT if t == step else (PALETTE[0] if t < step else "#c9d3e0")
        ink = "white" if t <= step else "#333"
        parts.append(f'<rect x="{x}" y="{y_box}" width="{box_w}" height="{box_h}" rx="8" fill="{colour}" '
                     f'stroke="black" stroke-width="1.5"/>')
        parts.append(f'<text x="{x + box_w / 2}" y="{y_box + box_h / 2 + 5}" text-anchor="middle" '
                     f'font-size="{font - 6}" font-weight="bold" fill="{ink}">{html.escape(cell_label)}</text>')
        parts.append(f'<text x="{x + box_w / 2}" y="{y_box - 14}" text-anchor="middle" font-size="{font - 4}" '
                     f'fill="{"#222" if t <= step else "#aaa"}">→ {html.escape(str(predictions[t]))} '
                     f'{float(probs[t]):.0%}</text>')
        parts.append(f'<text x="{x + box_w / 2}" y="{y_box + box_h + 52}" text-anchor="middle" font-size="{font + 6}" '
                     f'font-weight="bold" font-family="monospace">{html.escape(str(chars[t]))}</text>')
        parts.append(f'<text x="{x + box_w / 2}" y="{y_box + box_h + 78}" text-anchor="middle" '
                     f'font-size="{font - 6}" fill="#555">t={t + 1}</text>')
        parts.append(f'<line x1="{x + box_w / 2}" y1="{y_box + box_h + 24}" x2="{x + box_w / 2}" '
                     f'y2="{y_box + box_h + 2}" stroke="#333" stroke-width="2" marker-end="url(#arr)"/>')
        if t + 1 < hi:
            parts.append(f'<line x1="{x + box_w}" y1="{y_box + box_h / 2}" x2="{x + box_w + gap - 3}" '
                         f'y2="{y_box + box_h / 2}" stroke="#333" stroke-width="3" marker-end="url(#arr)"/>')
            parts.append(f'<text x="{x + box_w + gap / 2 - 2}" y="{y_box + box_h / 2 - 8}" text-anchor="middle" '
                         f'font-size="{font - 4}" font-style="italic" fill="#333">h</text>')
    if hi < n:
        parts.append(f'<text x="{width - 18}" y="{y_box + box_h / 2 + 6}" font-size="{font}" fill="#888">…</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def gradient_curves(table: pd.DataFrame, boundaries: Sequence[int] = (), *, points: bool = True,
                    title: str = "gradient (relative, log)") -> alt.LayerChart | alt.Chart:
    """Relative gradient norm against steps back, one line per cell, on a log scale, with a dashed grey rule at
    each sentence end (`boundaries`, in steps back). Needs columns cell, steps back, relative to last, char."""
    from lib.charts import curves

    missing = {"cell", "steps back", "relative to last", "char"} - set(table.columns)
    if missing:
        raise ValueError(f"gradient_curves: missing columns {sorted(missing)}")
    data = table[table["relative to last"] > 0]  # a log scale cannot show an underflowed 0
    lines = curves(data, "steps back", "relative to last", "cell", x_title="steps back from the last character",
                   y_title=title, log_y=True, points=points, fmt=".2e").encode(
        y=alt.Y("relative to last:Q", title=title, scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
        color=alt.Color("cell:N", title=None, legend=alt.Legend(orient="bottom")))
    if not len(boundaries):
        return lines
    rules = alt.Chart(pd.DataFrame({"steps back": list(boundaries), "what": "sentence end"})).mark_rule(
        strokeDash=[6, 4], color="#777", strokeWidth=2).encode(
        x="steps back:Q", tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("steps back:Q")])
    return alt.layer(lines, rules)


def to_spec(chart) -> dict:
    """A finished chart as a Vega-Lite dict, without Altair's 5,000-row limit (st.altair_chart has none either;
    a 120-character text makes a 7,680-cell state map)."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict(validate=VALIDATE)


def with_step_outline(spec: dict, step: int, n_steps: int) -> dict:
    """A copy of a finished state_map spec (from .to_dict()) with step `step` outlined in black: the map is built
    once per text, each step adds one small layer."""
    if "layer" not in spec:
        raise ValueError("with_step_outline needs a layered spec")
    if not 0 <= step < n_steps:
        raise ValueError(f"step={step} is outside 0..{n_steps - 1}")
    out = dict(spec)
    out["layer"] = [*spec["layer"], {"data": {"values": [{"step": step}]},
                                     "mark": {"type": "rect", "fill": None, "stroke": "black", "strokeWidth": 3},
                                     "encoding": {"x": {"field": "step", "type": "ordinal"}}}]
    return out


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
        tooltip=["word:N", alt.Tooltip("weight:Q", format=".2f")]).properties(height=180)


def timing(df: pd.DataFrame) -> alt.Chart:
    """Milliseconds against sequence length (one line per layer, log scale), lengths as evenly spaced categories.
    Needs columns length, layer, ms."""
    missing = {"length", "layer", "ms"} - set(df.columns)
    if missing:
        raise ValueError(f"timing: missing columns {sorted(missing)}")
    return alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=120), strokeWidth=4).encode(
        x=alt.X("length:O", title="sequence length (positions)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("ms:Q", scale=alt.Scale(type="log"), title="milliseconds (best of 5, log scale)"),
        color=alt.Color("layer:N", title=None, legend=alt.Legend(orient="top-left", fillColor="white", padding=6)),
        tooltip=["layer:N", "length:O", alt.Tooltip("ms:Q", format=".2f")])


def with_row_outline(spec: dict, row: int, n_rows: int, n_cols: int, *, color: str = HIGHLIGHT) -> dict:
    """A copy of a finished Vega-Lite spec (a layered rows x cols map on `row` / `col`, e.g. attention_map's)
    with one row outlined. Working on the spec, not on Altair objects, makes moving
    the step cheap: the map is built and validated once, each step adds one small layer."""
    if "layer" not in spec:
        raise ValueError("with_row_outline needs a layered spec")
    if not 0 <= row < n_rows:
        raise ValueError(f"row={row} is outside 0..{n_rows - 1}")
    layer = {"data": {"values": [{"row": row, "col": c} for c in range(n_cols)]},
             "mark": {"type": "rect", "fill": None, "stroke": color, "strokeWidth": 3}}
    if not {"x", "y"} <= set(spec.get("encoding", {})):
        # no shared encoding: reuse a layer's own x / y channels (with their word labels), since a layer with
        # other axis settings would replace the shared axes
        first = next((lay["encoding"] for lay in spec["layer"] if {"x", "y"} <= set(lay.get("encoding", {}))),
                     None)
        if first is None:
            raise ValueError("with_row_outline needs a spec that encodes x and y")
        layer["encoding"] = {"x": dict(first["x"]), "y": dict(first["y"])}
    out = dict(spec)
    out["layer"] = [*spec["layer"], layer]
    return out
