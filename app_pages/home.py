"""Home: from machine learning to foundation models. Imports neither torch nor transformers, so it opens fast."""
import streamlit as st

from lib import charts, site, ui
from lib.timeline import human, load_timeline, parameter_growth, times, tokens_per_parameter


@st.cache_data(show_spinner=False)
def timeline():
    return load_timeline()


@st.cache_data(show_spinner=False, max_entries=64)
def timeline_spec(families: tuple[str, ...], projector: bool) -> dict:
    """The timeline chart, styled, built once per choice of families (an unchanged chart costs nothing to redraw)."""
    return charts.finished_spec(charts.timeline(timeline(), families=families, projector=projector), projector)


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
df = timeline()
families = sorted(df.dropna(subset=["parameters"])["family"].unique())  # only families the chart can draw
ui.bind_url({"home_a": "GPT", "home_b": "GPT-3"}, options={"home_a": list(df["model"]), "home_b": list(df["model"])})
chosen = st.multiselect("Architecture families shown", families, default=families, key="home_families")
if not chosen:
    st.warning("Pick at least one architecture family to draw the timeline.")
else:
    ui.chart(timeline_spec(tuple(chosen), ui.projector()))
    ui.prose("Parameters are on a log scale: each horizontal grid line is ten times the one below. Hover a dot for its "
             "training data and source; click a family in the legend to highlight it.")

sized = df.dropna(subset=["parameters"])
names = list(sized["model"])
c1, c2 = st.columns(2)
with c1:
    a = st.selectbox("Compare", names, key="home_a")
with c2:
    b = st.selectbox("with", names, key="home_b")
ra, rb = sized.set_index("model").loc[a], sized.set_index("model").loc[b]
months = (rb["date"].year - ra["date"].year) * 12 + (rb["date"].month - ra["date"].month)
ratio = rb["parameters"] / ra["parameters"]
m1, m2, m3 = st.columns(3)
m1.metric(f"{a}: parameters", human(ra["parameters"]), ra["date"].strftime("%b %Y"), delta_color="off")
m2.metric(f"{b}: parameters", human(rb["parameters"]), rb["date"].strftime("%b %Y"), delta_color="off")
m3.metric("Ratio", times(ratio), f"{months:+d} months", delta_color="off")

with st.expander("The data behind the timeline, with sources"):
    table = df[["model", "date", "parameters_text", "family", "training_data", "source"]].copy()
    table["date"] = table["date"].dt.strftime("%b %Y")
    st.dataframe(table.rename(columns={"parameters_text": "parameters", "training_data": "training data"}),
                 hide_index=True, width="stretch")

# ---------------------------------------------------------------------------------------------- what to notice
growth = parameter_growth(df)
tpp = tokens_per_parameter(df).set_index("model")["tokens_per_parameter"]
unsized = df[df["parameters"].isna()]["model"].tolist()
ui.what_to_notice([
    f"**{b}** has **{times(ratio)}** the parameters of **{a}**, released {abs(months)} months "
    f"{'later' if months >= 0 else 'earlier'}.",
    f"From {growth.first} to {growth.last} ({growth.years:.1f} years) the largest model grew "
    f"**{growth.ratio:,.0f}x**. A straight-line fit on the log scale gives about **{growth.per_year:.1f}x per year**, "
    f"a doubling every **{growth.doubling_months:.0f} months**.",
    f"Data grew too, and faster after 2022: GPT-3 saw **{tpp['GPT-3']:.1f}** training tokens per parameter, "
    f"Chinchilla **{tpp['Chinchilla']:.0f}** (its compute-optimal rule), Llama 3.1 **{tpp['Llama 3.1']:.0f}**.",
    (f"{', '.join(unsized)} has no parameter count in our sources, so it is in the table but not on the chart."
     if unsized else ""),
])

ui.quiz("home", [
    {"q": "What did attention change about how a decoder uses its input?",
     "options": ["It reads the whole input twice, once forwards and once backwards",
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
ui.show_code(parameter_growth, charts.timeline)
