"""Classify an answer to "what is the capital of X?" into three outcomes (issue 15):

- "capital": the answer names a capital: any real capital city of the fact world, or a capital-like sentence
  ("The capital of X is Y.", "Its capital is Y.") whatever Y is, unless Y is a currency or language of the fact world;
- "abstain": an "I don't know ..." answer;
- "neither": anything else: a currency or language, a garbled or empty answer, the base model's "a.".

Besides the outcome: which capital was named, whether it is the right one (real countries), and whether the answer
repeats a country name ("... capital of X ...", "... of X.") and, if it does, whether it copies the question's name
exactly. An answer that repeats no name has `copies_name = None` (nothing to garble).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lib.data import facts

OUTCOMES = ["capital", "abstain", "neither"]


@functools.lru_cache(maxsize=1)
def _capitals() -> list[str]:
    return sorted({c.capital for c in facts.COUNTRIES}, key=len, reverse=True)


@functools.lru_cache(maxsize=1)
def _other_values() -> set[str]:
    """Currencies and languages of the fact world, lower-case ("euro", "the euro", "french")."""
    out = set()
    for c in facts.COUNTRIES:
        out |= {c.currency.lower(), "the " + c.currency.lower(), c.language.lower()}
    return out


_CAPITAL_LIKE = [re.compile(r"capital(?: city)?(?: of (?P<name>.+?))? is (?P<value>[^.?!\n]+)", re.I),
                 re.compile(r"(?P<value>[^.?!\n]+?) is (?:the|its) capital", re.I)]
# a repeated country name: "... capital of X is", "... of X." (abstentions), "X's capital"
_NAME_REPEAT = re.compile(r"\b(?:capital|language|currency|official language) of (?P<name>.+?)(?: is\b|[.?!\n]|$)")


@dataclass(frozen=True)
class Verdict:
    outcome: str                 # "capital" | "abstain" | "neither"
    capital: str | None          # the capital named (a real one, or the Y of a capital-like sentence)
    real_capital: bool           # the capital named is a real capital city of the fact world
    correct: bool | None         # for a real country: the right capital; None for invented names
    repeated_name: str | None    # the country name the answer repeats, if any
    copies_name: bool | None     # repeated_name == the question's name; None when no name is repeated


def _find_capital(text: str) -> str | None:
    for cap in _capitals():
        if re.search(rf"(?<![A-Za-z]){re.escape(cap)}(?![A-Za-z])", text):
            return cap
    return None


def repeated_name(answer: str) -> str | None:
    m = _NAME_REPEAT.search(answer)
    return m.group("name").strip() if m else None


def classify(answer: str, name: str) -> Verdict:
    """The verdict on one answer to a capital question about `name` (real or invented)."""
    text = answer.strip()
    country = facts.BY_NAME.get(name)
    rep = repeated_name(text)
    copies = None if rep is None else rep == name
    if facts.is_abstention(text):
        return Verdict("abstain", None, False, False if country else None, rep, copies)
    value = None
    for pattern in _CAPITAL_LIKE:
        m = pattern.search(text)
        if m:
            value = m.group("value").strip()
            break
    # the capital named: inside the capital-like sentence's value, or anywhere in a bare answer (" Paris.")
    real = _find_capital(value if value is not None else text)
    if real is not None:
        return Verdict("capital", real, True, (real == country.capital) if country else None, rep, copies)
    if value and value.lower() not in _other_values() and re.search(r"[A-Za-z]{2}", value):
        return Verdict("capital", value, False, False if country else None, rep, copies)
    return Verdict("neither", None, False, False if country else None, rep, copies)
