"""Model size: parameters from a model's shape (checked against a real transformers model), training tokens by the
Chinchilla rule, compute by 6 N D, days and dollars on GPUs; how parameters and data grew over time.
Computed in lib/lessons/model_size.py; this page draws."""
import streamlit as st

from lib import ui
from lib.lessons import model_size as L

YOUR_SHAPE = "Your shape (above)"
BOUNDS = {"size_layers": (1, 200), "size_width": (1, 65_536), "size_heads": (1, 512),
          "size_vocab": (2, 1_000_000), "size_context": (1, 1_000_000), "size_gpus": (1, 1_000_000),
          "size_util": (0.05, 1.0), "size_peak_tflops": (1.0, 10_000.0), "size_price": (0.0, 1_000.0),
          "size_tokens_b": (0.001, 1_000_000.0)}
NO_DELTA = dict(delta_color="off", delta_arrow="off")

ui.header("Model size",
          "A model's scale is three numbers, parameters, training tokens and compute, and compute (about 6 x "
          "parameters x tokens) is what sets the bill.")

# ----------------------------------------------------------------------------------------------- 1. parameters
st.subheader("1. Parameters from the shape of a GPT")
ui.prose("A GPT is a stack of identical Transformer blocks. Choose how many (layers), how wide each is (width, the "
         "size of every token's vector), how many attention heads share that width, how many tokens the vocabulary "
         "has and how long the context is. The count below is exact for GPT-2's layout, and the page checks it by "
         "building that very model with the transformers library.")
table = ui.memo(L.presets)
ui.bind_url({"size_layers": 6, "size_width": 384, "size_heads": 6, "size_vocab": 8192, "size_context": 512,
             "size_model": YOUR_SHAPE, "size_tokens_rule": L.TOKEN_RULES[0], "size_tokens_b": 100.0,
             "size_gpus": 256, "size_util": 0.7, "size_peak_tflops": 60.0, "size_price": 2.0},
            options={"size_model": [YOUR_SHAPE, *table], "size_tokens_rule": list(L.TOKEN_RULES)}, bounds=BOUNDS)
c = st.columns(5)
shape = L.GPTShape(int(c[0].number_input("Layers L", min_value=1, max_value=200, step=1, key="size_layers")),
                   int(c[1].number_input("Width d", min_value=1, max_value=65_536, step=64, key="size_width")),
                   int(c[2].number_input("Heads", min_value=1, max_value=512, step=1, key="size_heads")),
                   int(c[3].number_input("Vocabulary V", min_value=2, max_value=1_000_000, step=1000,
                                         key="size_vocab")),
                   int(c[4].number_input("Context T", min_value=1, max_value=1_000_000, step=256,
                                         key="size_context")))
facts = None
try:
    facts = ui.memo(L.shape_facts, shape)
except ValueError as exc:
    st.warning(f"That shape cannot be built: {exc}. Change the width or the number of heads.")
if facts:
    left, right = ui.columns([3, 2])
    with left:
        st.latex(L.FORMULA_TEXT)
        st.markdown(f"With L = {shape.n_layer}, d = {shape.d_model}, V = {shape.vocab_size:,}, "
                    f"T = {shape.context:,}: **N = {facts.n:,}** ({L.human(facts.n)}) parameters. "
                    f"Each of the {shape.n_head} heads works on {shape.d_model // shape.n_head} of the "
                    f"{shape.d_model} dimensions; heads split the width and add no parameters.")
        with st.spinner("Building the model to count its parameters..."):
            count, device = ui.memo(L.count_real_parameters, shape)
        where = ("built for real on the CPU" if device == "cpu" else
                 "built on PyTorch's meta device: real layers and shapes, no memory")
        if count == facts.n:
            st.success(f"Checked: transformers' GPT2LMHeadModel with this shape, {where}, has "
                       f"{count:,} parameters, the same as the formula.")
        else:
            st.error(f"The real model has {count:,} parameters but the formula says {facts.n:,}.")
        ui.prose("\n".join(f"- **{name}**: {formula}, {why}" for name, formula, why in L.FORMULA_EXPLAINED))
    with right:
        ui.chart(ui.memo(L.breakdown_chart, facts.parts, ui.projector()))

# ------------------------------------------------------------------------------------ 2. data, compute, money
st.subheader("2. Training tokens, compute, time and money")
c1, c2 = st.columns(2)
model = c1.selectbox("Model", [YOUR_SHAPE, *table], key="size_model",
                     help="Presets take parameters and training tokens from the chapter (see references).")
rule = c2.radio("Training tokens", L.TOKEN_RULES, key="size_tokens_rule", horizontal=True)
preset = table.get(model)
n_params = preset.parameters if preset else (facts.n if facts else None)
p = None
if n_params is None:
    st.info("Fix the shape above, or pick a model from the list, to compute training costs.")
