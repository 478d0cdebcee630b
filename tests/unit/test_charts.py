import numpy as np
import pandas as pd
import pytest

from lib import charts
from lib.data.tables import load_timeline


def _fonts(spec: dict) -> list[int]:
    cfg = spec["config"]
    return [cfg["axis"]["labelFontSize"], cfg["axis"]["titleFontSize"], cfg["legend"]["labelFontSize"]]


def test_projector_style_uses_fonts_of_at_least_18_px():
    c = charts.bars(["a", "b"], [0.2, 0.8])
    assert min(_fonts(charts.style(c, projector=True).to_dict())) >= 18
    assert min(_fonts(charts.style(c, projector=False).to_dict())) < 18


def test_heatmap_shape_checks():
    with pytest.raises(ValueError, match="row_labels has 2 labels"):
        charts.heatmap(np.zeros((3, 4)), ["a", "b"], list("wxyz"))
    with pytest.raises(ValueError, match="2-D"):
        charts.heatmap(np.zeros(3), ["a"], ["b"])
    with pytest.raises(ValueError, match="highlight_col=9"):
        charts.heatmap(np.zeros((2, 2)), ["a", "b"], ["c", "d"], highlight_col=9)


def test_heatmap_keeps_repeated_labels_apart_and_values_in_tooltips():
    spec = charts.style(charts.heatmap(np.arange(6).reshape(2, 3), ["x", "y"], ["l", "l", "o"],
                                       highlight_col=1)).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 6 and sorted({d["col"] for d in data}) == [0, 1, 2]
    assert [d["value"] for d in data] == [0, 1, 2, 3, 4, 5]
    assert '["l", "l", "o"][datum.value]' in str(spec)


def test_bars_and_curves_check_their_inputs():
    with pytest.raises(ValueError):
        charts.bars(["a"], [1, 2])
    with pytest.raises(ValueError, match="columns"):
        charts.curves(pd.DataFrame({"x": [1]}), "x", "y")
    spec = charts.curves(pd.DataFrame({"n": [1, 2], "acc": [0.5, 0.9], "m": ["a", "a"]}), "n", "acc", "m").to_dict()
    assert spec["encoding"]["color"]["field"] == "m"


def test_timeline_has_every_sized_model_and_needs_its_columns():
    df = load_timeline()
    spec = charts.timeline(df).to_dict()
    data = next(iter(spec["datasets"].values()))
    assert len(data) == df["parameters"].notna().sum()
    with pytest.raises(ValueError, match="missing columns"):
        charts.timeline(df.drop(columns=["source"]))


def test_milestones_draw_unsized_models_and_check_columns():
    df = load_timeline()
    early = df[df["date"].dt.year < 2018]
    spec = charts.milestones(early).to_dict()
    rows = next(v for v in spec["datasets"].values() if v and "model" in v[0])
    assert len(rows) == len(early) and any(r["model"] == "LSTM" for r in rows)  # LSTM has no parameter count
    with pytest.raises(ValueError, match="missing columns"):
        charts.milestones(early.drop(columns=["family"]))
    with pytest.raises(ValueError, match="no models"):
        charts.milestones(early.iloc[0:0])


def test_timeline_leaves_crowded_names_to_the_tooltip_on_a_narrow_chart():
    """On a phone two names would run into their neighbours: the CSV marks them phone_label = false and the labels
    (not the dots) are filtered on Vega's `width` signal; on a wide chart every name is drawn."""
    df = load_timeline()
    spec = charts.timeline(df).to_dict()
    text_layers = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    dots = [layer for layer in spec["layer"] if layer["mark"]["type"] == "circle"]
    assert text_layers and dots
    assert all({"filter": "width >= 520 || datum.phone_label"} in layer.get("transform", []) for layer in text_layers)
    assert not any("width" in str(layer.get("transform", "")) for layer in dots)
    assert df["phone_label"].dtype == bool  # load_timeline: an empty cell means the name is drawn
    assert set(df.loc[~df["phone_label"], "model"]) == {"LLaMA", "PaLM"}
