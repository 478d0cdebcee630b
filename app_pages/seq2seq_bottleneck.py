"""The seq2seq bottleneck: an encoder-decoder without attention passes the whole sentence through one vector, and
its translations fall apart as sentences grow; with attention they hold. Plus the cost of sequential processing."""
import numpy as np
import streamlit as st

from lib import charts, ui
from lib import seq2seq_lab as lab
from lib.charts import sequence as sc
from lib.data import translation as tr

NO_ATTN = ["seq2seq_small", "seq2seq_wide"]
ALL = [*NO_ATTN, "seq2seq_attn"]
TIMING_LENGTHS = (8, 32, 128, 512)
MODES = ["A random sentence of the grammar", "Type your own"]
DEFAULT_TEXT = ("the old farmer washes a red car while the small girls sing in the green house and this happy "
                "dog sleeps")


@st.cache_data(show_spinner=False, max_entries=256)
def sentence(n_words: int, seed: int) -> tr.Pair:
    return lab.random_sentence(n_words, seed)


@st.cache_data(show_spinner=False, max_entries=512)
def translate(name: str, words: tuple[str, ...]) -> lab.Translation:
    return lab.translate(ui.cached_model(name), words)


@st.cache_data(show_spinner=False)
def labels() -> dict[str, str]:
    return {name: lab.model_label(ui.cached_model(name)) for name in ALL}


@st.cache_data(show_spinner=False)
def report_table():
    return lab.report_frame(lab.load_report(), labels())


@st.cache_data(show_spinner=False)
def bahdanau():
    return lab.bahdanau_table()


@st.cache_data(show_spinner="Timing the RNN against self-attention...", max_entries=8)
def timing(lengths: tuple[int, ...], run: int):
    return lab.time_sequential_vs_parallel(list(lengths))


# Altair charts are slow to build; these are built once per input and shared read-only (ui.chart styles a copy)
@st.cache_resource(show_spinner=False, max_entries=256)
def bridge_chart(name: str, words: tuple[str, ...]):
    t = translate(name, words)
    H = t.bridge.shape[0]
    grid = t.bridge.reshape(8, -1)  # 8 rows of H/8, so that it fits the screen
    return charts.heatmap(grid, [f"{i * grid.shape[1]}" for i in range(8)], [str(j) for j in range(grid.shape[1])],
                          row_title="", col_title="", value_title="value", scheme="redblue", domain=(-1, 1),
                          cell=30 if H <= 64 else 18).properties(
        title=f"The bridge: {H} numbers between -1 and 1 for a {len(words)}-word sentence")


@st.cache_resource(show_spinner=False, max_entries=4)
def accuracy_chart(which: str | None, source: str):
    return sc.accuracy_by_length(report_table(), order=tr.BUCKETS).properties(
        title=f"Exact match by source length ({source})", height=360)


@st.cache_resource(show_spinner=False, max_entries=8)
def timing_chart(lengths: tuple[int, ...], run: int):
    return sc.timing(timing(lengths, run)).properties(title="Time to process one sequence", height=380)


def show_table(df, formats: dict[str, str] | None = None) -> None:
    """A small table: an interactive dataframe on a laptop, a plain table (which grows with the projector's
    larger type) on the projector. `formats`: column -> format string such as "{:.0f}"."""
    if ui.projector():
        shown = df.copy()
        for col in shown.columns[shown.dtypes == bool]:
            shown[col] = shown[col].map({True: "yes", False: "no"})
        for col, f in (formats or {}).items():
            shown[col] = shown[col].map(f.format)
        st.table(shown, hide_index=True)
    else:
        st.dataframe(df, hide_index=True, width="stretch", column_config={
            col: st.column_config.NumberColumn(format=f.replace("{:", "%").replace("}", ""))
            for col, f in (formats or {}).items()})


def marked(out: list[str], ref: list[str] | None) -> str:
    """Output words in green where they match the reference position by position, red where they do not
    (plain when there is no reference)."""
    if ref is None:
        return " ".join(out) or "(nothing)"
    marks = lab.word_marks(out, ref)
    return " ".join(f":green[{w}]" if ok else f":red[**{w}**]" for w, ok in zip(out, marks)) or "(nothing)"


ui.header("The seq2seq bottleneck",
          "An encoder-decoder without attention must squeeze the whole source sentence into one fixed-size "
          "vector, so the longer the sentence, the more of it is lost.")
