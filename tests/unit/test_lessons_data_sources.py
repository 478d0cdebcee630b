"""The data-sources lesson: its numbers from the tables and the C4 rules, and every branch of notices() on
hand-made numbers."""
from lib.lessons import data_sources as L

SCALE = L.Scale(2.59, 3.45, "20", 6100.0, 745.0, 1100.0, 365.0, 1400.0, 156.0, 30.0)
RULES = L.RuleStats(12, (33, 13), (300, 90), (5000, 1500), ("12. Bad-words list",), 5, ("3. Terminal punctuation",),
                    80)
FILTERED = L.Filtered((("African-American English", 42.0), ("White-aligned English", 6.2)),
                      (("p10", "spam (adult)", "x"), ("p18", "health", "y")))
LANG = L.Languages(45.9, "Punjabi", 113.0, 0.0061, 231.56, 10.3)
TOKENS = L.TokenStats(50, 4.0, "Burmese", 9.5, 475, 1.6, 5.2)


def notes(**kw):
    args = dict(s=SCALE, r=RULES, f=FILTERED, lang=LANG, t=TOKENS, costs=None) | kw
    return L.notices(**args)


def find(points, start):
    return [p for p in points if p.startswith(start)]


def test_scale_from_the_tables():
    s = L.scale()
    assert (s.c4_gb, s.raw_gb, s.docs_final_m, s.tokens_raw_b) == (745.0, 6100.0, 365.0, 1400.0)
    assert s.blocklist_only_m == 30.0


def test_bytes_and_tokens_agree_or_not():
    agree = find(notes(), "Two measures")[0]
    assert "(**12%**, the metric above)" in agree and "both say about 11%-12% survives: far less" in agree
    apart = find(notes(s=L.Scale(2.59, 3.45, "20", 1000.0, 500.0, 1100.0, 365.0, 1400.0, 156.0, 30.0)),
                 "Two measures")[0]
    assert "Bytes say 50% survives and tokens 11%" in apart and "far less than the share of pages" not in apart


def test_blocklist_alone_only_when_it_removed_something():
    assert find(notes(), "The bad-words list alone removes 30 M")
    none = L.Scale(2.59, 3.45, "20", 6100.0, 745.0, 1100.0, 365.0, 1400.0, 156.0, 0.0)
    assert not find(notes(s=none), "The bad-words list alone")


def test_one_leader_ties_and_no_rule_removing_pages():
    one = find(notes(), "On our 33 sample pages")[0]
    assert "**12. Bad-words list** removes the most pages (5)" in one
    assert "**3. Terminal punctuation** removes the most lines (80 of 300)" in one
    tied = L.RuleStats(12, (33, 13), (300, 90), (5000, 1500), ("A", "B", "C"), 4, ("D", "E"), 7)
    point = find(notes(r=tied), "On our 33 sample pages")[0]
    assert "**A**, **B** and **C** tie for the most pages removed (4 each)" in point
    assert "**D** and **E** tie for the most lines (7 of 300 each)" in point
    no_lines = L.RuleStats(1, (33, 30), (300, 300), (5000, 4000), ("A",), 3, ("A",), 0)
    assert "no rule removes single lines" in find(notes(r=no_lines), "On our")[0]
    nothing = L.RuleStats(0, (33, 33), (300, 300), (5000, 5000), (), 0, (), 0)
    assert not find(notes(r=nothing), "On our")


def test_survivors_including_a_100_percent_case():
    assert "With the 12 rule(s) you left on, 13 of 33 pages and 30% of the words survive." in notes()
    all_kept = L.RuleStats(0, (33, 33), (300, 300), (5000, 5000), (), 0, (), 0)
    assert "With the 0 rule(s) you left on, 33 of 33 pages and 100% of the words survive." in notes(r=all_kept)


def test_dialects_more_often_or_not():
    assert "42%** of documents in African-American English against **6.2%**" in find(notes(), "The filter")[0]
    assert find(notes(), "The filter")[0].endswith("6.8x as often.")
    same = L.Filtered((("African-American English", 5.0), ("White-aligned English", 6.2)), FILTERED.banned)
    assert find(notes(f=same), "The filter")[0].endswith("no more often.")


def test_banned_pages_not_adult_all_adult_and_none():
    assert "Of the 2 sample pages the list removed, 1 are not adult content (health)." in notes()
    adult = L.Filtered(FILTERED.dialects, (("p10", "spam (adult)", "x"),))
    assert "All 1 sample pages the list removed are adult spam" in " ".join(notes(f=adult))
    clean = L.Filtered(FILTERED.dialects, ())
    assert not [p for p in notes(f=clean) if "the list removed" in p]


def test_tokens_other_scripts_costlier_equal_and_absent():
    t = find(notes(), "Our tokenizer needs")[0]
    assert "**9.5x** as many tokens for Burmese" in t and "other scripts **5.2x**: a letter outside ASCII" in t
    flat = L.TokenStats(50, 4.0, "French", 1.2, 60, 1.2, 1.1)
    assert "other scripts **1.1x**." in find(notes(t=flat), "Our tokenizer needs")[0]
    latin_only = L.TokenStats(50, 4.0, "French", 1.2, 60, 1.2, float("nan"))
    assert "other scripts" not in find(notes(t=latin_only), "Our tokenizer needs")[0]
    equal = L.TokenStats(50, 4.0, "English", 1.0, 50, 1.0, float("nan"))
    assert "Our tokenizer needs no more tokens for any language than for English." in notes(t=equal)
    assert not find(notes(t=None), "Our tokenizer")


