"""The home page's lesson: the comparison, growth, tokens per parameter, and every branch of notices()."""
import datetime
import json
import math

import numpy as np
import pandas as pd

from lib import specs
from lib.data.tables import load_timeline, tokens_per_parameter
from lib.lessons import home as L


def test_growth_and_tokens_per_parameter():
    df = load_timeline()
    g = L.parameter_growth(L.models())
    first = df.dropna(subset=["parameters"]).iloc[0]
    assert g.first == first["model"] and g.last == "DeepSeek-V3"
    assert round(g.ratio) == round(671e9 / first["parameters"])
    assert 2 < g.per_year < 5
    tpp = tokens_per_parameter(df).set_index("model")["tokens_per_parameter"]
    assert tpp["Chinchilla"] == 20 and round(tpp["GPT-3"], 2) == 1.71


def test_growth_fit_is_exact_for_a_clean_doubling():
    rows = [L.Model(m, datetime.date(year, 1, 1), p, "", "", "", None, "")
            for m, year, p in (("a", 2000, 1.0), ("b", 2001, 2.0), ("c", 2002, 4.0))]
    g = L.parameter_growth(rows)
    assert abs(g.per_year - 2) < 0.01 and abs(g.doubling_months - 12) < 0.1


def test_human_numbers():
    assert L.human(1.5e9) == "1.5 B" and L.human(175e9) == "175 B" and L.human(2e12) == "2 T"
    assert L.human(117e6) == "117 M"
    assert L.times(1496.3) == "1,496x" and L.times(2.914) == "2.91x"


def test_compare_reads_the_timeline():
    c = L.compare("BERT", "GPT-2")
    assert (c.params_a, c.params_b, c.months, c.date_a) == (340e6, 1.5e9, 4, "Oct 2018")
    assert round(c.ratio, 2) == 4.41


# ----------------------------------------------------------------------------------------- notices, by hand
GROWTH = L.Growth(first="A", last="Z", ratio=1000.0, years=5.0, doubling_months=6.0, per_year=4.0)
SUMMARY = L.Summary(GROWTH, (("GPT-3", 1.7), ("Chinchilla", 20.0), ("Llama 3.1", 38.5)), ())


def cmp(pa=1.0, pb=10.0, months=4, a="A", b="B"):
    return L.Comparison(a, b, pa, pb, "Jan 2020", "May 2020", months)


def test_bigger_later_model():
    assert L.notices(cmp(), SUMMARY)[0] == "**B** has **10x** the parameters of **A**, released 4 months later."


def test_smaller_model_says_fewer_not_a_fraction():
    first = L.notices(cmp(pa=10.0, pb=1.0, months=-1), SUMMARY)[0]
    assert first.startswith("**B** has **10x** fewer parameters than **A**, released 1 month earlier")


def test_tie_in_size_and_in_month():
    first = L.notices(cmp(pa=5e9, pb=5e9, months=0), SUMMARY)[0]
    assert "as many parameters as **A** (5 B)" in first and "in the same month" in first


def test_same_model_twice():
    assert "with itself" in L.notices(cmp(a="GPT", b="GPT"), SUMMARY)[0]


def test_growth_sentence_and_no_growth():
    assert "**1,000x**" in L.notices(cmp(), SUMMARY)[1] and "every **6 months**" in L.notices(cmp(), SUMMARY)[1]
    flat = L.Summary(L.Growth("A", "A", 1.0, 0.0, math.inf, 1.0), SUMMARY.tokens_per_parameter, ())
    assert "did not grow" in L.notices(cmp(), flat)[1]


def test_tokens_per_parameter_both_ways_and_a_single_model():
    grew = L.notices(cmp(), SUMMARY)[2]
    assert grew.startswith("Data grew faster") and "GPT-3 **1.7**, Chinchilla **20** and Llama 3.1 **38**" in grew
    flat = L.Summary(GROWTH, (("X", 20.0), ("Y", 21.0)), ())
    assert L.notices(cmp(), flat)[2].startswith("Training tokens per parameter did not rise")
    single = L.Summary(GROWTH, (("X", 20.0),), ())
    assert len(L.notices(cmp(), single)) == 2  # no trend from one model


def test_unsized_models_one_and_several():
    one = L.Summary(GROWTH, (), ("ULMFiT",))
    assert L.notices(cmp(), one)[-1].startswith("ULMFiT has no parameter count") and "it is in" in L.notices(cmp(), one)[-1]
    two = L.Summary(GROWTH, (), ("LSTM", "ULMFiT"))
    assert L.notices(cmp(), two)[-1].startswith("LSTM and ULMFiT have no parameter count")
    assert len(L.notices(cmp(), L.Summary(GROWTH, (), ()))) == 2


