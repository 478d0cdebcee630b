"""The Model size lesson: the calculator against real transformers models, the chapter's worked examples, and
every branch of notices() on hand-made numbers."""
import math

import pytest

from lib.lessons import model_size as sizing
from lib.lessons.model_size import GPTShape


@pytest.mark.parametrize("shape", [
    GPTShape(1, 8, 1, 10, 4),
    GPTShape(2, 64, 4, 100, 32),
    GPTShape(3, 48, 6, 257, 128),
    GPTShape(4, 128, 8, 1000, 64),
    GPTShape(2, 32, 2, 50, 16, tied_output=False),
])
def test_formula_matches_a_real_gpt2(shape):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(n_layer=shape.n_layer, n_embd=shape.d_model, n_head=shape.n_head,
                        vocab_size=shape.vocab_size, n_positions=shape.context,
                        tie_word_embeddings=shape.tied_output, bos_token_id=0, eos_token_id=0)
    model = GPT2LMHeadModel(config)
    assert sizing.count_parameters(shape) == sum(p.numel() for p in model.parameters())


def test_count_real_parameters_small_is_cpu_large_is_meta():
    small = GPTShape(2, 64, 4, 100, 32)
    assert sizing.count_real_parameters(small) == (sizing.count_parameters(small), "cpu")
    big = GPTShape(12, 768, 12, 50257, 1024)  # GPT-2 small's shape: 124 M
    n, device = sizing.count_real_parameters(big)
    assert device == "meta" and n == sizing.count_parameters(big) == 124_439_808


def test_breakdown_sums_and_heads_add_nothing():
    a = GPTShape(4, 128, 1, 500, 64)
    b = GPTShape(4, 128, 8, 500, 64)
    assert sizing.count_parameters(a) == sizing.count_parameters(b)
    assert sum(sizing.parameter_breakdown(a).values()) == sizing.count_parameters(a)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="divide"):
        sizing.count_parameters(GPTShape(2, 65, 4, 100, 32))
    with pytest.raises(ValueError, match="at least 1"):
        sizing.count_parameters(GPTShape(0, 64, 4, 100, 32))


def test_gpt3_compute():
    assert sizing.training_flops(175e9, 300e9) == pytest.approx(3.15e23, rel=1e-12)


def test_chinchilla_rule():
    assert sizing.chinchilla_tokens(70e9) == pytest.approx(1.4e12)


def test_huyen_cost_example():
    ex = sizing.HUYEN_EXAMPLE
    cost = sizing.training_cost(ex["flops"], ex["gpus"], ex["utilisation"], sizing.DEFAULT_PEAK_FLOPS,
                                ex["price_per_gpu_hour"])
    assert cost.days_at_full_use == pytest.approx(236, abs=1.5)
    assert cost.dollars == pytest.approx(4.14e6, rel=0.01)
    assert cost.days == pytest.approx(cost.days_at_full_use / 0.7)
    # the same with 6 N D instead of the reported figure
    cost2 = sizing.training_cost(sizing.training_flops(175e9, 300e9), 256, 0.7)
    assert cost2.days_at_full_use == pytest.approx(236, abs=2)
    assert cost2.dollars == pytest.approx(4.14e6, rel=0.01)


def test_cost_scales():
    base = sizing.training_cost(1e21, 8, 0.5, 1e14, 3.0)
    assert sizing.training_cost(1e21, 16, 0.5, 1e14, 3.0).days == pytest.approx(base.days / 2)
    assert sizing.training_cost(1e21, 16, 0.5, 1e14, 3.0).dollars == pytest.approx(base.dollars)
    with pytest.raises(ValueError):
        sizing.training_cost(1e21, 0, 0.5)
    with pytest.raises(ValueError):
        sizing.training_cost(1e21, 8, 0.0)


def test_presets_come_from_the_chapter():
    presets = {p.model: p for p in sizing.load_presets()}
    assert presets["GPT-3"].parameters == 175e9 and presets["GPT-3"].training_tokens == 300e9
    assert presets["Chinchilla"].training_tokens == pytest.approx(20 * presets["Chinchilla"].parameters)
    mix = presets["Mixtral 8x7B"]
    assert (mix.parameters, mix.active_parameters, mix.training_tokens) == (46.7e9, 12.9e9, None)
    assert any(name.startswith("Llama") or name.startswith("LLaMA") for name in presets)


def test_moe_note():
    note = sizing.moe_note(46.7e9, 12.9e9)
    assert "46.7 B" in note and "12.9 B" in note and "28%" in note


def test_human():
    assert sizing.human(1.5e9) == "1.5 B"
    assert sizing.human(175e9) == "175 B"
    assert sizing.human(3.15e23, "FLOPs") == "3.15e+23 FLOPs"
    assert sizing.human(12) == "12"
    assert not math.isnan(sizing.count_parameters(GPTShape(1, 1, 1, 1, 1)))


def test_human_duration_and_money():
    assert sizing.human_duration(1 / 86_400 * 5) == "5 seconds"
    assert sizing.human_duration(0.5) == "12.0 hours"
    assert sizing.human_duration(337.4) == "337 days"
    assert sizing.human_duration(800) == "2.2 years (800 days)"
    assert sizing.human_money(0.004) == "$0.004"
    assert sizing.human_money(12.5) == "$12.50"
    assert sizing.human_money(4_142_811) == "$4.14 M"
    assert sizing.human_money(2.5e9) == "$2.5 B"


