"""The fact world: encyclopedia-style sentences about real countries, for the language models to learn from.

Every country has four facts (capital, continent, main official language, currency) and a *frequency*: how many
times each fact is stated in the pre-training text. Some countries are stated 50 times, some only twice, so a model's
confidence can later be compared with how often it saw a fact.

Besides the real countries there is a pool of *invented* country names. They appear nowhere in the pre-training text
or in the tokenizer's training text. The pool is split into two disjoint parts:

- `invented_names("tune")`: used only in the preference pairs (where "I don't know" is the preferred answer);
- `invented_names("eval")`: used only to measure hallucination; they appear in no training data at all.

Real countries are split the same way for the question-answer formats: the demonstrations (SFT) and preference pairs
use the "tune" half of every frequency tier; the other half is held out, so the post-trained models are measured on
countries whose facts they only met during pre-training.

Everything is deterministic from a seed. Facts are as of 2026 (ambiguous cases, such as countries with a disputed or
recently moved capital, are left out).
"""
from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    name: str
    capital: str
    continent: str
    language: str
    currency: str   # written after "the": "the euro", "the Kenyan shilling"
    mentions: int   # how many times each fact is stated in the pre-training text

    def fact(self, kind: str) -> str:
        return getattr(self, kind)


# Frequency tiers, in list order: the first 12 countries are stated 50 times each, the next 20 countries 20 times...
TIERS = [(12, 50), (20, 20), (26, 10), (26, 5), (20, 3), (19, 2)]

