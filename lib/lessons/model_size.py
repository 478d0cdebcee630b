"""Model size: how big a model is, how much data it should see, and what training it costs (the arithmetic of
Huyen's "Model size" section), and the page's "What to notice". Plain functions the page calls and the tests pin.

- Parameters of a GPT-style decoder (GPT-2's layout: learned positions, pre-LayerNorm blocks, a 4x MLP, the output
  layer tied to the token embedding) from layers L, width d, vocabulary V and context T. Heads split the width but
  add no parameters. The formula is exact for transformers' GPT2LMHeadModel; `count_real_parameters` builds one to
  check.
- Chinchilla (Hoffmann et al. 2022): compute-optimal training uses about 20 tokens per parameter.
- Compute: about 6 x N x D floating-point operations to train N parameters on D tokens (Kaplan et al. 2020). One
  rule for every model: N counts the parameters each token goes through, so for a mixture of experts (Mixtral) it is
  the active count, 6 x N_active x D; memory still holds them all.
- Time and money: compute / (GPUs x utilisation x peak FLOP/s), and GPUs x hours x price per GPU-hour.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.data.tables import (Preset, load_presets, load_timeline, timeline_rows, tokens_per_parameter,
                             tokens_per_parameter_pairs)

COMPUTE_RULE = ("Training compute is 6 x N_active x D: six operations per parameter per token, counting only the "
                "parameters each token goes through. In a dense model that is every parameter; in a mixture of "
                "experts it is the experts the router picks (Mixtral: 12.9 B of 46.7 B), while memory must hold "
                "them all.")
TOKEN_RULES = ("Chinchilla: 20 per parameter", "As the model reported", "My own number")

CHINCHILLA_TOKENS_PER_PARAMETER = 20
FLOPS_PER_PARAMETER_TOKEN = 6
SECONDS_PER_DAY = 86_400
# Huyen's worked example: GPT-3's 3.14e23 FLOPs on 256 H100s take about 236 days at full use, so it assumes about
# 3.14e23 / (256 x 236 x 86,400 s) = 6.0e13 FLOP/s per GPU. We use that as the default peak.
HUYEN_EXAMPLE = {"flops": 3.14e23, "gpus": 256, "utilisation": 0.70, "price_per_gpu_hour": 2.0, "days_full": 236}
DEFAULT_PEAK_FLOPS = 60e12
# Above this many parameters the check model is built on PyTorch's "meta" device: real modules with real shapes,
# but no memory and no initialisation, so even GPT-3's shape takes a fraction of a second.
REAL_MODEL_LIMIT = 20_000_000

FORMULA_TEXT = r"N = (V + T)\,d \;+\; L\,(12\,d^2 + 13\,d) \;+\; 2\,d"
FORMULA_EXPLAINED = [
    ("Token embeddings", "V × d", "one d-wide vector per vocabulary entry (reused as the output layer)"),
    ("Position embeddings", "T × d", "one vector per position in the context"),
    ("Attention, per layer", "4d² + 4d", "Q, K, V projections (3d² + 3d) and the output projection (d² + d)"),
    ("MLP, per layer", "8d² + 5d", "d → 4d (4d² + 4d) and 4d → d (4d² + d)"),
    ("LayerNorms, per layer", "4d", "two LayerNorms, each a scale and a shift of width d"),
    ("Final LayerNorm", "2d", "one more LayerNorm before the output layer"),
]


@dataclass(frozen=True)
class GPTShape:
    n_layer: int
    d_model: int
    n_head: int
    vocab_size: int
    context: int
    tied_output: bool = True

    def validate(self) -> None:
        for name in ("n_layer", "d_model", "n_head", "vocab_size", "context"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.d_model % self.n_head:
            raise ValueError(f"the width ({self.d_model}) must divide evenly among the heads ({self.n_head})")


def parameter_breakdown(shape: GPTShape) -> dict[str, int]:
    """Parameters of each part of a GPT-2-style model (the parts of FORMULA_EXPLAINED)."""
    shape.validate()
    d, L = shape.d_model, shape.n_layer
    parts = {
        "Token embeddings": shape.vocab_size * d,
        "Position embeddings": shape.context * d,
        "Attention": L * (4 * d * d + 4 * d),
        "MLP": L * (8 * d * d + 5 * d),
        "LayerNorms": L * 4 * d + 2 * d,
    }
    if not shape.tied_output:
        parts["Output layer (untied)"] = shape.vocab_size * d
    return parts


def count_parameters(shape: GPTShape) -> int:
    """N = (V + T) d + L (12 d^2 + 13 d) + 2 d (+ V d if the output layer is not tied to the embedding)."""
    return sum(parameter_breakdown(shape).values())


def count_real_parameters(shape: GPTShape) -> tuple[int, str]:
    """Build transformers' GPT2LMHeadModel with this shape and count its parameters.
    Small shapes are built for real on the CPU; larger ones on the meta device (shapes only, no memory).
    Returns (count, "cpu" or "meta")."""
    shape.validate()
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the config warns that GPT-2's default bos/eos ids lie outside tiny vocabularies
    config = GPT2Config(n_layer=shape.n_layer, n_embd=shape.d_model, n_head=shape.n_head,
                        vocab_size=shape.vocab_size, n_positions=shape.context,
                        tie_word_embeddings=shape.tied_output, bos_token_id=0, eos_token_id=0)
    device = "cpu" if count_parameters(shape) <= REAL_MODEL_LIMIT else "meta"
    with torch.device(device):
        model = GPT2LMHeadModel(config)
    return sum(p.numel() for p in model.parameters()), device


def chinchilla_tokens(n_params: float) -> float:
    """Compute-optimal training tokens for n_params parameters (about 20 per parameter)."""
    return CHINCHILLA_TOKENS_PER_PARAMETER * n_params


def training_flops(n_params: float, n_tokens: float) -> float:
    """About 6 N D floating-point operations (2 for the forward pass, 4 for the backward, per parameter-token)."""
    return FLOPS_PER_PARAMETER_TOKEN * n_params * n_tokens


@dataclass(frozen=True)
class TrainingCost:
    flops: float
    gpus: int
    utilisation: float
    peak_flops_per_gpu: float
    price_per_gpu_hour: float
    days_at_full_use: float
    days: float
    gpu_hours: float
    dollars: float


def training_cost(flops: float, gpus: int, utilisation: float, peak_flops_per_gpu: float = DEFAULT_PEAK_FLOPS,
                  price_per_gpu_hour: float = 2.0) -> TrainingCost:
    """Days and dollars to do `flops` of training on `gpus` GPUs that reach `utilisation` of their peak."""
    if gpus < 1:
        raise ValueError("need at least one GPU")
    if not 0 < utilisation <= 1:
        raise ValueError("utilisation must be in (0, 1]")
    if peak_flops_per_gpu <= 0 or flops < 0 or price_per_gpu_hour < 0:
        raise ValueError("peak FLOP/s must be positive; compute and price must not be negative")
    full = flops / (gpus * peak_flops_per_gpu) / SECONDS_PER_DAY
    days = full / utilisation
    gpu_hours = gpus * days * 24
    return TrainingCost(flops, gpus, utilisation, peak_flops_per_gpu, price_per_gpu_hour, full, days, gpu_hours,
                        gpu_hours * price_per_gpu_hour)


def moe_note(total: float, active: float) -> str:
    """One sentence on a mixture-of-experts model's total against active parameters."""
    return (f"{human(total)} parameters in all, but only {human(active)} ({active / total:.0%}) are used "
            f"for each token: compute per token follows the active count, memory follows the total.")


