"""Charts for the Model size page: training tokens over time, tokens per parameter against Chinchilla's 20, and the
parameter timeline with the user's model drawn in. DataFrames in, unconfigured Altair charts out."""
from __future__ import annotations

import math
from typing import Sequence

import altair as alt
import pandas as pd

from lib import charts
from lib.charts import _SI_EXPR


# models whose label goes left of the dot on the tokens chart, so that neighbours do not overlap
LABEL_LEFT = ("Chinchilla", "Llama 3.1")


def _need(df: pd.DataFrame, cols: set[str], who: str) -> None:
    if missing := cols - set(df.columns):
        raise ValueError(f"{who}: missing columns {sorted(missing)} (have {list(df.columns)})")


def params_with_user_model(timeline: pd.DataFrame, user_params: float | None, user_label: str = "your model",
                           *, projector: bool = False) -> alt.LayerChart:
    """The timeline of key models (parameters, log scale) with a dashed line at the calculator's model."""
    chart = charts.timeline(timeline, projector=projector)
    if user_params is None or user_params <= 0:
        return chart
    rule_df = pd.DataFrame({"parameters": [float(user_params)], "label": [user_label]})
    # the y scale must reach the user's model, however small or large, or its line is drawn outside the plot
    known = timeline["parameters"].dropna().astype(float)
    lo = 10 ** math.floor(math.log10(min(known.min(), user_params)))
    hi = 10 ** math.ceil(math.log10(max(known.max(), user_params)))
    y = alt.Y("parameters:Q", scale=alt.Scale(type="log", domain=[lo, hi], nice=False))
    rule = alt.Chart(rule_df).mark_rule(strokeDash=[6, 4], color="#d1495b", strokeWidth=2).encode(
        y=y, tooltip=["label:N"])
    text = alt.Chart(rule_df).mark_text(align="left", baseline="bottom", dy=-4, color="#d1495b").encode(
        y=y, x=alt.value(6), text="label:N")
    # one flat layer (a layer inside a layer makes Altair merge selection parameters, slowly, on every rerun)
    flat = alt.layer(*chart.layer, rule, text).properties(height=chart.height)
    flat.params = chart.params  # the legend selection and the shared data live on the outer layer: keep them
    flat.data = chart.data
    return flat


def tokens_over_time(df: pd.DataFrame, *, projector: bool = False) -> alt.LayerChart:
    """Training tokens of each model with a known count, by release date (log scale)."""
    _need(df, {"model", "date", "training_tokens"}, "tokens_over_time")
    data = df.dropna(subset=["training_tokens"]).copy()
    data["date"] = pd.to_datetime(data["date"])
    data["tokens"] = [f"{v / 1e12:.3g} T" if v >= 1e12 else f"{v / 1e9:.3g} B" for v in data["training_tokens"]]
    lo = 10 ** math.floor(math.log10(data["training_tokens"].min()))
    hi = 10 ** math.ceil(math.log10(data["training_tokens"].max()))
    hi = 0.3 * hi if data["training_tokens"].max() <= 0.3 * hi else hi
    ticks = [v for d in range(round(math.log10(lo)), round(math.log10(hi)) + 1) for v in (10 ** d, 3 * 10 ** d)
             if lo <= v <= hi]
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="release date", axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("training_tokens:Q", scale=alt.Scale(type="log", domain=[lo, hi], nice=False),
                title="training tokens (log scale)", axis=alt.Axis(labelExpr=_SI_EXPR, values=ticks)))
    dots = base.mark_circle(size=380 if projector else 200, color="#00798c").encode(
        tooltip=["model:N", alt.Tooltip("date:T", format="%b %Y"), alt.Tooltip("tokens:N", title="training tokens")])
    left = data["model"].isin(LABEL_LEFT)
    enc = dict(x=base.encoding.x, y=base.encoding.y, text="model:N")
    right_labels = alt.Chart(data[~left]).mark_text(align="left", dx=10, dy=-4).encode(**enc)
    left_labels = alt.Chart(data[left]).mark_text(align="right", dx=-10, dy=-4).encode(**enc)
    return alt.layer(dots, right_labels, left_labels).properties(height=380 if projector else 320)


def tokens_per_parameter(df: pd.DataFrame, *, projector: bool = False) -> alt.LayerChart:
    """Bars of training tokens per parameter, with Chinchilla's compute-optimal 20 drawn as a line.
    Columns: model, tokens_per_parameter."""
    _need(df, {"model", "tokens_per_parameter"}, "tokens_per_parameter")
    order = list(df["model"])
    bars = alt.Chart(df).mark_bar(color="#1f5aa6").encode(
        y=alt.Y("model:N", sort=order, title=None),
        x=alt.X("tokens_per_parameter:Q", title="training tokens per parameter"),
        tooltip=["model:N", alt.Tooltip("tokens_per_parameter:Q", format=".1f")])
    rule_df = pd.DataFrame({"x": [20.0], "label": ["Chinchilla: about 20"]})
    rule = alt.Chart(rule_df).mark_rule(color="#d1495b", strokeDash=[6, 4], strokeWidth=2).encode(x="x:Q")
    text = alt.Chart(rule_df).mark_text(align="left", dx=5, dy=-6, color="#d1495b").encode(
        x="x:Q", y=alt.value(0), text="label:N")
    return alt.layer(bars, rule, text).properties(height=alt.Step(30 if projector else 24))


def breakdown(parts: Sequence[tuple[str, int]]) -> alt.Chart:
    """Horizontal bars of where a model's parameters are, one bar per part, SI labels on the axis."""
    if not parts:
        raise ValueError("breakdown: no parts")
    chart = charts.bars([k for k, _ in parts], [v for _, v in parts], value_title="parameters", fmt=",.0f")
    chart = chart.encode(x=alt.X("value:Q", title="parameters", axis=alt.Axis(labelExpr=_SI_EXPR, tickCount=4)))
    return chart.properties(title="Where the parameters are", height=alt.Step(30))
