"""The Transformer: the tiny GPT's self-attention for every layer and head, one head worked through by hand and
checked against the model, and where the parameters are."""
import numpy as np
import pandas as pd
import streamlit as st

from lib import attention_lab, charts, lm_lab, ui
from lib.charts import lm as lmcharts

PAGE = "tf"
DEFAULTS = {"tf_prompt": "France lies in Europe. The capital of France is", "tf_checkpoint": "gpt_base",
            "tf_layer": 0, "tf_head": 0, "tf_layer_view": 0}
MAX_PROMPT = 300
MAX_TOKENS = 24


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def get_model(source: str, checkpoint: str):
    from lib.models import registry

    return registry.load_lm(source, checkpoint)


@st.cache_data(show_spinner="Running the model...", max_entries=128)
def maps(source: str, checkpoint: str, prompt: str) -> attention_lab.AttentionMaps:
    return attention_lab.attention_maps(get_model(source, checkpoint), prompt, MAX_TOKENS)


@st.cache_data(show_spinner=False, max_entries=256)
def worked(source: str, checkpoint: str, prompt: str, layer: int, head: int) -> attention_lab.WorkedHead:
    return attention_lab.worked_head(get_model(source, checkpoint), prompt, layer, head, MAX_TOKENS)


@st.cache_data(show_spinner=False, max_entries=128)
def start_word(source: str, checkpoint: str, prompt: str):
    return attention_lab.start_word_tokens(get_model(source, checkpoint), prompt)


@st.cache_data(show_spinner=False, max_entries=512)
def heatmap_spec(source: str, checkpoint: str, prompt: str, layer: int, head: int, cell: int, projector: bool) -> dict:
    am = maps(source, checkpoint, prompt)
    T = am.weights.shape[2]
    w = am.weights[layer, head].copy()
    w[np.triu_indices(T, 1)] = np.nan  # masked: drawn blank
    tokens = [lm_lab.show_token(t) for t in am.tokens]
    return lmcharts.finished_spec(lmcharts.attention_heatmap(w, tokens, cell=cell, title=f"layer {layer}, head {head}",
                                                             projector=projector), projector)


SHORT_PARTS = {"token embeddings (shared with the output layer)": "token embeddings",
               "attention (Q, K, V, output projection)": "attention (Q, K, V, out)"}


@st.cache_data(show_spinner=False, max_entries=8)
def breakdown(source: str, checkpoint: str) -> tuple[pd.DataFrame, dict]:
    from lib.models import lm

    model = get_model(source, checkpoint).model
    parts = lm.parameter_breakdown(model)
    cfg = model.config
    shape = {"layers": cfg.n_layer, "width": cfg.n_embd, "heads": cfg.n_head, "vocabulary": cfg.vocab_size,
             "context": cfg.n_positions}
    return pd.DataFrame(parts, columns=["part", "parameters"]), shape


def matrix_frame(m: np.ndarray, rows, cols) -> pd.DataFrame:
    return pd.DataFrame(np.round(m, 3), index=[lm_lab.show_token(r) for r in rows], columns=list(cols))


def table_height(n_rows: int) -> int:
    """Enough height for every row, also in projector mode where the rows are taller (no overlap with what follows)."""
    return (n_rows + 1) * (52 if ui.projector() else 36) + 4


# ------------------------------------------------------------------------------------------------------------ page
ui.header("The Transformer",
          "Self-attention lets every token look back at the tokens before it and take a weighted mix of what they "
          "carry; the weights come from comparing a query with every key.")
ui.bind_url(DEFAULTS, options={"tf_checkpoint": list(lm_lab.CHECKPOINTS)},
            bounds={"tf_layer": (0, 47), "tf_head": (0, 63), "tf_layer_view": (0, 47)})

source = st.session_state.get("model_source", "embedded") or "embedded"
c1, c2 = st.columns([3, 1])
with c2:
    checkpoint = st.selectbox("Checkpoint", list(lm_lab.CHECKPOINTS), key="tf_checkpoint",
                              format_func=lambda k: lm_lab.CHECKPOINTS[k], disabled=source != "embedded")
