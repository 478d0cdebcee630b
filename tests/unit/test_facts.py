"""The fact world: deterministic, frequencies as designed, invented names nowhere in training text, disjoint splits."""
import re
from collections import Counter

import pytest

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
    assert not [p for p in pairs if any(_asks_about(p.prompt, h) for h in held)]
    assert not [d for d in facts.sft_demonstrations(0) if any(_asks_about(d[0], h) for h in held)]


def _asks_about(prompt: str, name: str) -> bool:
    """The prompt names this country, and not only as part of a longer country name ("Guinea" in "Papua New
    Guinea")."""
    import re

    rest = prompt
    for longer in (c.name for c in facts.COUNTRIES if name in c.name and c.name != name):
        rest = rest.replace(longer, "")
    return re.search(rf"\b{re.escape(name)}\b", rest) is not None


def test_preference_pairs_prefer_the_right_thing():
    pairs = facts.preference_pairs(0, facts.invented_names("tune")[:5])
    for p in pairs:
        if p.known:
            assert not facts.is_abstention(p.chosen)
        else:
            assert facts.is_abstention(p.chosen) and not facts.is_abstention(p.rejected)


def test_tokenizer_and_pretraining_text_unchanged_by_issue_15():
    """The new phrasings and the name-free abstention change only the post-training data: the tokenizer text and the
    pre-training text are byte for byte those of the builds before (so the base model is the same)."""
    import hashlib

    def digest(texts):
        return hashlib.sha256("\n".join(texts).encode()).hexdigest()

    assert digest(facts.tokenizer_texts(0)) == "cdb1ebb94ee404695bf27e546f00dd3871b50353f79d0145484aa53b7689c664"
    assert digest(facts.pretraining_documents(0)) == "57e5b0b589ded4cc7388de8ea669df1f3d655260695a310614c597deaf38819a"


def test_training_phrasings_varied_framed_and_disjoint_from_held_out_and_validation():
    from lib.data import heldout

    assert all(len(v) >= 4 for v in facts.TRAIN_QUESTIONS.values())
    train = {t for v in facts.TRAIN_QUESTIONS.values() for t in v}
    assert not train & set(heldout.HELDOUT_PHRASINGS.values())
    assert not train & set(facts.VALIDATION_QUESTIONS.values())
    demos = facts.sft_demonstrations(0)
    used = {p.split("\n")[0] for p, _ in demos}
    tune = facts.country_split(0)["tune"][0].name
    for i, t in enumerate(facts.TRAIN_QUESTIONS["capital"]):
        p = facts.qa_prompt(tune, "capital", i)
        assert p.startswith("Question: ") and p.endswith("\nAnswer:")
        assert p.split("\n")[0] in used
    prompts = {p.prompt.split("\n")[0][len("Question: "):] for p in facts.preference_pairs(0)}
    for t in list(heldout.HELDOUT_PHRASINGS.values()) + list(facts.VALIDATION_QUESTIONS.values()):
        head = t.split("{name}")[0]
        assert not [q for q in prompts if head and q.startswith(head) and len(head) > 8], t


def test_abstention_repeats_no_name_and_pairs_cover_new_name_shapes():
    assert "Dralia" not in facts.qa_abstain("Dralia", "capital")
    assert facts.is_abstention(facts.qa_abstain("Dralia", "capital"))
    pool = facts.training_name_pool(0)
    assert any(" " in n for n in pool["two words"]) and all(n[0] in "AEIOU" for n in pool["vowel-initial"])
    train, val = set(facts.training_invented("train")), set(facts.training_invented("validation"))
    assert train and val and not train & val
    text = "\n".join(p.prompt for p in facts.preference_pairs(0))
    assert not [n for n in val if f" {n}?" in text or f" {n}." in text or f"{n}:" in text or f" {n}," in text]
    assert not [n for n in facts.invented_names("eval") if n in " ".join(train)]
    with pytest.raises(ValueError):
        facts.preference_pairs(0, sorted(val)[:3])


def test_people_entries_name_no_country_and_no_evaluation_name():
    """The tiny GPT's people entries (issue 15): each repeats one made-up person, states a real country's true facts,
    and no held-out or evaluation name (nor a country name as a person) appears in them."""
    from lib.data import heldout

    docs = facts.people_documents(0)
    assert len(docs) == facts.N_PEOPLE and docs == facts.people_documents(0)
    text = " ".join(docs)
    evaluation = {n for names in heldout.heldout_names(0, 200).values() for n in names}
    evaluation |= set(facts.invented_names("eval", 0)) | set(facts.invented_names("tune", 0))
    evaluation |= set(facts.training_invented("train", 0)) | set(facts.training_invented("validation", 0))
    words = set(re.findall(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?", text))
    assert not {n for n in evaluation if n in words}
    countries = {c.name for c in facts.COUNTRIES}
    for doc in docs[:200]:
        pairs = Counter(re.findall(r"(?<![A-Za-z])([A-Z][a-z]+ [A-Z][a-z]+)", doc))
        people = [p for p, k in pairs.items() if k >= 2 and p not in countries]
        assert people and not set(people[0].split()) & countries, doc
        assert any(v in doc for c in facts.COUNTRIES for v in (c.name, c.capital, c.language, c.currency)), doc
    gpt = facts.gpt_pretraining_documents(0)
    assert sorted(gpt) == sorted(list(facts.pretraining_documents(0)) + list(docs))
    assert facts.gpt_pretraining_sentence_count(0) > len(facts.pretraining_sentences(0))
