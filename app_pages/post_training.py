"""Post-training: pre-training, supervised finetuning and preference finetuning, with the tiny GPT's three real
checkpoints side by side and a live DPO run on the session's own copy of the model."""
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import lm_lab, ui
from lib.charts import lm as lmcharts
from lib.data import facts
from lib.errors import ModelUnavailable

PAGE = "pt"
DATA = Path(__file__).resolve().parents[1] / "assets" / "data"
BETAS = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
LRS = [1e-4, 3e-4, 1e-3, 3e-3]
DEFAULTS = {"pt_beta": 0.1, "pt_steps": 30, "pt_lr": 1e-3, "pt_stabilise": True}
LIVE = "pt_live"  # session_state key of this session's own tuned model and its results


@st.cache_resource(show_spinner="Loading the tiny GPT checkpoints...", max_entries=4)
def checkpoints() -> dict:
    from lib.models import registry

    return {key: registry.load(key) for key in lm_lab.CHECKPOINTS}


@st.cache_data(show_spinner=False)
def report() -> dict:
    return lm_lab.load_report()


@st.cache_data(show_spinner=False, max_entries=4)
def data_counts(seed: int, invented_tune: tuple[str, ...]) -> tuple[int, int, int]:
    """How many pre-training sentences, demonstrations and preference pairs the build made (rebuilt from its seed)."""
    return (len(facts.pretraining_sentences(seed)), len(facts.sft_demonstrations(seed)),
            len(facts.preference_pairs(seed, list(invented_tune))))


@st.cache_data(show_spinner=False)
def costs() -> pd.DataFrame:
    return pd.read_csv(DATA / "post_training_costs.csv")


@st.cache_data(show_spinner="Asking the three checkpoints...", max_entries=256)
def compare(name: str) -> pd.DataFrame:
    return lm_lab.compare_answers(checkpoints(), name)


@st.cache_resource(show_spinner="Preparing the preference pairs (once per server)...", max_entries=1)
def live_inputs():
    """Shared, read-only: the pairs with the SFT reference's log-probabilities, the pre-training rows, the probe
    sets and the SFT model's scores before any tuning."""
    from lib import post_training as pt

    rep = report()
    sft = checkpoints()["gpt_sft"]
    sets = pt.probe_sets(rep)
    return pt.prepare_pairs(sft, rep), pt.lm_blocks(sft), sets, pt.probe_scores(sft, sets)


def country_options(rep: dict) -> list[str]:
    held = set(rep["probe_sets"]["heldout_countries"])
    known = [c for c in facts.COUNTRIES if c.name in held]
    return ([f"{c.name} (real, seen {c.mentions} times)" for c in known if c.mentions >= 10][:5]
            + [f"{c.name} (real, seen {c.mentions} times)" for c in known if c.mentions <= 3][:5]
            + [f"{n} (invented, never seen)" for n in rep["probe_sets"]["invented_eval"][:8]])


def table_height(n_rows: int) -> int:
    """Enough height for every row, also in projector mode where the rows are taller (no overlap with what follows)."""
    return (n_rows + 1) * (52 if ui.projector() else 36) + 4


# ------------------------------------------------------------------------------------------------------------ page
ui.header("Post-training",
          "Pre-training teaches a model what text looks like; supervised finetuning teaches it to answer; preference "
          "finetuning teaches it which answers people prefer, including \u201cI don't know\u201d.")
ui.bind_url(DEFAULTS, options={"pt_beta": BETAS, "pt_lr": LRS}, bounds={"pt_steps": (5, 100)})

with ui.model_guard():
    rep = report()
    models = checkpoints()

# ---------------------------------------------------------------------------------------------- 1. the pipeline
st.header("1. Three stages, three kinds of data")
ex = rep["data_examples"]
n_sent, n_demo, n_pairs = data_counts(rep["settings"]["seed"], tuple(rep["probe_sets"]["invented_tune"]))
cols = st.columns(3)
with cols[0]:
    st.subheader("Pre-training")
    st.markdown(f"**{n_sent:,} sentences** about {len(facts.COUNTRIES)} real countries "
                f"({rep['pretrain_tokens']:,} tokens), some stated 50 times, some twice. Next-token prediction.")
    st.code("\n".join(ex["pretraining"][:3]), language=None, wrap_lines=True)
with cols[1]:
    st.subheader("Supervised finetuning")
    n_tune = len(rep["probe_sets"]["tune_countries"])
    st.markdown(f"**{n_demo} demonstrations**: a question and a good answer, about {n_tune} of the real countries "
                f"(the other {len(rep['probe_sets']['heldout_countries'])} are held out). They always answer.")
    st.code("\n\n".join(p + a for p, a in ex["sft"][:2]), language=None, wrap_lines=True)