with c1:
    raw = st.text_area("Prompt", key="tf_prompt", height=90, max_chars=MAX_PROMPT * 2)
prompt = ui.clean_text(raw, MAX_PROMPT, label="prompt")
source = ui.hub_or_embedded(source, lambda: get_model(source, checkpoint))
if not prompt.strip():
    st.info("Type a prompt to see the model's attention.")
    st.stop()

with ui.model_guard():
    am = maps(source, checkpoint, prompt)
    table, shape = breakdown(source, checkpoint)
L, H, T, _ = am.weights.shape
tokens = [lm_lab.show_token(t) for t in am.tokens]
if T == MAX_TOKENS:
    st.caption(f"Only the last {MAX_TOKENS} tokens of the prompt are shown.")

# ------------------------------------------------------------------------------------------ 1. every layer and head
st.header("1. Every layer, every head")
for key, top in (("tf_layer_view", L - 1), ("tf_layer", L - 1), ("tf_head", H - 1)):
    if int(st.session_state.get(key, 0)) > top:  # e.g. after switching to a model with fewer layers
        st.session_state[key] = 0
ui.prose(f"Pick a layer; each map is one of its attention heads: row = the token doing the looking (the query), "
         f"column = a token it can look at (a key); darker means more attention. The white upper triangle is the "
         f"**causal mask**: a token never sees the future. This model has {L} layers of {H} heads.")
layer_view = st.radio("Layer", list(range(L)), horizontal=True, key="tf_layer_view",
                      format_func=lambda i: f"layer {i}")
