"""The gradient summaries of the RNN page: geometric decay of untrained cells, sentence ends, the boundary drop."""
import numpy as np
import pandas as pd
import pytest
import torch

from lib.lessons import rnn_unrolling as lesson
from lib.models import registry


def table(cell: str, rel: list[float]) -> pd.DataFrame:
    n = len(rel)
    return pd.DataFrame({"cell": cell, "steps back": list(range(n - 1, -1, -1)), "char": "x",
                         "relative to last": rel, "gradient norm": rel})


def test_decay_rate_recovers_a_geometric_factor():
    rel = [0.5 ** b for b in range(12, -1, -1)]  # oldest first
    factor, r2 = lesson.decay_rate(table("a", rel))["a"]
    assert factor == pytest.approx(0.5) and r2 == pytest.approx(1.0)
    bumpy = table("b", [1e-3, 1, 1e-3, 1, 1e-3, 1, 1])
    assert lesson.decay_rate(bumpy)["b"][1] < 0.5


def test_sentence_ends_in_steps_back():
    assert lesson.sentence_ends("Hi. Yo.") == [4]  # the full stop of "Hi." is 4 steps before the last "."
    assert lesson.sentence_ends("3.14 is pi.") == []  # a decimal point is no sentence end
    assert lesson.sentence_ends("No end") == []


def test_across_boundary_compares_the_two_sides():
    rel = [1e-4, 1e-4, 1e-4, 0.5, 0.5, 1.0]  # steps back 5..0; boundary at 3 steps back
    after, before = lesson.across_boundary(table("a", rel), 3)["a"]
    assert after == pytest.approx(0.5) and before == pytest.approx(1e-4)


def test_untrained_cells_decay_geometrically_and_the_vanilla_rnn_fastest():
    models = {c: registry.load(f"char_{c}") for c in ("rnn", "lstm", "gru")}
    before = torch.random.get_rng_state()
    fresh = lesson.untrained_gradient_table(models, "The capital of France is Paris.", seeds=(0, 1))
    assert torch.equal(before, torch.random.get_rng_state())  # the global generator is untouched
    rate = lesson.decay_rate(fresh)
    assert all(r2 > 0.99 for _f, r2 in rate.values())
    assert min(rate, key=lambda c: rate[c][0]) == "vanilla RNN"
    # the shared trained model is unchanged
    w = next(models["rnn"].parameters())
    assert np.isfinite(w.detach().numpy()).all() and lesson.untrained_like(models["rnn"], 0) is not models["rnn"]
