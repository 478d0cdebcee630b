"""Training data sources: Common Crawl and C4 at scale, the C4 rules live on sample pages and pasted text, who the
filters remove, and what a mostly-English tokenizer costs other languages."""
import html
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from lib import charts, ui
from lib import tokenizer_cost as tc
from lib.charts import data as dcharts
from lib.charts.data import finished_spec
from lib.data import c4
from lib.errors import ModelUnavailable

DATA = Path(__file__).resolve().parents[1] / "assets" / "data"
MAX_PASTE = 20_000
RULE_WIDGETS = {f"c4_{key}": True for key in c4.RULE_KEYS}
# short checkbox labels that fit a quarter (a third on the projector) of a 1280 px page; the full name goes in help
SHORT = {"terminal_punct": "Ends in . ! ?", "min_words": "5+ words a line", "min_sentences": "3+ sentences",
         "bad_words": "Bad words", "javascript": "javascript", "lorem_ipsum": "lorem ipsum",
         "curly_bracket": "Curly bracket", "citations": "Citations", "policy": "Policy lines",
         "dedup": "Deduplicate", "english": "English only"}
DEFAULT_PASTE = ("Home | About | Contact\n"
                 "Please enable JavaScript to see this page.\n"
                 "My grandmother grew up in a small village by the sea.[1]\n"
                 "Every morning she walked to the harbour to buy fish for the family.\n"
                 "She told me the boats came back before sunrise, loaded with sardines.\n"
                 "By using this site you agree to our privacy policy.\n"
                 "Read more...")


@st.cache_data(show_spinner=False)
def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


@st.cache_data(show_spinner=False)
def samples() -> list[dict]:
    return c4.load_sample_pages()


@st.cache_data(show_spinner="Running the C4 rules...", max_entries=512)
def run_samples(enabled: tuple[str, ...]) -> c4.PipelineResult:
    return c4.run_pipeline(samples(), set(enabled))


@st.cache_data(show_spinner=False, max_entries=64)
def run_text(text: str, enabled: tuple[str, ...]) -> c4.PipelineResult:
    return c4.run_pipeline([{"id": "yours", "url": "(your text)", "kind": "your text", "text": text}], set(enabled))


@st.cache_data(show_spinner="Tokenizing the passages...")
def project_costs() -> pd.DataFrame:
    tok = tc.load_project_tokenizer()
    return pd.DataFrame([vars(c) for c in tc.token_costs(tc.load_passages(), tc.as_encoder(tok))])


@st.cache_data(show_spinner="Loading the Hub tokenizer...", max_entries=8)
def hub_costs(model_id: str) -> tuple[pd.DataFrame | None, str]:
    """(costs, "") or (None, friendly message); failures are cached too, so an offline app asks only once."""
    try:
        tok = tc.load_hub_tokenizer(model_id)
    except ModelUnavailable as exc:
        return None, f"{exc.message} {exc.fix or ''}"
    return pd.DataFrame([vars(c) for c in tc.token_costs(tc.load_passages(), tc.as_encoder(tok))]), ""


@st.cache_resource(show_spinner=False)
def project_tokenizer():
    return tc.load_project_tokenizer()


# Every chart is cached as its finished Vega-Lite dict (styled as ui.chart styles it): styling and validating an
# Altair chart costs 20-60 ms, and most reruns change one chart at most.
def draw(spec: dict) -> None:
    st.vega_lite_chart(spec, width="stretch", theme=None)


