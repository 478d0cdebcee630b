"""Attention alignment: the attention model's weights over the source words at every output word, against the
grammar's true word alignment, with the crossing where Spanish puts the adjective after the noun."""
import streamlit as st

from lib import ui
from lib.charts import sequence as sc
from lib.data import translation as tr
from lib.lessons import attention_alignment as lesson
from lib.lessons.attention_alignment import MODEL
from lib.models import seq2seq_eval
MODES = ["Build a sentence", "Type freely"]
NONE = "(none)"
MAX_CLAUSES = 4
DEFAULT_CLAUSES = [
    ("the", "big", "dog", "sees", "a", "red", "car"),
    ("the (plural)", "happy", "girl", "buys", "some (plural)", "new", "book"),
    ("this", "old", "man", "sleeps", "the", NONE, "house"),
    ("these (plural)", "small", "cow", "finds", "this", "green", "apple"),
]
DEFAULT_CONJ = ["and", "but", "while"]


def builder(slot) -> tuple[list[str], tr.Pair]:
    """Rows of drop-downs, one clause each, offering only words the model knows; agreement is automatic.
    The number of clauses is chosen in `slot` (a column next to the mode switch)."""
    n = slot.slider("Clauses", 1, MAX_CLAUSES, key="att_clauses",
                    help="Each clause adds 3 to 7 words; conjunctions join them.")
    clauses, conjunctions = [], []
    for i in range(n):
        if i:
            conjunctions.append(tr.CONJUNCTION_WORDS.index(
                st.columns([1, 3])[0].selectbox(f"Conjunction {i}", tr.CONJUNCTION_WORDS, key=f"att_conj{i}")))
        if ui.projector():  # large type: subject and verb on one row, the object on the next
            c = st.columns(4) + st.columns(4)[:3]
        else:
            c = st.columns([1.3, 1, 1, 1, 1.3, 1, 1])
        det = c[0].selectbox("Determiner", tr.DET_LABELS, key=f"att_c{i}_det")
        adj = c[1].selectbox("Adjective", [NONE, *tr.ADJECTIVE_WORDS], key=f"att_c{i}_adj")
        noun = c[2].selectbox("Subject", tr.SUBJECT_NOUNS, key=f"att_c{i}_noun")
        verb = c[3].selectbox("Verb", tr.VERB_WORDS, key=f"att_c{i}_verb")
        if tr.is_transitive(verb):
            odet = c[4].selectbox("Determiner ", tr.DET_LABELS, key=f"att_c{i}_odet")
            oadj = c[5].selectbox("Adjective ", [NONE, *tr.ADJECTIVE_WORDS], key=f"att_c{i}_oadj")
            onoun = c[6].selectbox("Object", tr.OBJECT_NOUNS, key=f"att_c{i}_onoun")
        else:
            odet = oadj = onoun = None
            c[4].caption("(this verb takes no object)")
        clauses.append(tr.clause_from_choices(det, None if adj == NONE else adj, noun, verb, odet,
                                              None if oadj in (None, NONE) else oadj, onoun))
    pair = tr.render(clauses, conjunctions)
    return list(pair.src), pair


ui.header("Attention alignment",
          "With attention, the decoder looks back at every source word before writing each output word; "
          "its weights line up with the word being translated, and cross where Spanish word order differs.")
ui.prose("The model is the same kind of GRU encoder-decoder as on the bottleneck page, plus Bahdanau's additive "
         "attention: before each output word it scores every English word against its own state, turns the "
         "scores into weights that sum to 1 (a softmax), and reads the weighted average of the encoder's states. "
         "It was trained only on sentence pairs; nobody told it which word translates which.")

url_defaults = {"att_mode": MODES[0], "att_clauses": 2, "att_text": "the old woman sells a green hat",
                "att_step": 1}
for i, (det, adj, noun, verb, odet, oadj, onoun) in enumerate(DEFAULT_CLAUSES):
    url_defaults.update({f"att_c{i}_det": det, f"att_c{i}_adj": adj, f"att_c{i}_noun": noun,
                         f"att_c{i}_verb": verb, f"att_c{i}_odet": odet, f"att_c{i}_oadj": oadj,
                         f"att_c{i}_onoun": onoun})
for i, conj in enumerate(DEFAULT_CONJ, start=1):
    url_defaults[f"att_conj{i}"] = conj
