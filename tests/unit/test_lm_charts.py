"""lib.charts.lm: builders take data, keep the order they are given, and refuse mismatched shapes."""
import numpy as np
import pandas as pd
import pytest

from lib.charts import lm as lmcharts


def frame():
    return pd.DataFrame({"token": ["b", "a", "b", "(other)"], "id": [5, 3, 9, -1],
                         "model_probability": [0.5, 0.3, 0.1, 0.1], "probability": [0.6, 0.4, 0.0, 0.0],
                         "status": ["kept", "kept", "cut", "cut"]})


def test_next_token_bars_keep_order_and_mark_cut_tokens():
    spec = lmcharts.next_token_bars(frame()).to_dict()
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order == ["b", "a", "b  (cut)", "(other)  (cut)"]


def test_builders_refuse_missing_columns():
    with pytest.raises(ValueError, match="missing columns"):
        lmcharts.next_token_bars(pd.DataFrame({"token": ["a"]}))
    with pytest.raises(ValueError, match="missing columns"):
        lmcharts.rate_by_temperature(pd.DataFrame({"checkpoint": ["x"]}))
    with pytest.raises(ValueError):
        lmcharts.grouped_rates(pd.DataFrame({"a": [1]}), "a", "b", "c")


def test_attention_heatmap_checks_shape_and_drops_masked_cells():
    w = np.tril(np.full((3, 3), 0.5))
    w[np.triu_indices(3, 1)] = np.nan
    chart = lmcharts.attention_heatmap(w, ["x", "y", "z"])
    assert len(chart.data) == 6
    with pytest.raises(ValueError):
        lmcharts.attention_heatmap(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(ValueError):
        lmcharts.attention_heatmap(np.zeros((2, 2)), ["a"])


@pytest.mark.parametrize("df", [
    pd.DataFrame({"answer": ["Paris.", None, "a city."], "count": [15, 3, 2], "share": [0.75, float("nan"), 0.1]}),
    pd.DataFrame({"text": pd.Series(["x", None], dtype="string"), "flag": [True, False],
                  "n": np.array([1, 2], dtype="int32"), "inf": [float("inf"), 0.5]}),
    pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-06-30"]), "kind": pd.Categorical(["a", "b"])}),
    pd.DataFrame({"mixed": [1, "two"]}),
    pd.DataFrame({"step": [], "entropy_bits": []}),
])
def test_records_are_what_altairs_sanitizer_gives(df):
    from altair.utils.core import sanitize_pandas_dataframe
    assert lmcharts.records(df) == sanitize_pandas_dataframe(df).to_dict("records")
