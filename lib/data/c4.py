"""The C4 cleaning rules as C4 applied them: the reference code (TensorFlow Datasets' `c4_utils.py` and the C4
builder `c4.py`, version 3.0.1, the version of C4 that AllenAI published and Dodge et al. 2021 documented), rule by
rule, in its order and with its details, and a pipeline that records, page by page and line by line, which rule
removed what and why.

The reference runs in four stages, and so does `run_pipeline`:

 1. `clean_page`, line by line. Each line is stripped, then:
      a. dropped if one of its words is longer than 1,000 characters;
      b. citation markers [1], [] , [edit], [citation needed] are cut out (case-sensitive: "[Edit]" stays);
      c. dropped unless it now ends in . ? ! or a straight double quote, and dropped if it ends in "...";
      d. dropped if it has fewer than 5 words (counted after the markers are cut out);
      e. the PAGE is dropped if the line contains "lorem ipsum";
      f. dropped if it contains "javascript";
      g. the PAGE is dropped if the line contains "{";
      h. dropped if it contains a policy phrase ("terms of use", "privacy policy", "uses cookies", ...).
    A line that survives all of these is kept and its sentences counted. The checks in e. and g. see only lines that
    survived a.-d. (a "lorem ipsum" heading with no full stop is just a dropped line), and e. comes before f. and g.
    Then the page is dropped if its kept lines hold fewer than 3 sentences.
 2. `remove_duplicate_text`: every kept line (lower-cased) is kept on exactly one page, the page whose URL has the
    smallest MD5 hash (hashing avoids favouring one domain); other pages lose that line, a line repeated on its own
    page keeps its first copy, and a page left empty or with fewer than 3 sentences is dropped.
 3. `detect_english`: langdetect (seeded) must say English with probability >= 0.99.
 4. The bad-words filter: a page whose remaining text contains a word of the list (between non-word characters)
    is dropped. It sees only the text left after stages 1-3: a bad word on a line that was removed does not count.
    (TFDS versions before 3.0.0 checked each kept line inside stage 1 instead; the verdicts differ only for a bad
    word on a line that deduplication later removes.)

The page shows `SIMPLIFICATIONS` next to the result, and `END_MARK_NOTE` for the one place where the paper's wording
and the code differ. Nothing here imports streamlit.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BADWORDS_FILE = ROOT / "assets" / "data" / "badwords_en_subset.txt"
SAMPLE_PAGES_FILE = ROOT / "assets" / "data" / "sample_pages.json"
MADE_UP_HARMFUL_FILE = ROOT / "assets" / "data" / "made_up_harmful_pages.json"

REFERENCE = ("TensorFlow Datasets, tensorflow_datasets/text/c4_utils.py and c4.py (C4 version 3.0.1, the version "
             "AllenAI published)")
MIN_WORDS_PER_LINE = 5
MIN_SENTENCES_PER_PAGE = 3
MAX_WORD_LENGTH = 1000
MIN_ENGLISH_PROBABILITY = 0.99

# The paper (Raffel et al. 2020, section 2.2) keeps lines ending in "a period, exclamation mark, question mark, or end
# quotation mark"; a curly closing quote is an end quotation mark too. The code that built C4 lists only the straight
# double quote, so a line ending in a curly quote was dropped. We follow the code: this module is C4 as C4 was built.
CURLY_QUOTE_ENDS_LINE = False
END_MARKS: tuple[str, ...] = (".", "?", "!", '"') + (("\u201d",) if CURLY_QUOTE_ENDS_LINE else ())
ELLIPSIS = "..."
END_MARK_NOTE = ("The paper keeps lines ending in \"an end quotation mark\", which a curly closing quote \u201d is; "
                 "the code that built C4 counts only the straight quote \", so a line ending in \u201d was dropped. "
                 "We follow the code." if not CURLY_QUOTE_ENDS_LINE else
                 "The paper keeps lines ending in \"an end quotation mark\", which a curly closing quote \u201d is; "
                 "the code that built C4 counts only the straight quote \". We follow the paper here.")
CITATION_RE = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]")  # case-sensitive, as the reference
POLICY_SUBSTRINGS = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                     "use cookies")
ORDER_NOTE = ("The rules run in the order of the code that built C4 (TensorFlow Datasets), which is not the order "
              "of the paper's list: line rules first, then deduplication, then the language check, and the "
              "bad-words list last, on the text that is left.")
SIMPLIFICATIONS: tuple[str, ...] = (
    "Sentences are counted with a regular expression that knows a few abbreviations (Mr., Dr., U.S.), not with "
    "NLTK's punkt as in C4: the counts agree on every line of our pages, but can differ on other text.",
    "The bad-words list is a subset of 40 of the roughly 400 entries C4 used (slurs left out), so a page the full "
    "list would drop can pass here.",
    "Language detection is langdetect, seeded, as C4 used it; it is less sure on very short texts, so a short page "
    "can fail the 0.99 threshold.",
    "Deduplication runs only over the pages shown here; C4 compared every line with every other page of the whole "
    "crawl.",
    "Before these rules C4 also dropped pages longer than 190,000 characters and kept one page per URL; our pages "
    "are short and have distinct URLs.",
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")
_TITLES = frozenset(("mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "mt", "gen", "gov", "sen", "rep", "lt", "col",
                     "capt", "rev", "vs", "no"))
_INITIAL_RE = re.compile(r"[A-Z]\.")
_INITIALISM_RE = re.compile(r"(?:[A-Za-z]\.){2,}")


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

def _no_break_after(piece: str, following: str) -> bool:
    """True when the full stop ending `piece` belongs to an abbreviation that punkt's English model would not end
    a sentence on: a title ("Dr."), a single capital initial ("R."), anything followed by a number, or a dotted
    initialism ("U.S.", "p.m.") followed by a word in lower case."""
    if not piece.endswith("."):
        return False
    last = piece.split()[-1]
    if last[:-1].lower().lstrip("(\"'\u201c") in _TITLES or _INITIAL_RE.fullmatch(last):
        return True
    if following[:1].isdigit():  # "No. 1", "Oct. 12": punkt rarely starts a sentence with a number
        return True
    return bool(_INITIALISM_RE.fullmatch(last)) and following[:1].islower()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences after . ! or ? followed by space, except after a few abbreviations (a simple
    stand-in for NLTK's punkt, which C4 used)."""
    parts: list[str] = []
    for line in text.splitlines():
        pieces, start = [], 0
        for m in _SENTENCE_END_RE.finditer(line):
            pieces.append(line[start:m.end()].strip())
            start = m.end()
        pieces.append(line[start:].strip())
        pieces = [p for p in pieces if p]
        merged: list[str] = []
        for piece in pieces:
            if merged and _no_break_after(merged[-1], piece):
                merged[-1] = merged[-1] + " " + piece
            else:
                merged.append(piece)
        parts.extend(merged)
    return parts


