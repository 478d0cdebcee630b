"""GPT-2's forward pass written out in plain torch operations, for decoding one token at a time with a KV cache.

Why: a page that draws 20 samples of 12 tokens from the tiny GPT runs its forward pass 12 times on a batch of 20.
Through transformers each of those passes goes through about 55 module calls, decorators and mask-building helpers; for a
model this small that plumbing, not the arithmetic, is most of the time (measured: 9 ms a step through
`GPT2LMHeadModel`, of which the matrix products are about 2 ms). A class of thirty drawing samples at once queues
behind it (issue 12). The same weights and the same operations in the same order, with none of the plumbing; only
the tanh GELU is torch's own (`F.gelu(approximate="tanh")`), equal to transformers' formula up to float rounding.

It is used only where it computes what transformers computes: a `GPT2LMHeadModel` with the standard configuration
(see `supported`); anything else (another architecture from the Hub, a GPT-2 with upcast or layer-scaled attention)
goes through transformers as before. tests/unit/test_fast_gpt2.py checks the logits (within 1e-4) and the generated
samples (identical texts) against transformers' own forward pass.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

Cache = list[tuple[torch.Tensor, torch.Tensor]]  # per layer: keys, values, each (batch, heads, positions, head_dim)

_ACTIVATIONS = {"gelu_new": "tanh", "gelu_pytorch_tanh": "tanh", "gelu": "none"}


def supported(model) -> bool:
    """True when `forward` computes what the model's own forward would (eval mode, standard GPT-2 options)."""
    from transformers import GPT2LMHeadModel

    if type(model) is not GPT2LMHeadModel or model.training:
        return False
    c = model.config
    return (c.activation_function in _ACTIVATIONS and bool(c.scale_attn_weights)
            and not c.scale_attn_by_inverse_layer_idx and not c.reorder_and_upcast_attn
            and not c.add_cross_attention and getattr(model.lm_head, "bias", None) is None)


def weights(model) -> tuple:
    """The tensors `forward` reads, looked up once: a decoding loop passes them to every step (each module attribute
    is a Python lookup through nn.Module, about 130 of them per step otherwise). The tensors themselves, not copies."""
    tr = model.transformer
    blocks = tuple((b.ln_1.weight, b.ln_1.bias, b.attn.c_attn.bias, b.attn.c_attn.weight, b.attn.c_proj.bias,
                    b.attn.c_proj.weight, b.ln_2.weight, b.ln_2.bias, b.mlp.c_fc.bias, b.mlp.c_fc.weight,
                    b.mlp.c_proj.bias, b.mlp.c_proj.weight) for b in tr.h)
    return tr.wte.weight, tr.wpe.weight, blocks, tr.ln_f.weight, tr.ln_f.bias, model.lm_head.weight


@torch.inference_mode()
def forward(model, input_ids: torch.Tensor, cache: Cache | None = None, w: tuple | None = None
            ) -> tuple[torch.Tensor, Cache]:
    """Logits of the next token after each row of `input_ids` (batch, new positions), shape (batch, vocab), and the
    cache extended with these positions. Rows have no padding: every row is as long as every other. `w`: the
    model's `weights(model)`, when the caller already has them.

    Written for few operations (each torch call also releases and retakes Python's lock): the hidden state stays
    (rows x positions, width) from layer to layer, the residual sums are added in place into the new tensor (the
    same sums: float addition is commutative), and attention is torch's fused kernel."""
    wte, wpe, blocks, lnf_w, lnf_b, head = w or weights(model)
    c = model.config
    B, T = input_ids.shape
    E, H = c.n_embd, c.n_head
    D = E // H
    past = cache[0][0].shape[2] if cache else 0
    h = (torch.embedding(wte, input_ids) + wpe[past:past + T]).view(B * T, E)  # token + position embeddings
    approximate = _ACTIVATIONS[c.activation_function]
    eps = c.layer_norm_epsilon
    mask = None
    if T > 1:  # a new position sees every cached one and the new ones up to itself
        mask = torch.ones(T, past + T, dtype=torch.bool).tril(diagonal=past)
    new_cache: Cache = []
    for i, (ln1_w, ln1_b, qkv_b, qkv_w, proj_b, proj_w, ln2_w, ln2_b, fc_b, fc_w, out_b, out_w) in enumerate(blocks):
        a = torch.layer_norm(h, (E,), ln1_w, ln1_b, eps)
        q, k, v = torch.addmm(qkv_b, a, qkv_w).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4).unbind(0)  # B, H, T, D
        if cache:
            k = torch.cat((cache[i][0], k), dim=2)
            v = torch.cat((cache[i][1], v), dim=2)
        new_cache.append((k, v))
        # softmax(q k^T / sqrt(D)) v, with the causal mask when several positions are new (True: may attend):
        # torch's fused kernel, about 3-4 ms less than three operations on a page's 20 samples (of about 20 ms)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(B * T, E)
        x = torch.addmm(proj_b, out, proj_w)
        x += h
        h = x
        m = F.gelu(torch.addmm(fc_b, torch.layer_norm(h, (E,), ln2_w, ln2_b, eps), fc_w), approximate=approximate)
        x = torch.addmm(out_b, m, out_w)
        x += h
        h = x
    last = torch.layer_norm(h.view(B, T, E)[:, -1], (E,), lnf_w, lnf_b, eps)
    return F.linear(last, head), new_cache


def forward_dedup(model, input_ids: torch.Tensor, cache: Cache | None = None, w: tuple | None = None
                  ) -> tuple[torch.Tensor, Cache]:
    """`forward`, computing each distinct prompt once when there is no cache yet: 20 samples of one prompt share one
    pass over the prompt (a third of the work of a 12-token sample), then every row goes on from its copy."""
    if cache is not None or len(input_ids) < 2:
        return forward(model, input_ids, cache, w)
    unique, inverse = torch.unique(input_ids, dim=0, return_inverse=True)
    if len(unique) == len(input_ids):
        return forward(model, input_ids, cache, w)
    logits, new = forward(model, unique, None, w)
    return logits[inverse], [(k[inverse], v[inverse]) for k, v in new]