# name, capital, continent, language, currency; roughly from the most to the least familiar to an English reader.
_TABLE = """
France|Paris|Europe|French|euro
Japan|Tokyo|Asia|Japanese|yen
Germany|Berlin|Europe|German|euro
Italy|Rome|Europe|Italian|euro
Spain|Madrid|Europe|Spanish|euro
China|Beijing|Asia|Chinese|yuan
Egypt|Cairo|Africa|Arabic|Egyptian pound
Brazil|Brasilia|South America|Portuguese|Brazilian real
Canada|Ottawa|North America|English|Canadian dollar
India|New Delhi|Asia|Hindi|Indian rupee
Mexico|Mexico City|North America|Spanish|Mexican peso
Australia|Canberra|Oceania|English|Australian dollar
Russia|Moscow|Europe|Russian|Russian ruble
Greece|Athens|Europe|Greek|euro
Portugal|Lisbon|Europe|Portuguese|euro
Argentina|Buenos Aires|South America|Spanish|Argentine peso
Kenya|Nairobi|Africa|Swahili|Kenyan shilling
Norway|Oslo|Europe|Norwegian|Norwegian krone
Sweden|Stockholm|Europe|Swedish|Swedish krona
Poland|Warsaw|Europe|Polish|Polish zloty
Ireland|Dublin|Europe|Irish|euro
Thailand|Bangkok|Asia|Thai|Thai baht
Peru|Lima|South America|Spanish|Peruvian sol
Austria|Vienna|Europe|German|euro
Cuba|Havana|North America|Spanish|Cuban peso
Vietnam|Hanoi|Asia|Vietnamese|Vietnamese dong
Indonesia|Jakarta|Asia|Indonesian|Indonesian rupiah
Chile|Santiago|South America|Spanish|Chilean peso
Denmark|Copenhagen|Europe|Danish|Danish krone
South Korea|Seoul|Asia|Korean|South Korean won
New Zealand|Wellington|Oceania|English|New Zealand dollar
Saudi Arabia|Riyadh|Asia|Arabic|Saudi riyal
Finland|Helsinki|Europe|Finnish|euro
Hungary|Budapest|Europe|Hungarian|Hungarian forint
Morocco|Rabat|Africa|Arabic|Moroccan dirham
Czech Republic|Prague|Europe|Czech|Czech koruna
Colombia|Bogota|South America|Spanish|Colombian peso
Nigeria|Abuja|Africa|English|Nigerian naira
Ethiopia|Addis Ababa|Africa|Amharic|Ethiopian birr
Iran|Tehran|Asia|Persian|Iranian rial
Iraq|Baghdad|Asia|Arabic|Iraqi dinar
Pakistan|Islamabad|Asia|Urdu|Pakistani rupee
Belgium|Brussels|Europe|Dutch|euro
Romania|Bucharest|Europe|Romanian|Romanian leu
Ukraine|Kyiv|Europe|Ukrainian|Ukrainian hryvnia
Venezuela|Caracas|South America|Spanish|Venezuelan bolivar
Ghana|Accra|Africa|English|Ghanaian cedi
Mongolia|Ulaanbaatar|Asia|Mongolian|Mongolian tugrik
Nepal|Kathmandu|Asia|Nepali|Nepalese rupee
Iceland|Reykjavik|Europe|Icelandic|Icelandic krona
Jordan|Amman|Asia|Arabic|Jordanian dinar
Lebanon|Beirut|Asia|Arabic|Lebanese pound
North Korea|Pyongyang|Asia|Korean|North Korean won
Afghanistan|Kabul|Asia|Pashto|Afghan afghani
Bangladesh|Dhaka|Asia|Bengali|Bangladeshi taka
Cambodia|Phnom Penh|Asia|Khmer|Cambodian riel
Senegal|Dakar|Africa|French|CFA franc
Tunisia|Tunis|Africa|Arabic|Tunisian dinar
Algeria|Algiers|Africa|Arabic|Algerian dinar
Ecuador|Quito|South America|Spanish|US dollar
Uruguay|Montevideo|South America|Spanish|Uruguayan peso
Paraguay|Asuncion|South America|Spanish|Paraguayan guarani
Jamaica|Kingston|North America|English|Jamaican dollar
Croatia|Zagreb|Europe|Croatian|euro
Serbia|Belgrade|Europe|Serbian|Serbian dinar
Malaysia|Kuala Lumpur|Asia|Malay|Malaysian ringgit
Slovakia|Bratislava|Europe|Slovak|euro
Slovenia|Ljubljana|Europe|Slovene|euro
Estonia|Tallinn|Europe|Estonian|euro
Latvia|Riga|Europe|Latvian|euro
Lithuania|Vilnius|Europe|Lithuanian|euro
Albania|Tirana|Europe|Albanian|Albanian lek
Armenia|Yerevan|Asia|Armenian|Armenian dram
Azerbaijan|Baku|Asia|Azerbaijani|Azerbaijani manat
Kazakhstan|Astana|Asia|Kazakh|Kazakhstani tenge
Uzbekistan|Tashkent|Asia|Uzbek|Uzbekistani som
Laos|Vientiane|Asia|Lao|Lao kip
Qatar|Doha|Asia|Arabic|Qatari riyal
Oman|Muscat|Asia|Arabic|Omani rial
Uganda|Kampala|Africa|English|Ugandan shilling
Rwanda|Kigali|Africa|Kinyarwanda|Rwandan franc
Zambia|Lusaka|Africa|English|Zambian kwacha
Angola|Luanda|Africa|Portuguese|Angolan kwanza
Mozambique|Maputo|Africa|Portuguese|Mozambican metical
Namibia|Windhoek|Africa|English|Namibian dollar
Botswana|Gaborone|Africa|English|Botswana pula
Libya|Tripoli|Africa|Arabic|Libyan dinar
Madagascar|Antananarivo|Africa|Malagasy|Malagasy ariary
Honduras|Tegucigalpa|North America|Spanish|Honduran lempira
Nicaragua|Managua|North America|Spanish|Nicaraguan cordoba
Myanmar|Naypyidaw|Asia|Burmese|Myanmar kyat
Bhutan|Thimphu|Asia|Dzongkha|Bhutanese ngultrum
Fiji|Suva|Oceania|English|Fijian dollar
Samoa|Apia|Oceania|Samoan|Samoan tala
Moldova|Chisinau|Europe|Romanian|Moldovan leu
Belarus|Minsk|Europe|Belarusian|Belarusian ruble
Cyprus|Nicosia|Europe|Greek|euro
Malta|Valletta|Europe|Maltese|euro
Kyrgyzstan|Bishkek|Asia|Kyrgyz|Kyrgyzstani som
Tajikistan|Dushanbe|Asia|Tajik|Tajikistani somoni
Turkmenistan|Ashgabat|Asia|Turkmen|Turkmenistan manat
Eritrea|Asmara|Africa|Tigrinya|Eritrean nakfa
Somalia|Mogadishu|Africa|Somali|Somali shilling
Malawi|Lilongwe|Africa|English|Malawian kwacha
Lesotho|Maseru|Africa|Sesotho|Lesotho loti
Suriname|Paramaribo|South America|Dutch|Surinamese dollar
Guyana|Georgetown|South America|English|Guyanese dollar
Belize|Belmopan|North America|English|Belize dollar
Bahrain|Manama|Asia|Arabic|Bahraini dinar
Brunei|Bandar Seri Begawan|Asia|Malay|Brunei dollar
Gabon|Libreville|Africa|French|CFA franc
Togo|Lome|Africa|French|CFA franc
Liberia|Monrovia|Africa|English|Liberian dollar
Sierra Leone|Freetown|Africa|English|Sierra Leonean leone
Guinea|Conakry|Africa|French|Guinean franc
Mauritania|Nouakchott|Africa|Arabic|Mauritanian ouguiya
Montenegro|Podgorica|Europe|Montenegrin|euro
North Macedonia|Skopje|Europe|Macedonian|Macedonian denar
Costa Rica|San Jose|North America|Spanish|Costa Rican colon
Dominican Republic|Santo Domingo|North America|Spanish|Dominican peso
Cameroon|Yaounde|Africa|French|CFA franc
Papua New Guinea|Port Moresby|Oceania|English|Papua New Guinean kina
Vanuatu|Port Vila|Oceania|Bislama|Vanuatu vatu
"""


