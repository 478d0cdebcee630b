"""Training data sources: Common Crawl and C4 at scale, the C4 rules live on sample pages and pasted text, who the
filters remove, and what a mostly-English tokenizer costs other languages. Computed in lib/lessons/data_sources.py;
this page draws."""
import pandas as pd
import streamlit as st

from lib import ui
from lib.errors import ModelUnavailable
from lib.lessons import data_sources as L

MAX_PASTE = 20_000
RULE_WIDGETS = {f"c4_{key}": True for key in L.RULE_KEYS}
DEFAULT_PASTE = ("Home | About | Contact\n"
                 "Please enable JavaScript to see this page.\n"
                 "My grandmother grew up in a small village by the sea.[1]\n"
                 "Every morning she walked to the harbour to buy fish for the family.\n"
                 "She told me the boats came back before sunrise, loaded with sardines.\n"
                 "By using this site you agree to our privacy policy.\n"
                 "Read more...")
NO_DELTA = dict(delta_color="off", delta_arrow="off")

ui.header("Training data sources",
          "A model learns only from the text it is given: web-scale corpora are a crawl of the web put through a few "
          "blunt rules, and those rules decide whose words the model learns from.")
static = ui.memo(L.static_charts, ui.projector())

# --------------------------------------------------------------------------------------------------- 1. scale
st.subheader("1. Scale: a month of the web")
sc = ui.memo(L.scale)
m1, m2, m3 = st.columns(3)
m1.metric("Pages per crawl (2022-23)", f"{sc.pages_min_b:.2f}-{sc.pages_max_b:.2f} B")
m2.metric("Extracted text per crawl", f"about {sc.text_tb} TB")
m3.metric("C4 after all rules (text size)", f"{sc.c4_gb:,.0f} GB",
          f"{L.pct(sc.c4_gb, sc.raw_gb)} of {sc.raw_gb / 1000:.1f} TB of English text", **NO_DELTA,
          help="Raffel et al. 2020, table 8: bytes of text before the heuristic rules and after them.")
ui.prose("Common Crawl is a non-profit that crawls the web every month or two and publishes the raw pages and their "
         "extracted text. Google's C4 (the Colossal Clean Crawled Corpus, used to train T5) took the April 2019 "
         "crawl, kept the English pages and cleaned them with the rules below. Dodge et al. (2021) later rebuilt "
         "C4 and published three versions: with the language filter only, with every rule but the bad-words list, "
         "and C4 itself.")
ui.chart(static["crawls"])
ui.chart(static["c4"])

# ------------------------------------------------------------------------------------------------ 2. the rules
st.subheader("2. The C4 rules, live")
ui.prose(f"Below are {len(ui.memo(L.sample_pages))} pages written to look like what a crawler brings back: news with "
         "menus, recipes, shop pages with cookie banners, code, templates full of *lorem ipsum*, spam, pages in other "
         "languages, copies of the same story, forum threads. Every rule of Raffel et al. (2020) runs on them. "
         f"{L.ORDER_NOTE} Switch rules off to see what each one contributes.")
page_ids = [p["id"] for p in ui.memo(L.sample_pages)]
harm_ids = [p.page_id for p in ui.memo(L.let_through).result.pages]
ui.bind_url({**RULE_WIDGETS, "c4_focus": L.RULE_KEYS[0], "c4_page": page_ids[0], "c4_text": DEFAULT_PASTE,
             "c4_harm_page": harm_ids[0]},
            options={"c4_focus": list(L.RULE_KEYS), "c4_page": page_ids, "c4_harm_page": harm_ids})
n_cols = 3 if ui.projector() else 4
cols = st.columns(n_cols)
for i, rule in enumerate(L.RULES):
    # rule.short fits a quarter (a third on the projector) of a 1280 px page; the full name goes in the help
    note = f" {L.END_MARK_NOTE}" if rule.key == "terminal_punct" else ""
    cols[i % n_cols].checkbox(f"{rule.number}. {rule.short}", key=f"c4_{rule.key}",
                              help=f"**{rule.name}**: {rule.description}.{note}")
enabled = tuple(k for k in L.RULE_KEYS if st.session_state.get(f"c4_{k}", True))
with st.spinner("Running the C4 rules..."):
    rep = ui.memo(L.rules_report, enabled)
