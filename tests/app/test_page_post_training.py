"""The Post-training page, through the real app.py: the three checkpoints side by side with probabilities the
models really give, and a live DPO run that lowers its loss on the session's own copy of the model."""
import pytest
import torch

from lib.lessons import post_training as lm_lab
from lib.models.lm import CHECKPOINTS
from lib.data import facts
from lib.models import registry
from tests.apptest import open_page, texts

PAGE = "app_pages/post_training.py"

pytestmark = pytest.mark.skipif(not (registry.model_dir("gpt_dpo") / "model.safetensors").exists(),
                                reason="embedded GPT not built (python -m lib.train gpt)")


def test_page_renders_with_template_and_side_by_side():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Post-training"
    body = texts(at)
    for part in ("1. Three stages", "2. The same question", "3. Run DPO yourself", "What to notice",
                 "Check yourself", "References", "stabilising terms"):
        assert part in body, part
    df = at.dataframe[1].value  # [0] is the costs table in the expander
    assert list(df["checkpoint"]) == list(CHECKPOINTS.values())
    name = at.selectbox(key="pt_country").value.split(" (")[0]
    dpo = registry.load("gpt_dpo")
    prompt = facts.qa_prompt(name)
    ids = dpo.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    with torch.inference_mode():
        probs = torch.softmax(dpo.model(input_ids=torch.tensor([ids])).logits[0, -1], -1)
    i_token = dpo.tokenizer(" I", add_special_tokens=False)["input_ids"][0]
    the_token = dpo.tokenizer(" The", add_special_tokens=False)["input_ids"][0]
    assert df.iloc[2][lm_lab.IDK_COLUMN] == pytest.approx(float(probs[i_token]), rel=1e-4)
    assert df.iloc[2][lm_lab.ANSWER_COLUMN] == pytest.approx(float(probs[the_token]), rel=1e-4)


def test_live_dpo_lowers_its_loss_and_leaves_the_shared_model_alone():
    sft = registry.load("gpt_sft")
    before = {k: v.clone() for k, v in sft.model.state_dict().items()}
    at = open_page(PAGE)
    at.slider(key="pt_steps").set_value(20)
    next(b for b in at.button if "Run DPO" in b.label).click().run()
    assert not at.exception
    live = at.session_state["pt_live"]
    losses = [h["loss"] for h in live.history]
    assert len(losses) == 20
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5
    assert "Your run's loss went from" in texts(at)
    for k, v in sft.model.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_plain_dpo_option_runs():
    at = open_page(PAGE)
    at.slider(key="pt_steps").set_value(5)
    at.checkbox(key="pt_stabilise").uncheck()
    next(b for b in at.button if "Run DPO" in b.label).click().run()
    assert not at.exception
    assert "without the stabilising terms" in texts(at)


def test_comparison_table_shows_no_raw_none_and_live_legends_are_named():
    at = open_page(PAGE)
    assert not at.exception
    table = at.dataframe[1]
    assert table.value[lm_lab.ANSWER_COLUMN].isna().iloc[0]   # base: no question format...
    assert table.proto.placeholder == "\u2013"                # ...shown as a dash, not as a raw "None"
    at.slider(key="pt_steps").set_value(5)
    next(b for b in at.button if "Run DPO" in b.label).click().run()
    assert not at.exception
    charts = " ".join(str(c.proto) for c in at.get("vega_lite_chart"))
    assert "dpo_loss" not in charts and "pairs ranked right" in charts and "implicit reward" in charts


def test_heldout_section_shows_the_reports_figures_and_where_it_breaks():
    """Issue 15: the expander's tables and notices are the build report's held-out figures (read here straight from
    the JSON files, not through the lesson)."""
    import json
    from lib.paths import MODELS
    rep = json.loads((MODELS / "report_gpt.json").read_text())
    before = json.loads((MODELS / "gpt_heldout_before.json").read_text())
    dpo = rep["evaluation"]["heldout"]["gpt_dpo"]
    at = open_page(PAGE)
    body = texts(at)
    assert any("generalise" in e.label for e in at.expander)
    abstain = next(d.value for d in at.dataframe if "all three" in d.value.columns)
    pooled = abstain[abstain["phrasing"] == "all four held-out phrasings"].iloc[0]
    for gen, cell in dpo["invented"]["by_group"].items():
        assert pooled[gen] == pytest.approx(100 * cell["abstain"])
    assert f"DPO abstains on **{dpo['summary']['abstain_invented']:.0%}**" in body
    groups = dpo["invented"]["by_group"]
    worst = min(groups, key=lambda g: groups[g]["abstain"])
    assert f"It breaks on **{worst}** names: abstains on **{groups[worst]['abstain']:.0%}**" in body
    was = before["gpt_dpo"]["training_phrasing"]["known"]["held-out countries, seen 5+"]["accuracy"]
    now = dpo["training_phrasing"]["known"]["held-out countries, seen 5+"]["accuracy"]
    assert f"fell from **{was:.0%}** in the first build" in body and f"name shapes, to **{now:.0%}**" in body
    # the base model's "a." is neither, not an answer
    base = rep["evaluation"]["gpt_base"]["completion"]
    assert "100% of invented names get an answer" not in body
    assert (f"names a capital for {base['invented_names_a_capital']:.0%} of invented names; the other "
            f"{1 - base['invented_names_a_capital'] - base['abstention_invented']:.0%} are *neither*") in body


@pytest.mark.parametrize("projector, row", [(False, 35), (True, 49)])
def test_tables_set_their_row_height(projector, row):
    """The grid picks its row height from the type size it sees when first drawn, and on the projector the house CSS
    may come before or after it (35 or 49 px rows): the pages set it, so ui.table_height fits every row."""
    at = open_page(PAGE, projector=projector)
    assert at.dataframe and all(d.proto.row_height == row for d in at.dataframe)
