import subprocess
import sys

from tests.apptest import ROOT, open_page, texts


def test_home_renders_timeline_agenda_quiz_and_no_exception():
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "From machine learning to foundation models"
    body = texts(at)
    assert "What to notice" in body and "Check yourself" in body and "References" in body
    assert "Attention" in body and "Transfer learning" in body
    # the default comparison: GPT (117 M) against GPT-3 (175 B)
    assert [m.value for m in at.metric] == ["117 M", "175 B", "1,496x"]
    assert "**1,496x**" in body


def test_comparison_follows_the_widgets_and_what_to_notice_follows_the_numbers():
    at = open_page()
    at.selectbox(key="home_a").set_value("BERT").run()
    at.selectbox(key="home_b").set_value("GPT-2").run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["340 M", "1.5 B", "4.41x"]
    assert "**GPT-2** has **4.41x** the parameters of **BERT**, released 4 months later" in texts(at)
    assert at.query_params == {"home_a": "BERT", "home_b": "GPT-2"}  # the demo is bookmarkable


def test_url_sets_the_demo_and_bad_values_fall_back_to_defaults():
    at = open_page(query={"home_a": "T5", "home_b": "no such model"})
    assert at.selectbox(key="home_a").value == "T5"
    assert at.selectbox(key="home_b").value == "GPT-3"
    assert not at.exception


def test_family_filter_and_empty_selection_message():
    at = open_page()
    at.multiselect(key="home_families").set_value([]).run()
    assert not at.exception
    assert any("Pick at least one" in w.value for w in at.warning)


def test_projector_mode_from_url_and_toggle_hides_secondary_prose():
    normal = open_page()
    proj = open_page(projector=True)
    assert proj.toggle(key="projector").value is True
    assert proj.query_params.get("projector") == "1"
    assert len(texts(proj)) < len(texts(normal))  # secondary explanations are hidden
    proj.toggle(key="projector").set_value(False).run()
    assert "projector" not in proj.query_params and not proj.exception


def test_quiz_gives_feedback():
    at = open_page()
    at.radio(key="quiz_home_2").set_value("1.4 T").run()
    at.radio(key="quiz_home_0").set_value("It skips the encoder and reads the raw words directly").run()
    assert any("20 x 70 B" in s.value for s in at.success)
    assert any("Not quite" in w.value for w in at.warning)
    assert not any("weighs every input position" in w.value for w in at.warning)  # the answer is not given away
    at.radio(key="quiz_home_0").set_value("It weighs every input position afresh for each word it writes").run()
    at.radio(key="quiz_home_1").set_value("The next word of the text serves as the label").run()
    assert len(at.success) == 3 and "All 3 right." in [c.value for c in at.caption]


def test_home_page_imports_neither_torch_nor_transformers_nor_pandas_nor_altair():
    """A new visitor's first page opens on the standard library (issue 12: start-up): the charts are stored specs."""
    code = ("import sys; from streamlit.testing.v1 import AppTest; "
            f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=60).run(); "
            "assert not at.exception, at.exception; "
            "print(sorted(m for m in ('torch', 'transformers', 'pandas', 'altair', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_recurrent_era_is_drawn_and_the_quiz_distractor_is_not_our_own_encoder():
    """Issue 16: the RNN era (LSTM 1997, seq2seq and attention 2014) is on the page; the distractor "reads the whole
    input forwards and backwards" described the app's own bidirectional encoder, so it is gone."""
    at = open_page()
    charts = [c for c in at.get("arrow_vega_lite_chart")] or at.get("vega_lite_chart")
    assert any("recurrent era" in str(c.proto.spec) for c in charts)
    options = [o for r in at.radio if r.key == "quiz_home_0" for o in r.options]
    assert options and not any("backwards" in o for o in options)
    assert any("fixed-size vector" in o for o in options)
    at.selectbox(key="home_a").set_value("seq2seq").run()
    assert not at.exception and at.metric[0].value == "384 M"
