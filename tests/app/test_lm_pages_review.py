"""After the usability review: the sampling and post-training pages tell one story about the base model (probed with
the completion prompt, never abstaining), and the numbers in the text are the numbers in the tables."""
import pytest

from lib.lessons import post_training as lm_lab
from lib.models.probes import name_garbled
from lib.models import registry
from tests.apptest import open_page, texts

pytestmark = pytest.mark.skipif(not (registry.model_dir("gpt_base") / "model.safetensors").exists(),
                                reason="embedded GPT not built (python -m lib.train gpt)")


def test_sampling_lab_and_post_training_agree_on_the_base_model():
    samp = open_page("app_pages/sampling_hallucination.py")
    assert not samp.exception
    lab = samp.dataframe[1].value
    name = samp.selectbox(key="samp_lab_country").value.split(" (")[0]
    body = texts(samp)
    assert f"Prompts: base `The capital of {name} is`; SFT and DPO `Question:" in body
    assert f"continues \u201c{lab.iloc[0]['answer']}\u201d" in body
    assert "never says it does not know" in body

    pt = open_page("app_pages/post_training.py")
    assert not pt.exception
    table = pt.dataframe[1].value
    pname = pt.selectbox(key="pt_country").value.split(" (")[0]
    body = texts(pt)
    assert f"Prompts: base `The capital of {pname} is`; SFT and DPO `Question:" in body
    assert "(nothing: it does not know the question format)" not in body
    assert f"with \u201c{table.iloc[0]['answer']}\u201d" in body
    if pname == name:
        assert table.iloc[0]["answer"] == lab.iloc[0]["answer"]  # greedy, same prompt, same model
    dpo = table.iloc[2]
    if any(name_garbled(pname, a) for a in table["answer"]):
        assert "copies the name from the question token by token" in body
    if dpo[lm_lab.WHOLE_COLUMN] < 0.9 * dpo[lm_lab.IDK_COLUMN] and "know" in dpo["answer"]:
        assert f"{dpo[lm_lab.WHOLE_COLUMN]:.3f} although its first word has {dpo[lm_lab.IDK_COLUMN]:.3f}" in body


def test_greedy_sampling_says_one_answer_and_explains_the_first_token():
    at = open_page("app_pages/sampling_hallucination.py")
    at.slider(key="samp_temperature").set_value(0.0).run()
    assert not at.exception
    body = texts(at)
    assert "gave **1** distinct continuation;" in body
    at.slider(key="samp_temperature").set_value(1.0).run()
    body = texts(at)
    assert "The most likely *next token* is" in body or "distinct continuation" in body


def test_samples_redraw_with_the_sliders():
    at = open_page("app_pages/sampling_hallucination.py")
    at.slider(key="samp_temperature").set_value(0.0).run()
    assert "temperature 0 (greedy)" in texts(at)
    assert not any(b.label == "Sample again" for b in at.button)  # no button needed: they follow the sliders
    assert not at.exception
