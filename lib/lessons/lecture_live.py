"""The lecture's live elements: ONE function per slide id (lib/lessons/lecture.py), each returning a `Live` (a
finished chart spec and its data, an SVG picture, a model's answer, and the numbers that `lecture.notices` turns into
"the number it measured").

This is the adapter layer: every function calls the lesson module of the slide's "go deeper" page
(lib/lessons/<page>.py), so a slide shows what its page computes, and where the page writes the slide's number
(no data, no translation; the transfer curve) the slide says the page's own sentence. Models are never loaded
here: the lessons load them through lib.models.registry, whose per-process cache is also what ui.cached_model
returns, so the slides and the pages share one copy of each model. Keep the functions tiny.

Arguments are hashable (a projector flag, a slider value) so the page caches each result with ui.memo. Heavy
imports (torch, transformers) happen inside the functions that need them: the page opens fast on a title slide.
No Streamlit here."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pandas as pd

from lib.lessons import lecture as L


@dataclass
class Live:
    kind: str = "none"                 # "chart", "svg", "answer" (markdown), "metrics", "quote", "list", "none"
    spec: dict | None = None           # a finished Vega-Lite spec (kind "chart")
    data: pd.DataFrame | None = None   # the chart's data (CSV download) or the answer's table
    svg: str = ""                      # kind "svg"
    text: str = ""                     # kind "answer": markdown
    metrics: tuple[tuple[str, str], ...] = ()  # kind "metrics": (label, value)
    numbers: dict = field(default_factory=dict)   # what notices() reads
    settings: dict = field(default_factory=dict)  # extra query parameters for "go deeper"


# a chart's TOTAL height in px (Streamlit fits title, axes and legend into it): on a 1280x720 projector screen the
# slide's title, point, number and buttons take about 380 px
PROJECTOR_CHART = 290
LAPTOP_CHART = 400


def _height(projector: bool, projector_px: int = PROJECTOR_CHART) -> int:
    return projector_px if projector else LAPTOP_CHART


def _finish(chart, projector: bool, height: int | None = None, legend_right: bool = False) -> dict:
    """The finished spec (house style), with a total height and, to save height, legends moved to the right."""
    from lib import charts

    spec = charts.finished_spec(chart, projector)
    if height is not None:
        spec["height"] = height
    if legend_right and projector:
        _legends_right(spec)
    return spec


def _x_axis(spec: dict, axis: dict) -> None:
    """Set the x axis of a spec (single or layered: every layer that draws a quantitative x)."""
    for node in [spec, *spec.get("layer", [])]:
        x = node.get("encoding", {}).get("x")
        if x and x.get("title"):
            x["axis"] = {**(x.get("axis") or {}), **axis}


def _legends_right(node) -> None:
    if isinstance(node, dict):
        legend = node.get("legend")
        if isinstance(legend, dict) and legend.get("orient") in ("bottom", "top"):
            legend["orient"] = "right"
            legend.pop("columns", None)
            legend.pop("direction", None)
        for v in node.values():
            _legends_right(v)
    elif isinstance(node, list):
        for v in node:
            _legends_right(v)


def _timeline() -> pd.DataFrame:
    from lib.lessons import home

    return home.timeline()


# ------------------------------------------------------------------------------------------------- the slides
def agenda(projector: bool) -> Live:
    from lib import site

    by_section = {sec: [p for p in pages if p.url_path != "lecture"] for sec, pages in site.pages_by_section().items()}
    by_section = {sec: pages for sec, pages in by_section.items() if pages}
    items = tuple((sec, ", ".join(p.title for p in pages)) for sec, pages in by_section.items())
    return Live("metrics", metrics=items,
                numbers={"pages": sum(len(p) for p in by_section.values()), "sections": len(by_section)})


def ml_to_fm(projector: bool) -> Live:
    from lib.lessons import home

    g = home.parameter_growth(home.models())
    return Live("metrics", metrics=((f"{g.first} \u2192 {g.last}", home.times(g.ratio)),
                                    ("growth per year", f"{g.per_year:.1f}x"),
                                    ("doubling time", f"{g.doubling_months:.0f} months")),
                numbers=vars(g))


# the seq2seq page's models, as that page names them (seq2seq_eval.model_label)
NO_ATTENTION, WITH_ATTENTION = "seq2seq_wide", "seq2seq_attn"


def _seq2seq_frames() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The seq2seq page's tables: exact match by length from the training report, the same beyond the longest
    training sentence, and the models' labels."""
    from lib.lessons import seq2seq_bottleneck as S

    return S.report_table_of(), S.beyond_of(), S.labels_of()


