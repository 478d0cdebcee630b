"""RNN unrolling: a character-level RNN, LSTM or GRU reads text one character per step; step through its hidden
state and predictions, and measure how the last state's gradient fades with distance (vanishing gradients)."""
import math

import numpy as np
import streamlit as st

from lib import charts, rnn_lab, ui
from lib.charts import sequence as sc
from lib.models.rnn import CELL_NAMES

CELLS = ["rnn", "lstm", "gru"]
MODEL_OF = {"rnn": "char_rnn", "lstm": "char_lstm", "gru": "char_gru"}
EXAMPLES = ["The capital of France is Paris. In Japan, people pay with the Japanese yen.",
            "The capital of France is Paris.",
            "In Japan, people pay with the Japanese yen.",
            "The currency of Kenya is the Kenyan shilling, and the capital of Peru is Lima."]
MAX_CHARS = 120
BACK = 20  # how far back the gradient summary looks
SEEDS = (0, 1, 2)  # untrained copies of each cell, averaged


@st.cache_data(show_spinner=False, max_entries=256)
def unroll(cell: str, text: str) -> rnn_lab.Unrolled:
    return rnn_lab.unroll(ui.cached_model(MODEL_OF[cell]), text)


@st.cache_data(show_spinner=False, max_entries=64)
def state_spec(cell: str, text: str, projector: bool) -> dict:
    """The hidden-state heatmap of (cell, text) as a finished Vega-Lite spec; each step only adds its outline."""
    u = unroll(cell, text)
    c = sc.state_map(u.states, [rnn_lab.show_char(ch) for ch in u.chars], height=300).properties(
        title=f"Hidden state: {u.states.shape[1]} units at each step", width="container")
    return sc.to_spec(charts.style(c, projector))


@st.cache_data(show_spinner="Computing gradients with autograd...", max_entries=128)
def gradients(text: str):
    return rnn_lab.gradient_table({c: ui.cached_model(MODEL_OF[c]) for c in CELLS}, text)


@st.cache_data(show_spinner="Computing gradients of untrained cells...", max_entries=128)
def untrained_gradients(text: str):
    return rnn_lab.untrained_gradient_table({c: ui.cached_model(MODEL_OF[c]) for c in CELLS}, text, SEEDS)


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

    labels = [rnn_lab.show_char(c) for c in u.chars]
    top1 = [rnn_lab.show_char(row[0]) for row in u.top_chars]
    st.markdown(f"**The {CELL_NAMES[cell]} unrolled: step {step} of {T}** (arrows carry the hidden state h; above "
                f"each cell, its top guess for the next character)")
    st.image(sc.unrolled(labels, top1, u.top_probs[:, 0], step=k, cell_label=CELL_NAMES[cell],
                         window=7 if ui.projector() else 9, projector=ui.projector()), width="stretch")

    left, right = st.columns([3, 2])
    with left:
        st.vega_lite_chart(spec=sc.with_step_outline(state_spec(cell, text, ui.projector()), k, T),
                           width="stretch", theme=None)
    with right:
        nxt = u.chars[k + 1] if k + 1 < T else None
        st.markdown(f"**Step {step}:** reads *{labels[k]}*. Text so far: `{''.join(u.chars[:step])}`")
        ui.chart(charts.bars([rnn_lab.show_char(c) for c in u.top_chars[k]], u.top_probs[k],
                             value_title="probability", domain=(0, 1),
                             height_per_bar=40 if ui.projector() else 34).properties(title="Next-character guesses"))
        st.markdown(f"- At step {step} the {CELL_NAMES[cell]} read *{labels[k]}* and its top guess for the next "
                    f"character is *{rnn_lab.show_char(u.top_chars[k][0])}* ({u.top_probs[k][0]:.0%})."
                    + (f" The real next character, *{rnn_lab.show_char(nxt)}*, got {u.next_prob[k]:.0%}."
                       if nxt is not None else " This is the last character."))
    if not full_run:
        ui.write_url()  # a fragment rerun skips app.py, which writes the URL after a full run


step_view()

# ------------------------------------------------------------------------------------------ vanishing gradients
st.subheader("How far back does the last state still look?")
ui.prose("Training an RNN sends the error back through every step of the chain (backpropagation through time). "
         "Below: the size of the gradient of the last hidden state with respect to each earlier input "
         "character, computed right now with autograd on your text, relative to the last character's. "
         "First for the three cells **before any training** (random weights, three seeds averaged): that shows "
         "the cells' own mechanics. Then for the **trained** models: that shows what training made of them.")
grads = gradients(text)
fresh = untrained_gradients(text)
ends = rnn_lab.sentence_ends(text)
back = min(BACK, len(text) - 1)
rate = rnn_lab.decay_rate(fresh)
fresh_at = rnn_lab.decay_summary(fresh, back)
decay = rnn_lab.decay_summary(grads, back)
g_left, g_right = (st.container(), st.container()) if ui.projector() else st.columns(2)
with g_left:
    ui.chart(sc.gradient_curves(fresh, points=len(text) <= 40).properties(
        height=300, title="Untrained cells (random weights)"))
    if rate:
        st.markdown("**Factor per step back** (untrained)")
    else:
        st.caption("A text of at least four characters gives enough steps to fit the factor per step.")
    for col, (name, (factor, _r2)) in zip(st.columns(len(rate)) if rate else [], rate.items()):
        col.metric(name, f"\u00d7{factor:.2f}",
                   help="The factor one step back multiplies the gradient by (slope of a straight line fitted to "
                        "the log of the curve).")
