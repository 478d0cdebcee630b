"""Direct Preference Optimisation (Rafailov et al. 2023) for the tiny GPT, with the two stabilising terms it needs.

The trainer knows nothing of the UI: it reports through a callback `(step, metrics)` after every step. It is used by
the offline build (lib/train/gpt_train.py) and by the live DPO demo on a session's own copy of the SFT model.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from lib.data.facts import PreferencePair


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The DPO loss of a batch of preference pairs (x, y_w, y_l): y_w chosen ("won"), y_l rejected ("lost").

        L_DPO = - mean log sigmoid( beta * [ (log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x)) ] )

    pi is the model being trained, pi_ref the frozen starting point (the SFT model); every log-probability is summed
    over the answer's tokens. beta * (log pi - log pi_ref) is the "implicit reward" of an answer: the loss pushes the
    chosen answer's reward above the rejected one's, and beta sets how far the policy may drift from the reference.

    Returns (loss, chosen_rewards, rejected_rewards), rewards per pair, detached."""
    chosen_ratio = policy_chosen - ref_chosen
    rejected_ratio = policy_rejected - ref_rejected
    loss = -F.logsigmoid(beta * (chosen_ratio - rejected_ratio)).mean()
    return loss, (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()


def encode_answers(tokenizer, prompts: list[str], answers: list[str]) -> tuple[torch.Tensor, torch.Tensor,
                                                                              torch.Tensor]:
    """Right-padded input ids, attention mask and a 0/1 mask of the answer tokens (the only ones scored)."""
    rows, masks = [], []
    for prompt, answer in zip(prompts, answers):
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"]
        rows.append(p + a)
        masks.append([0] * len(p) + [1] * len(a))
    T = max(len(r) for r in rows)
    pad = tokenizer.eos_token_id
    ids = torch.tensor([r + [pad] * (T - len(r)) for r in rows])                 # B, T
    attention = torch.tensor([[1] * len(r) + [0] * (T - len(r)) for r in rows])  # B, T
    answer_mask = torch.tensor([m + [0] * (T - len(m)) for m in masks], dtype=torch.float)
    return ids, attention, answer_mask


def answer_logprobs(model, ids: torch.Tensor, attention: torch.Tensor, answer_mask: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed log-probability of each row's answer tokens, and the number of answer tokens per row."""
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1]      # B, T-1, V: predicts ids[:, 1:]
    logp = torch.log_softmax(logits.float(), dim=-1)
    token_logp = logp.gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)            # B, T-1
    mask = answer_mask[:, 1:]
    return (token_logp * mask).sum(dim=1), mask.sum(dim=1)


def lm_loss(model, block: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy on pre-training blocks (labels -100 are padding)."""
    ids = block.clamp(min=0)
    return model(input_ids=ids, labels=block).loss


@dataclass
class DPOSettings:
    beta: float = 0.1
    steps: int = 300
    batch_pairs: int = 16
    lr: float = 5e-4
    sft_weight: float = 1.0   # weight of the supervised term: mean token NLL of the chosen answer
    lm_weight: float = 1.0    # weight of the language-modelling term on pre-training text
    lm_batch: int = 8
    seed: int = 0


@dataclass
class PreparedPairs:
    """Pairs encoded once, with the frozen reference model's log-probabilities computed once."""
    pairs: list[PreferencePair]
    ref_chosen: torch.Tensor
    ref_rejected: torch.Tensor


@torch.inference_mode()
def prepare(reference, tokenizer, pairs: list[PreferencePair], chunk: int = 64) -> PreparedPairs:
    rc, rr = [], []
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        prompts = [p.prompt for p in part]
        rc.append(answer_logprobs(reference, *encode_answers(tokenizer, prompts, [p.chosen for p in part]))[0])
        rr.append(answer_logprobs(reference, *encode_answers(tokenizer, prompts, [p.rejected for p in part]))[0])
    return PreparedPairs(pairs, torch.cat(rc), torch.cat(rr))


def train(policy, tokenizer, prepared: PreparedPairs, settings: DPOSettings, lm_blocks: torch.Tensor | None = None,
          callback: Callable[[int, dict], None] | None = None) -> list[dict]:
    """Preference-tune `policy` in place (pass a copy of a shared model!). Each step draws `batch_pairs` pairs, half of
    them about known countries and half about invented ones when both exist, and minimises

        L = L_DPO + sft_weight * NLL(chosen answer) + lm_weight * LM(pre-training text)

    Plain DPO on a model this small collapses: the cheapest way to lower log pi(y_l) is to push down the first answer
    token everywhere, which also kills correct answers. The supervised term keeps the chosen answers likely, and the
    language-modelling term keeps the facts learned in pre-training. Returns the metrics of every step."""
    rng = random.Random(settings.seed)
    torch.manual_seed(settings.seed)
    known = [i for i, p in enumerate(prepared.pairs) if p.known]
    unknown = [i for i, p in enumerate(prepared.pairs) if not p.known]
    optimizer = torch.optim.AdamW(policy.parameters(), lr=settings.lr, weight_decay=0.0)
    policy.train()
    history = []
    for step in range(1, settings.steps + 1):
        if known and unknown:
            half = settings.batch_pairs // 2
            idx = rng.sample(known, min(half, len(known))) + rng.sample(unknown, min(settings.batch_pairs - half,
                                                                                      len(unknown)))
        else:
            pool = known or unknown
            idx = rng.sample(pool, min(settings.batch_pairs, len(pool)))
        batch = [prepared.pairs[i] for i in idx]
        prompts = [p.prompt for p in batch]
        chosen_lp, chosen_n = answer_logprobs(policy, *encode_answers(tokenizer, prompts, [p.chosen for p in batch]))
        rejected_lp, _ = answer_logprobs(policy, *encode_answers(tokenizer, prompts, [p.rejected for p in batch]))
        index = torch.tensor(idx)
        loss_dpo, chosen_r, rejected_r = dpo_loss(chosen_lp, rejected_lp, prepared.ref_chosen[index],
                                                  prepared.ref_rejected[index], settings.beta)
        loss = loss_dpo
        nll = -(chosen_lp / chosen_n).mean()
        if settings.sft_weight:
            loss = loss + settings.sft_weight * nll
        lm = torch.tensor(0.0)
        if settings.lm_weight and lm_blocks is not None and len(lm_blocks):
            rows = torch.tensor(rng.sample(range(len(lm_blocks)), min(settings.lm_batch, len(lm_blocks))))
            lm = lm_loss(policy, lm_blocks[rows])
            loss = loss + settings.lm_weight * lm
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        metrics = {"loss": float(loss), "dpo_loss": float(loss_dpo), "sft_nll": float(nll), "lm_loss": float(lm),
                   "chosen_reward": float(chosen_r.mean()), "rejected_reward": float(rejected_r.mean()),
                   "reward_margin": float((chosen_r - rejected_r).mean()),
                   "accuracy": float((chosen_r > rejected_r).float().mean())}
        history.append({"step": step, **metrics})
        if callback is not None:
            callback(step, metrics)
    policy.eval()
    return history


def copy_for_training(model):
    """A deep copy of a (possibly shared, cached) model that can be trained without touching the original."""
    clone = copy.deepcopy(model)
    for p in clone.parameters():
        p.requires_grad_(True)
    return clone
