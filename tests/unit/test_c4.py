"""Pin each C4 rule (Raffel et al. 2020, as the reference code applies them) on crafted examples, then the pipeline
on the bundled sample pages and the made-up harmful pages. tests/unit/test_c4_reference.py pins the reference's order and
semantics behaviour by behaviour."""
import hashlib

import pytest

from lib.data import c4

GOOD = [
    "The council voted on Tuesday night to build new bike lanes.",
    "Construction is expected to begin in early September this year.",
    "Supporters said the lanes would make the street much safer.",
]


def page(text, id="t1", url="https://x.example/", kind="test"):
    return {"id": id, "url": url, "kind": kind, "text": text}


# --- rule 1: terminal punctuation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["It rained.", "Really?", "Stop!", '"He left," she said.', 'He said "go."',
                                  "Built in 1889.[2]", "Disputed.[citation needed]", "  Padded both sides.  "])
def test_terminal_punctuation_kept(line):
    assert c4.ends_in_terminal_punctuation(line)


@pytest.mark.parametrize("line", ["Home | News | Sport", "Read more...", "Wait\u2026", "Price: $24.99 ", "",
                                  "History[edit]", "ends with a colon:", "a comma,",
                                  "She said \u201cgo.\u201d",  # the curly quote: see c4.END_MARK_NOTE
                                  "Built in 1889. [2]",  # no second strip after the marker goes
                                  "Disputed.[Citation needed]"])  # markers are matched case-sensitively
def test_terminal_punctuation_dropped(line):
    assert not c4.ends_in_terminal_punctuation(line)


# --- rule 1: a word over 1,000 characters ----------------------------------------------------------------------
def test_too_long_word_boundary():
    assert not c4.has_too_long_word("short words " + "a" * 1000)
    assert c4.has_too_long_word("short words " + "a" * 1001)
    assert not c4.has_too_long_word("")


# --- rules 4 and 9: five words a line, three sentences a page --------------------------------------------------
def test_min_words_boundary():
    assert not c4.has_enough_words("Only four words here.")
    assert c4.has_enough_words("Now there are five words.")
    assert not c4.has_enough_words("   ")


def test_min_sentences_boundary():
    assert not c4.has_enough_sentences(["One sentence. Two sentences."])
    assert c4.has_enough_sentences(["One sentence. Two sentences.", "Three sentences!"])
    assert not c4.has_enough_sentences([])


def test_split_sentences():
    assert c4.split_sentences('"Is anyone up?" she asked. He waved! Then silence') == [
        '"Is anyone up?"', "she asked.", "He waved!", "Then silence"]
    assert c4.split_sentences("") == []


@pytest.mark.parametrize("text,n", [("Dr. Smith went home. He was tired.", 2),
                                    ("The U.S. economy grew 3 per cent. Prices fell.", 2),
                                    ("Mr. and Mrs. Jones arrived at 5 p.m. on Friday. They left early.", 2),
                                    ("by R. Mendes", 1), ("Published 8:03 a.m. ET Oct. 12, 2022", 2)])
def test_split_sentences_knows_a_few_abbreviations(text, n):
    """These counts are punkt's (NLTK's English model, checked with its parameters when this was written)."""
    assert len(c4.split_sentences(text)) == n


# --- rule 3: bad words ------------------------------------------------------------------------------------------
def test_badwords_list_is_bundled_and_small():
    words = c4.load_badwords()
    assert 20 <= len(words) <= 100
    assert "sex" in words and all(w == w.lower() for w in words)
    assert not any(w.startswith("#") for w in words)


def test_bad_word_whole_words_only():
    assert c4.find_bad_word("A lesson on SEX education.") == "sex"
    assert c4.find_bad_word("Butter the tin and pass the class notes.") is None  # butt, ass inside words
    assert c4.find_bad_word("The battery life sucks now.") == "sucks"
    assert c4.find_bad_word("Essex is a county in England.") is None


