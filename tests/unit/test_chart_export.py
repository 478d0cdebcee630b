"""Charts as files (lib/charts/export.py): a finished spec renders offline to SVG and PNG, its data to CSV."""
import altair as alt
import pandas as pd

from lib import charts
from lib.charts import export


def small_spec(projector=True) -> dict:
    df = pd.DataFrame({"x": [1, 2, 3], "y": [2.0, 4.0, 1.0]})
    return charts.finished_spec(alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q").properties(title="t"), projector)


def test_svg_and_png_render_offline_with_a_fixed_width():
    spec = small_spec()
    assert spec["width"] == "container"
    svg = export.to_svg(spec).decode("utf-8")
    assert svg.startswith("<svg")
    width = int(svg.split('width="')[1].split('"')[0])
    assert export.EXPORT_WIDTH <= width < export.EXPORT_WIDTH + 200  # the plot's width plus its axis
    png = export.to_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert spec["width"] == "container", "exporting must not change the page's spec"


def test_inline_data_and_csv():
    spec = small_spec()
    df = export.inline_data(spec)
    assert list(df["y"]) == [2.0, 4.0, 1.0]
    assert export.to_csv(df).decode().splitlines()[0] == "x,y"
    assert export.inline_data({"mark": "point"}).empty


def test_altair_charts_are_accepted_too():
    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    assert b"<svg" in export.to_svg(chart)[:300]