@st.cache_resource(show_spinner=False, max_entries=4)
def static_charts(projector: bool) -> dict:
    """The charts that no widget changes, built and styled once."""
    crawls, dialects, massive = csv("common_crawl_pages.csv"), csv("dodge_dialects.csv"), csv("massive_tokens.csv")
    common = csv("cc_languages.csv").assign(group="most common in Common Crawl (table 2-1)")
    under = csv("cc_languages_underrepresented.csv")
    under = under[under["language"] != "English"].rename(columns={"cc_pct": "cc_share_pct"})
    under = under.assign(group="under-represented (table 2-2)")
    cols = ["language", "speakers_million", "cc_share_pct", "group"]
    both = pd.concat([common[cols], under[cols]], ignore_index=True)
    built = {
        "crawls": charts.bars(crawls["crawl"], crawls["pages_billion"], value_title="pages (billions)", fmt=".2f",
                              domain=(0, 4)).properties(title="Pages per crawl: smallest and largest",
                                                        height=alt.Step(34)),
        "c4": dcharts.c4_versions(csv("c4_funnel.csv")).properties(title="C4 in Dodge et al.'s table 1"),
        "dialects": charts.bars(dialects["dialect"], dialects["share_removed_pct"],
                                value_title="% of documents removed by the bad-words list", fmt=".1f")
        .properties(title="Dodge et al. (2021): the filter by dialect", height=alt.Step(34)),
        "languages": dcharts.languages_vs_speakers(both, projector=projector).properties(
            title="Share of Common Crawl against number of speakers (Huyen, tables 2-1 and 2-2)"),
        "massive": dcharts.token_ratios(massive, color=False).properties(
            title=alt.Title(["MASSIVE, GPT-4 tokenizer", "(median tokens)"])),
    }
    return {name: finished_spec(chart, projector) for name, chart in built.items()}


@st.cache_resource(show_spinner=False, max_entries=256)
def funnel_chart(enabled: tuple[str, ...], projector: bool) -> dict:
    return finished_spec(dcharts.funnel(pd.DataFrame(run_samples(enabled).funnel_table()), projector=projector)
                         .properties(title="What survives each rule (rules switched off are left out)"), projector)


@st.cache_resource(show_spinner=False, max_entries=4)
def project_ratio_chart(projector: bool) -> dict:
    return finished_spec(dcharts.token_ratios(project_costs()).properties(
        title="Our English BPE: tokens relative to English"), projector)


def esc(text: str) -> str:
    """Escape user or page text for st.markdown: HTML, and the $ that would start LaTeX."""
    return html.escape(text).replace("$", "&#36;").replace("*", "&#42;").replace("_", "&#95;")


def lines_html(page: c4.PageRecord) -> str:
    rows = []
    for ln in page.lines:
        if ln.kept:
            note = "".join(f' <span style="color:#00798c">[rule {c4.RULES_BY_KEY[k].number}: {esc(w)}]</span>'
                           for k, w in ln.edits)
            rows.append(f'<div style="margin:2px 0">\u2714\ufe0f {esc(ln.text)}{note}</div>')
        else:
            rule = c4.RULES_BY_KEY[ln.removed_by]
            rows.append(f'<div style="margin:2px 0;color:#888"><del>{esc(ln.original)}</del> '
                        f'<span style="color:#d1495b">\u2190 rule {rule.number}: {esc(ln.reason)}</span></div>')
    return "".join(rows) or "<div>(no lines)</div>"


def fate(page: c4.PageRecord) -> str:
    if page.kept:
        return "kept"
    return f"removed by rule {c4.RULES_BY_KEY[page.removed_by].number}"


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.0f}%" if b else "n/a"


ui.header("Training data sources",
          "A model learns only from the text it is given: web-scale corpora are a crawl of the web put through a few "
          "blunt rules, and those rules decide whose words the model learns from.")

# --------------------------------------------------------------------------------------------------- 1. scale
st.subheader("1. Scale: a month of the web")
static = static_charts(ui.projector())
facts = csv("common_crawl_facts.csv").set_index("fact")
crawls = csv("common_crawl_pages.csv")
funnel_v = csv("c4_funnel.csv")
m1, m2, m3 = st.columns(3)
m1.metric("Pages per crawl (2022-23)",
          f"{crawls['pages_billion'].min():.2f}-{crawls['pages_billion'].max():.2f} B")
m2.metric("Extracted text per crawl", f"about {facts.loc['extracted text per crawl', 'value']} TB")
raw_gb = float(facts.loc["C4 before the heuristic filters (English only)", "value"])
c4_gb = float(facts.loc["C4 after all rules", "value"])
m3.metric("C4 after all rules (text size)", f"{c4_gb:,.0f} GB",
          f"{pct(c4_gb, raw_gb)} of {raw_gb / 1000:.1f} TB of English text", delta_color="off", delta_arrow="off",
          help="Raffel et al. 2020, table 8: bytes of text before the heuristic rules and after them.")