ui.prose("Three models of this project translate a small English grammar into Spanish. All three are GRU "
         "encoder-decoders trained on the same 60,000 sentence pairs for a fixed number of steps; two have no "
         "attention (64 and 128 numbers in their bridge vector), one has Bahdanau's attention.")
ui.bind_url({"s2s_mode": MODES[0], "s2s_len": 12, "s2s_seed": 6, "s2s_text": DEFAULT_TEXT,
             "s2s_model": NO_ATTN[0], "s2s_step": 1},
            options={"s2s_model": NO_ATTN, "s2s_mode": MODES},
            bounds={"s2s_len": (3, 35), "s2s_seed": (0, 9999), "s2s_step": (1, 80)})

with ui.model_guard():
    names = labels()

# ------------------------------------------------------------------------------------------ 1. one vector
st.subheader("1. One vector is the only bridge")
mode = st.radio("Sentence", MODES, key="s2s_mode", horizontal=True)
c1, c2, c3 = st.columns([2, 1, 2])
if mode == MODES[0]:
    n_words = c1.slider("Sentence length (words)", 3, 35, key="s2s_len")
    seed = c2.number_input("Sentence number", 0, 9999, step=1, key="s2s_seed", help="Another random sentence.")
    pair: tr.Pair | None = sentence(int(n_words), int(seed))
    words = pair.src
else:
    raw = st.text_input("English sentence (words of the grammar; up to 60 words)", key="s2s_text", max_chars=600)
    words = tuple(tr.tokenize(ui.clean_text(raw, 600, "sentence"))[:60])
    if not words:
        st.info("Type an English sentence, for example: *the old farmer washes a red car*.")
        st.stop()
    if unknown := tr.unknown_words(list(words)):
        st.warning(f"Never seen in training: **{', '.join(unknown)}**. The models read each as one unknown token.")
    try:
        pair = tr.parse(list(words))
    except tr.ParseError as exc:
        pair = None
        st.info(f"Not a sentence of the training grammar ({exc}): there is no reference translation, so words are "
                f"not marked right or wrong.")
model_name = c3.radio("Model without attention", NO_ATTN, key="s2s_model", format_func=names.get, horizontal=True)
t = translate(model_name, words)
H = t.bridge.shape[0]

st.markdown(f"**English ({len(words)} words):** {' '.join(words)}")
ui.prose("The encoder reads the English one word at a time, in both directions. At the end, its two final "
         "states are squeezed into the vector below: the decoder never sees the English, only these numbers.")
ui.chart(bridge_chart(model_name, words))

n_steps = len(t.steps)
if st.session_state.get("s2s_step", 1) > n_steps:
    st.session_state["s2s_step"] = n_steps
step = st.slider("Decoder step", 1, max(n_steps, 2), key="s2s_step") if n_steps > 1 else 1
k = step - 1
s = t.steps[k]
ref = list(pair.tgt) if pair else None
so_far = t.out[:k]
st.markdown(f"**Step {step} of {n_steps}.** The decoder's inputs: the word it wrote last "
            f"(*{so_far[-1] if so_far else 'start'}*) and the same {H}-number bridge as at every step. "
            f"It writes **{s.word}** with probability {s.prob:.2f} "
            f"(runners-up: {', '.join(f'{w} {p:.2f}' for w, p in s.top[1:])})"
            + (f"; the grammar's word here is **{ref[k]}**." if ref and k < len(ref) else "."))
st.markdown(f"**Spanish so far:** {marked(t.out[:step], ref)}")

# ------------------------------------------------------------------------- 2. the same sentence, three models
st.subheader("2. The same sentence through all three models")
trans = {names[n]: translate(n, words) for n in ALL}
for label, tt in trans.items():
    st.markdown(f"**{label}:** {marked(tt.out, ref)}")
table = None
if pair is not None:
    table = lab.compare(trans, pair)
    st.markdown(f"**Grammar's Spanish:** {' '.join(ref)}")
    show_table(table, {"word accuracy %": "{:.0f}"})

# ------------------------------------------------------------------------------------- 3. accuracy by length
st.subheader("3. Accuracy against sentence length")
ui.prose("Bahdanau, Cho and Bengio (2014) found that an encoder-decoder without attention translates short "
         "sentences well and long ones badly, and that attention removes the drop. Here is the same experiment "
         "with our three models, on held-out sentences none of them saw in training.")
with ui.model_guard():
    rep = report_table()