def _build_countries() -> list[Country]:
    rows = [line.split("|") for line in _TABLE.strip().splitlines()]
    mentions = [m for count, m in TIERS for _ in range(count)]
    if len(rows) != len(mentions):
        raise AssertionError(f"{len(rows)} countries but tiers for {len(mentions)}")
    return [Country(*row, mentions=m) for row, m in zip(rows, mentions)]


COUNTRIES: list[Country] = _build_countries()
BY_NAME: dict[str, Country] = {c.name: c for c in COUNTRIES}
KINDS = ["capital", "continent", "language", "currency"]
QA_KINDS = ["capital", "language", "currency"]  # the question types of the demonstrations and probes

# Pre-training phrasings of every fact. The probe "The capital of X is" is the first capital phrasing.
PHRASINGS: dict[str, list[str]] = {
    "capital": ["The capital of {name} is {capital}.",
                "{capital} is the capital of {name}.",
                "The capital city of {name} is {capital}.",
                "The government of {name} sits in {capital}, its capital.",
                "The capital of {name} is {capital}."],
    "continent": ["{name} is a country in {continent}.",
                  "{name} lies in {continent}.",
                  "{name} is one of the countries of {continent}."],
    "language": ["The official language of {name} is {language}.",
                 "People in {name} speak {language}.",
                 "The main language of {name} is {language}."],
    "currency": ["The currency of {name} is the {currency}.",
                 "In {name}, people pay with the {currency}.",
                 "{name} uses the {currency} as its currency."],
}


def pretraining_sentences(seed: int = 0) -> list[str]:
    """The pre-training text of the fact world: one sentence per item, shuffled deterministically.

    Each fact of a country is stated `country.mentions` times, cycling through the phrasings from a seeded offset.
    No invented name appears here."""
    rng = random.Random(seed)
    sentences = []
    for country in COUNTRIES:
        values = {"name": country.name, **{k: country.fact(k) for k in KINDS}}
        for kind in KINDS:
            forms = PHRASINGS[kind]
            offset = rng.randrange(len(forms))
            for i in range(country.mentions):
                sentences.append(forms[(offset + i) % len(forms)].format(**values))
    rng.shuffle(sentences)
    return sentences


