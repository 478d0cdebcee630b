"""Charts as files, for the lecturer's own slides: a finished Vega-Lite spec (a dict from charts.finished_spec, or an
Altair chart) rendered offline to SVG or PNG by vl-convert (no browser, no network), and a chart's data as CSV.
No Streamlit here: ui.download_chart offers these as download buttons."""
from __future__ import annotations

import copy
import io

import pandas as pd

# a spec that fills its column ("container") has no width of its own outside the page: give it one
EXPORT_WIDTH = 1000


def _standalone(spec) -> dict:
    """A copy of the spec that renders on its own: Altair charts turned into dicts, container widths made fixed."""
    if not isinstance(spec, dict):
        spec = spec.to_dict()
    out = copy.deepcopy(spec)

    def fix(node) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = EXPORT_WIDTH
            if node.get("height") == "container":
                node["height"] = 400
            for v in node.values():
                fix(v)
        elif isinstance(node, list):
            for v in node:
                fix(v)

    fix(out)
    if not isinstance(out.get("background"), str):
        out["background"] = "white"  # a transparent PNG is unreadable on a dark slide
    return out


def to_svg(spec) -> bytes:
    """The chart as an SVG file (UTF-8 bytes)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_standalone(spec)).encode("utf-8")


def to_png(spec, scale: float = 2.0) -> bytes:
    """The chart as a PNG file, `scale` times its size in pixels (2: sharp on a projector)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(_standalone(spec), scale=scale)


def inline_data(spec) -> pd.DataFrame:
    """The rows a spec draws, when the caller has no DataFrame at hand: every inline dataset, concatenated (a
    `dataset` column names where each row came from when there are several)."""
    if not isinstance(spec, dict):
        spec = spec.to_dict()
    frames = []
    for name, rows in (spec.get("datasets") or {}).items():
        frames.append(pd.DataFrame(rows).assign(dataset=name))

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                frames.append(pd.DataFrame(data["values"]).assign(dataset="inline"))
            for k, v in node.items():
                if k != "datasets":
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    if not frames:
        return pd.DataFrame()
    if len(frames) == 1:
        return frames[0].drop(columns="dataset")
    return pd.concat(frames, ignore_index=True)


def to_csv(data: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    data.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")
