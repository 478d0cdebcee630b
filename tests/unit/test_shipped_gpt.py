"""The shipped tiny GPT checkpoints against the numbers issue 3 asks for, on held-out names (fast: greedy, batched)."""
import json

import pytest

from lib.data import facts
from lib.models import probes as H
from lib.models import registry

PROBES = registry.MODELS_DIR / "gpt_probe_sets.json"
pytestmark = pytest.mark.skipif(not PROBES.exists(), reason="embedded GPT not built (python -m lib.train gpt)")


@pytest.fixture(scope="module")
def sets():
    return json.loads(PROBES.read_text())


def test_probe_sets_are_held_out(sets):
    train_text = "\n".join(facts.tokenizer_texts(0) + [p + a for p, a in facts.sft_demonstrations(0)]
                           + [p.prompt + p.chosen + p.rejected
                              for p in facts.preference_pairs(0, sets["invented_tune"])])
    assert not [n for n in sets["invented_eval"] if n in train_text]
    assert not set(sets["invented_eval"]) & set(sets["invented_tune"])
    assert len(sets["invented_eval"]) >= 100


def test_base_knows_capitals_seen_five_times_or_more():
    seen5 = [c.name for c in facts.COUNTRIES if c.mentions >= 5]
    res = H.probe(registry.load("gpt_base"), seen5, ["capital"], fmt="completion")
    assert H.rate(res, "correct") >= 0.90


def test_base_and_sft_name_a_capital_for_most_invented_names(sets):
    names = sets["invented_eval"][:60]
    base = H.probe(registry.load("gpt_base"), names, ["capital"], fmt="completion")
    sft = H.probe(registry.load("gpt_sft"), names, ["capital"], fmt="qa")
    assert H.hallucination_rate(base) > 0.5 and H.hallucination_rate(sft) > 0.5


def test_dpo_abstains_on_invented_names_and_keeps_known_capitals(sets):
    dpo = registry.load("gpt_dpo")
    invented = H.probe(dpo, sets["invented_eval"], ["capital"], fmt="qa")
    assert H.rate(invented, "abstained") >= 0.80
    held5 = [n for n in sets["heldout_countries"] if facts.BY_NAME[n].mentions >= 5]
    known = H.probe(dpo, held5, ["capital"], fmt="qa")
    assert H.rate(known, "correct") >= 0.90
