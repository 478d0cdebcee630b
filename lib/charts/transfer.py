"""Charts for the transfer-learning page. Builders take DataFrames, never models, and raise ValueError when columns
are missing."""
from __future__ import annotations

import altair as alt
import pandas as pd

METHOD_ORDER = ["pre-trained + fine-tuned", "from scratch", "frozen linear probe"]
METHOD_COLOURS = ["#1f5aa6", "#d1495b", "#edae49"]
NS = [16, 32, 64, 128, 256, 512, 1024]


def _need(df: pd.DataFrame, cols: set[str], who: str) -> None:
    if missing := cols - set(df.columns):
        raise ValueError(f"{who}: missing columns {sorted(missing)} (have {list(df.columns)})")


def accuracy_curve(curve: pd.DataFrame, runs: pd.DataFrame | None = None, *, test_set: str,
                   projector: bool = False) -> alt.LayerChart:
    """Test accuracy against the number of labels (log axis): the precomputed means as lines, the user's runs as
    larger open circles on top. One test set per chart."""
    need = {"method", "N", "test set", "accuracy"}
    _need(curve, need, "accuracy_curve")
    c = curve[curve["test set"] == test_set]
    color = alt.Color("method:N", title=None, scale=alt.Scale(domain=METHOD_ORDER, range=METHOD_COLOURS),
                      legend=alt.Legend(orient="bottom", columns=1 if projector else 2))
    x = alt.X("N:Q", title="labelled examples N (log scale)", scale=alt.Scale(type="log", domain=[12, 1400]),
              axis=alt.Axis(values=NS, format="d"))
    y = alt.Y("accuracy:Q", title="test accuracy", scale=alt.Scale(domain=[0.45, 1.0], clamp=True),
              axis=alt.Axis(format="%"))
    lines = alt.Chart(c).mark_line(point=True, strokeWidth=3).encode(
        x=x, y=y, color=color,
        tooltip=["method:N", "N:Q", alt.Tooltip("accuracy:Q", format=".1%"), "source:N"])
    layers = [lines]
    if runs is not None and len(runs):
        _need(runs, need | {"seed"}, "accuracy_curve (runs)")
        r = runs[runs["test set"] == test_set]
        layers.append(alt.Chart(r).mark_point(size=260 if projector else 160, strokeWidth=3, filled=False).encode(
            x=x, y=y, color=color, shape=alt.value("circle"),
            tooltip=["method:N", "N:Q", "seed:Q", alt.Tooltip("accuracy:Q", format=".1%")]))
    chance = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[4, 4], color="#888").encode(
        y=alt.Y("y:Q", scale=alt.Scale(domain=[0.45, 1.0])))
    return alt.layer(chance, *layers).properties(
        title=f"Test: {test_set}", height=360 if projector else 300)


def bpc_curves(df: pd.DataFrame, *, steps: int, projector: bool = False) -> alt.Chart:
    """Held-out bits per character against training steps, one line per model."""
    _need(df, {"step", "model", "heldout_bpc"}, "bpc_curves")
    return alt.Chart(df).mark_line(point=True, strokeWidth=3).encode(
        x=alt.X("step:Q", title="training steps on your text", scale=alt.Scale(domain=[0, steps])),
        y=alt.Y("heldout_bpc:Q", title="held-out bits per character", scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", title=None, scale=alt.Scale(
            domain=["pre-trained, fine-tuned", "fresh, same steps"], range=METHOD_COLOURS[:2]),
            legend=alt.Legend(orient="bottom")),
        tooltip=["model:N", "step:Q", alt.Tooltip("heldout_bpc:Q", format=".2f", title="bits per char")],
    ).properties(height=340 if projector else 280)
