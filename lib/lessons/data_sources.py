"""Training data sources: everything the page computes. Common Crawl and C4 at scale (figures from assets/data with
sources), the C4 rules run live on the sample pages and on pasted text, who the filters remove, and what a
mostly-English tokenizer costs other languages; and the page's "What to notice".

Tokens are what a model reads, what an API bills and what fills a context window, so a language that needs 5x the
tokens for the same meaning pays 5x the price and fits 5x less into the window (Huyen, ch. 2, on the MASSIVE data).
The project's own tokenizer is the tiny GPT's byte-level BPE, trained on English only: words it never saw fall apart
into many pieces, down to single bytes (three for most Devanagari or Chinese characters).

No Streamlit here."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from lib.data import c4
from lib.data.tables import Passage, load_passages, read
from lib.errors import ModelUnavailable
from lib.models import tokenizer as tok

# ------------------------------------------------------------------------- the C4 rules (lib.data.c4), only here
# Every call into lib.data.c4 is in this block, so that a change to its functions is made in one place.
RULES = c4.RULES                    # each with .key, .number, .name, .description
RULE_KEYS = c4.RULE_KEYS
RULES_BY_KEY = c4.RULES_BY_KEY
C4_CODE = (c4.run_pipeline, c4.has_too_long_word, c4.ends_in_terminal_punctuation, c4.find_bad_word,
           c4.is_confident_english, c4.harmful_pages_passing)
ORDER_NOTE = c4.ORDER_NOTE          # the rules run in the order of the code that built C4, not the paper's list
SIMPLIFICATIONS = c4.SIMPLIFICATIONS  # where our run differs from C4's, shown next to the result
END_MARK_NOTE = c4.END_MARK_NOTE    # the curly closing quote: the paper's wording against the code
HarmfulPassResult = c4.HarmfulPassResult


def sample_pages() -> list[dict]:
    return c4.load_sample_pages()


def run_rules(enabled: tuple[str, ...]) -> c4.PipelineResult:
    """The rules switched on (in the order of the code that built C4) over every sample page."""
    return c4.run_pipeline(sample_pages(), set(enabled))


def _run_one(text: str, enabled: tuple[str, ...]) -> c4.PageRecord:
    return c4.run_pipeline([{"id": "yours", "url": "(your text)", "kind": "your text", "text": text}],
                           set(enabled)).pages[0]


def _rule_rows(result: c4.PipelineResult, enabled: tuple[str, ...]) -> list[dict]:
    return c4.rule_summary(result, set(enabled))


def removals(enabled: tuple[str, ...], key: str) -> list[dict]:
    """Everything rule `key` removed from the sample pages with these rules on."""
    return c4.removals_by_rule(run_rules(enabled), key)


def words(text: str) -> int:
    return c4.count_words(text)


def _harmful_run() -> tuple[c4.HarmfulPassResult, c4.PipelineResult, str]:
    """The made-up harmful pages through every rule: the count, the same pages line by line, and their label."""
    return (c4.harmful_pages_passing(), c4.run_pipeline(c4.load_made_up_harmful_pages()), c4.made_up_note())


# ------------------------------------------------------------------------------------------------- 1. scale
@dataclass(frozen=True)
class Scale:
    pages_min_b: float          # pages per crawl, billions
    pages_max_b: float
    text_tb: str                # extracted text per crawl
    raw_gb: float               # C4 before the heuristic rules (bytes of English text)
    c4_gb: float                # after them
    docs_raw_m: float           # Dodge et al.'s rebuild: documents and tokens before and after
    docs_final_m: float
    tokens_raw_b: float
    tokens_final_b: float
    blocklist_only_m: float     # documents removed by the bad-words list alone


def scale() -> Scale:
    facts = read("common_crawl_facts.csv").set_index("fact")["value"]
    crawls, versions = read("common_crawl_pages.csv"), read("c4_funnel.csv")
    first, noblock, last = versions.iloc[0], versions.iloc[1], versions.iloc[-1]
    return Scale(float(crawls["pages_billion"].min()), float(crawls["pages_billion"].max()),
                 str(facts["extracted text per crawl"]), float(facts["C4 before the heuristic filters (English only)"]),
                 float(facts["C4 after all rules"]), float(first["documents_million"]),
                 float(last["documents_million"]), float(first["tokens_billion"]), float(last["tokens_billion"]),
                 float(noblock["documents_million"] - last["documents_million"]))


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.0f}%" if b else "n/a"


# ---------------------------------------------------------------------------------------------- 2. the rules
@dataclass(frozen=True)
class RuleStats:
    n_enabled: int
    pages: tuple[int, int]      # (raw, kept)
    lines: tuple[int, int]
    words: tuple[int, int]
    page_leaders: tuple[str, ...]   # the rules (switched on) that removed the most pages; several when tied
    n_pages_top: int
    line_leaders: tuple[str, ...]
    n_lines_top: int


@dataclass(frozen=True)
class RulesReport:
    result: c4.PipelineResult
    funnel: pd.DataFrame        # one row per stage: label, enabled, pages, lines, words
    summary: pd.DataFrame       # one row per rule: what it removed
    pages_table: pd.DataFrame   # every page's fate
    stats: RuleStats


def fate(page: c4.PageRecord) -> str:
    return "kept" if page.kept else f"removed by rule {RULES_BY_KEY[page.removed_by].number}"


def _leaders(rows: list[dict], measure: str) -> tuple[tuple[str, ...], int]:
    """The rules that removed the most of `measure` (all of them when tied), and that count."""
    if not rows:
        return (), 0
    best = max(r[measure] for r in rows)
    return tuple(r["rule"] for r in rows if r[measure] == best), int(best)


def rules_report(enabled: tuple[str, ...]) -> RulesReport:
    result = run_rules(enabled)
    funnel = pd.DataFrame(result.funnel_table())
    rows = _rule_rows(result, enabled)
    on = [r for r in rows if r["on"]]
    page_top, n_pages = _leaders(on, "pages removed")
    line_top, n_lines = _leaders(on, "lines removed")
    raw, last = funnel.iloc[0], funnel.iloc[-1]
    stats = RuleStats(len(enabled), (int(raw["pages"]), int(last["pages"])), (int(raw["lines"]), int(last["lines"])),
                      (int(raw["words"]), int(last["words"])), page_top, n_pages, line_top, n_lines)
    pages_table = pd.DataFrame([{"page": p.page_id, "kind": p.kind, "fate": fate(p), "why": p.reason,
                                 "words kept": sum(words(ln.text) for ln in p.live_lines()) if p.kept else 0}
                                for p in result.pages])
    return RulesReport(result, funnel, pd.DataFrame(rows).drop(columns="key"), pages_table, stats)


@dataclass(frozen=True)
class YourPage:
    page: c4.PageRecord
    lines: tuple[int, int]      # (kept, all)
    words: tuple[int, int]


def your_page(text: str, enabled: tuple[str, ...]) -> YourPage:
    """The pasted text as one page through the same rules."""
    page = _run_one(text, enabled)
    return YourPage(page, (len(page.live_lines()), len(page.lines)),
                    (sum(words(ln.text) for ln in page.live_lines()), sum(words(ln.original) for ln in page.lines)))


def esc(text: str) -> str:
    """Escape user or page text for st.markdown: HTML, and the $ that would start LaTeX."""
    return html.escape(text).replace("$", "&#36;").replace("*", "&#42;").replace("_", "&#95;")


PAGE_TRIGGERS = ("lorem_ipsum", "curly_bracket")  # rules that drop the whole page for one line


def lines_html(page: c4.PageRecord) -> str:
    """A page line by line: kept lines with what a rule changed, removed lines struck through with the rule. On a
    page dropped for "lorem ipsum" or "{", the line that dropped it is highlighted with the rule."""
    rows = []
    for i, ln in enumerate(page.lines):
        if i == page.trigger_line and page.removed_by in PAGE_TRIGGERS:
            rule = RULES_BY_KEY[page.removed_by]
            rows.append(f'<div style="margin:2px 0;padding:1px 4px;background:#fde2e4;border-left:4px solid '
                        f'#d1495b">\u2716\ufe0f {esc(ln.text)} <span style="color:#a4161a"><b>\u2190 rule '
                        f'{rule.number}: this line drops the whole page</b></span></div>')
        elif ln.kept:
            note = "".join(f' <span style="color:#00798c">[rule {RULES_BY_KEY[k].number}: {esc(w)}]</span>'
                           for k, w in ln.edits)
            rows.append(f'<div style="margin:2px 0">\u2714\ufe0f {esc(ln.text)}{note}</div>')
        else:
            rule = RULES_BY_KEY[ln.removed_by]
            rows.append(f'<div style="margin:2px 0;color:#888"><del>{esc(ln.original)}</del> '
                        f'<span style="color:#d1495b">\u2190 rule {rule.number}: {esc(ln.reason)}</span></div>')
    return "".join(rows) or "<div>(no lines)</div>"


# ------------------------------------------------------------------------------------- 4. who is filtered out
@dataclass(frozen=True)
class Filtered:
    dialects: tuple[tuple[str, float], ...]          # (dialect, % of documents removed by the bad-words list)
    banned: tuple[tuple[str, str, str], ...]         # sample pages the list removed: (page id, kind, reason)


def filtered_out() -> Filtered:
    d = read("dodge_dialects.csv")
    full = run_rules(tuple(RULE_KEYS))
    return Filtered(tuple(zip(d["dialect"], d["share_removed_pct"].astype(float))),
                    tuple((p.page_id, p.kind, p.reason) for p in full.pages if p.removed_by == "bad_words"))


# ------------------------------------------------------------------------------- 5. what the rules let through
@dataclass(frozen=True)
class LetThrough:
    """The project's made-up harmful pages (misinformation, propaganda, clickbait, conspiracy theories, racism,
    misogyny) through every rule: how many pass, by kind, and each page line by line."""
    res: c4.HarmfulPassResult        # .passed, .total, .by_kind, .pages, .sentence
    note: str                        # the data file's own "MADE UP BY THIS PROJECT" label
    result: c4.PipelineResult        # the same pages, line by line
    kinds: pd.DataFrame              # kind, "pass every rule" as "n of m"
    pages_table: pd.DataFrame        # page, kind, fate, lines kept


def let_through() -> LetThrough:
    res, result, note = _harmful_run()
    kinds = pd.DataFrame([{"kind": kind, "pass every rule": f"{got} of {n}"} for kind, (got, n) in res.by_kind.items()])
    pages_table = pd.DataFrame([{"page": p["id"], "kind": p["kind"],
                                 "fate": "passes every rule" if p["passed"] else
                                 f"removed by rule {RULES_BY_KEY[p['removed_by']].number}",
                                 "lines kept": f"{p['lines kept']} of {p['lines']}"} for p in res.pages])
    return LetThrough(res, note, result, kinds, pages_table)


def _rule_label(key: str) -> str:
    rule = RULES_BY_KEY.get(key)
    return f"{rule.number}. {rule.name}" if rule else str(key)


def harmful_notice(h: c4.HarmfulPassResult) -> str | None:
    """Issue 16: how many of the made-up harmful pages C4's rules let through, three ways."""
    if not h.total:
        return None
    removed: dict[str, list[str]] = {}
    for p in h.pages:
        if not p["passed"]:
            removed.setdefault(_rule_label(p["removed_by"]), []).append(str(p["id"]))
    by = _names([f"{rule} ({', '.join(ids)})" for rule, ids in removed.items()]) if removed else ""
    if h.passed == h.total:
        return (f"**All {h.total}** made-up harmful pages pass every rule ({_plain(h.by_kind)}). The rules look at "
                f"punctuation, length, boilerplate and a list of words, never at whether a page is true or fair: "
                f"misinformation and hate written in tidy sentences go into the corpus.")
    if h.passed:
        whole = [kind for kind, (got, n) in h.by_kind.items() if n and got == n]
        every = f" Every page of kind {_plain_list(whole)} passes." if whole else ""
        gone = h.total - h.passed
        return (f"**{h.passed} of {h.total}** made-up harmful pages pass every rule; the other {gone} "
                f"{'was' if gone == 1 else 'were'} removed by {by}.{every}")
    return f"**None** of the {h.total} made-up harmful pages pass every rule here: removed by {by}."


