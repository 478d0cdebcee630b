"""The C4 rules as the reference code applied them (TensorFlow Datasets, tensorflow_datasets/text/c4_utils.py and
c4.py, C4 3.0.1). Each case is a small crawl written for one behaviour, with the verdict the reference gives, read
off its code: `clean_page` (the line loop and the sentence count), `remove_duplicate_text` with `_emit_url_to_lines`
and `_remove_lines_from_text` (line deduplication), `detect_english`, and `get_badwords_filter_fn` (run last, in
`C4._get_page_content`). The old project code disagreed on most of these; the report lists its verdicts.

CASES is data so that a script can run any implementation over the same inputs."""
import hashlib

import pytest

from lib.data import c4

S1 = "The council voted on Tuesday night to build new bike lanes."
S2 = "Construction is expected to begin in early September this year."
S3 = "Supporters said the lanes would make the street much safer."
S4 = "Forecasters expect calmer weather to arrive over the coming weekend."
S5 = "The library will stay open late on Thursdays from next month."
S6 = "Volunteers planted forty new trees along the river path in spring."
LONG_1000 = ("the-" * 250)[:1000]  # one "word" of exactly 1,000 characters that langdetect still reads as English


def page(text, id="t1", url=None):
    return {"id": id, "url": url or f"https://{id}.example/", "kind": "test", "text": text}


def lines(*parts):
    return "\n".join(parts)