def innovations(projector: bool) -> Live:
    from lib.data import translation as tr
    from lib.lessons import seq2seq_bottleneck as S

    df, _beyond, names = _seq2seq_frames()
    bucket = tr.BUCKETS[-1]
    without, with_ = S.exact(df, names[NO_ATTENTION], bucket), S.exact(df, names[WITH_ATTENTION], bucket)
    return Live("metrics", metrics=((f"Attention: exact match, {bucket}-word sentences",
                                     f"{without:.0f}% \u2192 {with_:.0f}%"),
                                    ("Transfer learning", "pre-train, then adapt")),
                numbers={"bucket": bucket, "without": without, "with": with_})


def timeline(projector: bool) -> Live:
    from lib import charts
    from lib.lessons import home

    df = _timeline()
    chart = charts.timeline(df, projector=projector)
    g = home.parameter_growth(home.models())
    spec = _finish(chart, projector, _height(projector, 310), legend_right=True)
    return Live("chart", spec=spec, data=df,
                numbers={"models": int(df["parameters"].notna().sum()), "doubling_months": g.doubling_months})


def quote(projector: bool) -> Live:
    return Live("quote")


RNN_STEP = 26  # reads the "P" of "Paris"


def rnn(projector: bool, step: int = RNN_STEP) -> Live:
    """The LSTM unrolled over lecture.RNN_TEXT around `step` (0 = the last character)."""
    from lib.charts import sequence as sc
    from lib.lessons import rnn_unrolling as R

    u = R.unroll_of(L.RNN_CELL, L.RNN_TEXT)
    k = (u.steps if step <= 0 else min(step, u.steps)) - 1
    labels = [R.show_char(c) for c in u.chars]
    top1 = [R.show_char(row[0]) for row in u.top_chars]
    svg = sc.unrolled(labels, top1, u.top_probs[:, 0], step=k, cell_label="LSTM", window=7 if projector else 9,
                      projector=projector)
    nxt = u.chars[k + 1] if k + 1 < u.steps else None
    return Live("svg", svg=svg, numbers={
        "step": k + 1, "steps": u.steps, "read": labels[k], "guess": top1[k], "guess_p": float(u.top_probs[k, 0]),
        "next": R.show_char(nxt) if nxt is not None else None,
        "next_p": float(u.next_prob[k]) if nxt is not None else None},
        settings={"rnn_step": k + 1})


def seq2seq(projector: bool) -> Live:
    """Exact match by length from the seq2seq page: the training report's held-out lengths, and beyond them."""
    from lib.charts import sequence as sc
    from lib.data import translation as tr
    from lib.lessons import seq2seq_bottleneck as S
    from lib.models.seq2seq_eval import BEYOND, TRAINED_UP_TO

    df, beyond, names = _seq2seq_frames()
    both = pd.concat([df, beyond], ignore_index=True)
    chart = sc.accuracy_by_length(both, order=[*tr.BUCKETS, *BEYOND]).properties(
        title=f"Exact match on held-out sentences (beyond {TRAINED_UP_TO} words: never trained on)")
    short, long = tr.BUCKETS[0], tr.BUCKETS[-1]
    no, att = names[NO_ATTENTION], names[WITH_ATTENTION]
    return Live("chart", spec=_finish(chart, projector, _height(projector), legend_right=True), data=both, numbers={
        "model": no, "short_bucket": short, "long_bucket": long,
        "short": S.exact(df, no, short), "long": S.exact(df, no, long),
        "trained_up_to": TRAINED_UP_TO, "beyond_buckets": tuple(BEYOND), "attention": att,
        "att_long": S.exact(df, att, long), "att_beyond": tuple(S.exact(beyond, att, b) for b in BEYOND)})