def test_bad_word_phrases_and_custom_list():
    assert c4.find_bad_word("This guide explains how to kill weeds.") == "how to kill"
    assert c4.find_bad_word("A guide to killing weeds.") is None
    assert c4.find_bad_word("a banana", words=("banana",)) == "banana"
    assert c4.find_bad_word("a banana", words=()) is None


# --- rules 4, 5, 6 ----------------------------------------------------------------------------------------------
def test_javascript_line():
    assert c4.mentions_javascript("Please enable JavaScript to view the comments.")
    assert c4.mentions_javascript("JavaScript was created in ten days in 1995.")  # a real sentence lost too
    assert not c4.mentions_javascript("Java is a different language from Python.")


def test_lorem_ipsum_page():
    assert c4.has_lorem_ipsum("About us\nLorem Ipsum dolor sit amet.")
    assert not c4.has_lorem_ipsum("Lorem is a word; ipsum is another.")


def test_curly_bracket_page():
    assert c4.has_curly_bracket("Call map((n) => ({ value: n })).")
    assert not c4.has_curly_bracket("Round (brackets) and [square] ones are fine.")
    assert c4.has_curly_bracket("}") is False


# --- rule 7: citations ------------------------------------------------------------------------------------------
def test_strip_citations():
    assert c4.strip_citations("Built in 1889.[2][3]") == ("Built in 1889.", ["[2]", "[3]"])
    assert c4.strip_citations("Disputed [citation needed] claim.") == ("Disputed  claim.", ["[citation needed]"])
    assert c4.strip_citations("History[edit]") == ("History", ["[edit]"])
    assert c4.strip_citations("An array a[i] stays.") == ("An array a[i] stays.", [])


# --- rule 8: policy ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("line,phrase", [("Read our Privacy Policy.", "privacy policy"),
                                         ("This site uses cookies to work.", "uses cookies"),
                                         ("We use cookies to improve your experience.", "use cookies"),
                                         ("By using it you accept the Terms of Use.", "terms of use"),
                                         ("See our cookie policy for details.", "cookie policy"),
                                         ("You accept our use of cookies.", "use of cookies")])
def test_policy_phrases(line, phrase):
    assert c4.find_policy_phrase(line) == phrase


def test_policy_leaves_other_lines():
    assert c4.find_policy_phrase("She baked cookies for the whole street.") is None


# --- rule 10: repeated lines ----------------------------------------------------------------------------------
def test_line_key_ignores_case_and_outer_space_only():
    assert c4.line_key("  Hello World. ") == c4.line_key("hello world.")
    assert c4.line_key("Hello  World.") != c4.line_key("Hello World.")
    assert c4.url_hash("https://a.example/") == hashlib.md5(b"https://a.example/").hexdigest()


def test_dedup_misses_reworded_copies():
    reworded = [GOOD[0].replace("The council", "Councillors"), GOOD[1],
                "Supporters argued the lanes would make the street safer."]
    res = c4.run_pipeline([page("\n".join(GOOD), id="a", url="https://a.example/"),
                           page("\n".join(reworded), id="b", url="https://b.example/")], {"dedup"})
    assert all(p.kept for p in res.pages)
    b = res.pages[1]
    assert [ln.removed_by for ln in b.lines] == [None, "dedup", None] or [
        ln.removed_by for ln in res.pages[0].lines] == [None, "dedup", None]


def test_dedup_needs_distinct_urls_and_breaks_ties_by_order():
    res = c4.run_pipeline([page("\n".join(GOOD), id="a", url="https://same.example/"),
                           page("\n".join(GOOD), id="b", url="https://same.example/")], {"dedup"})
    assert res.pages[0].kept and res.pages[1].removed_by == "dedup"


# --- rule 10: language ------------------------------------------------------------------------------------------
def test_language_detection_is_seeded_and_repeats():
    text = "The council voted on Tuesday night to build protected bike lanes along Main Street."
    c4.detect_language.cache_clear()
    first = c4.detect_language(text)
    c4.detect_language.cache_clear()
    assert c4.detect_language(text) == first
    assert first[0] == "en" and first[1] >= 0.99