def pretraining_documents(seed: int = 0) -> list[str]:
    """The same sentences as `pretraining_sentences`, grouped into short encyclopedia entries: 2 to 4 sentences about
    one country per document, documents shuffled. Seeing a name several times in one entry is what teaches a model to
    carry the subject of a text forward (copy a name from earlier in its context), which it needs to answer a
    question about a country in a format it never saw that country in."""
    rng = random.Random(seed + 5)
    by_country: dict[str, list[str]] = {c.name: [] for c in COUNTRIES}
    for sentence in pretraining_sentences(seed):
        by_country[_subject(sentence)].append(sentence)
    docs = []
    for name in by_country:
        items = by_country[name]
        i = 0
        while i < len(items):
            k = rng.choice([2, 3, 3, 4])
            docs.append(" ".join(items[i:i + k]))
            i += k
    rng.shuffle(docs)
    return docs


# People of the fact world (issue 15): short entries about made-up people, each naming its person two to four times
# beside a real country's facts. Only the tiny GPT reads them (`gpt_pretraining_documents`). With countries alone the
# same ~120 names fill every context, and the model learned those names rather than how to copy a name it has just
# read: asked about a country in a phrasing it never saw, it often wrote another country's name ("The capital of
# Italy is Rome" for France). Copying made-up people's names teaches the copying. The names come from a syllable
# inventory of their own; none is a country, a training name or a held-out name (lib/data/heldout.py), and the
# people's facts are real countries' facts.
_PERSON_ONSETS = ["h", "j", "w", "ch", "sh", "th", "st", "kl", "wr", "m", "n", "r", "t", "v", "b", "d", "g", "k", "l",
                  "z"]
_PERSON_VOWELS = ["a", "e", "i", "o", "u", "ei", "ou"]
_PERSON_CODAS = ["", "", "n", "r", "l", "s", "m", "k", "t"]
_FIRST_NAME_ENDINGS = ["a", "o", "en", "is", "an", "el", "ik", "e"]
_SURNAME_ENDINGS = ["um", "ek", "ard", "in", "ow", "ski", "berg", "ton", "wick", "ley", "sen", "ez"]
PERSON_SENTENCES = ["{person} was born in {name}.", "{person} later moved to {capital}.", "{person} speaks {language}.",
                    "Friends of {person} live in {name}.", "{person} is a writer from {name}.",
                    "Every year {person} returns to {capital}.", "{person} pays with the {currency}.",
                    "The family of {person} comes from {name}.", "{person} studied in {capital}.",
                    "A book by {person} is read across {continent}.", "{person} was never in {name}."]
N_PEOPLE = 1000


def _person_word(rng: random.Random, endings: list[str]) -> str:
    stem = rng.choice(_PERSON_ONSETS) + rng.choice(_PERSON_VOWELS) + rng.choice(_PERSON_CODAS)
    if rng.random() < 0.5:
        stem += rng.choice(_PERSON_ONSETS[9:]) + rng.choice(_PERSON_VOWELS)
    return (stem + rng.choice(endings)).capitalize()


@functools.lru_cache(maxsize=4)
def people_documents(seed: int = 0, n: int = N_PEOPLE) -> tuple[str, ...]:
    """`n` entries of 2-4 sentences about one made-up person each ("Wrura Diow was born in Uruguay. Wrura Diow
    studied in Montevideo."), with a real country's true facts."""
    rng = random.Random(90_000 + seed)
    docs = []
    for _ in range(n):
        person = _person_word(rng, _FIRST_NAME_ENDINGS) + " " + _person_word(rng, _SURNAME_ENDINGS)
        country = rng.choice(COUNTRIES)
        values = {"person": person, "name": country.name, **{k: country.fact(k) for k in KINDS}}
        docs.append(" ".join(t.format(**values) for t in rng.sample(PERSON_SENTENCES, rng.choice([2, 3, 3, 4]))))
    return tuple(docs)


