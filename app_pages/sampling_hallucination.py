"""Sampling and hallucination: the next-token distribution under temperature, top-k and top-p; many samples of one
prompt; and questions about countries the model never saw, answered fluently anyway."""
import pandas as pd
import streamlit as st

from lib import lm_lab, ui
from lib.charts import lm as lmcharts
from lib.data import facts
from lib.errors import ModelUnavailable

PAGE = "samp"
CHECKPOINT_OPTIONS = list(lm_lab.CHECKPOINTS)
DEFAULTS = {"samp_prompt": "The capital of Paraguay is", "samp_checkpoint": "gpt_base", "samp_temperature": 1.0,
            "samp_top_k": 0, "samp_top_p": 1.0, "samp_seed": 0, "samp_n": 20}
MAX_PROMPT = 400


@st.cache_resource(show_spinner="Loading the model...", max_entries=8)
def get_model(source: str, checkpoint: str):
    from lib.models import registry

    return registry.load_lm(source, checkpoint)


@st.cache_data(show_spinner=False, max_entries=512)
def next_token(source: str, checkpoint: str, prompt: str) -> lm_lab.NextToken:
    """One forward pass per (model, prompt); every slider move reuses these logits."""
    return lm_lab.next_token(get_model(source, checkpoint), prompt)


@st.cache_data(show_spinner="Sampling...", max_entries=256)
def sample_set(source: str, checkpoint: str, prompt: str, n: int, temperature: float, top_k: int, top_p: float,
               seed: int) -> lm_lab.SampleSet:
    return lm_lab.samples(get_model(source, checkpoint), prompt, n, temperature, top_k, top_p, seed)


@st.cache_data(show_spinner=False)
def report() -> dict:
    return lm_lab.load_report()


@st.cache_data(show_spinner="Asking the three checkpoints...", max_entries=256)
def lab_answers(name: str, temperature: float, seed: int) -> pd.DataFrame:
    rows = []
    for key, label in lm_lab.CHECKPOINTS.items():
        lm = get_model("embedded", key)
        fmt = "completion" if key == "gpt_base" else "qa"
        rows.append({"checkpoint": label, **lm_lab.lab_answer(lm, name, fmt, temperature, seed)})
    return pd.DataFrame(rows)


@st.cache_data(show_spinner=False, max_entries=1024)
def distribution(source: str, checkpoint: str, prompt: str, temperature: float, top_k: int, top_p: float,
                 projector: bool) -> tuple[pd.DataFrame, int, int, dict]:
    """The table, the number of tokens that can be drawn, the vocabulary size and the finished chart: a slider move
    back to a setting seen before costs a dictionary lookup."""
    nt = next_token(source, checkpoint, prompt)
    frame = lm_lab.distribution_frame(nt, temperature, top_k, top_p)
    shown = lm_lab.distribution_frame(nt, temperature, top_k, top_p, top=10) if projector else frame
    kept = lm_lab.kept_count(nt, temperature, top_k, top_p)
    title = f"Top {len(shown) - 1} next tokens: {kept} of {len(nt.logits)} can be drawn"
    spec = lmcharts.next_token_spec(shown, title, projector)
    return frame, kept, len(nt.logits), spec


@st.cache_data(show_spinner=False, max_entries=256)
def sample_charts(ss: lm_lab.SampleSet, projector: bool) -> tuple[pd.DataFrame, dict, dict | None]:
    counts = lm_lab.answer_counts(ss)
    k = len(counts)
    share = lmcharts.finished_spec(lmcharts.answer_share_bars(counts, projector=projector).properties(
        title=f"{k} distinct answer{'' if k == 1 else 's'} in {len(ss.texts)} samples"), projector)
    ent = lm_lab.entropy_frame(ss)
    ent_spec = (lmcharts.finished_spec(lmcharts.entropy_curve(ent, projector=projector).properties(
        title="Entropy at each step"), projector) if len(ent) else None)
    return counts, share, ent_spec


@st.cache_data(show_spinner=False)
def rate_spec(projector: bool) -> dict:
    rep = report()
    n = len(rep["probe_sets"]["invented_eval"])
    return lmcharts.finished_spec(lmcharts.rate_by_temperature(lm_lab.hallucination_frame(rep), projector=projector)
                                  .properties(title=f"Invented names that get an answer ({n} held out)"), projector)


