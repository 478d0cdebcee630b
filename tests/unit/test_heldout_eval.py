"""Issue 15's held-out evaluation: the three-outcome answer classifier, the held-out name generators (sharing nothing
with training) and the held-out phrasings (in the fixed frame, never in training)."""
import pytest

from lib.data import facts, heldout
from lib.eval import heldout as E
from lib.eval.answers import classify


@pytest.mark.parametrize("answer,name,outcome,capital,correct,copies", [
    (" The capital of France is Paris.", "France", "capital", "Paris", True, True),
    (" The capital of Mexico is Mexico City.", "Mexico", "capital", "Mexico City", True, True),
    (" Paris.", "France", "capital", "Paris", True, None),              # the base model's completion
    (" Its capital is Oslo.", "Norway", "capital", "Oslo", True, None),  # no name repeated: nothing to garble
    (" The capital of Poland is Warsaw.", "Polvania", "capital", "Warsaw", None, False),
    (" The capital of Lebanon is Thaipoli.", "Thaipolia", "capital", "Thaipoli", None, False),  # capital-like
    (" The capital of Spain is Rome.", "Spain", "capital", "Rome", False, True),
    (" Oslo is the capital of Norway.", "Norway", "capital", "Oslo", True, True),
    (" I don't know the capital of Norway.", "Norvania", "abstain", None, None, False),
    (" I don't know the capital of Norvania.", "Norvania", "abstain", None, None, True),
    (" I don't know that country.", "Costa Belvina", "abstain", None, None, None),
    (" I don't know that country.", "France", "abstain", None, False, None),
    (" a.", "Plorveth", "neither", None, None, None),                   # the base model's "a." is not an answer
    ("", "Plorveth", "neither", None, None, None),
    (" The currency of France is the euro.", "France", "neither", None, False, True),
    (" The capital of Costa Belvina is the euro.", "Costa Belvina", "neither", None, None, True),
    (" e is the capital of Cambibo.", "Carsinette", "neither", None, None, False),  # garbled
    (" is one of the countries of Europe.", "France", "neither", None, False, None),
])
def test_classifier_three_outcomes(answer, name, outcome, capital, correct, copies):
    v = classify(answer, name)
    assert (v.outcome, v.capital, v.correct, v.copies_name) == (outcome, capital, correct, copies)


def test_capital_inside_a_name_is_not_an_answer():
    # "Costa Rica" does not name San Jose; "Mexico City" is found only as the value
    assert classify(" The capital of Costa Rica is franc.", "Costa Rica").real_capital is False
    assert classify(" I don't know the capital of Kingston Vale.", "Kingston Vale").outcome == "abstain"


def _training_names() -> set[str]:
    names = set(facts.invented_pool(0))
    for part in ("train", "validation"):
        names |= set(facts.training_invented(part, 0)) if hasattr(facts, "training_invented") else set()
    return names


def test_generators_are_deterministic_distinct_and_sized():
    for g in heldout.GENERATORS:
        a = heldout.names(g, 0, 40)
        assert a == heldout.names(g, 0, 40) and len(set(a)) == 40
    assert heldout.names("new syllables", 0, 40) != heldout.names("new syllables", 1, 40)
    assert all(" " in n for n in heldout.names("two words", 0, 40))
    assert not any(" " in n for n in heldout.names("new syllables", 0, 40))


def test_heldout_names_collide_with_no_training_name_and_no_real_country():
    real = {c.name.lower() for c in facts.COUNTRIES}
    train = {n.lower() for n in _training_names()}
    corpus = "\n".join(facts.tokenizer_texts(0) + [p + a for p, a in facts.sft_demonstrations(0)]
                       + [p.prompt + p.chosen + p.rejected for p in facts.preference_pairs(0)]).lower()
    for g in heldout.GENERATORS:
        names = [n.lower() for n in heldout.names(g, 0, 200)]
        assert not set(names) & real, g
        assert not set(names) & train, g
        assert not [n for n in names if n in corpus], g
    # no two generators share a name
    sets = [set(heldout.names(g, 0, 200)) for g in heldout.GENERATORS]
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])


