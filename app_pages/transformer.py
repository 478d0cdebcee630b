"""The Transformer: the tiny GPT's self-attention for every layer and head, one head worked through by hand and
checked against the model, and where the parameters are. Computed by lib/lessons/transformer.py."""
import numpy as np
import pandas as pd
import streamlit as st

from lib import charts, ui
from lib.charts import lm as lmcharts
from lib.lessons import transformer as L
from lib.models.lm import CHECKPOINTS, show_token

PAGE = "tf"
STEPS = ["1. Q, K, V", "2. scores", "3. scale", "4. mask", "5. softmax"]
DEFAULTS = {"tf_prompt": "France lies in Europe. The capital of France is", "tf_checkpoint": "gpt_base",
            "tf_layer": 0, "tf_head": 0, "tf_layer_view": 0, "tf_step": STEPS[0]}
MAX_PROMPT = 300

ui.header("The Transformer",
          "Self-attention lets every token look back at the tokens before it and take a weighted mix of what they "
          "carry; the weights come from comparing a query with every key.")
ui.bind_url(DEFAULTS, options={"tf_checkpoint": list(CHECKPOINTS), "tf_step": STEPS},
            bounds={"tf_layer": (0, 47), "tf_head": (0, 63), "tf_layer_view": (0, 47)})

source = st.session_state.get("model_source", "embedded") or "embedded"
c1, c2 = st.columns([3, 1])
checkpoint = c2.selectbox("Checkpoint", list(CHECKPOINTS), key="tf_checkpoint", format_func=CHECKPOINTS.get,
                          disabled=source != "embedded")
raw = c1.text_area("Prompt", key="tf_prompt", height=90, max_chars=MAX_PROMPT * 2)
prompt = ui.clean_text(raw, MAX_PROMPT, label="prompt")
source = ui.hub_or_embedded(source, lambda: ui.cached_lm(source, checkpoint))
if not prompt.strip():
    st.info("Type a prompt to see the model's attention.")
    st.stop()
with ui.model_guard():
    am = ui.memo(L.maps, source, checkpoint, prompt)
    table, shape = ui.memo(L.breakdown, source, checkpoint)
n_layer, n_head, T, _ = am.weights.shape
tokens = [show_token(t) for t in am.tokens]
if T == L.MAX_TOKENS:
    st.caption(f"Only the last {L.MAX_TOKENS} tokens of the prompt are shown.")

# ------------------------------------------------------------------------------------------ 1. every layer and head
st.header("1. Every layer, every head")
for key, top in (("tf_layer_view", n_layer - 1), ("tf_layer", n_layer - 1), ("tf_head", n_head - 1)):
    if int(st.session_state.get(key, 0)) > top:  # e.g. after switching to a model with fewer layers
        st.session_state[key] = 0
ui.prose(f"Pick a layer; each map is one of its attention heads: row = the token doing the looking (the query), "
         f"column = a token it can look at (a key); darker means more attention. The white upper triangle is the "
         f"**causal mask**: a token never sees the future. This model has {n_layer} layers of {n_head} heads.")
layer_view = min(int(st.radio("Layer", list(range(n_layer)), horizontal=True, key="tf_layer_view",
                              format_func=lambda i: f"layer {i}")), n_layer - 1)