rs = rep.stats
k1, k2, k3 = st.columns(3)
k1.metric("Pages kept", f"{rs.pages[1]} of {rs.pages[0]}", L.pct(rs.pages[1], rs.pages[0]), **NO_DELTA)
k2.metric("Lines kept", f"{rs.lines[1]} of {rs.lines[0]}", L.pct(rs.lines[1], rs.lines[0]), **NO_DELTA)
k3.metric("Words kept", f"{rs.words[1]:,} of {rs.words[0]:,}", L.pct(rs.words[1], rs.words[0]), **NO_DELTA)
ui.chart(ui.memo(L.funnel_chart, enabled, ui.projector()))
st.caption("**Where this run simplifies C4.**\n" + "\n".join(f"- {x}" for x in L.SIMPLIFICATIONS))
st.markdown("**What each rule removed**")
ui.dataframe(rep.summary)
st.markdown("**Every page's fate**")
st.dataframe(rep.pages_table, hide_index=True, width="stretch", height=300)

st.markdown("**One rule, everything it did**")
focus_options = [k for k in L.RULE_KEYS if k in enabled] or list(L.RULE_KEYS)
if st.session_state.get("c4_focus") not in focus_options:
    st.session_state["c4_focus"] = focus_options[0]
focus = st.selectbox("Rule", focus_options, key="c4_focus",
                     format_func=lambda k: f"{L.RULES_BY_KEY[k].number}. {L.RULES_BY_KEY[k].name}")
did = ui.memo(L.removals, enabled, focus)
if focus not in enabled:
    st.info("This rule is switched off, so it removed nothing.")
elif not did:
    st.info(f"Rule {L.RULES_BY_KEY[focus].number} found nothing to remove: the rules before it already "
            "removed what it would have caught, or the sample has none of it.")
else:
    st.dataframe(pd.DataFrame(did), hide_index=True, width="stretch", height=min(38 + 35 * len(did), 320))

by_id = {p.page_id: p for p in rep.result.pages}
st.markdown("**One page, line by line**")
pick = st.selectbox("Page", list(by_id), key="c4_page",
                    format_func=lambda pid: f"{pid} \u00b7 {by_id[pid].kind} \u00b7 {L.fate(by_id[pid])}")
page = by_id[pick]
st.caption(f"{page.url}")
if not page.kept:
    st.error(f"Whole page removed by rule {L.RULES_BY_KEY[page.removed_by].number} "
             f"({L.RULES_BY_KEY[page.removed_by].name}): {page.reason}.")
elif page.language:
    st.success(f"Kept: langdetect says {page.language[0]!r} with probability {page.language[1]:.4f}.")
else:
    st.success("Kept.")
st.markdown(L.lines_html(page), unsafe_allow_html=True)

# ---------------------------------------------------------------------------------------------- 3. your text
st.subheader("3. Your own text through the same rules")
ui.prose("Paste a web page's text (one line per paragraph works best). The rules you switched on above run on it as "
         "one page; deduplication then only finds repeats inside your text.")
text = ui.clean_text(st.text_area("Text", key="c4_text", height=180), MAX_PASTE, "pasted text")
if not text.strip():
    st.info("The box is empty: paste some text to run the rules on it.")
else:
    mine = ui.memo(L.your_page, text, enabled)
    if mine.page.kept:
        st.success(f"Your page survives with {mine.lines[0]} of {mine.lines[1]} lines "
                   f"({mine.words[0]} of {mine.words[1]} words).")
    else:
        rule = L.RULES_BY_KEY[mine.page.removed_by]
        st.warning(f"Your page is removed by rule {rule.number} ({rule.name}): {mine.page.reason}.")
    st.markdown(L.lines_html(mine.page), unsafe_allow_html=True)

# -------------------------------------------------------------------------------------- 4. who is filtered out
st.subheader("4. Who the filters remove")
filtered = ui.memo(L.filtered_out)
d1, d2 = ui.columns([3, 2])
with d1:
    ui.chart(static["dialects"])
with d2:
    st.markdown("**On our sample pages, the bad-words list removed:**")
    st.markdown("\n".join(f"- {L.esc(kind)} ({pid}): {L.esc(why)}" for pid, kind, why in filtered.banned)
                or "- nothing")
