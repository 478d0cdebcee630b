"""The Transfer learning page, through the real app.py: it renders, the main button trains the three models at a
small N and draws what they scored, stage 2 runs on pasted text, and hostile text in the stage-2 box gets a friendly
message, never an exception."""
import pytest
import torch

from lib.lessons import transfer_learning as tl
from lib.models import registry
from tests.apptest import open_page, texts

PAGE = "app_pages/transfer_learning.py"

pytestmark = pytest.mark.skipif(not (registry.model_dir("char_lstm") / "model.safetensors").exists()
                                or not tl.REPORT.exists(),
                                reason="char LSTM or transfer report not built (python -m lib.train rnn transfer)")


def test_page_renders_with_the_template():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Transfer learning"
    body = texts(at)
    for part in ("1. ULMFiT's three stages", "2. Accuracy against the number of labels", "3. Stage 2 on your own",
                 "4. From a classifier head to a prompt", "What to notice", "Check yourself", "References",
                 "Press the button"):
        assert part in body, part
    assert len(at.radio) >= 3  # the quiz


def test_main_button_trains_three_models_at_small_n():
    lm = registry.load("char_lstm")
    before = {k: v.clone() for k, v in lm.state_dict().items()}
    at = open_page(PAGE)
    at.select_slider(key="tl_n").set_value(16)
    at.number_input(key="tl_seed").set_value(7)  # a seed no other test uses, so the run is not a cache hit
    at.button(key="tl_run").click().run()
    assert not at.exception
    runs = at.session_state["tl_runs"]
    assert len(runs) == 1 and runs[0].n == 16 and runs[0].seed == 7
    assert set(runs[0].scores) == set(tl.METHODS)
    assert all(0.0 <= v <= 1.0 for by in runs[0].scores.values() for v in by.values())
    assert "Your run (N = 16, seed 7)" in texts(at)
    for k, v in lm.state_dict().items():  # the shared model was never trained
        assert torch.equal(v, before[k]), k


def test_stage2_runs_and_both_models_continue():
    at = open_page(PAGE)
    at.button(key="tl_stage2_run").click().run()
    assert not at.exception
    res = at.session_state["tl_stage2"]["result"]
    assert res.steps == tl.STAGE2_RUN.steps and res.pretrained_start < res.fresh_start
    assert len(at.code) >= 2
    at.text_input(key="tl_prompt").set_value("\U0001f600 <b>x</b>").run()
    assert not at.exception


HOSTILE = {
    "empty": ("", "at least"),
    "one_char": ("a", "at least"),
    "emoji": ("\U0001f600\U0001f44d\U0001f3fd " * 80, "alphabet"),
    "cyrillic": ("\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u0441\u0442\u043e\u043b\u0438\u0446\u0430 "
                 "\u0420\u043e\u0441\u0441\u0438\u0438. " * 20, "alphabet"),
    "novel": ("It was a bright cold day in April, and the clocks were striking thirteen. " * 1400, "limit"),
    "html": ("<script>alert(1)</script><img src=x onerror=alert(2)> " * 3, "at least"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_in_the_stage2_box(name):
    value, expect = HOSTILE[name]
    at = open_page(PAGE)
    at.text_area(key="tl_text").set_value(value).run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert expect in warnings, warnings
    assert at.button(key="tl_stage2_run").disabled
