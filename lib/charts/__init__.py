"""Altair chart builders. They take arrays, DataFrames and labels (never models) and return charts that are not yet
configured; `style(chart, projector)` applies the one set of fonts and sizes used everywhere (called by ui.chart).
Page-specific builders live beside these: data.py (Training data sources), size.py (Model size), lm.py, sequence.py.
Charts import no lesson, page or streamlit.

Builders raise ValueError with a clear message when shapes do not match their labels.
"""
from __future__ import annotations

import json
import os
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd

NORMAL_FONT = 13
PROJECTOR_FONT = 20  # axis labels, legend labels; titles are larger still
PALETTE = ["#1f5aa6", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#c97b2a"]
HEAT_SCHEME = "blues"


def font_size(projector: bool) -> int:
    return PROJECTOR_FONT if projector else NORMAL_FONT


def style(chart: alt.TopLevelMixin, projector: bool = False) -> alt.TopLevelMixin:
    """The house style: readable fonts (at least 20 px on the projector), no chart border, our palette."""
    size = font_size(projector)
    title_size = size + (6 if projector else 3)
    return (
        chart.configure_axis(labelFontSize=size, titleFontSize=size + 2, labelLimit=260 if projector else 200,
                             titleFontWeight="normal", gridOpacity=0.5)
        .configure_legend(labelFontSize=size, titleFontSize=size + 1, symbolSize=200 if projector else 100,
                          labelLimit=400)
        .configure_title(fontSize=title_size, anchor="start", fontWeight="bold", subtitleFontSize=size)
        .configure_header(labelFontSize=size, titleFontSize=size + 1)
        .configure_text(fontSize=size)
        .configure_range(category=PALETTE)
        .configure_view(strokeWidth=0)
    )


# axis labels in the units people say: 100 M, 1 B, 1 T (Vega's "~s" format would print 1G)
_SI_EXPR = ("datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + ' T' : datum.value >= 1e9 ? "
            "format(datum.value / 1e9, '~g') + ' B' : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' M' : "
            "format(datum.value, '~g')")


# Validating a spec against the Vega-Lite schema is most of the cost of building it (about 35 ms of 50 on the sampling
# page), and a spec that validates once validates every time: the tests switch it on (tests/conftest.py sets
# UFM_VALIDATE_CHARTS=1, which servers started by the tests inherit), the app does not.
VALIDATE = os.environ.get("UFM_VALIDATE_CHARTS", "") == "1"


def finished_spec(chart: alt.TopLevelMixin, projector: bool = False) -> dict:
    """The Vega-Lite dict of a chart as the app draws it: filling its column when it has no width of its own, in the
    house style. Styling (and validating, see VALIDATE) an Altair chart costs 20-60 ms, so lessons return this dict
    for charts that depend only on their inputs and pages cache it with ui.memo; ui.chart draws either a chart or
    such a dict."""
    if getattr(chart, "width", None) is alt.Undefined:  # single and layered charts fill the column
        chart = chart.properties(width="container")
    return style(chart, projector).to_dict(validate=VALIDATE)


def _check_len(name: str, labels: Sequence, n: int) -> None:
    if len(labels) != n:
        raise ValueError(f"{name} has {len(labels)} labels but the data has {n} entries along that axis")


def index_axis(labels: Sequence[str], title: str | None = None, **kwargs) -> alt.Axis:
    """An axis over integer positions 0..n-1 that shows `labels` (which may repeat, like the letters of a word)."""
    expr = f"{json.dumps([str(x) for x in labels])}[datum.value]"
    return alt.Axis(labelExpr=expr, title=title, labelAngle=0, **kwargs)


def heatmap(values: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str], *,
            row_title: str = "", col_title: str = "", value_title: str = "value",
            highlight_col: int | None = None, highlight_row: int | None = None,
            annotate: bool = False, scheme: str = HEAT_SCHEME, domain: tuple[float, float] | None = None,
            cell: int = 28, fmt: str = ".2f") -> alt.LayerChart:
    """A rows x cols heatmap, values in tooltips, an optional highlighted column or row (the current step)."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D array, got shape {values.shape}")
    n_rows, n_cols = values.shape
    _check_len("row_labels", row_labels, n_rows)
    _check_len("col_labels", col_labels, n_cols)
    rows, cols = np.meshgrid(np.arange(n_rows), np.arange(n_cols), indexing="ij")
    df = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": values.ravel(),
                       "row_label": np.asarray([str(r) for r in row_labels])[rows.ravel()],
                       "col_label": np.asarray([str(c) for c in col_labels])[cols.ravel()]})
    scale = alt.Scale(scheme=scheme, domain=list(domain)) if domain else alt.Scale(scheme=scheme)
    base = alt.Chart(df).encode(
        x=alt.X("col:O", axis=index_axis(col_labels, col_title or None, orient="top")),
        y=alt.Y("row:O", axis=index_axis(row_labels, row_title or None)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=scale, title=value_title),
        tooltip=[alt.Tooltip("row_label:N", title=row_title or "row"),
                 alt.Tooltip("col_label:N", title=col_title or "column"),
                 alt.Tooltip("value:Q", title=value_title, format=".3f")],
    )
    layers = [rect]
    if annotate:
        mid = float(np.nanmean(values)) if values.size else 0.0
        layers.append(base.mark_text().encode(
            text=alt.Text("value:Q", format=fmt),
            color=alt.condition(alt.datum.value > mid, alt.value("white"), alt.value("black"))))
    for which, idx, n in (("col", highlight_col, n_cols), ("row", highlight_row, n_rows)):
        if idx is None:
            continue
        if not 0 <= idx < n:
            raise ValueError(f"highlight_{which}={idx} is outside 0..{n - 1}")
        sub = df[df[which] == idx]
        layers.append(alt.Chart(sub).mark_rect(fill=None, stroke="#d1495b", strokeWidth=3).encode(
            x="col:O", y="row:O"))
    # a step per cell rather than a pixel size: small fixed heights collapse band scales in Streamlit 1.67
    return alt.layer(*layers).properties(width=alt.Step(cell), height=alt.Step(cell))


def bars(labels: Sequence[str], values: Sequence[float], *, value_title: str = "probability",
         label_title: str = "", colors: Sequence[str] | None = None, color_title: str = "",
         fmt: str = ".3f", horizontal: bool = True, sort: bool = False, height_per_bar: int = 24,
         domain: tuple[float, float] | None = None) -> alt.Chart:
    """Bars with values in tooltips; `colors` (one category per bar) colours them with a legend."""
    values = list(values)
    _check_len("labels", labels, len(values))
    df = pd.DataFrame({"label": [str(x) for x in labels], "value": values, "order": range(len(values))})
    if colors is not None:
        _check_len("colors", colors, len(values))
        df["group"] = list(colors)
    order = "-x" if (sort and horizontal) else alt.SortField("order")
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    if horizontal:
        enc = dict(y=alt.Y("label:N", sort=order, title=label_title or None),
                   x=alt.X("value:Q", title=value_title, scale=scale))
    else:
        enc = dict(x=alt.X("label:N", sort=order, title=label_title or None, axis=alt.Axis(labelAngle=0)),
                   y=alt.Y("value:Q", title=value_title, scale=scale))
    chart = alt.Chart(df).mark_bar().encode(
        **enc, tooltip=[alt.Tooltip("label:N", title=label_title or "label"),
                        alt.Tooltip("value:Q", title=value_title, format=fmt)])
    if colors is not None:
        chart = chart.encode(color=alt.Color("group:N", title=color_title or None))
    if horizontal:  # a step per bar: a fixed pixel height under ~100 px collapses band scales in Streamlit 1.67
        chart = chart.properties(height=alt.Step(height_per_bar))
    return chart


def curves(df: pd.DataFrame, x: str, y: str, series: str | None = None, *, x_title: str | None = None,
           y_title: str | None = None, log_y: bool = False, log_x: bool = False, points: bool = True,
           y_domain: tuple[float, float] | None = None, fmt: str = ".3f") -> alt.Chart:
    """Lines of y against x, one per value of `series` (long-format DataFrame)."""
    missing = [c for c in (x, y, series) if c and c not in df.columns]
    if missing:
        raise ValueError(f"curves: columns {missing} are not in the data (have {list(df.columns)})")
    yscale = alt.Scale(type="log") if log_y else (alt.Scale(domain=list(y_domain)) if y_domain else alt.Undefined)
    xscale = alt.Scale(type="log") if log_x else alt.Undefined
    tooltip = [alt.Tooltip(f"{x}:Q", title=x_title or x), alt.Tooltip(f"{y}:Q", title=y_title or y, format=fmt)]
    enc = dict(x=alt.X(f"{x}:Q", title=x_title or x, scale=xscale),
               y=alt.Y(f"{y}:Q", title=y_title or y, scale=yscale))
    if series:
        enc["color"] = alt.Color(f"{series}:N", title=None)
        tooltip.insert(0, alt.Tooltip(f"{series}:N"))
    return alt.Chart(df).mark_line(point=points, strokeWidth=3).encode(**enc, tooltip=tooltip)


def timeline(df: pd.DataFrame, *, families: Sequence[str] | None = None, projector: bool = False) -> alt.LayerChart:
    """Key models over time: date on x, parameters on a log scale on y, colour by architecture family, name labels.
    Needs columns model, date, parameters, family, training_data, source. Click a legend entry to focus a family."""
    need = {"model", "date", "parameters", "family", "training_data", "source"}
    if missing := need - set(df.columns):
        raise ValueError(f"timeline: missing columns {sorted(missing)}")
    data = df.dropna(subset=["parameters"]).copy()
    data["date"] = pd.to_datetime(data["date"])
    if families is not None:
        data = data[data["family"].isin(list(families))]
    data = data.sort_values("date").reset_index(drop=True)
    if "label_position" not in data.columns:  # where each name goes (right, left, above, below): set in the CSV
        data["label_position"] = "right"
    first, last = data["date"].min(), data["date"].max()
    x_domain = [(first - pd.Timedelta(days=150)).isoformat(), (last + pd.Timedelta(days=150)).isoformat()]
    top = 10 ** np.ceil(np.log10(data["parameters"].max() * 1.2))
    bottom = 10 ** np.floor(np.log10(data["parameters"].min()))
    decades = [float(10 ** k) for k in range(int(np.log10(bottom)), int(np.log10(top)) + 1)]
    pick = alt.selection_point(fields=["family"], bind="legend")
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="release date", scale=alt.Scale(domain=x_domain),
                # greedy: on a phone (390 px) every other year is dropped instead of the years running together
                axis=alt.Axis(format="%Y", tickCount="year", labelOverlap="greedy",
                              labelSeparation=8)),
        # one grid line per power of ten, so each line up is ten times the one below
        y=alt.Y("parameters:Q", scale=alt.Scale(type="log", domain=[bottom, top]),
                title="parameters (log scale)", axis=alt.Axis(labelExpr=_SI_EXPR, values=decades)),
    )
    dots = base.mark_circle(size=420 if projector else 220, opacity=0.9).encode(
        # one legend column off the projector: two are cut on a phone (390 px)
        color=alt.Color("family:N", title="architecture",
                        legend=alt.Legend(orient="bottom", columns=2 if projector else 1)),
        opacity=alt.condition(pick, alt.value(0.95), alt.value(0.15)),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("date:T", format="%b %Y"),
                 alt.Tooltip("parameters_text:N", title="parameters"), alt.Tooltip("family:N"),
                 alt.Tooltip("training_data:N", title="training data"), alt.Tooltip("source:N")],
    ).add_params(pick)
    gap = 12 if projector else 9
    placements = (("right", "left", gap, 0), ("left", "right", -gap, 0), ("above", "center", 0, -gap - 6),
                  ("below", "center", 0, gap + 6))
    # on a narrow chart (a phone) the names marked phone_label = False in the CSV are left to the tooltip: they
    # would run into their neighbours' (Vega re-evaluates `width` when the chart is resized)
    if "phone_label" in data.columns:
        base = base.transform_filter("width >= 520 || datum.phone_label")
    labels = [base.transform_filter(alt.datum.label_position == where).mark_text(align=align, dx=dx, dy=dy).encode(
        text="model:N", opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)))
        for where, align, dx, dy in placements]
    return alt.layer(dots, *labels).properties(height=460 if projector else 400)


def milestones(df: pd.DataFrame, *, projector: bool = False) -> alt.LayerChart:
    """The models of `df` in date order as evenly spaced stops on one line, each dated above and named below, sized or
    not: the road to the Transformer. (Even spacing, not a time axis: two papers of the same month stay apart and
    seventeen quiet years take no room.) Needs columns model, date, parameters_text, family, training_data, source."""
    need = {"model", "date", "parameters_text", "family", "training_data", "source"}
    if missing := need - set(df.columns):
        raise ValueError(f"milestones: missing columns {sorted(missing)}")
    if df.empty:
        raise ValueError("milestones: no models")
    data = df.copy()
    data["date"] = pd.to_datetime(data["date"])
    data = data.sort_values("date", kind="stable").reset_index(drop=True)
    data["stop"] = range(len(data))
    data["year"] = data["date"].dt.strftime("%b %Y")
    data["zero"], data["up"], data["down"] = 0.0, 0.3, -0.3   # the line, the dates above it, the names below
    x = alt.X("stop:Q", axis=None, scale=alt.Scale(domain=[-0.5, len(data) - 0.5]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-1, 1]))
    line = alt.Chart(pd.DataFrame({"stop": [0, len(data) - 1], "y": [0.0, 0.0]})).mark_line(
        color="#999", strokeWidth=3).encode(x=x, y=y)
    base = alt.Chart(data).encode(x=x)
    dots = base.mark_circle(size=420 if projector else 240, opacity=1, color=PALETTE[0]).encode(
        y=alt.Y("zero:Q", axis=None, scale=alt.Scale(domain=[-1, 1])),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("date:T", format="%b %Y"),
                 alt.Tooltip("parameters_text:N", title="parameters"), alt.Tooltip("family:N"),
                 alt.Tooltip("training_data:N", title="training data"), alt.Tooltip("source:N")],
    )
    # dates above the line, names below it, a word a line (a long name grows downwards, into free space)
    years = base.mark_text(color="#444", baseline="bottom").encode(
        y=alt.Y("up:Q", axis=None, scale=alt.Scale(domain=[-1, 1])), text="year:N")
    names = base.mark_text(fontWeight="bold", baseline="top", lineBreak=" ").encode(
        y=alt.Y("down:Q", axis=None, scale=alt.Scale(domain=[-1, 1])), text="model:N")
    return alt.layer(line, dots, names, years).properties(height=170 if projector else 120)
