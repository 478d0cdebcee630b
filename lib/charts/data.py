"""Charts for the Training data sources page that the generic builders in lib.charts do not cover.
They take DataFrames (never models), return unconfigured Altair charts (ui.chart styles them) and raise ValueError
when a column they need is missing."""
from __future__ import annotations

import altair as alt
import pandas as pd


MEASURES = ("pages", "lines", "words")


# where a language's label sits on the speakers/share chart, so that close neighbours do not overlap:
# (side of the dot, vertical shift in px); languages not listed go right of their dot
LABEL_PLACES = {"German": ("right", -8), "Japanese": ("left", -10), "Russian": ("right", -9), "French": ("right", 8),
                "Spanish": ("below", 0), "Dutch": ("left", 0), "Polish": ("right", 8), "Italian": ("right", -6),
                "Marathi": ("left", -8), "Telugu": ("right", -6), "Gujarati": ("left", -4), "Kannada": ("right", 8),
                "Swahili": ("left", 10), "Punjabi": ("right", 6)}
LABEL_LEFT = tuple(k for k, (side, _) in LABEL_PLACES.items() if side == "left")


def _need(df: pd.DataFrame, cols: set[str], who: str) -> None:
    if missing := cols - set(df.columns):
        raise ValueError(f"{who}: missing columns {sorted(missing)} (have {list(df.columns)})")


def funnel(df: pd.DataFrame, *, projector: bool = False) -> alt.Chart:
    """Pages, lines and words surviving each stage, as a percentage of the raw crawl. `df` has one row per stage
    in order, with columns label, enabled, pages, lines, words (first row: the raw crawl). Rules that are off are
    left out."""
    _need(df, {"label", "enabled", *MEASURES}, "funnel")
    if df.empty:
        raise ValueError("funnel: no stages")
    raw = df.iloc[0]
    rows = []
    for order, (_, r) in enumerate(df.iterrows()):
        if not r["enabled"]:
            continue
        for m in MEASURES:
            base = raw[m] or 1
            rows.append({"stage": r["label"], "order": order, "measure": m, "count": int(r[m]),
                         "percent": 100.0 * r[m] / base})
    long = pd.DataFrame(rows)
    stages = list(dict.fromkeys(long["stage"]))
    bar_h = 12 if projector else 8
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("stage:N", sort=stages, title=None),
        yOffset=alt.YOffset("measure:N", sort=list(MEASURES)),
        x=alt.X("percent:Q", title="% of the raw crawl still there", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=list(range(0, 101, 20)))),
        color=alt.Color("measure:N", sort=list(MEASURES), title="surviving",
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=["stage:N", "measure:N", "count:Q", alt.Tooltip("percent:Q", format=".1f")],
    ).properties(height=alt.Step(bar_h))


def c4_versions(df: pd.DataFrame) -> alt.HConcatChart:
    """Dodge et al.'s table 1: documents and tokens of C4's three versions, side by side."""
    _need(df, {"version", "documents_million", "tokens_billion", "source"}, "c4_versions")
    order = list(df["version"])
    docs = alt.Chart(df).mark_bar().encode(
        y=alt.Y("version:N", sort=order, title=None),
        x=alt.X("documents_million:Q", title="documents (millions)"),
        tooltip=["version:N", "description:N", "documents_million:Q", "source:N"])
    toks = alt.Chart(df).mark_bar(color="#d1495b").encode(
        y=alt.Y("version:N", sort=order, title=None, axis=None),
        x=alt.X("tokens_billion:Q", title="tokens (billions)"),
        tooltip=["version:N", "description:N", "tokens_billion:Q", "source:N"])
    return alt.hconcat(docs.properties(width=220, height=alt.Step(26)),
                       toks.properties(width=220, height=alt.Step(26)))


Y_SCALE = alt.Scale(type="log", domain=[0.001, 100], nice=False)


def languages_vs_speakers(df: pd.DataFrame, *, projector: bool = False) -> alt.LayerChart:
    """Each language's share of Common Crawl against its number of speakers (both log scales), coloured by the
    table it comes from. Columns: language, speakers_million, cc_share_pct, group."""
    _need(df, {"language", "speakers_million", "cc_share_pct", "group"}, "languages_vs_speakers")
    base = alt.Chart(df).encode(
        x=alt.X("speakers_million:Q", scale=alt.Scale(type="log"), title="speakers (millions, log scale)"),
        y=alt.Y("cc_share_pct:Q", scale=Y_SCALE, title="% of Common Crawl (log scale)",
                axis=alt.Axis(format="~g", values=[0.001, 0.01, 0.1, 1, 10, 100])),
    )
    dots = base.mark_circle(size=300 if projector else 140, opacity=0.9).encode(
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=["language:N", "speakers_million:Q", alt.Tooltip("cc_share_pct:Q", format=".4f"), "group:N"])
    places = df["language"].map(lambda lang: LABEL_PLACES.get(lang, ("right", 0)))
    height = 460 if projector else 400
    per_decade = (height - 80) / 5  # pixels per power of ten on the y axis (5 decades, less title and axis)
    scale = 1.6 if projector else 1.0  # larger fonts need the labels further apart
    shift = [p[1] * scale for p in places]
    # labels move up or down by a number of pixels, written as a value on the log scale (yOffset is ignored here)
    data = df.assign(side=[p[0] for p in places],
                     label_y=[v * 10 ** (-px / per_decade) for v, px in zip(df["cc_share_pct"], shift)])
    enc = dict(x=base.encoding.x, y=alt.Y("label_y:Q", scale=Y_SCALE), text="language:N")
    gap = 12 if projector else 9
    right_labels = alt.Chart(data[data["side"] == "right"]).mark_text(align="left", dx=gap, dy=-3).encode(**enc)
    left_labels = alt.Chart(data[data["side"] == "left"]).mark_text(align="right", dx=-gap, dy=-3).encode(**enc)
    below = alt.Chart(data[data["side"] == "below"]).mark_text(align="center", dy=gap + 8).encode(**enc)
    return alt.layer(dots, right_labels, left_labels, below).properties(height=height)


def token_ratios(df: pd.DataFrame, *, value_col: str = "ratio_to_english",
                 title: str = "tokens relative to English", color: bool = True) -> alt.LayerChart:
    """Horizontal bars of tokens relative to English (a rule marks 1x), coloured Latin script / other scripts when
    `color`.
    Columns: language, `value_col` (and script when coloured)."""
    _need(df, {"language", value_col} | ({"script"} if color else set()), "token_ratios")
    order = list(df.sort_values(value_col)["language"])
    if color:
        df = df.assign(alphabet=df["script"].map(lambda s: "Latin script" if s == "Latin" else "other scripts"))
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("language:N", sort=order, title=None),
        x=alt.X(f"{value_col}:Q", title=title),
        tooltip=[c for c in ("language", "script", "tokens", "characters", "utf8_bytes", value_col)
                 if c in df.columns])
    if color:
        bars = bars.encode(color=alt.Color("alphabet:N", title=None))
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 3], color="black").encode(x="x:Q")
    return alt.layer(bars, one).properties(height=alt.Step(22))