def draw(spec: dict) -> None:
    st.vega_lite_chart(spec, width="stretch", theme=None)


def new_seed() -> None:
    st.session_state["samp_seed"] = int(st.session_state.get("samp_seed", 0)) + 1


def table_height(n_rows: int) -> int:
    """Enough height for every row, also in projector mode where the rows are taller (no overlap with what follows)."""
    return (n_rows + 1) * (52 if ui.projector() else 36) + 4


def settings() -> tuple[float, int, float]:
    return (float(st.session_state["samp_temperature"]), int(st.session_state["samp_top_k"]),
            float(st.session_state["samp_top_p"]))


def describe(temperature: float, top_k: int, top_p: float) -> str:
    return (f"temperature {temperature:g}" + (" (greedy)" if temperature == 0 else "")
            + f", top-k {top_k if top_k else 'off'}, top-p {top_p:g}")


# ------------------------------------------------------------------------------------------------------------ page
ui.header("Sampling and hallucination",
          "A language model outputs a probability for every possible next token; how we sample from it decides "
          "what we see, and a model that never saw a fact still gives a fluent, confident-looking answer.")
ui.bind_url(DEFAULTS, options={"samp_checkpoint": CHECKPOINT_OPTIONS},
            bounds={"samp_temperature": (0.0, 2.0), "samp_top_k": (0, 100), "samp_top_p": (0.05, 1.0),
                    "samp_seed": (0, 10**6), "samp_n": (5, 50)})

source = st.session_state.get("model_source", "embedded") or "embedded"
c1, c2 = st.columns([3, 1])
with c2:
    checkpoint = st.selectbox("Checkpoint", CHECKPOINT_OPTIONS, key="samp_checkpoint",
                              format_func=lambda k: lm_lab.CHECKPOINTS[k], disabled=source != "embedded",
                              help="The embedded tiny GPT after pre-training, supervised finetuning, or preference "
                                   "finetuning (see the post-training page).")
with c1:
    raw_prompt = st.text_input("Prompt", key="samp_prompt", max_chars=MAX_PROMPT * 2,
                               help="Try \"The capital of France is\" (seen 50 times), a country seen twice, or "
                                    "one that does not exist. SFT and DPO were finetuned on questions: try "
                                    "\"Question: What is the capital of France?\\nAnswer:\" with them.")
prompt = ui.clean_text(raw_prompt, MAX_PROMPT, label="prompt")

source = ui.hub_or_embedded(source, lambda: get_model(source, checkpoint))

if not prompt.strip():
    st.info("Type a prompt above to see what the model would say next.")
    st.stop()

with ui.model_guard():
    nt = next_token(source, checkpoint, prompt)


# ---------------------------------------------------------------------------------------- 1. next-token distribution
# Each section is a fragment: moving a distribution slider redraws only section 1 (no sampling, no lab).
@st.fragment
def distribution_section() -> None:
    projector = ui.projector()
    controls, figure = st.columns([1, 2] if projector else [1, 3])
    with controls:
        temperature = st.slider("Temperature", 0.0, 2.0, step=0.05, key="samp_temperature",
                                help="Logits are divided by the temperature before the softmax. 0 means greedy: "
                                     "always the most likely token.")
        top_k = st.slider("Top-k (0 = off)", 0, 100, step=1, key="samp_top_k",
                          help="Keep only the k most likely tokens.")
        top_p = st.slider("Top-p", 0.05, 1.0, step=0.05, key="samp_top_p",
                          help="Keep the smallest set of most likely tokens whose probabilities add up to at least p.")
    frame, kept, vocab_size, spec = distribution(source, checkpoint, prompt, float(temperature), int(top_k),
                                                 float(top_p), projector)
    with figure:
        draw(spec)
    st.markdown("Prompt tokens: " + " ".join(f"`{lm_lab.show_token(t)}`" for t in nt.prompt_tokens)
                + " (`\u00b7` marks a leading space: a token usually carries the space before its word.)")
    with st.expander("The numbers behind the chart"):
        st.dataframe(frame.rename(columns={"model_probability": "model (T=1)", "probability": "sampler"}),
                     hide_index=True, width="stretch", height=table_height(len(frame)))
    top_row = frame.iloc[0]
    st.markdown(
        f"**What to notice here.** At {describe(float(temperature), int(top_k), float(top_p))}, the most likely next "
        f"token **`{top_row['token']}`** has probability **{top_row['probability']:.1%}** for the sampler (the "
        f"model's own: {top_row['model_probability']:.1%}); {kept} of {vocab_size} tokens can still be drawn.")
    ui.prose("Every bar comes from the same cached logits: moving a slider here never runs the model again (and "
             "does not redraw the samples below; press *Sample again* there). The sampler's distribution comes "
             "from transformers' own `TemperatureLogitsWarper`, `TopKLogitsWarper` and `TopPLogitsWarper`, applied "
             "in that order, as `generate` does.")
    ui.write_url()  # a fragment rerun skips app.py, which otherwise mirrors the widgets into the URL


