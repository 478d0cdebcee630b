"""The Sampling and hallucination page's lesson: the next-token distribution under temperature, top-k and top-p
(recomputed from one cached forward pass), many samples of one prompt, the hallucination lab, and the page's
"What to notice" written from those numbers.

Functions that run a model take the model's source and checkpoint by name (so a page can cache them with ui.memo);
`notices` and the other `*_notices` are pure functions of plain numbers.
"""
from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib import sampling
from lib.charts import lm as lmcharts
from lib.data import facts
from lib.eval import answers as classifier
from lib.models import probes, registry
from lib.models.lm import CHECKPOINTS, load_report, show_token
from lib.models.scoring import next_token_logits

TOP = 20
WHOLE_COLUMN = "p(whole answer)"


# ------------------------------------------------------------------------------------- 1. next-token distribution
@dataclass(frozen=True)
class NextToken:
    """The model's raw next-token logits for a prompt, and the decoded text of its most likely tokens (cache this)."""
    prompt_tokens: tuple[str, ...]
    logits: np.ndarray                 # (V,) float32
    top_ids: tuple[int, ...]           # the TOP most likely ids, most likely first
    top_texts: tuple[str, ...]         # their decoded text


@torch.inference_mode()
def next_token_of(lm, prompt: str) -> NextToken:
    ids = lm.encode(prompt)
    if not ids:
        raise ValueError("The prompt is empty.")
    logits = next_token_logits(lm.model, ids).numpy().astype(np.float32)
    top = np.argsort(-logits, kind="stable")[:TOP]
    return NextToken(tuple(lm.tokens(ids)), logits, tuple(int(i) for i in top),
                     tuple(lm.tokenizer.decode([int(i)]) for i in top))


def next_token(source: str, checkpoint: str, prompt: str) -> NextToken:
    """One forward pass per (model, prompt); every slider move reuses these logits."""
    return next_token_of(registry.load_lm(source, checkpoint), prompt)


def distribution_frame(nt: NextToken, temperature: float, top_k: int, top_p: float, top: int = TOP) -> pd.DataFrame:
    """The `top` most likely tokens (by the model's own probability) with the probability the sampler would use after
    temperature / top-k / top-p, whether the processors cut them, and a last row for all other tokens together.
    Recomputed from the cached logits: no forward pass."""
    logits = torch.from_numpy(nt.logits)
    model_p = torch.softmax(logits.float(), dim=-1).numpy()
    used = sampling.probabilities(logits, temperature, top_k, top_p).numpy()
    order = list(nt.top_ids)[:top]
    rows = [{"token": show_token(text), "id": i, "model_probability": float(model_p[i]),
             "probability": float(used[i]), "status": "kept" if used[i] > 0 else "cut"}
            for i, text in zip(order, nt.top_texts[:top])]
    rest = np.ones(len(model_p), dtype=bool)
    rest[order] = False
    rows.append({"token": f"(other {int(rest.sum())} tokens)", "id": -1,
                 "model_probability": float(model_p[rest].sum()), "probability": float(used[rest].sum()),
                 "status": "kept" if used[rest].sum() > 0 else "cut"})
    return pd.DataFrame(rows)


def kept_count(nt: NextToken, temperature: float, top_k: int, top_p: float) -> int:
    """How many tokens the sampler can still draw (top-k keeps every token tied with the k-th, as transformers does)."""
    return int((sampling.probabilities(torch.from_numpy(nt.logits), temperature, top_k, top_p) > 0).sum())


@dataclass(frozen=True)
class Distribution:
    frame: pd.DataFrame     # the top tokens and the rest (see distribution_frame)
    kept: int               # tokens the sampler can draw
    vocab_size: int
    spec: dict              # the finished chart
    table: pd.DataFrame     # `frame` as the page's table shows it (its columns named for a reader), made once


def distribution(nt: NextToken, temperature: float, top_k: int, top_p: float, projector: bool) -> Distribution:
    """Section 1: the table, the number of tokens that can be drawn and the finished chart (10 bars on the
    projector), from the cached logits (no forward pass)."""
    frame = distribution_frame(nt, temperature, top_k, top_p)
    shown = distribution_frame(nt, temperature, top_k, top_p, top=10) if projector else frame
    kept = kept_count(nt, temperature, top_k, top_p)
    title = f"Top {len(shown) - 1} next tokens: {kept} of {len(nt.logits)} can be drawn"
    table = frame.rename(columns={"model_probability": "model (T=1)", "probability": "sampler"})
    return Distribution(frame, kept, len(nt.logits), lmcharts.next_token_spec(shown, title, projector), table)