else:
    own = None
    if rule == L.TOKEN_RULES[2]:
        own = st.number_input("Training tokens (billions)", min_value=0.001, max_value=1_000_000.0,
                              key="size_tokens_b")
    g = st.columns(4)
    gpus = g[0].number_input("GPUs", min_value=1, max_value=1_000_000, step=8, key="size_gpus")
    util = g[1].slider("Utilisation", min_value=0.05, max_value=1.0, step=0.05, key="size_util",
                       help="The share of the GPUs' peak speed that training really achieves.")
    peak = g[2].number_input("Peak TFLOP/s per GPU", min_value=1.0, max_value=10_000.0, step=10.0,
                             key="size_peak_tflops",
                             help="60 is the H100 rate implied by Huyen's example "
                                  "(3.14e23 FLOPs on 256 GPUs in 236 days).")
    price = g[3].number_input("$ per GPU-hour", min_value=0.0, max_value=1_000.0, step=0.5, key="size_price")
    p = ui.memo(L.plan, model if preset else None, n_params, preset.active_parameters if preset else n_params,
                rule, preset.training_tokens if preset else None, own, int(gpus), float(util), float(peak),
                float(price))
    if p.fell_back:
        st.info("Our sources give no training-token count for this choice, so the Chinchilla rule is used instead.")
    m = st.columns(3) + st.columns(3)
    moe = p.n_active < p.n_params
    m[0].metric("Parameters N", L.human(p.n_params), f"{L.human(p.n_active)} active" if moe else None, **NO_DELTA)
    m[1].metric("Training tokens D", L.human(p.tokens))
    m[2].metric("Compute 6 N D", f"{p.flops:.3g} FLOPs", "N = active parameters" if moe else None, **NO_DELTA)
    m[3].metric("Time", L.human_duration(p.cost.days), f"{L.human_duration(p.cost.days_at_full_use)} at 100%",
                **NO_DELTA)
    m[4].metric("Cost", L.human_money(p.cost.dollars), f"{p.cost.gpu_hours:,.3g} GPU-hours", **NO_DELTA)
    m[5].metric("Tokens per parameter", f"{p.tokens_per_parameter:,.1f}", "Chinchilla: about 20", **NO_DELTA)
    st.markdown(L.COMPUTE_RULE)
    st.markdown(f"6 x {p.n_active:.3g}{' active' if moe else ''} x {p.tokens:.3g} = **{p.flops:.3g} FLOPs**. "
                f"At {p.util:.0%} of "
                f"{p.peak_tflops:g} TFLOP/s on {p.gpus:,} GPUs that is {p.flops:.3g} / ({p.gpus:,} x "
                f"{p.util:.2f} x {p.peak_tflops:g}e12 x 86,400 s) = **{L.human_duration(p.cost.days)}**, and "
                f"{p.cost.gpu_hours:,.3g} GPU-hours x ${p.price:g} = **{L.human_money(p.cost.dollars)}**.")
    with st.expander("Huyen's worked example, reproduced"):
        ex, hx = L.HUYEN_EXAMPLE, L.huyen_example()
        st.markdown(f"GPT-3's reported {ex['flops']:.3g} FLOPs on {ex['gpus']} H100s at "
                    f"{L.DEFAULT_PEAK_FLOPS / 1e12:.0f} TFLOP/s: **{hx.days_at_full_use:.0f} days** at full use "
                    f"(Huyen: about {ex['days_full']}). At {ex['utilisation']:.0%} utilisation and "
                    f"${ex['price_per_gpu_hour']:g} per H100-hour: {hx.days:.0f} days and "
                    f"**${hx.dollars / 1e6:.2f} M** (Huyen: about $4.14 M).")

st.markdown("**Mixture of experts: total against active parameters**")
st.markdown("\n".join(f"- **{name}**: {L.moe_note(total, active)}" for name, total, active in ui.memo(L.moe_models)))
ui.prose("A mixture-of-experts layer holds several MLPs (the experts) and a router that sends each token to only a "
         "few of them. Training and inference compute follow the active parameters (6 x active x D), but every "
         "expert must sit in memory.")

# -------------------------------------------------------------------------------------------- 3. over time
st.subheader("3. Parameters and training data over time")
ui.chart(ui.memo(L.params_chart, n_params, ui.projector()))
tokens_chart, tpp_chart = ui.memo(L.over_time_charts, ui.projector())
t1, t2 = ui.columns(2)
with t1:
    ui.chart(tokens_chart)
with t2:
    ui.chart(tpp_chart)

ui.what_to_notice(L.notices(facts, p, ui.memo(L.tokens_per_parameter_by_model)))
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
ui.show_code(L.count_parameters, L.parameter_breakdown, L.plan, L.training_flops, L.training_cost, L.notices)
