"""The lecture's live elements: ONE function per slide id (lib/lessons/lecture.py), each returning a `Live` (a
finished chart spec and its data, an SVG picture, a model's answer, and the numbers that `lecture.notices` turns into
"the number it measured").

This is the adapter layer: today every function calls the lib modules the pages use (lib/timeline.py,
lib/rnn_lab.py, lib/seq2seq_lab.py, lib/lm_lab.py, lib/tokenizer_cost.py, lib/sizing.py, lib/data/c4.py, lib/charts);
once the pages' logic lives in lib/lessons/<page>.py, repoint each function's body at that module. Keep them tiny.

Arguments are hashable (a projector flag, a slider value) so the page caches each result with ui.memo. Heavy
imports (torch, transformers) happen inside the functions that need them: the page opens fast on a title slide.
No Streamlit here."""
from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field

import pandas as pd

from lib import paths
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


def _set_legend(node, legend: dict) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("legend"), dict):
            node["legend"] = dict(legend)
        for v in node.values():
            _set_legend(v, legend)
    elif isinstance(node, list):
        for v in node:
            _set_legend(v, legend)


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


@functools.lru_cache(maxsize=8)
def _model(name: str):
    """An embedded model (read-only, shared by the lecture's functions; never trained here)."""
    from lib.models import registry

    return registry.load(name)


@functools.lru_cache(maxsize=4)
def _lm(checkpoint: str):
    from lib.models import registry

    return registry.load_lm("embedded", checkpoint)


def _timeline() -> pd.DataFrame:
    from lib.timeline import load_timeline

    return load_timeline()


# ------------------------------------------------------------------------------------------------- the slides
def agenda(projector: bool) -> Live:
    from lib import site

    by_section = {sec: [p for p in pages if p.url_path != "lecture"] for sec, pages in site.pages_by_section().items()}
    by_section = {sec: pages for sec, pages in by_section.items() if pages}
    items = tuple((sec, ", ".join(p.title for p in pages)) for sec, pages in by_section.items())
    return Live("metrics", metrics=items,
                numbers={"pages": sum(len(p) for p in by_section.values()), "sections": len(by_section)})


def ml_to_fm(projector: bool) -> Live:
    from lib.timeline import parameter_growth, times

    g = parameter_growth(_timeline())
    return Live("metrics", metrics=((f"{g.first} \u2192 {g.last}", times(g.ratio)),
                                    ("growth per year", f"{g.per_year:.1f}x"),
                                    ("doubling time", f"{g.doubling_months:.0f} months")),
                numbers=vars(g))


def _seq2seq_frame() -> pd.DataFrame:
    from lib import seq2seq_lab as lab

    names = {"seq2seq_small": "no attention (64)", "seq2seq_wide": "no attention (128)",
             "seq2seq_attn": "with attention"}
    return lab.report_frame(lab.load_report(), names)


def _exact(df: pd.DataFrame, model: str, bucket: str) -> float:
    row = df[(df["model"] == model) & (df["bucket"] == bucket)]
    return float(row["exact match %"].iloc[0]) if len(row) else float("nan")


def innovations(projector: bool) -> Live:
    from lib.data import translation as tr

    df = _seq2seq_frame()
    bucket = tr.BUCKETS[-1]
    without, with_ = _exact(df, "no attention (128)", bucket), _exact(df, "with attention", bucket)
    return Live("metrics", metrics=((f"Attention: exact match, {bucket}-word sentences",
                                     f"{without:.0f}% \u2192 {with_:.0f}%"),
                                    ("Transfer learning", "pre-train, then adapt")),
                numbers={"bucket": bucket, "without": without, "with": with_})


def timeline(projector: bool) -> Live:
    from lib import charts
    from lib.timeline import parameter_growth

    df = _timeline()
    chart = charts.timeline(df, projector=projector)
    g = parameter_growth(df)
    spec = _finish(chart, projector, _height(projector, 310), legend_right=True)
    if not projector:  # one legend column: two are cut on a phone (390 px)
        _set_legend(spec, {"orient": "bottom", "columns": 1})
    return Live("chart", spec=spec, data=df,
                numbers={"models": int(df["parameters"].notna().sum()), "doubling_months": g.doubling_months})


def quote(projector: bool) -> Live:
    return Live("quote")


