"""The shipped tiny GPT checkpoints against the numbers issues 3 and 15 ask for (fast: greedy, batched).

Issue 15 measures on inputs nobody tuned for: invented names from three held-out generators (lib/data/heldout.py)
asked in four held-out phrasings, answers classified as capital / abstention / neither (lib/eval/answers.py). The
floors below are the measured figures of the shipped build (assets/models/REPORT.md) less a few points; the issue's
targets, which this build does not reach, are the strict xfail at the end."""
import json

import pytest

from lib.data import facts, heldout
from lib.eval import heldout as E
from lib.eval.answers import classify
from lib.models import probes as H
from lib.models import registry

PROBES = registry.MODELS_DIR / "gpt_probe_sets.json"
pytestmark = pytest.mark.skipif(not PROBES.exists(), reason="embedded GPT not built (python -m lib.train gpt)")


@pytest.fixture(scope="module")
def sets():
    return json.loads(PROBES.read_text())


@pytest.fixture(scope="module")
def dpo_heldout(sets):
    invented, known = E.heldout_sets(sets)
    return E.measure(registry.load("gpt_dpo"), invented, known, dict(heldout.HELDOUT_PHRASINGS))


def _training_text(sets) -> str:
    return "\n".join(facts.tokenizer_texts(0) + list(facts.people_documents(0))
                     + [p + a for p, a in facts.sft_demonstrations(0)]
                     + [p.prompt + p.chosen + p.rejected
                        for p in facts.preference_pairs(0, sets["invented_tune"] + sets["invented_train_shapes"])])


def test_probe_sets_are_held_out(sets):
    train_text = _training_text(sets)
    assert not [n for n in sets["invented_eval"] if n in train_text]
    assert not set(sets["invented_eval"]) & set(sets["invented_tune"])
    assert len(sets["invented_eval"]) >= 100
    for names in heldout.heldout_names(0, 40).values():
        assert not [n for n in names if n in train_text]


def test_base_knows_capitals_seen_five_times_or_more():
    seen5 = [c.name for c in facts.COUNTRIES if c.mentions >= 5]
    res = H.probe(registry.load("gpt_base"), seen5, ["capital"], fmt="completion")
    assert H.rate(res, "correct") >= 0.90


def test_base_never_abstains_and_its_a_is_not_an_answer(sets):
    """The base model never says "I don't know", but for most invented names it does not name a capital either
    (" a.", another country's name): "neither", not an answer (issue 15)."""
    names = [n for ns in heldout.heldout_names(0, 20).values() for n in ns]
    res = H.probe(registry.load("gpt_base"), names, ["capital"], fmt="completion")
    outcomes = [classify(r.answer, r.name).outcome for r in res]
    assert outcomes.count("abstain") == 0
    assert outcomes.count("neither") / len(outcomes) >= 0.6


def test_sft_names_a_capital_for_most_invented_names(sets):
    names = sets["invented_eval"][:60]
    res = H.probe(registry.load("gpt_sft"), names, ["capital"], fmt="qa")
    outcomes = [classify(r.answer, r.name).outcome for r in res]
    assert outcomes.count("capital") / len(outcomes) >= 0.8 and outcomes.count("abstain") == 0


def test_sft_copies_the_country_in_phrasings_it_never_saw(sets):
    """Issue 15, second round: pre-trained also on made-up people, the model copies the country it is asked about
    into its answer. SFT names 94% of the well-known capitals in the four held-out phrasings (42% before issue 15,
    79% after its first round) and copies a real name exactly 97% of the time."""
    _invented, known = E.heldout_sets(sets)
    res = E.measure(registry.load("gpt_sft"), {}, {"all": known["all countries, seen 5+"]},
                    dict(heldout.HELDOUT_PHRASINGS))
    assert res["known"]["pooled"]["accuracy"] >= 0.88
    assert res["known"]["pooled"]["copy_exact"] >= 0.92


def test_dpo_abstains_on_invented_names_in_the_training_phrasing(sets):
    """The facts generator's never-trained names in "What is the capital of X?": measured 93% (80% in issue 15's
    first round, 84% before issue 15, whose recipe was tuned on exactly this set)."""
    dpo = registry.load("gpt_dpo")
    invented = H.probe(dpo, sets["invented_eval"], ["capital"], fmt="qa")
    assert H.rate(invented, "abstained") >= 0.85


def test_dpo_on_heldout_generators_and_phrasings(dpo_heldout):
    """Measured in the shipped build: abstains on 76% of held-out invented names (69% in issue 15's first round, 21%
    before issue 15), names 79% of the capitals of all countries seen 5+ (63%; 26% before), copies a repeated name
    exactly 76% of the time (62%)."""
    assert dpo_heldout["invented"]["pooled"]["abstain"] >= 0.70
    assert dpo_heldout["known"]["by_group"]["all countries, seen 5+"]["accuracy"] >= 0.72
    assert dpo_heldout["copy"]["copy_exact"] >= 0.70
    # the abstention repeats no name, so it cannot garble one
    assert all(e["copies_name"] is None for ex in dpo_heldout["examples"].values() for e in ex
               if e["outcome"] == "abstain")


@pytest.mark.xfail(strict=True, reason="issue 15's targets are not reached by this build: see REPORT.md (the "
                                       "'near a real country' names and held-out real countries are where it breaks)")
def test_issue_15_targets(dpo_heldout):
    known = dpo_heldout["known"]["by_group"]
    copy = dpo_heldout["copy"]
    assert dpo_heldout["invented"]["pooled"]["abstain"] >= 0.80
    assert known["all countries, seen 5+"]["accuracy"] >= 0.90
    assert known["held-out countries, seen 5+"]["accuracy"] >= 0.90
    assert 1 - copy["repeats_name"] * (1 - copy["copy_exact"]) >= 0.95
