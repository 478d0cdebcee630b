"""The fact world: deterministic, frequencies as designed, invented names nowhere in training text, disjoint splits."""
from collections import Counter

from lib.data import facts


def test_deterministic_and_seeded():
    assert facts.pretraining_sentences(0) == facts.pretraining_sentences(0)
    assert facts.pretraining_sentences(0) != facts.pretraining_sentences(1)
    assert facts.pretraining_documents(0) == facts.pretraining_documents(0)


def test_every_fact_stated_as_often_as_its_tier():
    text = facts.pretraining_sentences(0)
    france = facts.BY_NAME["France"]
    rare = [c for c in facts.COUNTRIES if c.mentions == 2][0]
    assert france.mentions == 50 and rare.mentions == 2
    capital_mentions = Counter()
    for s in text:
        for c in facts.COUNTRIES:
            if c.capital in s and (c.name in s) and "capital" in s:
                capital_mentions[c.name] += 1
    assert capital_mentions["France"] == 50
    assert capital_mentions[rare.name] == 2
    assert len(text) == 4 * sum(c.mentions for c in facts.COUNTRIES)


def test_documents_hold_the_same_sentences():
    docs = " ".join(facts.pretraining_documents(0))
    unique = set(facts.pretraining_sentences(0))
    assert sum(docs.count(s) >= 1 for s in unique) == len(unique)


def test_invented_names_never_in_training_or_tokenizer_text():
    pool = facts.invented_pool(0)
    corpus = "\n".join(facts.tokenizer_texts(0) + [p + a for p, a in facts.sft_demonstrations(0)]).lower()
    assert not [n for n in pool if n.lower() in corpus]
    real = {c.name.lower() for c in facts.COUNTRIES}
    assert not real & {n.lower() for n in pool}


def test_splits_are_disjoint_and_pairs_use_only_the_tune_part():
    split = facts.invented_split(0)
    assert not set(split["tune"]) & set(split["eval"])
    pairs = facts.preference_pairs(0, split["tune"][:20])
    text = "\n".join(p.prompt + p.chosen + p.rejected for p in pairs)
    assert not [n for n in split["eval"] if n in text]
    countries = facts.country_split(0)
    assert not {c.name for c in countries["tune"]} & {c.name for c in countries["heldout"]}
    held = {c.name for c in countries["heldout"]}
    assert not [p for p in pairs if any(f"of {h}?" in p.prompt for h in held)]
    assert not [d for d in facts.sft_demonstrations(0) if any(f"of {h}?" in d[0] for h in held)]


def test_preference_pairs_prefer_the_right_thing():
    pairs = facts.preference_pairs(0, facts.invented_names("tune")[:5])
    for p in pairs:
        if p.known:
            assert not facts.is_abstention(p.chosen)
        else:
            assert facts.is_abstention(p.chosen) and not facts.is_abstention(p.rejected)