RNN_STEP = 26  # reads the "P" of "Paris"


def rnn(projector: bool, step: int = RNN_STEP) -> Live:
    """The LSTM unrolled over lecture.RNN_TEXT around `step` (0 = the last character)."""
    from lib import rnn_lab
    from lib.charts import sequence as sc

    u = rnn_lab.unroll(_model("char_" + L.RNN_CELL), L.RNN_TEXT)
    k = (u.steps if step <= 0 else min(step, u.steps)) - 1
    labels = [rnn_lab.show_char(c) for c in u.chars]
    top1 = [rnn_lab.show_char(row[0]) for row in u.top_chars]
    svg = sc.unrolled(labels, top1, u.top_probs[:, 0], step=k, cell_label="LSTM", window=7 if projector else 9,
                      projector=projector)
    nxt = u.chars[k + 1] if k + 1 < u.steps else None
    return Live("svg", svg=svg, numbers={
        "step": k + 1, "steps": u.steps, "read": labels[k], "guess": top1[k], "guess_p": float(u.top_probs[k, 0]),
        "next": rnn_lab.show_char(nxt) if nxt is not None else None,
        "next_p": float(u.next_prob[k]) if nxt is not None else None},
        settings={"rnn_step": k + 1})


def seq2seq(projector: bool) -> Live:
    from lib.charts import sequence as sc
    from lib.data import translation as tr

    df = _seq2seq_frame()
    chart = sc.accuracy_by_length(df, order=tr.BUCKETS).properties(title="Exact match on held-out sentences")
    short, long = tr.BUCKETS[0], tr.BUCKETS[-1]
    return Live("chart", spec=_finish(chart, projector, _height(projector), legend_right=True), data=df, numbers={
        "short_bucket": short, "long_bucket": long,
        "short": _exact(df, "no attention (128)", short), "long": _exact(df, "no attention (128)", long)})


TIMING_LENGTHS = (8, 32, 128, 512)


def two_problems(projector: bool) -> Live:
    from lib import seq2seq_lab as lab
    from lib.charts import sequence as sc

    df = lab.time_sequential_vs_parallel(list(TIMING_LENGTHS))
    chart = sc.timing(df).properties(title="Time to process one sequence (timed live)")
    last = df[df["length"] == TIMING_LENGTHS[-1]].set_index("layer")
    rnn_row = last[last.index.str.startswith("RNN")].iloc[0]
    att_row = last[~last.index.str.startswith("RNN")].iloc[0]
    spec = _finish(chart, projector, _height(projector))
    spec["encoding"]["y"]["title"] = "ms (log scale)"
    if projector:  # the page's legend sits inside the plot, over the RNN's line at this height
        spec["encoding"]["color"]["legend"] = {"orient": "right"}  # the page's longer title does not fit a short chart
    return Live("chart", spec=spec, data=df, numbers={
        "length": TIMING_LENGTHS[-1], "rnn_ms": float(rnn_row["ms"]), "att_ms": float(att_row["ms"]),
        "att_steps": int(att_row["sequential steps"])})


def _translate(sentence: str):
    from lib import seq2seq_lab as lab
    from lib.data import translation as tr

    return lab.translate(_model("seq2seq_attn"), tuple(tr.tokenize(sentence)))


def attention(projector: bool) -> Live:
    import numpy as np

    from lib.charts import sequence as sc
    from lib.data import translation as tr

    t = _translate(L.ATTENTION_SENTENCE)
    pair = tr.parse(list(t.src))
    correct = t.out == list(pair.tgt)
    rows = t.out + (["\u27e8end\u27e9"] if t.finished else [])
    true_align = list(pair.align) + ([-1] if t.finished else []) if correct else None
    spec = sc.attention_map(t.attention, t.src, rows, true_align=true_align,
                            crossing=tr.crossing_rows(pair) if correct else None, annotate=True,
                            cell=34 if projector else 40, projector=projector)
    if projector:  # the cells are wide on a slide: the weights in them get the chart's 18+ px type
        for layer in spec["layer"]:
            if layer.get("mark", {}).get("type") == "text":
                layer["mark"]["fontSize"] = 18
    n = min(len(pair.align), len(t.out))
    aligned = int(sum(int(np.argmax(t.attention[j])) == pair.align[j] for j in range(n)))
    data = pd.DataFrame(t.attention, index=rows, columns=t.src).reset_index(names="output word")
    return Live("chart", spec=spec, data=data, text=" ".join(t.out),
                numbers={"aligned": aligned, "rows": n, "correct": correct})


