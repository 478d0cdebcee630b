"""Projector mode: no chart shorter than 240 px (lib.ui.min_heights), whatever way its height is given."""
from lib import ui


def _bars(rows: int, step: int = 34) -> dict:
    return {"data": {"name": "d"}, "datasets": {"d": [{"label": f"row {i}", "v": i} for i in range(rows)]},
            "mark": "bar", "encoding": {"y": {"field": "label"}, "x": {"field": "v"}}, "height": {"step": step}}


def test_min_heights_raises_a_fixed_height_and_keeps_a_taller_one():
    assert ui.min_heights({"height": 90})["height"] == ui.PROJECTOR_MIN_HEIGHT
    assert ui.min_heights({"height": 400})["height"] == 400


def test_min_heights_raises_a_step_height_only_when_its_rows_draw_a_short_plot():
    assert ui.min_heights(_bars(2))["height"] == ui.PROJECTOR_MIN_HEIGHT  # 2 x 34 = 68 px of plot
    assert ui.min_heights(_bars(12))["height"] == {"step": 34}  # 408 px: grows on its own


def test_min_heights_reaches_concatenated_and_layered_views():
    one = _bars(3, 26)
    spec = {"datasets": one.pop("datasets"), "hconcat": [dict(one), dict(one)]}
    assert [v["height"] for v in ui.min_heights(spec)["hconcat"]] == [ui.PROJECTOR_MIN_HEIGHT] * 2
    layered = {"datasets": {"x": [{"y": "a"}, {"y": "b"}]}, "height": {"step": 22},
               "layer": [{"data": {"name": "x"}, "encoding": {"y": {"field": "y"}}}]}
    assert ui.min_heights(layered)["height"] == ui.PROJECTOR_MIN_HEIGHT
    unknown = {"height": {"step": 22}, "mark": "bar"}  # no inline data: rows cannot be told, left alone
    assert ui.min_heights(unknown)["height"] == {"step": 22}


def test_drawn_inline_moves_every_dataset_into_the_json_and_stays_valid():
    """ui.chart draws specs with their rows written into layers: Streamlit turns named datasets and top-level data
    into an Arrow table on every run (issue 12). Single views become one-layer specs; the input is not changed."""
    import json

    import altair as alt
    import pandas as pd

    from lib import charts, specs
    from lib.charts import lm as lmcharts

    df = pd.DataFrame({"answer": ["Lima.", "Quito."], "count": [3, 1], "share": [0.75, 0.25]})
    single = lmcharts.answer_share_spec(df, "2 distinct answers", False)
    before = json.dumps(single, sort_keys=True)
    out = specs.drawn_inline(single)
    assert json.dumps(single, sort_keys=True) == before                   # shallow, but the input is untouched
    assert "datasets" not in out and "data" not in out and out["encoding"] == single["encoding"]
    assert out["layer"][0]["data"]["values"] == df.to_dict("records")
    alt.LayerChart.from_dict(out, validate=True)
    layered = charts.finished_spec(alt.layer(alt.Chart(df).mark_bar().encode(x="count", y="answer"),
                                             alt.Chart(df).mark_text().encode(x="count", y="answer", text="count")))
    out = specs.drawn_inline(layered)
    assert "datasets" not in json.dumps(out) and '"name"' not in json.dumps(out["layer"])
    alt.LayerChart.from_dict(out, validate=True)
    with_transform = charts.finished_spec(alt.Chart(df).mark_bar().encode(x="n:Q", y="answer")
                                          .transform_calculate(n="datum.count * 2"))
    out = specs.drawn_inline(with_transform)
    assert "transform" not in out and out["layer"][0]["transform"] == with_transform["transform"]
    alt.LayerChart.from_dict(out, validate=True)


def test_drawn_inline_leaves_what_it_cannot_move_safely():
    import altair as alt
    import pandas as pd

    from lib import charts, specs

    df = pd.DataFrame({"x": [1, 2], "y": [2, 1]})
    pick = alt.selection_point(fields=["x"])
    selecting = charts.finished_spec(alt.Chart(df).mark_point().encode(x="x", y="y").add_params(pick))
    assert specs.drawn_inline(selecting) is selecting                          # selections live next to their data
    concat = charts.finished_spec(alt.hconcat(alt.Chart(df).mark_point().encode(x="x"),
                                              alt.Chart(df).mark_bar().encode(x="y")))
    assert specs.drawn_inline(concat) is concat
    url = {"data": {"url": "rows.json"}, "mark": "bar"}
    assert specs.drawn_inline(url) is url and specs.drawn_inline({"mark": "bar"}) == {"mark": "bar"}
