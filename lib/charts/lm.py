"""Charts for the language-model pages (sampling, post-training, Transformer). Builders take DataFrames and arrays,
never models, and raise ValueError when columns are missing."""
from __future__ import annotations

import math

import altair as alt
import pandas as pd
from altair.utils.core import sanitize_pandas_dataframe

from lib.charts import PALETTE, finished_spec  # noqa: F401 - pages use lmcharts.finished_spec


# Streamlit fits the whole chart (title, axes, legend) into the given height, so the larger projector fonts need
# more room around the plot: every builder takes `projector` and sizes itself.
def _extra(projector: bool) -> int:
    return 150 if projector else 90


def _need(df: pd.DataFrame, cols: set[str], who: str) -> None:
    if missing := cols - set(df.columns):
        raise ValueError(f"{who}: missing columns {sorted(missing)} (have {list(df.columns)})")


MODEL_SERIES = "model's own probability (T = 1)"
CUT_SERIES = "cut by top-k / top-p"
USED_SERIES = "what the sampler draws from"


_BAR_TEMPLATES: dict[tuple, dict] = {}


def next_token_spec(df: pd.DataFrame, title: str, projector: bool = False) -> dict:
    """The finished spec of `next_token_bars(df).properties(title=title)`, fast: building and validating the Altair
    chart costs 30-40 ms, so a spec is built once per set of row labels and later calls only swap in the new numbers
    and title (a slider move changes the probabilities, rarely the rows)."""
    data = _bars_data(df)
    key = (tuple(data["label"]), projector)
    template = _BAR_TEMPLATES.get(key)
    if template is None:
        if len(_BAR_TEMPLATES) > 256:
            _BAR_TEMPLATES.clear()
        template = _BAR_TEMPLATES[key] = finished_spec(next_token_bars(df, projector=projector), projector)
    spec = dict(template)
    (name,) = template["datasets"].keys()
    spec["datasets"] = {name: data.to_dict("records")}
    spec["title"] = title
    return spec


def records(df: pd.DataFrame) -> list[dict]:
    """`df`'s rows as JSON-ready dicts, what Altair's `sanitize_pandas_dataframe(df).to_dict("records")` gives for
    frames of text, integer, float and boolean columns (a missing value becomes None), about 15x faster (1.2 ms a
    frame: it ran for two charts on every new set of samples). Any other column type goes through Altair's own."""
    cols = {}
    for c in df.columns:
        kind, values = df[c].dtype.kind, df[c].tolist()
        if kind in "iub":
            cols[str(c)] = values
        elif kind == "f":
            cols[str(c)] = [None if math.isnan(x) or math.isinf(x) else x for x in values]
        elif kind in "OU" and all(x is None or isinstance(x, str) for x in values):
            cols[str(c)] = values
        else:  # dates, categories, pandas' NA, mixed objects
            return sanitize_pandas_dataframe(df).to_dict("records")
    return [dict(zip(cols, row)) for row in zip(*cols.values())] if cols else [{} for _ in range(len(df))]


def _refilled(key: tuple, build, df: pd.DataFrame, title: str, projector: bool) -> dict:
    """A copy of the finished spec `build()` made once for `key`, with `df`'s rows and `title` swapped in (the
    single-dataset charts below: their Altair build is the same for every sample set of one shape)."""
    template = _BAR_TEMPLATES.get(key)
    if template is None:
        if len(_BAR_TEMPLATES) > 256:
            _BAR_TEMPLATES.clear()
        template = _BAR_TEMPLATES[key] = finished_spec(build(), projector)
    spec = dict(template)
    (name,) = template["datasets"].keys()
    spec["datasets"] = {name: records(df)}
    spec["title"] = title
    return spec


def answer_share_spec(df: pd.DataFrame, title: str, projector: bool = False) -> dict:
    """The finished spec of `answer_share_bars(df).properties(title=title)`, fast (10-30 ms less on every new set of
    samples: the chart is built once per number of rows)."""
    _need(df, {"answer", "count", "share"}, "answer_share_bars")
    return _refilled(("share", len(df), projector), lambda: answer_share_bars(df, projector=projector), df, title,
                     projector)


def entropy_spec(df: pd.DataFrame, title: str, projector: bool = False) -> dict:
    """The finished spec of `entropy_curve(df).properties(title=title)`, fast: built once, the y range set from the
    data as entropy_curve sets it."""
    _need(df, {"step", "entropy_bits"}, "entropy_curve")
    spec = _refilled(("entropy", projector), lambda: entropy_curve(df, projector=projector), df, title, projector)
    y = spec["encoding"]["y"]
    spec["encoding"] = {**spec["encoding"], "y": {**y, "scale": {**y["scale"], "domain": [0, _entropy_top(df)]}}}
    return spec