def training_data(projector: bool) -> Live:
    from lib.data import translation as tr

    t = _translate(L.UNSEEN_SENTENCE)
    english = " ".join(f"~~{w}~~ \u27e8unknown\u27e9" if u else w for w, u in zip(t.src, t.unknown))
    text = f"**English:** {english}\n\n**Model's Spanish:** {' '.join(t.out) or '(nothing)'}"
    return Live("answer", text=text, numbers={"unknown": tr.unknown_words(list(t.src)), "output": " ".join(t.out)})


def datasets(projector: bool) -> Live:
    from lib import charts
    from lib.data import c4

    result = c4.run_pipeline(c4.load_sample_pages())
    funnel = pd.DataFrame(result.funnel_table())
    raw, last = funnel.iloc[0], funnel.iloc[-1]
    # one bar per stage (the page's funnel has three, too many rows for one projector screen)
    chart = charts.bars(list(funnel["label"]), list(100.0 * funnel["words"] / max(int(raw["words"]), 1)),
                        value_title="% of the words still there", fmt=".0f", domain=(0, 100)).properties(
        title="C4's rules, one after another, on our sample pages")
    spec = _finish(chart, projector, _height(projector, 360))
    spec["encoding"]["x"]["axis"] = {"values": list(range(0, 101, 20))}
    return Live("chart", spec=spec, data=funnel, numbers={
        "raw_pages": int(raw["pages"]), "pages": int(last["pages"]), "raw_words": int(raw["words"]),
        "words": int(last["words"])})


def multilingual(projector: bool) -> Live:
    from lib import tokenizer_cost as tc
    from lib.charts import data as dcharts

    costs = pd.DataFrame([vars(c) for c in tc.token_costs(tc.load_passages(),
                                                          tc.as_encoder(tc.load_project_tokenizer()))])
    top = costs.loc[costs["ratio_to_english"].idxmax()]
    shown = costs.sort_values("ratio_to_english")
    if projector and len(shown) > 10:  # ten bars, cheapest to dearest, fit one screen at 20 px type
        picks = sorted({round(i * (len(shown) - 1) / 9) for i in range(10)})
        shown = shown.iloc[picks]
    chart = dcharts.token_ratios(shown).properties(title="Our tiny GPT's tokenizer: tokens relative to English")
    return Live("chart", spec=_finish(chart, projector, _height(projector, 310), legend_right=True), data=costs,
                numbers={"language": top["language"], "ratio": float(top["ratio_to_english"])})


TRANSFORMER_LAYER, TRANSFORMER_HEAD = 0, 0


def transformer(projector: bool) -> Live:
    import numpy as np

    from lib import attention_lab, lm_lab
    from lib.charts import lm as lmcharts

    am = attention_lab.attention_maps(_lm("gpt_base"), L.TRANSFORMER_PROMPT, 24)
    w = am.weights[TRANSFORMER_LAYER, TRANSFORMER_HEAD].copy()
    T = w.shape[0]
    last = w[-1].copy()
    w[np.triu_indices(T, 1)] = np.nan
    tokens = [lm_lab.show_token(t) for t in am.tokens]
    chart = lmcharts.attention_heatmap(w, tokens, cell=24, legend=True,
                                       title=f"Tiny GPT, layer {TRANSFORMER_LAYER}, head {TRANSFORMER_HEAD}",
                                       projector=projector)
    key = int(np.argmax(last))
    data = pd.DataFrame(am.weights[TRANSFORMER_LAYER, TRANSFORMER_HEAD], index=tokens, columns=tokens).reset_index(
        names="query token")
    return Live("chart", spec=_finish(chart, projector, _height(projector, 320)), data=data, numbers={
        "query": tokens[-1], "key": tokens[key], "weight": float(last[key]), "layer": TRANSFORMER_LAYER,
        "head": TRANSFORMER_HEAD}, settings={"tf_layer": TRANSFORMER_LAYER, "tf_head": TRANSFORMER_HEAD})