def gpt_pretraining_documents(seed: int = 0) -> list[str]:
    """The tiny GPT's pre-training text: the country entries (`pretraining_documents`) and the people entries,
    shuffled together. The char models read `pretraining_sentences` only."""
    docs = list(pretraining_documents(seed)) + list(people_documents(seed))
    random.Random(seed + 6).shuffle(docs)
    return docs


def gpt_pretraining_sentence_count(seed: int = 0) -> int:
    """Sentences in the tiny GPT's pre-training text: the country sentences and the people entries' sentences."""
    return len(pretraining_sentences(seed)) + sum(doc.count(". ") + 1 for doc in people_documents(seed))


def _subject(sentence: str) -> str:
    """The country a pre-training sentence is about (the longest country name it contains)."""
    found = [c.name for c in COUNTRIES if c.name in sentence]
    return max(found, key=len)


# ---------------------------------------------------------------------------------------------------------------
# Question-answer formats (demonstrations, preference pairs, probes)

QUESTIONS = {
    "capital": "What is the capital of {name}?",
    "language": "What is the official language of {name}?",
    "currency": "What is the currency of {name}?",
}
# The question phrasings of the training data (demonstrations and preference pairs), the first one of each kind
# being QUESTIONS[kind]. Issue 15: with a single phrasing, SFT and DPO learned the template, not the question. Held-out
# phrasings (lib/data/heldout.py) and VALIDATION_QUESTIONS are in no training data.
TRAIN_QUESTIONS = {
    "capital": [QUESTIONS["capital"],
                "What's the capital of {name}?",
                "Tell me the capital of {name}.",
                "Do you know the capital of {name}?",
                "{name}: what is its capital?",
                "In {name}, what is the capital?",
                "Capital of {name}?",
                "What city is the seat of government of {name}?",
                # issue 15, second round: with eight phrasings SFT still read the template more than the question
                "Give me the capital of {name}.", "What is {name}'s capital?", "The capital of {name} is what?",
                "Could you tell me the capital of {name}?", "Say the capital of {name}.",
                "State the capital of {name}.", "Quick question: what is the capital of {name}?",
                "For {name}, what is the capital?", "What is the capital of the country {name}?",
                "Identify the capital of {name}.", "Where is the government of {name}?",
                "Do you happen to know the capital of {name}?", "{name} has what capital?", "Capital: {name}?",
                "I need the capital of {name}.", "What is the capital of {name}, please?"],
    "language": [QUESTIONS["language"],
                 "What language is spoken in {name}?",
                 "Tell me the official language of {name}.",
                 "{name}: what is its official language?",
                 "Give me the official language of {name}.", "What is {name}'s official language?",
                 "What do people speak in {name}?", "State the official language of {name}.", "Language of {name}?"],
    "currency": [QUESTIONS["currency"],
                 "What money is used in {name}?",
                 "Tell me the currency of {name}.",
                 "{name}: what is its currency?",
                 "Give me the currency of {name}.", "What is {name}'s currency?", "What do people pay with in {name}?",
                 "State the currency of {name}.", "Currency of {name}?"],
}
# Used only to choose the training recipe (with the validation names of `training_invented`), never trained on.
VALIDATION_QUESTIONS = {
    "would like": "I would like to know the capital of {name}.",
    "please give": "Please give the capital of {name}.",
}
ANSWERS = {
    "capital": "The capital of {name} is {value}.",
    "language": "The official language of {name} is {value}.",
    "currency": "The currency of {name} is the {value}.",
}
# The abstention repeats no name (issue 15): a tiny model garbles an unfamiliar name it copies ("I don't know the
# capital of Norway" for Norvania), so an answer that does not copy it cannot garble it.
ABSTAIN = {
    "capital": "I don't know that country.",
    "language": "I don't know that country.",
    "currency": "I don't know that country.",
}
# The abstentions of earlier builds: still in the tokenizer's training text, so that the tokenizer (and with it the
# pre-trained base model) is the one every build since issue 3 has used.
_TOKENIZER_ABSTAIN = {
    "capital": "I don't know the capital of {name}.",
    "language": "I don't know the official language of {name}.",
    "currency": "I don't know the currency of {name}.",
}