def count_words(text: str) -> int:
    """Words as the reference counts them: pieces between whitespace."""
    return len(text.split())


@functools.lru_cache(maxsize=4)
def load_badwords(path: str = str(BADWORDS_FILE)) -> tuple[str, ...]:
    """The bundled bad-words subset: one entry a line, '#' lines are notes."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#"))


@functools.lru_cache(maxsize=4)
def _badword_regex(words: tuple[str, ...]) -> re.Pattern:
    # As the reference's get_badwords_filter_fn for English: an entry counts when flanked by non-word characters
    # (or the text's ends). Longest first only changes which entry is reported, never whether one is found.
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:\W|^)(" + alternatives + r")(?:\W|$)")


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def line_key(line: str) -> str:
    """Deduplication's unit, as the reference's _emit_url_to_lines: the MD5 of the stripped, lower-cased line."""
    return md5_hex(line.strip().lower())


def url_hash(url: str) -> str:
    """The MD5 of a page's URL: of all pages holding a line, the one with the smallest hash keeps it."""
    return md5_hex(url)


# ---------------------------------------------------------------------------------------------------------------
# The rules, one small function each. Each returns what it found (so the page can say why), not just a yes/no.
# ---------------------------------------------------------------------------------------------------------------

def has_too_long_word(line: str, max_length: int = MAX_WORD_LENGTH) -> bool:
    """A line with a word (whitespace-separated) longer than `max_length` characters is dropped."""
    return any(len(word) > max_length for word in line.split())


