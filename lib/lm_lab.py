"""What the language-model pages compute, without Streamlit: next-token tables, sample summaries, coloured tokens,
the three checkpoints side by side, and the build report of the tiny GPT family.

Functions here take a `lib.models.lm.LM` (or arrays) and return plain data (numpy arrays, DataFrames, dicts), so the
pages only draw, and the pages' caches can hold the results.
"""
from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from lib import sampling
from lib.data import facts
from lib.errors import ModelUnavailable

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "assets" / "models" / "report_gpt.json"
CHECKPOINTS = {"gpt_base": "Base (pre-trained)", "gpt_sft": "SFT (demonstrations)", "gpt_dpo": "DPO (preferences)"}


# ------------------------------------------------------------------------------------------- next-token tables
@dataclass(frozen=True)
class NextToken:
    """The model's raw next-token logits for a prompt, and the decoded text of its most likely tokens (cache this)."""
    prompt_tokens: tuple[str, ...]
    logits: np.ndarray                 # (V,) float32
    top_ids: tuple[int, ...]           # the TOP most likely ids, most likely first
    top_texts: tuple[str, ...]         # their decoded text


TOP = 20


@torch.inference_mode()
def next_token(lm, prompt: str) -> NextToken:
    ids = lm.encode(prompt)
    if not ids:
        raise ValueError("The prompt is empty.")
    logits = sampling.next_token_logits(lm.model, ids).numpy().astype(np.float32)
    top = np.argsort(-logits, kind="stable")[:TOP]
    return NextToken(tuple(lm.tokens(ids)), logits, tuple(int(i) for i in top),
                     tuple(lm.tokenizer.decode([int(i)]) for i in top))


def show_token(text: str) -> str:
    """A token made visible: a leading space as a middle dot, newlines as \\n."""
    return text.replace(" ", "\u00b7").replace("\n", "\\n") or "\u2205"


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
    return int((sampling.probabilities(torch.from_numpy(nt.logits), temperature, top_k, top_p) > 0).sum())


# ------------------------------------------------------------------------------------------------ samples
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
    df = pd.DataFrame([{"answer": a, "count": c, "share": c / len(s.texts)} for a, c in counts.most_common()])
    return df


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
    r = int(255 - 120 * p)
    g = int(170 + 70 * p)
    b = int(170 - 30 * p)
    return f"rgb({r},{g},{b})"


def coloured_tokens_html(tokens: tuple[str, ...] | list[str], probs: tuple[float, ...] | list[float]) -> str:
    """Tokens as HTML spans coloured by probability; every piece of model text is escaped."""
    spans = []
    for tok, p in zip(tokens, probs):
        spans.append(f'<span title="p = {p:.3f}" style="background:{_colour(p)};padding:1px 2px;'
                     f'border-radius:3px;margin-right:1px">{html.escape(tok).replace(chr(10), "&#8629;")}</span>')
    return "".join(spans)


# --------------------------------------------------------------------------------------- checkpoints compared
def answer_probability(lm, prompt: str, answer: str) -> float:
    """The model's probability of `answer` as the continuation of `prompt` (product over the answer's tokens)."""
    from lib.train.dpo import answer_logprobs, encode_answers

    with torch.inference_mode():
        lp, _ = answer_logprobs(lm.model, *encode_answers(lm.tokenizer, [prompt], [answer]))
    return float(math.exp(float(lp[0])))


def first_token_probability(lm, prompt: str, continuation: str) -> float:
    """The model's probability that the answer starts with the first token of `continuation`."""
    ids = lm.encode(prompt)
    first = lm.tokenizer(continuation, add_special_tokens=False)["input_ids"][0]
    with torch.inference_mode():
        probs = torch.softmax(sampling.next_token_logits(lm.model, ids), dim=-1)
    return float(probs[first])


IDK_COLUMN = "p(first word \u201cI\u201d)"
ANSWER_COLUMN = "p(first word \u201cThe\u201d)"
WHOLE_COLUMN = "p(whole answer)"