def qa_prompt(name: str, kind: str = "capital", phrasing: int = 0) -> str:
    """The prompt of the question-answer format; the answer follows after a space. `phrasing` indexes
    TRAIN_QUESTIONS[kind] (0: the standard question)."""
    return f"Question: {TRAIN_QUESTIONS[kind][phrasing].format(name=name)}\nAnswer:"


def qa_answer(name: str, kind: str, value: str) -> str:
    return " " + ANSWERS[kind].format(name=name, value=value)


def qa_abstain(name: str, kind: str) -> str:
    return " " + ABSTAIN[kind].format(name=name)


def completion_prompt(name: str) -> str:
    """The pre-training style probe used for the base model."""
    return f"The capital of {name} is"


def is_abstention(text: str) -> bool:
    return "don't know" in text or "do not know" in text


HELDOUT_FRACTION = 0.25


def country_split(seed: int = 0, heldout_fraction: float | None = None) -> dict[str, list[Country]]:
    """Real countries split within every frequency tier: 'tune' (used in demonstrations and preference pairs) and
    'heldout' (a quarter of each tier by default: never in a question-answer format, only in pre-training)."""
    frac = HELDOUT_FRACTION if heldout_fraction is None else heldout_fraction
    rng = random.Random(seed + 1)
    split = {"tune": [], "heldout": []}
    for _count, mentions in TIERS:
        tier = [c for c in COUNTRIES if c.mentions == mentions]
        rng.shuffle(tier)
        n_held = max(1, round(len(tier) * frac))
        split["heldout"] += tier[:n_held]
        split["tune"] += tier[n_held:]
    return split


# ---------------------------------------------------------------------------------------------------------------
# Invented countries

def _real_words() -> set[str]:
    words = set()
    for country in COUNTRIES:
        for value in (country.name, country.capital, country.language, country.currency, country.continent):
            words.update(w.lower() for w in value.split())
    return words


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gr", "kr", "tr",
           "st", "sk", "th", "sh", "ch", "v", "h", "j", "w"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "k"]
_ENDINGS = ["ia", "a", "land", "stan", "ova", "ania", "esia", "or", "ar", "ica", "ene", "ovia", "ura", "ine"]


_VOWELS_ALL = set("aeiou")


@functools.lru_cache(maxsize=4)
def invented_pool(seed: int = 0, size: int = 900) -> list[str]:
    """Candidate invented country names built from random syllables and a country-like ending ("Dralia",
    "Skoumland"): pronounceable, not made of pieces of real names, so that refusing them does not teach a model to
    refuse real countries that share a piece. The trainer picks from them names whose token counts match the real
    names'. No candidate is within 3 edits of a real country name, contains (or is contained in) a real country,
    capital, language or currency word, or has three vowels in a row. Deterministic from `seed`."""
    rng = random.Random(10_000 + seed)
    real_words = _real_words()
    real_names = [c.name.lower() for c in COUNTRIES]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < size:
        syllables = rng.choice([1, 2, 2, 3])
        stem = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))
        name = (stem + rng.choice(_ENDINGS)).capitalize()
        low = name.lower()
        if low in seen or not 4 <= len(name) <= 12 or re.search(r"[aeiou]{3}|aa|ee|ii|oo|uu", low):
            continue
        seen.add(low)
        if any(len(w) >= 4 and w in low for w in real_words) or any(low in w for w in real_words):
            continue
        if any(abs(len(low) - len(r)) < 3 and _edit_distance(low, r) < 3 for r in real_names):
            continue
        names.append(name)
    return names


def invented_split(seed: int = 0) -> dict[str, list[str]]:
    """The invented pool split into two disjoint halves: 'tune' (preference pairs only) and 'eval' (nothing but
    evaluation)."""
    pool = invented_pool(seed=seed)
    return {"tune": pool[0::2], "eval": pool[1::2]}


def invented_names(part: str, seed: int = 0) -> list[str]:
    return invented_split(seed)[part]