def test_language_rule():
    assert c4.is_confident_english(" ".join(GOOD))[0]
    keep, lang, _ = c4.is_confident_english("Préchauffez le four et étalez la pâte dans un moule à tarte.")
    assert not keep and lang == "fr"
    assert c4.detect_language("12345 !!! ???") == ("unknown", 0.0)


# --- the pipeline -----------------------------------------------------------------------------------------------
def test_every_rule_has_a_short_label():
    assert all(r.short and len(f"{r.number}. {r.short}") <= 20 for r in c4.RULES)  # the page's checkbox label
    assert len({r.number for r in c4.RULES}) == len(c4.RULES)


def test_unknown_rule_raises():
    with pytest.raises(ValueError, match="Unknown C4 rule"):
        c4.run_pipeline([page("x")], {"nonsense"})


def test_no_rules_keeps_everything():
    pages = c4.load_sample_pages()
    res = c4.run_pipeline(pages, set())
    assert all(row.pages == len(pages) for row in res.funnel)
    assert len({(r.lines, r.words) for r in res.funnel}) == 1


def test_funnel_never_grows_and_each_rule_removes_something_on_the_samples():
    pages = c4.load_sample_pages()
    assert len(pages) >= 25
    res = c4.run_pipeline(pages)
    rows = res.funnel
    assert rows[0].stage == "raw" and rows[0].pages == len(pages)
    for before, after in zip(rows, rows[1:]):
        assert after.pages <= before.pages and after.lines <= before.lines and after.words <= before.words
    removed = {p.removed_by for p in res.pages if not p.kept} | {
        ln.removed_by for p in res.pages for ln in p.lines if not ln.kept}
    edited = {k for p in res.pages for ln in p.lines for k, _ in ln.edits}
    for key in c4.RULE_KEYS:
        assert key in removed | edited, f"rule {key} does nothing on the sample pages"


def test_sample_pages_expected_fates():
    res = c4.run_pipeline(c4.load_sample_pages())
    fate = {p.page_id: p.removed_by for p in res.pages}
    assert fate["p01"] is None                      # a news story survives, minus its navigation
    assert fate["p03"] == "dedup"                   # p02's URL hashes lower, so p02 keeps the shared lines
    assert fate["p04"] is None and fate["p05"] is None  # the content farm's URL hashes lower: it keeps the
    p04 = next(p for p in res.pages if p.page_id == "p04")  # copied lines, the original loses them
    assert any(ln.removed_by == "dedup" and "p05" in ln.reason for ln in p04.lines)
    assert fate["p07"] == "curly_bracket" and fate["p08"] == "lorem_ipsum"
    assert fate["p11"] == "english" and fate["p14"] == "min_sentences"  # no line ends in . ! ? "
    assert fate["p18"] == "bad_words" and fate["p20"] == "bad_words"  # medical and museum pages lost
    assert fate["p24"] == "min_sentences"           # every line is policy boilerplate or has no end mark
    p06 = next(p for p in res.pages if p.page_id == "p06")
    assert fate["p06"] is None and any(ln.removed_by == "long_word" for ln in p06.lines)


def test_toggling_a_rule_changes_the_funnel():
    pages = c4.load_sample_pages()
    all_on = c4.run_pipeline(pages)
    no_bad = c4.run_pipeline(pages, {k: k != "bad_words" for k in c4.RULE_KEYS})
    assert no_bad.funnel[-1].pages > all_on.funnel[-1].pages
    row = next(r for r in no_bad.funnel if r.stage == "bad_words")
    assert row.enabled is False


def test_pipeline_does_not_mutate_input_and_repeats():
    pages = c4.load_sample_pages()
    snapshot = [dict(p) for p in pages]
    a = c4.run_pipeline(pages).funnel_table()
    b = c4.run_pipeline(pages).funnel_table()
    assert a == b and pages == snapshot