def strip_citations(line: str) -> tuple[str, list[str]]:
    """Cut out citation markers [1], [], [edit], [citation needed] (case-sensitive) exactly as the reference does:
    nothing else changes, so "a [1] b" becomes "a  b". Returns (new line, markers found)."""
    markers = CITATION_RE.findall(line)
    if not markers:
        return line, []
    return CITATION_RE.sub("", line), markers


def ends_in_terminal_punctuation(line: str) -> bool:
    """A line is kept only if, stripped and with citation markers cut out, it ends in . ? ! or a straight double
    quote, and not in "...". No second strip after the markers go, as in the reference: "in 1889. [2]" is dropped."""
    text = CITATION_RE.sub("", line.strip())
    return text.endswith(END_MARKS) and not text.endswith(ELLIPSIS)


def has_enough_words(line: str, min_words: int = MIN_WORDS_PER_LINE) -> bool:
    """A line is kept only if it has at least `min_words` words (the pipeline counts after markers are cut out)."""
    return count_words(line) >= min_words


def has_enough_sentences(lines: list[str], min_sentences: int = MIN_SENTENCES_PER_PAGE) -> bool:
    """A page is kept only if its kept lines hold at least `min_sentences` sentences."""
    return sum(len(split_sentences(line)) for line in lines) >= min_sentences


def find_bad_word(text: str, words: tuple[str, ...] | None = None) -> str | None:
    """The first bad-words-list entry found in the text (lower-cased, between non-word characters), or None."""
    words = load_badwords() if words is None else tuple(w.lower() for w in words)
    if not words:
        return None
    m = _badword_regex(words).search(text.lower())
    return m.group(1) if m else None


def mentions_javascript(line: str) -> bool:
    """A line mentioning "javascript" (usually "please enable JavaScript") is dropped."""
    return "javascript" in line.lower()


def has_lorem_ipsum(text: str) -> bool:
    """A page with a kept-so-far line containing "lorem ipsum" is dropped."""
    return "lorem ipsum" in text.lower()


def has_curly_bracket(text: str) -> bool:
    """A page with a kept-so-far line containing "{" is probably code and is dropped."""
    return "{" in text


def find_policy_phrase(line: str) -> str | None:
    """The policy boilerplate phrase in the line ("privacy policy", "uses cookies", ...), or None."""
    low = line.lower()
    for phrase in POLICY_SUBSTRINGS:
        if phrase in low:
            return phrase
    return None