with cols[2]:
    st.subheader("Preference finetuning")
    st.markdown(f"**{n_pairs} preference pairs**: the same prompt, a preferred and a rejected answer. For "
                "invented countries the honest answer is preferred.")
    pair = next((p for p in ex["preference"] if not p["known"]), ex["preference"][0])
    st.code(f"{pair['prompt']}\n  preferred:{pair['chosen']}\n  rejected: {pair['rejected']}", language=None,
            wrap_lines=True)
ui.prose(
    "Real models use the same three stages at a vastly larger scale. **RLHF** (InstructGPT) turns the comparisons "
    "into a *reward model* and then optimises the language model against it with reinforcement learning (PPO). "
    "**DPO** (Rafailov et al. 2023) skips the reward model: it raises the probability of the preferred answer "
    "relative to the rejected one directly, measured against a frozen copy of the starting model. Our checkpoints "
    "use DPO.")
with st.expander("What the real thing costs (from the literature)"):
    st.dataframe(costs(), hide_index=True, width="stretch", height=table_height(len(costs())))

# --------------------------------------------------------------------------------------- 2. same prompt, 3 models
@st.cache_data(show_spinner=False, max_entries=256)
def compare_spec(name: str, projector: bool) -> dict:
    table = compare(name)
    long = table.melt(id_vars=["checkpoint"], value_vars=[lm_lab.IDK_COLUMN], var_name="measure",
                      value_name="probability")
    long["measure"] = "first word \u201cI\u201d (starts to abstain)"
    return lmcharts.finished_spec(lmcharts.grouped_rates(long, "checkpoint", "probability", "measure",
                                                         y_title="probability", projector=projector)
                                  .properties(title=f"Does the answer about {name} start with \u201cI\u201d?"),
                                  projector)


st.header("2. The same question to all three checkpoints")
st.markdown("Each checkpoint is asked the way it was measured in the build report: the **base** model was only "
            "pre-trained and never saw a question, so it gets the completion prompt \u201cThe capital of X is\u201d; "
            "**SFT** and **DPO** get the question format they were finetuned on.")
options = country_options(rep)
choice = st.selectbox("Ask about", options, index=len(options) - 8, key="pt_country")
name = choice.split(" (")[0]
with ui.model_guard():
    table = compare(name)
st.markdown(f"Prompts: base `{table.iloc[0]['prompt']}`; SFT and DPO `{table.iloc[1]['prompt']}`")
st.dataframe(table.drop(columns=["prompt"]), hide_index=True, width="stretch", height=table_height(len(table)),
             column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns if
                            c.startswith("p(")})
st.vega_lite_chart(compare_spec(name, ui.projector()), width="stretch", theme=None)
ui.prose(f"*{lm_lab.WHOLE_COLUMN}* multiplies the probabilities of every token of the answer, the copied country name "
         f"included; *{lm_lab.IDK_COLUMN}* is the probability of the first token alone, the moment the model decides "
         f"to abstain or to answer; *{lm_lab.ANSWER_COLUMN}* is the first token of \u201cThe capital of ... is\u201d "
         f"(question format only). SFT answers every question, known or not: its demonstrations always answered. "
         f"DPO moved probability to \u201cI don't know\u201d where the model has no knowledge to draw on. A caution "
         f"about our own numbers: rebuilt with another random seed, the same recipe still abstained on 90% of the "
         f"invented names but kept only 65% of the held-out well-known capitals. A model this small partly learns "
         f"*which names it was tuned on* rather than *what it knows* (assets/models/REPORT.md has the details).")

# ------------------------------------------------------------------------------------------------- 3. live DPO
st.header("3. Run DPO yourself")
st.markdown(
    "The loss used here (and for the shipped DPO checkpoint) is **DPO plus two stabilising terms**:")
st.latex(r"L = -\log\sigma\Big(\beta\big[\log\tfrac{\pi(y_w|x)}{\pi_{ref}(y_w|x)} - "
         r"\log\tfrac{\pi(y_l|x)}{\pi_{ref}(y_l|x)}\big]\Big) + 2\,\mathrm{NLL}(y_w|x) + "
         r"2\,\mathrm{LM}(\text{pre-training text})")
ui.prose(
    "$y_w$ is the preferred answer, $y_l$ the rejected one, $\pi_{ref}$ the frozen SFT model. Plain DPO breaks a "
    "model this small: the cheapest way to make the rejected answer unlikely is to push down the first answer token "
    "everywhere, and the correct answers die with it. The supervised term (NLL) keeps the preferred answers likely; "
    "the language-modelling term keeps the facts learned in pre-training. One more change: the DPO term compares the "
    "two answers only up to the first token where they differ (“I” against “The”, or the right "
    "capital against a wrong one); scoring the rest of a fabricated answer would also teach the model not to copy a "
    "country's name or write a real capital. Untick the box to run plain DPO and watch the damage.")