TIMING_LENGTHS = (8, 32, 128, 512)


def two_problems(projector: bool) -> Live:
    from lib.charts import sequence as sc
    from lib.lessons import seq2seq_bottleneck as S

    df = S.time_sequential_vs_parallel(list(TIMING_LENGTHS))
    chart = sc.timing(df).properties(title="Time to process one sequence (timed live)")
    t = S.timing_summary(df)
    att_steps = int(df[(df["length"] == t.length) & (df["layer"] == S.ATT_COL)]["sequential steps"].iloc[0])
    spec = _finish(chart, projector, _height(projector))
    spec["encoding"]["y"]["title"] = "ms (log scale)"
    if projector:  # the page's legend sits inside the plot, over the RNN's line at this height
        spec["encoding"]["color"]["legend"] = {"orient": "right"}  # the page's longer title does not fit a short chart
    return Live("chart", spec=spec, data=df, numbers={
        "length": t.length, "rnn_ms": t.rnn_ms, "att_ms": t.att_ms, "att_steps": att_steps})


def _translate(sentence: str):
    from lib.data import translation as tr
    from lib.lessons import attention_alignment as A

    return A.translate_of(tuple(tr.tokenize(sentence)))


def attention(projector: bool) -> Live:
    """The attention page's map of lecture.ATTENTION_SENTENCE (its own spec), and how many output words look most at
    the word they translate."""
    import numpy as np

    from lib.data import translation as tr
    from lib.lessons import attention_alignment as A

    words = tuple(tr.tokenize(L.ATTENTION_SENTENCE))
    t = A.translate_of(words)
    pair = tr.parse(list(words))
    correct = t.out == list(pair.tgt)
    rows = A.output_rows(t)
    true_align = tuple(pair.align) + ((-1,) if t.finished else ()) if correct else None
    spec = copy.deepcopy(A.attention_spec_of(words, true_align, projector))  # the page's spec: do not change it
    if projector:  # the page's cells (44 px) make the map too tall for a slide: 34 px, the weights in 18 px type
        cell = 34  # the height is the chart's total: the rows get `cell` px, the English labels above ~100 px
        spec["width"], spec["height"] = cell * len(t.src), cell * len(rows) + 100
        for layer in spec.get("layer", []):
            if layer.get("mark", {}).get("type") == "text":
                layer["mark"]["fontSize"] = 18
    n = min(len(pair.align), len(t.out))
    aligned = int(sum(int(np.argmax(t.attention[j])) == pair.align[j] for j in range(n)))
    data = pd.DataFrame(t.attention, index=rows, columns=t.src).reset_index(names="output word")
    return Live("chart", spec=spec, data=data, text=" ".join(t.out),
                numbers={"aligned": aligned, "rows": n, "correct": correct})


def training_data(projector: bool) -> Live:
    """The attention model on a sentence with a word it never saw, and the attention page's measurement of the
    same thing on 100 sentences (no data, no translation)."""
    from lib.data import translation as tr
    from lib.lessons import attention_alignment as A

    t = _translate(L.UNSEEN_SENTENCE)
    u = A.unseen_words_of()
    english = " ".join(f"~~{w}~~ \u27e8unknown\u27e9" if unk else w for w, unk in zip(t.src, t.unknown))
    text = f"**English:** {english}\n\n**Model's Spanish:** {' '.join(t.out) or '(nothing)'}"
    return Live("answer", text=text, numbers={"unknown": tr.unknown_words(list(t.src)), "output": " ".join(t.out),
                                              "measured": A.unseen_notice(u), "right": u.right, "n": u.n})


