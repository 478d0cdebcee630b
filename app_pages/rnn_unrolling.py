"""RNN unrolling: a character-level RNN, LSTM or GRU reads text one character per step; step through its hidden
state and predictions, and measure how the last state's gradient fades with distance (vanishing gradients)."""
import streamlit as st

from lib import ui
from lib.charts import sequence as sc
from lib.lessons import rnn_unrolling as lesson
from lib.lessons.rnn_unrolling import CELLS, MODEL_OF, show_char
from lib.models.rnn import CELL_NAMES

EXAMPLES = ["The capital of France is Paris. In Japan, people pay with the Japanese yen.",
            "The capital of France is Paris.",
            "In Japan, people pay with the Japanese yen.",
            "The currency of Kenya is the Kenyan shilling, and the capital of Peru is Lima."]
MAX_CHARS = 120


def pick_example() -> None:
    st.session_state["rnn_text"] = st.session_state["rnn_example"]
    st.session_state["rnn_step"] = 1


def move(delta: int, n: int) -> None:
    st.session_state["rnn_step"] = int(min(max(st.session_state.get("rnn_step", 1) + delta, 1), n))


ui.header("RNN unrolling",
          "A recurrent network reads a sequence one step at a time and carries everything it knows in one hidden "
          "state, and the further back an input is, the less the last state still depends on it.")
ui.prose("Three small character-level models of this project (a vanilla RNN, an LSTM and a GRU, 64 hidden units "
         "each) were trained on the same fact-world text to predict the next character. At every step the same "
         "cell, with the same weights, reads one character and the previous hidden state and writes a new hidden "
         "state. Drawing one copy of the cell per step is called unrolling the network in time.")
ui.bind_url({"rnn_text": EXAMPLES[0], "rnn_cell": "lstm", "rnn_step": 1},
            options={"rnn_cell": CELLS}, bounds={"rnn_step": (1, MAX_CHARS)})

with ui.model_guard():
    for c in CELLS:
        ui.cached_model(MODEL_OF[c])

if ui.projector():  # large type: the cell choice gets its own row
    c1, c2 = st.columns([3, 2])
    c3 = st.container()
else:
    c1, c2, c3 = st.columns([3, 2, 2.6])
raw = c1.text_input("Text for the model to read", key="rnn_text", max_chars=MAX_CHARS)
c2.selectbox("Or pick an example", EXAMPLES, index=None, key="rnn_example", on_change=pick_example,
             placeholder="Examples...")
cell = c3.radio("Cell", CELLS, key="rnn_cell", format_func=CELL_NAMES.get, horizontal=True)
text = ui.clean_text(raw, MAX_CHARS, "text")
if len(text) < 2:
    st.info("Type at least two characters for the model to read, for example *The capital of France is Paris.*")
    st.stop()
u = ui.memo(lesson.unroll_of, cell, text)
if note := lesson.unknown_note(u):
    st.warning(note)

# ------------------------------------------------------------------------------------------------ step control
T = u.steps
if st.session_state.get("rnn_step", 1) > T:
    st.session_state["rnn_step"] = T
playing_now = bool(st.session_state.get("rnn_play"))
st.session_state["_rnn_full_run"] = True


@st.fragment(run_every=0.6 if playing_now else None)
def step_view() -> None:
    """Everything that depends on the time step: a step change reruns only this part of the page. While Play is
    on, each timer tick moves one step forward; at the end Play switches off."""
    full_run = st.session_state.pop("_rnn_full_run", False)
    if playing_now and not full_run:
        if st.session_state.get("rnn_step", 1) >= T:
            st.session_state["rnn_play"] = False
            st.rerun()  # the whole page: the timer stops
        st.session_state["rnn_step"] = st.session_state.get("rnn_step", 1) + 1
    b1, b2, b3, b4 = st.columns([1, 1, 1.3, 4.7], vertical_alignment="bottom")
    b1.button("\u25c0 Back", key="rnn_back", on_click=move, args=(-1, T), width="stretch")
    b2.button("Next \u25b6", key="rnn_next", on_click=move, args=(1, T), width="stretch")
    if b3.toggle("Play", key="rnn_play", help="Advance one step every half second.") != playing_now:
        st.rerun()  # the whole page: start or stop the timer
    step = b4.slider("Time step", 1, T, key="rnn_step")
    k = step - 1

    labels = [show_char(c) for c in u.chars]
    top1 = [show_char(row[0]) for row in u.top_chars]
    st.markdown(f"**The {CELL_NAMES[cell]} unrolled: step {step} of {T}** (arrows carry the hidden state h; above "
                f"each cell, its top guess for the next character)")
    st.image(sc.unrolled(labels, top1, u.top_probs[:, 0], step=k, cell_label=CELL_NAMES[cell],
                         window=7 if ui.projector() else 9, projector=ui.projector()), width="stretch")

    left, right = st.columns([3, 2])
    with left:
        st.vega_lite_chart(spec=sc.with_step_outline(ui.memo(lesson.state_spec_of, cell, text, ui.projector()), k, T),
                           width="stretch", theme=None)
    with right:
        st.markdown(f"**Step {step}:** reads *{labels[k]}*. Text so far: `{''.join(u.chars[:step])}`")
        ui.chart(ui.memo(lesson.next_char_spec, tuple(show_char(c) for c in u.top_chars[k]),
                         tuple(float(p) for p in u.top_probs[k]), 40 if ui.projector() else 34, ui.projector()))
        st.markdown(f"- {lesson.step_note(cell, u, k)}")
    ui.write_url(fragment=True)  # a fragment rerun skips app.py, which writes the URL after a full run