@functools.lru_cache(maxsize=4096)
def detect_language(text: str) -> tuple[str, float]:
    """langdetect's best language and its probability, seeded so the answer repeats.
    Text with nothing to go on (digits, symbols, empty) gives ("unknown", 0.0)."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except (LangDetectException, IndexError):
        return "unknown", 0.0
    return best.lang, float(best.prob)


def is_confident_english(text: str, threshold: float = MIN_ENGLISH_PROBABILITY) -> tuple[bool, str, float]:
    """(kept?, language, probability): kept when English with probability >= threshold."""
    lang, prob = detect_language(text)
    return (lang == "en" and prob >= threshold), lang, prob


# ---------------------------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    key: str
    number: str
    name: str
    level: str  # "line", "page" or "corpus"
    description: str
    short: str  # a checkbox label that fits a quarter of a 1280 px page


RULES: tuple[Rule, ...] = (
    Rule("long_word", "1", "Words over 1,000 characters", "line",
         "drop lines with a word longer than 1,000 characters", "1,000-char words"),
    Rule("citations", "2", "Citation markers", "line",
         "cut out [1], [edit] and [citation needed] (exactly these, lower case)", "Citations"),
    Rule("terminal_punct", "3", "Terminal punctuation", "line",
         "keep only lines ending in . ! ? or a straight \" (not \"...\")", "Ends in . ! ?"),
    Rule("min_words", "4", "At least 5 words a line", "line", "drop lines with fewer than 5 words",
         "5+ words a line"),
    Rule("lorem_ipsum", "5", "\"lorem ipsum\" pages", "page",
         "drop the page if a line still standing contains lorem ipsum", "lorem ipsum"),
    Rule("javascript", "6", "\"javascript\" lines", "line", "drop any line containing the word javascript",
         "javascript"),
    Rule("curly_bracket", "7", "Curly bracket pages", "page",
         "drop the page if a line still standing contains { (probably code)", "Curly bracket"),
    Rule("policy", "8", "Policy boilerplate", "line", "drop lines about terms of use, privacy or cookies",
         "Policy lines"),
    Rule("min_sentences", "9", "At least 3 sentences a page", "page",
         "drop pages whose kept lines hold fewer than 3 sentences", "3+ sentences"),
    Rule("dedup", "10", "Repeated lines", "corpus",
         "keep each line on one page only: the page whose URL has the smallest MD5 hash", "Deduplicate"),
    Rule("english", "11", "English (langdetect >= 0.99)", "page",
         "keep pages langdetect calls English with probability at least 0.99", "English only"),
    Rule("bad_words", "12", "Bad-words list", "page",
         "drop any page whose remaining text contains a word from the list", "Bad words"),
)
RULE_KEYS = tuple(r.key for r in RULES)
RULES_BY_KEY = {r.key: r for r in RULES}
_ORDER = {k: i for i, k in enumerate(RULE_KEYS)}


@dataclass
class LineRecord:
    original: str
    text: str  # the line as it stands now (citation markers cut out)
    removed_by: str | None = None
    reason: str = ""
    edits: list[tuple[str, str]] = field(default_factory=list)  # (rule key, what changed) on lines that stay

    @property
    def kept(self) -> bool:
        return self.removed_by is None


@dataclass
class PageRecord:
    page_id: str
    url: str
    kind: str
    lines: list[LineRecord]
    removed_by: str | None = None
    reason: str = ""
    language: tuple[str, float] | None = None
    trigger_line: int | None = None  # for "lorem ipsum" and "{": the index of the line that dropped the page

    @property
    def kept(self) -> bool:
        return self.removed_by is None

    @property
    def url_md5(self) -> str:
        return url_hash(self.url)

    def live_lines(self) -> list[LineRecord]:
        return [ln for ln in self.lines if ln.kept]

    def text(self) -> str:
        return "\n".join(ln.text for ln in self.live_lines())

    def drop(self, rule: str, reason: str) -> None:
        self.removed_by, self.reason = rule, reason


@dataclass
class FunnelRow:
    stage: str  # rule key, or "raw"
    label: str
    enabled: bool
    pages: int
    lines: int
    words: int


@dataclass
class PipelineResult:
    pages: list[PageRecord]
    funnel: list[FunnelRow]

    def funnel_table(self) -> list[dict]:
        return [vars(row).copy() for row in self.funnel]

    def kept_pages(self) -> list[PageRecord]:
        return [p for p in self.pages if p.kept]


def _drop_line(line: LineRecord, rule: str, reason: str) -> None:
    line.removed_by, line.reason = rule, reason


def _sentences(lines: list[LineRecord]) -> int:
    return sum(len(split_sentences(ln.text)) for ln in lines)


def _clean_page(page: PageRecord, on: set[str]) -> None:
    """Stage 1, the reference's clean_page: every check on one line before the next line. The page-dropping checks
    ("lorem ipsum", "{") end the page at the first line that trips one; we still judge the lines after it, so the
    page can show them, but the verdict is the reference's."""
    hit: tuple[str, int, str] | None = None
    for i, line in enumerate(page.lines):
        text = line.original
        if "long_word" in on and has_too_long_word(text):
            longest = max(len(w) for w in text.split())
            _drop_line(line, "long_word", f"has a word of {longest:,} characters (more than {MAX_WORD_LENGTH:,})")
            continue
        if "citations" in on:
            new, markers = strip_citations(text)
            if markers:
                line.text = text = new
                line.edits.append(("citations", "removed " + ", ".join(markers)))
        if "terminal_punct" in on and not (text.endswith(END_MARKS) and not text.endswith(ELLIPSIS)):
            tail = text[-12:]
            _drop_line(line, "terminal_punct",
                       "ends in \"...\"" if text.endswith(ELLIPSIS) else
                       f"does not end in . ! ? or \" (ends \u2026{tail!r})" if tail else "empty line")
            continue
        if "min_words" in on and not has_enough_words(text):
            _drop_line(line, "min_words", f"only {count_words(text)} word(s); at least {MIN_WORDS_PER_LINE} needed")
            continue
        if "lorem_ipsum" in on and has_lorem_ipsum(text):
            hit = hit or ("lorem_ipsum", i, f"line {i + 1} contains the placeholder text \"lorem ipsum\"")
            continue
        if "javascript" in on and mentions_javascript(text):
            _drop_line(line, "javascript", "mentions \"javascript\"")
            continue
        if "curly_bracket" in on and has_curly_bracket(text):
            hit = hit or ("curly_bracket", i, f"line {i + 1} contains a curly bracket \"{{\" (probably code)")
            continue
        if "policy" in on:
            phrase = find_policy_phrase(text)
            if phrase:
                _drop_line(line, "policy", f"policy boilerplate ({phrase!r})")
                continue
    if hit:
        page.trigger_line = hit[1]
        page.drop(hit[0], hit[2])
        return
    live = page.live_lines()
    if "min_sentences" in on:
        n = _sentences(live)
        if n < MIN_SENTENCES_PER_PAGE:
            by_rule: dict[str, int] = {}
            for ln in page.lines:
                if ln.removed_by:
                    by_rule[ln.removed_by] = by_rule.get(ln.removed_by, 0) + 1
            lost = ", ".join(f"rule {RULES_BY_KEY[k].number} removed {v}" for k, v in
                             sorted(by_rule.items(), key=lambda kv: _ORDER[kv[0]]))
            page.drop("min_sentences", (f"only {n} sentence(s) left after the line rules" if live else
                                        "no line survived the line rules")
                      + f"; at least {MIN_SENTENCES_PER_PAGE} needed" + (f" (of its {len(page.lines)} lines, {lost})"
                                                                         if lost else ""))


