"""Home: from machine learning to foundation models. What the home page computes from the timeline of key models
(assets/data/model_timeline.csv): the two models it compares, how fast parameter counts grew, tokens per parameter,
and the "What to notice" sentences.

The home page is a new visitor's first page, so it opens on the standard library alone: the numbers come from the
CSV's rows (`models()`), its two default charts from specs stored by `python -m lib.lessons.home`
(assets/data/home_charts.json, lib.specs). Pandas and Altair are imported only to build a chart the file does not
hold (another choice of families) and by the other pages that want the timeline as a DataFrame (`timeline()`).
Never torch."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from lib import specs
from lib.data.tables import TimelineRow as Model
from lib.data.tables import timeline_rows, tokens_per_parameter_pairs

if TYPE_CHECKING:
    import pandas as pd


def models() -> tuple[Model, ...]:
    """The timeline's rows by date (lib.data.tables.timeline_rows: no pandas)."""
    return timeline_rows()


def sized() -> tuple[Model, ...]:
    return tuple(m for m in models() if m.parameters is not None)


def timeline() -> "pd.DataFrame":
    """The timeline as a DataFrame (for the charts and the other pages; imports pandas)."""
    from lib.data.tables import load_timeline

    return load_timeline()


def families() -> list[str]:
    """The architecture families the chart can draw (those with at least one parameter count)."""
    return sorted({m.family for m in sized()})


def sized_models() -> list[str]:
    return [m.model for m in sized()]


def _spec_key(chart: str, projector: bool, families: Sequence[str] = ()) -> str:
    return f"{chart}/{'projector' if projector else 'screen'}" + (f"/{','.join(families)}" if families else "")


def build_timeline_chart(families: tuple[str, ...], projector: bool) -> dict:
    """The timeline chart for these families, built with Altair (imports pandas and Altair)."""
    from lib import charts

    return specs.inline_data(charts.finished_spec(
        charts.timeline(timeline(), families=families, projector=projector), projector))


def timeline_chart(families: tuple[str, ...], projector: bool) -> dict:
    """The timeline chart for these families, as a finished Vega-Lite dict: stored for the default (every family),
    built for any other choice."""
    hit = specs.stored(_spec_key("timeline", projector, families))
    return hit if hit is not None else build_timeline_chart(families, projector)


TRANSFORMER = "Transformer"


def road_to_the_transformer() -> "pd.DataFrame":
    """The models up to and including the Transformer (the recurrent era the lecture starts with), sized or not."""
    df = timeline()
    when = df.loc[df["model"] == TRANSFORMER, "date"]
    return df[df["date"] <= when.iloc[0]] if len(when) else df.iloc[0:0]


def build_milestones_chart(projector: bool) -> dict:
    from lib import charts

    return specs.inline_data(charts.finished_spec(
        charts.milestones(road_to_the_transformer(), projector=projector)
        .properties(title="Before the Transformer: the recurrent era"), projector))


def milestones_chart(projector: bool) -> dict:
    """The road to the Transformer as a time line, a finished Vega-Lite dict (stored; built when the file lacks it)."""
    hit = specs.stored(_spec_key("milestones", projector))
    return hit if hit is not None else build_milestones_chart(projector)


def stored_specs() -> dict[str, dict]:
    """Every spec assets/data/home_charts.json holds, built afresh: the default timeline and the milestones, on a
    screen and on the projector."""
    every = tuple(families())
    return {**{_spec_key("timeline", p, every): build_timeline_chart(every, p) for p in (False, True)},
            **{_spec_key("milestones", p): build_milestones_chart(p) for p in (False, True)}}


def write_specs(path=specs.HOME_CHARTS) -> None:
    import json

    path.write_text(json.dumps(stored_specs(), indent=None, separators=(",", ":"), sort_keys=True) + "\n",
                    encoding="utf-8")


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
    by_name = {m.model: m for m in sized()}
    ra, rb = by_name[a], by_name[b]
    months = (rb.date.year - ra.date.year) * 12 + (rb.date.month - ra.date.month)
    return Comparison(a, b, float(ra.parameters), float(rb.parameters), ra.date.strftime("%b %Y"),
                      rb.date.strftime("%b %Y"), int(months))


# ------------------------------------------------------------------------------------------------ growth
@dataclass(frozen=True)
class Growth:
    first: str
    last: str
    ratio: float            # parameters of the largest model / parameters of the first dated one
    years: float
    doubling_months: float  # from a least-squares fit of log2(parameters) on time
    per_year: float         # multiplicative growth per year from the same fit


def parameter_growth(rows: Sequence[Model]) -> Growth:
    """How fast parameter counts grew across these models (rows without a count are ignored): a least-squares line
    through log2(parameters) against years since the first."""
    d = sorted((m for m in rows if m.parameters is not None), key=lambda m: m.date)
    if len(d) < 2:
        raise ValueError("need at least two models with a parameter count")
    xs = [(m.date - d[0].date).days / 365.25 for m in d]
    ys = [math.log2(m.parameters) for m in d]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    biggest = max(d, key=lambda m: m.parameters)  # the first of equals, as idxmax
    first = d[0]
    return Growth(first=first.model, last=biggest.model, ratio=float(biggest.parameters / first.parameters),
                  years=float((biggest.date - first.date).days / 365.25),
                  doubling_months=12.0 / slope if slope > 0 else math.inf, per_year=float(2.0 ** slope))


@dataclass(frozen=True)
class Summary:
    """Everything "What to notice" needs besides the comparison: growth, tokens per parameter, unsized models."""
    growth: Growth
    tokens_per_parameter: tuple[tuple[str, float], ...]   # (model, tokens per parameter), by date
    unsized: tuple[str, ...]


def summary() -> Summary:
    rows = models()
    return Summary(parameter_growth(rows), tokens_per_parameter_pairs(rows),
                   tuple(m.model for m in rows if m.parameters is None))


def table_markdown() -> str:
    """The data behind the timeline, with sources, as a markdown table (no DataFrame: the home page stays light)."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| model | date | parameters | family | training data | source |", "|---|---|---|---|---|---|"]
    lines += [f"| {cell(m.model)} | {m.date.strftime('%b %Y')} | {cell(m.parameters_text)} | {cell(m.family)} | "
              f"{cell(m.training_data)} | {cell(m.source)} |" for m in models()]
    return "\n".join(lines)


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


if __name__ == "__main__":  # python -m lib.lessons.home: rewrite the stored chart specs after changing the CSV or a chart
    write_specs()
    print(f"wrote {specs.HOME_CHARTS}")
