"""Hallucination probes: ask a model about countries it knows and countries that do not exist, and measure.
Shared by the build's evaluation (lib/train/gpt_train.py) and the lessons of the language-model pages.

- `probe`: one answer per (country, question), greedy or sampled, classified as correct / wrong / abstained.
- `hallucination_rate`: share of invented names for which the model names something instead of abstaining.
- `self_consistency`: sample several answers and measure how often they agree; used as a detector of made-up
  answers (a model that knows a fact tends to give the same answer every time).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lib.data import facts
from lib.sampling import generate


@dataclass
class ProbeResult:
    name: str
    kind: str
    known: bool
    mentions: int        # times each fact was stated in pre-training (0 for invented names)
    prompt: str
    answer: str
    probability: float   # probability of the whole answer under the sampling distribution
    abstained: bool
    correct: bool        # always False for invented names


def prompt_for(name: str, kind: str, fmt: str) -> str:
    if fmt == "completion":
        if kind != "capital":
            raise ValueError("the completion format only asks for capitals")
        return facts.completion_prompt(name)
    return facts.qa_prompt(name, kind)


def _is_correct(answer: str, value: str, fmt: str) -> bool:
    if facts.is_abstention(answer):
        return False
    if fmt == "completion":
        return answer.strip().startswith(value)
    return value in answer


def probe(lm, names: list[str], kinds: list[str], fmt: str = "qa", temperature: float = 0.0, seed: int = 0,
          top_k: int = 0, top_p: float = 1.0) -> list[ProbeResult]:
    """Ask about every (name, kind); real names are looked up in the fact world, other names count as invented."""
    items = [(n, k) for n in names for k in kinds]
    prompts = [prompt_for(n, k, fmt) for n, k in items]
    outs = generate(lm, prompts, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                    max_new_tokens=32 if fmt == "qa" else 16, stop="sentence")
    results = []
    for (name, kind), prompt, out in zip(items, prompts, outs):
        country = facts.BY_NAME.get(name)
        answer = out.text
        results.append(ProbeResult(name=name, kind=kind, known=country is not None,
                                   mentions=country.mentions if country else 0, prompt=prompt, answer=answer,
                                   probability=out.probability, abstained=facts.is_abstention(answer),
                                   correct=bool(country) and _is_correct(answer, country.fact(kind), fmt)))
    return results


def rate(results: list[ProbeResult], field: str) -> float:
    return sum(getattr(r, field) for r in results) / len(results) if results else float("nan")


def hallucination_rate(results: list[ProbeResult]) -> float:
    """Share of answers about invented names that name something instead of saying "I don't know"."""
    invented = [r for r in results if not r.known]
    return sum(not r.abstained and bool(r.answer.strip()) for r in invented) / len(invented) if invented else float(
        "nan")


def summary(results: list[ProbeResult]) -> dict:
    known = [r for r in results if r.known]
    invented = [r for r in results if not r.known]
    out = {"n_known": len(known), "n_invented": len(invented)}
    if known:
        out["accuracy"] = rate(known, "correct")
        out["over_refusal"] = rate(known, "abstained")
        out["mean_answer_probability_known"] = sum(r.probability for r in known) / len(known)
    if invented:
        out["hallucination_rate"] = hallucination_rate(results)
        out["abstention_invented"] = rate(invented, "abstained")
        out["mean_answer_probability_invented"] = sum(r.probability for r in invented) / len(invented)
    return out


def by_frequency(results: list[ProbeResult]) -> list[dict]:
    """Accuracy and over-refusal of known countries grouped by how often their facts were seen."""
    rows = []
    for mentions in sorted({r.mentions for r in results if r.known}, reverse=True):
        group = [r for r in results if r.known and r.mentions == mentions]
        rows.append({"mentions": mentions, "n": len(group), "accuracy": rate(group, "correct"),
                     "over_refusal": rate(group, "abstained")})
    return rows


def normalise(answer: str) -> str:
    return answer.strip().rstrip(".").strip().lower()


def agreement(answers: list[str]) -> tuple[str, float]:
    """The most common answer and the share of samples that gave it."""
    counts = Counter(normalise(a) for a in answers)
    top, n = counts.most_common(1)[0]
    return top, n / len(answers)


def self_consistency(lm, names: list[str], fmt: str = "completion", kind: str = "capital", n: int = 10,
                     temperature: float = 1.0, seed: int = 0) -> dict[str, float]:
    """Agreement (share of the most common answer among `n` samples) for every name."""
    prompts = [prompt_for(name, kind, fmt) for name in names for _ in range(n)]
    outs = generate(lm, prompts, temperature=temperature, seed=seed, max_new_tokens=32 if fmt == "qa" else 16)
    return {name: agreement([o.text for o in outs[i * n:(i + 1) * n]])[1] for i, name in enumerate(names)}


def detector_accuracy(known_scores: list[float], invented_scores: list[float], threshold: float) -> float:
    """Accuracy of "agreement >= threshold means known" on a balanced view (mean of the two recalls)."""
    hit_known = sum(s >= threshold for s in known_scores) / len(known_scores)
    hit_invented = sum(s < threshold for s in invented_scores) / len(invented_scores)
    return (hit_known + hit_invented) / 2


def best_threshold(known_scores: list[float], invented_scores: list[float]) -> float:
    candidates = sorted(set(known_scores) | set(invented_scores))
    return max(candidates, key=lambda t: (detector_accuracy(known_scores, invented_scores, t), -t))



def checkpoint_prompt(checkpoint: str, name: str, kind: str = "capital") -> str:
    """The prompt each checkpoint is probed with (as in the build report): the base model never saw a question, so it
    gets the pre-training style completion "The capital of X is"; SFT and DPO get the question format."""
    return prompt_for(name, kind, "completion" if checkpoint == "gpt_base" else "qa")


def name_garbled(name: str, answer: str) -> bool:
    """True when an answer that repeats the country's name ("The capital of ...", "I don't know the capital of ...")
    spells it differently from the question: the tiny model copies names token by token and can get one wrong."""
    return "capital of" in answer and f"capital of {name}" not in answer


def garbled_note(name: str) -> str:
    """What a page says under an answer that `name_garbled` flags (another country's name, or `name` misspelt)."""
    return (f"An answer that names another country, or spells {name} differently, is the model, not the app: the tiny "
            f"model copies the name from the question token by token and can garble or swap one.")
