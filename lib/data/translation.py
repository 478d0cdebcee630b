"""A small English -> Spanish translation task, generated from a grammar, with the true word alignment.

The grammar is small enough to read in one screen and rich enough to show what attention is for:

    sentence := clause (conjunction clause)*            "the dog sleeps and the woman buys a red car"
    clause   := subject verb [object] [prep phrase]
    subject  := det [adj] animate-noun                  English puts the adjective before the noun,
    object   := det [adj] thing-noun                    Spanish after it: "the red car" -> "el coche rojo"
    phrase   := preposition det [adj] noun

Spanish agreement is enforced: the article and the adjective take the noun's gender and number ("la casa roja",
"los coches rojos"), and the verb takes the subject's number ("el perro duerme", "los perros duermen"). Objects are
things, never people or animals, so Spanish never needs the personal "a" (and never the contraction "al").

English writes "an" for "a" before a vowel ("an apple", "an old dog"); both are the same determiner.

Every English word maps to exactly one Spanish word, so a pair has the same length on both sides and the true
alignment is a permutation: `align[j]` is the index of the English word that Spanish word `j` translates. The only
reordering is the adjective-noun swap, which draws the "crossing" pattern in an attention map.

Everything is deterministic from a seed. The held-out split (`heldout_pairs`) never contains a sentence of the
training split (`train_pairs`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

# ----------------------------------------------------------------------------------------------------- lexicon
# noun: english singular, english plural, spanish singular, spanish plural, gender ("m"/"f"), animate?
NOUNS: list[tuple[str, str, str, str, str, bool]] = [
    ("dog", "dogs", "perro", "perros", "m", True),
    ("cat", "cats", "gato", "gatos", "m", True),
    ("boy", "boys", "niño", "niños", "m", True),
    ("man", "men", "hombre", "hombres", "m", True),
    ("bird", "birds", "pájaro", "pájaros", "m", True),
    ("horse", "horses", "caballo", "caballos", "m", True),
    ("farmer", "farmers", "granjero", "granjeros", "m", True),
    ("woman", "women", "mujer", "mujeres", "f", True),
    ("girl", "girls", "niña", "niñas", "f", True),
    ("cow", "cows", "vaca", "vacas", "f", True),
    ("queen", "queens", "reina", "reinas", "f", True),
    ("aunt", "aunts", "tía", "tías", "f", True),
    ("book", "books", "libro", "libros", "m", False),
    ("car", "cars", "coche", "coches", "m", False),
    ("tree", "trees", "árbol", "árboles", "m", False),
    ("hat", "hats", "sombrero", "sombreros", "m", False),
    ("box", "boxes", "caja", "cajas", "f", False),
    ("house", "houses", "casa", "casas", "f", False),
    ("table", "tables", "mesa", "mesas", "f", False),
    ("window", "windows", "ventana", "ventanas", "f", False),
    ("door", "doors", "puerta", "puertas", "f", False),
    ("apple", "apples", "manzana", "manzanas", "f", False),
    ("letter", "letters", "carta", "cartas", "f", False),
    ("flower", "flowers", "flor", "flores", "f", False),
    ("city", "cities", "ciudad", "ciudades", "f", False),
    ("boat", "boats", "barco", "barcos", "m", False),
]

# adjective: english, spanish masc. sing., fem. sing., masc. plural, fem. plural
ADJECTIVES: list[tuple[str, str, str, str, str]] = [
    ("red", "rojo", "roja", "rojos", "rojas"),
    ("black", "negro", "negra", "negros", "negras"),
    ("white", "blanco", "blanca", "blancos", "blancas"),
    ("small", "pequeño", "pequeña", "pequeños", "pequeñas"),
    ("new", "nuevo", "nueva", "nuevos", "nuevas"),
    ("old", "viejo", "vieja", "viejos", "viejas"),
    ("tall", "alto", "alta", "altos", "altas"),
    ("pretty", "bonito", "bonita", "bonitos", "bonitas"),
    ("green", "verde", "verde", "verdes", "verdes"),
    ("big", "grande", "grande", "grandes", "grandes"),
    ("happy", "feliz", "feliz", "felices", "felices"),
    ("blue", "azul", "azul", "azules", "azules"),
]

# verb: english 3rd singular, english plural, spanish 3rd singular, spanish 3rd plural
TRANSITIVE: list[tuple[str, str, str, str]] = [
    ("sees", "see", "ve", "ven"),
    ("has", "have", "tiene", "tienen"),
    ("wants", "want", "quiere", "quieren"),
    ("buys", "buy", "compra", "compran"),
    ("finds", "find", "encuentra", "encuentran"),
    ("paints", "paint", "pinta", "pintan"),
    ("carries", "carry", "lleva", "llevan"),
    ("opens", "open", "abre", "abren"),
    ("sells", "sell", "vende", "venden"),
    ("washes", "wash", "lava", "lavan"),
]
INTRANSITIVE: list[tuple[str, str, str, str]] = [
    ("sleeps", "sleep", "duerme", "duermen"),
    ("runs", "run", "corre", "corren"),
    ("sings", "sing", "canta", "cantan"),
    ("eats", "eat", "come", "comen"),
    ("walks", "walk", "camina", "caminan"),
    ("waits", "wait", "espera", "esperan"),
]

# determiner: english, number, spanish by gender
DETERMINERS: list[tuple[str, str, dict[str, str]]] = [
    ("the", "sg", {"m": "el", "f": "la"}),
    ("the", "pl", {"m": "los", "f": "las"}),
    ("a", "sg", {"m": "un", "f": "una"}),
    ("some", "pl", {"m": "unos", "f": "unas"}),
    ("this", "sg", {"m": "este", "f": "esta"}),
    ("these", "pl", {"m": "estos", "f": "estas"}),
]
PREPOSITIONS: list[tuple[str, str]] = [("in", "en"), ("with", "con"), ("on", "sobre"), ("under", "bajo"),
                                       ("without", "sin")]
CONJUNCTIONS: list[tuple[str, str]] = [("and", "y"), ("but", "pero"), ("while", "mientras"),
                                       ("because", "porque"), ("when", "cuando")]

CONTENT_POS = ("noun", "adj", "verb")  # what the alignment score counts; the rest are function words
FUNCTION_POS = ("det", "prep", "conj")


# ------------------------------------------------------------------------------------------------ structures
@dataclass(frozen=True)
class NounPhrase:
    det: int  # index into DETERMINERS
    noun: int  # index into NOUNS
    adj: int | None = None  # index into ADJECTIVES


@dataclass(frozen=True)
class Clause:
    subject: NounPhrase
    verb: int  # index into TRANSITIVE if obj is given, else into INTRANSITIVE
    obj: NounPhrase | None = None
    prep: int | None = None  # index into PREPOSITIONS
    prep_np: NounPhrase | None = None


@dataclass(frozen=True)
class Pair:
    """One translation pair. `align[j]` is the index in `src` of the word that `tgt[j]` translates;
    `pos[j]` is the part of speech of `tgt[j]` (noun, adj, verb, det, prep, conj)."""
    src: tuple[str, ...]
    tgt: tuple[str, ...]
    align: tuple[int, ...]
    pos: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.src)


@dataclass
class _Builder:
    src: list[str] = field(default_factory=list)
    tgt: list[tuple[str, int, str]] = field(default_factory=list)  # spanish word, source index, pos

    def add(self, en: str, es: str, pos: str) -> None:
        self.src.append(en)
        self.tgt.append((es, len(self.src) - 1, pos))


def article(det_en: str, next_word: str) -> str:
    """English "a" becomes "an" before a word that starts with a vowel ("an aunt", "an old dog")."""
    return "an" if det_en == "a" and next_word[:1] in VOWELS else det_en


VOWELS = frozenset("aeiou")


def _render_np(b: _Builder, np_: NounPhrase) -> None:
    det_en, number, det_es = DETERMINERS[np_.det]
    en_sg, en_pl, es_sg, es_pl, gender, _animate = NOUNS[np_.noun]
    plural = number == "pl"
    following = ADJECTIVES[np_.adj][0] if np_.adj is not None else (en_pl if plural else en_sg)
    b.add(article(det_en, following), det_es[gender], "det")
    adj_slot = None
    if np_.adj is not None:
        b.src.append(ADJECTIVES[np_.adj][0])  # English: adjective before the noun ...
        adj_slot = len(b.src) - 1
    b.add(en_pl if plural else en_sg, es_pl if plural else es_sg, "noun")
    if np_.adj is not None:  # ... Spanish: after it, agreeing in gender and number
        forms = ADJECTIVES[np_.adj]
        es_adj = forms[1 + (gender == "f") + 2 * plural]
        b.tgt.append((es_adj, adj_slot, "adj"))


def render(clauses: list[Clause], conjunctions: list[int]) -> Pair:
    """English and Spanish for a list of clauses joined by conjunctions (indices into CONJUNCTIONS)."""
    if len(conjunctions) != len(clauses) - 1:
        raise ValueError("need exactly one conjunction between each two clauses")
    b = _Builder()
    for i, clause in enumerate(clauses):
        if i:
            en, es = CONJUNCTIONS[conjunctions[i - 1]]
            b.add(en, es, "conj")
        _render_np(b, clause.subject)
        plural = DETERMINERS[clause.subject.det][1] == "pl"
        verbs = TRANSITIVE if clause.obj is not None else INTRANSITIVE
        en_3s, en_pl, es_3s, es_pl = verbs[clause.verb]
        b.add(en_pl if plural else en_3s, es_pl if plural else es_3s, "verb")
        if clause.obj is not None:
            _render_np(b, clause.obj)
        if clause.prep is not None and clause.prep_np is not None:
            en, es = PREPOSITIONS[clause.prep]
            b.add(en, es, "prep")
            _render_np(b, clause.prep_np)
    return Pair(src=tuple(b.src), tgt=tuple(w for w, _, _ in b.tgt), align=tuple(a for _, a, _ in b.tgt),
                pos=tuple(p for _, _, p in b.tgt))


# ------------------------------------------------------------------------------------------------ generation
_ANIMATE = [i for i, n in enumerate(NOUNS) if n[5]]
_THINGS = [i for i, n in enumerate(NOUNS) if not n[5]]


def _random_np(rng: random.Random, nouns: list[int], p_adj: float = 0.5) -> NounPhrase:
    adj = rng.randrange(len(ADJECTIVES)) if rng.random() < p_adj else None
    return NounPhrase(det=rng.randrange(len(DETERMINERS)), noun=rng.choice(nouns), adj=adj)


def _random_clause(rng: random.Random) -> Clause:
    subject = _random_np(rng, _ANIMATE)
    if rng.random() < 0.6:
        verb, obj = rng.randrange(len(TRANSITIVE)), _random_np(rng, _THINGS)
    else:
        verb, obj = rng.randrange(len(INTRANSITIVE)), None
    if rng.random() < 0.4:
        return Clause(subject, verb, obj, rng.randrange(len(PREPOSITIONS)), _random_np(rng, _THINGS + _ANIMATE))
    return Clause(subject, verb, obj)


def random_pair(rng: random.Random, n_clauses: int) -> Pair:
    clauses = [_random_clause(rng) for _ in range(n_clauses)]
    return render(clauses, [rng.randrange(len(CONJUNCTIONS)) for _ in range(n_clauses - 1)])


def generate(n: int, seed: int, max_len: int = 35, max_clauses: int = 5) -> list[Pair]:
    """`n` random pairs, each 3 to `max_len` words long. The number of clauses is uniform in 1..max_clauses,
    so source lengths spread from 3 to 35+ words."""
    rng = random.Random(seed)
    pairs: list[Pair] = []
    while len(pairs) < n:
        pair = random_pair(rng, rng.randint(1, max_clauses))
        if len(pair) <= max_len:
            pairs.append(pair)
    return pairs


TRAIN_SEED = 0
HELDOUT_SEED = 10_000


def train_pairs(n: int = 60_000, seed: int = TRAIN_SEED, max_len: int = 35) -> list[Pair]:
    """The training split."""
    return generate(n, seed, max_len)


def heldout_pairs(n: int = 2_000, seed: int = HELDOUT_SEED, max_len: int = 35,
                  exclude: set[tuple[str, ...]] | None = None) -> list[Pair]:
    """A held-out split: generated from another seed, with every sentence of the training split
    (`exclude`, by default `train_pairs()`'s sources) removed."""
    if exclude is None:
        exclude = {p.src for p in train_pairs()}
    rng = random.Random(seed)
    pairs: list[Pair] = []
    while len(pairs) < n:
        pair = random_pair(rng, rng.randint(1, 5))
        if len(pair) <= max_len and pair.src not in exclude:
            pairs.append(pair)
    return pairs


def long_pairs(n: int, lo: int, hi: int, seed: int = HELDOUT_SEED + 1) -> list[Pair]:
    """`n` random pairs of `lo` to `hi` words. With `lo` above 35 none can be a training sentence (the training
    split stops at 35 words): these measure what the models do at lengths they never saw."""
    rng = random.Random(seed)
    avg = 6.4  # words per clause, on average, with its conjunction
    pairs: list[Pair] = []
    while len(pairs) < n:
        pair = random_pair(rng, rng.randint(max(1, int(lo / avg)), max(1, round(hi / avg))))
        if lo <= len(pair) <= hi:
            pairs.append(pair)
    return pairs


# --------------------------------------------------------------------------------------------------- parsing
def _lexicon() -> dict[str, list[tuple[str, ...]]]:
    """English word -> its readings (kind, index, extra)."""
    lex: dict[str, list[tuple]] = {}
    for i, (en, number, _) in enumerate(DETERMINERS):
        lex.setdefault(en, []).append(("det", i))
    lex.setdefault("an", []).append(("det", [d[0] for d in DETERMINERS].index("a")))  # "a" before a vowel
    for i, (sg, pl, *_rest) in enumerate(NOUNS):
        lex.setdefault(sg, []).append(("noun", i, "sg"))
        lex.setdefault(pl, []).append(("noun", i, "pl"))
    for i, adj in enumerate(ADJECTIVES):
        lex.setdefault(adj[0], []).append(("adj", i))
    for i, (s3, pl, *_r) in enumerate(TRANSITIVE):
        lex.setdefault(s3, []).append(("vt", i, "sg"))
        lex.setdefault(pl, []).append(("vt", i, "pl"))
    for i, (s3, pl, *_r) in enumerate(INTRANSITIVE):
        lex.setdefault(s3, []).append(("vi", i, "sg"))
        lex.setdefault(pl, []).append(("vi", i, "pl"))
    for i, (en, _es) in enumerate(PREPOSITIONS):
        lex.setdefault(en, []).append(("prep", i))
    for i, (en, _es) in enumerate(CONJUNCTIONS):
        lex.setdefault(en, []).append(("conj", i))
    return lex


LEXICON = _lexicon()


def source_vocabulary() -> list[str]:
    """Every English word the grammar can produce, sorted."""
    return sorted(LEXICON)


def target_vocabulary() -> list[str]:
    """Every Spanish word the grammar can produce, sorted."""
    words = set()
    for _en, _n, es in DETERMINERS:
        words.update(es.values())
    for n in NOUNS:
        words.update(n[2:4])
    for a in ADJECTIVES:
        words.update(a[1:])
    for v in TRANSITIVE + INTRANSITIVE:
        words.update(v[2:])
    words.update(es for _en, es in PREPOSITIONS + CONJUNCTIONS)
    return sorted(words)


def tokenize(text: str) -> list[str]:
    """Lower-case words; punctuation other than apostrophes becomes a space."""
    cleaned = "".join(ch.lower() if ch.isalnum() or ch == "'" else " " for ch in text)
    return cleaned.split()


def unknown_words(words: list[str]) -> list[str]:
    """The words the grammar (and so the model) has never seen, in order, without repeats."""
    seen: list[str] = []
    for w in words:
        if w not in LEXICON and w not in seen:
            seen.append(w)
    return seen


class ParseError(ValueError):
    """The English sentence is not one the grammar can produce; the message says why, in plain words."""


def parse(words: list[str] | str) -> Pair:
    """The reference translation (with alignment) of an English sentence of the grammar.

    Raises ParseError naming the first problem (unknown word, missing noun, wrong verb form, ...)."""
    if isinstance(words, str):
        words = tokenize(words)
    words = list(words)
    unknown = unknown_words(words)
    if unknown:
        raise ParseError(f"unknown word(s): {', '.join(unknown)}")
    if not words:
        raise ParseError("the sentence is empty")
    pos = 0

    def peek(kind: str):
        if pos < len(words):
            for reading in LEXICON[words[pos]]:
                if reading[0] == kind:
                    return reading
        return None

    def expect(kind: str, what: str):
        nonlocal pos
        reading = peek(kind)
        if reading is None:
            found = f'"{words[pos]}"' if pos < len(words) else "the end of the sentence"
            raise ParseError(f"expected {what} at word {pos + 1}, found {found}")
        pos += 1
        return reading

    def noun_phrase(nouns: list[int], role: str) -> NounPhrase:
        nonlocal pos
        expect("det", f"a determiner (the, a, an, some, this, these) to start the {role}")
        det_word = words[pos - 1]
        if det_word in ("a", "an") and pos < len(words) and article("a", words[pos]) != det_word:
            raise ParseError(f'"{det_word} {words[pos]}" should be "{article("a", words[pos])} {words[pos]}"')
        det_word = "a" if det_word == "an" else det_word
        adj = peek("adj")
        if adj is not None:
            pos += 1
        noun = expect("noun", f"a noun for the {role}")
        if noun[1] not in nouns:
            kind = "a person or an animal" if role == "subject" else "a thing"
            raise ParseError(f'"{words[pos - 1]}" cannot be the {role} here: the {role} must be {kind}')
        det = [i for i, (en, number, _es) in enumerate(DETERMINERS) if en == det_word and number == noun[2]]
        if not det:
            raise ParseError(f'"{det_word}" does not go with "{words[pos - 1]}" (singular/plural)')
        return NounPhrase(det=det[0], noun=noun[1], adj=adj[1] if adj else None)

    clauses, conjunctions = [], []
    while True:
        subject = noun_phrase(_ANIMATE, "subject")
        number = DETERMINERS[subject.det][1]
        vt, vi = peek("vt"), peek("vi")
        if vt is None and vi is None:
            found = f'"{words[pos]}"' if pos < len(words) else "the end of the sentence"
            raise ParseError(f"expected a verb at word {pos + 1}, found {found}")
        verb = vt or vi
        if verb[2] != number:
            raise ParseError(f'the verb "{words[pos]}" does not agree with a '
                             f'{"plural" if number == "pl" else "singular"} subject')
        pos += 1
        obj = noun_phrase(_THINGS, "object") if vt is not None else None
        prep = prep_np = None
        if peek("prep") is not None:
            prep = expect("prep", "a preposition")[1]
            prep_np = noun_phrase(_THINGS + _ANIMATE, "phrase after the preposition")
        clauses.append(Clause(subject, verb[1], obj, prep, prep_np))
        if pos == len(words):
            break
        conjunctions.append(expect("conj", "a conjunction (and, but, while, because, when) or the end")[1])
    return render(clauses, conjunctions)


def length_bucket(n: int, edges: tuple[int, ...] = (3, 8, 13, 18, 23, 28, 36)) -> str:
    """The label of the source-length bucket of a sentence of `n` words, e.g. '3-7'."""
    for lo, hi in zip(edges, edges[1:]):
        if lo <= n < hi:
            return f"{lo}-{hi - 1}"
    return f"{edges[-1]}+" if n >= edges[-1] else f"<{edges[0]}"


BUCKETS = ("3-7", "8-12", "13-17", "18-22", "23-27", "28-35")


# --------------------------------------------------------------------------------------- sentence builder
# What a sentence builder offers: every choice is a word the model has seen, and agreement is automatic.
DET_LABELS = ["the", "the (plural)", "a", "some (plural)", "this", "these (plural)"]  # same order as DETERMINERS
SUBJECT_NOUNS = [NOUNS[i][0] for i in _ANIMATE]
OBJECT_NOUNS = [NOUNS[i][0] for i in _THINGS]
ADJECTIVE_WORDS = [a[0] for a in ADJECTIVES]
VERB_WORDS = [v[0] for v in TRANSITIVE] + [v[0] for v in INTRANSITIVE]  # English 3rd person singular
CONJUNCTION_WORDS = [c[0] for c in CONJUNCTIONS]


def is_transitive(verb: str) -> bool:
    return verb in [v[0] for v in TRANSITIVE]


def clause_from_choices(det: str, adj: str | None, noun: str, verb: str, obj_det: str | None = None,
                        obj_adj: str | None = None, obj_noun: str | None = None) -> Clause:
    """A clause from a builder's choices (labels as in DET_LABELS, English singular nouns, 3rd-person verbs);
    number and gender agreement follow from the choices. Raises ValueError for a word that is not offered."""
    def np_(d, a, n, nouns):
        if n not in nouns:
            raise ValueError(f"{n!r} is not one of the nouns offered here")
        return NounPhrase(det=DET_LABELS.index(d), noun=[x[0] for x in NOUNS].index(n),
                          adj=ADJECTIVE_WORDS.index(a) if a else None)

    subject = np_(det, adj, noun, SUBJECT_NOUNS)
    if is_transitive(verb):
        obj = np_(obj_det or "the", obj_adj, obj_noun or OBJECT_NOUNS[0], OBJECT_NOUNS)
        return Clause(subject, [v[0] for v in TRANSITIVE].index(verb), obj)
    return Clause(subject, [v[0] for v in INTRANSITIVE].index(verb))


def crossing_rows(pair: Pair) -> list[int]:
    """Target positions whose aligned source word is not at the same position: the adjective-noun swaps."""
    return [j for j, a in enumerate(pair.align) if a != j]
