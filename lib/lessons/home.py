"""Home: from machine learning to foundation models. What the home page computes from the timeline of key models
(assets/data/model_timeline.csv): the two models it compares, how fast parameter counts grew, tokens per parameter,
and the "What to notice" sentences. Pandas and Altair only: the home page must open without torch."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib import charts
from lib.data.tables import load_timeline, tokens_per_parameter


def timeline() -> pd.DataFrame:
    return load_timeline()


def families() -> list[str]:
    """The architecture families the chart can draw (those with at least one parameter count)."""
    return sorted(timeline().dropna(subset=["parameters"])["family"].unique())


def sized_models() -> list[str]:
    return list(timeline().dropna(subset=["parameters"])["model"])


def timeline_chart(families: tuple[str, ...], projector: bool) -> dict:
    """The timeline chart for these families, as a finished Vega-Lite dict."""
    return charts.finished_spec(charts.timeline(timeline(), families=families, projector=projector), projector)


TRANSFORMER = "Transformer"


def road_to_the_transformer() -> pd.DataFrame:
    """The models up to and including the Transformer (the recurrent era the lecture starts with), sized or not."""
    df = timeline()
    when = df.loc[df["model"] == TRANSFORMER, "date"]
    return df[df["date"] <= when.iloc[0]] if len(when) else df.iloc[0:0]


def milestones_chart(projector: bool) -> dict:
    """The road to the Transformer as a time line, a finished Vega-Lite dict."""
    return charts.finished_spec(charts.milestones(road_to_the_transformer(), projector=projector)
                                .properties(title="Before the Transformer: the recurrent era"), projector)


# ------------------------------------------------------------------------------------------------ two models
@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    params_a: float
    params_b: float
    date_a: str    # "Jun 2018"
    date_b: str
    months: int    # from a's release to b's (negative when b came first)

    @property
    def ratio(self) -> float:
        return self.params_b / self.params_a


def compare(a: str, b: str) -> Comparison:
    sized = timeline().dropna(subset=["parameters"]).set_index("model")
    ra, rb = sized.loc[a], sized.loc[b]
    months = (rb["date"].year - ra["date"].year) * 12 + (rb["date"].month - ra["date"].month)
    return Comparison(a, b, float(ra["parameters"]), float(rb["parameters"]), ra["date"].strftime("%b %Y"),
                      rb["date"].strftime("%b %Y"), int(months))


# ------------------------------------------------------------------------------------------------ growth
@dataclass(frozen=True)
class Growth:
    first: str
    last: str
    ratio: float            # parameters of the largest model / parameters of the first dated one
    years: float
    doubling_months: float  # from a least-squares fit of log2(parameters) on time
    per_year: float         # multiplicative growth per year from the same fit


def parameter_growth(df: pd.DataFrame) -> Growth:
    """How fast parameter counts grew across the models in `df` (rows without a count are ignored)."""
    d = df.dropna(subset=["parameters"]).sort_values("date")
    if len(d) < 2:
        raise ValueError("need at least two models with a parameter count")
    years = (d["date"] - d["date"].iloc[0]).dt.days.to_numpy() / 365.25
    slope, _ = np.polyfit(years, np.log2(d["parameters"].to_numpy(dtype=float)), 1)
    biggest = d.loc[d["parameters"].idxmax()]
    first = d.iloc[0]
    return Growth(first=first["model"], last=biggest["model"],
                  ratio=float(biggest["parameters"] / first["parameters"]),
                  years=float((biggest["date"] - first["date"]).days / 365.25),
                  doubling_months=12.0 / slope if slope > 0 else math.inf,
                  per_year=float(2.0 ** slope))


@dataclass(frozen=True)
class Summary:
    """Everything "What to notice" needs besides the comparison: growth, tokens per parameter, unsized models."""
    growth: Growth
    tokens_per_parameter: tuple[tuple[str, float], ...]   # (model, tokens per parameter), by date
    unsized: tuple[str, ...]


def summary() -> Summary:
    df = timeline()
    tpp = tokens_per_parameter(df)
    return Summary(parameter_growth(df), tuple(zip(tpp["model"], tpp["tokens_per_parameter"].astype(float))),
                   tuple(df[df["parameters"].isna()]["model"]))


def human(n: float) -> str:
    """1.5e9 -> '1.5 B', 2e12 -> '2 T'."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            v = n / size
            return f"{v:,.0f} {unit}" if v >= 100 else f"{v:.3g} {unit}"
    return f"{n:.3g}"


def times(r: float) -> str:
    """A ratio as people say it: 1496.3 -> '1,496x', 2.914 -> '2.91x'."""
    return f"{r:,.0f}x" if r >= 100 else f"{r:.3g}x"


def _names(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------------------------------- what to notice
def notices(c: Comparison, s: Summary) -> list[str]:
    """The home page's "What to notice", each sentence from a condition on the numbers."""
    out = []
    if c.a == c.b:
        out.append(f"You are comparing **{c.a}** with itself: pick two different models to see how much they differ.")
    else:
        when = ("in the same month" if c.months == 0 else
                f"{abs(c.months)} month{'s' if abs(c.months) != 1 else ''} {'later' if c.months > 0 else 'earlier'}")
        if c.params_a == c.params_b:
            out.append(f"**{c.b}** has as many parameters as **{c.a}** ({human(c.params_a)}), released {when}.")
        elif c.params_b > c.params_a:
            out.append(f"**{c.b}** has **{times(c.ratio)}** the parameters of **{c.a}**, released {when}.")
        else:
            out.append(f"**{c.b}** has **{times(1 / c.ratio)}** fewer parameters than **{c.a}**, released {when}: "
                       f"bigger is not always newer.")
    g = s.growth
    if math.isfinite(g.doubling_months):
        out.append(f"From {g.first} to {g.last} ({g.years:.1f} years) the largest model grew **{g.ratio:,.0f}x**. "
                   f"A straight-line fit on the log scale gives about **{g.per_year:.1f}x per year**, a doubling "
                   f"every **{g.doubling_months:.0f} months**.")
    else:
        out.append(f"From {g.first} to {g.last} parameter counts did not grow on a straight-line fit.")
    if len(s.tokens_per_parameter) >= 2:
        first, v0 = s.tokens_per_parameter[0]
        most, vmax = max(s.tokens_per_parameter, key=lambda kv: kv[1])
        shown = [(m, v) for m, v in s.tokens_per_parameter if m in (first, "Chinchilla", most)]
        listed = _names([f"{m} **{v:.1f}**" if v < 10 else f"{m} **{v:.0f}**" for m, v in shown])
        if vmax > 2 * v0:
            out.append(f"Data grew faster than parameters: training tokens per parameter went from {listed} "
                       f"(Chinchilla's compute-optimal rule is about 20).")
        else:
            out.append(f"Training tokens per parameter did not rise: {listed} "
                       f"(Chinchilla's compute-optimal rule is about 20).")
    if s.unsized:
        out.append(f"{_names(s.unsized)} {'has' if len(s.unsized) == 1 else 'have'} no parameter count in our "
                   f"sources, so {'it is' if len(s.unsized) == 1 else 'they are'} in the table but not on the size chart.")
    return out