def _dedup(pages: list[PageRecord], min_sentences: bool) -> None:
    """Stage 2, the reference's remove_duplicate_text: each line (stripped, lower-cased) stays on one page only, the
    page whose URL has the smallest MD5 (ties, which the reference never meets because it keeps one page per URL:
    the earlier page); a line repeated on its own page keeps its first copy."""
    owner: dict[str, tuple[str, int]] = {}
    for idx, page in enumerate(pages):
        if not page.kept:
            continue
        h = page.url_md5
        for ln in page.live_lines():
            key = line_key(ln.text)
            if key not in owner or (h, idx) < owner[key]:
                owner[key] = (h, idx)
    for idx, page in enumerate(pages):
        if not page.kept:
            continue
        seen: set[str] = set()
        if not page.live_lines():
            page.drop("dedup", "no lines left, and the reference drops an empty page here")
            continue
        for ln in page.live_lines():
            key = line_key(ln.text)
            h, keeper = owner[key]
            if keeper != idx:
                other = pages[keeper]
                _drop_line(ln, "dedup", f"also on page {other.page_id}, whose URL hashes lower "
                                        f"(MD5 {h[:6]}\u2026 < {page.url_md5[:6]}\u2026), which keeps it")
            elif key in seen:
                _drop_line(ln, "dedup", "repeats a line earlier on this page")
            else:
                seen.add(key)
        live = page.live_lines()
        if not live:
            page.drop("dedup", "every line is kept on another page instead")
        elif min_sentences and _sentences(live) < MIN_SENTENCES_PER_PAGE:
            page.drop("dedup", f"only {_sentences(live)} sentence(s) left after deduplication; at least "
                               f"{MIN_SENTENCES_PER_PAGE} needed")