def _plain_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plain(by_kind: dict[str, tuple[int, int]]) -> str:
    return _plain_list([f"{got} of {n} {kind}" for kind, (got, n) in by_kind.items()])


# ------------------------------------------------------------------------------------------------ 6. languages
@dataclass(frozen=True)
class Languages:
    english_pct: float
    worst: str                  # the language with the largest world-to-Common-Crawl ratio
    worst_speakers_m: float
    worst_cc_pct: float
    worst_ratio: float
    massive_burmese: float      # GPT-4's tokens for Burmese relative to English on MASSIVE


def languages() -> Languages:
    common, under = read("cc_languages.csv"), read("cc_languages_underrepresented.csv")
    worst = under.sort_values("world_to_cc_ratio", ascending=False).iloc[0]
    massive = read("massive_tokens.csv").set_index("language")
    return Languages(float(common.set_index("language").loc["English", "cc_share_pct"]), worst["language"],
                     float(worst["speakers_million"]), float(worst["cc_pct"]), float(worst["world_to_cc_ratio"]),
                     float(massive.loc["Burmese", "ratio_to_english"]))


@dataclass(frozen=True)
class Cost:
    language: str
    code: str
    script: str
    characters: int
    utf8_bytes: int
    tokens: int
    ratio_to_english: float
    bytes_per_token: float