live = st.session_state.get("s2s_live")
shown, source = (live[0], f"live, {live[1]} fresh held-out sentences, seed {live[2]}") if live else \
    (rep, "from the training report")
left, right = (st.container(), st.container()) if ui.projector() else st.columns([3, 2])
with left:
    ui.chart(accuracy_chart(None if live else "report", source) if not live else
             sc.accuracy_by_length(shown, order=tr.BUCKETS).properties(
                 title=f"Exact match by source length ({source})", height=360))
with right:
    st.markdown("**Bahdanau et al. (2014), table 1: BLEU, English to French**")
    # short headers, so that all four columns fit the narrow column (and the projector's larger type)
    show_table(bahdanau()[["model", "attention", "BLEU all sentences", "BLEU no unknown words"]].rename(
        columns={"attention": "attn.", "BLEU all sentences": "all", "BLEU no unknown words": "no UNK"}),
        {"all": "{:.2f}", "no UNK": "{:.2f}"})
    st.caption("Source: Bahdanau, Cho & Bengio 2014 (arXiv:1409.0473), table 1. BLEU on all test sentences and "
               "on those without unknown words (no UNK). RNNencdec = no attention; "
               "RNNsearch = attention; -30/-50 = trained on sentences of up to 30/50 words. Their figure 2 shows "
               "BLEU against length: RNNencdec falls as sentences grow, RNNsearch-50 holds past 50 words.")
    c1, c2 = st.columns(2)
    n_eval = c1.select_slider("Sentences", [120, 300, 600], value=300, key="s2s_eval_n")
    eval_seed = c2.number_input("Seed", 0, 9999, value=7, key="s2s_eval_seed")
    if st.button("Re-evaluate live on a fresh held-out sample", key="s2s_eval"):
        bar = st.progress(0.0, text="starting")
        models = {names[n]: ui.cached_model(n) for n in ALL}
        df = lab.re_evaluate(models, int(n_eval), int(eval_seed),
                             progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
        bar.progress(1.0, text="done")
        st.session_state["s2s_live"] = (df, int(n_eval), int(eval_seed))
        st.rerun()
    if live and st.button("Back to the report's numbers", key="s2s_eval_reset"):
        del st.session_state["s2s_live"]
        st.rerun()


def exact(df, label, bucket):
    row = df[(df["model"] == label) & (df["bucket"] == bucket)]
    return float(row["exact match %"].iloc[0]) if len(row) else float("nan")


# ------------------------------------------------------------------------------------------ 4. sequential cost
st.subheader("4. The cost of one step after another")
ui.prose("An RNN cannot read word 10 before it has read word 9: its steps form a chain. A self-attention layer "
         "(the Transformer's) compares all positions at once, in a few matrix products. Below, both run on this "
         "machine's CPU on random inputs (width 64, one sequence), timed live.")
run = st.session_state.get("s2s_timing_run", 0)
if st.button("Time it again", key="s2s_time"):
    run += 1
    st.session_state["s2s_timing_run"] = run
times = timing(TIMING_LENGTHS, run)
rnn_col, att_col = "RNN (one step at a time)", "self-attention (all at once)"
left, right = (st.container(), st.container()) if ui.projector() else st.columns([3, 2])
with left:
    ui.chart(timing_chart(TIMING_LENGTHS, run))
with right:
    wide = times.pivot(index="length", columns="layer", values="ms").reset_index()
    short = {rnn_col: "RNN", att_col: "self-attention"}
    steps = times.pivot(index="length", columns="layer", values="sequential steps").reset_index().rename(
        columns=short)
    work = times.pivot(index="length", columns="layer", values="multiply-adds").reset_index().rename(columns=short)
    st.markdown("**Sequential steps needed**")
    show_table(steps)
    st.markdown("**Multiply-adds (arithmetic done)**")
    show_table(work, {c: "{:.2e}" for c in work.columns[1:]})

longest = wide.iloc[-1]
ratio = longest[rnn_col] / longest[att_col]

# ------------------------------------------------------------------------------------------ what to notice
a_label, s_label, w_label = names["seq2seq_attn"], names["seq2seq_small"], names["seq2seq_wide"]
first, mid, last = tr.BUCKETS[0], tr.BUCKETS[2], tr.BUCKETS[-1]
notice = [
    f"The decoder of the {names[model_name]} model sees the {len(words)}-word sentence only through "
    f"**{H} numbers**; the vector has the same size for 3 words or 35.",
]
if table is not None:
    rights = {r["model"]: f"{r['words right']}/{r['of']}" for _, r in table.iterrows()}
    notice.append(f"On this sentence: {s_label} gets **{rights[s_label]}** words right, {w_label} "
                  f"**{rights[w_label]}**, {a_label} **{rights[a_label]}** (extra or missing words count as wrong).")
notice += [
    f"On held-out sentences ({source}), exact match from {first} words to {last} words: "
    f"{s_label} **{exact(shown, s_label, first):.0f}% \u2192 {exact(shown, s_label, last):.0f}%**; "
    f"{w_label} {exact(shown, w_label, first):.0f}% \u2192 {exact(shown, w_label, last):.0f}%; "
    f"{a_label} **{exact(shown, a_label, first):.0f}% \u2192 {exact(shown, a_label, last):.0f}%**. "
    + (f"Twice the width helps on medium lengths ({mid} words: {exact(shown, w_label, mid):.0f}% against "
       f"{exact(shown, s_label, mid):.0f}%) " if exact(shown, w_label, mid) > exact(shown, s_label, mid) + 5 else
       f"Twice the width barely helps ({mid} words: {exact(shown, w_label, mid):.0f}% against "
       f"{exact(shown, s_label, mid):.0f}%) ")
    + ("but only attention removes the drop: Bahdanau's finding, reproduced."
       if exact(shown, a_label, last) >= exact(shown, a_label, first) - 10
       and exact(shown, s_label, last) < exact(shown, s_label, first) - 30 else
       "; on this sample the gap between the models is smaller than in Bahdanau's figure."),
    f"At {int(longest['length'])} positions the RNN needs **{int(longest['length'])} steps one after another** "
    f"and took {longest[rnn_col]:.1f} ms here; self-attention needs **1 step** and took {longest[att_col]:.1f} ms "
    + (f"({ratio:.1f}x faster)"
       + (", although it does more arithmetic. " if work.iloc[-1]["self-attention"] > work.iloc[-1]["RNN"] else ". ")
       if ratio >= 1 else
       f"({1 / ratio:.1f}x slower: on this small CPU its extra arithmetic, {work.iloc[-1]['self-attention']:.1e} "
       f"multiply-adds against {work.iloc[-1]['RNN']:.1e}, costs more than the chain). ")
    + "What differs is what more hardware can do: a GPU does all of self-attention's independent products at "
      "once, while the RNN's steps must wait for each other however many cores there are.",
]
ui.what_to_notice(notice)

ui.quiz("bottleneck", [
    {"q": "Without attention, what does the decoder know about the source sentence?",
     "options": ["Every encoder state, one per source word", "Only the fixed-size vector the encoder ends with",
                 "The source words, looked up in the embedding table"],
     "answer": 1, "why": "That vector is the bottleneck: its size does not grow with the sentence."},
    {"q": "Making the vector twice as wide...",
     "options": ["removes the bottleneck, whatever the sentence length",
                 "helps on medium sentences, but long ones still fail",
                 "makes no difference: only the depth of the RNN matters"],
     "answer": 1, "why": "A wider vector holds more, but any fixed size runs out as sentences grow; attention "
                         "instead lets the decoder read every encoder state."},
    {"q": "Why is an RNN slow on long sequences even on a big GPU?",
     "options": ["Its steps must run one after another", "It has many more parameters than a Transformer",
                 "Its hidden state cannot fit in GPU memory"],
     "answer": 0, "why": "Step t needs the state of step t-1, so the n steps cannot run in parallel; "
                         "self-attention handles all positions at once."},
])
ui.references([
    ("Bahdanau, Cho & Bengio (2014), Neural Machine Translation by Jointly Learning to Align and Translate",
     "https://arxiv.org/abs/1409.0473"),
    ("Cho et al. (2014), Learning Phrase Representations using RNN Encoder-Decoder", "https://arxiv.org/abs/1406.1078"),
    ("Sutskever, Vinyals & Le (2014), Sequence to Sequence Learning with Neural Networks",
     "https://arxiv.org/abs/1409.3215"),
    ("Olah (2015), Understanding LSTM Networks", "https://colah.github.io/posts/2015-08-Understanding-LSTMs/"),
    ("Tunstall, von Werra & Wolf (2022), Natural Language Processing with Transformers, ch. 3", None),
    ("Huyen (2025), AI Engineering, ch. 2: Understanding Foundation Models", None),
])
ui.show_code(lab.translate, lab.evaluate, lab.time_sequential_vs_parallel)