def _tiny_gpt_parameters() -> int:
    from lib import sizing

    cfg = json.loads((paths.MODELS / "gpt_base" / "config.json").read_text())
    shape = sizing.GPTShape(n_layer=cfg["n_layer"], d_model=cfg["n_embd"], n_head=cfg["n_head"],
                            vocab_size=cfg["vocab_size"], context=cfg["n_positions"],
                            tied_output=bool(cfg.get("tie_word_embeddings", True)))
    return sizing.count_parameters(shape)


SIZE_MODELS = ("GPT", "GPT-2", "GPT-3", "Llama 3.1")
_SI_WITH_K = ("datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + ' T' : datum.value >= 1e9 ? "
              "format(datum.value / 1e9, '~g') + ' B' : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' M' : "
              "datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + ' K' : format(datum.value, '~g')")


def model_size(projector: bool) -> Live:
    from lib import charts, sizing

    ours = _tiny_gpt_parameters()
    df = _timeline().set_index("model")
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
    flops = sizing.training_flops(gpt3, sizing.chinchilla_tokens(gpt3))
    return Live("chart", spec=spec, data=rows,
                numbers={"ours": ours, "ours_text": sizing.human(ours), "ratio": gpt3 / ours, "flops": flops})


def post_training(projector: bool) -> Live:
    from lib import lm_lab

    report = lm_lab.load_report()
    name = report["probe_sets"]["invented_eval"][0]
    table = lm_lab.compare_answers({k: _lm(k) for k in lm_lab.CHECKPOINTS}, name)
    shown = table[["checkpoint", "answer", lm_lab.IDK_COLUMN]].copy()
    by = table.set_index("checkpoint")[lm_lab.IDK_COLUMN]
    return Live("answer", data=shown, text=f"**Asked about {name}**, a country that does not exist:",
                numbers={"name": name, "base_idk": float(by[lm_lab.CHECKPOINTS["gpt_base"]]),
                         "dpo_idk": float(by[lm_lab.CHECKPOINTS["gpt_dpo"]])},
                settings={"pt_country": f"{name} (invented, never seen)"})


SAMPLING_TEMPERATURES = (0.0, 0.3, 0.7, 1.0, 1.5, 2.0)


def sampling(projector: bool, temperature: float = 1.0) -> Live:
    from lib import lm_lab
    from lib.charts import lm as lmcharts

    nt = lm_lab.next_token(_lm("gpt_base"), L.SAMPLING_PROMPT)
    frame = lm_lab.distribution_frame(nt, temperature, 0, 1.0, top=6 if projector else 12)
    kept = lm_lab.kept_count(nt, temperature, 0, 1.0)
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
    from lib import lm_lab
    from lib.charts import lm as lmcharts

    report = lm_lab.load_report()
    df = lm_lab.hallucination_frame(report)
    chart = lmcharts.rate_by_temperature(df, projector=projector)
    at0 = df[df["temperature"] == 0.0].set_index("checkpoint")["hallucination_rate"]
    return Live("chart", spec=_finish(chart, projector, _height(projector), legend_right=True), data=df, numbers={
        "base": float(at0[lm_lab.CHECKPOINTS["gpt_base"]]), "dpo": float(at0[lm_lab.CHECKPOINTS["gpt_dpo"]])})


def references(projector: bool) -> Live:
    return Live("list", metrics=tuple((text, url or "") for text, url in L.REFERENCES))


def transfer(projector: bool) -> Live:
    """STATIC FALLBACK until the transfer-learning lesson lands: the numbers of its build report, if present."""
    path = paths.MODELS / "report_transfer.json"
    try:
        rep = json.loads(path.read_text())
    except (OSError, ValueError):
        return Live("answer", text="*(Static fallback: the transfer-learning report is not built yet.)*")
    flat = {k: v for k, v in rep.items() if isinstance(v, (int, float))}
    return Live("answer", text="*(Static fallback: numbers from the transfer-learning build report.)*",
                numbers={"numbers": flat})


def live(slide_id: str, projector: bool, control=None) -> Live:
    """The live element of a slide (`control`: the value of the slide's slider, if it has one)."""
    fn = globals()[slide_id]
    return fn(projector) if control is None else fn(projector, control)