def token_costs(passages: list[Passage], encode: tok.Encoder) -> list[Cost]:
    """Token count of each passage and its ratio to the English passage's count (passages[0] must be English)."""
    if not passages or passages[0].code != "en":
        raise ValueError("the first passage must be the English reference")
    counts = [len(encode(p.text)) for p in passages]
    english = counts[0]
    if english == 0:
        raise ValueError("the English passage encodes to no tokens")
    out = []
    for p, n in zip(passages, counts):
        nbytes = len(p.text.encode("utf-8"))
        out.append(Cost(p.language, p.code, p.script, len(p.text), nbytes, n, n / english,
                        nbytes / n if n else 0.0))
    return out


def token_pieces(text: str, tokenizer) -> list[tuple[str, bool]]:
    """How the tokenizer cuts `text`: one (label, whole) pair per token. A token that is whole characters is shown
    as its text; a byte-level token that is only part of a character (whole=False) is shown as its bytes in hex,
    e.g. "e0 a4", since on its own it is not text at all."""
    out = []
    for i in tok.as_encoder(tokenizer)(text):
        raw = tok.token_bytes(tokenizer, i)
        if raw is None:
            out.append((tokenizer.decode([i]), True))
            continue
        try:
            out.append((raw.decode("utf-8"), True))
        except UnicodeDecodeError:
            out.append((" ".join(f"{b:02x}" for b in raw), False))
    return out


