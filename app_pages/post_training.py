"""Post-training: pre-training, supervised finetuning and preference finetuning, with the tiny GPT's three real
checkpoints side by side and a live DPO run on the session's own copy of the model. Computed by
lib/lessons/post_training.py."""
import pandas as pd
import streamlit as st

from lib import ui
from lib.charts import lm as lmcharts
from lib.data import facts
from lib.lessons import post_training as L
from lib.models.lm import CHECKPOINTS, load_report
from lib.models.probes import name_garbled

PAGE = "pt"
BETAS = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
LRS = [1e-4, 3e-4, 1e-3, 3e-3]
DEFAULTS = {"pt_beta": 0.1, "pt_steps": 30, "pt_lr": 1e-3, "pt_stabilise": True}
LIVE = "pt_live"  # session_state key of this session's own tuned model and its results

ui.header("Post-training",
          "Pre-training teaches a model what text looks like; supervised finetuning teaches it to answer; preference "
          "finetuning teaches it which answers people prefer, including \u201cI don't know\u201d.")
ui.bind_url(DEFAULTS, options={"pt_beta": BETAS, "pt_lr": LRS}, bounds={"pt_steps": (5, 100)})
with ui.model_guard():
    rep = ui.memo(load_report)
    for key in CHECKPOINTS:
        ui.cached_model(key)
shipped = L.shipped(rep)

# ---------------------------------------------------------------------------------------------- 1. the pipeline
st.header("1. Three stages, three kinds of data")
ex, sets = rep["data_examples"], rep["probe_sets"]
n_sent, n_demo, n_pairs = ui.memo(L.data_counts, rep["settings"]["seed"], tuple(sets["invented_tune"]))
cols = st.columns(3)
with cols[0]:
    st.subheader("Pre-training")
    st.markdown(f"**{n_sent:,} sentences** about {len(facts.COUNTRIES)} real countries, some stated 50 times, "
                f"some twice, and {facts.N_PEOPLE:,} made-up people ({rep['pretrain_tokens']:,} tokens). "
                "Next-token prediction.")
    st.code("\n".join(ex["pretraining"][:3]), language=None, wrap_lines=True)
with cols[1]:
    st.subheader("Supervised finetuning")
    st.markdown(f"**{n_demo:,} demonstrations**: a question and a good answer, about {len(sets['tune_countries'])} of "
                f"the real countries (the other {len(sets['heldout_countries'])} are held out). They always answer.")
    st.code("\n\n".join(p + a for p, a in ex["sft"][:2]), language=None, wrap_lines=True)