def prompt_for(key: str, name: str, kind: str = "capital") -> str:
    """The prompt each checkpoint is probed with (as in the build report): the base model never saw a question, so it
    gets the pre-training style completion "The capital of X is"; SFT and DPO get the question format."""
    return facts.completion_prompt(name) if key == "gpt_base" else facts.qa_prompt(name, kind)


def name_garbled(name: str, answer: str) -> bool:
    """True when an answer that repeats the country's name ("The capital of ...", "I don't know the capital of ...")
    spells it differently from the question: the tiny model copies names token by token and can get one wrong."""
    return "capital of" in answer and f"capital of {name}" not in answer


def compare_answers(lms: dict, name: str, kind: str = "capital") -> pd.DataFrame:
    """For a country (real or invented): each checkpoint's greedy answer to the prompt it is probed with (completion
    for the base model, question for SFT and DPO), and three probabilities from the same model:
    the whole answer (product over all its tokens, name included), that the answer starts with "I" (the first token
    of "I don't know ...": the decision to abstain) and, in the question format, that it starts with "The" (the first
    token of "The capital of ... is ..."). For a real country, also the probability of the whole correct answer."""
    country = facts.BY_NAME.get(name)
    rows = []
    for key, lm in lms.items():
        prompt = prompt_for(key, name, kind)
        qa = key != "gpt_base"
        out = sampling.generate(lm, [prompt], temperature=0.0, max_new_tokens=32)[0]
        row = {"checkpoint": CHECKPOINTS.get(key, key), "prompt": prompt.replace("\n", " "),
               "answer": out.text.strip(), WHOLE_COLUMN: out.probability,
               IDK_COLUMN: first_token_probability(lm, prompt, facts.qa_abstain(name, kind)),
               ANSWER_COLUMN: first_token_probability(lm, prompt, facts.qa_answer(name, kind, "x")) if qa
               else float("nan")}
        if country:
            right = facts.qa_answer(name, kind, country.fact(kind)) if qa else " " + country.fact(kind) + "."
            row["p(correct answer)"] = answer_probability(lm, prompt, right)
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ build report
def load_report(path: Path = REPORT) -> dict:
    """The tiny GPT family's build report (probe sets, measured rates, DPO history)."""
    if not path.is_file():
        raise ModelUnavailable("The tiny GPT's evaluation report has not been built.", path=str(path),
                               fix="python -m lib.train gpt")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"The tiny GPT's evaluation report could not be read ({exc}).", path=str(path),
                               fix="python -m lib.train gpt") from exc


def hallucination_frame(report: dict) -> pd.DataFrame:
    rows = []
    for key, label in CHECKPOINTS.items():
        sec = report.get("evaluation", {}).get(key)
        if not sec:
            continue
        for t, rate in sec["hallucination_by_temperature"].items():
            rows.append({"checkpoint": label, "temperature": float(t), "hallucination_rate": rate})
    return pd.DataFrame(rows, columns=["checkpoint", "temperature", "hallucination_rate"])


def lab_answer(lm, name: str, fmt: str, temperature: float, seed: int, n_consistency: int = 10) -> dict:
    """One checkpoint's answer about a country (real or invented), the model's probability of that answer, and the
    self-consistency of 10 samples at temperature 1."""
    from lib import hallucination as H

    prompt = H.prompt_for(name, "capital", fmt)
    out = sampling.generate(lm, [prompt], temperature=temperature, seed=seed, max_new_tokens=32)[0]
    outs = sampling.sample_many(lm, prompt, n_consistency, temperature=1.0, seed=seed + 1, max_new_tokens=32)
    top, share = H.agreement([o.text for o in outs])
    return {"prompt": prompt.replace("\n", " "), "answer": out.text.strip(), WHOLE_COLUMN: out.probability,
            "abstains": facts.is_abstention(out.text), "agreement": 100 * share,
            "most common sample": top}
