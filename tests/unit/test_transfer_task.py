"""The transfer-learning task: real sentences against the same words shuffled, split so the test sets measure
something the labelled examples did not show."""
import random

import pytest

from lib.data import facts
from lib.data import transfer_task as task


def test_shuffle_keeps_the_words_and_restores_capital_and_full_stop():
    rng = random.Random(0)
    s = "The capital of Peru is Lima."
    for _ in range(20):
        out = task.shuffle_words(s, rng)
        assert out != s and out.endswith(".") and out[0].isupper()
        assert sorted(out.rstrip(".").lower().split()) == sorted(s.rstrip(".").lower().split())
        assert "Peru" in out and "Lima" in out  # names keep their capitals
        if not out.startswith("The "):
            assert " the " in out or out.endswith(" the.")  # the sentence-initial "The" lost its capital


def test_shuffle_refuses_a_sentence_it_cannot_change():
    with pytest.raises(ValueError):
        task.shuffle_words("Hello.", random.Random(0))


def test_country_split_is_disjoint_and_covers_every_country():
    split = task.country_split()
    parts = [set(v) for v in split.values()]
    assert sum(len(p) for p in parts) == len(facts.COUNTRIES) == len(set.union(*parts))
    assert len(split["test"]) == task.N_TEST_COUNTRIES and len(split["valid"]) == task.N_VALID_COUNTRIES


def test_labelled_examples_are_balanced_deterministic_and_never_about_test_countries():
    a, b = task.labelled_examples(64, seed=1), task.labelled_examples(64, seed=1)
    assert a == b and a != task.labelled_examples(64, seed=2)
    assert sum(e.label for e in a) == 32
    held = set(task.country_split()["test"]) | set(task.country_split()["valid"])
    big = task.labelled_examples(1024, seed=0)
    for e in big:
        assert not any(name in e.text for name in held if not any(name in other for other in
                                                                 task.country_split()["labelled"])), e.text
    with pytest.raises(ValueError):
        task.labelled_examples(15, 0)


def test_eval_sets_are_balanced_and_invented_names_never_in_pretraining():
    sets = task.eval_sets()
    for name, examples in sets.items():
        assert len(examples) > 100 and sum(e.label for e in examples) * 2 == len(examples), name
    pretraining = " ".join(facts.pretraining_sentences(0))
    invented = {e.text.split()[-1].rstrip(".") for e in sets["test_invented"] if e.text.startswith("The capital of")}
    assert invented and all(f" {w} " not in pretraining and f" {w}." not in pretraining for w in invented)
    labelled = set(task.labelled_pool())
    assert not labelled & {e.text for e in sets["test_countries"]}
    assert not labelled & {e.text for e in sets["test_invented"]}