def human(n: float, unit: str = "") -> str:
    """1.5e9 -> '1.5 B', 3.15e23 -> '3.15e+23' (FLOPs are written in powers of ten)."""
    if abs(n) >= 1e15:
        return f"{n:.3g}{(' ' + unit) if unit else ''}"
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            v = n / size
            s = f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
            return f"{s} {suffix}{(' ' + unit) if unit else ''}"
    return f"{n:,.0f}{(' ' + unit) if unit else ''}"


def human_duration(days: float) -> str:
    """0.0001 days -> '8.6 seconds', 0.5 -> '12 hours', 337.4 -> '337 days', 800 -> '2.2 years (800 days)'."""
    seconds = days * SECONDS_PER_DAY
    if seconds < 60:
        return f"{seconds:.2g} seconds" if seconds < 10 else f"{seconds:.0f} seconds"
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if days < 2:
        return f"{seconds / 3600:.1f} hours"
    if days < 730:
        return f"{days:,.0f} days"
    return f"{days / 365.25:.1f} years ({days:,.0f} days)"


def human_money(dollars: float) -> str:
    """0.004 -> '$0.004', 12.5 -> '$12.50', 4_142_811 -> '$4.14 M', 2.5e9 -> '$2.5 B'."""
    if dollars < 1:
        return f"${dollars:.2g}"
    if dollars < 1e6:
        return f"${dollars:,.2f}" if dollars < 100 else f"${dollars:,.0f}"
    if dollars < 1e9:
        return f"${dollars / 1e6:,.2f} M"
    return f"${dollars / 1e9:,.3g} B"