per_row = min(n_head, 2)
cell = max(8, min(30, 420 // max(T, 1)))
for start in range(0, n_head, per_row):
    for head, col in zip(range(start, min(n_head, start + per_row)), ui.columns(per_row)):
        with col:
            ui.chart(ui.memo(L.heatmap_spec, am, layer_view, head, cell, ui.projector()))
summary = pd.DataFrame(L.head_summary(am))
with st.expander("Where each head's last token looks"):
    ui.dataframe(summary)

# ------------------------------------------------------------------------------------------- 2. one head by hand
st.header("2. One head, worked through by hand")
h1, h2 = st.columns(2)
layer = int(h1.number_input("Layer", 0, n_layer - 1, key="tf_layer"))
head = int(h2.number_input("Head", 0, n_head - 1, key="tf_head"))
with ui.model_guard():
    wh = ui.memo(L.worked, source, checkpoint, prompt, layer, head)
d = wh.d_head
step = STEPS.index(st.radio("Step", STEPS, horizontal=True, key="tf_step"))
if step == 0:
    st.markdown(f"The layer's input (after its layer norm) is multiplied by three learned matrices. Each token "
                f"gets a **query** (what it is looking for), a **key** (what it offers) and a **value** (what it "
                f"passes on), each {d} numbers for this head. First 6 of the {d} columns:")
    for col, (m, letter) in zip(ui.columns(3), ((wh.q, "q"), (wh.k, "k"), (wh.v, "v"))):
        col.dataframe(L.matrix_frame(m[:, :6], wh.tokens, [f"{letter}{i}" for i in range(6)]))
else:
    text, title = {1: ("Scores = Q K\u1d40: the dot product of every query with every key (row: query, column: key).",
                       "q\u00b7k"),
                   2: (f"Divide by \u221ad = \u221a{d} = {np.sqrt(d):.2f}, so the softmax is not too peaked when d is "
                       f"large (Vaswani et al. 2017).", "q\u00b7k/\u221ad"),
                   3: ("Set every score above the diagonal to \u2212\u221e: a token may not attend to later tokens.",
                       "masked"),
                   4: ("Softmax of each row turns scores into weights that are positive and add up to 1 "
                       "(e\u207b\u221e = 0, so the future gets weight 0).", "weight")}[step]
    st.markdown(text)
    scale = {} if step == 4 else {"scheme": "blueorange", "domain": None}
    ui.chart(lmcharts.attention_heatmap(L.step_matrix(wh, step), tokens, cell=cell, value_title=title, legend=True,
                                        projector=ui.projector(), **scale))
ok = wh.max_abs_diff < 1e-4
(st.success if ok else st.error)(
    f"**Check.** Largest difference between our hand computation and the weights transformers returned for layer "
    f"{wh.layer}, head {wh.head}: **{wh.max_abs_diff:.1e}**" + (" (equal up to float rounding)." if ok else "."))
ui.prose("Each token's output is the weighted sum of the values, weights @ V; the heads' outputs are concatenated "
         "and projected back to the model's width.")

# ---------------------------------------------------------------------------------------------- 3. parameters
st.header("3. Where the parameters are")
total = int(table["parameters"].sum())
ui.chart(charts.bars([L.SHORT_PARTS.get(p, p) for p in table["part"]], table["parameters"].tolist(),
                     value_title="parameters", fmt=",.0f").properties(title=f"{total:,} parameters in all"))
st.caption(f"Counted from the model's own modules ({', '.join(f'{k} {v:,}' for k, v in shape.items())}); the output "
           f"layer shares the token embeddings, so they are counted once.")

biggest = table.sort_values("parameters", ascending=False).iloc[0]
strong_head, strong_key, strong_weight = L.strongest(am, layer_view)
split = ui.memo(L.start_word, source, checkpoint, prompt)
shown_split = (split[0], tuple(map(show_token, split[1])), tuple(map(show_token, split[2]))) if split else None
ui.what_to_notice(L.notices(layer_view, tokens[-1], tokens[strong_key], strong_head, strong_weight, wh.layer, wh.head,
                            d, wh.max_abs_diff, biggest["part"], int(biggest["parameters"]), total, shown_split))
ui.quiz(PAGE, [
    {"q": "Why are the attention maps white above the diagonal?",
     "options": ["Those weights round down to zero", "The causal mask hides later tokens",
                 "Those heads were pruned in training"], "answer": 1,
     "why": "A language model predicts the next token, so it must not see it: future scores are set to -\u221e."},
    {"q": "What are the scores divided by before the softmax?",
     "options": ["The number of tokens in the prompt", "\u221ad, the square root of the head size",
                 "The sampling temperature of the model"],
     "answer": 1, "why": "Scaled dot-product attention keeps the scores' spread independent of d."},
])
ui.references([
    ("Vaswani et al. 2017, Attention Is All You Need", "https://arxiv.org/abs/1706.03762"),
    ("Chip Huyen, AI Engineering (O'Reilly, 2025), chapter 2: the Transformer architecture", None),
    ("Radford et al. 2019, GPT-2 (Language Models are Unsupervised Multitask Learners)", None),
    ("transformers: GPT2LMHeadModel", "https://huggingface.co/docs/transformers/model_doc/gpt2"),
])
ui.show_code(L.attention_maps, L.worked_head, L.strongest, L.notices)