ui.prose("Common Crawl is a non-profit that crawls the web every month or two and publishes the raw pages and their "
         "extracted text. Google's C4 (the Colossal Clean Crawled Corpus, used to train T5) took the April 2019 "
         "crawl, kept the English pages and cleaned them with the rules below. Dodge et al. (2021) later rebuilt "
         "C4 and published three versions: with the language filter only, with every rule but the bad-words list, "
         "and C4 itself.")
draw(static["crawls"])
draw(static["c4"])
noclean, final = funnel_v.iloc[0], funnel_v.iloc[-1]
doc_keep = final["documents_million"] / noclean["documents_million"]
tok_keep = final["tokens_billion"] / noclean["tokens_billion"]
byte_keep = c4_gb / raw_gb
notice = [
    f"Two measures of the same cut. Raffel et al. weighed the text in bytes: C4 keeps {c4_gb:,.0f} GB of "
    f"{raw_gb / 1000:.1f} TB of English text (**{byte_keep:.0%}**, the metric above). Dodge et al.'s rebuild counted "
    f"pages and tokens (the chart): the rules keep {final['documents_million']:.0f} M of "
    f"{noclean['documents_million'] / 1000:.1f} B pages (**{doc_keep:.0%}**) but only "
    f"{final['tokens_billion']:.0f} B of {noclean['tokens_billion'] / 1000:.1f} T tokens (**{tok_keep:.0%}**). "
    f"Bytes and tokens both measure how much text there is, and both say about "
    f"{min(byte_keep, tok_keep):.0%}-{max(byte_keep, tok_keep):.0%} survives: far less than the share of pages, "
    f"because most rules cut lines out of the pages they keep.",
    f"The bad-words list alone removes {funnel_v.iloc[1]['documents_million'] - final['documents_million']:.0f} M "
    f"documents that passed every other rule.",
]

# ------------------------------------------------------------------------------------------------ 2. the rules
st.subheader("2. The C4 rules, live")
ui.prose(f"Below are {len(samples())} pages written to look like what a crawler brings back: news with menus, "
         "recipes, shop pages with cookie banners, code, templates full of *lorem ipsum*, spam, pages in other "
         "languages, copies of the same story, forum threads. Every rule of Raffel et al. (2020) runs on them in "
         "the paper's order. Switch rules off to see what each one contributes.")
ui.bind_url(RULE_WIDGETS)
n_cols = 3 if ui.projector() else 4
cols = st.columns(n_cols)
for i, rule in enumerate(c4.RULES):
    with cols[i % n_cols]:
        st.checkbox(f"{rule.number}. {SHORT[rule.key]}", key=f"c4_{rule.key}",
                    help=f"**{rule.name}**: {rule.description}")
enabled = tuple(k for k in c4.RULE_KEYS if st.session_state.get(f"c4_{k}", True))
result = run_samples(enabled)
funnel = pd.DataFrame(result.funnel_table())
raw, last = funnel.iloc[0], funnel.iloc[-1]
k1, k2, k3 = st.columns(3)
k1.metric("Pages kept", f"{last['pages']} of {raw['pages']}", pct(last["pages"], raw["pages"]), delta_color="off", delta_arrow="off")
k2.metric("Lines kept", f"{last['lines']} of {raw['lines']}", pct(last["lines"], raw["lines"]), delta_color="off", delta_arrow="off")
k3.metric("Words kept", f"{last['words']:,} of {raw['words']:,}", pct(last["words"], raw["words"]),
          delta_color="off", delta_arrow="off")
draw(funnel_chart(enabled, ui.projector()))

summary = pd.DataFrame(c4.rule_summary(result, set(enabled))).drop(columns="key")
pages_table = pd.DataFrame([{"page": p.page_id, "kind": p.kind, "fate": fate(p), "why": p.reason,
                             "words kept": sum(c4.count_words(ln.text) for ln in p.live_lines()) if p.kept else 0}
                            for p in result.pages])
st.markdown("**What each rule removed**")
st.dataframe(summary, hide_index=True, width="stretch")
st.markdown("**Every page's fate**")
st.dataframe(pages_table, hide_index=True, width="stretch", height=300)

