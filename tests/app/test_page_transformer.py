"""The Transformer page, through the real app.py: every head drawn, the hand-worked head equals the model's own
attention, and the parameter breakdown adds up to the real model."""
import pytest

from lib.models import registry
from tests.apptest import open_page, texts

PAGE = "app_pages/transformer.py"

pytestmark = pytest.mark.skipif(not (registry.model_dir("gpt_sft") / "model.safetensors").exists(),
                                reason="embedded GPT not built (python -m lib.train gpt)")


def test_page_renders_with_check_and_parameters():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "The Transformer"
    body = texts(at)
    for part in ("1. Every layer, every head", "2. One head, worked through by hand", "3. Where the parameters are",
                 "What to notice", "Check yourself", "References"):
        assert part in body, part
    assert any("equal up to float rounding" in s.value for s in at.success)
    n = sum(p.numel() for p in registry.load("gpt_sft").model.parameters())
    assert f"{n:,} parameters in all" in str(at.get("arrow_vega_lite_chart")) or f"of {n:,}" in body


def test_other_head_also_matches():
    at = open_page(PAGE)
    at.number_input(key="tf_layer").set_value(3)
    at.number_input(key="tf_head").set_value(2).run()
    assert not at.exception
    assert any("layer 3, head 2" in s.value and "equal up to float rounding" in s.value for s in at.success)


@pytest.mark.parametrize("prompt", ["", "a", "🙂 " * 300, "日本の首都は"])
def test_hostile_prompts_do_not_crash(prompt):
    at = open_page(PAGE)
    at.text_area(key="tf_prompt").input(prompt).run()
    assert not at.exception


def test_unreachable_hub_model_falls_back_with_a_clear_message():
    at = open_page(PAGE)
    at.session_state["model_source"] = "distilgpt2"
    at.run()
    assert not at.exception
    assert any("cannot be reached" in w.value for w in at.warning)
    assert any("equal up to float rounding" in s.value for s in at.success)


def test_split_notice_is_computed_kenya_splits_into_four_pieces_both_ways():
    # issue 16: "Kenya" is 4 pieces at the start and after a space; the page claimed "more pieces"
    at = open_page(PAGE)
    at.text_area(key="tf_prompt").input("Kenya lies in Africa. The currency of Kenya is the").run()
    assert not at.exception
    lm = registry.load("gpt_base")
    start = lm.encode("Kenya")
    spaced = lm.encode(" Kenya")
    body = texts(at)
    if len(start) > len(spaced):
        assert "splits into more pieces" in body
    else:
        assert "splits into more pieces (" not in body or "after a space splits" in body
    if start != spaced and len(start) == len(spaced):
        assert f"the same number of pieces ({len(start)})" in body
