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


# a single view's keys that belong to its one layer when it is drawn as a layer (the rest stays at the top level)
_UNIT_KEYS = ("mark",)


def drawn_inline(spec: dict) -> dict:
    """The spec as ui.chart hands it to Streamlit: its named datasets and top-level data written into layers, so
    Streamlit does not turn them into Arrow tables on every run (a DataFrame per dataset, then Arrow: 13% of a
    sampling-page rerun, issue 12). A single view without selections becomes a one-layer spec first (its mark goes in
    the layer; encoding, size and title stay on top, which Vega-Lite passes down). Shallow: the containers along the
    way are new, the rows are shared, the input is not changed. Specs it cannot move safely (selections, concatenated
    views, data given another way) come back as they are."""
    if "params" in spec or "selection" in spec or any(k in spec for k in ("hconcat", "vconcat", "concat", "facet",
                                                                           "repeat", "spec")):
        return spec
    datasets = spec.get("datasets") or {}
    top = spec.get("data")
    if top is None and not datasets:
        return spec
    if isinstance(top, dict) and set(top) == {"name"}:
        if top["name"] not in datasets:
            return spec
        top = {"values": datasets[top["name"]]}
    elif top is not None and not (isinstance(top, dict) and "values" in top):
        return spec

    def resolve(node: dict) -> dict | None:  # a layer with its named data written in; None: cannot be moved
        data, inner = node.get("data"), node.get("layer")
        out = node
        if isinstance(data, dict) and set(data) == {"name"}:
            if data["name"] not in datasets:
                return None
            out = {**node, "data": {"values": datasets[data["name"]]}}
        elif data is not None and not (isinstance(data, dict) and "values" in data):
            return None
        if inner is not None:
            layers = [resolve(v) for v in inner]
            if any(v is None for v in layers):
                return None
            out = {**out, "layer": layers}
        return out

    transform = spec.get("transform")
    if transform is not None and top is None:
        return spec
    out = {k: v for k, v in spec.items() if k not in ("datasets", "data", "transform")}
    if "layer" not in out:
        if "mark" not in out:
            return spec
        out = {k: v for k, v in out.items() if k not in _UNIT_KEYS}
        out["layer"] = [{k: spec[k] for k in _UNIT_KEYS if k in spec}]
    layers = [resolve(v) for v in out["layer"]]
    if any(v is None for v in layers):
        return spec
    if top is not None:  # the top-level data (and the transforms that read it) on one layer around the others
        layers = [{"data": top, **({"transform": transform} if transform is not None else {}), "layer": layers}]
    out["layer"] = layers
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
