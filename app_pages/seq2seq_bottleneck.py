"""The seq2seq bottleneck: an encoder-decoder without attention passes the whole sentence through one vector, and
its translations fall apart as sentences grow; with attention they hold. Plus the cost of sequential processing."""
import streamlit as st

from lib import ui
from lib.data import translation as tr
from lib.lessons import seq2seq_bottleneck as lesson
from lib.lessons.seq2seq_bottleneck import ALL, BEYOND, NO_ATTN, TIMING_LENGTHS
from lib.models import seq2seq_eval

MODES = ["A random sentence of the grammar", "Type your own"]
DEFAULT_TEXT = ("the old farmer washes a red car while the small girls sing in the green house and this happy "
                "dog sleeps")


def marked(out: list[str], ref: list[str] | None) -> str:
    """Output words in green where they match the reference position by position, red where they do not
    (plain when there is no reference)."""
    if ref is None:
        return " ".join(out) or "(nothing)"
    marks = lesson.word_marks(out, ref)
    return " ".join(f":green[{w}]" if ok else f":red[**{w}**]" for w, ok in zip(out, marks)) or "(nothing)"


ui.header("The seq2seq bottleneck",
          "An encoder-decoder without attention must squeeze the whole source sentence into one fixed-size "
          "vector, so the longer the sentence, the more of it is lost.")
ui.prose("Three models of this project translate a small English grammar into Spanish. All three are GRU "
         "encoder-decoders trained on the same 60,000 sentence pairs for a fixed number of steps; two have no "
         "attention (64 and 128 numbers in their bridge vector), one has Bahdanau's attention.")
ui.bind_url({"s2s_mode": MODES[0], "s2s_len": 12, "s2s_seed": 6, "s2s_text": DEFAULT_TEXT,
             "s2s_model": NO_ATTN[0], "s2s_step": 1, "s2s_eval_n": 300, "s2s_eval_seed": 7},
            options={"s2s_model": list(NO_ATTN), "s2s_mode": MODES, "s2s_eval_n": [120, 300, 600]},
            bounds={"s2s_len": (3, 35), "s2s_seed": (0, 9999), "s2s_step": (1, 80), "s2s_eval_seed": (0, 9999)})

with ui.model_guard():
    names = ui.memo(lesson.labels_of)
    rep = ui.memo(lesson.report_table_of)
    beyond = ui.memo(lesson.beyond_of)
beyond_exact = lesson.exact_by(beyond, names.values(), BEYOND)

# ------------------------------------------------------------------------------------------ 1. one vector
st.subheader("1. One vector is the only bridge")
mode = st.radio("Sentence", MODES, key="s2s_mode", horizontal=True)
c1, c2, c3 = st.columns([2, 1, 2])
if mode == MODES[0]:
    n_words = c1.slider("Sentence length (words)", 3, 35, key="s2s_len")
    seed = c2.number_input("Sentence number", 0, 9999, step=1, key="s2s_seed", help="Another random sentence.")
    pair: tr.Pair | None = ui.memo(lesson.random_sentence, int(n_words), int(seed))
    words = pair.src
else:
    raw = st.text_input("English sentence (words of the grammar; up to 60 words)", key="s2s_text", max_chars=600)
    words = tuple(tr.tokenize(ui.clean_text(raw, 600, "sentence"))[:60])
    if not words:
        st.info("Type an English sentence, for example: *the old farmer washes a red car*.")
        st.stop()
    if unknown := tr.unknown_words(list(words)):
        st.warning(f"Never seen in training: **{', '.join(unknown)}**. The models read each as one unknown token.")
    if too_long := lesson.length_warning(len(words), beyond_exact, names["seq2seq_attn"]):
        st.warning(too_long, icon=":material/straighten:")
    try:
        pair = tr.parse(list(words))
    except tr.ParseError as exc:
        pair = None
        st.info(f"Not a sentence of the training grammar ({exc}): there is no reference translation, so words are "
                f"not marked right or wrong.")
model_name = c3.radio("Model without attention", NO_ATTN, key="s2s_model", format_func=names.get, horizontal=True)
t = ui.memo(lesson.translate_of, model_name, words)

st.markdown(f"**English ({len(words)} words):** {' '.join(words)}")
ui.prose("The encoder reads the English one word at a time, in both directions. At the end, its two final "
         "states are squeezed into the vector below: the decoder never sees the English, only these numbers.")
ui.chart(ui.memo(lesson.bridge_chart_of, model_name, words))

n_steps = len(t.steps)
if st.session_state.get("s2s_step", 1) > n_steps:
    st.session_state["s2s_step"] = n_steps
step = st.slider("Decoder step", 1, max(n_steps, 2), key="s2s_step") if n_steps > 1 else 1
ref = list(pair.tgt) if pair else None
st.markdown(lesson.step_line(t, step - 1, ref))
st.markdown(f"**Spanish so far:** {marked(t.out[:step], ref)}")

