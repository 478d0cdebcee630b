"""lib.lessons.sampling_hallucination: next-token tables from cached logits, sample summaries, escaped coloured tokens."""
import numpy as np
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from lib import sampling
from lib.lessons import sampling_hallucination as lm_lab
from lib.models import lm as lm_module


@pytest.fixture(scope="module")
def tiny_lm():
    tok = lm_module.train_tokenizer(["The capital of France is Paris.", "<b>&</b>"] * 20, vocab_size=290)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=16, n_layer=1, n_head=2))
    model.eval()
    return lm_module.LM(model, tok, "tiny")


def test_distribution_frame_uses_cached_logits_and_processors(tiny_lm):
    nt = lm_lab.next_token_of(tiny_lm, "The capital of")
    before = nt.logits.copy()
    df = lm_lab.distribution_frame(nt, 0.7, 5, 0.9)
    expected = sampling.probabilities(torch.from_numpy(nt.logits), 0.7, 5, 0.9).numpy()
    body = df[df["id"] >= 0]
    assert np.allclose(body["probability"], expected[body["id"]], atol=1e-7)
    assert df["probability"].sum() == pytest.approx(1.0, abs=1e-6)
    assert (body["status"] == "kept").sum() <= 5
    assert np.array_equal(nt.logits, before)
    assert len(body) == lm_lab.TOP and list(body["id"]) == list(np.argsort(-nt.logits, kind="stable")[:lm_lab.TOP])


def test_greedy_frame_is_one_hot(tiny_lm):
    nt = lm_lab.next_token_of(tiny_lm, "The capital of")
    df = lm_lab.distribution_frame(nt, 0.0, 0, 1.0)
    assert df.iloc[0]["probability"] == 1.0 and (df["probability"].iloc[1:] == 0).all()
    assert lm_lab.kept_count(nt, 0.0, 0, 1.0) == 1


def test_empty_prompt_is_refused(tiny_lm):
    with pytest.raises(ValueError):
        lm_lab.next_token_of(tiny_lm, "")


def test_samples_and_counts(tiny_lm):
    s = lm_lab.samples(tiny_lm, "The capital of", 6, 1.0, 0, 1.0, seed=2, max_new_tokens=4)
    assert s == lm_lab.samples(tiny_lm, "The capital of", 6, 1.0, 0, 1.0, seed=2, max_new_tokens=4)
    counts = lm_lab.answer_counts(s)
    assert counts["count"].sum() == 6
    ent = lm_lab.entropy_frame(s)
    assert (ent["entropy_bits"] >= 0).all()


def test_coloured_tokens_are_escaped():
    html = lm_lab.coloured_tokens_html(["<script>", " & ", "\n"], [0.1, 0.5, 0.9])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert html.count("<span") == 3


# --------------------------------------------------------------------------------------------- notices, by hand
def test_top_k_keeps_ties_and_says_so():
    nt = lm_lab.NextToken(("a",), np.array([2.0, 1.0, 1.0, 1.0, 0.0], dtype=np.float32), (0, 1, 2, 3, 4),
                          ("a", "b", "c", "d", "e"))
    assert lm_lab.kept_count(nt, 1.0, 2, 1.0) == 4          # the 2nd logit ties with two others: all three kept
    notes = lm_lab.distribution_notices("temperature 1", "a", 0.5, 0.4, 4, 5, 2)
    assert any("Top-k is 2 but 4 tokens are kept" in n for n in notes)
    assert not any("Top-k is" in n for n in lm_lab.distribution_notices("t", "a", 0.5, 0.4, 2, 5, 2))
    assert not any("Top-k is" in n for n in lm_lab.distribution_notices("t", "a", 0.5, 0.4, 5, 5, 0))


def test_distribution_notice_single_token_left():
    notes = lm_lab.distribution_notices("temperature 0 (greedy)", "\u00b7Paris", 1.0, 0.7, 1, 512, 0)
    assert "**100.0%** for the sampler (the model's own: 70.0%); 1 of 512" in notes[0]
    assert "Only one token is left" in notes[1]
    assert len(lm_lab.distribution_notices("t", "x", 0.5, 0.5, 3, 512, 0)) == 1


def _sample_notes(**over):
    args = dict(n=20, seed=0, distinct=3, common=" Paris.", common_count=12, temperature=1.0, top_token=" A",
                p_top=0.4, n_top=8, endings=5, common_first=" Paris")
    args.update(over)
    return lm_lab.sample_notices(**args)


def test_sample_notices_greedy_and_single_answer():
    notes = _sample_notes(distinct=1, common_count=20, temperature=0.0, common_first=" A")
    assert "gave **1** distinct continuation;" in notes[0] and "every sample is the same" in notes[0]
    assert len(notes) == 1


def test_sample_notices_most_likely_token_is_not_the_most_common_sample():
    notes = _sample_notes()
    assert "gave **3** distinct continuations" in notes[0] and "greedy" not in notes[0]
    assert "The most likely *next token* is `\u00b7A` (40.0%)" in notes[1] and "in 5 different ways" in notes[1]
    assert len(_sample_notes(common_first=" A")) == 1          # they agree: nothing to explain
    assert len(_sample_notes(common_first=None)) == 1
    assert "in 1 different way," in _sample_notes(endings=1)[1]


