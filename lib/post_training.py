"""The live preference-finetuning demo: DPO from the SFT checkpoint on a copy of the model, and the probes that
measure what it changed (abstention on invented names against accuracy and over-refusal on real ones).

No Streamlit here: the page passes a callback and draws what it reports.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch

from lib import hallucination as H
from lib.data import facts
from lib.models.lm import LM
from lib.train import dpo


@contextmanager
def one_thread():
    """Run torch on one thread for a while: on a small shared CPU a tiny model trains 3-7x faster this way than with
    threads competing with other processes (measured: 2.7 s against 10-20 s for 30 steps). Restores the setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class ProbeSets:
    invented: tuple[str, ...]   # held-out invented names (never in any training data)
    known: tuple[str, ...]      # held-out real countries seen 5+ times
    rare: tuple[str, ...]       # held-out real countries seen fewer than 5 times


def probe_sets(report: dict, n_invented: int = 40) -> ProbeSets:
    held = set(report["probe_sets"]["heldout_countries"])
    return ProbeSets(invented=tuple(report["probe_sets"]["invented_eval"][:n_invented]),
                     known=tuple(c.name for c in facts.COUNTRIES if c.name in held and c.mentions >= 5),
                     rare=tuple(c.name for c in facts.COUNTRIES if c.name in held and c.mentions < 5))


def probe_scores(lm: LM, sets: ProbeSets) -> dict:
    """Greedy answers to "What is the capital of X?" for the three held-out groups."""
    with one_thread():
        res = H.probe(lm, list(sets.invented + sets.known + sets.rare), ["capital"], fmt="qa")
    inv = [r for r in res if not r.known]
    known = [r for r in res if r.known and r.mentions >= 5]
    rare = [r for r in res if r.known and r.mentions < 5]
    return {"abstains on invented names": H.rate(inv, "abstained"),
            "correct on well-known countries (seen 5+)": H.rate(known, "correct"),
            "refuses well-known countries": H.rate(known, "abstained"),
            "correct on rare countries (seen 2-3)": H.rate(rare, "correct"),
            "refuses rare countries": H.rate(rare, "abstained")}


def scores_frame(before: dict, after: dict) -> pd.DataFrame:
    rows = []
    for label, scores in (("before (SFT)", before), ("after your DPO run", after)):
        for measure, value in scores.items():
            rows.append({"measure": measure, "model": label, "rate": value})
    return pd.DataFrame(rows)


def prepare_pairs(sft: LM, report: dict, seed: int = 0, n_pairs: int = 400) -> dpo.PreparedPairs:
    """A fixed sample of the build's preference pairs (tune countries and tune invented names, half each), with the
    SFT reference's log-probabilities computed once for both scoring scopes."""
    import random

    pairs = facts.preference_pairs(seed, report["probe_sets"]["invented_tune"])
    known = [p for p in pairs if p.known]
    unknown = [p for p in pairs if not p.known]
    rng = random.Random(seed)
    sample = rng.sample(known, min(n_pairs // 2, len(known))) + rng.sample(unknown, min(n_pairs // 2, len(unknown)))
    with one_thread():
        return dpo.prepare(sft.model, sft.tokenizer, sample)


def lm_blocks(lm: LM, seed: int = 0) -> torch.Tensor:
    from lib.train.gpt_train import pack

    return pack(lm.tokenizer, facts.pretraining_documents(seed), 64)


def run_live_dpo(sft: LM, prepared: dpo.PreparedPairs, blocks: torch.Tensor, settings: dpo.DPOSettings,
                 callback: Callable[[int, dict], None] | None = None) -> tuple[LM, list[dict], float]:
    """Train a deep copy of the SFT model (the shared one is never touched). Returns the tuned model, the metrics of
    every step and the seconds it took."""
    t0 = time.perf_counter()
    policy = dpo.copy_for_training(sft.model)
    with one_thread():
        history = dpo.train(policy, sft.tokenizer, prepared, settings, blocks if settings.lm_weight else None,
                            callback)
    for p in policy.parameters():
        p.requires_grad_(False)
    return LM(policy, sft.tokenizer, "gpt_dpo_live"), history, time.perf_counter() - t0
