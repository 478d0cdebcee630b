"""RNN unrolling: a character-level RNN, LSTM or GRU reads text one character per step; step through its hidden
state and predictions, and measure how the last state's gradient fades with distance (vanishing gradients)."""
import numpy as np
import streamlit as st

from lib import charts, rnn_lab, ui
from lib.charts import sequence as sc
from lib.models.rnn import CELL_NAMES

CELLS = ["rnn", "lstm", "gru"]
MODEL_OF = {"rnn": "char_rnn", "lstm": "char_lstm", "gru": "char_gru"}
EXAMPLES = ["The capital of France is Paris.",
            "In Japan, people pay with the Japanese yen.",
            "The currency of Kenya is the Kenyan shilling, and the capital of Peru is Lima."]
MAX_CHARS = 120
BACK = 20  # how far back the gradient summary looks


@st.cache_data(show_spinner=False, max_entries=256)
def unroll(cell: str, text: str) -> rnn_lab.Unrolled:
    return rnn_lab.unroll(ui.cached_model(MODEL_OF[cell]), text)


@st.cache_data(show_spinner="Computing gradients with autograd...", max_entries=128)
def gradients(text: str):
    return rnn_lab.gradient_table({c: ui.cached_model(MODEL_OF[c]) for c in CELLS}, text)


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
u = unroll(cell, text)
if any(u.unknown):
    missing = sorted({ch for ch, unk in zip(u.chars, u.unknown) if unk})
    st.warning(f"Never seen in the training text: {' '.join(missing)}. The model reads each as one "
               f"\u201cunknown\u201d character.")

# ------------------------------------------------------------------------------------------------ step control
T = u.steps
if st.session_state.get("rnn_step", 1) > T:
    st.session_state["rnn_step"] = T
b1, b2, b3, b4 = st.columns([1, 1, 1.3, 4.7], vertical_alignment="bottom")
b1.button("\u25c0 Back", key="rnn_back", on_click=move, args=(-1, T), width="stretch")
b2.button("Next \u25b6", key="rnn_next", on_click=move, args=(1, T), width="stretch")
playing = b3.toggle("Play", key="rnn_play", help="Advance one step every half second.")
step = b4.slider("Time step", 1, T, key="rnn_step")
k = step - 1


@st.fragment(run_every=0.6 if playing else None)
def player() -> None:
    """While Play is on, move one step forward every tick and redraw the page; stop at the end."""
    if st.session_state.pop("_rnn_full_run", False) or not st.session_state.get("rnn_play"):
        return  # a full run has just drawn the page (and its slider): only timer ticks move the step
    current = st.session_state.get("rnn_step", 1)
    if current >= T:
        st.session_state["rnn_play"] = False
    else:
        st.session_state["rnn_step"] = current + 1
    st.rerun()


if playing:
    st.session_state["_rnn_full_run"] = True
    player()

labels = [rnn_lab.show_char(c) for c in u.chars]
top1 = [rnn_lab.show_char(row[0]) for row in u.top_chars]
st.markdown(f"**The {CELL_NAMES[cell]} unrolled: step {step} of {T}** (arrows carry the hidden state h; above "
            f"each cell, its top guess for the next character)")
st.image(sc.unrolled(labels, top1, u.top_probs[:, 0], step=k, cell_label=CELL_NAMES[cell],
                     window=7 if ui.projector() else 9, projector=ui.projector()), width="stretch")

left, right = st.columns([3, 2])
with left:
    ui.chart(sc.state_map(u.states, labels, step=k, height=300).properties(
        title=f"Hidden state: {u.states.shape[1]} units at each step"))
with right:
    nxt = u.chars[k + 1] if k + 1 < T else None
    st.markdown(f"**Step {step}:** reads *{labels[k]}*. Text so far: `{''.join(u.chars[:step])}`")
    ui.chart(charts.bars([rnn_lab.show_char(c) for c in u.top_chars[k]], u.top_probs[k], value_title="probability",
                         domain=(0, 1), height_per_bar=40 if ui.projector() else 34).properties(
        title="Next-character guesses"))
    if nxt is not None:
        st.markdown(f"The next character really is *{rnn_lab.show_char(nxt)}*: the model gave it "
                    f"**{u.next_prob[k]:.2f}**.")

