import pandas as pd

from lib import site
from lib.timeline import human, load_timeline, parameter_growth, times, tokens_per_parameter


def test_every_registered_page_exists_and_url_paths_are_unique():
    infos = [site.HOME, *site.PAGES]
    for info in infos:
        assert (site.ROOT / info.path).is_file(), info.path
        assert info.path.startswith("app_pages/")
    assert len({i.url_path for i in infos}) == len(infos)
    site.pages_by_section()  # raises on an unknown section


def test_no_folder_named_pages():
    # anything called `pages` next to app.py makes Streamlit treat the app as a v1 multipage app (see lib/site.py)
    assert not (site.ROOT / "pages").exists()


def test_timeline_has_sources_and_figures_from_the_reference():
    df = load_timeline()
    assert df["source"].notna().all() and (df["source"].str.len() > 5).all()
    by = df.set_index("model")
    assert by.loc["GPT-3", "parameters"] == 175e9 and by.loc["GPT-3", "training_tokens"] == 300e9
    assert by.loc["Chinchilla", "training_tokens"] == 1.4e12
    assert by.loc["DeepSeek-V3", "active_parameters"] == 37e9
    assert list(df["date"]) == sorted(df["date"])


def test_growth_and_tokens_per_parameter():
    df = load_timeline()
    g = parameter_growth(df)
    assert g.last == "DeepSeek-V3" and round(g.ratio) == round(671e9 / 213e6)
    assert 2 < g.per_year < 5
    tpp = tokens_per_parameter(df).set_index("model")["tokens_per_parameter"]
    assert tpp["Chinchilla"] == 20 and round(tpp["GPT-3"], 2) == 1.71


def test_growth_fit_is_exact_for_a_clean_doubling():
    df = pd.DataFrame({"model": ["a", "b", "c"], "date": pd.to_datetime(["2000-01-01", "2001-01-01", "2002-01-01"]),
                       "parameters": [1.0, 2.0, 4.0]})
    g = parameter_growth(df)
    assert abs(g.per_year - 2) < 0.01 and abs(g.doubling_months - 12) < 0.1


def test_human_numbers():
    assert human(1.5e9) == "1.5 B" and human(175e9) == "175 B" and human(2e12) == "2 T" and human(117e6) == "117 M"
    assert times(1496.3) == "1,496x" and times(2.914) == "2.91x"
