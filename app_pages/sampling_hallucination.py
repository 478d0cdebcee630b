"""Sampling and hallucination: the next-token distribution under temperature, top-k and top-p; many samples of one
prompt; and questions about countries the model never saw, answered anyway (a capital, an abstention, or neither).
Computed by lib/lessons/sampling_hallucination.py."""
import streamlit as st

from lib import ui
from lib.errors import ModelUnavailable
from lib.lessons import sampling_hallucination as L
from lib.models.lm import CHECKPOINTS, load_report, show_token

PAGE = "samp"
DEFAULTS = {"samp_prompt": "The capital of Botswana is", "samp_checkpoint": "gpt_base", "samp_temperature": 1.0,
            "samp_top_k": 0, "samp_top_p": 1.0, "samp_seed": 0, "samp_n": 20}
MAX_PROMPT = 400
LAB_TEMPERATURES = [0.0, 0.5, 1.0, 1.5]


def new_seed() -> None:
    st.session_state["samp_seed"] = int(st.session_state.get("samp_seed", 0)) + 1


def bullets(points: list[str], after: str | None = None) -> None:
    """A section's notes, and the prose paragraph after them in the same element (one message less a run)."""
    st.markdown("**What to notice here.**\n" + "\n".join(f"- {x}" for x in points) + (f"\n\n{after}" if after else ""))


ui.header("Sampling and hallucination",
          "A language model outputs a probability for every possible next token; how we sample from it decides "
          "what we see, and a model that never saw a fact still gives a fluent, confident-looking answer.")
ui.bind_url(DEFAULTS, options={"samp_checkpoint": list(CHECKPOINTS)},
            bounds={"samp_temperature": (0.0, 2.0), "samp_top_k": (0, 100), "samp_top_p": (0.05, 1.0),
                    "samp_seed": (0, 10**6), "samp_n": (5, 50)})

source = st.session_state.get("model_source", "embedded") or "embedded"
c1, c2 = st.columns([3, 1])
checkpoint = c2.selectbox("Checkpoint", list(CHECKPOINTS), key="samp_checkpoint", format_func=CHECKPOINTS.get,
                          disabled=source != "embedded",
                          help="The embedded tiny GPT after pre-training, supervised finetuning, or preference "
                               "finetuning (see the post-training page).")
raw_prompt = c1.text_input("Prompt", key="samp_prompt", max_chars=MAX_PROMPT * 2,
                           help="Try \"The capital of France is\" (seen 50 times), a country seen twice, or one that "
                                "does not exist. SFT and DPO were finetuned on questions: try \"Question: What is the "
                                "capital of France?\\nAnswer:\" with them.")
prompt = ui.clean_text(raw_prompt, MAX_PROMPT, label="prompt")
source = ui.hub_or_embedded(source, lambda: ui.cached_lm(source, checkpoint))
if not prompt.strip():
    st.info("Type a prompt above to see what the model would say next.")
    st.stop()
with ui.model_guard():
    nt = ui.memo(L.next_token, source, checkpoint, prompt)