st.header("1. The next-token distribution")
distribution_section()


# --------------------------------------------------------------------------------------------- 2. many samples
@st.fragment
def samples_section() -> None:
    temperature, top_k, top_p = settings()
    b1, b2, b3, b4 = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    n = b1.slider("Samples", 5, 50, step=5, key="samp_n")
    seed = b2.number_input("Seed", min_value=0, max_value=10**6, step=1, key="samp_seed")
    b3.button("New seed", on_click=new_seed, icon=":material/casino:")
    b4.button("Sample again", icon=":material/refresh:",
              help="Draw with the sliders' current settings (section 1 does not redraw the samples by itself).")
    with ui.model_guard():
        ss = sample_set(source, checkpoint, prompt, int(n), temperature, top_k, top_p, int(seed))
    counts, share_spec, ent_spec = sample_charts(ss, ui.projector())
    st.caption(f"{len(ss.texts)} samples at {describe(temperature, top_k, top_p)}, seed {int(seed)}.")
    left, right = st.columns([1, 1])
    with left:
        draw(share_spec)
    with right:
        if ent_spec is not None:
            draw(ent_spec)
    st.markdown("**The samples**, each token coloured by the probability it was drawn with (red: unlikely, green: "
                "likely; hover for the number):")
    shown = 8 if ui.projector() else 12
    st.markdown("".join(f'<div style="margin:2px 0"><b>{i + 1}.</b> {lm_lab.coloured_tokens_html(toks, ps)}</div>'
                        for i, (toks, ps) in enumerate(zip(ss.tokens[:shown], ss.probs[:shown]))),
                unsafe_allow_html=True)
    if len(ss.texts) > shown:
        st.caption(f"First {shown} of {len(ss.texts)} samples shown.")
    k = len(counts)
    notes = [f"{len(ss.texts)} samples with seed {int(seed)} gave **{k}** distinct "
             f"continuation{'' if k == 1 else 's'}; the most common, \u201c{counts.iloc[0]['answer']}\u201d, came "
             f"up {int(counts.iloc[0]['count'])} times."
             + (" Temperature 0 is greedy: every sample is the same." if temperature == 0 else "")]
    top_tok = lm_lab.show_token(nt.top_texts[0])
    common = counts.iloc[0]["answer"]
    firsts = [toks[0] for toks in ss.tokens if toks]
    common_first = next((toks[0] for toks in ss.tokens if toks and "".join(toks).strip() == common), None)
    if common_first is not None and common_first != nt.top_texts[0]:
        p_top = float(distribution(source, checkpoint, prompt, temperature, top_k, top_p,
                                   ui.projector())[0].iloc[0]["probability"])
        n_top = sum(f == nt.top_texts[0] for f in firsts)
        endings = len({"".join(t).strip() for t in ss.tokens if t and t[0] == nt.top_texts[0]})
        notes.append(
            f"The most likely *next token* is `{top_tok}` ({p_top:.1%}), yet the most common *sample* is "
            f"\u201c{common}\u201d, which starts with `{lm_lab.show_token(common_first)}`. A sample is a whole "
            f"sequence drawn token by token, and its probability is the product of its tokens' probabilities: "
            f"{n_top} of {len(ss.texts)} samples started with `{top_tok}`, but they went on in {endings} different "
            f"way{'' if endings == 1 else 's'}, while the tokens after `{lm_lab.show_token(common_first)}` are "
            f"nearly certain. (`\u00b7` marks the leading space a token carries.)")
    st.markdown("**What to notice here.**\n" + "\n".join(f"- {x}" for x in notes))
    ui.write_url()


