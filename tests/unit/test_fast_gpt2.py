"""lib/models/fast_gpt2.py computes what transformers' GPT2LMHeadModel computes: the same next-token logits (prompt,
cached steps, several new positions after a cache), the same samples from lib.sampling, and it steps aside for
configurations it does not implement."""
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from lib import sampling
from lib.models import fast_gpt2, registry

CHECKPOINTS = ["gpt_base", "gpt_sft", "gpt_dpo"]


def _reference(model, ids):
    with torch.inference_mode():
        return model(input_ids=ids).logits[:, -1]


@pytest.fixture(scope="module", params=CHECKPOINTS)
def lm(request):
    return registry.load(request.param)


def test_the_embedded_models_take_the_fast_path(lm):
    assert fast_gpt2.supported(lm.model)


def test_prompt_then_cached_steps_match_transformers(lm):
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, lm.model.config.vocab_size, (3, 9), generator=g)
    logits, cache = fast_gpt2.forward(lm.model, ids[:, :6])
    torch.testing.assert_close(logits, _reference(lm.model, ids[:, :6]), atol=1e-4, rtol=1e-4)
    for t in range(6, 8):  # one position at a time, from the cache
        logits, cache = fast_gpt2.forward(lm.model, ids[:, t:t + 1], cache)
        torch.testing.assert_close(logits, _reference(lm.model, ids[:, :t + 1]), atol=1e-4, rtol=1e-4)
    logits, _ = fast_gpt2.forward(lm.model, ids[:, 8:], cache)
    torch.testing.assert_close(logits, _reference(lm.model, ids), atol=1e-4, rtol=1e-4)
    # several new positions after a cache (the causal mask's offset)
    logits, cache = fast_gpt2.forward(lm.model, ids[:, :4])
    logits, _ = fast_gpt2.forward(lm.model, ids[:, 4:], cache)
    torch.testing.assert_close(logits, _reference(lm.model, ids), atol=1e-4, rtol=1e-4)


def test_repeated_prompts_are_computed_once_with_the_same_result(lm):
    ids = torch.tensor([lm.encode("The capital of France is")] * 4 + [lm.encode("The capital of Spain is")])
    a, ca = fast_gpt2.forward(lm.model, ids)
    b, cb = fast_gpt2.forward_dedup(lm.model, ids)
    torch.testing.assert_close(a, b)
    for (ka, va), (kb, vb) in zip(ca, cb):
        torch.testing.assert_close(ka, kb)
        torch.testing.assert_close(va, vb)


@pytest.mark.parametrize("temperature,top_k,top_p", [(0.0, 0, 1.0), (1.0, 0, 1.0), (0.8, 5, 0.9)])
def test_samples_equal_the_transformers_path(lm, monkeypatch, temperature, top_k, top_p):
    prompts = ["The capital of Paraguay is", "Question: What is the capital of Zorvania?\nAnswer:"]
    fast = [sampling.generate(lm, [p] * 6, temperature=temperature, top_k=top_k, top_p=top_p, seed=s)
            for p in prompts for s in (1, 2)]
    monkeypatch.setattr(fast_gpt2, "supported", lambda model: False)
    slow = [sampling.generate(lm, [p] * 6, temperature=temperature, top_k=top_k, top_p=top_p, seed=s)
            for p in prompts for s in (1, 2)]
    assert [[c.text for c in run] for run in fast] == [[c.text for c in run] for run in slow]
    for run_f, run_s in zip(fast, slow):
        for f, s in zip(run_f, run_s):
            assert f.probs == pytest.approx(s.probs, abs=1e-4)


def _tiny(**overrides) -> GPT2LMHeadModel:
    config = GPT2Config(vocab_size=50, n_positions=32, n_embd=16, n_layer=2, n_head=2, **overrides)
    torch.manual_seed(0)
    return GPT2LMHeadModel(config).eval()


@pytest.mark.parametrize("overrides", [{"scale_attn_by_inverse_layer_idx": True}, {"reorder_and_upcast_attn": True},
                                       {"activation_function": "relu"}, {"scale_attn_weights": False}])
def test_other_gpt2_options_go_through_transformers(overrides):
    assert fast_gpt2.supported(_tiny())
    assert not fast_gpt2.supported(_tiny(**overrides))


def test_training_mode_and_other_architectures_go_through_transformers():
    model = _tiny()
    model.train()
    assert not fast_gpt2.supported(model)
    assert not fast_gpt2.supported(torch.nn.Linear(2, 2))


def test_a_small_gpt2_with_exact_gelu_matches_too():
    model = _tiny(activation_function="gelu")
    ids = torch.randint(0, 50, (2, 7), generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(fast_gpt2.forward(model, ids)[0], _reference(model, ids), atol=1e-5, rtol=1e-5)