layer_view = min(int(layer_view), L - 1)
per_row = min(H, 2)
cell = max(8, min(30, 420 // max(T, 1)))
for start in range(0, H, per_row):
    cols = st.columns(per_row)
    for head in range(start, min(H, start + per_row)):
        with cols[head - start]:
            st.vega_lite_chart(heatmap_spec(source, checkpoint, prompt, layer_view, head, cell, ui.projector()),
                               width="stretch", theme=None)
summary = pd.DataFrame(attention_lab.head_summary(am))
with st.expander("Where each head's last token looks"):
    st.dataframe(summary, hide_index=True, width="stretch", height=table_height(len(summary)))

# ------------------------------------------------------------------------------------------- 2. one head by hand
st.header("2. One head, worked through by hand")
h1, h2 = st.columns(2)
layer = h1.number_input("Layer", 0, L - 1, key="tf_layer")
head = h2.number_input("Head", 0, H - 1, key="tf_head")
with ui.model_guard():
    wh = worked(source, checkpoint, prompt, int(layer), int(head))
d = wh.d_head
STEPS = ["1. Q, K, V", "2. scores", "3. scale", "4. mask", "5. softmax"]
step = st.radio("Step", STEPS, horizontal=True, key="tf_step")
if step == STEPS[0]:
    st.markdown(f"The layer's input (after its layer norm) is multiplied by three learned matrices. Each token "
                f"gets a **query** (what it is looking for), a **key** (what it offers) and a **value** (what it "
                f"passes on), each {d} numbers for this head. First 6 of the {d} columns:")
    q1, q2, q3 = st.columns(3)
    q1.dataframe(matrix_frame(wh.q[:, :6], wh.tokens, [f"q{i}" for i in range(6)]))
    q2.dataframe(matrix_frame(wh.k[:, :6], wh.tokens, [f"k{i}" for i in range(6)]))
    q3.dataframe(matrix_frame(wh.v[:, :6], wh.tokens, [f"v{i}" for i in range(6)]))
elif step == STEPS[1]:
    st.markdown("Scores = Q K\u1d40: the dot product of every query with every key (row: query, column: key).")
    ui.chart(lmcharts.attention_heatmap(wh.scores, tokens, cell=cell, value_title="q\u00b7k", scheme="blueorange",
                                        domain=None, legend=True, projector=ui.projector()))
elif step == STEPS[2]:
    st.markdown(f"Divide by \u221ad = \u221a{d} = {np.sqrt(d):.2f}, so the softmax is not too peaked when d is "
                f"large (Vaswani et al. 2017).")
    ui.chart(lmcharts.attention_heatmap(wh.scaled, tokens, cell=cell, value_title="q\u00b7k/\u221ad",
                                        scheme="blueorange", domain=None, legend=True, projector=ui.projector()))
elif step == STEPS[3]:
    st.markdown("Set every score above the diagonal to \u2212\u221e: a token may not attend to later tokens.")
    shown = np.where(np.isneginf(wh.masked), np.nan, wh.masked)
    ui.chart(lmcharts.attention_heatmap(shown, tokens, cell=cell, value_title="masked", scheme="blueorange",
                                        domain=None, legend=True, projector=ui.projector()))
else:
    st.markdown("Softmax of each row turns scores into weights that are positive and add up to 1 "
                "(e\u207b\u221e = 0, so the future gets weight 0).")
    ui.chart(lmcharts.attention_heatmap(np.where(np.triu(np.ones((T, T)), 1) > 0, np.nan, wh.weights), tokens,
                                        cell=cell, legend=True, projector=ui.projector()))
ok = wh.max_abs_diff < 1e-4
(st.success if ok else st.error)(
    f"**Check.** Largest difference between our hand computation and the weights transformers returned for layer "
    f"{wh.layer}, head {wh.head}: **{wh.max_abs_diff:.1e}**" + (" (equal up to float rounding)." if ok else "."))
ui.prose("Each token's output is the weighted sum of the values, weights @ V; the heads' outputs are concatenated "
         "and projected back to the model's width.")
ui.show_code(attention_lab.worked_head)

# ---------------------------------------------------------------------------------------------- 3. parameters
st.header("3. Where the parameters are")
total = int(table["parameters"].sum())
ui.chart(charts.bars([SHORT_PARTS.get(p, p) for p in table["part"]], table["parameters"].tolist(),
                     value_title="parameters", fmt=",.0f")
         .properties(title=f"{total:,} parameters in all"))
shape_text = ", ".join(f"{k} {v:,}" for k, v in shape.items())
st.caption(f"Counted from the model's own modules ({shape_text}); the output layer shares the token embeddings, so "
           f"they are counted once.")

biggest = table.sort_values("parameters", ascending=False).iloc[0]
shown_layer = am.weights[layer_view, :, -1, :]            # H, T: the last token's row in every head of the shown layer
strong_head, strong_key = np.unravel_index(np.argmax(shown_layer), shown_layer.shape)
points = [
    f"In the layer shown above (layer {layer_view}), the last token, `{tokens[-1]}`, attends most strongly (weight "
    f"{shown_layer.max():.2f}) to `{tokens[strong_key]}` in head {strong_head}.",
    f"Our step-by-step softmax(QK\u1d40/\u221a{d} + mask) for layer {wh.layer}, head {wh.head} matches the model's own "
    f"weights to {wh.max_abs_diff:.1e}: nothing else happens inside a head.",
    f"The largest part of this model is **{SHORT_PARTS.get(biggest['part'], biggest['part'])}** "
    f"({int(biggest['parameters']):,} of {total:,}, {biggest['parameters'] / total:.0%}).",
]
split = start_word(source, checkpoint, prompt)
if split and split[1] != split[2]:
    word, at_start, with_space = split
    points.insert(0, f"\u201c{word}\u201d at the start of the prompt is "
                     + " + ".join(f"`{lm_lab.show_token(t)}`" for t in at_start)
                     + ", but after a space it is " + " + ".join(f"`{lm_lab.show_token(t)}`" for t in with_space)
                     + ": BPE tokens include the space before a word (shown as `\u00b7`), and the first word of a "
                       "text has none, so it is a different, rarer string that splits into more pieces.")
ui.what_to_notice(points)
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