def _entropy_top(df: pd.DataFrame) -> float:
    return max(1.0, float(df["entropy_bits"].max()) if len(df) else 1.0)


def _bars_data(df: pd.DataFrame) -> pd.DataFrame:
    _need(df, {"token", "model_probability", "probability", "status"}, "next_token_bars")
    data = df.reset_index(drop=True).copy()
    labels, seen = [], set()
    for t, s in zip(data["token"], data["status"]):
        label = f"{t}  (cut)" if s == "cut" else str(t)
        while label in seen:  # two ids can decode to the same text: keep every row
            label += "\u200b"
        seen.add(label)
        labels.append(label)
    data["label"] = labels
    data["model_series"] = [CUT_SERIES if s == "cut" else MODEL_SERIES for s in data["status"]]
    data["used_series"] = USED_SERIES
    return data


def next_token_bars(df: pd.DataFrame, *, projector: bool = False) -> alt.LayerChart:
    """One row per token: a wide light bar for the model's own probability (T = 1, nothing cut; grey when top-k /
    top-p cut the token) and a narrow dark bar inside it for the probability the sampler really uses. The legend
    names the three colours. Needs columns token, model_probability, probability, status."""
    data = _bars_data(df)
    labels = list(data["label"])
    scale = alt.Scale(domain=[MODEL_SERIES, USED_SERIES, CUT_SERIES], range=["#a9c4e8", "#0b3c7d", "#cccccc"])
    legend = alt.Legend(orient="bottom", columns=1, labelLimit=420)  # one column: fits a phone
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=300))
    tooltip = [alt.Tooltip("token:N"), alt.Tooltip("model_probability:Q", title="model (T=1)", format=".4f"),
               alt.Tooltip("probability:Q", title="sampler", format=".4f"), alt.Tooltip("status:N")]
    model = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("model_probability:Q", title="probability", axis=alt.Axis(format="%", tickCount=5)),
        tooltip=tooltip,
        color=alt.Color("model_series:N", scale=scale, title=None, legend=legend))
    used = alt.Chart(data).mark_bar(height={"band": 0.4}).encode(
        y=y, x="probability:Q", tooltip=tooltip,
        color=alt.Color("used_series:N", scale=scale, title=None, legend=legend))
    extra = 60 if projector else 30
    return alt.layer(model, used).properties(height=(30 if projector else 22) * len(data) + _extra(projector) + extra)