def test_lab_notices_garbled_name():
    base = ("Liene", "The capital of Liene is", "Paris.", 0.25)
    assert len(lm_lab.lab_notices(*base, ("Paris.", "The capital of Liene is X.", "I don't know"))) == 1
    two = lm_lab.lab_notices(*base, ("Paris.", "I don't know the capital of Leene.", "x"))
    assert "spells Liene differently" in two[1] and "(p = 0.250)" in two[0]


def test_closing_notices_from_measured_rates():
    O = lm_lab.Outcome
    base, sft, dpo = O(0.1, 0.0, 0.9), O(0.96, 0.0, 0.04), O(0.19, 0.8, 0.01)
    out = lm_lab.notices(lm_lab.Measured(base, sft, dpo, 0.8, 0.9, 0.3))
    # the base model's "a." is neither, not an answer (issue 15)
    assert "names a capital for **10%**" in out[1] and "never says it does not know" in out[1]
    assert "the other **90%** are *neither*" in out[1]
    assert "SFT names a capital for **96%**" in out[2]
    assert "abstains on **80%** and still names a capital for **19%** (neither 1%)" in out[3]
    assert "**80%** balanced accuracy" in out[4]
    worse = lm_lab.notices(lm_lab.Measured(O(0.7, 0.1, 0.2), O(0.5, 0.1, 0.4), O(0.7, 0.15, 0.15), 0.5, 0.4, 0.4))
    assert "never says" not in worse[1] and "says it does not know for 10%" in worse[1]
    assert "*neither*" not in worse[1] and "; 20% are neither." in worse[1]
    assert "no more than the base model (70%)" in worse[2]
    assert "DPO did not teach it to abstain" in worse[3] and "abstains on only 15%" in worse[3]
    assert "does not separate known from invented" in worse[4]          # a tie in agreement
    assert len(lm_lab.notices(lm_lab.Measured(base, sft, dpo))) == 4      # no self-consistency figures
    assert len(lm_lab.notices(None)) == 1


def test_outcomes_from_a_report():
    rep = {"evaluation": {
        "gpt_base": {"format_for_hallucination": "completion", "names_capital_by_temperature": {"0.0": 0.1, "1.0": 0.2},
                     "completion": {"invented_names_a_capital": 0.1, "abstention_invented": 0.0}},
        "gpt_dpo": {"format_for_hallucination": "qa", "names_capital_by_temperature": {"0.0": 0.25},
                    "qa": {"invented_names_a_capital": 0.25, "capital": {"abstention_invented": 0.7}}}}}
    assert lm_lab.outcomes(rep, "gpt_base") == {"capital": 0.1, "abstain": 0.0, "neither": 0.9}
    assert abs(lm_lab.outcomes(rep, "gpt_dpo")["neither"] - 0.05) < 1e-9
    assert lm_lab.outcomes(rep, "gpt_sft") is None
    frame = lm_lab.outcome_frame(rep)
    assert len(frame) == 2 and list(frame.columns) == ["checkpoint", "names a capital", "abstains", "neither"]
    assert frame.iloc[0, 1:].tolist() == [10.0, 0.0, 90.0]                            # percent
    rates = lm_lab.hallucination_frame(rep)
    assert rates[rates.temperature == 1.0]["hallucination_rate"].tolist() == [0.2]   # the classifier's key


def test_describe_settings():
    assert lm_lab.describe(0.0, 0, 1.0) == "temperature 0 (greedy), top-k off, top-p 1"
    assert lm_lab.describe(0.7, 5, 0.9) == "temperature 0.7, top-k 5, top-p 0.9"


def test_the_lab_draws_with_one_fixed_seed_whatever_section_2s_seed():
    assert lm_lab.lab_seed(0.0, 1234) == lm_lab.lab_seed(0.0, 7) == lm_lab.LAB_SEED
    assert lm_lab.lab_seed(0.5, 1234) == lm_lab.lab_seed(1.5, 7) == lm_lab.LAB_SEED


def test_the_lab_opens_on_the_post_training_pages_country(monkeypatch):
    """The lab's default country is the post-training page's (an invented name the shipped DPO model refuses), and
    the first invented option when that name is not in the lab's list."""
    from lib.lessons import post_training
    from lib.models.lm import load_report

    invented = [o.split(" (")[0] for o in lm_lab.lab_options(load_report()) if "(invented" in o]
    assert lm_lab.lab_default() == post_training.default_option() and lm_lab.lab_default() in invented
    monkeypatch.setattr(post_training, "default_option", lambda report=None: "Atlantis")
    assert lm_lab.lab_default() == invented[0]


def test_a_flat_temperature_line_is_explained_only_when_there_is_one():
    import pandas as pd
    rows = [("Base", 0.0, 0.35), ("Base", 1.5, 0.15), ("DPO", 0.0, 0.065), ("DPO", 1.5, 0.065)]
    frame = pd.DataFrame(rows, columns=["checkpoint", "temperature", "hallucination_rate"])
    note = lm_lab.flat_rate_note(frame)
    assert note.startswith("A flat line is measured") and "DPO stays at 6% at every temperature" in note
    assert "Base" not in note and "This checkpoint's answers" in note
    moving = frame.assign(hallucination_rate=[0.35, 0.15, 0.065, 0.1])
    assert lm_lab.flat_rate_note(moving) is None
    assert lm_lab.flat_rate_note(frame.iloc[[0, 2]]) is None   # one temperature per line: nothing is flat