# ------------------------------------------------------------------------------------------ what the page shows
def presets() -> dict[str, Preset]:
    return {p.model: p for p in load_presets()}


def timeline() -> pd.DataFrame:
    return load_timeline()


def tokens_per_parameter_by_model() -> tuple[tuple[str, float], ...]:
    return tokens_per_parameter_pairs(timeline_rows())


def moe_models() -> tuple[tuple[str, float, float], ...]:
    """(model, total, active) of the mixture-of-experts models in the presets and the timeline."""
    out = [(p.model, p.parameters, p.active_parameters) for p in load_presets()
           if p.active_parameters < p.parameters]
    tl = timeline().dropna(subset=["parameters", "active_parameters"])
    out += [(r.model, float(r.parameters), float(r.active_parameters)) for r in tl.itertuples()
            if r.active_parameters < r.parameters and r.model not in {m for m, _, _ in out}]
    return tuple(out)


@dataclass(frozen=True)
class ShapeFacts:
    shape: GPTShape
    parts: tuple[tuple[str, int], ...]
    n: int
    wider: int     # parameters with twice the width
    deeper: int    # parameters with twice the layers

    @property
    def embeddings(self) -> int:
        p = dict(self.parts)
        return p["Token embeddings"] + p["Position embeddings"]

    @property
    def blocks(self) -> int:
        p = dict(self.parts)
        return p["Attention"] + p["MLP"]


def shape_facts(shape: GPTShape) -> ShapeFacts:
    """The parameter count of a shape, its parts, and what doubling the width or the depth would give."""
    s = shape
    return ShapeFacts(s, tuple(parameter_breakdown(s).items()), count_parameters(s),
                      count_parameters(GPTShape(s.n_layer, 2 * s.d_model, s.n_head, s.vocab_size, s.context)),
                      count_parameters(GPTShape(2 * s.n_layer, s.d_model, s.n_head, s.vocab_size, s.context)))


@dataclass(frozen=True)
class Plan:
    """Tokens, compute, time and money for one model on one cluster."""
    model: str | None        # a preset's name, or None for the user's shape
    n_params: float          # all parameters (what memory holds)
    n_active: float          # parameters each token goes through (= n_params for a dense model)
    tokens: float
    fell_back: bool          # "as reported" was asked for, but no count is known: Chinchilla's rule instead
    gpus: int
    util: float
    peak_tflops: float
    price: float
    flops: float
    cost: TrainingCost
    doubled: TrainingCost    # the same at twice the utilisation (at most 100%)

    @property
    def tokens_per_parameter(self) -> float:
        return self.tokens / self.n_params


def plan(model: str | None, n_params: float, n_active: float, rule: str, reported_tokens: float | None,
         own_tokens_b: float | None, gpus: int, util: float, peak_tflops: float, price: float) -> Plan:
    """Training tokens by `rule` (one of TOKEN_RULES), compute 6 x N_active x D (COMPUTE_RULE), time and cost."""
    fell_back = rule == TOKEN_RULES[1] and reported_tokens is None
    if rule == TOKEN_RULES[2] and own_tokens_b is not None:
        tokens = float(own_tokens_b) * 1e9
    elif rule == TOKEN_RULES[1] and reported_tokens is not None:
        tokens = float(reported_tokens)
    else:
        tokens = chinchilla_tokens(n_params)
    flops = training_flops(n_active, tokens)  # compute follows the active parameters (all of them when dense)
    peak = float(peak_tflops) * 1e12
    cost = training_cost(flops, int(gpus), float(util), peak, float(price))
    doubled = training_cost(flops, int(gpus), min(1.0, float(util) * 2), peak, float(price))
    return Plan(model, float(n_params), float(n_active), tokens, fell_back, int(gpus), float(util),
                float(peak_tflops), float(price), flops, cost, doubled)


def huyen_example() -> TrainingCost:
    ex = HUYEN_EXAMPLE
    return training_cost(ex["flops"], ex["gpus"], ex["utilisation"], DEFAULT_PEAK_FLOPS, ex["price_per_gpu_hour"])


# ---------------------------------------------------------------------------------------------------- charts
def breakdown_chart(parts: tuple[tuple[str, int], ...], projector: bool) -> dict:
    from lib.charts import finished_spec, size

    return finished_spec(size.breakdown(parts), projector)


def params_chart(n_params: float | None, projector: bool) -> dict:
    from lib.charts import finished_spec, size

    label = f"your choice: {human(n_params or 0)}"
    return finished_spec(size.params_with_user_model(timeline(), n_params, label, projector=projector)
                         .properties(title="Parameters of key models (dashed: your choice)"), projector)


