"""lib.sampling: exact values in the style of transformers' test_logits_process.py, and seeded generation."""
import math

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from lib import sampling
from lib.models import lm as lm_module
from lib.models import scoring


@pytest.fixture(scope="module")
def tiny_lm():
    tok = lm_module.train_tokenizer(["The capital of France is Paris.", "The capital of Japan is Tokyo."] * 20,
                                    vocab_size=300)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=16, n_layer=2, n_head=2,
                                       eos_token_id=tok.eos_token_id, bos_token_id=tok.eos_token_id))
    model.eval()
    return lm_module.LM(model, tok, "tiny")


def test_temperature_matches_huyens_example():
    logits = torch.tensor([1.0, 2.0])
    assert sampling.probabilities(logits, 1.0).tolist() == pytest.approx([0.269, 0.731], abs=1e-3)
    assert sampling.probabilities(logits, 0.5).tolist() == pytest.approx([0.119, 0.881], abs=1e-3)


def test_temperature_zero_is_argmax_and_input_unchanged():
    logits = torch.tensor([0.5, 3.0, -1.0, 2.9])
    before = logits.clone()
    probs = sampling.probabilities(logits, 0.0)
    assert probs.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert torch.equal(logits, before)


def test_processing_equals_transformers_processors():
    torch.manual_seed(1)
    logits = torch.randn(2, 50)
    before = logits.clone()
    ids = torch.zeros((2, 1), dtype=torch.long)
    expected = TopPLogitsWarper(0.8)(ids, TopKLogitsWarper(10)(ids, TemperatureLogitsWarper(0.7)(ids, logits.clone())))
    got = sampling.process(logits, 0.7, 10, 0.8)
    assert torch.equal(torch.isinf(got), torch.isinf(expected))
    assert torch.allclose(got[~torch.isinf(got)], expected[~torch.isinf(expected)])
    assert torch.equal(logits, before)


def test_top_k_and_top_p_cut_the_tail():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    assert (sampling.probabilities(logits, 1.0, top_k=2) > 0).tolist() == [True, True, False, False]
    # smallest set whose probability reaches 0.75: {0.5, 0.3}
    assert (sampling.probabilities(logits, 1.0, top_p=0.75) > 0).tolist() == [True, True, False, False]
    assert sampling.probabilities(logits, 1.0, top_p=0.75).sum().item() == pytest.approx(1.0)


def test_entropy_bits():
    assert sampling.entropy_bits(torch.tensor([0.5, 0.5, 0.0])).item() == pytest.approx(1.0)
    assert sampling.entropy_bits(torch.tensor([1.0, 0.0])).item() == pytest.approx(0.0)


def test_negative_temperature_rejected():
    with pytest.raises(ValueError):
        sampling.process(torch.zeros(3), -1.0)


def test_greedy_generation_equals_transformers_generate(tiny_lm):
    prompt = "The capital of"
    ids = tiny_lm.encode(prompt)
    ours = sampling.generate(tiny_lm, [prompt], temperature=0.0, max_new_tokens=6, stop="none")[0]
    ref = tiny_lm.model.generate(torch.tensor([ids]), max_new_tokens=6, do_sample=False,
                                 pad_token_id=tiny_lm.tokenizer.eos_token_id)[0, len(ids):].tolist()
    eos = tiny_lm.tokenizer.eos_token_id
    ref = ref[:ref.index(eos)] if eos in ref else ref
    assert ours.token_ids == ref


def test_same_seed_same_samples_and_batches_agree(tiny_lm):
    a = sampling.sample_many(tiny_lm, "The capital of", n=8, temperature=1.5, seed=3, stop="none")
    b = sampling.sample_many(tiny_lm, "The capital of", n=8, temperature=1.5, seed=3, stop="none")
    c = sampling.sample_many(tiny_lm, "The capital of", n=8, temperature=1.5, seed=4, stop="none")
    assert [x.token_ids for x in a] == [x.token_ids for x in b]
    assert [x.token_ids for x in a] != [x.token_ids for x in c]
    for cont in a:
        assert len(cont.probs) == len(cont.token_ids) == len(cont.entropies) == len(cont.model_probs)
        assert all(0 < p <= 1 for p in cont.probs)
        assert cont.probability == pytest.approx(math.prod(cont.model_probs))


def test_per_token_probabilities_are_the_models(tiny_lm):
    cont = sampling.generate(tiny_lm, ["The capital of"], temperature=0.0, max_new_tokens=3, stop="none")[0]
    ids = tiny_lm.encode("The capital of")
    for tid, p in zip(cont.token_ids, cont.model_probs):
        probs = torch.softmax(scoring.next_token_logits(tiny_lm.model, ids), -1)
        assert p == pytest.approx(float(probs[tid]), rel=1e-4)
        ids = ids + [tid]


def test_draw_follows_the_distribution_and_never_draws_a_cut_token():
    probs = torch.tensor([[0.5, 0.0, 0.3, 0.2, 0.0], [0.0, 0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0, 0.0]])
    gen = torch.Generator().manual_seed(0)
    draws = torch.stack([sampling.draw(probs, gen) for _ in range(4000)])  # 4000, 3
    assert draws[:, 1].eq(4).all() and draws[:, 2].eq(1).all()
    counts = torch.bincount(draws[:, 0], minlength=5).double() / len(draws)
    assert counts[1] == 0 and counts[4] == 0
    # 4000 draws: a share's standard error is under 0.008; 0.04 is five of them
    assert torch.allclose(counts[[0, 2, 3]], torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64), atol=0.04)
    again = torch.Generator().manual_seed(0)
    assert torch.equal(sampling.draw(probs, again), draws[0])  # the seed decides the draw


def test_draw_keeps_to_tokens_with_mass_when_the_uniform_number_rounds_up_to_the_total(monkeypatch):
    probs = torch.tensor([[0.25, 0.75, 0.0, 0.0]])
    monkeypatch.setattr(torch, "rand", lambda *a, **k: torch.ones(1, 1, dtype=torch.float64))  # u = the total
    assert sampling.draw(probs, torch.Generator()).item() == 1


def test_temperature_one_with_nothing_cut_is_the_models_own_distribution_exactly():
    """generate skips the processors at T = 1, top-k off, top-p 1 (one softmax, not two): valid only while
    processing changes no number there."""
    logits = torch.randn(20, 300, generator=torch.Generator().manual_seed(3)) * 6
    assert torch.equal(sampling.probabilities(logits, 1.0, 0, 1.0), torch.softmax(logits, dim=-1))


def test_sampled_probabilities_at_temperature_one_are_the_models(tiny_lm):
    outs = sampling.sample_many(tiny_lm, "The capital of", 6, temperature=1.0, seed=4, max_new_tokens=4, stop="none")
    for o in outs:
        assert o.probs == o.model_probs
        ids = tiny_lm.encode("The capital of")
        for tid, p in zip(o.token_ids, o.model_probs):
            probs = torch.softmax(scoring.next_token_logits(tiny_lm.model, ids), -1)
            assert p == pytest.approx(float(probs[tid]), rel=1e-4)
            ids = ids + [tid]