def datasets(projector: bool) -> Live:
    from lib import charts
    from lib.lessons import data_sources as D

    rep = D.rules_report(tuple(D.RULE_KEYS))
    funnel = rep.funnel
    raw = funnel.iloc[0]
    # one bar per stage (the page's funnel has three, too many rows for one projector screen)
    chart = charts.bars(list(funnel["label"]), list(100.0 * funnel["words"] / max(int(raw["words"]), 1)),
                        value_title="% of the words still there", fmt=".0f", domain=(0, 100)).properties(
        title="C4's rules, one after another, on our sample pages")
    spec = _finish(chart, projector, _height(projector, 360))
    spec["encoding"]["x"]["axis"] = {"values": list(range(0, 101, 20))}
    st = rep.stats
    return Live("chart", spec=spec, data=funnel, numbers={
        "raw_pages": st.pages[0], "pages": st.pages[1], "raw_words": st.words[0], "words": st.words[1]})


def multilingual(projector: bool) -> Live:
    from lib.charts import data as dcharts
    from lib.lessons import data_sources as D

    costs = D.project_costs()
    stats = D.token_stats(costs)
    shown = costs.sort_values("ratio_to_english")
    if projector and len(shown) > 10:  # ten bars, cheapest to dearest, fit one screen at 20 px type
        picks = sorted({round(i * (len(shown) - 1) / 9) for i in range(10)})
        shown = shown.iloc[picks]
    chart = dcharts.token_ratios(shown).properties(title="Our tiny GPT's tokenizer: tokens relative to English")
    spec = _finish(chart, projector, _height(projector, 310), legend_right=True)
    if projector:  # a tick every 0.2 crowds the axis at 20 px type: every half
        top = float(shown["ratio_to_english"].max())
        _x_axis(spec, {"values": [k / 2 for k in range(int(top * 2) + 2)], "format": ".1f"})
    return Live("chart", spec=spec, data=costs, numbers={"language": stats.biggest, "ratio": stats.biggest_ratio})


TRANSFORMER_LAYER = 0


def transformer(projector: bool) -> Live:
    """The Transformer page's map of one head: in TRANSFORMER_LAYER, the head whose last token looks hardest at one
    earlier token (the page's `strongest`, which its notice names too)."""
    import numpy as np

    from lib.charts import lm as lmcharts
    from lib.lessons import transformer as T
    from lib.models.lm import show_token

    am = T.maps("embedded", "gpt_base", L.TRANSFORMER_PROMPT)
    head, key, weight = T.strongest(am, TRANSFORMER_LAYER)
    w = am.weights[TRANSFORMER_LAYER, head].copy()
    n = w.shape[0]
    w[np.triu_indices(n, 1)] = np.nan
    tokens = [show_token(t) for t in am.tokens]
    chart = lmcharts.attention_heatmap(w, tokens, cell=24, legend=True,
                                       title=f"Tiny GPT, layer {TRANSFORMER_LAYER}, head {head}", projector=projector)
    data = pd.DataFrame(am.weights[TRANSFORMER_LAYER, head], index=tokens, columns=tokens).reset_index(
        names="query token")
    return Live("chart", spec=_finish(chart, projector, _height(projector, 320)), data=data, numbers={
        "query": tokens[-1], "key": tokens[key], "weight": weight, "layer": TRANSFORMER_LAYER, "head": head},
        settings={"tf_layer": TRANSFORMER_LAYER, "tf_head": head, "tf_layer_view": TRANSFORMER_LAYER})


def _tiny_gpt_parameters() -> int:
    """The shipped tiny GPT's parameters, by the Model size page's formula from its shape (config.json)."""
    import json

    from lib import paths
    from lib.lessons import model_size as MS

    cfg = json.loads((paths.MODELS / "gpt_base" / "config.json").read_text())
    shape = MS.GPTShape(n_layer=cfg["n_layer"], d_model=cfg["n_embd"], n_head=cfg["n_head"],
                        vocab_size=cfg["vocab_size"], context=cfg["n_positions"],
                        tied_output=bool(cfg.get("tie_word_embeddings", True)))
    return MS.count_parameters(shape)


