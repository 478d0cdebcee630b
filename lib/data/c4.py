"""The C4 cleaning rules (Raffel et al. 2020, section 2.2), one small pure function each, in the paper's order,
and a pipeline that records, page by page and line by line, which rule removed what and why.

C4 ("Colossal Clean Crawled Corpus") was built from one month of Common Crawl text with these heuristics:

 1. keep only lines that end in a terminal punctuation mark (. ! ? or a closing quote; not "...")
 2. keep only lines with at least 5 words, and drop pages with fewer than 3 sentences
 3. drop any page containing a word from the "List of Dirty, Naughty, Obscene or Otherwise Bad Words"
 4. drop any line containing the word "javascript"
 5. drop any page containing "lorem ipsum"
 6. drop any page containing a curly bracket "{"
 7. remove citation markers such as [1], [edit], [citation needed]
 8. drop lines with policy boilerplate ("terms of use", "privacy policy", "uses cookies", ...)
 9. deduplicate: keep one copy of any three-sentence span that occurs more than once
10. keep pages that langdetect classifies as English with probability >= 0.99

Details follow the reference code (TensorFlow Datasets, c4_utils.py) where the paper is silent: the terminal
punctuation check ignores trailing citation markers (TFDS strips them first, so "in 1889.[2]" is a good line), and a
page whose deduplication leaves fewer than 3 sentences is dropped. Two simplifications, said openly: sentences are
split with a regular expression (TFDS uses NLTK's punkt), and deduplication is exact matching of normalised
three-sentence spans with a Python set (no library is needed for exact matching; near-duplicate detection such as
MinHash is a different, later technique).

Nothing here imports streamlit; the page calls `run_pipeline` and draws its records.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BADWORDS_FILE = ROOT / "assets" / "data" / "badwords_en_subset.txt"
SAMPLE_PAGES_FILE = ROOT / "assets" / "data" / "sample_pages.json"

MIN_WORDS_PER_LINE = 5
MIN_SENTENCES_PER_PAGE = 3
MIN_ENGLISH_PROBABILITY = 0.99
END_MARKS = (".", "!", "?", '"', "\u201d")  # a closing straight or curly quote also ends a sentence
ELLIPSIS = ("...", "\u2026")
CITATION_RE = re.compile(r"\[\d*\]|\[edit\]|\[citation needed\]", re.IGNORECASE)
POLICY_SUBSTRINGS = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                     "use cookies")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

def split_sentences(text: str) -> list[str]:
    """Split text into sentences after . ! or ? followed by space (a simple stand-in for NLTK's punkt)."""
    parts: list[str] = []
    for line in text.splitlines():
        start = 0
        for m in _SENTENCE_END_RE.finditer(line):
            parts.append(line[start:m.end()].strip())
            start = m.end()
        parts.append(line[start:].strip())
    return [p for p in parts if p]


def count_words(text: str) -> int:
    return len(text.split())


@functools.lru_cache(maxsize=4)
def load_badwords(path: str = str(BADWORDS_FILE)) -> tuple[str, ...]:
    """The bundled bad-words subset: one entry a line, '#' lines are notes."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#"))


@functools.lru_cache(maxsize=4)
def _badword_regex(words: tuple[str, ...]) -> re.Pattern:
    # As in TFDS: a list entry counts when it stands between non-word characters (or the text's ends).
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:\W|^)(" + alternatives + r")(?:\W|$)")


# ---------------------------------------------------------------------------------------------------------------
# The rules, in the paper's order. Line rules take one line; page rules take the page's text or lines.
# Each returns what it found (so the page can say why), not just a yes/no.
# ---------------------------------------------------------------------------------------------------------------

def ends_in_terminal_punctuation(line: str) -> bool:
    """Rule 1: a line is kept only if it ends in . ! ? or a closing quote, and not in an ellipsis."""
    stripped = CITATION_RE.sub("", line).rstrip()
    return stripped.endswith(END_MARKS) and not stripped.endswith(ELLIPSIS)


def has_enough_words(line: str, min_words: int = MIN_WORDS_PER_LINE) -> bool:
    """Rule 2a: a line is kept only if it has at least `min_words` words."""
    return count_words(line) >= min_words


def has_enough_sentences(lines: list[str], min_sentences: int = MIN_SENTENCES_PER_PAGE) -> bool:
    """Rule 2b: a page is kept only if its lines hold at least `min_sentences` sentences."""
    return sum(len(split_sentences(line)) for line in lines) >= min_sentences


def find_bad_word(text: str, words: tuple[str, ...] | None = None) -> str | None:
    """Rule 3: the first bad-words-list entry found in the page (case-insensitive, whole words), or None."""
    words = load_badwords() if words is None else tuple(w.lower() for w in words)
    if not words:
        return None
    m = _badword_regex(words).search(text.lower())
    return m.group(1) if m else None


def mentions_javascript(line: str) -> bool:
    """Rule 4: a line mentioning "javascript" (usually "please enable JavaScript") is dropped."""
    return "javascript" in line.lower()


def has_lorem_ipsum(text: str) -> bool:
    """Rule 5: a page containing the placeholder text "lorem ipsum" is dropped."""
    return "lorem ipsum" in text.lower()


def has_curly_bracket(text: str) -> bool:
    """Rule 6: a page containing "{" is probably code and is dropped."""
    return "{" in text


def strip_citations(line: str) -> tuple[str, list[str]]:
    """Rule 7: remove citation markers such as [1], [edit], [citation needed]; returns (new line, markers)."""
    markers = CITATION_RE.findall(line)
    if not markers:
        return line, []
    return re.sub(r"\s{2,}", " ", CITATION_RE.sub("", line)).strip(), markers


def find_policy_phrase(line: str) -> str | None:
    """Rule 8: the policy boilerplate phrase in the line ("privacy policy", "uses cookies", ...), or None."""
    low = line.lower()
    for phrase in POLICY_SUBSTRINGS:
        if phrase in low:
            return phrase
    return None


def span_key(sentences: list[str]) -> str:
    """Rule 9's unit: a three-sentence span, normalised (case and spacing) so trivial differences still match."""
    return " ".join(" ".join(s.lower().split()) for s in sentences)


def three_sentence_spans(sentences: list[str]) -> list[tuple[int, str]]:
    """Rule 9: every run of three consecutive sentences as (start index, key)."""
    return [(i, span_key(sentences[i:i + 3])) for i in range(len(sentences) - 2)]


@functools.lru_cache(maxsize=4096)
def detect_language(text: str) -> tuple[str, float]:
    """Rule 10: langdetect's best language and its probability, seeded so the answer repeats.
    Text with nothing to go on (digits, symbols, empty) gives ("unknown", 0.0)."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "unknown", 0.0
    return best.lang, float(best.prob)


def is_confident_english(text: str, threshold: float = MIN_ENGLISH_PROBABILITY) -> tuple[bool, str, float]:
    """Rule 10: (kept?, language, probability): kept when English with probability >= threshold."""
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


RULES: tuple[Rule, ...] = (
    Rule("terminal_punct", "1", "Terminal punctuation", "line",
         "keep only lines ending in . ! ? or a closing quote (not \"...\")"),
    Rule("min_words", "2a", "At least 5 words a line", "line", "drop lines with fewer than 5 words"),
    Rule("min_sentences", "2b", "At least 3 sentences a page", "page", "drop pages with fewer than 3 sentences"),
    Rule("bad_words", "3", "Bad-words list", "page", "drop any page containing a word from the list"),
    Rule("javascript", "4", "\"javascript\" lines", "line", "drop any line containing the word javascript"),
    Rule("lorem_ipsum", "5", "\"lorem ipsum\" pages", "page", "drop any page with the placeholder lorem ipsum"),
    Rule("curly_bracket", "6", "Curly bracket pages", "page", "drop any page containing { (probably code)"),
    Rule("citations", "7", "Citation markers", "line", "remove markers such as [1] and [citation needed]"),
    Rule("policy", "8", "Policy boilerplate", "line", "drop lines about terms of use, privacy or cookies"),
    Rule("dedup", "9", "Three-sentence dedup", "corpus",
         "keep only the first copy of any three-sentence span"),
    Rule("english", "10", "English (langdetect >= 0.99)", "page",
         "keep pages langdetect calls English with probability at least 0.99"),
)
RULE_KEYS = tuple(r.key for r in RULES)
RULES_BY_KEY = {r.key: r for r in RULES}


@dataclass
class LineRecord:
    original: str
    text: str  # the line as it stands now (citations stripped, duplicate sentences removed)
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

    @property
    def kept(self) -> bool:
        return self.removed_by is None

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


def _count(pages: list[PageRecord]) -> tuple[int, int, int]:
    live = [p for p in pages if p.kept]
    lines = [ln for p in live for ln in p.live_lines()]
    return len(live), len(lines), sum(count_words(ln.text) for ln in lines)


def _drop_line(line: LineRecord, rule: str, reason: str) -> None:
    line.removed_by, line.reason = rule, reason


def _apply_line_rule(page: PageRecord, key: str) -> None:
    for line in page.live_lines():
        text = line.text
        if key == "terminal_punct" and not ends_in_terminal_punctuation(text):
            tail = text.rstrip()[-12:]
            _drop_line(line, key, f"does not end in terminal punctuation (ends \u2026{tail!r})"
                       if tail else "empty line")
        elif key == "min_words" and not has_enough_words(text):
            _drop_line(line, key, f"only {count_words(text)} word(s); at least {MIN_WORDS_PER_LINE} needed")
        elif key == "javascript" and mentions_javascript(text):
            _drop_line(line, key, "mentions \"javascript\"")
        elif key == "citations":
            new, markers = strip_citations(text)
            if markers:
                line.text = new
                line.edits.append((key, "removed " + ", ".join(markers)))
        elif key == "policy":
            phrase = find_policy_phrase(text)
            if phrase:
                _drop_line(line, key, f"policy boilerplate ({phrase!r})")
    if not page.live_lines():
        page.drop(key, f"every line was removed by rule {RULES_BY_KEY[key].number}")


def _apply_page_rule(page: PageRecord, key: str, badwords: tuple[str, ...] | None) -> None:
    text = page.text()
    if key == "min_sentences":
        n = len(split_sentences(text))
        if n < MIN_SENTENCES_PER_PAGE:
            page.drop(key, f"only {n} sentence(s) left; at least {MIN_SENTENCES_PER_PAGE} needed")
    elif key == "bad_words":
        word = find_bad_word(text, badwords)
        if word:
            page.drop(key, f"contains {word!r}, which is on the bad-words list")
    elif key == "lorem_ipsum" and has_lorem_ipsum(text):
        page.drop(key, "contains the placeholder text \"lorem ipsum\"")
    elif key == "curly_bracket" and has_curly_bracket(text):
        page.drop(key, "contains a curly bracket \"{\" (probably code)")
    elif key == "english":
        keep, lang, prob = is_confident_english(text)
        page.language = (lang, prob)
        if not keep:
            if lang == "en":
                page.drop(key, f"English with probability only {prob:.3f} (< {MIN_ENGLISH_PROBABILITY})")
            else:
                page.drop(key, f"langdetect says {lang!r} (p = {prob:.3f}), not English")


def _apply_dedup(pages: list[PageRecord], seen: dict[str, str]) -> None:
    """Keep the first copy of each three-sentence span; later copies lose those sentences."""
    for page in pages:
        if not page.kept:
            continue
        live = page.live_lines()
        owners: list[tuple[LineRecord, str]] = [(ln, s) for ln in live for s in split_sentences(ln.text)]
        sentences = [s for _, s in owners]
        drop = [False] * len(sentences)
        first_seen: dict[int, str] = {}
        for i, key in three_sentence_spans(sentences):
            if key in seen:
                for j in range(i, i + 3):
                    drop[j] = True
                    first_seen.setdefault(j, seen[key])
            else:
                seen[key] = page.page_id
        if not any(drop):
            continue
        for line in live:
            idx = [k for k, (ln, _) in enumerate(owners) if ln is line]
            removed = [k for k in idx if drop[k]]
            if not removed:
                continue
            where = ", ".join(sorted({first_seen[k] for k in removed}))
            if len(removed) == len(idx):
                _drop_line(line, "dedup", f"repeats a three-sentence span first seen on page {where}")
            else:
                line.text = " ".join(owners[k][1] for k in idx if not drop[k])
                line.edits.append(("dedup", f"removed {len(removed)} sentence(s) repeated from page {where}"))
        left = sum(1 for d in drop if not d)
        if not page.live_lines():
            page.drop("dedup", "every line repeats text seen on an earlier page")
        elif left < MIN_SENTENCES_PER_PAGE:
            page.drop("dedup", f"only {left} sentence(s) left after deduplication; at least "
                               f"{MIN_SENTENCES_PER_PAGE} needed")


def make_pages(raw_pages: list[dict]) -> list[PageRecord]:
    """Turn dicts with id/url/kind/text into fresh PageRecords (one LineRecord per stripped line)."""
    pages = []
    for i, raw in enumerate(raw_pages):
        text = str(raw.get("text", ""))
        lines = [LineRecord(original=ln.strip(), text=ln.strip()) for ln in text.splitlines() if ln.strip()]
        pages.append(PageRecord(page_id=str(raw.get("id", i + 1)), url=str(raw.get("url", "")),
                                kind=str(raw.get("kind", "")), lines=lines))
    return pages


def run_pipeline(raw_pages: list[dict], enabled: dict[str, bool] | set[str] | None = None,
                 badwords: tuple[str, ...] | None = None) -> PipelineResult:
    """Run the rules in the paper's order over the pages. `enabled` says which rules run (default: all).
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
    funnel = [FunnelRow("raw", "Raw crawl", True, *_count(pages))]
    seen: dict[str, str] = {}
    for rule in RULES:
        if rule.key in on:
            if rule.level == "corpus":
                _apply_dedup(pages, seen)
            else:
                for page in pages:
                    if not page.kept:
                        continue
                    if rule.level == "line":
                        _apply_line_rule(page, rule.key)
                    else:
                        _apply_page_rule(page, rule.key, badwords)
        funnel.append(FunnelRow(rule.key, f"{rule.number}. {rule.name}", rule.key in on, *_count(pages)))
    return PipelineResult(pages=pages, funnel=funnel)


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
