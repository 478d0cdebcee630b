"""Transfer learning (ULMFiT, live): a language model pre-trained on unlabelled text, then a classifier fine-tuned on a
few labels, against the same network from scratch; and stage 2 (language-model fine-tuning) on the user's own text."""
import pandas as pd
import streamlit as st

from lib import ui
from lib.charts import transfer as tcharts
from lib.lessons import transfer_learning as tl

PAGE = "tl"
LIVE = "tl_runs"       # session_state: this session's runs of the main demo (a list of tl.LiveRun)
STAGE2 = "tl_stage2"   # session_state: this session's stage-2 result and its two models
DEFAULTS = {"tl_n": 32, "tl_seed": 0, "tl_tricks": "as fixed on validation"}
ui.header("Transfer learning",
          "A language model pre-trained on plenty of unlabelled text already knows much of what a task needs: "
          "fine-tuned on a few labelled examples, it does as well as the same network trained from scratch on several "
          "times as many. "
          "This is ULMFiT (Howard & Ruder 2018), the lecture's second innovation.")
ui.bind_url(DEFAULTS, options={"tl_n": list(tl.NS), "tl_tricks": list(tl.TRICKS)}, bounds={"tl_seed": (0, 9)})

try:
    report = ui.memo(tl.load_report)
except tl.ReportMissing as exc:
    st.error(f"**The precomputed curve is missing.** {exc}. Run this in the project folder, then reload the page:",
             icon=":material/error:")
    st.code("python -m lib.train transfer", language="bash")
    st.stop()

# ------------------------------------------------------------------------------------------- 1. three stages
st.header("1. ULMFiT's three stages, on our own models")
cards = tl.stage_cards(report)
for col, card in zip(ui.columns(3), cards):
    with col:
        with st.container(border=True):
            st.markdown(f"**{card['stage']}**")
            st.markdown(f"*Learns from:* {card['data']}  \n*Learns:* {card['learns']}")
            st.caption(f"Here: {card['here']}")
ui.prose("In 2018 this was new: text classifiers were trained from scratch, one per task, on tens of thousands of "
         "labelled examples. Howard and Ruder pre-trained an LSTM language model on 103 million words of Wikipedia, "
         "fine-tuned it on the target text, then trained a classifier on top, and matched models trained on 100x "
         "more labels. Every foundation model is used this way: pre-train once, adapt cheaply.")

# ------------------------------------------------------------------------------------------- 2. the main demo
st.header("2. Accuracy against the number of labels")
t = report["task"]
st.markdown(
    "**The task:** is a sentence a real fact-world sentence, or the same words shuffled? The capital letter and the "
    "full stop are restored, so only the **order of the words** gives it away. The labelled examples come from "
    f"{t['labelled_countries']} countries; the tests use **{len(t['test_countries'])} countries never in a labelled "
    "example** and sentences built on **invented names** (never in any training text), so the model cannot pass by "
    "recognising sentences it read in pre-training.")
ex = pd.DataFrame(report["task"]["examples"][:6])
ex["label"] = ex["label"].map({1: "real", 0: "shuffled"})
ui.dataframe(ex)

c1, c2, c3 = ui.columns([2, 1, 2])
n = c1.select_slider("Labelled examples N", list(tl.NS), key="tl_n")
seed = c2.number_input("Seed", min_value=0, max_value=9, step=1, key="tl_seed",
                       help="Which labelled examples are drawn and how the new weights start.")
tricks = c3.selectbox("Fine-tuning recipe", list(tl.TRICKS), key="tl_tricks",
                      help="ULMFiT's two tricks: discriminative learning rates (each layer down learns 2.6x slower) "
                           "and gradual unfreezing (the head trains alone first, then the layers below join). The "
                           "build tried both on the validation sets and kept them where they helped.")
ui.warm_up_training()  # the first click of the process does not pay torch's one-off set-up
run = st.button(f"Train all three on {n} labels", type="primary", icon=":material/play_arrow:", key="tl_run")