def describe(temperature: float, top_k: int, top_p: float) -> str:
    return (f"temperature {temperature:g}" + (" (greedy)" if temperature == 0 else "")
            + f", top-k {top_k if top_k else 'off'}, top-p {top_p:g}")


def distribution_notices(settings: str, top_token: str, p_sampler: float, p_model: float, kept: int,
                         vocab_size: int, top_k: int) -> list[str]:
    """Section 1's notes, from the numbers of the shown distribution."""
    out = [f"At {settings}, the most likely next token **`{top_token}`** has probability **{p_sampler:.1%}** for the "
           f"sampler (the model's own: {p_model:.1%}); {kept} of {vocab_size} tokens can still be drawn."]
    if kept == 1:
        out.append("Only one token is left: every sample starts the same way.")
    if top_k and kept > top_k:
        out.append(f"Top-k is {top_k} but {kept} tokens are kept: tokens whose logits tie with the {top_k}-th are "
                   f"all kept (transformers' TopKLogitsWarper cuts only the tokens strictly below the k-th).")
    return out


# ---------------------------------------------------------------------------------------------- 2. many samples
@dataclass(frozen=True)
class SampleSet:
    texts: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]
    probs: tuple[tuple[float, ...], ...]      # probability of each token under the sampling distribution
    entropies: tuple[tuple[float, ...], ...]  # bits, per step


def samples(lm, prompt: str, n: int, temperature: float, top_k: int, top_p: float, seed: int,
            max_new_tokens: int = 12) -> SampleSet:
    outs = sampling.sample_many(lm, prompt, n, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                                max_new_tokens=max_new_tokens, stop="sentence")
    return SampleSet(tuple(o.text for o in outs), tuple(tuple(o.tokens) for o in outs),
                     tuple(tuple(o.probs) for o in outs), tuple(tuple(o.entropies) for o in outs))


def answer_counts(s: SampleSet) -> pd.DataFrame:
    counts = Counter(t.strip() or "(nothing)" for t in s.texts)
    return pd.DataFrame([{"answer": a, "count": c, "share": c / len(s.texts)} for a, c in counts.most_common()])


def entropy_frame(s: SampleSet) -> pd.DataFrame:
    """Mean entropy (bits) of the sampling distribution at each generation step, over the samples still running."""
    steps = max((len(e) for e in s.entropies), default=0)
    rows = []
    for t in range(steps):
        vals = [e[t] for e in s.entropies if len(e) > t]
        rows.append({"step": t + 1, "entropy_bits": float(np.mean(vals)), "samples": len(vals)})
    return pd.DataFrame(rows, columns=["step", "entropy_bits", "samples"])


def _colour(p: float) -> str:
    """Light red (unlikely) to light green (likely)."""
    p = min(max(p, 0.0), 1.0)
    return f"rgb({int(255 - 120 * p)},{int(170 + 70 * p)},{int(170 - 30 * p)})"


def coloured_tokens_html(tokens: tuple[str, ...] | list[str], probs: tuple[float, ...] | list[float]) -> str:
    """Tokens as HTML spans coloured by probability; every piece of model text is escaped."""
    return "".join(f'<span title="p = {p:.3f}" style="background:{_colour(p)};padding:1px 2px;'
                   f'border-radius:3px;margin-right:1px">{html.escape(tok).replace(chr(10), "&#8629;")}</span>'
                   for tok, p in zip(tokens, probs))


@dataclass(frozen=True)
class SampleView:
    samples: SampleSet
    counts: pd.DataFrame
    share_spec: dict
    entropy_spec: dict | None
    top_token: str              # the most likely next token (from section 1's logits)
    p_top: float                # its probability for the sampler at these settings
    n_top: int                  # samples whose first token is it
    endings: int                # distinct samples among those
    common_first: str | None    # first token of the most common sample


