"""Finished Vega-Lite specs as plain dicts, and the ones stored on disk: no pandas, no Altair, no numpy.

Streamlit turns a spec's named `datasets` and its top-level `data` into Arrow tables, which imports pandas and pyarrow
(about half a second on the first page of a fresh server) and costs a DataFrame-to-Arrow conversion on every run.
Data written into each layer (`{"values": [...]}`) stays in the spec's JSON, which Vega-Lite reads as it is.
`inline_data` moves a layered spec's data there; the home page draws its default charts from specs stored that way
(assets/data/home_charts.json, written by `python -m lib.lessons.home`, checked against a fresh build by the tests), so
a new visitor's first page needs none of the three libraries (issue 12: start-up against a hello-world app).
"""
from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

from lib.paths import DATA

HOME_CHARTS = DATA / "home_charts.json"


def inline_data(spec: dict) -> dict:
    """A copy of a layered spec with its data written into the layers: named datasets become `{"values": rows}`
    where a layer reads them, and the top-level data moves onto one outer layer around the original layers (Vega-Lite
    passes a layer's data down to the layers inside it, so the rows are written once). `datasets` and the top-level
    `data` go. A spec that is not layered is returned unchanged (a single view's selections live next to its data;
    moving it is not worth it)."""
    if "layer" not in spec:
        return spec
    out = copy.deepcopy(spec)
    datasets = out.pop("datasets", {}) or {}
    top = out.pop("data", None)

    def resolve(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and set(data) == {"name"} and data["name"] in datasets:
                node["data"] = {"values": datasets[data["name"]]}
            for inner in node.get("layer", ()):
                resolve(inner)

    for layer in out["layer"]:
        resolve(layer)
    if top is not None:
        if isinstance(top, dict) and set(top) == {"name"} and top["name"] in datasets:
            top = {"values": datasets[top["name"]]}
        out["layer"] = [{"data": top, "layer": out["layer"]}]
    return out


@functools.lru_cache(maxsize=4)
def _stored(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a broken file: the page builds its charts itself
        return {}


def stored(key: str, path: Path = HOME_CHARTS) -> dict | None:
    """A stored spec by key (a copy: the caller may change it), or None when the file or the key is missing."""
    spec = _stored(str(path)).get(key)
    return copy.deepcopy(spec) if spec is not None else None