# Sections 1 and 2 are one fragment: a slider move redraws the distribution *and* the samples drawn with it (never
# samples from older settings), but not the lab below. Section 2 is a fragment of its own inside it.
@st.fragment
def sampler_sections() -> None:
    st.header("1. The next-token distribution")
    projector = ui.projector()
    controls, figure = st.columns([1, 2] if projector else [1, 3])
    with controls:
        temperature = float(st.slider("Temperature", 0.0, 2.0, step=0.05, key="samp_temperature",
                                      help="Logits are divided by the temperature before the softmax. 0 means "
                                           "greedy: always the most likely token."))
        top_k = int(st.slider("Top-k (0 = off)", 0, 100, step=1, key="samp_top_k",
                              help="Keep only the k most likely tokens, and every token whose logit ties with the "
                                   "k-th (as transformers does): with ties, more than k tokens are kept."))
        top_p = float(st.slider("Top-p", 0.05, 1.0, step=0.05, key="samp_top_p",
                                help="Keep the smallest set of most likely tokens whose probabilities add up to at "
                                     "least p."))
    dist = ui.memo(L.distribution, nt, temperature, top_k, top_p, projector)
    with figure:
        ui.chart(dist.spec)
    st.markdown("Prompt tokens: " + " ".join(f"`{show_token(t)}`" for t in nt.prompt_tokens)
                + " (`\u00b7` marks a leading space: a token usually carries the space before its word.)")
    with st.expander("The numbers behind the chart"):
        ui.dataframe(dist.table)
    top = dist.frame.iloc[0]
    settings = L.describe(temperature, top_k, top_p)
    bullets(L.distribution_notices(settings, top["token"], top["probability"], top["model_probability"], dist.kept,
                                   dist.vocab_size, top_k),
            after=None if projector else (
                "Every bar comes from the same cached logits: moving a slider here never runs the model again. The "
                "sampler's distribution comes from transformers' own `TemperatureLogitsWarper`, `TopKLogitsWarper` "
                "and `TopPLogitsWarper`, applied in that order, as `generate` does."))

    st.header("2. Sample many times")  # drawn here, so a new seed does not send it again
    sample_section(nt, temperature, top_k, top_p, settings, projector)


# Section 2 is a fragment inside that fragment: a new seed or sample count redraws the samples only (a class of
# thirty pressing "New seed" at once queues on one process, issue 12), a slider in section 1 redraws both.
@st.fragment
def sample_section(nt, temperature: float, top_k: int, top_p: float, settings: str, projector: bool) -> None:
    b1, b2, b3 = st.columns([3, 3, 2], vertical_alignment="bottom")
    n = int(b1.slider("Samples", 5, 50, step=5, key="samp_n"))
    seed = int(b2.number_input("Seed", min_value=0, max_value=10**6, step=1, key="samp_seed"))
    b3.button("New seed", on_click=new_seed, icon=":material/casino:")
    with ui.model_guard():  # no spinner: 20 samples take about 0.03 s, and the spinner cost a thread a run
        view = ui.memo(L.sample_view, source, checkpoint, prompt, nt, n, temperature, top_k, top_p, seed,
                       projector)
    ss = view.samples
    st.caption(f"{len(ss.texts)} samples at {settings} (the settings of section 1), seed {seed}.")
    left, right = ui.columns(2)
    with left:
        ui.chart(view.share_spec)
    with right:
        if view.entropy_spec is not None:
            ui.chart(view.entropy_spec)
    shown = 8 if projector else 12
    first = f" (the first {shown} of {len(ss.texts)})" if len(ss.texts) > shown else ""
    st.markdown(f"**The samples**{first}, each token coloured by the probability it was drawn with (red: unlikely, "
                "green: likely; hover for the number):\n\n"
                + '<div style="margin-bottom:1rem">'
                + "".join(f'<div style="margin:2px 0"><b>{i + 1}.</b> {L.coloured_tokens_html(toks, ps)}</div>'
                          for i, (toks, ps) in enumerate(zip(ss.tokens[:shown], ss.probs[:shown]))) + "</div>",
                unsafe_allow_html=True)
    common = view.counts.iloc[0]
    bullets(L.sample_notices(len(ss.texts), seed, len(view.counts), common["answer"], int(common["count"]),
                             temperature, view.top_token, view.p_top, view.n_top, view.endings, view.common_first))
    ui.write_url(fragment=True)  # a fragment rerun skips app.py, which otherwise mirrors the widgets into the URL


sampler_sections()


