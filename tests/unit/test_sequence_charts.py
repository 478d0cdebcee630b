"""Chart builders of the RNN, seq2seq and attention pages: valid Vega-Lite, clear errors on shape mismatches."""
import altair as alt
import numpy as np
import pandas as pd
import pytest

from lib.lessons import seq2seq_bottleneck as bottleneck_lesson
from lib.models import seq2seq_eval
from lib.charts import sequence as sc
from lib.charts import style
from lib.data import translation as tr


def test_attention_map_is_a_valid_spec_with_truth_and_crossing():
    w = np.full((3, 3), 1 / 3)
    spec = sc.attention_map(w, ["a", "b", "c"], ["x", "y", "<end>"], true_align=[0, 2, -1], crossing=[1])
    alt.LayerChart.from_dict(spec)  # validates against the Vega-Lite schema
    assert len(spec["layer"]) == 4  # map, values, crossing box, truth diamonds
    assert spec["layer"][-1]["data"]["values"] == [{"row": 0, "col": 0}, {"row": 1, "col": 2}]
    assert spec["layer"][2]["data"]["values"] == [{"row": 1, "col": 2}]
    assert spec["config"]["axis"]["labelFontSize"] == 13
    assert sc.attention_map(w, ["a", "b", "c"], ["x", "y", "z"], projector=True)["config"]["axis"][
        "labelFontSize"] == 20
    with pytest.raises(ValueError, match="source words"):
        sc.attention_map(w, ["a", "b"], ["x", "y", "z"])
    with pytest.raises(ValueError, match="true_align"):
        sc.attention_map(w, ["a", "b", "c"], ["x", "y", "z"], true_align=[0])
    with pytest.raises(ValueError, match="2-D"):
        sc.attention_map(np.ones(3), ["a"], ["x"])


def test_state_map_and_weights_bars():
    style(sc.state_map(np.random.default_rng(0).normal(size=(4, 8)), list("abcd"), step=2)).to_dict()
    with pytest.raises(ValueError, match="step labels"):
        sc.state_map(np.zeros((4, 8)), list("abc"))
    style(sc.weights_bars([0.25, 0.75], ["a", "b"], true_index=1)).to_dict()
    with pytest.raises(ValueError):
        sc.weights_bars([0.25, 0.75], ["a"])


def test_unrolled_svg_escapes_text_and_marks_the_step():
    svg = sc.unrolled(list("<b>&x"), list("abcde"), [0.1] * 5, step=2, window=5)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "&lt;" in svg and "&amp;" in svg and "<b>" not in svg
    assert svg.count(sc.HIGHLIGHT) == 1 and "step 3 of 5" in svg
    with pytest.raises(ValueError):
        sc.unrolled(list("ab"), list("ab"), [0.1, 0.2], step=2)


def test_accuracy_and_timing_charts_need_their_columns():
    df = seq2seq_eval.buckets_frame({"m": {b: {"n": 1, "exact_match": 1.0, "token_accuracy": 1.0} for b in tr.BUCKETS}})
    style(sc.accuracy_by_length(df, order=tr.BUCKETS)).to_dict()
    with pytest.raises(ValueError, match="missing"):
        sc.accuracy_by_length(df.drop(columns=["n"]), order=tr.BUCKETS)
    with pytest.raises(ValueError, match="missing"):
        sc.timing(pd.DataFrame({"length": [1]}))


def test_compare_counts_extra_words_as_wrong():
    pair = tr.parse("the dog sleeps")
    t = seq2seq_eval.Translation(src=list(pair.src), unknown=[False] * 3, out=["el", "perro", "duerme", "y", "come"],
                        steps=[], bridge=np.zeros(2), attention=None, annotations=np.zeros((3, 4)))
    row = bottleneck_lesson.compare({"m": t}, pair).iloc[0]
    assert (row["words right"], row["of"], row["extra words"], bool(row["exact"])) == (3, 5, 2, False)


def test_row_outline_on_a_spec():
    spec = sc.attention_map(np.full((2, 3), 1 / 3), ["a", "b", "c"], ["x", "y"])
    out = sc.with_row_outline(spec, 1, 2, 3)
    assert len(out["layer"]) == len(spec["layer"]) + 1 and out is not spec
    assert [v["row"] for v in out["layer"][-1]["data"]["values"]] == [1, 1, 1]
    alt.LayerChart.from_dict(out)
    with pytest.raises(ValueError):
        sc.with_row_outline(spec, 2, 2, 3)
    # a spec without shared x / y: the outline copies a layer's channels, word labels included
    x = {"field": "col", "type": "ordinal", "axis": {"labelExpr": "['a','b','c'][datum.value]"}}
    y = {"field": "row", "type": "ordinal"}
    own = {"layer": [{"mark": "rect", "encoding": {"x": x, "y": y}}]}
    assert sc.with_row_outline(own, 0, 2, 3)["layer"][-1]["encoding"] == {"x": x, "y": y}
    with pytest.raises(ValueError, match="encodes x and y"):
        sc.with_row_outline({"layer": [{"mark": "rect"}]}, 0, 2, 3)
