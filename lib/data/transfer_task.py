"""The transfer-learning task: is this a real fact-world sentence, or the same words in a shuffled order?

A real sentence ("The capital of Peru is Lima.") is labelled 1. Its shuffle ("Lima the is of capital Peru.") is
labelled 0: the same words, capitalisation and full stop restored (the first word gets a capital letter, a
sentence-initial "The" loses it, the full stop goes at the end), so only the ORDER of the words gives it away.

The countries are split three ways, so the test measures something the labelled examples did not show:
- `labelled`: the only countries the labelled examples (N = 16 ... 1,024) are drawn from;
- `valid`: countries used to fix the recipe (learning rate, steps) before any test number is looked at;
- `test`: countries never in a labelled or validation example.
And a second test set is built on invented names (lib.data.facts.invented_pool, never in any training text), so a
model cannot pass by recognising sentences it read during pre-training. Deterministic from the seeds.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from lib.data import facts

REAL, SHUFFLED = 1, 0
LABELS = {REAL: "real sentence", SHUFFLED: "shuffled words"}
SPLIT_SEED = 13
N_VALID_COUNTRIES = 20
N_TEST_COUNTRIES = 30
# invented names: disjoint slices of the pool for validation and test
_INVENTED_VALID = slice(600, 640)
_INVENTED_TEST = slice(700, 740)
_LOWER_FIRST = {"The", "People", "In"}  # template words that start a sentence (names keep their capitals)


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # REAL or SHUFFLED


def _values(country: facts.Country) -> dict:
    return {"name": country.name, **{k: country.fact(k) for k in facts.KINDS}}


def sentences_about(values: dict) -> list[str]:
    """Every pre-training phrasing of the four facts, once each (two capital phrasings coincide)."""
    out = []
    for kind in facts.KINDS:
        for form in facts.PHRASINGS[kind]:
            s = form.format(**values)
            if s not in out:
                out.append(s)
    return out


def shuffle_words(sentence: str, rng: random.Random) -> str:
    """The same words in a random order that differs from the original, capital letter and full stop restored."""
    words = sentence.rstrip(".").split()
    if len(set(words)) < 2:
        raise ValueError(f"cannot shuffle {sentence!r}: fewer than two distinct words")
    if words[0] in _LOWER_FIRST:
        words[0] = words[0].lower()
    original = list(words)
    for _ in range(100):
        rng.shuffle(words)
        if words != original:
            break
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + "."


@functools.lru_cache(maxsize=4)
def country_split(seed: int = SPLIT_SEED) -> dict[str, tuple[str, ...]]:
    """Country names split into labelled, validation and test (disjoint), spread over every frequency tier."""
    rng = random.Random(seed)
    names = [c.name for c in facts.COUNTRIES]
    rng.shuffle(names)
    test = tuple(names[:N_TEST_COUNTRIES])
    valid = tuple(names[N_TEST_COUNTRIES:N_TEST_COUNTRIES + N_VALID_COUNTRIES])
    labelled = tuple(names[N_TEST_COUNTRIES + N_VALID_COUNTRIES:])
    return {"labelled": labelled, "valid": valid, "test": test}


def invented_values(names: list[str], seed: int) -> list[dict]:
    """Fact values for invented countries: an invented capital too (another invented name), a real continent, and a
    language and currency borrowed from a random real country, so the sentences read like the real ones."""
    rng = random.Random(seed)
    out = []
    for i, name in enumerate(names):
        donor = rng.choice(facts.COUNTRIES)
        capital = names[(i + 7) % len(names)]
        out.append({"name": name, "capital": capital, "continent": donor.continent, "language": donor.language,
                    "currency": donor.currency})
    return out


def _pairs(values: list[dict], seed: int) -> list[Example]:
    """Every sentence about these countries, real and (one shuffle each) shuffled."""
    rng = random.Random(seed)
    out = []
    for v in values:
        for s in sentences_about(v):
            out.append(Example(s, REAL))
            out.append(Example(shuffle_words(s, rng), SHUFFLED))
    return out


def _country_values(names) -> list[dict]:
    return [_values(facts.BY_NAME[n]) for n in names]


@functools.lru_cache(maxsize=8)
def labelled_pool(split_seed: int = SPLIT_SEED) -> tuple[str, ...]:
    """The real sentences labelled examples are drawn from (labelled countries only)."""
    names = country_split(split_seed)["labelled"]
    return tuple(s for v in _country_values(names) for s in sentences_about(v))


def labelled_examples(n: int, seed: int, split_seed: int = SPLIT_SEED) -> list[Example]:
    """`n` labelled examples (half real, half shuffled), drawn with `seed` from the labelled countries only. A real
    sentence and the shuffle of another are drawn independently, so no example is paired with its own shuffle."""
    if n < 2 or n % 2:
        raise ValueError("n must be an even number of at least 2")
    pool = list(labelled_pool(split_seed))
    half = n // 2
    if half > len(pool):
        raise ValueError(f"at most {2 * len(pool)} labelled examples (the pool has {len(pool)} real sentences)")
    rng = random.Random(1_000 + seed)
    real = rng.sample(pool, half)
    to_shuffle = rng.sample(pool, half)
    out = [Example(s, REAL) for s in real] + [Example(shuffle_words(s, rng), SHUFFLED) for s in to_shuffle]
    rng.shuffle(out)
    return out


@functools.lru_cache(maxsize=8)
def eval_sets(split_seed: int = SPLIT_SEED) -> dict[str, tuple[Example, ...]]:
    """The fixed evaluation sets: validation (countries and invented names, for fixing the recipe) and the two test
    sets: held-out real countries, and invented names."""
    split = country_split(split_seed)
    pool = facts.invented_pool(0)
    inv_valid, inv_test = list(pool[_INVENTED_VALID]), list(pool[_INVENTED_TEST])
    return {
        "valid_countries": tuple(_pairs(_country_values(split["valid"]), 21)),
        "valid_invented": tuple(_pairs(invented_values(inv_valid, 22), 23)),
        "test_countries": tuple(_pairs(_country_values(split["test"]), 31)),
        "test_invented": tuple(_pairs(invented_values(inv_test, 32), 33)),
    }


TEST_SETS = {"test_countries": "held-out countries", "test_invented": "invented names"}
VALID_SETS = {"valid_countries": "validation countries", "valid_invented": "validation invented names"}