st.markdown("**One rule, everything it did**")
focus_options = [k for k in c4.RULE_KEYS if k in enabled] or list(c4.RULE_KEYS)
if st.session_state.get("c4_focus") not in focus_options:
    st.session_state["c4_focus"] = focus_options[0]
focus = st.selectbox("Rule", focus_options, key="c4_focus",
                     format_func=lambda k: f"{c4.RULES_BY_KEY[k].number}. {c4.RULES_BY_KEY[k].name}")
did = c4.removals_by_rule(result, focus)
if focus not in enabled:
    st.info("This rule is switched off, so it removed nothing.")
elif not did:
    st.info(f"Rule {c4.RULES_BY_KEY[focus].number} found nothing to remove: the rules before it already "
            "removed what it would have caught, or the sample has none of it.")
else:
    st.dataframe(pd.DataFrame(did), hide_index=True, width="stretch", height=min(38 + 35 * len(did), 320))

by_id = {p.page_id: p for p in result.pages}
st.markdown("**One page, line by line**")
pick = st.selectbox("Page", list(by_id), key="c4_page",
                    format_func=lambda pid: f"{pid} \u00b7 {by_id[pid].kind} \u00b7 {fate(by_id[pid])}")
page = by_id[pick]
st.caption(f"{page.url}")
if not page.kept:
    st.error(f"Whole page removed by rule {c4.RULES_BY_KEY[page.removed_by].number} "
             f"({c4.RULES_BY_KEY[page.removed_by].name}): {page.reason}.")
elif page.language:
    st.success(f"Kept: langdetect says {page.language[0]!r} with probability {page.language[1]:.4f}.")
else:
    st.success("Kept.")
st.markdown(lines_html(page), unsafe_allow_html=True)

def leaders(rows: list[dict], measure: str) -> tuple[list[str], int]:
    """The rules that removed the most of `measure` (all of them when tied), and that count."""
    best = max(r[measure] for r in rows)
    return [f"**{r['rule']}**" for r in rows if r[measure] == best], best


def names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


on_rows = [r for r in c4.rule_summary(result, set(enabled)) if r["on"]]
if on_rows:
    page_top, n_pages = leaders(on_rows, "pages removed")
    line_top, n_lines = leaders(on_rows, "lines removed")
    if n_pages:
        most_pages = (f"{names(page_top)} tie for the most pages removed ({n_pages} each)" if len(page_top) > 1
                      else f"{page_top[0]} removes the most pages ({n_pages})")
        most_lines = (f"{names(line_top)} tie for the most lines ({n_lines} of {raw['lines']} each)"
                      if len(line_top) > 1 else f"{line_top[0]} removes the most lines ({n_lines} of {raw['lines']})")
        notice.append(f"On our {raw['pages']} sample pages, {most_pages}; {most_lines}.")

notice.append(f"With the {len(enabled)} rule(s) you left on, {last['pages']} of {raw['pages']} pages and "
              f"{pct(last['words'], raw['words'])} of the words survive.")

# ---------------------------------------------------------------------------------------------- 3. your text
st.subheader("3. Your own text through the same rules")
ui.prose("Paste a web page's text (one line per paragraph works best). The rules you switched on above run on it as "
         "one page; deduplication then only finds repeats inside your text.")
raw_text = st.text_area("Text", value=DEFAULT_PASTE, key="c4_text", height=180)
text = ui.clean_text(raw_text, MAX_PASTE, "pasted text")
if not text.strip():
    st.info("The box is empty: paste some text to run the rules on it.")
else:
    mine = run_text(text, enabled).pages[0]
    if mine.kept:
        kept_words = sum(c4.count_words(ln.text) for ln in mine.live_lines())
        st.success(f"Your page survives with {len(mine.live_lines())} of {len(mine.lines)} lines "
                   f"({kept_words} of {sum(c4.count_words(ln.original) for ln in mine.lines)} words).")
    else:
        st.warning(f"Your page is removed by rule {c4.RULES_BY_KEY[mine.removed_by].number} "
                   f"({c4.RULES_BY_KEY[mine.removed_by].name}): {mine.reason}.")
    st.markdown(lines_html(mine), unsafe_allow_html=True)