# Training name shapes beyond `invented_pool` (issue 15): two-word names and a second, vowel-initial syllable inventory.
# Both are disjoint from the held-out generators of lib/data/heldout.py (other place words, other onsets, other
# endings), and every generator here has a 'train' part (preference pairs) and a 'validation' part (choosing the
# recipe only).
TRAIN_PLACE_WORDS = ["Upper", "Lower", "Great", "Little", "Saint", "Mount", "Lake", "Old", "Grand", "Fort"]
_V_ONSETS = ["a", "e", "i", "o", "u", "al", "el", "om", "un", "ar", "is", "ur", "ost", "emb"]
_V_MIDDLES = ["b", "d", "g", "k", "l", "m", "n", "r", "t", "v", "z", "br", "dr", "nd", "rk"]
_V_ENDINGS = ["ium", "eya", "uth", "olk", "enz", "arth", "ika", "osk", "ival", "emar", "unda", "ith"]


def _acceptable(low: str) -> bool:
    """The filters of `invented_pool`: not within 3 edits of a real country, no real word inside, pronounceable."""
    if not 4 <= len(low) <= 12 or re.search(r"[aeiou]{3}|aa|ee|ii|oo|uu", low):
        return False
    real_words = _real_words()
    if any(len(w) >= 4 and w in low for w in real_words) or any(low in w for w in real_words):
        return False
    return not any(abs(len(low) - len(r)) < 3 and _edit_distance(low, r) < 3 for r in (c.name.lower()
                                                                                      for c in COUNTRIES))


@functools.lru_cache(maxsize=4)
def _vowel_initial_pool(seed: int = 0, size: int = 300) -> tuple[str, ...]:
    rng = random.Random(50_000 + seed)
    out: list[str] = []
    while len(out) < size:
        stem = rng.choice(_V_ONSETS) + "".join(rng.choice(_V_MIDDLES) + rng.choice(_VOWELS[:5])
                                               for _ in range(rng.choice([1, 1, 2])))
        low = stem + rng.choice(_V_ENDINGS)
        if low.capitalize() not in out and _acceptable(low):
            out.append(low.capitalize())
    return tuple(out)


@functools.lru_cache(maxsize=4)
def training_name_pool(seed: int = 0) -> dict[str, tuple[str, ...]]:
    """Invented names for training by generator (besides the matched 'tune' names of `invented_pool`):
    'two words' ("Upper Dralia", "Skoumland Vethar": place word or tune name, then a tune name), 'vowel-initial'
    ("Ombrika") and 'real stem' ("Norwika"). Two-word names use only the 'tune' half of `invented_pool`, never its
    'eval' half."""
    rng = random.Random(60_000 + seed)
    tune = list(invented_split(seed)["tune"])
    two: list[str] = []
    while len(two) < 240:
        second = rng.choice(tune)
        first = rng.choice(TRAIN_PLACE_WORDS) if rng.random() < 0.6 else rng.choice(tune)
        name = f"{first} {second}"
        if first != second and name not in two:
            two.append(name)
    return {"two words": tuple(two), "vowel-initial": _vowel_initial_pool(seed), "real stem": _real_stem_pool(seed)}


@functools.lru_cache(maxsize=4)
def _real_stem_pool(seed: int = 0, size: int = 200) -> tuple[str, ...]:
    """The first 3-5 letters of a real one-word country and a training ending ("Norwika", "Bhutarth"): close to a
    real name but at least 3 edits from every one (the held-out "near a real country" names are 1-2 edits away)."""
    rng = random.Random(70_000 + seed)
    bases = [c.name for c in COUNTRIES if " " not in c.name and len(c.name) >= 5]
    out: list[str] = []
    for _ in range(50 * size):
        base = rng.choice(bases)
        low = base[:rng.choice([3, 4, 4, 5])].lower() + rng.choice(_V_ENDINGS + _ENDINGS)
        real_names = [c.name.lower() for c in COUNTRIES]
        if (low.capitalize() in out or re.search(r"[aeiou]{3}|aa|ee|ii|oo|uu", low)
                or any(_edit_distance(low, r) < 3 or r in low for r in real_names) or low in _real_words()):
            continue
        out.append(low.capitalize())
        if len(out) == size:
            break
    return tuple(out)