@pytest.mark.parametrize("text", ["", "\n\n\n", "\U0001F600" * 500, "{" * 10_000, "a" * 100_000,
                                  "\u0000\u202e\ufeff strange controls.", "[1][2][3]",
                                  "word " * 20_000 + "."])
def test_hostile_text_does_not_crash(text):
    res = c4.run_pipeline([page(text)])
    assert res.funnel[0].pages == 1
    assert res.funnel[-1].pages in (0, 1)


def test_rule_summary_counts_match_the_records():
    res = c4.run_pipeline(c4.load_sample_pages(), {k: k != "lorem_ipsum" for k in c4.RULE_KEYS})
    rows = {r["key"]: r for r in c4.rule_summary(res)}
    assert list(rows) == list(c4.RULE_KEYS)
    assert rows["lorem_ipsum"]["on"] is False and rows["lorem_ipsum"]["pages removed"] == 0
    assert rows["curly_bracket"]["pages removed"] == 1
    assert rows["citations"]["lines edited"] == 7 and rows["citations"]["lines removed"] == 0
    assert sum(r["pages removed"] for r in rows.values()) == len(res.pages) - len(res.kept_pages())


def test_removals_by_rule_lists_pages_lines_and_edits():
    res = c4.run_pipeline(c4.load_sample_pages())
    bad = c4.removals_by_rule(res, "bad_words")
    assert {r["page"] for r in bad} == {"p10", "p18", "p19", "p20", "p21"}
    assert all(r["what"] == "whole page" and "bad-words list" in r["why"] for r in bad)
    js = c4.removals_by_rule(res, "javascript")
    assert any(r["page"] == "p22" and r["text"].startswith("JavaScript was created") for r in js)
    cites = c4.removals_by_rule(res, "citations")
    assert cites and all(r["what"] == "edit" for r in cites)
    with pytest.raises(ValueError):
        c4.removals_by_rule(res, "nope")


# --- issue 16: harmful made-up pages ---------------------------------------------------------------------------
HARMFUL = "\n".join([
    "Warm lemon water taken every morning cures the flu in less than a day.",
    "The acid in the lemon kills every virus in the body before it can spread.",
    "Flu medicine is sold only because it makes money for the drug companies.",
])


def test_harmful_pages_passing_counts_what_survives():
    pages = [dict(page(HARMFUL, id="h1", url="https://h1.example/"), kind="misinformation", made_up=True),
             dict(page("Too short to pass.", id="h2", url="https://h2.example/"), kind="clickbait", made_up=True),
             dict(page("\n".join(ln.upper().replace("CURES", "SEXY CURES") + " Really." for ln in HARMFUL.split("\n")),
                       id="h3", url="https://h3.example/"), kind="misinformation", made_up=True)]
    res = c4.harmful_pages_passing(pages)
    assert (res.passed, res.total) == (1, 3)
    assert res.by_kind == {"misinformation": (1, 2), "clickbait": (0, 1)}
    assert [r["removed_by"] for r in res.pages] == [None, "min_sentences", "bad_words"]
    assert res.sentence == "1 of 3 harmful made-up pages pass every rule"


def test_bundled_harmful_pages_are_labelled_and_cover_every_kind():
    pages = c4.load_made_up_harmful_pages()
    assert all(p["made_up"] is True for p in pages)
    assert {p["kind"] for p in pages} == set(c4.HARMFUL_KINDS)
    assert len({p["url"] for p in pages}) == len(pages)
    assert c4.made_up_note().startswith("MADE UP BY THIS PROJECT")


def test_bundled_harmful_pages_pass_every_rule():
    """The lesson's number: the rules judge form, not content, so every one of these survives."""
    res = c4.harmful_pages_passing()
    assert res.passed == res.total >= 12, [r for r in res.pages if not r["passed"]]


def test_unlabelled_page_is_refused(tmp_path):
    f = tmp_path / "pages.json"
    f.write_text('{"pages": [{"id": "x", "url": "u", "kind": "racism", "text": "t"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="made_up"):
        c4.load_made_up_harmful_pages(f)