# -------------------------------------------------------------------------------------- 4. who is filtered out
st.subheader("4. Who the filters remove")
dialects = csv("dodge_dialects.csv")
full = run_samples(tuple(c4.RULE_KEYS))
banned = [p for p in full.pages if p.removed_by == "bad_words"]
d1, d2 = st.columns([3, 2])
with d1:
    draw(static["dialects"])
with d2:
    st.markdown("**On our sample pages, the bad-words list removed:**")
    st.markdown("\n".join(f"- {esc(p.kind)} ({p.page_id}): {esc(p.reason)}" for p in banned) or "- nothing")
ui.prose("Dodge et al. found that the list removes text about sexual orientation and text in minority dialects far "
         "more often than other text: a page is dropped for one word on the list, whatever the page is about. "
         "They also found patents.google.com to be the largest single source in C4, 51.3% of pages hosted in the "
         "United States, and 1.87% to 24.88% of benchmark examples (15.49% for XSum) already inside C4.")
aae = dialects.set_index("dialect")["share_removed_pct"]
notice.append(f"The filter removed **{aae['African-American English']:.0f}%** of documents in African-American "
              f"English against **{aae['White-aligned English']:.1f}%** in White-aligned English: "
              f"{aae['African-American English'] / aae['White-aligned English']:.1f}x as often.")
not_adult = [p for p in banned if not p.kind.startswith("spam")]
if banned:
    notice.append(f"Of the {len(banned)} sample pages the list removed, {len(not_adult)} are not adult content "
                  f"({', '.join(p.kind for p in not_adult)}).")

# ------------------------------------------------------------------------------------------------ 5. languages
st.subheader("5. Languages: who the web speaks for")
common = csv("cc_languages.csv").assign(group="most common in Common Crawl (table 2-1)")
under = csv("cc_languages_underrepresented.csv")
draw(static["languages"])
worst = under.sort_values("world_to_cc_ratio", ascending=False).iloc[0]
eng = common.set_index("language").loc["English"]
notice.append(f"English is {eng['cc_share_pct']:.1f}% of Common Crawl; **{worst['language']}**, with "
              f"{worst['speakers_million']:.0f} M speakers, is {worst['cc_pct']}%: "
              f"{worst['world_to_cc_ratio']:.0f}x less of the web than its share of the world's people.")

st.markdown("**What a mostly-English tokenizer costs other languages**")
ui.prose("The same short passage in each language, cut into tokens by this project's own tokenizer (a byte-level "
         "BPE trained only on English text, like the tiny GPT's). Every token costs the same compute, money and "
         "room in the context window.")
massive = csv("massive_tokens.csv")
tk1, tk2 = st.columns([3, 2])
ours = None
with tk1:
    try:
        ours = project_costs()
    except ModelUnavailable as exc:
        st.warning(f"{exc.message} Build it with `{exc.fix}`; the chart on the right still shows the chapter's "
                   "figures.")
    if ours is not None:
        draw(project_ratio_chart(ui.projector()))
with tk2:
    draw(static["massive"])
    st.caption("English 7, Hindi 32, Burmese 72 median tokens on MASSIVE (Yennie Jun, via Huyen ch. 2).")
source = st.session_state.get("model_source", "embedded")
if source and source != "embedded":
    hub, message = hub_costs(source)
    if hub is None:
        st.info(f"Hub tokenizer {source!r}: {message}")
    else:
        ui.chart(dcharts.token_ratios(hub).properties(title=f"{source}: tokens relative to English"))
