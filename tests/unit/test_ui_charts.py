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