def test_rules_report_counts_match_the_pipeline():
    rep = L.rules_report(tuple(L.RULE_KEYS))
    assert rep.stats.pages[0] == len(L.sample_pages()) == len(rep.pages_table)
    assert rep.stats.pages[1] == sum(p.kept for p in rep.result.pages)
    off = L.rules_report(())
    assert off.stats.pages == (off.stats.pages[0], off.stats.pages[0]) and off.stats.page_leaders == ()


def test_your_page_counts_lines_and_words():
    mine = L.your_page("One two three four five.\nshort", tuple(L.RULE_KEYS))
    assert mine.lines[1] == 2 and mine.words[1] == 6


def test_dataset_costs_from_the_csv_and_our_build():
    """Issue 16: "Building datasets is costly": the chapter's figures beside the data each of our stages used."""
    d = L.dataset_costs()
    assert (d.real_demos, d.dollars_per_demo, d.dollars_per_comparison, d.dollars_per_written) == (13000, 10, 3.5, 25)
    assert list(d.table["stage"]) == ["pre-training", "supervised finetuning", "preference finetuning"]
    assert d.table["source"].str.len().gt(5).all()
    assert f"{d.demonstrations:,} demonstrations" in d.table.iloc[1]["ours"] and d.pairs > 0


def costs(demos=279, pairs=927):
    return L.DatasetCosts(None, 100, 1000, demos, pairs, 10.0, 13000, 3.5, 25.0)


def test_dataset_cost_notices_both_ways():
    money = find(notes(costs=costs()), "Labelled data is what costs money")[0]
    assert "about **$6,034**" in money and "InstructGPT's 13,000 demonstrations alone cost about **$130,000**" in money
    more = find(notes(costs=costs()), "A comparison costs about 7x less")[0]
    assert "we made 3.3x as many pairs as demonstrations" in more
    fewer = find(notes(costs=costs(demos=500, pairs=100)), "A comparison costs about 7x less")[0]
    assert "yet we made fewer pairs (100) than demonstrations (500)" in fewer
    assert not find(notes(costs=None), "Labelled data")


def harm(passed_kinds, removed=()):
    """A hand-made HarmfulPassResult: passed_kinds are the kinds of pages that pass, removed (kind, rule key)."""
    pages = [{"id": f"h{i:02d}", "kind": k, "passed": True, "removed_by": None} for i, k in enumerate(passed_kinds)]
    pages += [{"id": f"x{i:02d}", "kind": k, "passed": False, "removed_by": r} for i, (k, r) in enumerate(removed)]
    by_kind = {}
    for p in pages:
        got, n = by_kind.get(p["kind"], (0, 0))
        by_kind[p["kind"]] = (got + p["passed"], n + 1)
    return L.HarmfulPassResult(sum(p["passed"] for p in pages), len(pages), by_kind, pages)


def test_harmful_pages_all_some_or_none_pass():
    """Issue 16, three branches on hand-made numbers: passed == total, 0 < passed < total, passed == 0."""
    everyone = find(notes(harm=harm(["racism", "racism", "clickbait"])), "**All 3** made-up harmful pages")[0]
    assert "pass every rule (2 of 2 racism and 1 of 1 clickbait)" in everyone
    assert "never at whether a page is true" in everyone
    some = find(notes(harm=harm(["racism", "racism", "clickbait"], [("clickbait", "bad_words")])),
                "**3 of 4** made-up harmful pages")[0]
    assert "the other 1 was removed by **12. Bad-words list (x00)**" in some
    assert "Every page of kind racism passes." in some and "never at whether" not in some
    mixed = find(notes(harm=harm(["racism"], [("racism", "min_sentences"), ("misogyny", "dedup")])), "**1 of 3**")[0]
    assert "**9. At least 3 sentences a page (x00)** and **10. Repeated lines (x01)**" in mixed
    assert "the other 2 were removed by" in mixed and "Every page of kind" not in mixed
    none = find(notes(harm=harm([], [("racism", "english"), ("misogyny", "english")])), "**None** of the 2")[0]
    assert none.endswith("removed by **11. English (langdetect >= 0.99) (x00, x01)**.")
    assert not [p for p in notes(harm=None) if "harmful" in p]
    assert not [p for p in notes(harm=harm([])) if "harmful" in p]


def test_let_through_matches_the_c4_count():
    from lib.data import c4

    lt = L.let_through()
    res = c4.harmful_pages_passing()
    assert (lt.res.passed, lt.res.total) == (res.passed, res.total) and res.total == len(lt.pages_table)
    assert set(lt.kinds["kind"]) == set(c4.HARMFUL_KINDS)
    assert lt.note.startswith("MADE UP BY THIS PROJECT")
    assert [p.page_id for p in lt.result.pages] == list(lt.pages_table["page"])
    assert sum(lt.pages_table["fate"] == "passes every rule") == res.passed


def test_lines_html_highlights_the_line_that_drops_the_page():
    from lib.data import c4

    text = ("A heading\nThe first line is ordinary prose with a full stop.\n"
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\nThe last line is ordinary prose too.")
    page = c4.run_pipeline([{"id": "t", "url": "u", "kind": "k", "text": text}]).pages[0]
    assert page.removed_by == "lorem_ipsum" and page.trigger_line == 2
    html = L.lines_html(page)
    assert html.count("this line drops the whole page") == 1
    assert "rule 5: this line drops the whole page" in html.split("Lorem ipsum")[1].split("</div>")[0]
    kept = c4.run_pipeline([{"id": "t", "url": "u", "kind": "k", "text": text.replace("Lorem ipsum", "Plain")}])
    assert "drops the whole page" not in L.lines_html(kept.pages[0])