def test_new_syllable_names_cannot_come_from_the_training_grammar():
    # a facts name starts with one of facts._ONSETS followed by a vowel; none of these do
    starts = {o + v for o in facts._ONSETS for v in "aeiou"}
    for n in heldout.names("new syllables", 0, 200) + [n.split()[1] for n in heldout.names("two words", 0, 200)]:
        assert not any(n.lower().startswith(s) for s in starts), n
        assert not any(n.lower().endswith(e) for e in facts._ENDINGS if len(e) > 2), n


def test_near_real_names_are_one_or_two_edits_from_a_real_country():
    real = [c.name.lower() for c in facts.COUNTRIES]
    for n in heldout.names("near a real country", 0, 100):
        d = min(facts._edit_distance(n.lower(), r) for r in real)
        assert 1 <= d <= 2, n


def test_heldout_phrasings_are_framed_and_never_in_training():
    corpus = "\n".join(facts.tokenizer_texts(0) + [p for p, _ in facts.sft_demonstrations(0)]
                       + [p.prompt for p in facts.preference_pairs(0)])
    assert len(heldout.HELDOUT_PHRASINGS) >= 4
    for key, template in heldout.HELDOUT_PHRASINGS.items():
        p = heldout.prompt("France", key)
        assert p.startswith("Question: ") and p.endswith("\nAnswer:") and "France" in p
        question = template.format(name="France")
        assert question not in corpus, key
        # the phrasing without the name is not a training template either
        for piece in template.split("{name}"):
            if len(piece) > 12:
                assert piece not in corpus, (key, piece)


class _Stub:
    """A fake model: answers from a dict (prompt -> text) through a monkeypatched generate."""


def test_measure_pools_outcomes_and_copies(monkeypatch):
    from lib.sampling import Continuation

    answers = {"Zork": " I don't know that country.", "Blip": " The capital of Blop is Paris.",
               "France": " The capital of France is Paris.", "Japan": " The currency of Japan is the yen."}

    def fake_generate(lm, prompts, **kw):
        out = []
        for p in prompts:
            name = next(n for n in answers if n in p)
            out.append(Continuation(prompt=p, text=answers[name], token_ids=[], tokens=[]))
        return out

    monkeypatch.setattr(E, "generate", fake_generate)
    res = E.measure(None, {"g": ["Zork", "Blip"]}, {"k": ["France", "Japan"]},
                    {"a": "What is {name}?", "b": "Tell {name}."})
    inv = res["invented"]["pooled"]
    assert (inv["n"], inv["abstain"], inv["capital"], inv["neither"]) == (4, 0.5, 0.5, 0.0)
    assert inv["copy_exact"] == 0.0 and inv["repeats_name"] == 0.5
    known = res["known"]["by_group"]["k"]
    assert known["accuracy"] == 0.5 and known["neither"] == 0.5 and known["copy_exact"] == 1.0
    assert res["invented"]["table"]["a"]["g"]["n"] == 2


def test_training_name_generators_are_disjoint_from_the_heldout_ones():
    real = [c.name.lower() for c in facts.COUNTRIES]
    pool = facts.training_name_pool(0)
    # "real stem" training names are 3+ edits from every real country; held-out "near" names are 1-2 edits away
    assert all(min(facts._edit_distance(n.lower(), r) for r in real) >= 3 for n in pool["real stem"])
    # training two-word names use none of the held-out place words, vowel-initial names none of their onsets
    assert not {n.split()[0] for n in pool["two words"]} & set(heldout.PLACE_WORDS)
    assert all(n[0] in "AEIOU" for n in pool["vowel-initial"])
    assert not set(facts._V_ENDINGS) & set(heldout._ENDINGS) and not set(facts._ENDINGS) & set(heldout._ENDINGS)


def test_report_section_names_every_generator_and_phrasing():
    import json

    from lib import paths

    before = json.loads((paths.MODELS / E.BEFORE_FILE).read_text())
    text = "\n".join(E.markdown(before, before))
    for g in heldout.GENERATORS:
        assert g in text
    for t in heldout.HELDOUT_PHRASINGS.values():
        assert t.format(name="X") in text
    assert "(before)" in text and "gpt_dpo" in text