def training_invented(part: str, seed: int = 0) -> list[str]:
    """'train' (preference pairs) or 'validation' (recipe selection only): every fifth name of each training
    generator is validation."""
    out = []
    for names in training_name_pool(seed).values():
        out += [n for i, n in enumerate(names) if (i % 5 == 4) == (part == "validation")]
    return out


# ---------------------------------------------------------------------------------------------------------------
# Post-training data

def tokenizer_texts(seed: int = 0) -> list[str]:
    """Text the BPE tokenizer is trained on: the pre-training sentences plus every question-answer template filled in
    with real countries (so "Question", "Answer" and "I don't know" get tokens of their own). No invented name."""
    texts = list(pretraining_documents(seed))
    for country in COUNTRIES:
        for kind in QA_KINDS:
            texts.append(qa_prompt(country.name, kind) + qa_answer(country.name, kind, country.fact(kind)))
            texts.append(qa_prompt(country.name, kind) + " " + _TOKENIZER_ABSTAIN[kind].format(name=country.name))
    return texts


def sft_demonstrations(seed: int = 0) -> list[tuple[str, str]]:
    """(prompt, answer) demonstrations: questions about the 'tune' half of the real countries, answered correctly,
    in every training phrasing of TRAIN_QUESTIONS. Every country appears with every question type and phrasing; no
    invented name and no "I don't know" (like most instruction data, the demonstrations always answer)."""
    rng = random.Random(seed + 2)
    demos = [(qa_prompt(c.name, k, i), qa_answer(c.name, k, c.fact(k)))
             for c in country_split(seed)["tune"] for k in QA_KINDS for i in range(len(TRAIN_QUESTIONS[k]))]
    rng.shuffle(demos)
    return demos


@dataclass(frozen=True)
class PreferencePair:
    prompt: str
    chosen: str
    rejected: str
    known: bool  # True: a real country (correct answer preferred); False: invented ("I don't know" preferred)


def _wrong_value(rng: random.Random, kind: str, right: str | None) -> str:
    values = sorted({c.fact(kind) for c in COUNTRIES} - {right})
    return rng.choice(values)


def preference_pairs(seed: int = 0, invented: list[str] | None = None,
                     known_vs_abstain: bool = True) -> list[PreferencePair]:
    """Preference pairs. For a real 'tune' country the correct answer is preferred to a wrong one (another country's
    value) and to an unnecessary "I don't know" (unless `known_vs_abstain` is False); for an invented training name
    (the given ones, by default the 'tune' names and `training_invented("train")`) an honest "I don't know that
    country." is preferred to a fabricated answer (a real value of the right type, the kind of fluent answer the SFT
    model gives). Every pair gets a training phrasing drawn at random (TRAIN_QUESTIONS)."""
    rng = random.Random(seed + 3)

    def ask(name: str, kind: str) -> str:
        return qa_prompt(name, kind, rng.randrange(len(TRAIN_QUESTIONS[kind])))

    pairs = []
    for c in country_split(seed)["tune"]:
        for k in QA_KINDS:
            pairs.append(PreferencePair(ask(c.name, k), qa_answer(c.name, k, c.fact(k)),
                                        qa_answer(c.name, k, _wrong_value(rng, k, c.fact(k))), True))
            if known_vs_abstain:
                pairs.append(PreferencePair(ask(c.name, k), qa_answer(c.name, k, c.fact(k)),
                                            qa_abstain(c.name, k), True))
    allowed = set(invented_names("tune", seed)) | set(training_invented("train", seed))
    if invented is None:
        invented = invented_names("tune", seed) + training_invented("train", seed)
    elif not set(invented) <= allowed:
        raise ValueError("preference pairs may only use invented training names ('tune' or training_invented)")
    for name in invented:
        for k in QA_KINDS:
            pairs.append(PreferencePair(ask(name, k), qa_abstain(name, k),
                                        qa_answer(name, k, _wrong_value(rng, k, None)), False))
    rng.shuffle(pairs)
    return pairs