@st.fragment
def lab_section(rep: dict) -> None:
    labels = {o.split(" (")[0]: o for o in L.lab_options(rep)}  # the URL keeps the name, the list the label
    with ui.model_guard():
        lab_default = ui.memo(L.lab_default)
    ui.bind_url({"samp_lab_country": lab_default, "samp_lab_t": 0.0},
                options={"samp_lab_country": list(labels), "samp_lab_t": LAB_TEMPERATURES})
    h1, h2 = st.columns([2, 1])
    name = h1.selectbox("Country", list(labels), format_func=labels.get, key="samp_lab_country")
    lab_t = h2.slider("Temperature for the answers", 0.0, 1.5, step=0.5, key="samp_lab_t")
    with ui.model_guard(), st.spinner("Asking the three checkpoints..."):
        answers = ui.memo(L.lab_answers, name, float(lab_t),
                          L.lab_seed(float(lab_t)))
    st.markdown(f"Prompts: base `{answers.iloc[0]['prompt']}`; SFT and DPO `{answers.iloc[1]['prompt']}`")
    shown = answers.drop(columns=["prompt", "most common sample"] if ui.projector() else ["prompt"])
    ui.dataframe(shown, column_config={L.WHOLE_COLUMN: st.column_config.NumberColumn(format="%.3f"),
                                       "agreement": st.column_config.NumberColumn(format="%.0f%%")})
    base = answers.iloc[0]
    notes = L.lab_notices(name, base["prompt"], base["answer"], base[L.WHOLE_COLUMN], tuple(answers["answer"]))
    st.markdown("\n".join(f"- {x}" for x in notes))
    ui.prose(f"*{L.WHOLE_COLUMN}*: the model's own probability (T = 1) of the whole answer it gave, every token "
             f"multiplied, the copied name included. *agreement*: the share of 10 samples at temperature 1 that gave "
             f"the most common answer (the self-consistency check). Above temperature 0 each answer is one sample, "
             f"drawn with a fixed seed (the same for everyone; section 2's Seed does not reach the lab); at 0 it has "
             f"no randomness in it.")
    ui.write_url(fragment=True)  # a fragment rerun skips app.py, which otherwise mirrors the widgets into the URL


st.header("3. Hallucination lab")
ui.prose("The embedded tiny GPT was pre-trained on sentences about real countries (and about made-up people). Ask "
         "it about a country it saw often, one it saw twice, and one that does not exist: the invented names here "
         "appear in none of its training data, neither in pre-training nor in finetuning.")
if source != "embedded":
    st.caption("The lab always uses the embedded checkpoints: they are the models whose training data we know.")
rep = None
try:
    rep = ui.memo(load_report)
except ModelUnavailable as exc:
    st.warning(f"{exc.message} Fix: `{exc.fix}`")
if rep is not None:
    lab_section(rep)
    sc = rep["evaluation"].get("self_consistency", {})
    g1, g2 = ui.columns([3, 2])
    with g1:
        ui.chart(ui.memo(L.rate_spec, ui.projector()))
        st.caption("Measured when the models were built, on the held-out invented names (greedy at T = 0, one sample "
                   "per name otherwise); base with the completion prompt, SFT and DPO with the question. Only answers "
                   "that name a capital count: the base model's \u201ca.\u201d or a currency is *neither*.")
        flat = ui.memo(L.flat_rate_note_of)
        if flat:
            st.caption(flat)
        outcome = ui.memo(L.outcome_frame_of)
        ui.dataframe(outcome, column_config={c: st.column_config.NumberColumn(format="%.1f%%")  # whole %: 101
                                             for c in ("names a capital", "abstains", "neither")})
        st.caption("Greedy (T = 0), the same names: every answer is one of three outcomes.")
    if sc:
        g2.metric("Self-consistency detector accuracy", f"{100 * sc['accuracy_eval']:.0f}%",
                  help="Balanced accuracy at telling held-out well-known countries from invented names, base model, "
                       "10 samples at T = 1, threshold fitted on separate names.")
        g2.markdown(f"Mean agreement among 10 samples: **{sc['mean_agreement_known_seen5']:.0%}** for countries seen "
                    f"5+ times, **{sc['mean_agreement_invented']:.0%}** for invented names, "
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

ui.what_to_notice(L.notices(L.measured(rep) if rep is not None else None))
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
    {"q": "The base model always continues \"The capital of Zorvania is ...\" (with a city, another country or "
          "\"a.\"), never with \"I don't know\". Why is a city from it not evidence that it knows?",
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
ui.show_code(L.distribution, L.distribution_frame, L.distribution_notices, L.sample_view, L.sample_notices,
             L.lab_answer, L.lab_notices, L.outcomes, L.notices)