def _english(page: PageRecord) -> None:
    keep, lang, prob = is_confident_english(page.text())
    page.language = (lang, prob)
    if not keep:
        if lang == "en":
            page.drop("english", f"English with probability only {prob:.3f} (< {MIN_ENGLISH_PROBABILITY})")
        elif lang == "unknown":
            page.drop("english", "langdetect finds no language in it")
        else:
            page.drop("english", f"langdetect says {lang!r} (p = {prob:.3f}), not English")


def _bad_words(page: PageRecord, badwords: tuple[str, ...] | None) -> None:
    word = find_bad_word(page.text(), badwords)
    if word:
        page.drop("bad_words", f"contains {word!r}, which is on the bad-words list")


def _funnel(pages: list[PageRecord], on: set[str]) -> list[FunnelRow]:
    """Pages, lines and words still there after each rule, read off the records: a page or line counts until the
    rule that removed it. Words before rule 2 are counted on the original lines, after it on the edited ones."""
    def counts(upto: int) -> tuple[int, int, int]:
        n_pages = n_lines = n_words = 0
        for p in pages:
            if p.removed_by is not None and _ORDER[p.removed_by] <= upto:
                continue
            n_pages += 1
            for ln in p.lines:
                if ln.removed_by is not None and _ORDER[ln.removed_by] <= upto:
                    continue
                n_lines += 1
                n_words += count_words(ln.text if upto >= _ORDER["citations"] else ln.original)
        return n_pages, n_lines, n_words

    rows = [FunnelRow("raw", "Raw crawl", True, *counts(-1))]
    for i, rule in enumerate(RULES):
        rows.append(FunnelRow(rule.key, f"{rule.number}. {rule.name}", rule.key in on, *counts(i)))
    return rows


def make_pages(raw_pages: list[dict]) -> list[PageRecord]:
    """Turn dicts with id/url/kind/text into fresh PageRecords (one LineRecord per stripped, non-empty line)."""
    pages = []
    for i, raw in enumerate(raw_pages):
        text = str(raw.get("text", ""))
        lines = [LineRecord(original=ln.strip(), text=ln.strip()) for ln in text.splitlines() if ln.strip()]
        pages.append(PageRecord(page_id=str(raw.get("id", i + 1)), url=str(raw.get("url", "")),
                                kind=str(raw.get("kind", "")), lines=lines))
    return pages


def run_pipeline(raw_pages: list[dict], enabled: dict[str, bool] | set[str] | None = None,
                 badwords: tuple[str, ...] | None = None) -> PipelineResult:
    """Run the rules over the pages in the reference's order and with its semantics. `enabled` says which rules run
    (default: all). Pages need a "url": deduplication keeps each line on the page whose URL has the smallest MD5.
    Returns every page's record (what was removed, by which rule, why) and the funnel after each rule."""
    if enabled is None:
        on = set(RULE_KEYS)
    elif isinstance(enabled, dict):
        on = {k for k, v in enabled.items() if v}
    else:
        on = set(enabled)
    unknown = on - set(RULE_KEYS)
    if unknown:
        raise ValueError(f"Unknown C4 rule(s): {sorted(unknown)}; known: {list(RULE_KEYS)}")

    pages = make_pages(raw_pages)
    for page in pages:
        _clean_page(page, on)
    if "dedup" in on:
        _dedup(pages, "min_sentences" in on)
    for page in pages:
        if page.kept and "english" in on:
            _english(page)
        if page.kept and "bad_words" in on:
            _bad_words(page, badwords)
    return PipelineResult(pages=pages, funnel=_funnel(pages, on))


def rule_summary(result: PipelineResult, enabled: set[str] | None = None) -> list[dict]:
    """For each rule in order: whether it ran, how many pages and lines it removed and lines it edited."""
    rows = []
    ran = {row.stage: row.enabled for row in result.funnel}
    for rule in RULES:
        rows.append({
            "rule": f"{rule.number}. {rule.name}",
            "key": rule.key,
            "on": ran.get(rule.key, False) if enabled is None else rule.key in enabled,
            "pages removed": sum(1 for p in result.pages if p.removed_by == rule.key),
            "lines removed": sum(1 for p in result.pages for ln in p.lines if ln.removed_by == rule.key),
            "lines edited": sum(1 for p in result.pages for ln in p.lines for k, _ in ln.edits if k == rule.key),
        })
    return rows