def sample_view(source: str, checkpoint: str, prompt: str, nt: NextToken, n: int, temperature: float, top_k: int,
                top_p: float, seed: int, projector: bool) -> SampleView:
    """Section 2: `n` seeded samples at the given settings, their answer counts, entropy per step and charts, and
    how the samples' first tokens compare with the prompt's next-token distribution `nt`."""
    ss = samples(registry.load_lm(source, checkpoint), prompt, n, temperature, top_k, top_p, seed)
    counts = answer_counts(ss)
    k = len(counts)
    share = lmcharts.answer_share_spec(counts, f"{k} distinct answer{'' if k == 1 else 's'} in {len(ss.texts)} "
                                               f"samples", projector)
    ent = entropy_frame(ss)
    ent_spec = lmcharts.entropy_spec(ent, "Entropy at each step", projector) if len(ent) else None
    top = nt.top_texts[0]
    common = counts.iloc[0]["answer"]
    common_first = next((toks[0] for toks in ss.tokens if toks and "".join(toks).strip() == common), None)
    p_top = float(sampling.probabilities(torch.from_numpy(nt.logits), temperature, top_k, top_p)[nt.top_ids[0]])
    return SampleView(ss, counts, share, ent_spec, top, p_top, sum(bool(t) and t[0] == top for t in ss.tokens),
                      len({"".join(t).strip() for t in ss.tokens if t and t[0] == top}), common_first)


def sample_notices(n: int, seed: int, distinct: int, common: str, common_count: int, temperature: float,
                   top_token: str, p_top: float, n_top: int, endings: int, common_first: str | None) -> list[str]:
    """Section 2's notes. Tokens are passed as the model's text (with their leading space)."""
    out = [f"{n} samples with seed {seed} gave **{distinct}** distinct continuation{'' if distinct == 1 else 's'}; "
           f"the most common, \u201c{common}\u201d, came up {common_count} times."
           + (" Temperature 0 is greedy: every sample is the same." if temperature == 0 else "")]
    if common_first is not None and common_first != top_token:
        out.append(
            f"The most likely *next token* is `{show_token(top_token)}` ({p_top:.1%}), yet the most common *sample* "
            f"is \u201c{common}\u201d, which starts with `{show_token(common_first)}`. A sample is a whole sequence "
            f"drawn token by token, and its probability is the product of its tokens' probabilities: {n_top} of {n} "
            f"samples started with `{show_token(top_token)}`, but they went on in {endings} different "
            f"way{'' if endings == 1 else 's'}, while the tokens after `{show_token(common_first)}` are nearly "
            f"certain. (`\u00b7` marks the leading space a token carries.)")
    return out


# ------------------------------------------------------------------------------------------ 3. hallucination lab
def lab_options(report: dict) -> list[str]:
    invented_eval = report["probe_sets"]["invented_eval"]
    return ([f"{c.name} (seen {c.mentions} times)" for c in facts.COUNTRIES if c.mentions >= 20][:6]
            + [f"{c.name} (seen {c.mentions} times)" for c in facts.COUNTRIES if c.mentions <= 3][:6]
            + [f"{name} (invented, never seen)" for name in invented_eval[:8]])


def lab_default() -> str:
    """The lab's first country: the post-training page's (an invented name the shipped DPO model refuses, the typical
    case), or the first invented option if that one is not in the lab's list."""
    from lib.lessons import post_training
    from lib.models.lm import load_report

    name = post_training.default_option()
    invented = [o.split(" (")[0] for o in lab_options(load_report()) if "(invented" in o]
    return name if name in invented else invented[0]


def lab_answer(lm, name: str, fmt: str, temperature: float, seed: int, n_consistency: int = 10) -> dict:
    """One checkpoint's answer about a country (real or invented), the model's probability of that answer, and the
    self-consistency of 10 samples at temperature 1."""
    prompt = probes.prompt_for(name, "capital", fmt)
    out = sampling.generate(lm, [prompt], temperature=temperature, seed=seed, max_new_tokens=32)[0]
    outs = sampling.sample_many(lm, prompt, n_consistency, temperature=1.0, seed=seed + 1, max_new_tokens=32)
    top, share = probes.agreement([o.text for o in outs])
    return {"prompt": prompt.replace("\n", " "), "answer": out.text.strip(), WHOLE_COLUMN: out.probability,
            "outcome": classifier.classify(out.text, name).outcome, "agreement": 100 * share, "most common sample": top}


LAB_SEED = 0