st.header("2. Sample many times")
samples_section()


# ----------------------------------------------------------------------------------------- 3. hallucination lab
@st.fragment
def lab_section(rep: dict) -> None:
    invented_eval = rep["probe_sets"]["invented_eval"]
    options = ([f"{c.name} (seen {c.mentions} times)" for c in facts.COUNTRIES if c.mentions >= 20][:6]
               + [f"{c.name} (seen {c.mentions} times)" for c in facts.COUNTRIES if c.mentions <= 3][:6]
               + [f"{name} (invented, never seen)" for name in invented_eval[:8]])
    h1, h2 = st.columns([2, 1])
    choice = h1.selectbox("Country", options, key="samp_lab_country", index=len(options) - 8)
    lab_t = h2.slider("Temperature for the answers", 0.0, 1.5, step=0.5, key="samp_lab_t", value=0.0)
    name = choice.split(" (")[0]
    with ui.model_guard():
        answers = lab_answers(name, float(lab_t), int(st.session_state.get("samp_seed", 0)))
    st.markdown(f"Prompts: base `{answers.iloc[0]['prompt']}`; SFT and DPO `{answers.iloc[1]['prompt']}`")
    shown = answers.drop(columns=["prompt", "most common sample"] if ui.projector() else ["prompt"])
    st.dataframe(shown, hide_index=True, width="stretch", height=table_height(len(shown)),
                 column_config={lm_lab.WHOLE_COLUMN: st.column_config.NumberColumn(format="%.3f"),
                                "agreement": st.column_config.NumberColumn(format="%.0f%%")})
    base = answers.iloc[0]
    notes = [f"The base model was only pre-trained, so it is asked with the completion prompt \u201c{base['prompt']}"
             f"\u201d and continues \u201c{base['answer']}\u201d (p = {base[lm_lab.WHOLE_COLUMN]:.3f}); SFT and DPO "
             f"are asked in the question format they were finetuned on. *Abstains* means the answer says it does not "
             f"know; anything else counts as an answer, however odd."]
    if any(lm_lab.name_garbled(name, a) for a in answers["answer"]):
        notes.append(f"Where an answer spells {name} differently, that is the model, not the app: the tiny model "
                     f"copies the name from the question token by token and can garble one it never saw.")
    st.markdown("\n".join(f"- {x}" for x in notes))
    ui.prose(f"*{lm_lab.WHOLE_COLUMN}*: the model's own probability (T = 1) of the whole answer it gave, every token "
             f"multiplied, the copied name included. *agreement*: the share of 10 samples at temperature 1 that gave "
             f"the most common answer (the self-consistency check).")


st.header("3. Hallucination lab")
ui.prose("The embedded tiny GPT was trained only on sentences about real countries. Ask it about one it saw often, "
         "one it saw twice, and one that does not exist (invented names never appear in any of its training data).")
if source != "embedded":
    st.caption("The lab always uses the embedded checkpoints: they are the models whose training data we know.")
rep = None
try:
    rep = report()
except ModelUnavailable as exc:
    st.warning(f"{exc.message} Fix: `{exc.fix}`")
sc = {}
if rep is not None:
    lab_section(rep)
    sc = rep["evaluation"].get("self_consistency", {})
    g1, g2 = (st.container(), st.container()) if ui.projector() else st.columns([3, 2])
    with g1:
        draw(rate_spec(ui.projector()))
        st.caption("Measured when the models were built, on the held-out invented names (greedy at T = 0, one sample "
                   "per name otherwise); base with the completion prompt, SFT and DPO with the question. Base and "
                   "SFT never abstain, so their lines lie on top of each other at 100%.")
    with g2:
        if sc:
            st.metric("Self-consistency detector accuracy", f"{100 * sc['accuracy_eval']:.0f}%",
                      help="Balanced accuracy at telling held-out well-known countries from invented names, base "
                           "model, 10 samples at T = 1, threshold fitted on separate names.")
            st.markdown(f"Mean agreement among 10 samples: **{sc['mean_agreement_known_seen5']:.0%}** for countries "
                        f"seen 5+ times, **{sc['mean_agreement_invented']:.0%}** for invented names, "
                        f"**{sc['mean_agreement_rare']:.0%}** for countries seen only 2-3 times.")
    st.subheader("Why do models hallucinate? Two hypotheses (Huyen, chapter 2)")
    st.markdown(
        "- **Self-delusion.** A model cannot tell the tokens it was given from the tokens it produced itself. Once it "
        "has written \"The capital of X is\", its own words are evidence that X has a capital, and the next tokens "
        "build on them: mistakes snowball (Ortega et al. 2021; Zhang et al. 2023).\n"
        "- **Mismatched internal knowledge.** Supervised finetuning shows the model answers written by people who "
        "knew things the model does not. It learns to *imitate answering*, not to check its own knowledge, so it "
        "answers confidently about what it never learned (Leo Gao; John Schulman 2023). Our SFT demonstrations always "
        "answer, and the SFT checkpoint answers for invented countries too.")

