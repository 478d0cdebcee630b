"""Model size: parameters from a model's shape (checked against a real transformers model), training tokens by the
Chinchilla rule, compute by 6 N D, days and dollars on GPUs; how parameters and data grew over time."""
import altair as alt
import pandas as pd
import streamlit as st

from lib import charts, sizing, ui
from lib.charts import _SI_EXPR
from lib.charts.data import finished_spec
from lib.charts import size as scharts
from lib.sizing import GPTShape
from lib.timeline import load_timeline, tokens_per_parameter

YOUR_SHAPE = "Your shape (above)"
TOKEN_RULES = ["Chinchilla: 20 per parameter", "As the model reported", "My own number"]
BOUNDS = {"size_layers": (1, 200), "size_width": (1, 65_536), "size_heads": (1, 512),
          "size_vocab": (2, 1_000_000), "size_context": (1, 1_000_000), "size_gpus": (1, 1_000_000),
          "size_util": (0.05, 1.0), "size_peak_tflops": (1.0, 10_000.0), "size_price": (0.0, 1_000.0),
          "size_tokens_b": (0.001, 1_000_000.0)}


@st.cache_data(show_spinner=False)
def presets() -> dict[str, sizing.Preset]:
    return {p.model: p for p in sizing.load_presets()}


@st.cache_data(show_spinner=False)
def timeline() -> pd.DataFrame:
    return load_timeline()


@st.cache_data(show_spinner="Building the model to count its parameters...", max_entries=64)
def real_count(shape: GPTShape) -> tuple[int, str]:
    return sizing.count_real_parameters(shape)


# Every chart is cached as its finished Vega-Lite dict (styled as ui.chart styles it): styling and validating an
# Altair chart costs 20-60 ms, and most reruns (a GPU count, a price) change none of the charts.
def draw(spec: dict) -> None:
    st.vega_lite_chart(spec, width="stretch", theme=None)


@st.cache_resource(show_spinner=False, max_entries=64)
def params_chart(n_params: float | None, projector: bool) -> dict:
    label = f"your choice: {sizing.human(n_params or 0)}"
    return finished_spec(scharts.params_with_user_model(timeline(), n_params, label, projector=projector)
                         .properties(title="Parameters of key models (dashed: your choice)"), projector)


@st.cache_resource(show_spinner=False, max_entries=4)
def static_charts(projector: bool) -> tuple[dict, dict]:
    tl = timeline()
    return (finished_spec(scharts.tokens_over_time(tl, projector=projector).properties(title="Training tokens"),
                          projector),
            finished_spec(scharts.tokens_per_parameter(tokens_per_parameter(tl), projector=projector)
                          .properties(title="Training tokens per parameter"), projector))


@st.cache_resource(show_spinner=False, max_entries=64)
def breakdown_chart(parts: tuple[tuple[str, int], ...], projector: bool) -> dict:
    chart = charts.bars([k for k, _ in parts], [v for _, v in parts], value_title="parameters", fmt=",.0f")
    chart = chart.encode(x=alt.X("value:Q", title="parameters", axis=alt.Axis(labelExpr=_SI_EXPR, tickCount=4)))
    return finished_spec(chart.properties(title="Where the parameters are", height=alt.Step(30)), projector)


