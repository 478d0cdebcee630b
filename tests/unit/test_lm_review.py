"""After the usability review: chart legends name what the bars are, the entropy axis is readable, and garbled
names in answers are recognised."""
import pandas as pd
import pytest

from lib.models import probes
from lib.charts import lm as lmcharts


def test_next_token_bars_legend_names_model_sampler_and_cut():
    df = pd.DataFrame({"token": ["a", "b"], "id": [1, 2], "model_probability": [0.6, 0.4],
                       "probability": [1.0, 0.0], "status": ["kept", "cut"]})
    spec = lmcharts.next_token_bars(df).to_dict()
    domain = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain == [lmcharts.MODEL_SERIES, lmcharts.USED_SERIES, lmcharts.CUT_SERIES]
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"] == domain


def test_entropy_axis_is_formatted_even_when_all_zero():
    spec = lmcharts.entropy_curve(pd.DataFrame({"step": [1, 2], "entropy_bits": [0.0, 0.0]})).to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ".1f"
    assert spec["encoding"]["y"]["scale"]["domain"] == [0, 1.0]


def test_name_garbled():
    assert probes.name_garbled("Liene", "I don't know the capital of Leseania.")
    assert probes.name_garbled("Liene", "The capital of Lebanon is Thaipoli.")
    assert not probes.name_garbled("Liene", "I don't know the capital of Liene.")
    assert not probes.name_garbled("Liene", "a.")


def test_each_checkpoint_is_probed_with_its_own_format():
    assert probes.checkpoint_prompt("gpt_base", "Liene") == "The capital of Liene is"
    assert probes.checkpoint_prompt("gpt_dpo", "Liene").startswith("Question:")


def test_fast_next_token_spec_equals_the_altair_chart_with_new_numbers():
    first = pd.DataFrame({"token": ["a", "b"], "id": [1, 2], "model_probability": [0.6, 0.4],
                          "probability": [0.7, 0.3], "status": ["kept", "kept"]})
    second = first.assign(probability=[0.9, 0.1])
    lmcharts.next_token_spec(first, "one")
    fast = lmcharts.next_token_spec(second, "two")
    ref = lmcharts.finished_spec(lmcharts.next_token_bars(second).properties(title="two"))
    assert list(fast["datasets"].values()) == list(ref["datasets"].values())
    assert {k: v for k, v in fast.items() if k not in ("data", "datasets")} == \
        {k: v for k, v in ref.items() if k not in ("data", "datasets")}
    assert fast["data"]["name"] in fast["datasets"]


def _same_spec(fast: dict, ref: dict) -> None:
    assert list(fast["datasets"].values()) == list(ref["datasets"].values())
    assert {k: v for k, v in fast.items() if k not in ("data", "datasets")} == \
        {k: v for k, v in ref.items() if k not in ("data", "datasets")}
    assert fast["data"]["name"] in fast["datasets"]


@pytest.mark.parametrize("projector", [False, True])
def test_fast_sample_chart_specs_equal_the_altair_charts_with_new_samples(projector):
    first = pd.DataFrame({"answer": ["Paris.", "Lyon."], "count": [15, 5], "share": [0.75, 0.25]})
    second = pd.DataFrame({"answer": ["Asuncion.", "a city."], "count": [11, 9], "share": [0.55, 0.45]})
    lmcharts.answer_share_spec(first, "one", projector)
    _same_spec(lmcharts.answer_share_spec(second, "two", projector),
               lmcharts.finished_spec(lmcharts.answer_share_bars(second, projector=projector).properties(title="two"),
                                      projector))
    low = pd.DataFrame({"step": [1, 2], "entropy_bits": [0.2, 0.5], "samples": [20, 20]})
    high = pd.DataFrame({"step": [1, 2, 3], "entropy_bits": [3.5, 1.25, 0.5], "samples": [20, 12, 3]})
    lmcharts.entropy_spec(low, "Entropy", projector)
    for df in (high, low):  # the y range follows the data (at least 1 bit), not the first template's
        _same_spec(lmcharts.entropy_spec(df, "Entropy", projector),
                   lmcharts.finished_spec(lmcharts.entropy_curve(df, projector=projector).properties(title="Entropy"),
                                          projector))
