"""Direct Preference Optimisation (Rafailov et al. 2023) for the tiny GPT, with the two stabilising terms it needs.

The trainer knows nothing of the UI: it runs on the one training loop (lib.train.loop.Trainer) and reports through a
callback `(step, metrics)` after every step. It is used by the offline build (lib/train/gpt_train.py) and by the live
DPO demo (lib/lessons/post_training.py) on a session's own copy of the SFT model. Answers are scored by
lib.models.scoring.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from lib.data.facts import PreferencePair
from lib.models.scoring import answer_logprobs, answer_token_logprobs, encode_answers, lm_loss  # noqa: F401
from lib.train.loop import Trainer


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The DPO loss of a batch of preference pairs (x, y_w, y_l): y_w chosen ("won"), y_l rejected ("lost").

        L_DPO = - mean log sigmoid( beta * [ (log pi(y_w|x) - log pi_ref(y_w|x))
                                             - (log pi(y_l|x) - log pi_ref(y_l|x)) ] )

    pi is the model being trained, pi_ref the frozen starting point (the SFT model); every log-probability is summed
    over the answer's tokens. beta * (log pi - log pi_ref) is the "implicit reward" of an answer: the loss pushes the
    chosen answer's reward above the rejected one's, and beta sets how far the policy may drift from the reference.

    Returns (loss, chosen_rewards, rejected_rewards), rewards per pair, detached."""
    chosen_ratio = policy_chosen - ref_chosen
    rejected_ratio = policy_rejected - ref_rejected
    loss = -F.logsigmoid(beta * (chosen_ratio - rejected_ratio)).mean()
    return loss, (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()


@dataclass
class DPOSettings:
    beta: float = 0.1
    steps: int = 300
    batch_pairs: int = 16
    lr: float = 5e-4
    sft_weight: float = 1.0   # weight of the supervised term: mean token NLL of the chosen answer
    lm_weight: float = 1.0    # weight of the language-modelling term on pre-training text
    lm_batch: int = 8
    scope: str = "full"       # "full": score whole answers; "decision": only up to the first token where they differ
    known_share: float = 0.5  # share of each batch drawn from pairs about real countries (when both kinds exist)
    seed: int = 0


def decision_lengths(tokenizer, pair: PreferencePair) -> int:
    """Number of answer tokens up to and including the first token where chosen and rejected differ."""
    a = tokenizer(pair.chosen, add_special_tokens=False)["input_ids"]
    b = tokenizer(pair.rejected, add_special_tokens=False)["input_ids"]
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k + 1


@dataclass
class PreparedPairs:
    """Pairs encoded once, with the frozen reference model's log-probabilities computed once (for both scopes)."""
    pairs: list[PreferencePair]
    ref_chosen: dict[str, torch.Tensor]
    ref_rejected: dict[str, torch.Tensor]
    decision: list[int]


@torch.inference_mode()
def prepare(reference, tokenizer, pairs: list[PreferencePair], chunk: int = 64,
            scopes: tuple[str, ...] = ("full", "decision")) -> PreparedPairs:
    decision = [decision_lengths(tokenizer, p) for p in pairs]
    rc: dict[str, list] = {s: [] for s in scopes}
    rr: dict[str, list] = {s: [] for s in scopes}
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        cut = decision[start:start + chunk]
        prompts = [p.prompt for p in part]
        for scope, scored in (("full", None), ("decision", cut)):
            if scope not in scopes:
                continue
            rc[scope].append(answer_logprobs(reference, *encode_answers(tokenizer, prompts, [p.chosen for p in part],
                                                                        scored))[0])
            rr[scope].append(answer_logprobs(reference, *encode_answers(tokenizer, prompts,
                                                                        [p.rejected for p in part], scored))[0])
    return PreparedPairs(pairs, {k: torch.cat(v) for k, v in rc.items()}, {k: torch.cat(v) for k, v in rr.items()},
                         decision)


def train(policy, tokenizer, prepared: PreparedPairs, settings: DPOSettings, lm_blocks: torch.Tensor | None = None,
          callback: Callable[[int, dict], None] | None = None) -> list[dict]:
    """Preference-tune `policy` in place (pass a copy of a shared model!). Each step draws `batch_pairs` pairs, half of
    them about known countries and half about invented ones when both exist, and minimises

        L = L_DPO + sft_weight * NLL(chosen answer) + lm_weight * LM(pre-training text)

    Plain DPO on a model this small collapses: the cheapest way to lower log pi(y_l) is to push down the first answer
    token everywhere, which also kills correct answers. The supervised term keeps the chosen answers likely, and the
    language-modelling term keeps the facts learned in pre-training.

    With scope="decision" the DPO term scores each answer only up to the first token where chosen and rejected
    differ (tokens they share cancel in the DPO margin anyway). That token is the decision, "I" (don't know) against
    "The" (capital of ...), or the right capital against a wrong one; scoring the rest of a rejected answer such as
    "The capital of Dralia is Paris." would also push down copying a country's name and writing a real capital, and
    the model forgets how to answer. The supervised term still trains the whole chosen answer.
    Returns the metrics of every step."""
    rng = random.Random(settings.seed)
    torch.manual_seed(settings.seed)
    known = [i for i, p in enumerate(prepared.pairs) if p.known]
    unknown = [i for i, p in enumerate(prepared.pairs) if not p.known]
    optimizer = torch.optim.AdamW(policy.parameters(), lr=settings.lr, weight_decay=0.0)

    def step_fn(step: int) -> tuple[torch.Tensor, dict]:
        if known and unknown:
            half = round(settings.batch_pairs * settings.known_share)
            idx = rng.sample(known, min(half, len(known))) + rng.sample(unknown, min(settings.batch_pairs - half,
                                                                                      len(unknown)))
        else:
            pool = known or unknown
            idx = rng.sample(pool, min(settings.batch_pairs, len(pool)))
        batch = [prepared.pairs[i] for i in idx]
        prompts = [p.prompt for p in batch]
        scored = [prepared.decision[i] for i in idx] if settings.scope == "decision" else None
        ids, attention, full_mask = encode_answers(tokenizer, prompts, [p.chosen for p in batch])
        token_lp = answer_token_logprobs(policy, ids, attention)                       # B, T-1
        _, _, cut_mask = encode_answers(tokenizer, prompts, [p.chosen for p in batch], scored)
        chosen_lp = (token_lp * cut_mask[:, 1:]).sum(1)
        chosen_n = full_mask[:, 1:].sum(1)
        rejected_lp, _ = answer_logprobs(policy, *encode_answers(tokenizer, prompts, [p.rejected for p in batch],
                                                                 scored))
        index = torch.tensor(idx)
        loss_dpo, chosen_r, rejected_r = dpo_loss(chosen_lp, rejected_lp, prepared.ref_chosen[settings.scope][index],
                                                  prepared.ref_rejected[settings.scope][index], settings.beta)
        loss = loss_dpo
        nll = -((token_lp * full_mask[:, 1:]).sum(1) / chosen_n).mean()
        if settings.sft_weight:
            loss = loss + settings.sft_weight * nll
        lm = torch.tensor(0.0)
        if settings.lm_weight and lm_blocks is not None and len(lm_blocks):
            rows = torch.tensor(rng.sample(range(len(lm_blocks)), min(settings.lm_batch, len(lm_blocks))))
            lm = lm_loss(policy, lm_blocks[rows])
            loss = loss + settings.lm_weight * lm
        return loss, {"dpo_loss": float(loss_dpo.detach()), "sft_nll": float(nll.detach()),
                      "lm_loss": float(lm.detach()),
                      "chosen_reward": float(chosen_r.mean()), "rejected_reward": float(rejected_r.mean()),
                      "reward_margin": float((chosen_r - rejected_r).mean()),
                      "accuracy": float((chosen_r > rejected_r).float().mean())}

    trainer = Trainer(policy, optimizer, step_fn, settings.steps, clip=1.0)
    if callback is not None:
        trainer.add_callback(lambda step, row: callback(step, {k: v for k, v in row.items() if k != "step"}))
    return trainer.run()


def copy_for_training(model):
    """A deep copy of a (possibly shared, cached) model that can be trained without touching the original."""
    clone = copy.deepcopy(model)
    for p in clone.parameters():
        p.requires_grad_(True)
    return clone