def over_time_charts(projector: bool) -> tuple[dict, dict]:
    from lib.charts import finished_spec, size

    tl = timeline()
    return (finished_spec(size.tokens_over_time(tl, projector=projector).properties(title="Training tokens"),
                          projector),
            finished_spec(size.tokens_per_parameter(tokens_per_parameter(tl), projector=projector)
                          .properties(title="Training tokens per parameter"), projector))


# ------------------------------------------------------------------------------------------- what to notice
def notices(shape: ShapeFacts | None, p: Plan | None, tpp: tuple[tuple[str, float], ...]) -> list[str]:
    """The Model size page's "What to notice", each sentence from a condition on the numbers."""
    out = []
    if shape is not None:
        emb, blocks = shape.embeddings / shape.n, shape.blocks / shape.n
        if emb > blocks:
            out.append(f"In your shape the embeddings hold **{emb:.0%}** of the parameters and the Transformer "
                       f"blocks only **{blocks:.0%}**: at this width the vocabulary table outweighs the blocks. "
                       f"Blocks grow with d\u00b2 and embeddings only with d, so a wider model tips the other way.")
        else:
            out.append(f"In your shape the Transformer blocks hold **{blocks:.0%}** of the parameters and the "
                       f"embeddings **{emb:.0%}**. Blocks grow with d\u00b2 and embeddings only with d, so the "
                       f"bigger the model, the more its size is in the blocks.")
        w, d = shape.wider / shape.n, shape.deeper / shape.n
        more = ("the width adds more" if w > d else "the layers add more" if d > w else "both add the same")
        out.append(f"Doubling the width to {2 * shape.shape.d_model} would give **{human(shape.wider)}** parameters "
                   f"({w:.1f}x); doubling the layers to {2 * shape.shape.n_layer} would give "
                   f"**{human(shape.deeper)}** ({d:.1f}x): {more}.")
    if p is not None:
        tpp_here = p.tokens_per_parameter
        vs = ("Chinchilla's 20" if round(tpp_here) == CHINCHILLA_TOKENS_PER_PARAMETER else
              "fewer than Chinchilla's 20" if tpp_here < CHINCHILLA_TOKENS_PER_PARAMETER else
              "more than Chinchilla's 20")
        active = f" ({human(p.n_active)} active)" if p.n_active < p.n_params else ""
        out.append(f"{p.model or 'Your model'} with {human(p.n_params)} parameters{active} and {human(p.tokens)} tokens "
                   f"({tpp_here:.1f} per parameter, {vs}) needs {p.flops:.3g} FLOPs: "
                   f"**{human_duration(p.cost.days)}** on {p.gpus:,} GPUs at {p.util:.0%}, about "
                   f"**{human_money(p.cost.dollars)}** at ${p.price:g} an hour.")
        if p.util <= 0.5:
            out.append(f"Doubling the utilisation to {min(1.0, p.util * 2):.0%} would halve both: "
                       f"{human_duration(p.doubled.days)} and {human_money(p.doubled.dollars)}. "
                       f"Idle GPUs still cost money.")
        elif p.util < 1:
            out.append(f"Even at 100% utilisation this would take {human_duration(p.cost.days_at_full_use)}; "
                       f"running at {p.util:.0%} adds {human_duration(p.cost.days - p.cost.days_at_full_use)} of "
                       f"paid, idle GPU time.")
        else:
            out.append("At 100% utilisation every GPU-hour you pay for is used: real training runs reach "
                       "roughly 30-60%.")
        if p.n_active < p.n_params:
            dense = training_flops(p.n_params, p.tokens)
            out.append(f"{p.model or 'Your model'} is a mixture of experts: compute follows its "
                       f"**{human(p.n_active)} active** parameters, {p.flops:.3g} FLOPs, {p.n_active / p.n_params:.0%} "
                       f"of the {dense:.3g} that 6 x all {human(p.n_params)} x D would give. Memory still holds all "
                       f"{human(p.n_params)}.")
    if tpp:
        under = [m for m, x in tpp if x < CHINCHILLA_TOKENS_PER_PARAMETER]
        over = [m for m, x in tpp if x > CHINCHILLA_TOKENS_PER_PARAMETER]
        low, high = min(tpp, key=lambda kv: kv[1]), max(tpp, key=lambda kv: kv[1])
        text = (f"Training tokens per parameter run from **{low[1]:.1f}** ({low[0]}) to **{high[1]:.0f}** "
                f"({high[0]}) against Chinchilla's compute-optimal 20.")
        if under:
            text += f" Below 20: {', '.join(under)}."
        if over:
            text += (f" Above 20: {', '.join(over)}; training a smaller model for longer costs more once but "
                     f"less at every use.")
        out.append(text)
    return out