def training_section(n_params: float, preset, model: str, rule: str) -> tuple[float, list[str]]:
    """Tokens, compute, time and money for n_params parameters; returns (tokens, points for What to notice)."""
    notice = []
    if rule == TOKEN_RULES[1] and (preset is None or preset.training_tokens is None):
        st.info("Our sources give no training-token count for this choice, so the Chinchilla rule is used instead.")
        rule = TOKEN_RULES[0]
    if rule == TOKEN_RULES[2]:
        tokens = float(st.number_input("Training tokens (billions)", min_value=0.001, max_value=1_000_000.0,
                                       key="size_tokens_b")) * 1e9
    elif rule == TOKEN_RULES[1]:
        tokens = preset.training_tokens
    else:
        tokens = sizing.chinchilla_tokens(n_params)
    g = st.columns(4)
    gpus = g[0].number_input("GPUs", min_value=1, max_value=1_000_000, step=8, key="size_gpus")
    util = g[1].slider("Utilisation", min_value=0.05, max_value=1.0, step=0.05, key="size_util",
                       help="The share of the GPUs' peak speed that training really achieves.")
    peak = g[2].number_input("Peak TFLOP/s per GPU", min_value=1.0, max_value=10_000.0, step=10.0,
                             key="size_peak_tflops",
                             help="60 is the H100 rate implied by Huyen's example "
                                  "(3.14e23 FLOPs on 256 GPUs in 236 days).")
    price = g[3].number_input("$ per GPU-hour", min_value=0.0, max_value=1_000.0, step=0.5, key="size_price")

    flops = sizing.training_flops(n_params, tokens)
    cost = sizing.training_cost(flops, int(gpus), float(util), float(peak) * 1e12, float(price))
    m = st.columns(3) + st.columns(3)
    m[0].metric("Parameters N", sizing.human(n_params))
    m[1].metric("Training tokens D", sizing.human(tokens))
    m[2].metric("Compute 6 N D", f"{flops:.3g} FLOPs")
    m[3].metric("Time", sizing.human_duration(cost.days),
                f"{sizing.human_duration(cost.days_at_full_use)} at 100%", delta_color="off", delta_arrow="off")
    m[4].metric("Cost", sizing.human_money(cost.dollars), f"{cost.gpu_hours:,.3g} GPU-hours", delta_color="off",
                delta_arrow="off")
    m[5].metric("Tokens per parameter", f"{tokens / n_params:,.1f}", "Chinchilla: about 20", delta_color="off",
                delta_arrow="off")
    st.markdown(f"6 x {n_params:.3g} x {tokens:.3g} = **{flops:.3g} FLOPs**. At {util:.0%} of {peak:g} TFLOP/s on "
                f"{int(gpus):,} GPUs that is {flops:.3g} / ({int(gpus):,} x {util:.2f} x {peak:g}e12 x 86,400 s) = "
                f"**{sizing.human_duration(cost.days)}**, and {cost.gpu_hours:,.3g} GPU-hours x ${price:g} = "
                f"**{sizing.human_money(cost.dollars)}**.")
    notice.append(f"{model if preset else 'Your model'} with {sizing.human(n_params)} parameters and "
                  f"{sizing.human(tokens)} tokens ({tokens / n_params:.1f} per parameter) needs {flops:.3g} FLOPs: "
                  f"**{sizing.human_duration(cost.days)}** on {int(gpus):,} GPUs at {util:.0%}, about "
                  f"**{sizing.human_money(cost.dollars)}** at ${price:g} an hour.")
    half = sizing.training_cost(flops, int(gpus), min(1.0, float(util) * 2), float(peak) * 1e12, float(price))
    if util <= 0.5:
        notice.append(f"Doubling the utilisation to {min(1.0, util * 2):.0%} would halve both: "
                      f"{sizing.human_duration(half.days)} and {sizing.human_money(half.dollars)}. "
                      f"Idle GPUs still cost money.")
    else:
        notice.append(f"Even at 100% utilisation this would take {sizing.human_duration(cost.days_at_full_use)}; "
                      f"running at {util:.0%} adds {sizing.human_duration(cost.days - cost.days_at_full_use)} of "
                      f"paid, idle GPU time.")

    with st.expander("Huyen's worked example, reproduced"):
        ex = sizing.HUYEN_EXAMPLE
        hx = sizing.training_cost(ex["flops"], ex["gpus"], ex["utilisation"], sizing.DEFAULT_PEAK_FLOPS,
                                  ex["price_per_gpu_hour"])
        st.markdown(f"GPT-3's reported {ex['flops']:.3g} FLOPs on {ex['gpus']} H100s at "
                    f"{sizing.DEFAULT_PEAK_FLOPS / 1e12:.0f} TFLOP/s: **{hx.days_at_full_use:.0f} days** at full use "
                    f"(Huyen: about {ex['days_full']}). At {ex['utilisation']:.0%} utilisation and "
                    f"${ex['price_per_gpu_hour']:g} per H100-hour: {hx.days:.0f} days and "
                    f"**${hx.dollars / 1e6:.2f} M** (Huyen: about $4.14 M).")
    return tokens, notice


ui.header("Model size",
          "A model's scale is three numbers, parameters, training tokens and compute, and compute (about 6 x "
          "parameters x tokens) is what sets the bill.")

# ----------------------------------------------------------------------------------------------- 1. parameters
st.subheader("1. Parameters from the shape of a GPT")
ui.prose("A GPT is a stack of identical Transformer blocks. Choose how many (layers), how wide each is (width, the "
         "size of every token's vector), how many attention heads share that width, how many tokens the vocabulary "
         "has and how long the context is. The count below is exact for GPT-2's layout, and the page checks it by "
         "building that very model with the transformers library.")