c1, c2, c3, c4 = st.columns(4)
beta = c1.select_slider("\u03b2 (how far from the SFT model)", BETAS, key="pt_beta")
steps = c2.slider("Steps (8 pairs each)", 5, 100, step=5, key="pt_steps")
lr = c3.select_slider("Learning rate", LRS, key="pt_lr", format_func=lambda v: f"{v:g}")
stabilise = c4.checkbox("Stabilising terms", key="pt_stabilise")
run = st.button("Run DPO on my own copy of the SFT model", type="primary", icon=":material/play_arrow:")

if run:
    from lib import post_training as pt
    from lib.train.dpo import DPOSettings

    with ui.model_guard():
        prepared, blocks, sets, before = live_inputs()
    settings = DPOSettings(beta=float(beta), steps=int(steps), batch_pairs=8, lr=float(lr),
                           sft_weight=2.0 if stabilise else 0.0, lm_weight=2.0 if stabilise else 0.0, lm_batch=4,
                           scope="decision" if stabilise else "full", seed=0)
    progress = st.progress(0.0, text="Training...")
    live_chart = st.empty()
    seen: list[dict] = []

    def report_step(step: int, metrics: dict) -> None:
        seen.append({"step": step, **metrics})
        progress.progress(step / settings.steps, text=f"Step {step} of {settings.steps}: loss {metrics['loss']:.3f}")
        if step % 5 == 0 or step == settings.steps:
            with live_chart.container():
                ui.chart(lmcharts.training_curves(pd.DataFrame(seen), ["loss", "dpo_loss", "reward_margin"],
                                                  projector=ui.projector()))

    st.session_state.pop(LIVE, None)  # release the previous run's model first
    tuned, history, seconds = pt.run_live_dpo(models["gpt_sft"], prepared, blocks, settings, report_step)
    progress.empty()
    live_chart.empty()
    after = pt.probe_scores(tuned, sets)
    st.session_state[LIVE] = {"model": tuned, "history": history, "before": before, "after": after,
                              "seconds": seconds, "settings": settings}

live = st.session_state.get(LIVE)
notice = []
if live is not None:
    from lib import post_training as pt

    hist = pd.DataFrame(live["history"])
    s = live["settings"]
    left, right = st.columns(2)
    with left:
        ui.chart(lmcharts.training_curves(hist, ["loss", "dpo_loss"], {"loss": "total loss", "dpo_loss": "DPO term"},
                                          projector=ui.projector())
                 .properties(title="Loss"))
    with right:
        ui.chart(lmcharts.training_curves(hist, ["chosen_reward", "rejected_reward", "accuracy"],
                                          {"chosen_reward": "chosen reward", "rejected_reward": "rejected reward",
                                           "accuracy": "pairs ranked right"}, projector=ui.projector())
                 .properties(title="Implicit rewards \u03b2\u00b7log(\u03c0/\u03c0_ref)"))
    frame = pt.scores_frame(live["before"], live["after"])
    ui.chart(lmcharts.grouped_rates(frame, "measure", "rate", "model", y_title="share of held-out questions",
                                    horizontal=True, projector=ui.projector())
             .properties(title="Before and after your run (held-out names only)"))
    first, last = live["history"][0], live["history"][-1]
    b, a = live["before"], live["after"]
    st.caption(f"{s.steps} steps of {s.batch_pairs} pairs, \u03b2 = {s.beta:g}, learning rate {s.lr:g}, "
               f"{'with' if s.sft_weight else 'without'} the stabilising terms: {live['seconds']:.1f} s.")
    notice += [
        f"Your run's loss went from **{first['loss']:.3f}** to **{last['loss']:.3f}**; the reward margin between "
        f"preferred and rejected answers from {first['reward_margin']:.2f} to **{last['reward_margin']:.2f}**.",
        f"Abstention on held-out invented names: **{b['abstains on invented names']:.0%} \u2192 "
        f"{a['abstains on invented names']:.0%}**; accuracy on well-known countries: "
        f"**{b['correct on well-known countries (seen 5+)']:.0%} \u2192 "
        f"{a['correct on well-known countries (seen 5+)']:.0%}**; on rarely seen ones: "
        f"{b['correct on rare countries (seen 2-3)']:.0%} \u2192 {a['correct on rare countries (seen 2-3)']:.0%} "
        f"(refused: {a['refuses rare countries']:.0%}). Caution and helpfulness pull against each other. The "
        f"shipped DPO checkpoint trained {rep['settings']['dpo']['steps']} steps of "
        f"{rep['settings']['dpo']['batch_pairs']} pairs, long enough for the stabilising terms to repair most of the "
        f"damage: it keeps {rep['evaluation']['gpt_dpo']['qa']['accuracy_seen5_capital']:.0%} of the well-known "
        f"held-out capitals.",
    ]