with cols[2]:
    st.subheader("Preference finetuning")
    st.markdown(f"**{n_pairs:,} preference pairs**: the same prompt, a preferred and a rejected answer. For "
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
    costs = ui.memo(L.costs)
    ui.dataframe(costs)

# --------------------------------------------------------------------------------------- 2. same prompt, 3 models
st.header("2. The same question to all three checkpoints")
st.markdown("Each checkpoint is asked the way it was measured in the build report: the **base** model was only "
            "pre-trained and never saw a question, so it gets the completion prompt \u201cThe capital of X is\u201d; "
            "**SFT** and **DPO** get the question format they were finetuned on.")
labels = {o.split(" (")[0]: o for o in L.country_options(rep)}  # the URL keeps the name, the list shows the label
with ui.model_guard():
    default_country = ui.memo(L.default_option)
ui.bind_url({"pt_country": default_country}, options={"pt_country": list(labels)})
name = st.selectbox("Ask about", list(labels), format_func=labels.get, key="pt_country")
with ui.model_guard(), st.spinner("Asking the three checkpoints..."):
    table = ui.memo(L.compare, name)
st.markdown(f"Prompts: base `{table.iloc[0]['prompt']}`; SFT and DPO `{table.iloc[1]['prompt']}`")
numbers = [c for c in table.columns if c.startswith("p(")]
ui.dataframe(table.drop(columns=["prompt"]), placeholder="\u2013",
             column_config={"answer": st.column_config.TextColumn(width="medium"),
                            **{c: st.column_config.NumberColumn(c.replace("p(first word ", "p(starts "), width="small",
                                                                format="%.3f") for c in numbers}})
st.caption(f"\u2013: not measured ({L.ANSWER_COLUMN} needs the question format, which the base model never saw"
           + ("" if facts.BY_NAME.get(name) else f"; {name} is invented, so there is no correct answer") + ").")
ui.chart(ui.memo(L.compare_spec, table, name, ui.projector()))
ui.prose(f"*{L.WHOLE_COLUMN}* multiplies the probabilities of every token of the answer, the copied country name "
         f"included; *{L.IDK_COLUMN}* is the probability of the first token alone, the moment the model decides to "
         f"abstain or to answer; *{L.ANSWER_COLUMN}* is the first token of \u201cThe capital of ... is\u201d (question "
         f"format only). SFT answers every question, known or not: its demonstrations always answered. DPO moved "
         f"probability to \u201cI don't know\u201d where the model has no knowledge to draw on. "
         + ui.memo(L.caution_of))

if "heldout" in rep.get("evaluation", {}):
    with st.expander("Does \u201cI don't know\u201d generalise? Names and questions it never saw"):
        gens = rep["evaluation"]["heldout"]["generators"]
        abstain, known = L.heldout_tables(rep)
        st.markdown("DPO was tuned on invented names from its own generators (programs that make up names) and on "
                    + ", ".join(f"{len(v)} phrasings of the {k} question" for k, v in facts.TRAIN_QUESTIONS.items())
                    + ". Here it is asked about 40 names from each of three generators "
                    "no training data used ("
                    + "; ".join(f"*{g}*: {', '.join(gens[g][:3])}" for g in abstain.columns[1:-1])
                    + ") in four phrasings it never saw, inside the same `Question: ...` frame. Every greedy answer "
                    "is classified as a capital, an abstention or neither. The targets below are this project's bar "
                    f"for calling the lesson general: abstain on {L.TARGET_ABSTAIN:.0%} of invented names, keep "
                    f"{L.TARGET_KNOWN:.0%} of well-known capitals, copy {L.TARGET_COPY:.0%} of names exactly.")
        pct = {c: st.column_config.NumberColumn(format="%.0f%%") for c in (*abstain.columns, *known.columns)
               if c != "phrasing"}
        st.markdown("**DPO abstains on invented names** (share of 40 names per generator)")
        ui.dataframe(abstain, column_config=pct)
        st.markdown("**DPO gets well-known capitals right** (real countries seen 5+ times in pre-training)")
        ui.dataframe(known, column_config=pct)
        st.caption("Greedy answers of the shipped DPO checkpoint; \u201c(trained)\u201d is one of the "
                   f"{len(facts.TRAIN_QUESTIONS['capital'])} capital phrasings of its finetuning data; the other four "
                   "are in no training data. Measured when the models were built (assets/models/REPORT.md).")
        notes = L.heldout_notices(L.heldout_numbers(rep, ui.memo(L.heldout_before)))
        st.markdown("\n".join(f"- {x}" for x in notes))

# ------------------------------------------------------------------------------------------------- 3. live DPO
st.header("3. Run DPO yourself")
st.markdown("The loss used here (and for the shipped DPO checkpoint) is **DPO plus two stabilising terms**:")
st.latex(r"L = -\log\sigma\Big(\beta\big[\log\tfrac{\pi(y_w|x)}{\pi_{ref}(y_w|x)} - "
         r"\log\tfrac{\pi(y_l|x)}{\pi_{ref}(y_l|x)}\big]\Big) + 2\,\mathrm{NLL}(y_w|x) + "
         r"2\,\mathrm{LM}(\text{pre-training text})")
ui.prose(
    "$y_w$ is the preferred answer, $y_l$ the rejected one, $\\pi_{ref}$ the frozen SFT model. Plain DPO breaks a "
    "model this small: the cheapest way to make the rejected answer unlikely is to push down the first answer token "
    "everywhere, and the correct answers die with it. The supervised term (NLL) keeps the preferred answers likely; "
    "the language-modelling term keeps the facts learned in pre-training. One more change: the DPO term compares the "
    "two answers only up to the first token where they differ (\u201cI\u201d against \u201cThe\u201d, or the right "
    "capital against a wrong one); scoring the rest of a fabricated answer would also teach the model not to copy a "
    "country's name or write a real capital. Untick the box to run plain DPO and watch the damage.")
c1, c2, c3, c4 = st.columns(4)
beta = c1.select_slider("\u03b2 (how far from the SFT model)", BETAS, key="pt_beta")
steps = c2.slider("Steps (8 pairs each)", 5, 100, step=5, key="pt_steps")
lr = c3.select_slider("Learning rate", LRS, key="pt_lr", format_func=lambda v: f"{v:g}")
stabilise = c4.checkbox("Stabilising terms", key="pt_stabilise")
ui.warm_up_training()  # the first click of the process does not pay torch's one-off set-up
ui.warm_up_memo(L.live_inputs, L.live_settings(beta, steps, lr, stabilise).scope)  # the pairs: ready for the press
if st.button("Run DPO on my own copy of the SFT model", type="primary", icon=":material/play_arrow:"):
    settings = L.live_settings(beta, steps, lr, stabilise)
    with ui.model_guard(), st.spinner("Preparing the preference pairs (once per server)..."):
        inputs = ui.memo(L.live_inputs, settings.scope)
    progress = st.progress(0.0, text="Training...")
    live_chart = st.empty()
    seen: list[dict] = []

    def report_step(step: int, metrics: dict) -> None:
        seen.append({"step": step, **metrics})
        progress.progress(step / settings.steps, text=f"Step {step} of {settings.steps}: loss {metrics['loss']:.3f}")
        if step % 10 == 0 and step < settings.steps:
            with live_chart.container():
                ui.chart(L.progress_chart(pd.DataFrame(seen), ui.projector()))
        if step == settings.steps:
            progress.progress(1.0, text="Asking the tuned model about the held-out countries...")

    st.session_state.pop(LIVE, None)  # release the previous run's model first
    st.session_state[LIVE] = L.run_live_dpo(inputs, settings, report_step)
    progress.empty()
    live_chart.empty()

live = st.session_state.get(LIVE)
live_numbers = None
if live is not None:
    s = live.settings
    loss_chart, reward_chart, ranked_chart = L.live_charts(pd.DataFrame(live.history), ui.projector())
    left, right = ui.columns(2)
    with left:
        ui.chart(loss_chart)
    with right:
        ui.chart(reward_chart)
    ui.chart(ranked_chart)
    ui.chart(lmcharts.grouped_rates(L.scores_frame(live.before, live.after), "measure", "rate", "model",
                                    y_title="share of held-out questions", horizontal=True, projector=ui.projector())
             .properties(title="Before and after your run (held-out names only)"))
    st.caption(f"{s.steps} steps of {s.batch_pairs} pairs, \u03b2 = {s.beta:g}, learning rate {s.lr:g}, "
               f"{'with' if s.sft_weight else 'without'} the stabilising terms: {live.seconds:.1f} s (training and "
               f"the questions after it).")
    first, last = live.history[0], live.history[-1]
    live_numbers = L.Live(s.steps, s.batch_pairs, first["loss"], last["loss"], first["reward_margin"],
                          last["reward_margin"], live.before, live.after)
else:
    default_pairs = DEFAULTS["pt_steps"] * L.live_settings(0.1, DEFAULTS["pt_steps"], 1e-3, True).batch_pairs
    st.info(f"Press the button: {DEFAULTS['pt_steps']} steps take a few seconds. The shipped DPO checkpoint was "
            f"trained the same way for {shipped.dpo_steps} steps of {shipped.dpo_batch} pairs, "
            f"{shipped.dpo_steps * shipped.dpo_batch / default_pairs:.0f} times as many pairs as the default run.")

rows = [L.Row(r["prompt"], r["answer"], r[L.WHOLE_COLUMN], r[L.IDK_COLUMN]) for _, r in table.iterrows()]
ui.what_to_notice(L.notices(name, *rows, facts.is_abstention(rows[2].answer),
                            any(name_garbled(name, a) for a in table["answer"]), shipped, live_numbers))
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
ui.show_code(L.compare_answers, L.run_live_dpo, L.dpo.dpo_loss, L.dpo.train, L.notices, L.heldout_frame,
             L.heldout_tables, L.heldout_notices)