ui.bind_url({"size_layers": 6, "size_width": 384, "size_heads": 6, "size_vocab": 8192, "size_context": 512,
             "size_model": YOUR_SHAPE, "size_tokens_rule": TOKEN_RULES[0], "size_tokens_b": 100.0,
             "size_gpus": 256, "size_util": 0.7, "size_peak_tflops": 60.0, "size_price": 2.0},
            options={"size_model": [YOUR_SHAPE, *presets()], "size_tokens_rule": TOKEN_RULES}, bounds=BOUNDS)
c = st.columns(5)
layers = c[0].number_input("Layers L", min_value=1, max_value=200, step=1, key="size_layers")
width = c[1].number_input("Width d", min_value=1, max_value=65_536, step=64, key="size_width")
heads = c[2].number_input("Heads", min_value=1, max_value=512, step=1, key="size_heads")
vocab = c[3].number_input("Vocabulary V", min_value=2, max_value=1_000_000, step=1000, key="size_vocab")
context = c[4].number_input("Context T", min_value=1, max_value=1_000_000, step=256, key="size_context")
shape = GPTShape(int(layers), int(width), int(heads), int(vocab), int(context))
shape_ok = True
try:
    shape.validate()
except ValueError as exc:
    shape_ok = False
    st.warning(f"That shape cannot be built: {exc}. Change the width or the number of heads.")

notice = []
n_shape = None
if shape_ok:
    parts = sizing.parameter_breakdown(shape)
    n_shape = sizing.count_parameters(shape)
    left, right = (st.container(), st.container()) if ui.projector() else st.columns([3, 2])
    with left:
        st.latex(sizing.FORMULA_TEXT)
        st.markdown(f"With L = {shape.n_layer}, d = {shape.d_model}, V = {shape.vocab_size:,}, "
                    f"T = {shape.context:,}: **N = {n_shape:,}** ({sizing.human(n_shape)}) parameters. "
                    f"Each of the {shape.n_head} heads works on {shape.d_model // shape.n_head} of the "
                    f"{shape.d_model} dimensions; heads split the width and add no parameters.")
        count, device = real_count(shape)
        where = ("built for real on the CPU" if device == "cpu" else
                 "built on PyTorch's meta device: real layers and shapes, no memory")
        if count == n_shape:
            st.success(f"Checked: transformers' GPT2LMHeadModel with this shape, {where}, has "
                       f"{count:,} parameters, the same as the formula.")
        else:
            st.error(f"The real model has {count:,} parameters but the formula says {n_shape:,}.")
        ui.prose("\n".join(f"- **{name}**: {formula}, {why}" for name, formula, why in sizing.FORMULA_EXPLAINED))
    with right:
        draw(breakdown_chart(tuple(parts.items()), ui.projector()))
    emb = parts["Token embeddings"] + parts["Position embeddings"]
    blocks = parts["Attention"] + parts["MLP"]
    notice.append(f"In your shape the embeddings hold **{emb / n_shape:.0%}** of the parameters and the "
                  f"Transformer blocks **{blocks / n_shape:.0%}**. Blocks grow with d\u00b2 and embeddings only with "
                  f"d, so the bigger the model, the more its size is in the blocks.")
    wider = sizing.count_parameters(GPTShape(shape.n_layer, 2 * shape.d_model, shape.n_head, shape.vocab_size,
                                             shape.context))
    deeper = sizing.count_parameters(GPTShape(2 * shape.n_layer, shape.d_model, shape.n_head, shape.vocab_size,
                                              shape.context))
    notice.append(f"Doubling the width to {2 * shape.d_model} would give **{sizing.human(wider)}** parameters "
                  f"({wider / n_shape:.1f}x); doubling the layers to {2 * shape.n_layer} would give "
                  f"**{sizing.human(deeper)}** ({deeper / n_shape:.1f}x).")

# ------------------------------------------------------------------------------------ 2. data, compute, money
st.subheader("2. Training tokens, compute, time and money")
table = presets()
c1, c2 = st.columns(2)
model = c1.selectbox("Model", [YOUR_SHAPE, *table], key="size_model",
                     help="Presets take parameters and training tokens from the chapter (see references).")
rule = c2.radio("Training tokens", TOKEN_RULES, key="size_tokens_rule", horizontal=True)
preset = table.get(model)
n_params = preset.parameters if preset else n_shape
tokens = None
if n_params is None:
    st.info("Fix the shape above, or pick a model from the list, to compute training costs.")