options = {"att_mode": MODES}
for i in range(MAX_CLAUSES):
    options.update({f"att_c{i}_det": tr.DET_LABELS, f"att_c{i}_odet": tr.DET_LABELS,
                    f"att_c{i}_adj": [NONE, *tr.ADJECTIVE_WORDS], f"att_c{i}_oadj": [NONE, *tr.ADJECTIVE_WORDS],
                    f"att_c{i}_noun": tr.SUBJECT_NOUNS, f"att_c{i}_onoun": tr.OBJECT_NOUNS,
                    f"att_c{i}_verb": tr.VERB_WORDS})
for i in range(1, MAX_CLAUSES):
    options[f"att_conj{i}"] = tr.CONJUNCTION_WORDS
ui.bind_url(url_defaults, options=options, bounds={"att_clauses": (1, MAX_CLAUSES), "att_step": (1, 200)})

with ui.model_guard():
    ui.cached_model(MODEL)
    rep = ui.memo(seq2seq_eval.load_report)

top_left, top_right = st.columns([2, 3])
mode = top_left.radio("Sentence", MODES, key="att_mode", horizontal=True)
pair: tr.Pair | None = None
if mode == MODES[0]:
    words, pair = builder(top_right)
else:
    raw = st.text_input("English sentence", key="att_text", max_chars=400,
                        help="Words the model never saw are shown as unknown.")
    words = tr.tokenize(ui.clean_text(raw, 400, "sentence"))[:60]
    if not words:
        st.info("Type an English sentence, for example: *the old woman sells a green hat*.")
        st.stop()
    unknown = tr.unknown_words(words)
    if unknown:
        st.warning(f"Never seen in training: **{', '.join(unknown)}**. The model reads each as the same "
                   f"\u27e8unknown\u27e9 token, so it cannot translate it: a model is only as good as its data.")
    try:
        pair = tr.parse(words)
    except tr.ParseError as exc:
        st.info(f"Not a sentence of the training grammar ({exc}), so there is no reference translation to check "
                f"the alignment against; the model still translates it.")

t = ui.memo(lesson.translate_of, tuple(words))
out_rows = lesson.output_rows(t)
correct = pair is not None and t.out == list(pair.tgt)

st.markdown("**English:** " + " ".join(f"~~{w}~~ \u27e8unknown\u27e9" if u else w
                                      for w, u in zip(t.src, t.unknown)))
st.markdown(f"**Model's Spanish:** {' '.join(t.out) or '(nothing)'}")
if pair is not None:
    st.markdown(f"**Grammar's Spanish:** {' '.join(pair.tgt)} "
                + ("(the model's translation is exactly right)" if correct else
                   "(the model's translation differs)"))

# --------------------------------------------------------------------------------------- heatmap + stepping
st.subheader("Where the decoder looks at each output word")
n_steps = len(t.steps)
if st.session_state.get("att_step", 1) > n_steps:
    st.session_state["att_step"] = n_steps
step = st.slider("Decoding step", 1, max(n_steps, 2), key="att_step",
                 help="Move through the translation one output word at a time.") if n_steps > 1 else 1
k = step - 1
true_align = list(pair.align) + ([-1] if t.finished else []) if correct else None  # -1: the end marker
# side by side on a laptop; stacked on the projector, where the map needs the full width
left, right = ui.columns([3, 2])
with left:
    base = ui.memo(lesson.attention_spec_of, tuple(words), tuple(true_align) if true_align else None, ui.projector())
    st.vega_lite_chart(spec=sc.with_row_outline(base, k, n_steps, len(t.src)), width="stretch", theme=None)
    st.caption("Each row is one output word and sums to 1. Gold diamonds (top left of a cell) mark the grammar's "
               "true aligned word; gold boxes mark the crossing, where Spanish puts the adjective after the noun. "
               "The red box is the current step.")