def lab_seed(temperature: float, seed: int = 0) -> int:
    """The seed the lab draws with: a fixed one at every temperature. At 0 the answer is greedy (no seed in it) and
    the agreement column is a measurement of the model (10 samples at T = 1); above 0 the answer is one sample. A
    whole class opening the page with different seeds shares one computation (0.55 s of the three models) instead of
    thirty. It used to follow section 2's Seed above 0, but section 2 is a fragment of its own: a new seed redrew the
    samples and left the lab showing the old seed's answers (found by a reviewer). `seed` is accepted and ignored."""
    return LAB_SEED


def lab_answers(name: str, temperature: float, seed: int) -> pd.DataFrame:
    """The three embedded checkpoints asked about `name`, each in the format it was measured with."""
    rows = []
    for key, label in CHECKPOINTS.items():
        fmt = "completion" if key == "gpt_base" else "qa"
        rows.append({"checkpoint": label, **lab_answer(registry.load(key), name, fmt, temperature, seed)})
    return pd.DataFrame(rows)


def lab_notices(name: str, base_prompt: str, base_answer: str, base_probability: float,
                answers: tuple[str, ...]) -> list[str]:
    out = [f"The base model was only pre-trained, so it is asked with the completion prompt \u201c{base_prompt}"
           f"\u201d and continues \u201c{base_answer}\u201d (p = {base_probability:.3f}); SFT and DPO are asked in "
           f"the question format they were finetuned on. *outcome*: *capital* if the answer names a capital (right or "
           f"not), *abstain* if it says it does not know, *neither* for anything else (\u201ca.\u201d, a currency, "
           f"another country): \u201cneither\u201d is not an answer."]
    if any(probes.name_garbled(name, a) for a in answers):
        out.append(probes.garbled_note(name))
    return out


def outcomes(report: dict, key: str, temperature: str = "0.0") -> dict | None:
    """The three outcomes of one checkpoint on the held-out invented names, from the build report: the share of
    answers that name a capital, that abstain ("I don't know ...") and that are neither (the base model's "a.", a
    currency, another country's name, a garbled word). Greedy (T = 0), each checkpoint in its measured format."""
    sec = report.get("evaluation", {}).get(key)
    if not sec:
        return None
    fmt = sec.get("format_for_hallucination", "completion" if key == "gpt_base" else "qa")
    part = sec[fmt]
    capital = float(part["invented_names_a_capital"] if temperature == "0.0"
                    else sec["names_capital_by_temperature"][temperature])
    abstain = float((part["capital"] if fmt == "qa" else part)["abstention_invented"])
    return {"capital": capital, "abstain": abstain, "neither": max(0.0, 1.0 - capital - abstain)}


def outcome_frame(report: dict) -> pd.DataFrame:
    """Section 3's table: per checkpoint, the percentage of held-out invented names answered with a capital,
    abstained on, and neither (greedy)."""
    rows = []
    for key, label in CHECKPOINTS.items():
        o = outcomes(report, key)
        if o is not None:
            rows.append({"checkpoint": label, "names a capital": 100 * o["capital"], "abstains": 100 * o["abstain"],
                         "neither": 100 * o["neither"]})
    return pd.DataFrame(rows, columns=["checkpoint", "names a capital", "abstains", "neither"])


def outcome_frame_of() -> pd.DataFrame:
    """`outcome_frame` of the shipped report (one frame per server: the page's table turns it into Arrow once)."""
    return outcome_frame(load_report())


def hallucination_frame(report: dict) -> pd.DataFrame:
    """The share of held-out invented names whose answer names a capital, by sampling temperature (the classifier's
    "capital" outcome; "a." or a currency is not counted)."""
    rows = []
    for key, label in CHECKPOINTS.items():
        sec = report.get("evaluation", {}).get(key)
        if not sec:
            continue
        for t, rate in sec["names_capital_by_temperature"].items():
            rows.append({"checkpoint": label, "temperature": float(t), "hallucination_rate": rate})
    return pd.DataFrame(rows, columns=["checkpoint", "temperature", "hallucination_rate"])


def flat_rate_note(frame: pd.DataFrame) -> str | None:
    """A sentence for the checkpoints whose line in the temperature chart is flat (the same share at every
    temperature): a flat line reads like a plotting bug unless the page says why. None when no line is flat."""
    flat = [(name, g["hallucination_rate"].iloc[0]) for name, g in frame.groupby("checkpoint", sort=False)
            if len(g) > 1 and g["hallucination_rate"].nunique() == 1]
    if not flat:
        return None
    names = " and ".join(f"{name} stays at {rate:.0%}" for name, rate in flat)
    these = "This checkpoint's answers are" if len(flat) == 1 else "These checkpoints' answers are"
    return (f"A flat line is measured, not missing: {names} at every temperature. {these} so nearly certain that "
            f"sampling at up to the hottest temperature left the share of names answered with a capital unchanged.")


