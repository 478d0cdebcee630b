"""Held-out evaluation inputs for the tiny GPT's question answering: invented names and question phrasings that share
nothing with any training data (issue 15).

The training data of the fact world invents names with one generator (`facts.invented_pool`: syllables from
`facts._ONSETS`/`_VOWELS`/`_CODAS` plus a country-like ending) and, since issue 15, also two-word names and more
question phrasings (`facts.training_name_pool`, `facts.TRAIN_QUESTIONS`); the tiny GPT's pre-training text also names
made-up people (`facts.people_documents`, a syllable inventory of its own). A measurement made only with those
generators measures the generator. The generators here are built so that no training generator can produce their
names:

- "new syllables": one word from a disjoint syllable inventory: every name starts with an onset no training name can
  start with (a cluster such as "pl", "qu", "sp", or "c"/"x"/"y" before a vowel) and ends with an ending no training
  generator uses ("Plorveth", "Quessique");
- "two words": a place-name word ("Costa", "San", "North", ...; none of them used by a training generator, several of
  them part of real country names) and a "new syllables" word ("Costa Belvina"-like);
- "near a real country": one or two letter edits of a real one-word country name ("Norvay", "Swedan"): not a country,
  but close to one the model knows.

The phrasings (`HELDOUT_PHRASINGS`) keep the fixed frame `Question: ...\\nAnswer:` and are used in no training data.
Everything is deterministic from a seed.
"""
from __future__ import annotations

import functools
import random
import re

from lib.data import facts

# The fixed frame of every question-answer prompt (as facts.qa_prompt).
FRAME = "Question: {question}\nAnswer:"

# Held-out phrasings of the capital question: never used in a demonstration or preference pair.
HELDOUT_PHRASINGS: dict[str, str] = {
    "capital city": "What is the capital city of {name}?",
    "which city": "Which city is the capital of {name}?",
    "name the capital": "Name the capital of {name}.",
    "X's capital": "{name}'s capital is which city?",
}

GENERATORS = ["new syllables", "two words", "near a real country"]

# A syllable inventory disjoint from facts' (_ONSETS, _ENDINGS): no training name can start with these onsets
# (a facts name starts with one of its onsets followed by a vowel) or end with these endings.
_ONSETS = ["pl", "cl", "fl", "gl", "bl", "qu", "ph", "sp", "sn", "cr", "fr", "pr", "sl", "c", "x", "y"]
_MID_ONSETS = ["l", "v", "r", "n", "m", "d", "s", "t", "c", "g", "ph", "qu"]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "au", "ei"]
_CODAS = ["", "", "r", "l", "n", "s"]
_ENDINGS = ["eth", "ovy", "ique", "oth", "ussa", "ello", "ona", "ette", "avo", "ino", "essa", "ala", "ippe", "orra",
            "ise", "ander"]
# Place-name words for two-word names; the training generators use none of them.
PLACE_WORDS = ["Costa", "San", "Santa", "Nova", "Isla", "Monte", "North", "South", "East", "West", "New", "Porto"]

_LETTERS_V = "aeiou"
_LETTERS_C = "bdfgklmnprstvz"


def _real_names_lower() -> set[str]:
    return {c.name.lower() for c in facts.COUNTRIES}


def _clean(low: str) -> bool:
    """Pronounceable, not a real word of the fact world, not containing a real country/capital/... word of 4+ letters."""
    if not 5 <= len(low) <= 11 or re.search(r"[aeiou]{3}|aa|ee|ii|oo|uu|(.)\1\1", low):
        return False
    words = facts._real_words()
    if low in words or any(len(w) >= 4 and w in low for w in words) or any(low in w for w in words):
        return False
    return not any(abs(len(low) - len(r)) < 3 and facts._edit_distance(low, r) < 3 for r in _real_names_lower())


@functools.lru_cache(maxsize=8)
def new_syllable_names(seed: int = 0, n: int = 200) -> tuple[str, ...]:
    """One-word names from the held-out syllable inventory ("Plorveth")."""
    rng = random.Random(20_000 + seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        stem = rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.choice([0, 1, 1])):
            stem += rng.choice(_MID_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        low = stem + rng.choice(_ENDINGS)
        if low in seen or not _clean(low):
            continue
        seen.add(low)
        out.append(low.capitalize())
    return tuple(out)


@functools.lru_cache(maxsize=8)
def two_word_names(seed: int = 0, n: int = 200) -> tuple[str, ...]:
    """A place-name word and a held-out-syllable word ("Costa Plorvina")."""
    rng = random.Random(30_000 + seed)
    words = list(new_syllable_names(seed + 1, 4 * n))
    real = _real_names_lower()
    out: list[str] = []
    for word in words:
        name = f"{rng.choice(PLACE_WORDS)} {word}"
        if name.lower() in real or name in out:
            continue
        out.append(name)
        if len(out) == n:
            break
    return tuple(out)


def _edit(rng: random.Random, word: str) -> str:
    """One letter edit that keeps the first letter: substitute (vowel for vowel, consonant for consonant), insert or
    delete."""
    i = rng.randrange(1, len(word))
    op = rng.choice(["sub", "sub", "ins", "del"])
    if op == "del" and len(word) > 4:
        return word[:i] + word[i + 1:]
    if op == "ins":
        return word[:i] + rng.choice(_LETTERS_V if word[i - 1] not in _LETTERS_V else _LETTERS_C) + word[i:]
    pool = _LETTERS_V if word[i] in _LETTERS_V else _LETTERS_C
    return word[:i] + rng.choice([c for c in pool if c != word[i]]) + word[i + 1:]


@functools.lru_cache(maxsize=8)
def near_real_names(seed: int = 0, n: int = 200) -> tuple[str, ...]:
    """One or two letter edits of a real one-word country name ("Norvay"); never a real name, nor contained in a
    fact-world word (no truncations such as "Austri")."""
    rng = random.Random(40_000 + seed)
    bases = [c.name for c in facts.COUNTRIES if " " not in c.name and len(c.name) >= 5]
    words = facts._real_words()
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(100 * n):
        base = rng.choice(bases)
        low = base.lower()
        for _ in range(rng.choice([1, 2])):
            low = _edit(rng, low)
        if low in seen or any(low in w for w in words) or len(low) < 5 or re.search(r"[aeiou]{3}|aa|ee|ii|uu|(.)\1\1", low):
            continue
        seen.add(low)
        out.append(low.capitalize())
        if len(out) == n:
            break
    return tuple(out)


def names(generator: str, seed: int = 0, n: int = 40) -> list[str]:
    """The first `n` names of a held-out generator."""
    make = {"new syllables": new_syllable_names, "two words": two_word_names, "near a real country": near_real_names}
    return list(make[generator](seed, max(n, 200))[:n])


def heldout_names(seed: int = 0, n: int = 40) -> dict[str, list[str]]:
    return {g: names(g, seed, n) for g in GENERATORS}


def prompt(name: str, phrasing: str) -> str:
    """The prompt of a held-out phrasing (a key of HELDOUT_PHRASINGS) or of a literal question template."""
    template = HELDOUT_PHRASINGS.get(phrasing, phrasing)
    return FRAME.format(question=template.format(name=name))
