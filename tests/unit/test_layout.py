"""The layering rules of the app, read from the source with ast (nothing is imported):

    app_pages/P.py  draws        ->  lib/lessons/P.py  computes, and its notices() writes "What to notice"
    lib/lessons     ->  lib/models, lib/data, lib/charts, lib/sampling.py, lib/train (never streamlit)
    lib/ui.py       the only lib module that imports streamlit

and no arrow back: nothing below the lessons imports a lesson or a page, and pages import no torch/transformers
(the models load through lessons and lib.ui's cached loaders, so a page opens without them until it needs them)."""
import ast
from pathlib import Path

import pytest

from lib.paths import ROOT

PAGES = sorted((ROOT / "app_pages").glob("*.py"))
LIB = sorted((ROOT / "lib").rglob("*.py"))
LOWER = ("lib/models/", "lib/data/", "lib/train/", "lib/charts/", "lib/sampling.py")


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imports(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), as dotted names; `from a import b`
    counts as both a and a.b, so that `from lib import lessons` is seen as lib.lessons."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def uses(path: Path, *packages: str) -> list[str]:
    return sorted(m for m in imports(path) if any(m == p or m.startswith(p + ".") for p in packages))


def test_the_source_is_there():
    assert len(PAGES) >= 3 and any(rel(p) == "lib/ui.py" for p in LIB)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_page_has_a_lesson_with_notices(page):
    lesson = ROOT / "lib" / "lessons" / page.name
    assert lesson.is_file(), f"{rel(page)} has no lesson module {rel(lesson)}"
    tree = ast.parse(lesson.read_text(encoding="utf-8"))
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "notices" in names, f"{rel(lesson)} has no top-level notices() function"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_pages_import_no_torch_or_transformers(page):
    assert not uses(page, "torch", "transformers"), rel(page)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_page_uses_its_lesson(page):
    assert f"lib.lessons.{page.stem}" in imports(page), f"{rel(page)} does not import lib.lessons.{page.stem}"


def test_only_ui_imports_streamlit():
    offenders = [rel(p) for p in LIB if rel(p) != "lib/ui.py" and uses(p, "streamlit")]
    assert not offenders, offenders


def test_no_lesson_imports_streamlit():
    offenders = [rel(p) for p in (ROOT / "lib" / "lessons").glob("*.py") if uses(p, "streamlit")]
    assert not offenders, offenders


def test_lower_layers_never_import_lessons_pages_or_ui():
    offenders = {rel(p): uses(p, "lib.lessons", "app_pages", "lib.ui") for p in LIB if rel(p).startswith(LOWER)}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, offenders


def test_the_checks_see_an_import_inside_a_function(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def g():\n    from lib import lessons\n    import streamlit as st\n")
    assert uses(f, "lib.lessons") == ["lib.lessons"] and uses(f, "streamlit") == ["streamlit"]