with right:
    s = t.steps[k]
    written = " ".join(t.out[:k]) or "(nothing yet)"
    st.markdown(f"**Step {step} of {n_steps}.** Written so far: *{written}*. Next: **{out_rows[k]}** "
                f"(probability {s.prob:.2f}).")
    true_idx = pair.align[k] if correct and k < len(pair.align) else None
    ui.chart(ui.memo(lesson.weights_spec, tuple(float(w) for w in s.weights), tuple(t.src), true_idx,
                     f"Attention at step {step} (sum {s.weights.sum():.2f})", 240 if ui.projector() else 180,
                     ui.projector()))
    st.markdown(lesson.step_text(t, k))
    st.caption("Runners-up: " + ", ".join(f"{w} {p:.2f}" for w, p in s.top[1:]))

# ------------------------------------------------------------------------------------------ alignment scores
st.subheader("Alignment against the grammar")
al = rep.get(MODEL, {}).get("alignment")
numbers = lesson.Numbers(row_sums=(float(t.attention.sum(axis=1).min()), float(t.attention.sum(axis=1).max())),
                         n_steps=n_steps, n_src=len(t.src), n_unknown=sum(t.unknown), heldout=al,
                         unseen=ui.memo(lesson.unseen_words_of))
if pair is not None:
    attention = ui.memo(lesson.reference_attention_of, pair)
    table = lesson.word_alignment(pair, attention)
    sc_ = lesson.scores_of(table)
    c1, c2, c3 = st.columns(3)
    c1.metric("Content words aligned (this sentence)",
              f"{sc_.content_right / sc_.content_n:.0%}" if sc_.content_n else "-",
              f"{sc_.content_right} of {sc_.content_n}", delta_color="off")
    c2.metric("Function words aligned (this sentence)",
              f"{sc_.function_valid / sc_.function_n:.0%}" if sc_.function_n else "-",
              f"{sc_.function_valid} of {sc_.function_n}"
              + (f", {sc_.via_noun} article{'s' if sc_.via_noun > 1 else ''} via its noun" if sc_.via_noun else ""),
              delta_color="off", help="An article that looks at its own English determiner, or at the noun whose "
                                      "gender it must copy, counts as aligned.")
    if al:
        c3.metric("Content words aligned (held-out)", f"{al['content']:.1%}",
                  f"{al['n_content']:,} words", delta_color="off")
    st.dataframe(table.drop(columns=["valid"]).rename(columns={"pos": "part of speech", "match": "true word"}),
                 hide_index=True, width="stretch", height=min(38 + 35 * len(table), 400),
                 column_config={"weight": st.column_config.NumberColumn(format="%.2f")})
    ui.prose("Scored with the reference translation fed to the decoder (teacher forcing), so each row is the "
             "attention just before writing the correct word.")
    numbers.content = (sc_.content_right, sc_.content_n)
    numbers.articles = lesson.articles_of(table)
    numbers.crossing = lesson.crossing_of(pair, attention) if correct else None
ui.what_to_notice(lesson.notices(numbers))

ui.quiz("attention", [
    {"q": "What does one row of the attention map add up to?",
     "options": ["1: the weights are a distribution over source words", "The number of source words in the sentence",
                 "The probability of the output word"],
     "answer": 0, "why": "A softmax turns the scores of one decoding step into weights that sum to 1."},
    {"q": "Why does the map cross where Spanish has 'coche rojo' for 'red car'?",
     "options": ["The model made an error at that step", "Spanish puts the adjective after the noun",
                 "Attention always reads the source from right to left"],
     "answer": 1, "why": "Attention is free to look anywhere at every step, so it follows the target's word order: "
                         "first 'car', then 'red'."},
    {"q": "The model sees a word it never saw in training. What happens?",
     "options": ["It looks the word up in a built-in dictionary", "It guesses a translation from the spelling",
                 "It reads an unknown token and cannot translate it"],
     "answer": 2, "why": "Its vocabulary is fixed by its training data: a model is only as good as its data."},
])
ui.references([
    ("Bahdanau, Cho & Bengio (2014), Neural Machine Translation by Jointly Learning to Align and Translate",
     "https://arxiv.org/abs/1409.0473"),
    ("Olah & Carter (2016), Attention and Augmented Recurrent Neural Networks", "https://distill.pub/2016/augmented-rnns/"),
    ("Tunstall, von Werra & Wolf (2022), Natural Language Processing with Transformers, ch. 3", None),
    ("Huyen (2025), AI Engineering, ch. 2: Understanding Foundation Models", None),
])
ui.show_code(seq2seq_eval.translate, lesson.word_alignment, lesson.unseen_words_of, lesson.notices)
