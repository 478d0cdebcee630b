"""Nothing executes from data: model files are safetensors and JSON only, no pickle anywhere, no remote code,
Hub ids only from the allowlist. These tests fail as soon as any of that creeps in."""
import re
from pathlib import Path

import pytest

from lib.errors import ModelUnavailable
from lib.models import registry

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for p in [ROOT / "app.py", *ROOT.glob("lib/**/*.py"), *ROOT.glob("app_pages/*.py")] if p.is_file()]
ALLOWED_MODEL_FILES = {".json", ".safetensors", ".txt", ".md"}
FORBIDDEN = {
    "pickle": re.compile(r"^\s*(import|from)\s+(c?pickle|dill|joblib|cloudpickle)\b", re.M),
    "torch.load": re.compile(r"\btorch\.load\s*\("),
    "trust_remote_code=True": re.compile(r"trust_remote_code\s*=\s*True"),
    "np.load(allow_pickle=True)": re.compile(r"allow_pickle\s*=\s*True"),
    "eval/exec": re.compile(r"(?<![\w.])(eval|exec)\s*\("),
}


def test_code_was_found():
    assert len(CODE) >= 8


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_no_unsafe_loading_in_the_code(name):
    offenders = [str(p.relative_to(ROOT)) for p in CODE if FORBIDDEN[name].search(p.read_text(encoding="utf-8"))]
    assert not offenders, f"{name} found in {offenders}"


def test_the_scanner_catches_what_it_looks_for():
    assert FORBIDDEN["pickle"].search("import pickle\n")
    assert FORBIDDEN["torch.load"].search("w = torch.load(path)")
    assert FORBIDDEN["trust_remote_code=True"].search("from_pretrained(x, trust_remote_code = True)")
    assert not FORBIDDEN["eval/exec"].search("model.eval()")


def test_model_files_are_safetensors_and_json_only():
    folder = ROOT / "assets" / "models"
    files = [p for p in folder.rglob("*") if p.is_file()]
    bad = [str(p.relative_to(ROOT)) for p in files if p.suffix not in ALLOWED_MODEL_FILES]
    assert not bad, f"files that are not safetensors/JSON/text: {bad}"


def test_nothing_pickled_in_assets():
    for p in (ROOT / "assets").rglob("*"):
        if p.is_file() and p.stat().st_size > 2:
            head = p.read_bytes()[:2]
            assert head not in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"), f"{p} looks like a pickle"
            assert p.read_bytes()[:4] != b"PK\x03\x04", f"{p} is a zip archive (torch.save format)"


def test_hub_ids_only_from_the_allowlist():
    allow = registry.HUB_ALLOWLIST
    assert allow and all(re.fullmatch(r"[\w.-]+(/[\w.-]+)?", a) for a in allow)
    for bad in ("someone/evil-model", "../../etc/passwd", "gpt2; rm -rf /", ""):
        with pytest.raises(ModelUnavailable):
            registry.load_hub(bad)


def test_unknown_embedded_name_is_refused():
    with pytest.raises(ModelUnavailable):
        registry.load("../../etc/passwd")


def test_serving_uses_one_torch_thread_unless_told_otherwise(monkeypatch):
    import torch

    before = torch.get_num_threads()
    try:
        registry.serve_on_few_threads.cache_clear()
        monkeypatch.setenv(registry.THREADS_ENV, "1")
        assert registry.serve_on_few_threads() == 1 and torch.get_num_threads() == 1
        registry.serve_on_few_threads.cache_clear()
        monkeypatch.setenv(registry.THREADS_ENV, "2")
        assert registry.serve_on_few_threads() == 2 and torch.get_num_threads() == 2
    finally:
        registry.serve_on_few_threads.cache_clear()
        torch.set_num_threads(before)