ui.prose("Dodge et al. found that the list removes text about sexual orientation and text in minority dialects far "
         "more often than other text: a page is dropped for one word on the list, whatever the page is about. "
         "They also found patents.google.com to be the largest single source in C4, 51.3% of pages hosted in the "
         "United States, and 1.87% to 24.88% of benchmark examples (15.49% for XSum) already inside C4.")

# ------------------------------------------------------------------------------- 5. what the rules let through
st.subheader("5. What the rules let through")
ui.prose("Common Crawl holds Wikipedia, patents and newspapers, but also misinformation, propaganda, clickbait, "
         "conspiracy theories, racism and misogyny (the Washington Post's analysis of C4 with the Allen Institute, "
         "2023). We wrote pages of those kinds ourselves, like ordinary web prose, and ran every rule on them: "
         f"all {len(L.RULES)} rules, whatever the switches in section 2 say.")
lt = ui.memo(L.let_through)
st.warning(L.esc(lt.note), icon="\u26a0\ufe0f")  # the data file's own label: "MADE UP BY THIS PROJECT. ..."
h1, h2 = ui.columns([2, 3])
with h1:
    st.metric("Made-up harmful pages that pass every rule", f"{lt.res.passed} of {lt.res.total}",
              L.pct(lt.res.passed, lt.res.total), **NO_DELTA)
    ui.dataframe(lt.kinds)
with h2:
    ui.dataframe(lt.pages_table)
harm_by_id = {p.page_id: p for p in lt.result.pages}
harm_pick = st.selectbox("Made-up page, line by line", list(harm_by_id), key="c4_harm_page",
                         format_func=lambda pid: f"{pid} \u00b7 {harm_by_id[pid].kind} \u00b7 "
                                                 f"{L.fate(harm_by_id[pid])} (made up)")
harm_page = harm_by_id[harm_pick]
st.caption(f"MADE UP \u00b7 `{harm_page.url}` (the .example domain does not exist)")
if harm_page.kept:
    st.info(f"Passes every rule: {len(harm_page.live_lines())} of {len(harm_page.lines)} lines go into the "
            "corpus, false or hateful as they are.")
else:
    st.error(f"Removed by rule {L.RULES_BY_KEY[harm_page.removed_by].number} "
             f"({L.RULES_BY_KEY[harm_page.removed_by].name}): {harm_page.reason}.")
st.markdown(L.lines_html(harm_page), unsafe_allow_html=True)

# ------------------------------------------------------------------------------------------------ 6. languages
st.subheader("6. Languages: who the web speaks for")
ui.chart(static["languages"])
st.markdown("**What a mostly-English tokenizer costs other languages**")
ui.prose("The same short passage in each language, cut into tokens by this project's own tokenizer (a byte-level "
         "BPE trained only on English text, like the tiny GPT's). Every token costs the same compute, money and "
         "room in the context window.")
tk1, tk2 = ui.columns([3, 2])
ours = None
with tk1:
    try:
        ours = ui.memo(L.project_costs)
        ui.chart(ui.memo(L.project_ratio_chart, ui.projector()))
    except ModelUnavailable as exc:
        st.warning(f"{exc.message} Build it with `{exc.fix}`; the chart on the right still shows the chapter's "
                   "figures.")
with tk2:
    ui.chart(static["massive"])
    st.caption("English 7, Hindi 32, Burmese 72 median tokens on MASSIVE (Yennie Jun, via Huyen ch. 2).")
source = st.session_state.get("model_source", "embedded")
if source and source != "embedded":
    with st.spinner("Loading the Hub tokenizer..."):
        hub, message = ui.memo(L.hub_costs, source)
    if hub is None:
        st.info(f"Hub tokenizer {source!r}: {message}")
    else:
        ui.chart(ui.memo(L.ratio_chart, hub, f"{source}: tokens relative to English", ui.projector()))