SIZE_MODELS = ("GPT", "GPT-2", "GPT-3", "Llama 3.1")
_SI_WITH_K = ("datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + ' T' : datum.value >= 1e9 ? "
              "format(datum.value / 1e9, '~g') + ' B' : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' M' : "
              "datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' K' : format(datum.value, '~g')")


def model_size(projector: bool) -> Live:
    from lib import charts
    from lib.lessons import model_size as MS

    ours = _tiny_gpt_parameters()
    df = MS.timeline().set_index("model")
    gpt3 = float(df.loc["GPT-3", "parameters"])
    rows = pd.DataFrame({"model": ["our tiny GPT", *SIZE_MODELS],
                         "parameters": [float(ours), *(float(df.loc[m, "parameters"]) for m in SIZE_MODELS)]})
    chart = charts.bars(rows["model"], rows["parameters"], value_title="parameters (log scale)", fmt=",.0f",
                        colors=["ours", *(["published"] * len(SIZE_MODELS))]).properties(title="")
    spec = _finish(chart, projector, _height(projector, 300), legend_right=True)
    # bars on a log scale need a baseline other than 0: they start at 100 K, every power of ten a grid line
    spec["encoding"]["x"]["scale"] = {"type": "log", "domain": [1e5, 1e12]}
    spec["encoding"]["x"]["axis"] = {"labelExpr": _SI_WITH_K, "values": [10.0 ** k for k in range(5, 13)]}
    spec["encoding"]["x2"] = {"datum": 1e5}
    flops = MS.training_flops(gpt3, MS.chinchilla_tokens(gpt3))
    return Live("chart", spec=spec, data=rows,
                numbers={"ours": ours, "ours_text": MS.human(ours), "ratio": gpt3 / ours, "flops": flops})


def post_training(projector: bool) -> Live:
    """The Post-training page's comparison (its `compare`: the three checkpoints asked about the page's default
    country, the first held-out invented name the shipped DPO model abstains on: `default_option`)."""
    from lib.eval import answers
    from lib.lessons import post_training as P
    from lib.models.lm import CHECKPOINTS, load_report

    name = P.default_option(load_report())
    table = P.compare(name)
    shown = table[["checkpoint", "answer", P.IDK_COLUMN]].copy()
    shown[P.IDK_COLUMN] = shown[P.IDK_COLUMN].map(L.prob_text)  # as the sentence below prints them (3e-5, not 0.0000)
    by = table.set_index("checkpoint")
    sft_answer = str(by.loc[CHECKPOINTS["gpt_sft"], "answer"])
    return Live("answer", data=shown, text=f"**Asked about {name}**, a country that does not exist:",
                numbers={"name": name, "base_idk": float(by.loc[CHECKPOINTS["gpt_base"], P.IDK_COLUMN]),
                         "dpo_idk": float(by.loc[CHECKPOINTS["gpt_dpo"], P.IDK_COLUMN]),
                         "sft_answer": sft_answer, "sft_outcome": answers.classify(sft_answer, name).outcome},
                settings={"pt_country": f"{name} (invented, never seen)"})


SAMPLING_TEMPERATURES = (0.0, 0.3, 0.7, 1.0, 1.5, 2.0)