# one container whether or not the button was pressed: the elements below keep their places, so the
# expander further down stays open across a run
with st.container():
    if run:
        with ui.model_guard():
            lm = ui.cached_model("char_lstm")
        bars = {m: st.progress(0.0, text=f"{tl.METHOD_NAMES[m]}: waiting") for m in tl.METHODS}

        def on_step(method: str, step: int, steps: int) -> None:
            if step % 10 == 0 or step == steps:
                bars[method].progress(step / steps, text=f"{tl.METHOD_NAMES[method]}: step {step} of {steps}")

        live, cached = tl.live_run_shared(lm, report, int(n), int(seed), tricks, on_step)
        for bar in bars.values():
            bar.empty()
        runs = st.session_state.setdefault(LIVE, [])
        runs.append(live)
        del runs[:-30]  # keep the last 30 runs of this session
        if cached:
            st.caption("This exact run (same N, seed and recipe) was already made on this server: its result is "
                       "shown.")

runs = st.session_state.get(LIVE, [])
curve = ui.memo(tl.curve_frame_of)
mine = tl.runs_frame(runs)
for col, test_set in zip(ui.columns(2), tl.TEST_SETS.values()):
    with col:
        ui.chart(ui.memo(tl.accuracy_spec, mine, test_set, ui.projector()))
st.caption("Lines: the precomputed curve (`python -m lib.train transfer`, mean of seeds 0, 1, 2). Open circles: your "
           "runs. Dashed: chance (50%).")
latest = runs[-1] if runs else None
if latest is not None:
    table = pd.DataFrame([{"model": tl.METHOD_NAMES[m], **{lab: latest.scores[m][s] for s, lab in tl.TEST_SETS.items()},
                           "training s": latest.seconds[m], "recipe": latest.recipes[m]} for m in latest.scores])
    ui.dataframe(table, column_config={**{lab: st.column_config.NumberColumn(format="percent")
                                          for lab in tl.TEST_SETS.values()},
                                       "training s": st.column_config.NumberColumn(format="%.1f")})
else:
    st.info("Press the button: at N = 32 the three models train in a few seconds on one CPU thread.")
with st.expander("The precomputed curve: every N, both test sets, and how the recipes were fixed"):
    tab = ui.memo(tl.curve_table_of)
    ui.dataframe(tab, column_config={c: st.column_config.NumberColumn(format="percent") for c in tab.columns
                                     if c != "N labels"})
    grid = report.get("lr_grid", {})
    st.markdown(
        "Each method's learning rate, steps and switches (ULMFiT's two tricks; the word-surprisal readout, see "
        "below) were chosen **on the validation sets** (other countries and other "
        f"invented names; seed {', '.join(map(str, report.get('tune_seeds', [])))}; at N = "
        f"{', '.join(map(str, report.get('tune_ns', [])))}, the N between using the nearest one below) before any "
        "test number was computed. Learning rates tried: "
        + "; ".join(f"{tl.METHOD_NAMES[m]} {', '.join(f'{x:g}' for x in v)}" for m, v in grid.items())
        + f". From scratch also tried {max(report.get('step_multiples', {}).get('scratch', [1]))}x the steps, so a "
        "stalled baseline cannot fake the gap. Chosen: "
        + "; ".join(f"{tl.METHOD_NAMES[k.split('/')[0]]} at N = {k.split('/')[1]}: {tl.recipe_text(v['recipe'])}"
                    for k, v in tl.chosen_in_order(report["chosen"])) + ".")
    st.markdown(
        "**The word-surprisal readout**, a switch every method was offered: besides the pooled hidden states, the "
        "head reads the language model's own next-character predictions, its mean surprisal (-log p) at the first "
        "letter of each word: how unexpected the next word is. Pre-trained, that is a measure of word order the "
        "model learnt from unlabelled text; from scratch, the same layer starts random and learns only from the "
        "labels. Chosen for: "
        + (", ".join(tl.METHOD_NAMES[m] for m in tl.METHODS if tl.uses_word_surprisal(report, m)) or "none") + ".")
    if note := tl.grid_edge_note(report):
        st.caption(note)
    st.markdown(ui.memo(tl.multiples_text))