def test_the_recurrent_era_is_on_the_timeline_with_sources():
    """Issue 16: the timeline started in 2017; the lecture starts with LSTM (1997), seq2seq and attention (2014)."""
    road = L.road_to_the_transformer().set_index("model")
    assert list(road.index) == ["LSTM", "seq2seq", "Bahdanau attention", "Transformer"]
    assert road.loc["LSTM", "date"].year == 1997
    assert road.loc["seq2seq", "date"].year == road.loc["Bahdanau attention", "date"].year == 2014
    assert "Hochreiter" in road.loc["LSTM", "source"] and "1409.3215" in road.loc["seq2seq", "source"]
    assert "1409.0473" in road.loc["Bahdanau attention", "source"]
    spec = L.milestones_chart(False)
    rows = next(layer["data"]["values"] for layer in spec["layer"]
                if layer.get("data", {}).get("values") and "model" in layer["data"]["values"][0])
    assert [r["model"] for r in rows] == list(road.index)
    assert [r["stop"] for r in rows] == [0, 1, 2, 3]  # evenly spaced: the two 2014 papers do not overlap


# --------------------------------------------------------------------- the light home page (issue 12: start-up)
def test_rows_read_without_pandas_agree_with_the_dataframe():
    df = load_timeline()
    rows = L.models()
    assert [m.model for m in rows] == list(df["model"])
    d = df.dropna(subset=["parameters"])  # the fit as numpy does it, on the DataFrame
    slope = np.polyfit((d["date"] - d["date"].iloc[0]).dt.days.to_numpy() / 365.25, np.log2(d["parameters"]), 1)[0]
    g = L.parameter_growth(rows)
    assert abs(g.per_year - 2.0 ** slope) < 1e-9 and abs(g.doubling_months - 12.0 / slope) < 1e-6
    tpp = tokens_per_parameter(df)
    assert L.summary().tokens_per_parameter == tuple(zip(tpp["model"], tpp["tokens_per_parameter"].astype(float)))
    assert L.summary().unsized == tuple(df[df["parameters"].isna()]["model"])
    assert L.families() == sorted(df.dropna(subset=["parameters"])["family"].unique())


def test_the_stored_home_charts_are_what_the_code_builds():
    """assets/data/home_charts.json must match a fresh build: after changing the CSV or a chart, run
    `python -m lib.lessons.home`."""
    stored = json.loads(specs.HOME_CHARTS.read_text(encoding="utf-8"))
    fresh = json.loads(json.dumps(L.stored_specs()))
    assert stored.keys() == fresh.keys(), "run: python -m lib.lessons.home"
    for key in fresh:
        assert stored[key] == fresh[key], f"{key} is stale: run python -m lib.lessons.home"
    every = tuple(L.families())
    assert L.timeline_chart(every, False) == stored[f"timeline/screen/{','.join(every)}"]


def test_a_missing_or_broken_chart_file_means_the_chart_is_built(tmp_path, monkeypatch):
    broken = tmp_path / "home_charts.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(specs, "HOME_CHARTS", broken)
    assert specs.stored("timeline/screen/x", broken) is None
    assert specs.stored("timeline/screen/x", tmp_path / "nothing.json") is None
    spec = L.build_timeline_chart(("RNN (LSTM)",), False)  # a choice the file never holds is built too
    assert "datasets" not in spec and "data" not in spec
    names = {r["model"] for r in spec["layer"][0]["data"]["values"]}
    assert names == {m.model for m in L.sized() if m.family == "RNN (LSTM)"}


def test_inline_data_writes_the_rows_into_the_layers():
    import altair as alt

    df = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    other = pd.DataFrame({"x": [9]})
    chart = alt.layer(alt.Chart(df).mark_point().encode(x="x", y="y"),
                      alt.Chart(df).mark_line().encode(x="x", y="y"),
                      alt.Chart(other).mark_rule().encode(x="x"))
    spec = chart.to_dict()
    out = specs.inline_data(spec)
    assert "datasets" not in out and "data" not in out and "datasets" in spec  # the input is not changed
    assert [layer["data"]["values"] for layer in out["layer"]] == [df.to_dict("records")] * 2 + [[{"x": 9}]]
    alt.LayerChart.from_dict(out, validate=True)  # still valid Vega-Lite
    top = specs.inline_data(alt.layer(alt.Chart(df).mark_point().encode(x="x"), alt.Chart().mark_rule().encode(
        y="mean(y)"), data=df).to_dict())  # the chart's own data: once, on an outer layer around the others
    assert json.dumps(top).count('"y": 3') == 1 and len(top["layer"]) == 1 and len(top["layer"][0]["layer"]) == 2
    alt.LayerChart.from_dict(top, validate=True)
    timeline = L.timeline_chart(tuple(L.families()), False)
    assert json.dumps(timeline).count('"model": "GPT-3"') == 1
    unlayered = alt.Chart(df).mark_point().encode(x="x").to_dict()
    assert specs.inline_data(unlayered) == unlayered


def test_table_markdown_lists_every_model_with_its_source():
    md = L.table_markdown()
    lines = md.splitlines()
    assert len(lines) == 2 + len(L.models())
    assert all(line.count(" | ") == 5 for line in lines[2:])  # a pipe inside a cell is escaped
    assert "Hochreiter" in md and "Oct 2018" in md
