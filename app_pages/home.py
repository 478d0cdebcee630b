"""Home: from machine learning to foundation models. Imports no torch, pandas or Altair, so it opens fast (issue 12)."""
import streamlit as st

from lib import site, ui
from lib.lessons import home as L

ui.header("From machine learning to foundation models",
          "Two ideas turned small task-specific networks into today's foundation models: attention, which lets a "
          "model look back at any part of its input, and transfer learning, which pre-trains one model on vast "
          "unlabelled text and then adapts it.")

# ------------------------------------------------------------------------------------------------------ agenda
st.subheader("The lecture")
by_section = site.pages_by_section()
if by_section:
    cols = st.columns(len(by_section))
    for col, (section, infos) in zip(cols, by_section.items()):
        with col:
            st.markdown(f"**{section}**")
            for info in infos:
                st.page_link(info.path, label=info.title, icon=info.icon)
                ui.prose(info.summary)
else:
    st.info("The topic pages are not installed yet; the timeline below works on its own.")

# ----------------------------------------------------------------------------------------- the two innovations
left, right = st.columns(2)
with left:
    st.markdown("#### Attention")
    st.markdown("A recurrent network reads a sentence one word at a time and squeezes everything it has read into "
                "one fixed-size vector. Attention (Bahdanau et al., 2014) lets the decoder look back at *every* input "
                "position and weigh them afresh for each output word. The Transformer (2017) kept only attention, so "
                "all positions are processed at once instead of one after another.")
with right:
    st.markdown("#### Transfer learning")
    st.markdown("Labelled data is scarce, but text is everywhere. Pre-train a model to predict the next word on a "
                "huge corpus (self-supervision: the text is its own label), then adapt it to a task with little "
                "data (ULMFiT, GPT, BERT, 2018). Scale that up and one model serves many tasks: a foundation model.")
ui.prose("The pages that follow show each step with models this project trained on a laptop-sized corpus: the "
         "recurrent loop and its bottleneck, attention fixing it, where web-scale training data comes from, how "
         "post-training turns a text predictor into an assistant, and why sampling makes models both creative and "
         "wrong.")

# ---------------------------------------------------------------------------------------------------- timeline
st.subheader("A timeline of key models")
families = ui.memo(L.families)
names = ui.memo(L.sized_models)
ui.bind_url({"home_a": "GPT", "home_b": "GPT-3", "home_families": list(families)},
            options={"home_a": names, "home_b": names, "home_families": families})
ui.chart(ui.memo(L.milestones_chart, ui.projector()))
ui.prose("The recurrent networks came first: the LSTM (1997) kept a memory across long sequences, seq2seq (2014) "
         "put two of them together to translate, and attention (2014) let the decoder look back at every input "
         "word. The Transformer (2017) kept only attention. The chart below follows the models' size from there.")
chosen = st.multiselect("Architecture families shown", families, key="home_families")
if not chosen:
    st.warning("Pick at least one architecture family to draw the timeline.")
else:
    ui.chart(ui.memo(L.timeline_chart, tuple(chosen), ui.projector()))
    ui.prose("Parameters are on a log scale: each horizontal grid line is ten times the one below. Hover a dot for its "
             "training data and source; click a family in the legend to highlight it.")

c1, c2 = st.columns(2)
a = c1.selectbox("Compare", names, key="home_a")
b = c2.selectbox("with", names, key="home_b")
cmp = ui.memo(L.compare, a, b)
m1, m2, m3 = st.columns(3)
m1.metric(f"{a}: parameters", L.human(cmp.params_a), cmp.date_a, delta_color="off")
m2.metric(f"{b}: parameters", L.human(cmp.params_b), cmp.date_b, delta_color="off")
m3.metric("Ratio", L.times(cmp.ratio), f"{cmp.months:+d} months", delta_color="off")

with st.expander("The data behind the timeline, with sources"):
    with st.container(height=420 if not ui.projector() else 520):  # 18 rows with sources: scrolled inside
        st.markdown(ui.memo(L.table_markdown))

ui.what_to_notice(L.notices(cmp, ui.memo(L.summary)))

ui.quiz("home", [
    {"q": "What did attention change about how a decoder uses its input?",
     "options": ["It squeezes the whole input into one fixed-size vector first",
                 "It weighs every input position afresh for each word it writes",
                 "It stores the input in a larger hidden state than before",
                 "It skips the encoder and reads the raw words directly"],
     "answer": 1,
     "why": "Without attention the decoder sees only one summary vector; with it, it weighs all encoder states "
            "anew for each word it writes."},
    {"q": "Why is pre-training on raw text called self-supervised?",
     "options": ["Annotators label a small sample and the model labels the rest",
                 "The model grades its own outputs as right or wrong",
                 "The next word of the text serves as the label",
                 "It is trained without any loss function at all"],
     "answer": 2,
     "why": "Predicting the next token turns any text into (input, label) pairs for free: no human labelling."},
    {"q": "By Chinchilla's rule of thumb, about how many training tokens suit a 70 B-parameter model?",
     "options": ["70 B", "300 B", "1.4 T", "15 T"], "answer": 2,
     "why": "About 20 tokens per parameter: 20 x 70 B = 1.4 T, which is what Chinchilla was trained on."},
])

ui.references([
    ("Chip Huyen, *AI Engineering*, chapter 2: Understanding Foundation Models (O'Reilly, 2025)", None),
    ("Bahdanau, Cho & Bengio, Neural Machine Translation by Jointly Learning to Align and Translate, 2014",
     "https://arxiv.org/abs/1409.0473"),
    ("Vaswani et al., Attention Is All You Need, 2017", "https://arxiv.org/abs/1706.03762"),
    ("Howard & Ruder, Universal Language Model Fine-tuning for Text Classification, 2018",
     "https://arxiv.org/abs/1801.06146"),
    ("Hoffmann et al., Training Compute-Optimal Large Language Models, 2022", "https://arxiv.org/abs/2203.15556"),
])
ui.show_code(L.compare, L.parameter_growth, L.notices, L.timeline_chart)