with g_right:
    ui.chart(sc.gradient_curves(grads, ends, points=len(text) <= 40).properties(
        height=300, title="Trained models" + (" (dashed: sentence end)" if ends else "")))
    st.markdown(f"**{back} steps back** (trained)")
    cols = st.columns(len(decay))
    for col, (name, value) in zip(cols, decay.items()):
        col.metric(name, f"{value:.1e}", help="Trained model: gradient norm relative to "
                                                                      "the last character's.")

# ------------------------------------------------------------------------------------------ what to notice
mean_p = float(np.mean(u.next_prob)) if len(u.next_prob) else float("nan")
order = sorted(rate, key=lambda c: rate[c][0])  # fastest decay first
r2 = math.floor(1000 * min((v[1] for v in rate.values()), default=0)) / 1000  # rounded down: "at least"
notice = [
    f"Whatever the text's length ({T} characters here), everything the {CELL_NAMES[cell]} remembers is the "
    f"{u.states.shape[1]} numbers of one column of the heatmap"
    + (f", plus the {u.states.shape[1]} of the LSTM's cell state c, which it keeps beside h (not drawn)."
       if cell == "lstm" else ".")
    + f" Across the whole text it gave the character that really came next an average probability of "
      f"**{mean_p:.2f}**.",
]
if rate:
    notice.append(
        "**Untrained**, each step back multiplies the gradient by a factor, on average "
        + ", ".join(f"\u00d7{rate[c][0]:.2f} for the {c}" for c in order)
        + (f". So the curves are straight lines on the log scale (a line fits each with R\u00b2 \u2265 {r2:.3f})"
           if r2 >= 0.98 else f". On a text this short the lines are rough (a line fits with R\u00b2 \u2265 {r2:.3f})")
        + f", and {back} steps back only "
        + ", ".join(f"{fresh_at[c]:.0e} ({c})" for c in order if c in fresh_at)
        + " is left. That is the vanishing gradient: "
        + (f"the {order[0]}, with no gates, fades fastest; the gated "
           f"{' and '.join(order[1:])} keep a larger factor per step through their additive path."
           if order[0] == CELL_NAMES["rnn"] else f"here the {order[0]} fades fastest."))
ranked = sorted(decay, key=decay.get, reverse=True)
if ranked:
    gain = {c: decay[c] / fresh_at[c] for c in ranked if fresh_at.get(c, 0) > 0}
    trained_line = (f"**Trained**, on this text, {back} steps back: "
                    + ", ".join(f"{c} {decay[c]:.1e}" for c in ranked) + ".")
    if gain and min(gain.values()) > 1:
        trained_line += (f" Every cell keeps more than untrained (at least {min(gain.values()):.0f} times "
                         f"more, the {min(gain, key=gain.get)}).")
    if ranked[0] == CELL_NAMES["rnn"] or ranked[-1] != CELL_NAMES["rnn"]:
        trained_line += (f" The textbook order does not hold here: the {ranked[0]} keeps the most and the "
                         f"{ranked[-1]} the least. Gates *can* carry a gradient further; whether they do "
                         f"depends on what training needed.")
    else:
        trained_line += f" The {ranked[-1]} keeps the least, as the textbook expects."
    notice.append(trained_line)
if ends:
    b = ends[0]  # the last sentence end before the final character
    cross = rnn_lab.across_boundary(grads, b)
    drops = {c: a / z for c, (a, z) in cross.items() if z > 0}
    summary = (f"averaged over the last sentence the gradient is "
               + ", ".join(f"{a:.0e}" for a, _ in cross.values())
               + ", before the full stop " + ", ".join(f"{z:.0e}" for _, z in cross.values())
               + f" ({', '.join(cross)})")
    if drops and min(drops.values()) >= 10:
        notice.append(f"The trained curves are not straight lines: they fall at the full stop {b} steps back "
                      f"(dashed): {summary}, at least {min(drops.values()):.0f} times less. These small models "
                      "learned from short, independent sentences, so they learned to forget at a sentence "
                      "boundary: nothing before it helped predict what came after.")
    else:
        notice.append(f"Across the full stop {b} steps back (dashed): {summary}. Not every cell drops there "
                      "by a factor of 10 or more on this text.")
else:
    notice.append("The trained curves are not straight lines: they stay high for part of the text and then drop. "
                  "These models learned from short, independent sentences; type two sentences (or pick the first "
                  "example) to see whether the drop falls at the full stop.")
ui.what_to_notice(notice)

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
ui.show_code(rnn_lab.unroll, rnn_lab.gradient_norms)