if ours is not None:
    langs = list(ours["language"])
    ui.bind_url({"c4_tok_lang": "Hindi" if "Hindi" in langs else langs[0]}, options={"c4_tok_lang": langs})
    choice = st.selectbox("See how one passage is cut", langs, key="c4_tok_lang")
    row = ours.set_index("language").loc[choice]
    pieces, partial = ui.memo(L.passage_pieces, choice)
    st.caption(f"{choice}: {row['characters']} characters, {row['utf8_bytes']} bytes in UTF-8, "
               f"{row['tokens']} tokens, of which {partial} are pieces of a character (shown as their bytes in "
               f"hex, grey).")
    chips = "".join(f'<span style="border:1px solid #999;border-radius:4px;padding:0 3px;margin:1px;'
                    f'display:inline-block;{"" if whole else "color:#777;font-family:monospace;font-size:0.8em"}">'
                    f'{L.esc(label) if label.strip() else "&nbsp;"}</span>' for label, whole in pieces[:400])
    st.markdown(chips, unsafe_allow_html=True)

# ------------------------------------------------------------------------------------ 7. datasets are costly
st.subheader("7. Building datasets is costly")
ui.prose("Pre-training text is crawled, but the data that turns a text predictor into an assistant is written or "
         "judged by people. Beside each stage: what our tiny GPT used (generated by a program, so free) and what "
         "a real model used, at the prices the chapter gives.")
costs = None
try:
    with st.spinner("Counting our datasets..."):
        costs = ui.memo(L.dataset_costs)
except ModelUnavailable as exc:
    st.info(f"{exc.message} Build it with `{exc.fix}` to compare our datasets with the real ones.")
if costs is not None:
    c1, c2, c3 = st.columns(3)
    c1.metric("InstructGPT's demonstrations", f"{costs.real_demos:,}",
              f"about {L.money(costs.real_demos * costs.dollars_per_demo)}", **NO_DELTA)
    c2.metric("A comparison against a written response", f"${costs.dollars_per_comparison:.2f}",
              f"against ${costs.dollars_per_written:g}", **NO_DELTA)
    c3.metric("Our labelled data at those rates", L.money(costs.demonstrations * costs.dollars_per_demo
                                                          + costs.pairs * costs.dollars_per_comparison),
              f"{costs.demonstrations:,} demonstrations, {costs.pairs:,} pairs", **NO_DELTA)
    st.table(costs.table.set_index("stage"))  # a static table wraps its long cells: every column stays in view

ui.what_to_notice(L.notices(sc, rs, filtered, ui.memo(L.languages),
                            None if ours is None else ui.memo(L.token_stats, ours), costs, lt.res))
ui.quiz("data_sources", [
    {"q": "A C4 page ends a paragraph with \"Read more...\". What happens to that line?",
     "options": ["Kept, because it ends with a full stop", "Removed: \"...\" does not count as an end",
                 "The whole page is dropped along with it"],
     "answer": 1, "why": "Rule 3 keeps lines ending in . ! ? or a straight double quote and drops \"...\" "
                         "(as the code that built C4 does)."},
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
    ("Schaul, Chen and Tiku, Washington Post, 19 April 2023, \"Inside the secret list of websites that make AI "
     "like ChatGPT sound smart\" (C4's websites, with the Allen Institute for AI)",
     "https://www.washingtonpost.com/technology/interactive/2023/ai-chatbot-learning/"),
    ("Dodge et al. 2021, Documenting Large Webtext Corpora: A Case Study on the Colossal Clean Crawled Corpus",
     "https://arxiv.org/abs/2104.08758"),
    ("Common Crawl, cc-crawl-statistics (pages per crawl, language shares)",
     "https://github.com/commoncrawl/cc-crawl-statistics"),
    ("List of Dirty, Naughty, Obscene, and Otherwise Bad Words (LDNOOBW); we bundle a 40-entry subset",
     "https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words"),
    ("Lai et al. 2023, ChatGPT Beyond English (language shares used in Huyen's tables)",
     "https://arxiv.org/abs/2304.05613"),
    ("Yennie Jun 2023, All languages are NOT created (tokenized) equal (MASSIVE token counts)", None),
    ("Ouyang et al. 2022, Training language models to follow instructions with human feedback (InstructGPT)",
     "https://arxiv.org/abs/2203.02155"),
    ("Dataset costs: assets/data/dataset_costs.csv (Huyen, AI Engineering, ch. 2, with sources)", None),
    ("The sample pages, the made-up harmful pages and the translated passages were written for this project "
     "(see assets/data/)", None),
])
ui.show_code(L.rules_report, *L.C4_CODE, L.let_through, L.harmful_notice, L.token_costs, L.dataset_costs, L.notices)