if ours is not None:
    big = ours.sort_values("ratio_to_english").iloc[-1]
    latin = ours[ours["script"] == "Latin"]["ratio_to_english"].mean()
    other = ours[ours["script"] != "Latin"]["ratio_to_english"].mean()
    eng_bpt = ours.iloc[0]["bytes_per_token"]
    notice.append(f"Our tokenizer needs **{big['ratio_to_english']:.1f}x** as many tokens for {big['language']} as "
                  f"for English ({big['tokens']} against {ours.iloc[0]['tokens']}). Latin-script languages average "
                  f"{latin:.1f}x, other scripts **{other:.1f}x**: a letter outside ASCII takes 2-3 bytes in UTF-8, "
                  f"and a tokenizer that never saw the script falls back to about one token per byte.")
    notice.append(f"Our tokenizer is small, so even English gets only {eng_bpt:.1f} bytes per token. A large "
                  f"vocabulary trained mostly on English packs English far tighter, which widens the gap: on "
                  f"MASSIVE, GPT-4's tokenizer needs "
                  f"{massive.set_index('language').loc['Burmese', 'ratio_to_english']:.0f}x as many tokens for "
                  f"Burmese as for English.")
    langs = list(ours["language"])
    choice = st.selectbox("See how one passage is cut", langs, key="c4_tok_lang",
                          index=langs.index("Hindi") if "Hindi" in langs else 0)
    row = ours.set_index("language").loc[choice]
    pieces = tc.token_pieces(tc.load_passages()[langs.index(choice)].text, project_tokenizer())
    partial = sum(1 for _, whole in pieces if not whole)
    st.caption(f"{choice}: {row['characters']} characters, {row['utf8_bytes']} bytes in UTF-8, "
               f"{row['tokens']} tokens, of which {partial} are pieces of a character (shown as their bytes in "
               f"hex, grey).")
    chips = "".join(f'<span style="border:1px solid #999;border-radius:4px;padding:0 3px;margin:1px;'
                    f'display:inline-block;{"" if whole else "color:#777;font-family:monospace;font-size:0.8em"}">'
                    f'{esc(label) if label.strip() else "&nbsp;"}</span>' for label, whole in pieces[:400])
    st.markdown(chips, unsafe_allow_html=True)

ui.what_to_notice(notice)
ui.quiz("data_sources", [
    {"q": "A C4 page ends a paragraph with \"Read more...\". What happens to that line?",
     "options": ["Kept, because it ends with a full stop", "Removed: \"...\" does not count as an end",
                 "The whole page is dropped along with it"],
     "answer": 1, "why": "Rule 1 keeps lines ending in . ! ? or a closing quote, but TFDS's code drops \"...\"."},
    {"q": "Why did the health page about breastfeeding disappear from C4?",
     "options": ["langdetect was not sure it was English", "It has a word from the bad-words list",
                 "It had fewer than three sentences left"],
     "answer": 1, "why": "One listed word (here, a medical term) removes the whole page, whatever it is about."},
    {"q": "Our English-trained tokenizer needs several times more tokens for Hindi. What does that cost a Hindi "
          "speaker?",
     "options": ["Nothing: APIs charge per word, not per token", "More money per request, less text in context",
                 "Only a small drop in the model's accuracy"],
     "answer": 1, "why": "Price, latency and context are all counted in tokens (Huyen, ch. 2)."},
])
ui.references([
    ("Huyen, AI Engineering (2025), chapter 2: training data, multilingual models, tables 2-1 and 2-2", None),
    ("Raffel et al. 2020, Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer "
     "(C4: section 2.2, table 8)", "https://arxiv.org/abs/1910.10683"),
    ("TensorFlow Datasets, c4_utils.py (the reference code of the rules)",
     "https://github.com/tensorflow/datasets/blob/master/tensorflow_datasets/text/c4_utils.py"),
    ("Dodge et al. 2021, Documenting Large Webtext Corpora: A Case Study on the Colossal Clean Crawled Corpus",
     "https://arxiv.org/abs/2104.08758"),
    ("Common Crawl, cc-crawl-statistics (pages per crawl, language shares)",
     "https://github.com/commoncrawl/cc-crawl-statistics"),
    ("List of Dirty, Naughty, Obscene, and Otherwise Bad Words (LDNOOBW); we bundle a 40-entry subset",
     "https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words"),
    ("Lai et al. 2023, ChatGPT Beyond English (language shares used in Huyen's tables)",
     "https://arxiv.org/abs/2304.05613"),
    ("Yennie Jun 2023, All languages are NOT created (tokenized) equal (MASSIVE token counts)", None),
    ("The sample pages and the translated passages were written for this project (see assets/data/)", None),
])
ui.show_code(c4.run_pipeline, c4.ends_in_terminal_punctuation, c4.find_bad_word, c4.is_confident_english,
             tc.token_costs)