def project_costs() -> pd.DataFrame:
    """Tokens per passage with the project's tokenizer (raises ModelUnavailable when it is not built)."""
    t = tok.load_project_tokenizer()
    return pd.DataFrame([vars(c) for c in token_costs(load_passages(), tok.as_encoder(t))])


def hub_costs(model_id: str) -> tuple[pd.DataFrame | None, str]:
    """(costs, "") or (None, friendly message): a failure is a result too, so an offline app asks only once."""
    try:
        t = tok.load_hub_tokenizer(model_id)
    except ModelUnavailable as exc:
        return None, f"{exc.message} {exc.fix or ''}"
    return pd.DataFrame([vars(c) for c in token_costs(load_passages(), tok.as_encoder(t))]), ""


def passage_pieces(language: str) -> tuple[list[tuple[str, bool]], int]:
    """The pieces the project's tokenizer cuts one language's passage into, and how many are parts of a character."""
    passage = next(p for p in load_passages() if p.language == language)
    pieces = token_pieces(passage.text, tok.load_project_tokenizer())
    return pieces, sum(1 for _, whole in pieces if not whole)


@dataclass(frozen=True)
class TokenStats:
    english_tokens: int
    english_bytes_per_token: float
    biggest: str
    biggest_ratio: float
    biggest_tokens: int
    latin_mean: float
    other_mean: float


