"""Next-token distributions and sampling, through transformers' own logits processors.

Every transform is a function of logits that returns new logits and never changes its input, so a page can cache the
model's logits for a prompt once and recompute the distribution for any temperature, top-k or top-p without running
the model again. Temperature 0 means greedy: all the probability goes to the most likely token. (The model's raw
next-token logits come from lib.models.scoring.next_token_logits.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from lib.models import fast_gpt2


def process(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """New logits after temperature, then top-k, then top-p (the order transformers' `generate` applies them).
    Tokens cut away get -inf. `logits` has shape (V,) or (B, V) and is left unchanged."""
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    scores = logits.detach().clone().float()
    squeeze = scores.dim() == 1
    if squeeze:
        scores = scores.unsqueeze(0)  # processors expect (B, V)
    dummy_ids = torch.zeros((scores.shape[0], 1), dtype=torch.long)
    if temperature == 0:  # greedy: keep only the argmax
        keep = scores.argmax(dim=-1, keepdim=True)
        out = torch.full_like(scores, -math.inf)
        out.scatter_(1, keep, scores.gather(1, keep))
        scores = out
    else:
        scores = TemperatureLogitsWarper(float(temperature))(dummy_ids, scores)
        if top_k and top_k > 0:
            scores = TopKLogitsWarper(int(top_k))(dummy_ids, scores)
        if top_p < 1.0:
            scores = TopPLogitsWarper(float(top_p))(dummy_ids, scores)
    return scores.squeeze(0) if squeeze else scores


def probabilities(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """The distribution the sampler draws from: softmax of the processed logits (cut tokens get 0)."""
    return torch.softmax(process(logits, temperature, top_k, top_p), dim=-1)


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in bits over the last dimension (0 * log 0 counted as 0)."""
    logp = torch.where(probs > 0, probs.log2(), torch.zeros_like(probs))
    return -(probs * logp).sum(dim=-1)


@dataclass
class Continuation:
    prompt: str
    text: str                        # the generated text (without the prompt)
    token_ids: list[int]
    tokens: list[str]
    probs: list[float] = field(default_factory=list)      # probability of each chosen token (sampling distribution)
    model_probs: list[float] = field(default_factory=list)  # its probability under the model itself (T = 1, no cut)
    entropies: list[float] = field(default_factory=list)  # entropy (bits) of the distribution at each step

    @property
    def probability(self) -> float:
        """The model's probability of the whole continuation (product of its tokens' probabilities at T = 1)."""
        return float(math.prod(self.model_probs)) if self.model_probs else 1.0


def _stops(token_text: str, stop: str) -> bool:
    if stop == "sentence":
        return "." in token_text or "\n" in token_text or "?" in token_text
    if stop == "line":
        return "\n" in token_text
    return False


def draw(dist: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One token id per row of `dist` (B, V; each row a distribution), drawn with those probabilities: the inverse
    of each row's cumulative distribution at one uniform number from `generator`, in row order. torch.multinomial
    draws V exponential numbers per row instead (20 x 512 of them a step: 0.26 ms against 0.02 ms here, a tenth of
    what a page's 20 samples cost). A token of probability 0 is never drawn."""
    c = dist.double().cumsum(-1)
    u = torch.rand(len(dist), 1, generator=generator, dtype=torch.float64) * c[:, -1:]
    picked = torch.searchsorted(c, u, right=True).squeeze(1)  # the first token whose cumulative mass exceeds u
    # u < the row's total, so picked < V, unless rounding made them equal: then the last token with any mass
    last = dist.shape[-1] - 1 - (dist > 0).flip(-1).to(torch.uint8).argmax(-1)
    return torch.minimum(picked, last)


@torch.inference_mode()
def generate(lm, prompts: list[str], *, temperature: float = 0.0, top_k: int = 0, top_p: float = 1.0,
             seed: int = 0, max_new_tokens: int = 12, stop: str = "sentence") -> list[Continuation]:
    """One continuation per prompt, in order. Prompts with the same number of tokens are run as one batch with a KV
    cache. Sampling draws from a torch.Generator seeded with `seed`, so the same call gives the same texts.
    stop: "sentence" (stop after a token with . ? or newline), "line" (newline) or "none"; <|endoftext|> always
    stops."""
    tokenizer, model = lm.tokenizer, lm.model
    fast = fast_gpt2.supported(model)  # the same arithmetic without transformers' plumbing (about 2x faster)
    weights = fast_gpt2.weights(model) if fast else None
    eos = tokenizer.eos_token_id
    by_prompt: dict[str, list[int]] = {}  # 20 samples of one prompt encode it once
    encoded = [by_prompt[p] if p in by_prompt else by_prompt.setdefault(p, lm.encode(p)) for p in prompts]
    token_text: dict[int, str] = {}  # each token decoded once per call (a page's 20 x 12 steps decode a few dozen)

    def text_of(tid: int) -> str:
        if tid not in token_text:
            token_text[tid] = tokenizer.decode([tid])
        return token_text[tid]
    results: list[Continuation | None] = [None] * len(prompts)
    generator = torch.Generator().manual_seed(int(seed))
    plain = temperature == 1.0 and not top_k and top_p >= 1.0
    groups: dict[int, list[int]] = {}
    for i, ids in enumerate(encoded):
        groups.setdefault(len(ids), []).append(i)
    budget = max(1, min(max_new_tokens, lm.max_positions - max(len(e) for e in encoded)))
    for length in sorted(groups):
        idx = groups[length]
        input_ids = torch.tensor([encoded[i] for i in idx])  # B, T
        B = len(idx)
        chosen: list[list[int]] = [[] for _ in range(B)]
        probs: list[list[float]] = [[] for _ in range(B)]
        ents: list[list[float]] = [[] for _ in range(B)]
        raw: list[list[float]] = [[] for _ in range(B)]
        done = [False] * B  # bookkeeping in Python lists: a torch call per row costs more than the row's arithmetic
        past = None
        step_ids = input_ids
        running = list(range(B))  # fast path: the rows still in the model's batch (finished ones leave it)
        running_t = None          # the same as a tensor, once a row has left
        for _ in range(budget):
            if fast:
                step_logits, past = fast_gpt2.forward_dedup(model, step_ids, past, weights)
                if running_t is None:
                    logits = step_logits.float()                                 # B, V
                else:
                    # Finished rows get flat logits, never used: the sampler still draws over all B rows, so the
                    # random numbers each running row gets are the ones it gets when every row is computed.
                    logits = torch.zeros(B, step_logits.shape[-1])
                    logits[running_t] = step_logits.float()
            else:
                out = model(input_ids=step_ids, cache=past, use_cache=True)
                past = out.cache
                logits = out.logits[:, -1].float()                               # B, V
            model_dist = torch.softmax(logits, dim=-1)
            # at temperature 1 with nothing cut the sampler's distribution is the model's (processing divides by
            # 1.0, which changes no number): one softmax, not two
            dist = model_dist if plain else probabilities(logits, temperature, top_k, top_p)  # B, V
            if temperature == 0:
                nxt = dist.argmax(dim=-1)
            else:
                nxt = draw(dist, generator)
            pick = nxt.unsqueeze(1)  # one gather per step and one list each, not 3 x B tensor reads
            sampler_ps = dist.gather(1, pick).squeeze(1).tolist()
            model_ps = sampler_ps if plain else model_dist.gather(1, pick).squeeze(1).tolist()
            step = zip(nxt.tolist(), sampler_ps, model_ps, entropy_bits(dist).tolist())
            was_done = list(done)
            for b, (tid, p_sampler, p_model, h) in enumerate(step):
                if was_done[b]:
                    continue
                if tid == eos:
                    done[b] = True
                    continue
                chosen[b].append(tid)
                probs[b].append(p_sampler)
                raw[b].append(p_model)
                ents[b].append(h)
                if _stops(text_of(tid), stop):
                    done[b] = True
            if all(done):
                break
            if fast:
                if any(done[r] for r in running):
                    keep = torch.tensor([not done[r] for r in running])
                    running = [r for r in running if not done[r]]
                    running_t = torch.tensor(running)
                    past = [(k[keep], v[keep]) for k, v in past]
                step_ids = (nxt if running_t is None else nxt[running_t]).unsqueeze(1)  # running rows, 1
            else:
                step_ids = nxt.unsqueeze(1)  # B, 1
        for b, i in enumerate(idx):
            results[i] = Continuation(prompt=prompts[i], text=tokenizer.decode(chosen[b]), token_ids=chosen[b],
                                      tokens=[text_of(t) for t in chosen[b]], probs=probs[b],
                                      model_probs=raw[b], entropies=ents[b])
    return results  # type: ignore[return-value]


def sample_many(lm, prompt: str, n: int = 20, *, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                seed: int = 0, max_new_tokens: int = 12, stop: str = "sentence") -> list[Continuation]:
    """`n` seeded continuations of one prompt (one batch)."""
    return generate(lm, [prompt] * n, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                    max_new_tokens=max_new_tokens, stop=stop)