def flat_rate_note_of() -> str | None:
    """`flat_rate_note` of the shipped report's temperature chart (rate_spec's data)."""
    return flat_rate_note(hallucination_frame(load_report()))


def rate_spec(projector: bool) -> dict:
    rep = load_report()
    n = len(rep["probe_sets"]["invented_eval"])
    return lmcharts.finished_spec(lmcharts.rate_by_temperature(hallucination_frame(rep), projector=projector)
                                  .properties(title=f"Invented names answered with a capital ({n} held out)"),
                                  projector)


# ------------------------------------------------------------------------------------------------ what to notice
@dataclass(frozen=True)
class Outcome:
    """One checkpoint's greedy outcomes on the held-out invented names (shares; they sum to 1)."""
    capital: float
    abstain: float
    neither: float


@dataclass(frozen=True)
class Measured:
    """The build report's figures the page's closing notes use (three outcomes per checkpoint, self-consistency)."""
    base: Outcome
    sft: Outcome
    dpo: Outcome
    detector_accuracy: float | None = None
    agreement_known: float | None = None
    agreement_invented: float | None = None


def measured(report: dict) -> Measured:
    ev = report["evaluation"]
    sc = ev.get("self_consistency", {})
    return Measured(*(Outcome(**outcomes(report, k)) for k in CHECKPOINTS),
                    sc.get("accuracy_eval"), sc.get("mean_agreement_known_seen5"), sc.get("mean_agreement_invented"))


def notices(m: Measured | None) -> list[str]:
    """The page's closing "What to notice", from the build report's measured figures (None: no report)."""
    out = ["The notes *under* sections 1 and 2 follow the sliders and the seed; the points here are the models' "
           "measured figures."]
    if m is None:
        return out
    b, s, d = m.base, m.sft, m.dpo
    base = (f"Greedy, the base model (given \u201cThe capital of X is\u201d) names a capital for **{b.capital:.0%}** "
            f"of the held-out invented countries"
            + (" and never says it does not know" if b.abstain == 0
               else f" and says it does not know for {b.abstain:.0%}"))
    if b.neither > b.capital:
        base += (f"; the other **{b.neither:.0%}** are *neither* (\u201ca.\u201d, another country's name, a made-up "
                 f"word): not an answer, and not an abstention either.")
    else:
        base += f"; {b.neither:.0%} are neither."
    out.append(base)
    if s.capital > b.capital:
        out.append(f"Supervised finetuning taught it to answer: asked the question, SFT names a capital for "
                   f"**{s.capital:.0%}** of them (abstains {s.abstain:.0%}, neither {s.neither:.0%}). Its "
                   f"demonstrations always answer, so it answers about countries that do not exist.")
    else:
        out.append(f"SFT names a capital for {s.capital:.0%} of them, no more than the base model ({b.capital:.0%}).")
    if d.abstain >= max(b.abstain, s.abstain) + 0.1:
        out.append(f"After preference finetuning (DPO) it abstains on **{d.abstain:.0%}** and still names a capital "
                   f"for **{d.capital:.0%}** (neither {d.neither:.0%}): it learned to say \u201cI don't know\u201d, "
                   f"though not every time.")
    else:
        out.append(f"After preference finetuning (DPO) it abstains on only {d.abstain:.0%} and names a capital for "
                   f"**{d.capital:.0%}**: DPO did not teach it to abstain.")
    if m.detector_accuracy is not None:
        if m.agreement_known > m.agreement_invented:
            out.append(f"Self-consistency separates known from invented names with **{m.detector_accuracy:.0%}** "
                       f"balanced accuracy: answers the model really knows tend to come out the same every time "
                       f"(agreement {m.agreement_known:.0%} against {m.agreement_invented:.0%}).")
        else:
            out.append(f"Self-consistency does not separate known from invented names here (agreement "
                       f"{m.agreement_known:.0%} for known against {m.agreement_invented:.0%} for invented, "
                       f"balanced accuracy {m.detector_accuracy:.0%}).")
    return out