step_view()

# ------------------------------------------------------------------------------------------ vanishing gradients
st.subheader("How far back does the last state still look?")
ui.prose("Training an RNN sends the error back through every step of the chain (backpropagation through time). "
         "Below: the size of the gradient of the last hidden state with respect to each earlier input "
         "character, computed right now with autograd on your text, relative to the last character's. "
         "First for the three cells **before any training** (random weights, three seeds averaged): that shows "
         "the cells' own mechanics. Then for the **trained** models: that shows what training made of them.")
with st.spinner("Computing gradients with autograd, of the trained and of untrained cells..."):
    gv = ui.memo(lesson.gradient_view_of, text)  # tables, summary and finished charts, once per text
grads, fresh, g = gv.trained, gv.untrained, gv.summary
g_left, g_right = ui.columns(2)
with g_left:
    ui.chart(gv.specs[ui.projector()][0])
    if g.rate:
        st.markdown("**Factor per step back** (untrained)")
    else:
        st.caption("A text of at least four characters gives enough steps to fit the factor per step.")
    for col, (name, (factor, _r2)) in zip(st.columns(len(g.rate)) if g.rate else [], g.rate.items()):
        col.metric(name, f"\u00d7{factor:.2f}",
                   help="The factor one step back multiplies the gradient by (slope of a straight line fitted to "
                        "the log of the curve).")
with g_right:
    ui.chart(gv.specs[ui.projector()][1])
    st.markdown(f"**{g.back} steps back** (trained)")
    for col, (name, value) in zip(st.columns(len(g.trained_at)), g.trained_at.items()):
        col.metric(name, f"{value:.1e}", help="Trained model: gradient norm relative to the last character's.")

ui.what_to_notice(lesson.notices(cell, T, u.states.shape[1], lesson.mean_next_prob(u), g))

ui.quiz("rnn", [
    {"q": "In an unrolled RNN, how many sets of weights are there?",
     "options": ["One set per time step, copied as the text grows", "One set, shared by every time step",
                 "One set per character of the vocabulary"],
     "answer": 1, "why": "Unrolling draws a copy of the same cell at every step; the weights are shared."},
    {"q": "What carries information from step 10 to step 11?",
     "options": ["The hidden state written at step 10", "The input character read at step 10",
                 "The top prediction made at step 10"],
     "answer": 0, "why": "The hidden state is the only thing passed along the chain."},
    {"q": "Why is the untrained vanilla RNN's curve a straight line on the log scale?",
     "options": ["Each step back subtracts a similar amount from it",
                 "Each step back multiplies it by a similar factor",
                 "Its hidden state is reset to zero every few steps"],
     "answer": 1, "why": "Backpropagation through time multiplies one Jacobian per step; a constant factor below "
                         "1 is a geometric decay, which a log scale draws as a straight line."},
    {"q": "Why do the trained models here keep so little from before a full stop?",
     "options": ["A full stop resets every cell's hidden state by design",
                 "Their training sentences were short and independent",
                 "Gates can only stay open for about twenty steps"],
     "answer": 1, "why": "Nothing before a sentence boundary helped predict what came after, so training taught "
                         "all three cells to forget there; gates make a long memory possible, not automatic."},
])
ui.references([
    ("Olah (2015), Understanding LSTM Networks", "https://colah.github.io/posts/2015-08-Understanding-LSTMs/"),
    ("Karpathy (2015), The Unreasonable Effectiveness of Recurrent Neural Networks",
     "https://karpathy.github.io/2015/05/21/rnn-effectiveness/"),
    ("Bengio, Simard & Frasconi (1994), Learning long-term dependencies with gradient descent is difficult", None),
    ("Hochreiter & Schmidhuber (1997), Long Short-Term Memory", None),
    ("Tunstall, von Werra & Wolf (2022), Natural Language Processing with Transformers, ch. 3", None),
    ("Huyen (2025), AI Engineering, ch. 2: Understanding Foundation Models", None),
])
ui.show_code(lesson.unroll, lesson.gradient_norms, lesson.decay_rate, lesson.summarize, lesson.notices)
