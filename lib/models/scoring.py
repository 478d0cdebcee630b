"""Scoring text with a causal language model: next-token logits, log-probabilities of answers, the language-modelling
loss, and packing documents into training rows.

Shared by the trainers (lib/train/gpt_train.py, lib/train/dpo.py) and the lessons (lib/lessons/*): the one place that
knows how an answer's probability is read off the model. No Streamlit, no UI; every function takes a model (a
transformers causal LM) or an `lib.models.lm.LM` and plain Python or torch values.
"""
from __future__ import annotations

import math

import torch


@torch.inference_mode()
def next_token_logits(model, ids: list[int]) -> torch.Tensor:
    """The model's raw logits for the token after `ids` (shape (V,))."""
    out = model(input_ids=torch.tensor([ids]))
    return out.logits[0, -1].float().clone()


def encode_answers(tokenizer, prompts: list[str], answers: list[str], scored: list[int] | None = None
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-padded input ids, attention mask and a 0/1 mask of the answer tokens that are scored (all of them, or
    the first `scored[i]` of answer i)."""
    rows, masks = [], []
    for i, (prompt, answer) in enumerate(zip(prompts, answers)):
        p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a = tokenizer(answer, add_special_tokens=False)["input_ids"]
        n = len(a) if scored is None else min(len(a), scored[i])
        rows.append(p + a)
        masks.append([0] * len(p) + [1] * n + [0] * (len(a) - n))
    T = max(len(r) for r in rows)
    pad = tokenizer.eos_token_id
    ids = torch.tensor([r + [pad] * (T - len(r)) for r in rows])                 # B, T
    attention = torch.tensor([[1] * len(r) + [0] * (T - len(r)) for r in rows])  # B, T
    answer_mask = torch.tensor([m + [0] * (T - len(m)) for m in masks], dtype=torch.float)
    return ids, attention, answer_mask


def answer_token_logprobs(model, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
    """Log-probability of every token given the ones before it (B, T-1)."""
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1]      # B, T-1, V: predicts ids[:, 1:]
    logp = torch.log_softmax(logits.float(), dim=-1)
    return logp.gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)                  # B, T-1


def answer_logprobs(model, ids: torch.Tensor, attention: torch.Tensor, answer_mask: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed log-probability of each row's scored answer tokens, and the number of scored tokens per row."""
    token_logp = answer_token_logprobs(model, ids, attention)                   # B, T-1
    mask = answer_mask[:, 1:]
    return (token_logp * mask).sum(dim=1), mask.sum(dim=1)


def lm_loss(model, block: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy on pre-training blocks (labels -100 are padding)."""
    ids = block.clamp(min=0)
    return model(input_ids=ids, labels=block).loss


def answer_probability(lm, prompt: str, answer: str) -> float:
    """The model's probability of `answer` as the continuation of `prompt` (product over the answer's tokens)."""
    with torch.inference_mode():
        lp, _ = answer_logprobs(lm.model, *encode_answers(lm.tokenizer, [prompt], [answer]))
    return float(math.exp(float(lp[0])))


def first_token_probability(lm, prompt: str, continuation: str) -> float:
    """The model's probability that the answer starts with the first token of `continuation`."""
    ids = lm.encode(prompt)
    first = lm.tokenizer(continuation, add_special_tokens=False)["input_ids"][0]
    probs = torch.softmax(next_token_logits(lm.model, ids), dim=-1)
    return float(probs[first])


def pack(tokenizer, sentences: list[str], block: int) -> torch.Tensor:
    """Whole documents packed into rows of `block` tokens, each followed by <|endoftext|>; padding is -100. Every
    row starts at the start of a document, as a prompt does."""
    eos = tokenizer.eos_token_id
    rows, row = [], []
    for ids in tokenizer(sentences, add_special_tokens=False)["input_ids"]:
        piece = ids + [eos]
        if row and len(row) + len(piece) > block:
            rows.append(row + [-100] * (block - len(row)))
            row = []
        row += piece[:block]
    if row:
        rows.append(row + [-100] * (block - len(row)))
    return torch.tensor(rows)