def md5(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


# (name, pages, {page id: rule key that removes it, or None for kept}, docstring)
CASES = [
    ("sentences_counted_after_javascript_lines",
     [page(lines(S1, S2, "Please enable JavaScript to read the comments below."))], {"t1": "min_sentences"},
     "clean_page counts sentences only on lines that passed every line check, so a JavaScript line's sentence does "
     "not count: 2 sentences are left and the page is dropped."),
    ("sentences_counted_after_policy_lines",
     [page(lines(S1, S2, "By using this site you agree to our privacy policy."))], {"t1": "min_sentences"},
     "clean_page: a policy line is dropped before its sentences are counted; 2 are left, the page goes."),
    ("bad_word_in_javascript_line_does_not_count",
     [page(lines(S1, S2, S3, "Enable JavaScript to see the sexy new phone cases."))], {"t1": None},
     "The bad-words filter (get_badwords_filter_fn, run after clean_page) sees only the cleaned text: the line with "
     "the bad word was removed as a JavaScript line, so the page stays."),
    ("bad_word_in_menu_line_does_not_count",
     [page(lines("Home | Sex education | Contact", S1, S2, S3))], {"t1": None},
     "The menu line has no end mark, so clean_page drops it before the bad-words filter runs; the page stays."),
    ("bad_word_in_kept_line_drops_page",
     [page(lines(S1, S2, S3, "Our new sex education course starts in the autumn term."))], {"t1": "bad_words"},
     "A bad word on a line that survives everything drops the whole page (get_badwords_filter_fn)."),
    ("bad_word_on_a_line_dedup_removes_does_not_count",
     [page(lines("The sexy new library card is free for every child.", S1, S2, S3), id="b",
           url="https://riverside-news.example/b"),
      page(lines("The sexy new library card is free for every child.", S4, S5, S6), id="c",
           url="https://hilltop-times.example/c")],
     "computed",
     "remove_duplicate_text runs before the bad-words filter (C4._get_page_content): the page whose URL hashes "
     "higher loses the shared line, and the bad word with it, so only the keeper of the line is dropped."),
    ("lorem_ipsum_checked_before_javascript",
     [page(lines(S1, S2, S3, "Lorem ipsum dolor sit amet, enable JavaScript to see more."))], {"t1": "lorem_ipsum"},
     "In clean_page's loop the \"lorem ipsum\" test comes before the \"javascript\" one: a line with both drops the "
     "page, not just the line."),
    ("lorem_ipsum_in_a_dropped_line_is_harmless",
     [page(lines("Lorem ipsum dolor sit amet", S1, S2, S3))], {"t1": None},
     "A \"lorem ipsum\" heading without an end mark fails the end-mark test first and is only a dropped line."),
    ("curly_bracket_on_a_javascript_line_is_only_a_line",
     [page(lines(S1, S2, S3, "In JavaScript you write an object as {name: value}."))], {"t1": None},
     "clean_page drops a JavaScript line before it looks for \"{\", so the page stays."),
    ("curly_bracket_in_a_dropped_line_is_harmless",
     [page(lines("function main() {", S1, S2, S3))], {"t1": None},
     "A code line with no end mark is dropped by the end-mark test before the \"{\" test sees it."),
    ("curly_bracket_in_kept_line_drops_page",
     [page(lines(S1, S2, S3, "Write the settings as {size: 3} in the file."))], {"t1": "curly_bracket"},
     "A kept-so-far line with \"{\" drops the page (clean_page, filtered:squigglybracket)."),
    ("first_line_decides_between_lorem_and_bracket",
     [page(lines(S1, "Write the settings as {size: 3} in the file.", "Lorem ipsum dolor sit amet, consectetur."),
           id="a"),
      page(lines(S1, "Lorem ipsum dolor sit amet, consectetur.", "Write the settings as {size: 3} in the file."),
           id="b")],
     {"a": "curly_bracket", "b": "lorem_ipsum"},
     "clean_page returns at the first line that trips a page check, so the earlier line names the rule."),
    ("citation_markers_are_case_sensitive",
     [page(lines(S1, S2, "The tower opened to the public in 1889.[Citation needed]"))], {"t1": "min_sentences"},
     "citation_regex is \\[\\d*\\]|\\[edit\\]|\\[citation needed\\] with no IGNORECASE: \"[Citation needed]\" "
     "stays, the line ends in \"]\" and is dropped, and the page is left with 2 sentences."),
    ("words_counted_after_markers_are_cut",
     [page(lines(S1, S2, "It opened [citation needed] in 1889."))], {"t1": "min_sentences"},
     "clean_page counts words with line.split() after citation_regex.sub: \"It opened  in 1889.\" has 4 words, so "
     "the line goes and the page is left with 2 sentences."),
    ("no_strip_after_markers_are_cut",
     [page(lines(S1, S2, "The tower is in Paris, France. [1]"))], {"t1": "min_sentences"},
     "clean_page strips the line before cutting the markers, not after: \"... France. \" ends in a space, has no "
     "end mark, and is dropped."),
    ("line_with_a_word_over_1000_characters_is_dropped",
     [page(lines(S1, S2, "Here is the data: " + LONG_1000 + "s end."), id="a"),
      page(lines(S1, S2, "Here is the data: " + LONG_1000 + " end."), id="b")],
     {"a": "min_sentences", "b": None},
     "clean_page's line_has_too_long_word: a word of more than max_word_length (1,000) characters drops the line; "
     "exactly 1,000 is allowed."),
    ("ellipsis",
     [page(lines(S1, S2, "Read the whole story here..."), id="a"),
      page(lines(S1, S2, "She whispered \"wait for me...\""), id="b")],
     {"a": "min_sentences", "b": None},
     "clean_page: a line ending in \"...\" is dropped even though it ends in \".\"; a line ending in a quote after "
     "an ellipsis ends in '\"', not in \"...\", and is kept."),
    ("curly_closing_quote_is_not_an_end_mark",
     [page(lines(S1, S2, "\u201cCome up before the tide turns,\u201d she shouted, \u201cor stay all night.\u201d"))],
     {"t1": "min_sentences"},
     "_END_MARKS is (\".\", \"?\", \"!\", '\"'): a line ending in the curly \u201d is dropped by the code that "
     "built C4 (the paper's \"end quotation mark\" would keep it; see c4.END_MARK_NOTE)."),
    ("single_quote_is_not_an_end_mark",
     [page(lines(S1, S2, "Everyone in the harbour town called the old lighthouse 'the candle'"))],
     {"t1": "min_sentences"},
     "_END_MARKS has the double quote only: a line ending in ' is dropped (datatrove's C4QualityFilter adds ' and "
     "would keep it)."),
    ("dedup_keeps_the_line_on_the_page_with_the_smallest_url_md5",
     [page(lines(S1, S2, S3, S4), id="first", url="https://first-published.example/story"),
      page(lines(S1, S2, S3, S5, S6), id="copy", url="https://content-farm.example/story")],
     "computed",
     "remove_duplicate_text picks one URL per line with Top.PerKey(1, key=_hash_text, reverse=True): the URL with "
     "the smallest MD5, whichever page came first. The other page loses the shared lines."),
    ("dedup_drops_a_page_left_with_too_few_sentences",
     [page(lines(S1, S2, S3), id="a", url="https://a.example/x"),
      page(lines(S1, S2, S3, S4), id="b", url="https://b.example/x")],
     "computed",
     "_remove_lines_from_text drops a page whose remaining text has fewer than 3 sentences."),
    ("dedup_removes_a_line_repeated_on_its_own_page",
     [page(lines(S1, S2, S1.upper(), S3))], {"t1": None},
     "_remove_lines_from_text keeps the first copy of a line repeated on the same page (hashed lower-cased, so "
     "case does not matter)."),
    ("dedup_compares_whole_lines_only",
     [page(lines(S1 + " " + S2 + " " + S3), id="a"), page(lines(S1, S2, S3 + " " + S4), id="b")],
     {"a": None, "b": None},
     "_emit_url_to_lines hashes whole lines: the same sentences split into different lines are no duplicate."),
    ("language_checked_before_bad_words",
     [page(lines("Le cours d'education sexuelle commence en septembre pour tous les eleves du college.",
                 "Les parents sont invites a une reunion d'information le mardi soir.",
                 "Les enseignants presenteront le programme et repondront aux questions.",
                 "Le sex est un sujet que les enfants abordent en classe avec respect."))],
     {"t1": "english"},
     "detect_english runs before the bad-words filter in C4._get_page_content, so a French page with a listed word "
     "is removed by the language check."),
    ("no_line_left_is_too_few_sentences",
     [page(lines("Home | About | Contact", "Menu", "Copyright 2024"))], {"t1": "min_sentences"},
     "clean_page has no 'empty page' verdict of its own: with no line left, 0 sentences < 3 drops the page."),
]


def _smaller(url_a, url_b):
    return md5(url_a) < md5(url_b)


def _expected(name, pages):
    """The verdicts marked "computed" depend on MD5 values or on data the test works out here, independently of
    the module under test."""
    if name == "bad_word_on_a_line_dedup_removes_does_not_count":
        # the shared line lives on b or c, whichever URL hashes lower; that page is dropped for its bad word;
        # the other page loses the line (and the bad word) and keeps 3 sentences
        b_keeps = _smaller(pages[0]["url"], pages[1]["url"])
        return {"b": "bad_words" if b_keeps else None, "c": None if b_keeps else "bad_words"}
    if name == "dedup_keeps_the_line_on_the_page_with_the_smallest_url_md5":
        # the loser keeps 1 (first) or 2 (copy) sentences of its own: fewer than 3, so it is dropped
        first_keeps = _smaller(pages[0]["url"], pages[1]["url"])
        return {"first": None if first_keeps else "dedup", "copy": "dedup" if first_keeps else None}
    if name == "dedup_drops_a_page_left_with_too_few_sentences":
        a_keeps = _smaller(pages[0]["url"], pages[1]["url"])
        return {"a": None if a_keeps else "dedup", "b": "dedup" if a_keeps else None}
    raise KeyError(name)


@pytest.mark.parametrize("name,pages,expected,why", CASES, ids=[c[0] for c in CASES])
def test_reference_verdict(name, pages, expected, why):
    if expected == "computed":
        expected = _expected(name, pages)
    res = c4.run_pipeline(pages)
    got = {p.page_id: p.removed_by for p in res.pages}
    assert got == expected, why


def test_the_md5_cases_test_both_outcomes():
    """The dedup cases above are worth something only if the later page wins at least once (not "first copy")."""
    assert md5("https://content-farm.example/story") < md5("https://first-published.example/story")


def test_dedup_reason_names_the_keeper_and_the_loser_keeps_its_own_lines():
    """remove_duplicate_text: the loser loses exactly the shared lines and keeps its own ones."""
    pages = [page(lines(S1, S2, S3, S4), id="first", url="https://first-published.example/story"),
             page(lines(S1, S2, S3, S5, S6), id="copy", url="https://content-farm.example/story")]
    res = c4.run_pipeline(pages)
    first, copy = res.pages
    assert copy.kept and [ln.text for ln in copy.live_lines()] == [S1, S2, S3, S5, S6]
    assert [ln.removed_by for ln in first.lines] == ["dedup", "dedup", "dedup", None]
    assert "page copy" in first.lines[0].reason and "MD5" in first.lines[0].reason


def test_markers_cut_exactly_as_the_reference():
    """citation_regex.sub('', line): nothing else changes, not even the double space left behind."""
    assert c4.strip_citations("Disputed [citation needed] claim.") == ("Disputed  claim.", ["[citation needed]"])
    assert c4.strip_citations("It was built in 1889.[2][3]") == ("It was built in 1889.", ["[2]", "[3]"])
    assert c4.strip_citations("Empty [] marker.") == ("Empty  marker.", ["[]"])
    assert c4.strip_citations("History[Edit]") == ("History[Edit]", [])


def test_page_dropping_lines_are_named():
    """clean_page returns at the first line that trips "lorem ipsum" or "{"; the page says which line."""
    res = c4.run_pipeline([page(lines(S1, "Write the settings as {size: 3} in the file.", S2, S3))])
    p = res.pages[0]
    assert p.removed_by == "curly_bracket" and p.trigger_line == 1 and "line 2" in p.reason


def test_rules_run_in_the_reference_order():
    """The order of the checks in clean_page, then remove_duplicate_text, detect_english, the bad-words filter."""
    assert c4.RULE_KEYS == ("long_word", "citations", "terminal_punct", "min_words", "lorem_ipsum", "javascript",
                            "curly_bracket", "policy", "min_sentences", "dedup", "english", "bad_words")
    assert [r.number for r in c4.RULES] == [str(i) for i in range(1, 13)]


def test_end_mark_decision_is_stated():
    assert c4.CURLY_QUOTE_ENDS_LINE is False and "\u201d" not in c4.END_MARKS
    assert "paper" in c4.END_MARK_NOTE and "code" in c4.END_MARK_NOTE and "We follow the code" in c4.END_MARK_NOTE


def test_simplifications_are_short_sentences():
    assert len(c4.SIMPLIFICATIONS) >= 3
    assert all(s.endswith(".") and len(s) < 260 for s in c4.SIMPLIFICATIONS)
    joined = " ".join(c4.SIMPLIFICATIONS)
    assert "punkt" in joined and "subset" in joined and "langdetect" in joined