# ------------------------------------------------------------------------------------- 3. stage 2 on your text
st.header("3. Stage 2 on your own text")
st.markdown(
    f"Paste a paragraph (a poem, lecture notes, a page of a story: **{tl.MIN_CHARS} to {tl.MAX_CHARS:,} "
    "characters**, mostly English letters). The page fine-tunes **a copy** of the pre-trained char LSTM on it and "
    f"trains a **fresh** one for the same {tl.STAGE2_RUN.steps} steps, measuring both on the last fifth of your text, "
    "which neither trains on.")
def _use_sample() -> None:
    st.session_state["tl_text"] = tl.SAMPLES[st.session_state["tl_sample"]]


ui.bind_url({"tl_sample": next(iter(tl.SAMPLES))}, options={"tl_sample": list(tl.SAMPLES)})
# the text's default is the chosen sample's text, so a link with only tl_sample opens on that sample's text
ui.bind_url({"tl_text": tl.SAMPLES[st.session_state["tl_sample"]]})
st.radio("Start from a sample (then edit it, or paste your own)", list(tl.SAMPLES), key="tl_sample",
         horizontal=True, on_change=_use_sample)
raw = st.text_area("Your text", height=180, key="tl_text")
text = ui.clean_text(raw, tl.MAX_CHARS * 5, label="text")
with ui.model_guard():
    lm = ui.cached_model("char_lstm")
check = tl.check_text(text, tl.known_alphabet(lm))
if not check.ok:
    st.warning(check.message, icon=":material/edit_note:")
elif check.known_share < 0.97:
    st.caption(f"{1 - check.known_share:.0%} of your characters are outside the model's alphabet (for example "
               f"{' '.join(check.unknown[:8])}); it reads each of them as one unknown symbol.")
go = st.button("Fine-tune a copy and train a fresh model", icon=":material/model_training:", key="tl_stage2_run",
               disabled=not check.ok)
if go and check.ok:
    progress = st.progress(0.0, text="Starting...")
    live_chart = st.empty()
    points: list[dict] = []

    def on_lm_step(label: str, step: int, steps: int, bpc) -> None:
        first = label.startswith("pre")
        progress.progress((step if first else steps + step) / (2 * steps), text=f"{label}: step {step} of {steps}")
        if bpc is not None:
            points.append({"model": label, "step": step, "heldout_bpc": bpc})
            if step % 30 == 0 or step == steps:
                with live_chart.container():
                    ui.chart(tcharts.bpc_curves(pd.DataFrame(points), steps=steps, projector=ui.projector()))

    st.session_state.pop(STAGE2, None)  # release the previous run's models first
    result, tuned, fresh = tl.stage2(lm, check.text, progress=on_lm_step)
    progress.empty()
    live_chart.empty()
    st.session_state[STAGE2] = {"result": result, "tuned": tuned, "fresh": fresh}

s2 = st.session_state.get(STAGE2)
if s2 is not None:
    res = s2["result"]
    ui.chart(tcharts.bpc_curves(res.curves, steps=res.steps, projector=ui.projector()))
    ui.prose("Our char LSTM read nothing but sentences about 123 countries. On text like that (the first sample) "
             "it starts far ahead of a fresh model and stays ahead. On other English it is *confidently wrong*: it "
             "gives words it never read almost no probability, so it starts behind and has to unlearn before it "
             "learns. ULMFiT's language model read 103 million words of Wikipedia, broad enough that most text is "
             "\u201clike what it read\u201d. What pre-training buys depends on what it was trained on.")
    st.caption(f"{res.train_chars:,} characters to train on, {res.heldout_chars:,} held out; {res.steps} steps of "
               f"{tl.STAGE2_RUN.batch} windows of {tl.STAGE2_RUN.seq_len} characters, each model; {res.seconds:.1f} s "
               "in all.")
    ui.bind_url({"tl_prompt": "The "})
    prompt_raw = st.text_input("Let both continue this prompt", key="tl_prompt", max_chars=200)
    prompt = tl.prompt_for_continuation(ui.clean_text(prompt_raw, 200, label="prompt"), check.text,
                                        tl.known_alphabet(lm))
    left, right = ui.columns(2)
    for col, label, model in ((left, "Pre-trained, fine-tuned", s2["tuned"]), (right, "Fresh, same steps", s2["fresh"])):
        with col:
            st.markdown(f"**{label}**")
            st.code(prompt + tl.continue_text(model, prompt), language=None, wrap_lines=True)