else:
    st.info("Press the button: about 30 steps take a few seconds. The shipped DPO checkpoint was trained the same "
            f"way for {rep['settings']['dpo']['steps']} steps of {rep['settings']['dpo']['batch_pairs']} pairs.")

# ------------------------------------------------------------------------------------------------ what to notice
ev = rep["evaluation"]
IDK, WHOLE = lm_lab.IDK_COLUMN, lm_lab.WHOLE_COLUMN
base_row, sft_row, dpo_row = table.iloc[0], table.iloc[1], table.iloc[2]
points = [
    f"For **{name}**, the base model continues \u201c{base_row['prompt']}\u201d with \u201c{base_row['answer']}"
    f"\u201d; asked the question, SFT answers \u201c{sft_row['answer']}\u201d and DPO \u201c{dpo_row['answer']}"
    f"\u201d. The probability that the answer starts with \u201cI\u201d (don't know) is **{dpo_row[IDK]:.3f}** "
    f"after DPO against {sft_row[IDK]:.3f} after SFT.",
]
if facts.is_abstention(dpo_row["answer"]) and dpo_row[WHOLE] < 0.9 * dpo_row[IDK]:
    points.append(f"DPO's whole answer has probability {dpo_row[WHOLE]:.3f} although its first word has "
                  f"{dpo_row[IDK]:.3f}: deciding to abstain is one token, and the rest of the sentence (copying the "
                  f"country's name piece by piece) spreads the probability over several spellings.")
if any(lm_lab.name_garbled(name, a) for a in table["answer"]):
    points.append(f"An answer that spells {name} differently is the model, not the app: the tiny model copies the "
                  f"name from the question token by token and can garble one it never saw.")
points.append(
    f"On the held-out invented names the SFT checkpoint names a capital "
    f"**{ev['gpt_sft']['qa']['capital']['hallucination_rate']:.0%}** of the time, the DPO checkpoint "
    f"**{ev['gpt_dpo']['qa']['capital']['hallucination_rate']:.0%}**, while DPO still gets "
    f"**{ev['gpt_dpo']['qa']['accuracy_seen5_capital']:.0%}** of the well-known held-out capitals right "
    f"(SFT: {ev['gpt_sft']['qa']['accuracy_seen5_capital']:.0%}). The base model, given \u201cThe capital of X "
    f"is\u201d, never says it does not know "
    f"({ev['gpt_base']['hallucination_by_temperature']['0.0']:.0%} of invented names get an answer).")
ui.what_to_notice(points + notice)

ui.quiz(PAGE, [
    {"q": "Which stage uses most of the compute for a model like InstructGPT?",
     "options": ["Pre-training on web text", "Supervised finetuning on demos", "Preference finetuning with PPO"],
     "answer": 0,
     "why": "About 98% went to pre-training; post-training is cheap in compute but expensive in human labour."},
    {"q": "What does DPO need that SFT does not?",
     "options": ["A separately trained reward model", "Pairs with one answer preferred",
                 "Much more pre-training text"], "answer": 1,
     "why": "DPO learns from comparisons directly; RLHF would first train a reward model on them."},
    {"q": "After DPO the model says \u201cI don't know\u201d about some real countries it saw only twice. Why?",
     "options": ["The tokenizer cannot split their rare names", "Abstaining was rewarded where knowledge is weak",
                 "DPO removed rare words from the vocabulary"], "answer": 1,
     "why": "Abstaining is right for invented names and over-cautious for rare ones: the trade-off between caution "
            "and helpfulness."},
])
ui.references([
    ("Chip Huyen, AI Engineering (O'Reilly, 2025), chapter 2: post-training", None),
    ("Ouyang et al. 2022, Training language models to follow instructions with human feedback (InstructGPT)",
     "https://arxiv.org/abs/2203.02155"),
    ("Rafailov et al. 2023, Direct Preference Optimization", "https://arxiv.org/abs/2305.18290"),
    ("Touvron et al. 2023, Llama 2 (costs of comparisons)", "https://arxiv.org/abs/2307.09288"),
])
from lib.train import dpo as _dpo  # noqa: E402  (for the code expander only)

ui.show_code(_dpo.dpo_loss, _dpo.train)
