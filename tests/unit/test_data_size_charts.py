"""The chart builders of the data and size pages: they take DataFrames, keep their data, and refuse bad columns."""
import pandas as pd
import pytest

from lib.charts import data as dcharts
from lib.charts import finished_spec
from lib.charts import size as scharts
from lib.data import c4
from lib.data.tables import load_timeline, tokens_per_parameter


def test_funnel_percentages_and_switched_off_rules():
    res = c4.run_pipeline(c4.load_sample_pages(), {k: k != "dedup" for k in c4.RULE_KEYS})
    spec = dcharts.funnel(pd.DataFrame(res.funnel_table())).to_dict()
    rows = next(iter(spec["datasets"].values()))
    stages = {r["stage"] for r in rows}
    assert "9. Three-sentence dedup" not in stages and "Raw crawl" in stages
    raw = [r for r in rows if r["stage"] == "Raw crawl"]
    assert {r["percent"] for r in raw} == {100.0}
    assert len(rows) == 3 * (len(c4.RULES) + 1 - 1)


@pytest.mark.parametrize("builder,df", [
    (dcharts.funnel, pd.DataFrame({"label": ["x"], "pages": [1]})),
    (dcharts.c4_versions, pd.DataFrame({"version": ["x"]})),
    (dcharts.languages_vs_speakers, pd.DataFrame({"language": ["x"]})),
    (dcharts.token_ratios, pd.DataFrame({"language": ["x"]})),
    (scharts.tokens_over_time, pd.DataFrame({"model": ["x"]})),
    (scharts.tokens_per_parameter, pd.DataFrame({"model": ["x"]})),
])
def test_missing_columns_raise(builder, df):
    with pytest.raises(ValueError, match="missing columns"):
        builder(df)


def test_params_chart_keeps_timeline_data_and_selection():
    tl = load_timeline()
    spec = scharts.params_with_user_model(tl, 1.4e7, "yours").to_dict()
    assert spec["params"][0]["bind"] == "legend"
    assert spec["data"]["name"] in spec["datasets"]          # the dots still have their data
    assert len(spec["datasets"][spec["data"]["name"]]) == tl["parameters"].notna().sum()
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
    assert "params" not in scharts.params_with_user_model(tl, None).to_dict()["layer"][0]


def test_tokens_per_parameter_chart_draws_chinchilla_line():
    spec = scharts.tokens_per_parameter(tokens_per_parameter(load_timeline())).to_dict()
    rule_data = [d for d in spec["datasets"].values() if d and "label" in d[0]]
    assert rule_data[0][0]["x"] == 20.0


def _find(spec, key):
    """Every value stored under `key` anywhere in a nested Vega-Lite dict."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                yield v
            yield from _find(v, key)
    elif isinstance(spec, list):
        for v in spec:
            yield from _find(v, key)


def test_tokens_axis_says_B_and_T_not_G():
    from lib.charts import _SI_EXPR

    spec = scharts.tokens_over_time(load_timeline()).to_dict()
    axes = [a for a in _find(spec, "axis") if isinstance(a, dict) and "labelExpr" in a]
    assert axes and all(a["labelExpr"] == _SI_EXPR for a in axes)
    assert not [f for f in _find(spec, "format") if f in ("~s", ".3s")]


def test_params_chart_scale_reaches_a_tiny_user_model():
    spec = scharts.params_with_user_model(load_timeline(), 1.4e7, "yours").to_dict()
    domains = [s["domain"] for s in _find(spec, "scale") if isinstance(s, dict) and s.get("type") == "log"
               and "domain" in s]
    # Vega-Lite unions the layers' explicit domains, so one layer reaching the user's model is enough
    assert domains and min(d[0] for d in domains) <= 1.4e7 and max(d[1] for d in domains) >= 6.71e11


def test_finished_spec_is_styled_and_fills_the_column():
    spec = finished_spec(scharts.tokens_over_time(load_timeline()), projector=True)
    assert spec["width"] == "container"
    assert spec["config"]["axis"]["labelFontSize"] == 20
