"""The RNN unrolling page, through the real app.py: text and cell choice, the step control (slider and buttons)
moving the highlighted step, the predictions, the gradients for all three cells, friendly bad input."""
import re

from tests.apptest import NOTICE_HEADING, open_page, texts

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
    untrained, trained = metric_groups(at)
    assert set(trained) == {"vanilla RNN", "LSTM", "GRU"} and all(0 < float(v) for v in trained.values())
    assert "**20 steps back** (trained)" in texts(at)
    untrained = {c: float(v.lstrip("\u00d7")) for c, v in untrained.items()}
    assert set(untrained) == {"vanilla RNN", "LSTM", "GRU"} and all(0 < v < 1 for v in untrained.values())


def metric_groups(at) -> tuple[dict, dict]:
    """The two rows of metrics: {cell: factor per step, untrained}, {cell: relative gradient N steps back, trained}."""
    ms = list(at.metric)
    assert len(ms) == 6
    return {m.label: m.value for m in ms[:3]}, {m.label: m.value for m in ms[3:]}


def notice_points(at) -> list[str]:
    return [line for m in at.markdown if m.value.startswith(("- ", NOTICE_HEADING)) for line in m.value.split("\n")]


def test_gradient_text_agrees_with_the_numbers_shown():
    """Every number the gradient points quote is one the metrics show, all three cells are named, and the
    claims (which cell fades fastest untrained, which keeps the most trained) follow the numbers."""
    at = open_page(PAGE)
    untrained, trained_m = metric_groups(at)
    metrics = {**{c + ": per step (untrained)": v for c, v in untrained.items()},
               **{c + ": 20 steps back": v for c, v in trained_m.items()}}
    body = "\n".join(notice_points(at))
    untrained_pt = next(p for p in notice_points(at) if p.startswith("- **Untrained**"))
    trained_pt = next(p for p in notice_points(at) if p.startswith("- **Trained**"))
    for cell in ("vanilla RNN", "LSTM", "GRU"):
        assert cell in untrained_pt and cell in trained_pt
        assert f"{metrics[cell + ': per step (untrained)']} for the {cell}" in untrained_pt
        assert f"{cell} {metrics[cell + ': 20 steps back']}" in trained_pt
    factors = {c: float(metrics[c + ": per step (untrained)"].lstrip("\u00d7")) for c in ("vanilla RNN", "LSTM", "GRU")}
    assert min(factors, key=factors.get) == "vanilla RNN"  # the textbook claim, where it holds: untrained
    assert "the vanilla RNN, with no gates, fades fastest" in untrained_pt
    trained = {c: float(metrics[c + ": 20 steps back"]) for c in factors}
    best, worst = max(trained, key=trained.get), min(trained, key=trained.get)
    assert f"the {best} keeps the most and the {worst} the least" in trained_pt
    # the default text has two sentences: the drop at the full stop is measured and said
    assert "they fall at the full stop 44 steps back" in body


def test_untrained_decay_is_geometric_on_any_text():
    at = open_page(PAGE)
    at.text_input(key="rnn_text").set_value("The capital of France is Paris.").run()
    assert not at.exception
    pt = next(p for p in notice_points(at) if p.startswith("- **Untrained**"))
    m = re.search(r"R\u00b2 \u2265 (0\.\d+)", pt)
    assert m and float(m.group(1)) >= 0.99
    assert "type two sentences" in "\n".join(notice_points(at))  # one sentence: no boundary claim


def test_examples_and_bad_input_are_friendly():
    at = open_page(PAGE)
    at.selectbox(key="rnn_example").set_value("In Japan, people pay with the Japanese yen.").run()
    assert not at.exception
    assert at.text_input(key="rnn_text").value == "In Japan, people pay with the Japanese yen."
    at.text_input(key="rnn_text").set_value("x").run()
    assert not at.exception
    assert any("at least two characters" in i.value for i in at.info)
    at.text_input(key="rnn_text").set_value("Привет 👋 мир, the capital 日本").run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "Never seen in the training text" in w.value)
    for ch in ("П", "👋", "日", "本"):  # passed through intact (a box in a browser is a missing font)
        assert ch in warning


def test_the_longest_text_draws_every_chart():
    """120 characters: a 7,680-cell state map (over Altair's default 5,000-row limit) and 120 gradient steps."""
    at = open_page(PAGE)
    text = ("The capital of France is Paris. In Japan, people pay with the Japanese yen. " * 2)[:120]
    at.text_input(key="rnn_text").set_value(text).run()
    assert not at.exception, at.exception
    at.slider(key="rnn_step").set_value(120).run()
    assert not at.exception, at.exception
    assert "This is the last character." in texts(at)