# ------------------------------------------------------------------------------------------ vanishing gradients
st.subheader("How far back does the last state still look?")
ui.prose("Training an RNN sends the error back through every step of the chain (backpropagation through time). "
         "Below: the size of the gradient of the last hidden state with respect to each earlier input "
         "character, computed right now with autograd on your text, for all three cells, relative to the last "
         "character's. Every step back multiplies it by one more factor (the recurrent weights times the "
         "slopes of the activations), so it shrinks, or grows, geometrically: a roughly straight line on this "
         "log scale. The LSTM and GRU add gates and an additive path that *can* carry it further, when "
         "training found that useful; these models learned from short, independent sentences, so all three "
         "also learned to forget, and the curves show how fast.")
grads = gradients(text)
ui.chart(charts.curves(grads, "steps back", "relative to last", "cell", x_title="steps back from the last character",
                       y_title="gradient (relative, log)", log_y=True, points=len(text) <= 40,
                       fmt=".2e").properties(height=320))
back = min(BACK, len(text) - 1)
decay = rnn_lab.decay_summary(grads, back)
cols = st.columns(len(decay))
for col, (name, value) in zip(cols, decay.items()):
    col.metric(f"{name}: {back} steps back", f"{value:.1e}", help="Gradient norm relative to the last character's.")

# ------------------------------------------------------------------------------------------ what to notice
mean_p = float(np.mean(u.next_prob)) if len(u.next_prob) else float("nan")
best = max(decay, key=decay.get)
worst = min(decay, key=decay.get)
notice = [
    f"At step {step} the {CELL_NAMES[cell]} read *{labels[k]}* and its top guess for the next character is "
    f"*{rnn_lab.show_char(u.top_chars[k][0])}* ({u.top_probs[k][0]:.0%})."
    + (f" The real next character got {u.next_prob[k]:.0%}." if k + 1 < T else ""),
    f"Whatever the text's length ({T} characters here), everything the model remembers is the "
    f"{u.states.shape[1]} numbers of one column of the heatmap"
    + (f", plus the {u.states.shape[1]} of the LSTM's cell state c, which it keeps beside h (not drawn)."
       if cell == "lstm" else "."),
    f"Across the whole text the {CELL_NAMES[cell]} gave the character that really came next an average "
    f"probability of **{mean_p:.2f}**.",
    f"{back} characters back, the gradient is **{decay[worst]:.1e}** of the last step's for the {worst} and "
    f"**{decay[best]:.1e}** for the {best}"
    + (f" ({decay[best] / decay[worst]:.0f} times larger)." if decay[worst] > 0 else ".")
    + (" Either way it is far below 1: what the model read that far back barely changes its state now, and "
       "training barely learns from it. That is the vanishing gradient." if decay[best] < 0.1 else
       f" For the {best} it is still sizeable on this text: its state still depends on what came {back} "
       f"characters earlier. Try a longer text to watch it fade."),
]
if T - 1 > back:
    far = rnn_lab.decay_summary(grads, T - 1)
    notice.append(f"At the very first character, {T - 1} steps back: "
                  + ", ".join(f"{name} {value:.1e}" for name, value in far.items())
                  + ": on average each step back multiplied the gradient by "
                  + ", ".join(f"{value ** (1 / (T - 1)):.2f} ({name})" for name, value in far.items() if value > 0)
                  + ".")
ui.what_to_notice(notice)

ui.quiz("rnn", [
    {"q": "In an unrolled RNN, how many sets of weights are there?",
     "options": ["One per time step", "One, shared by every step", "One per character of the vocabulary"],
     "answer": 1, "why": "Unrolling copies the same cell at every step; the weights are shared."},
    {"q": "What carries information from step 10 to step 11?",
     "options": ["The hidden state", "The input character", "The prediction at step 10"],
     "answer": 0, "why": "The hidden state is the only thing passed along the chain."},
    {"q": "Why does the gradient reaching an early character get so small?",
     "options": ["The hidden state is reset every 10 steps",
                 "It is multiplied by one factor per step back, and factors below 1 compound geometrically",
                 "Early characters are less frequent in the training text"],
     "answer": 1, "why": "Backpropagation through time multiplies one Jacobian per step. LSTM and GRU gates "
                         "can keep that product near 1 when training needs a long memory (and can also "
                         "learn to forget on purpose)."},
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
ui.show_code(rnn_lab.unroll, rnn_lab.gradient_norms)