def removals_by_rule(result: PipelineResult, key: str) -> list[dict]:
    """Everything rule `key` did, in page order: whole pages it removed, lines it removed, lines it edited."""
    if key not in RULES_BY_KEY:
        raise ValueError(f"Unknown C4 rule {key!r}; known: {list(RULE_KEYS)}")
    out = []
    for p in result.pages:
        if p.removed_by == key:
            out.append({"page": p.page_id, "what": "whole page", "text": p.kind, "why": p.reason})
        for ln in p.lines:
            if ln.removed_by == key:
                out.append({"page": p.page_id, "what": "line", "text": ln.original, "why": ln.reason})
            for k, change in ln.edits:
                if k == key:
                    out.append({"page": p.page_id, "what": "edit", "text": ln.text, "why": change})
    return out


def load_sample_pages(path: Path = SAMPLE_PAGES_FILE) -> list[dict]:
    """The bundled sample crawl: a list of {id, url, kind, text} dicts."""
    import json

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    pages = data["pages"] if isinstance(data, dict) else data
    for p in pages:
        if not {"id", "url", "kind", "text"} <= set(p):
            raise ValueError(f"Sample page {p.get('id')!r} lacks one of id, url, kind, text")
    return pages


# ---------------------------------------------------------------------------------------------------------------
# What the rules do not catch (issue 16): harmful pages written like ordinary prose
# ---------------------------------------------------------------------------------------------------------------

HARMFUL_KINDS = ("misinformation", "propaganda", "clickbait", "conspiracy theory", "racism", "misogyny")


def load_made_up_harmful_pages(path: Path = MADE_UP_HARMFUL_FILE) -> list[dict]:
    """The project's made-up harmful pages: {id, url, kind, made_up, text} dicts, every one marked made_up."""
    pages = load_sample_pages(path)
    for p in pages:
        if p.get("made_up") is not True:
            raise ValueError(f"Page {p.get('id')!r} is not marked \"made_up\": true")
        if p["kind"] not in HARMFUL_KINDS:
            raise ValueError(f"Page {p.get('id')!r} has kind {p['kind']!r}; expected one of {HARMFUL_KINDS}")
    return pages


def made_up_note(path: Path = MADE_UP_HARMFUL_FILE) -> str:
    """The data file's own label ("MADE UP BY THIS PROJECT ..."), for the page to show beside the pages."""
    import json

    return str(json.loads(Path(path).read_text(encoding="utf-8")).get("note", ""))


@dataclass
class HarmfulPassResult:
    passed: int
    total: int
    by_kind: dict[str, tuple[int, int]]  # kind -> (passed, total)
    pages: list[dict]  # id, kind, passed, removed_by, reason, lines kept, lines

    @property
    def sentence(self) -> str:
        return f"{self.passed} of {self.total} harmful made-up pages pass every rule"


def harmful_pages_passing(pages: list[dict] | None = None,
                          badwords: tuple[str, ...] | None = None) -> HarmfulPassResult:
    """Run the made-up harmful pages (default: the bundled file) through every rule, as one crawl, and count how
    many survive. The rules look at form (punctuation, length, boilerplate, a word list), not at what a page says."""
    pages = load_made_up_harmful_pages() if pages is None else pages
    result = run_pipeline(pages, None, badwords)
    rows, by_kind = [], {}
    for rec in result.pages:
        rows.append({"id": rec.page_id, "kind": rec.kind, "passed": rec.kept, "removed_by": rec.removed_by,
                     "reason": rec.reason, "lines kept": len(rec.live_lines()) if rec.kept else 0,
                     "lines": len(rec.lines)})
        got, n = by_kind.get(rec.kind, (0, 0))
        by_kind[rec.kind] = (got + rec.kept, n + 1)
    return HarmfulPassResult(passed=sum(r["passed"] for r in rows), total=len(rows), by_kind=by_kind, pages=rows)
