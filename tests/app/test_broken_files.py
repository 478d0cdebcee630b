"""Broken installs: a model folder missing, its weights truncated, its config corrupt or not matching the weights.
The registry refuses each with ModelUnavailable naming the file and the rebuild command; every page still opens
without a traceback, and the pages that need the model say which file is broken and how to rebuild it."""
import json
import shutil

import pytest
import streamlit as st

from lib import site
from lib.errors import ModelUnavailable
from lib.models import registry
from tests.apptest import open_page

FAULTS = ["missing", "truncated", "corrupt_config", "mismatched_config"]
BUILT = list(registry.EMBEDDED)  # every model ships; a missing folder fails here rather than being skipped


def _break(folder, fault):
    if fault == "missing":
        shutil.rmtree(folder)
        return
    if fault == "truncated":
        for f in folder.rglob("*.safetensors"):
            data = f.read_bytes()
            f.write_bytes(data[: len(data) // 3])
        return
    configs = [f for f in folder.rglob("*.json") if "config" in f.name]
    assert configs, f"{folder} has no config file to break"
    for f in configs:
        if fault == "corrupt_config":
            f.write_text("{not json")
        else:  # every size-like integer doubled: the weights no longer fit the architecture
            cfg = json.loads(f.read_text())
            for k, v in list(cfg.items()):
                if isinstance(v, int) and not isinstance(v, bool) and v > 1 and any(
                        w in k for w in ("hidden", "embd", "emb", "size", "dim", "n_", "layer")):
                    cfg[k] = v * 2
            f.write_text(json.dumps(cfg))


@pytest.fixture
def broken_models(tmp_path, monkeypatch):
    def make(name, fault):
        copy = tmp_path / "models"
        shutil.copytree(registry.MODELS_DIR, copy)
        _break(copy / name, fault)
        monkeypatch.setattr(registry, "MODELS_DIR", copy)
        registry.load.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()
        return copy / name

    yield make
    registry.load.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


def _cases():
    return [pytest.param(name, FAULTS[i % len(FAULTS)], id=f"{name}-{FAULTS[i % len(FAULTS)]}")
            for i, name in enumerate(BUILT)]


@pytest.mark.parametrize("name", BUILT)
@pytest.mark.parametrize("fault", FAULTS)
def test_registry_refuses_every_fault_with_the_file_and_the_fix(broken_models, name, fault):
    folder = broken_models(name, fault)
    with pytest.raises(ModelUnavailable) as err:
        registry.load(name)
    assert f"python -m lib.train {name}" in (err.value.fix or "")
    assert str(folder) in (err.value.path or "") or name in err.value.message


@pytest.mark.parametrize("name,fault", _cases())
def test_every_page_survives_a_broken_model(broken_models, name, fault):
    broken_models(name, fault)
    told = False
    for info in [site.HOME, *site.PAGES]:
        at = open_page(info.path)
        assert not at.exception, f"{info.path} with {name} {fault}: {at.exception}"
        errors = " ".join(e.value for e in at.error)
        codes = " ".join(c.value for c in at.code)
        if f"python -m lib.train {name}" in codes and errors:
            told = True
    assert told, f"no page told the user that {name} is broken and how to rebuild it"