# ------------------------------------------------------------------------- 2. the same sentence, three models
st.subheader("2. The same sentence through all three models")
trans = {names[n]: ui.memo(lesson.translate_of, n, words) for n in ALL}
for label, tt in trans.items():
    st.markdown(f"**{label}:** {marked(tt.out, ref)}")
table = None
if pair is not None:
    table = lesson.compare(trans, pair)
    st.markdown(f"**Grammar's Spanish:** {' '.join(ref)}")
    ui.table(table, {"word accuracy %": "{:.0f}"})

# ------------------------------------------------------------------------------------- 3. accuracy by length
st.subheader("3. Accuracy against sentence length")
ui.prose("Bahdanau, Cho and Bengio (2014) found that an encoder-decoder without attention translates short "
         "sentences well and long ones badly, and that attention removes the drop. Here is the same experiment "
         "with our three models, on held-out sentences none of them saw in training.")
live = st.session_state.get("s2s_live")
shown, source = (live[0], f"live, {live[1]} fresh held-out sentences, seed {live[2]}") if live else \
    (rep, "from the training report")
left, right = ui.columns([3, 2])
with left:
    ui.chart(lesson.accuracy_chart(shown, source) if live else ui.memo(lesson.report_chart_of))
with right:
    st.markdown("**Bahdanau et al. (2014), table 1: BLEU, English to French**")
    # short headers, so that all four columns fit the narrow column (and the projector's larger type)
    ui.table(ui.memo(lesson.bahdanau_table)[["model", "attention", "BLEU all sentences", "BLEU no unknown words"]]
               .rename(columns={"attention": "attn.", "BLEU all sentences": "all", "BLEU no unknown words": "no UNK"}),
               {"all": "{:.2f}", "no UNK": "{:.2f}"})
    st.caption("Source: Bahdanau, Cho & Bengio 2014 (arXiv:1409.0473), table 1. BLEU on all test sentences and "
               "on those without unknown words (no UNK). RNNencdec = no attention; "
               "RNNsearch = attention; -30/-50 = trained on sentences of up to 30/50 words. Their figure 2 shows "
               "BLEU against length: RNNencdec falls as sentences grow, RNNsearch-50 holds past 50 words.")
    c1, c2 = st.columns(2)
    n_eval = c1.select_slider("Sentences", [120, 300, 600], key="s2s_eval_n")
    eval_seed = c2.number_input("Seed", 0, 9999, key="s2s_eval_seed")
    ui.warm_up(lesson.prepare_re_evaluation)  # the first press does not pay the training sentences' set-up
    if st.button("Re-evaluate live on a fresh held-out sample", key="s2s_eval"):
        bar = st.progress(0.0, text="starting")
        df = lesson.re_evaluate_of(int(n_eval), int(eval_seed),
                                   progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
        bar.progress(1.0, text="done")
        st.session_state["s2s_live"] = (df, int(n_eval), int(eval_seed))
        st.rerun()
    if live and st.button("Back to the report's numbers", key="s2s_eval_reset"):
        del st.session_state["s2s_live"]
        st.rerun()
st.markdown(lesson.beyond_line(beyond_exact))

# ------------------------------------------------------------------------------------------ 4. sequential cost
st.subheader("4. The cost of one step after another")
ui.prose("An RNN cannot read word 10 before it has read word 9: its steps form a chain. A self-attention layer "
         "(the Transformer's) compares all positions at once, in a few matrix products. Below, both run on this "
         "machine's CPU on random inputs (width 64, one sequence), timed live.")
run = st.session_state.get("s2s_timing_run", 0)
if st.button("Time it again", key="s2s_time"):
    run += 1
    st.session_state["s2s_timing_run"] = run
with st.spinner("Timing the RNN against self-attention..."):
    times, timing_chart = ui.memo(lesson.timing_of, TIMING_LENGTHS, run)
steps_table, work = lesson.timing_tables(times)
left, right = ui.columns([3, 2])
with left:
    ui.chart(timing_chart)
with right:
    st.markdown("**Sequential steps needed**")
    ui.table(steps_table)
    st.markdown("**Multiply-adds (arithmetic done)**")
    ui.table(work, {c: "{:.2e}" for c in work.columns[1:]})

# ------------------------------------------------------------------------------------------ what to notice
ui.what_to_notice(lesson.notices(lesson.Numbers(
    model=names[model_name], n_words=len(words), hidden=t.bridge.shape[0], names=names,
    exact=lesson.exact_by(shown, names.values(), tr.BUCKETS),
    bucket_sizes=shown[shown["model"] == names["seq2seq_attn"]].set_index("bucket")["n"].to_dict(),
    source=source, timing=lesson.timing_summary(times), beyond=beyond_exact,
    rights=None if table is None else {r["model"]: (int(r["words right"]), int(r["of"])) for _, r in table.iterrows()},
    errors=None if pair is None else {label: lesson.mistakes(tt.out, ref) for label, tt in trans.items()})))

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
ui.show_code(seq2seq_eval.translate, seq2seq_eval.evaluate, lesson.beyond_of, lesson.time_sequential_vs_parallel,
             lesson.notices)
