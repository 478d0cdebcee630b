"""The RNN unrolling page, through the real app.py: text and cell choice, the step control (slider and buttons)
moving the highlighted step, the predictions, the gradients for all three cells, friendly bad input."""
import re

from tests.apptest import open_page, texts

PAGE = "app_pages/rnn_unrolling.py"


def step_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Step "))


def test_page_renders_with_template():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert at.title[0].value == "RNN unrolling"
    body = texts(at)
    for part in ("What to notice", "Check yourself", "References", "Olah (2015)"):
        assert part in body, part
    assert "the 64 numbers of one column" in body
    assert {m.label.split(":")[0] for m in at.metric} == {"vanilla RNN", "LSTM", "GRU"}


def test_step_control_moves_the_highlighted_step():
    at = open_page(PAGE)
    assert step_line(at).startswith("**Step 1:** reads *T*")
    at.button(key="rnn_next").click().run()
    at.button(key="rnn_next").click().run()
    assert not at.exception
    assert at.slider(key="rnn_step").value == 3
    assert step_line(at).startswith("**Step 3:** reads *e*")
    at.slider(key="rnn_step").set_value(12).run()
    assert "Text so far: `The capital `" in step_line(at)
    at.button(key="rnn_back").click().run()
    assert at.slider(key="rnn_step").value == 11
    assert at.query_params.get("rnn_step") == "11"


def test_prediction_after_a_known_prefix():
    at = open_page(PAGE)
    at.slider(key="rnn_step").set_value(len("The capital of")).run()
    guess = next(m.value for m in at.markdown if m.value.startswith("- At step"))
    m = re.search(r"top guess for the next character is \*(.)\* \((\d+)%\)", guess)
    assert m and m.group(1) == "\u2423"  # after "of" comes a space


def test_cell_choice_and_gradients():
    at = open_page(PAGE)
    at.radio(key="rnn_cell").set_value("rnn").run()
    assert not at.exception
    assert "At step 1 the vanilla RNN read" in texts(at)
    values = [float(m.value) for m in at.metric]
    assert len(values) == 3 and all(0 < v for v in values)
    assert all(m.label.endswith("20 steps back") for m in at.metric)


def test_examples_and_bad_input_are_friendly():
    at = open_page(PAGE)
    at.selectbox(key="rnn_example").set_value("In Japan, people pay with the Japanese yen.").run()
    assert not at.exception
    assert at.text_input(key="rnn_text").value == "In Japan, people pay with the Japanese yen."
    at.text_input(key="rnn_text").set_value("x").run()
    assert not at.exception
    assert any("at least two characters" in i.value for i in at.info)
    at.text_input(key="rnn_text").set_value("Привет 👋 мир, the capital").run()
    assert not at.exception
    assert any("Never seen in the training text" in w.value for w in at.warning)