# ----------------------------------------------------------------------------------------- notices, by hand
def facts(n=100, emb=60, blocks=30, wider=300, deeper=130, d=64, layers=2):
    parts = (("Token embeddings", emb - 10), ("Position embeddings", 10), ("Attention", blocks // 3),
             ("MLP", blocks - blocks // 3), ("LayerNorms", n - emb - blocks))
    return sizing.ShapeFacts(GPTShape(layers, d, 1, 10, 4), parts, n, wider, deeper)


def test_shape_facts_of_a_real_shape():
    f = sizing.shape_facts(GPTShape(2, 64, 4, 100, 32))
    assert f.n == 108_544 and sum(v for _, v in f.parts) == f.n
    assert f.wider == sizing.count_parameters(GPTShape(2, 128, 4, 100, 32))
    assert f.deeper == sizing.count_parameters(GPTShape(4, 64, 4, 100, 32))


def test_embeddings_or_blocks_hold_most():
    small = sizing.notices(facts(emb=60, blocks=30), None, ())[0]
    assert "embeddings hold **60%**" in small and "outweighs the blocks" in small
    big = sizing.notices(facts(emb=20, blocks=75), None, ())[0]
    assert big.startswith("In your shape the Transformer blocks hold **75%**")


def test_width_or_layers_add_more_and_a_tie():
    assert sizing.notices(facts(wider=300, deeper=130), None, ())[1].endswith("the width adds more.")
    assert sizing.notices(facts(wider=130, deeper=300), None, ())[1].endswith("the layers add more.")
    assert sizing.notices(facts(wider=200, deeper=200), None, ())[1].endswith("both add the same.")


def make_plan(util=0.7, n=1e9, active=None, tokens_b=20.0, model=None):
    return sizing.plan(model, n, active or n, sizing.TOKEN_RULES[2], None, tokens_b, 8, util, 100.0, 2.0)


def test_plan_reads_the_token_rule_and_falls_back():
    assert make_plan().tokens == 20e9
    p = sizing.plan("M", 1e9, 1e9, sizing.TOKEN_RULES[1], None, None, 8, 0.5, 100.0, 2.0)
    assert p.fell_back and p.tokens == 20e9
    p = sizing.plan("M", 1e9, 1e9, sizing.TOKEN_RULES[1], 5e9, None, 8, 0.5, 100.0, 2.0)
    assert not p.fell_back and p.tokens == 5e9
    assert p.doubled.days == pytest.approx(p.cost.days / 2)


def test_tokens_per_parameter_against_chinchilla_three_ways():
    assert "(20.0 per parameter, Chinchilla's 20)" in sizing.notices(None, make_plan(tokens_b=20), ())[0]
    assert "fewer than Chinchilla's 20" in sizing.notices(None, make_plan(tokens_b=2), ())[0]
    assert "more than Chinchilla's 20" in sizing.notices(None, make_plan(tokens_b=200), ())[0]


def test_utilisation_low_high_and_full():
    assert sizing.notices(None, make_plan(util=0.5), ())[1].startswith("Doubling the utilisation to 100%")
    assert sizing.notices(None, make_plan(util=0.7), ())[1].startswith("Even at 100% utilisation")
    assert sizing.notices(None, make_plan(util=1.0), ())[1].startswith("At 100% utilisation every GPU-hour")


def test_moe_sentence_only_for_a_mixture_of_experts():
    assert len(sizing.notices(None, make_plan(), ())) == 2
    p = make_plan(n=40e9, active=10e9, model="MoE")
    moe = sizing.notices(None, p, ())
    assert len(moe) == 3 and "**10 B active** parameters, 1.2e+21 FLOPs, 25% of the 4.8e+21" in moe[2]
    assert f"needs {p.flops:.3g} FLOPs" in moe[0] and "(10 B active)" in moe[0]


def test_one_compute_rule_for_a_mixture_of_experts():
    """Issue 16: Mixtral's cards said 6 x total x D while the text said active. Compute follows the active count."""
    mix = sizing.presets()["Mixtral 8x7B"]
    p = sizing.plan(mix.model, mix.parameters, mix.active_parameters, sizing.TOKEN_RULES[0], None, None, 256, 0.7,
                    60.0, 2.0)
    assert p.tokens == pytest.approx(20 * 46.7e9)
    assert p.flops == pytest.approx(6 * 12.9e9 * 934e9) and f"{p.flops:.3g}" == "7.23e+22"
    assert p.cost == sizing.training_cost(p.flops, 256, 0.7, 60e12, 2.0)
    dense = sizing.plan("d", 46.7e9, 46.7e9, sizing.TOKEN_RULES[0], None, None, 256, 0.7, 60.0, 2.0)
    assert dense.flops == pytest.approx(6 * 46.7e9 * 934e9)
    assert "N_active" in sizing.COMPUTE_RULE


def test_tokens_per_parameter_over_time_all_branches():
    both = sizing.notices(None, None, (("A", 1.7), ("B", 20.0), ("C", 38.0)))[0]
    assert "from **1.7** (A) to **38** (C)" in both and "Below 20: A." in both and "Above 20: C;" in both
    single = sizing.notices(None, None, (("B", 20.0),))[0]
    assert "Below" not in single and "Above" not in single
    assert sizing.notices(None, None, ()) == []