else:
    tokens, more = training_section(n_params, preset, model, rule)
    notice += more

st.markdown("**Mixture of experts: total against active parameters**")
mix = table.get("Mixtral 8x7B")
tl = timeline()
ds = tl[tl["model"] == "DeepSeek-V3"]
lines = []
if mix:
    lines.append(f"- **Mixtral 8x7B**: {sizing.moe_note(mix.parameters, mix.active_parameters)}")
if not ds.empty:
    r = ds.iloc[0]
    lines.append(f"- **DeepSeek-V3**: {sizing.moe_note(r['parameters'], r['active_parameters'])}")
st.markdown("\n".join(lines))
ui.prose("A mixture-of-experts layer holds several MLPs (the experts) and a router that sends each token to only a "
         "few of them. Training and inference compute follow the active parameters (6 x active x D), but every "
         "expert must sit in memory.")
if preset and tokens and preset.active_parameters < preset.parameters:
    active_flops = sizing.training_flops(preset.active_parameters, tokens)
    notice.append(f"For {model}, compute with the active parameters is {active_flops:.3g} FLOPs, "
                  f"{preset.active_parameters / preset.parameters:.0%} of what the total count suggests.")

# -------------------------------------------------------------------------------------------- 3. over time
st.subheader("3. Parameters and training data over time")
draw(params_chart(n_params, ui.projector()))
t1, t2 = (st.container(), st.container()) if ui.projector() else st.columns(2)
tokens_chart, tpp_chart = static_charts(ui.projector())
with t1:
    draw(tokens_chart)
with t2:
    draw(tpp_chart)
tpp = tokens_per_parameter(tl)
tpp_i = tpp.set_index("model")["tokens_per_parameter"]
under = [name for name, v in tpp_i.items() if v < 20]
notice.append(f"Before Chinchilla, models saw few tokens per parameter (GPT-3: **{tpp_i['GPT-3']:.1f}**); "
              f"Chinchilla used **{tpp_i['Chinchilla']:.0f}**, and Llama 3.1 **{tpp_i['Llama 3.1']:.0f}**, far past "
              f"the compute-optimal 20, because a smaller model trained longer is cheaper to run. Below 20 here: "
              f"{', '.join(under)}.")

ui.what_to_notice(notice)
ui.quiz("model_size", [
    {"q": "Roughly how many FLOPs does it take to train a 175 B-parameter model on 300 B tokens?",
     "options": ["5.25e22", "3.15e23", "1.05e24"], "answer": 1,
     "why": "6 x 175e9 x 300e9 = 3.15 x 10^23, close to GPT-3's reported 3.14e23; leaving out the 6 gives a "
            "number six times too small."},
    {"q": "Which change leaves a GPT's parameter count unchanged?",
     "options": ["Two more layers at the same width", "More heads sharing the same width",
                 "A longer context, with learned positions"], "answer": 1,
     "why": "Heads split the width d among themselves; the Q, K, V and output matrices stay d x d. Layers add "
            "12 d\u00b2 each, and learned positions add T x d."},
    {"q": "Mixtral 8x7B has 46.7 B parameters but 12.9 B active per token. What follows the active count?",
     "options": ["The memory to hold the model", "The compute per token", "The size of the weights file"],
     "answer": 1, "why": "Each token goes through only the experts the router picks; all of them stay in memory."},
])
ui.references([
    ("Huyen, AI Engineering (2025), chapter 2: Model size (parameters, tokens, FLOPs, the cost example)", None),
    ("Kaplan et al. 2020, Scaling Laws for Neural Language Models (compute about 6 N D)",
     "https://arxiv.org/abs/2001.08361"),
    ("Hoffmann et al. 2022, Training Compute-Optimal Large Language Models (Chinchilla)",
     "https://arxiv.org/abs/2203.15556"),
    ("Brown et al. 2020, Language Models are Few-Shot Learners (GPT-3)", "https://arxiv.org/abs/2005.14165"),
    ("Jiang et al. 2024, Mixtral of Experts", "https://arxiv.org/abs/2401.04088"),
    ("Radford et al. 2019, GPT-2, and transformers' GPT2LMHeadModel (the layout the formula counts)",
     "https://huggingface.co/docs/transformers/model_doc/gpt2"),
    ("Timeline data: assets/data/model_timeline.csv; presets: assets/data/model_size_presets.csv (with sources)",
     None),
])
ui.show_code(sizing.count_parameters, sizing.parameter_breakdown, sizing.training_flops, sizing.training_cost)
