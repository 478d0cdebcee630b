"""The table of contents (lib/site.py) and the timeline table (lib/data/tables.py)."""
from lib import site
from lib.data.tables import load_timeline
from lib.paths import ROOT


def test_every_registered_page_exists_and_url_paths_are_unique():
    infos = [site.HOME, *site.PAGES]
    for info in infos:
        assert (ROOT / info.path).is_file(), info.path
        assert info.path.startswith("app_pages/")
    assert len({i.url_path for i in infos}) == len(infos)
    site.pages_by_section()  # raises on an unknown section


def test_no_folder_named_pages():
    # anything called `pages` next to app.py makes Streamlit treat the app as a v1 multipage app (see lib/site.py)
    assert not (ROOT / "pages").exists()


def test_timeline_has_sources_and_figures_from_the_reference():
    df = load_timeline()
    assert df["source"].notna().all() and (df["source"].str.len() > 5).all()
    by = df.set_index("model")
    assert by.loc["GPT-3", "parameters"] == 175e9 and by.loc["GPT-3", "training_tokens"] == 300e9
    assert by.loc["Chinchilla", "training_tokens"] == 1.4e12
    assert by.loc["DeepSeek-V3", "active_parameters"] == 37e9
    assert list(df["date"]) == sorted(df["date"])