def entropy_curve(df: pd.DataFrame, *, projector: bool = False) -> alt.Chart:
    """Mean entropy (bits) of the sampling distribution at each generated token. Needs columns step, entropy_bits."""
    _need(df, {"step", "entropy_bits"}, "entropy_curve")
    top = _entropy_top(df)
    return alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=80), strokeWidth=3, color=PALETTE[0]).encode(
        x=alt.X("step:Q", title="generated token", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("entropy_bits:Q", title="entropy (bits)", scale=alt.Scale(domain=[0, top], nice=True),
                axis=alt.Axis(format=".1f")),
        tooltip=["step:Q", alt.Tooltip("entropy_bits:Q", format=".3f")],
    ).properties(height=(300 if projector else 220) + _extra(projector))


def answer_share_bars(df: pd.DataFrame, *, projector: bool = False) -> alt.Chart:
    """Distinct answers among the samples and how often each came up. Needs columns answer, count, share."""
    _need(df, {"answer", "count", "share"}, "answer_share_bars")
    return alt.Chart(df).mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("answer:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420)),
        x=alt.X("count:Q", title="samples", axis=alt.Axis(tickMinStep=1)),
        tooltip=["answer:N", "count:Q", alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=(34 if projector else 24) * len(df) + _extra(projector))


def rate_by_temperature(df: pd.DataFrame, *, projector: bool = False) -> alt.Chart:
    """Hallucination rate against temperature, one line per checkpoint. Needs columns checkpoint, temperature,
    hallucination_rate."""
    _need(df, {"checkpoint", "temperature", "hallucination_rate"}, "rate_by_temperature")
    return alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=90), strokeWidth=3).encode(
        x=alt.X("temperature:Q", title="temperature"),
        y=alt.Y("hallucination_rate:Q", title="names a capital", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        color=alt.Color("checkpoint:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["checkpoint:N", "temperature:Q", alt.Tooltip("hallucination_rate:Q", format=".0%")],
    ).properties(height=260 + _extra(projector))


def training_curves(history: pd.DataFrame, metrics: list[str], title_map: dict[str, str] | None = None, *,
                    y_title: str | None = None, y_format: str | None = None, projector: bool = False) -> alt.Chart:
    """Per-step training metrics (long format is built here), the legend naming each metric by `title_map`. Put only
    metrics of one unit on one chart, and name that unit with `y_title` (a rate: y_format="%", axis 0 to 1). Needs a
    step column and the metric columns."""
    _need(history, {"step", *metrics}, "training_curves")
    title_map = title_map or {}
    long = history.melt(id_vars=["step"], value_vars=metrics, var_name="metric", value_name="value")
    long["metric"] = long["metric"].map(lambda m: title_map.get(m, m))
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=y_format) if y_format else alt.Axis(),
              scale=alt.Scale(domain=[0, 1]) if y_format == "%" else alt.Scale())
    return alt.Chart(long).mark_line(strokeWidth=3).encode(
        x=alt.X("step:Q", title="step"), y=y,
        color=alt.Color("metric:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=["metric:N", "step:Q", alt.Tooltip("value:Q", format=".3f")],
    ).properties(height=220 + _extra(projector))


# "SFT (demonstrations)" as two lines, name over parenthesis: three such labels side by side overlap on a phone
_TWO_LINES = ("indexof(datum.label, ' (') > 0 ? [substring(datum.label, 0, indexof(datum.label, ' (')), "
              "substring(datum.label, indexof(datum.label, ' (') + 1)] : datum.label")


def grouped_rates(df: pd.DataFrame, x: str, y: str, group: str, *, y_title: str = "",
                  horizontal: bool = False, projector: bool = False) -> alt.Chart:
    """Bars of a rate (0..1) for each x, side by side per group (e.g. before / after, per checkpoint), in data order.
    horizontal=True puts the categories on the y axis (for long category names)."""
    _need(df, {x, y, group}, "grouped_rates")
    value = alt.Y(f"{y}:Q", title=y_title or y, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    color = alt.Color(f"{group}:N", title=None, sort=None, legend=alt.Legend(orient="bottom"))
    tooltip = [f"{x}:N", f"{group}:N", alt.Tooltip(f"{y}:Q", format=".0%")]
    if horizontal:
        return alt.Chart(df).mark_bar().encode(
            y=alt.Y(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
            yOffset=alt.YOffset(f"{group}:N", sort=None),
            x=alt.X(f"{y}:Q", title=y_title or y, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=color, tooltip=tooltip,
        ).properties(height=(64 if projector else 44) * df[x].nunique() + _extra(projector))
    return alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{x}:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=300, labelExpr=_TWO_LINES)),
        xOffset=alt.XOffset(f"{group}:N", sort=None), y=value, color=color, tooltip=tooltip,
    ).properties(height=240 + _extra(projector))


def attention_heatmap(weights, tokens: list[str], *, cell: int = 22, title: str = "", value_title: str = "weight",
                      scheme: str = "blues", domain: tuple[float, float] | None = (0, 1), legend: bool = False,
                      projector: bool = False) -> alt.Chart:
    """A T x T attention map (row: query token, column: key token). NaN cells (the causal mask) are left blank.
    Token labels may repeat; they are drawn by position, the x labels slanted so long tokens stay readable."""
    import json

    import numpy as np

    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(f"attention_heatmap needs a square T x T array, got shape {w.shape}")
    if len(tokens) != w.shape[0]:
        raise ValueError(f"attention_heatmap: {len(tokens)} tokens for a {w.shape[0]} x {w.shape[0]} map")
    T = w.shape[0]
    rows, cols = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    df = pd.DataFrame({"query": rows.ravel(), "key": cols.ravel(), "weight": w.ravel()}).dropna()
    labels = json.dumps([str(t) for t in tokens])
    df["query_token"] = [tokens[i] for i in df["query"]]
    df["key_token"] = [tokens[i] for i in df["key"]]
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("key:O", title=None, axis=alt.Axis(labelExpr=f"{labels}[datum.value]", labelAngle=-60,
                                                    orient="bottom")),
        y=alt.Y("query:O", title=None, axis=alt.Axis(labelExpr=f"{labels}[datum.value]")),
        color=alt.Color("weight:Q", title=value_title,
                        scale=alt.Scale(scheme=scheme, domain=list(domain)) if domain else alt.Scale(scheme=scheme),
                        legend=alt.Legend() if legend else None),
        tooltip=[alt.Tooltip("query_token:N", title="query"), alt.Tooltip("key_token:N", title="key"),
                 alt.Tooltip("weight:Q", title=value_title, format=".3f")],
    ).properties(width=cell * T, height=cell * T + _extra(projector) + 40, title=title)