# ---------------------------------------------------------------------------------- 4. the bridge to prompting
st.header("4. From a classifier head to a prompt")
b = report["bridge"]
with st.container(border=True):
    gpt = "not measured (the tiny GPT is not built)" if b["gpt_prompt"] is None else f"{b['gpt_prompt']:.0%}"
    st.markdown(
        f"**Which continent is a country in?** Measured on the {b['test_countries']} test countries:\n\n"
        f"- the tiny GPT, prompted \u201cPeru is a country in\u201d (each test country in Peru's place): "
        f"**{gpt}** right, with no labels at all;\n"
        f"- our char LSTM, prompted the same way: **{b['char_lstm_prompt']:.0%}**;\n"
        f"- a classifier head on the char LSTM, fine-tuned on {b['heads'][0]['labels']} labelled sentences that do "
        f"not name the continent: **{b['head_finetune']:.0%}** (frozen probe: {b['head_probe']:.0%});\n"
        f"- always answering the most common continent: {b['chance']:.0%}.")
    ui.prose("ULMFiT adapted a model to a task by training a new head. Foundation models made a second way common: "
             "the pre-trained model already writes text, so a task can be asked for in words (a prompt), with no "
             "new weights at all. Post-training then teaches the model to follow such requests.")
    lc, rc = ui.columns(2)
    lc.page_link("app_pages/post_training.py", label="Post-training: teaching a model to answer",
                 icon=":material/school:")
    rc.page_link("app_pages/sampling_hallucination.py", label="Sampling: how a prompt's answer is drawn",
                 icon=":material/casino:")

# ---------------------------------------------------------------------------------------------- what to notice
ui.what_to_notice(tl.notices(report, latest, s2["result"] if s2 else None))

ui.quiz(PAGE, [
    {"q": "Why does the pre-trained model need fewer labels than the same network from scratch?",
     "options": ["Its pre-training already taught it which word orders are normal",
                 "Its classifier head has more parameters to fit the labels",
                 "It was trained on the test countries' labelled examples"],
     "answer": 0,
     "why": "Predicting the next character on unlabelled text taught it how sentences go; the labels only have to "
            "point the head at that. The head is the same size, and no test country is ever labelled."},
    {"q": "Why is one test set built on invented country names?",
     "options": ["To make the test harder than the training examples are",
                 "Because the real countries ran out of labelled sentences",
                 "To check the model is not just recognising sentences it read"],
     "answer": 2,
     "why": "Every real sentence was in the pre-training text; invented names never were, so a high score there "
            "means the model learned word order, not a list of sentences."},
    {"q": "What makes the from-scratch baseline a fair comparison?",
     "options": ["The same learning rate and steps as the pre-trained model",
                 "Its own learning rate and steps, chosen on validation data",
                 "Twice the labelled examples of the pre-trained model"],
     "answer": 1,
     "why": "A random network usually needs a larger learning rate and more steps; giving it the fine-tuning "
            "recipe would stall it and fake a gap. Choosing on validation keeps the test numbers honest."},
])
ui.references([
    ("Howard & Ruder 2018, Universal Language Model Fine-tuning for Text Classification (ULMFiT)",
     "https://arxiv.org/abs/1801.06146"),
    ("Tunstall, von Werra & Wolf 2022, Natural Language Processing with Transformers (O'Reilly), chapter 1", None),
    ("Chip Huyen, AI Engineering (O'Reilly, 2025), chapter 2", None),
])
from lib.models import classifier as _clf  # noqa: E402  (for the code expander only)
from lib.train import transfer_train as _tt  # noqa: E402

ui.show_code(_clf.CharClassifier, _tt.train_classifier, tl.live_run, tl.stage2, _tt.finetune_lm, tl.check_text,
             tl.notices, tl.curve_notices, tl.live_notices, tl.stage2_notices)