def token_stats(costs: pd.DataFrame) -> TokenStats:
    big = costs.sort_values("ratio_to_english").iloc[-1]
    latin = costs[costs["script"] == "Latin"]["ratio_to_english"]
    other = costs[costs["script"] != "Latin"]["ratio_to_english"]
    return TokenStats(int(costs.iloc[0]["tokens"]), float(costs.iloc[0]["bytes_per_token"]), big["language"],
                      float(big["ratio_to_english"]), int(big["tokens"]), float(latin.mean()),
                      float(other.mean()) if len(other) else float("nan"))


# ----------------------------------------------------------------------------------- 7. datasets are costly
@dataclass(frozen=True)
class DatasetCosts:
    """What labelled data costs (assets/data/dataset_costs.csv) beside what each of our stages used."""
    table: pd.DataFrame                 # one row per stage: ours and the real thing
    pretrain_sentences: int
    pretrain_tokens: int
    demonstrations: int
    pairs: int
    dollars_per_demo: float             # InstructGPT, about $10
    real_demos: int                     # InstructGPT, about 13,000
    dollars_per_comparison: float       # Llama 2, about $3.50
    dollars_per_written: float          # Llama 2, about $25 for a written response


def dataset_costs() -> DatasetCosts:
    """Our tiny GPT's three datasets (rebuilt from the build's seed, as the trainer made them), priced at the rates
    the chapter gives. Raises ModelUnavailable when the GPT's build report is missing."""
    import json

    from lib.data import facts
    from lib.paths import MODELS

    path = MODELS / "report_gpt.json"
    try:
        rep = json.loads(path.read_text(encoding="utf-8"))
        seed, invented = rep["settings"]["seed"], list(rep["probe_sets"]["invented_tune"])
        tokens = int(rep["pretrain_tokens"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelUnavailable("The tiny GPT's build report is missing or unreadable.", path=str(path),
                               fix="python -m lib.train gpt") from exc
    n_sent, n_demo = facts.gpt_pretraining_sentence_count(seed), len(facts.sft_demonstrations(seed))
    n_pairs = len(facts.preference_pairs(seed, invented))
    real = read("dataset_costs.csv").set_index("item")
    demo, comp, prompts = real.loc["demonstration"], real.loc["comparison"], real.loc["reward_prompts"]
    table = pd.DataFrame([
        {"stage": "pre-training", "ours": f"{n_sent:,} sentences ({tokens:,} tokens), generated by a program",
         "a real model": "C4: 156 B tokens of crawled web text (Dodge et al. 2021)",
         "cost of the data": "no labels: crawling, cleaning and compute", "source": "Dodge et al. 2021, table 1"},
        {"stage": "supervised finetuning", "ours": f"{n_demo:,} demonstrations, generated",
         "a real model": f"{int(demo['examples']):,} written demonstrations (InstructGPT)",
         "cost of the data": f"about ${demo['dollars_per_example']:g} each; {demo['note']}",
         "source": demo["source"]},
        {"stage": "preference finetuning", "ours": f"{n_pairs:,} preference pairs, generated",
         "a real model": f"comparisons ranked by people (Llama 2; InstructGPT: {int(prompts['examples']):,} prompts)",
         "cost of the data": f"about ${comp['dollars_per_example']:.2f} a comparison, {comp['note']}",
         "source": comp["source"]},
    ])
    return DatasetCosts(table, n_sent, tokens, n_demo, n_pairs, float(demo["dollars_per_example"]),
                        int(demo["examples"]), float(comp["dollars_per_example"]),
                        float(real.loc["written_response", "dollars_per_example"]))


def money(dollars: float) -> str:
    return f"${dollars:,.0f}"


# ---------------------------------------------------------------------------------------------------- charts
def static_charts(projector: bool) -> dict[str, dict]:
    """The charts that no widget changes, as finished Vega-Lite dicts."""
    import altair as alt

    from lib import charts
    from lib.charts import data as dcharts

    crawls, dialects, massive = read("common_crawl_pages.csv"), read("dodge_dialects.csv"), read("massive_tokens.csv")
    common = read("cc_languages.csv").assign(group="most common in Common Crawl (table 2-1)")
    under = read("cc_languages_underrepresented.csv")
    under = under[under["language"] != "English"].rename(columns={"cc_pct": "cc_share_pct"})
    under = under.assign(group="under-represented (table 2-2)")
    cols = ["language", "speakers_million", "cc_share_pct", "group"]
    both = pd.concat([common[cols], under[cols]], ignore_index=True)
    built = {
        "crawls": charts.bars(crawls["crawl"], crawls["pages_billion"], value_title="pages (billions)", fmt=".2f",
                              domain=(0, 4)).properties(title="Pages per crawl: smallest and largest",
                                                        height=alt.Step(34)),
        "c4": dcharts.c4_versions(read("c4_funnel.csv")).properties(title="C4 in Dodge et al.'s table 1"),
        "dialects": charts.bars(dialects["dialect"], dialects["share_removed_pct"],
                                value_title="% of documents removed by the bad-words list", fmt=".1f")
        .properties(title="Dodge et al. (2021): the filter by dialect", height=alt.Step(34)),
        "languages": dcharts.languages_vs_speakers(both, projector=projector).properties(
            title="Share of Common Crawl against number of speakers (Huyen, tables 2-1 and 2-2)"),
        "massive": dcharts.token_ratios(massive, color=False).properties(
            title=alt.Title(["MASSIVE, GPT-4 tokenizer", "(median tokens)"])),
    }
    return {name: charts.finished_spec(chart, projector) for name, chart in built.items()}


def funnel_chart(enabled: tuple[str, ...], projector: bool) -> dict:
    from lib.charts import data as dcharts, finished_spec

    return finished_spec(dcharts.funnel(rules_report(enabled).funnel, projector=projector)
                         .properties(title="What survives each rule (rules switched off are left out)"), projector)


def ratio_chart(costs: pd.DataFrame, title: str, projector: bool) -> dict:
    from lib.charts import data as dcharts, finished_spec

    return finished_spec(dcharts.token_ratios(costs).properties(title=title), projector)


def project_ratio_chart(projector: bool) -> dict:
    return ratio_chart(project_costs(), "Our English BPE: tokens relative to English", projector)


# ------------------------------------------------------------------------------------------- what to notice
def _names(items) -> str:
    items = [f"**{x}**" for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def notices(s: Scale, r: RuleStats, f: Filtered, lang: Languages, t: TokenStats | None,
            costs: DatasetCosts | None = None, harm: c4.HarmfulPassResult | None = None) -> list[str]:
    """The page's "What to notice", each sentence from a condition on the numbers."""
    out = []
    byte_keep, doc_keep, tok_keep = s.c4_gb / s.raw_gb, s.docs_final_m / s.docs_raw_m, s.tokens_final_b / s.tokens_raw_b
    lo, hi = min(byte_keep, tok_keep), max(byte_keep, tok_keep)
    agree = (f"Bytes and tokens both measure how much text there is, and both say about {lo:.0%}-{hi:.0%} survives"
             if hi - lo < 0.05 else f"Bytes say {byte_keep:.0%} survives and tokens {tok_keep:.0%}")
    why = (": far less than the share of pages, because most rules cut lines out of the pages they keep."
           if hi < doc_keep else ".")
    out.append(f"Two measures of the same cut. Raffel et al. weighed the text in bytes: C4 keeps {s.c4_gb:,.0f} GB of "
               f"{s.raw_gb / 1000:.1f} TB of English text (**{byte_keep:.0%}**, the metric above). Dodge et al.'s "
               f"rebuild counted pages and tokens (the chart): the rules keep {s.docs_final_m:.0f} M of "
               f"{s.docs_raw_m / 1000:.1f} B pages (**{doc_keep:.0%}**) but only {s.tokens_final_b:.0f} B of "
               f"{s.tokens_raw_b / 1000:.1f} T tokens (**{tok_keep:.0%}**). {agree}{why}")
    if s.blocklist_only_m > 0:
        out.append(f"The bad-words list alone removes {s.blocklist_only_m:.0f} M documents that passed every other "
                   f"rule.")
    (pages_raw, pages_kept), (lines_raw, _), (words_raw, words_kept) = r.pages, r.lines, r.words
    if r.page_leaders and r.n_pages_top:
        most_pages = (f"{_names(r.page_leaders)} tie for the most pages removed ({r.n_pages_top} each)"
                      if len(r.page_leaders) > 1 else f"**{r.page_leaders[0]}** removes the most pages "
                                                      f"({r.n_pages_top})")
        if not r.n_lines_top:
            most_lines = "no rule removes single lines"
        elif len(r.line_leaders) > 1:
            most_lines = f"{_names(r.line_leaders)} tie for the most lines ({r.n_lines_top} of {lines_raw} each)"
        else:
            most_lines = f"**{r.line_leaders[0]}** removes the most lines ({r.n_lines_top} of {lines_raw})"
        out.append(f"On our {pages_raw} sample pages, {most_pages}; {most_lines}.")
    out.append(f"With the {r.n_enabled} rule(s) you left on, {pages_kept} of {pages_raw} pages and "
               f"{pct(words_kept, words_raw)} of the words survive.")
    d = dict(f.dialects)
    aae, white = d.get("African-American English"), d.get("White-aligned English")
    if aae is not None and white:
        more = (f"{aae / white:.1f}x as often" if aae > white else "no more often")
        out.append(f"The filter removed **{aae:.0f}%** of documents in African-American English against "
                   f"**{white:.1f}%** in White-aligned English: {more}.")
    if f.banned:
        not_adult = [kind for _, kind, _ in f.banned if not kind.startswith("spam")]
        if not_adult:
            out.append(f"Of the {len(f.banned)} sample pages the list removed, {len(not_adult)} are not adult "
                       f"content ({', '.join(not_adult)}).")
        else:
            out.append(f"All {len(f.banned)} sample pages the list removed are adult spam: here it did its job.")
    harmful = harmful_notice(harm) if harm is not None else None
    if harmful:
        out.append(harmful)
    out.append(f"English is {lang.english_pct:.1f}% of Common Crawl; **{lang.worst}**, with "
               f"{lang.worst_speakers_m:.0f} M speakers, is {lang.worst_cc_pct:g}%: "
               f"{lang.worst_ratio:.0f}x less of the web than its share of the world's people.")
    if t is not None:
        if t.biggest_ratio > 1:
            scripts = ""
            if t.other_mean == t.other_mean:  # not NaN: there are passages in other scripts
                scripts = f" Latin-script languages average {t.latin_mean:.1f}x, other scripts **{t.other_mean:.1f}x**"
                scripts += (": a letter outside ASCII takes 2-3 bytes in UTF-8, and a tokenizer that never saw the "
                            "script falls back to about one token per byte." if t.other_mean > t.latin_mean else ".")
            out.append(f"Our tokenizer needs **{t.biggest_ratio:.1f}x** as many tokens for {t.biggest} as for "
                       f"English ({t.biggest_tokens} against {t.english_tokens}).{scripts}")
        else:
            out.append("Our tokenizer needs no more tokens for any language than for English.")
        out.append(f"Our tokenizer is small, so even English gets only {t.english_bytes_per_token:.1f} bytes per "
                   f"token. A large vocabulary trained mostly on English packs English far tighter, which widens "
                   f"the gap: on MASSIVE, GPT-4's tokenizer needs {lang.massive_burmese:.0f}x as many tokens for "
                   f"Burmese as for English.")
    if costs is not None:
        d = costs
        ours = d.demonstrations * d.dollars_per_demo + d.pairs * d.dollars_per_comparison
        out.append(f"Labelled data is what costs money: our {d.demonstrations:,} demonstrations and {d.pairs:,} "
                   f"preference pairs, written by a program here, would cost about **{money(ours)}** from people at "
                   f"the chapter's rates (${d.dollars_per_demo:g} a demonstration, ${d.dollars_per_comparison:.2f} a "
                   f"comparison); InstructGPT's {d.real_demos:,} demonstrations alone cost about "
                   f"**{money(d.real_demos * d.dollars_per_demo)}**.")
        ratio = d.dollars_per_written / d.dollars_per_comparison
        if d.pairs > d.demonstrations:
            out.append(f"A comparison costs about {ratio:.0f}x less than a written response, so preference data "
                       f"comes in larger numbers: we made {d.pairs / d.demonstrations:.1f}x as many pairs as "
                       f"demonstrations.")
        else:
            out.append(f"A comparison costs about {ratio:.0f}x less than a written response, yet we made fewer "
                       f"pairs ({d.pairs:,}) than demonstrations ({d.demonstrations:,}).")
    return out