def sampling(projector: bool, temperature: float = 1.0) -> Live:
    """The sampling page's next-token distribution (its `next_token` and `distribution`, top-k off, top-p 1)."""
    from lib.charts import lm as lmcharts
    from lib.lessons import sampling_hallucination as SH

    nt = SH.next_token("embedded", "gpt_base", L.SAMPLING_PROMPT)
    frame = SH.distribution_frame(nt, temperature, 0, 1.0, top=6 if projector else 12)
    kept = SH.kept_count(nt, temperature, 0, 1.0)
    spec = lmcharts.next_token_spec(frame, f"Next token after \u201c{L.SAMPLING_PROMPT}\u201d, T = {temperature:g}",
                                    projector)
    spec = copy.deepcopy(spec)  # next_token_spec shares its template's nested dicts with the sampling page
    spec["height"] = _height(projector, 230)
    if projector:
        _legends_right(spec)
    return Live("chart", spec=spec, data=frame, numbers={
        "temperature": float(temperature), "top": frame["token"].iloc[0], "top_p": float(frame["probability"].iloc[0]),
        "kept": int(kept), "vocab": int(len(nt.logits))},
        settings={"samp_temperature": temperature})


def hallucination(projector: bool) -> Live:
    """The sampling page's chart of the build report's hallucination rates, and its measured greedy rates."""
    from lib.lessons import sampling_hallucination as SH
    from lib.models.lm import load_report

    report = load_report()
    df = SH.hallucination_frame(report)
    m = SH.measured(report)
    spec = copy.deepcopy(SH.rate_spec(projector))
    spec["height"] = _height(projector, 340)
    if projector:  # the page's y title is longer than a slide's plot is tall (it ran over the title): shorter
        _legends_right(spec)
        spec["encoding"]["y"]["title"] = "answered"
        _x_axis(spec, {"values": sorted(set(df["temperature"])), "format": ".1f"})
    return Live("chart", spec=spec, data=df, numbers={"sft": m.sft.capital, "dpo": m.dpo.capital,
                                                                 "abstain": m.dpo.abstain})


def references(projector: bool) -> Live:
    return Live("list", metrics=tuple((text, url or "") for text, url in L.REFERENCES))


TRANSFER_N, TRANSFER_SEED, TRANSFER_TRICKS = 32, 0, "as fixed on validation"  # the transfer page's defaults


def transfer(projector: bool, live: bool = False) -> Live:
    """The transfer-learning page's precomputed curve (pre-trained + fine-tuned, from scratch, frozen probe against
    the number of labels) on held-out countries, and its notice; with `live`, the page's own run at N = 32 (the
    three models trained now, a few seconds; shared with the page's server-wide cache of runs) as open circles."""
    from lib.charts import transfer as tcharts
    from lib.lessons import transfer_learning as tl

    try:
        report = tl.load_report()
    except tl.ReportMissing as exc:
        return Live("answer", text=f"*The transfer-learning curve is not built yet ({exc}): run "
                                   f"`python -m lib.train transfer`.*")
    test_set = next(iter(tl.TEST_SETS.values()))
    curve_said = tl.curve_notices(report)  # the few-labels sentence, the label-multiple target, the most labels, ...
    said = [curve_said[0], curve_said[2]]
    runs = None
    settings = {}
    if live:
        from lib.models import registry

        run, _cached = tl.live_run_shared(registry.load("char_lstm"), report, TRANSFER_N, TRANSFER_SEED,
                                          TRANSFER_TRICKS)
        runs = tl.runs_frame([run])
        said = [said[0], tl.live_notices(run, report)[0]]
        settings = {"tl_n": TRANSFER_N, "tl_seed": TRANSFER_SEED}
    curve = tl.curve_frame(report)
    chart = tcharts.accuracy_curve(curve, runs, test_set=test_set, projector=projector)
    spec = _finish(chart, projector, _height(projector, 270), legend_right=True)
    data = curve if runs is None else pd.concat([curve, runs], ignore_index=True)
    return Live("chart", spec=spec, data=data, numbers={"said": tuple(said), "live": bool(live)},
                settings=settings)


def live(slide_id: str, projector: bool, control=None) -> Live:
    """The live element of a slide (`control`: the value of the slide's slider or button, if it has one)."""
    fn = globals()[slide_id]
    return fn(projector) if control is None else fn(projector, control)