# ------------------------------------------------------------------------------------------------ what to notice
# Points that depend on the sliders sit under their own sections above (those sections redraw on their own).
notice = ["The notes *under* sections 1 and 2 follow the sliders and the seed; the points here are the models' "
          "measured figures."]
if rep is not None:
    ev = rep["evaluation"]
    base_rate = ev["gpt_base"]["hallucination_by_temperature"]["0.0"]
    sft_rate = ev["gpt_sft"]["hallucination_by_temperature"]["0.0"]
    dpo_rate = ev["gpt_dpo"]["hallucination_by_temperature"]["0.0"]
    notice.append(f"Greedy, the base model (given \u201cThe capital of X is\u201d) never says it does not know: it "
                  f"continues with some answer for **{base_rate:.0%}** of the held-out invented countries, and the SFT "
                  f"model (asked the question) for **{sft_rate:.0%}**. After preference finetuning (DPO) the share is "
                  f"**{dpo_rate:.0%}**: it learned to say \u201cI don't know\u201d.")
    if sc:
        notice.append(f"Self-consistency separates known from invented names with **{sc['accuracy_eval']:.0%}** "
                      f"balanced accuracy: answers the model really knows tend to come out the same every time "
                      f"(agreement {sc['mean_agreement_known_seen5']:.0%} against {sc['mean_agreement_invented']:.0%}).")
ui.what_to_notice(notice)

ui.quiz(PAGE, [
    {"q": "You set the temperature to 0. What does the sampler do?",
     "options": ["Always picks the most likely token", "Picks each token with equal probability",
                 "Picks tokens in proportion to their logits"],
     "answer": 0, "why": "Temperature 0 is greedy decoding: all the probability goes to the argmax."},
    {"q": "Top-p = 0.9 keeps...",
     "options": ["the 90% of the vocabulary with the highest logits",
                 "the fewest top tokens whose probabilities sum to at least 0.9",
                 "every token whose own probability is at least 0.9"],
     "answer": 1, "why": "Nucleus sampling adapts the number of tokens to how peaked the distribution is."},
    {"q": "The base model answers \"The capital of Zorvania is ...\" fluently. Why is that not evidence that it knows?",
     "options": ["Its tokenizer splits the name into pieces it knows",
                 "It always outputs a next-token distribution",
                 "Low temperature makes any answer look confident"],
     "answer": 1, "why": "It was trained to continue text; nothing in pre-training teaches it to stop or to say that "
                         "it does not know."},
])
ui.references([
    ("Chip Huyen, AI Engineering (O'Reilly, 2025), chapter 2: sampling, hallucination", None),
    ("Holtzman et al. 2020, The Curious Case of Neural Text Degeneration (top-p)", "https://arxiv.org/abs/1904.09751"),
    ("Ortega et al. 2021, Shaking the foundations: delusions in sequence models", "https://arxiv.org/abs/2110.10819"),
    ("Zhang et al. 2023, How Language Model Hallucinations Can Snowball", "https://arxiv.org/abs/2305.13534"),
    ("John Schulman, Reinforcement Learning from Human Feedback: Progress and Challenges (talk, 2023)", None),
    ("Manakul et al. 2023, SelfCheckGPT (self-consistency as a detector)", "https://arxiv.org/abs/2303.08896"),
    ("transformers: logits processors", "https://huggingface.co/docs/transformers/internal/generation_utils"),
])
ui.show_code(lm_lab.distribution_frame, lm_lab.samples)
