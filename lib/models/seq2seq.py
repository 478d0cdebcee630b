"""A GRU encoder-decoder for word-level translation, with or without Bahdanau (additive) attention.

Encoder: a bidirectional GRU reads the source words; its two final states are squeezed through one linear layer
into a single vector of `hidden` numbers, the *bridge*. That vector is everything a decoder without attention
ever learns about the source sentence (Cho et al. 2014; Sutskever et al. 2014): it starts the decoder and is fed
to it again at every step.

With attention (Bahdanau, Cho & Bengio 2014, "RNNsearch"), the decoder also keeps every encoder state
("annotations" h_1..h_S, 2*hidden numbers each). Before emitting target word i it scores every source position j
from its previous state s_{i-1}:

    e_ij  = v^T tanh(W s_{i-1} + U h_j)          additive score
    a_ij  = softmax_j(e_ij)                       attention weights, one row per target word, summing to 1
    c_i   = sum_j a_ij h_j                        context vector
    s_i   = GRU([embed(y_{i-1}); c_i], s_{i-1})
    p(y_i) = softmax(Linear([s_i; c_i; embed(y_{i-1})]))

Shapes: B = batch, S = source length, T = target length, H = hidden, E = embedding, A = attention size.
`forward` returns logits; attention weights come back only with `return_attention=True`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib.models import files

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3  # the special tokens' ids (source vocabulary: only PAD and UNK)


@dataclass
class Seq2SeqConfig:
    src_vocab_size: int
    tgt_vocab_size: int
    emb_dim: int = 32
    hidden: int = 64
    attention: bool = False
    attn_dim: int = 64


class Vocab:
    """Word <-> id maps for both languages. Source ids: PAD_ID, UNK_ID, then the words. Target ids: PAD_ID, UNK_ID,
    BOS_ID, EOS_ID, then the words."""

    def __init__(self, src_words: list[str], tgt_words: list[str]):
        self.src_itos = [PAD, UNK] + [w for w in src_words if w not in (PAD, UNK)]
        self.tgt_itos = [PAD, UNK, BOS, EOS] + [w for w in tgt_words if w not in (PAD, UNK, BOS, EOS)]
        self.src_stoi = {w: i for i, w in enumerate(self.src_itos)}
        self.tgt_stoi = {w: i for i, w in enumerate(self.tgt_itos)}

    def encode_src(self, words) -> list[int]:
        return [self.src_stoi.get(w, UNK_ID) for w in words]

    def encode_tgt(self, words) -> list[int]:
        return [self.tgt_stoi.get(w, UNK_ID) for w in words]

    def decode_tgt(self, ids) -> list[str]:
        out = []
        for i in ids:
            if i == EOS_ID:
                break
            out.append(self.tgt_itos[i])
        return out

    def to_json(self) -> dict:
        return {"src": self.src_itos, "tgt": self.tgt_itos}

    @classmethod
    def from_json(cls, data: dict) -> "Vocab":
        return cls(data["src"], data["tgt"])


class Seq2Seq(nn.Module):
    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.config = config
        E, H, A = config.emb_dim, config.hidden, config.attn_dim
        self.src_emb = nn.Embedding(config.src_vocab_size, E, padding_idx=PAD_ID)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * H, H)  # the single vector that carries the sentence across
        self.tgt_emb = nn.Embedding(config.tgt_vocab_size, E, padding_idx=PAD_ID)
        if config.attention:
            self.att_W = nn.Linear(H, A, bias=False)  # scores the decoder state ...
            self.att_U = nn.Linear(2 * H, A)  # ... against every encoder annotation
            self.att_v = nn.Linear(A, 1, bias=False)
            self.decoder_cell = nn.GRUCell(E + 2 * H, H)
            ctx = 2 * H
        else:
            self.decoder = nn.GRU(E + H, H, batch_first=True)
            ctx = H
        self.out = nn.Linear(H + ctx + E, config.tgt_vocab_size)

    # ------------------------------------------------------------------------------------------------ encoder
    def encode(self, src: torch.Tensor, src_lengths: torch.Tensor | None = None):
        """src (B, S) ids -> annotations (B, S, 2H), bridge (B, H): the encoder's summary of the sentence."""
        x = self.src_emb(src)  # B, S, E
        if src_lengths is not None and bool((src_lengths != src.shape[1]).any()):
            packed = nn.utils.rnn.pack_padded_sequence(x, src_lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, h_n = self.encoder(packed)
            annotations, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        else:
            annotations, h_n = self.encoder(x)  # h_n: 2, B, H (forward final, backward final)
        bridge = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], dim=-1)))  # B, H
        return annotations, bridge

    # ---------------------------------------------------------------------------------------------- attention
    def attend(self, s_prev: torch.Tensor, keys: torch.Tensor, annotations: torch.Tensor,
               mask: torch.Tensor | None):
        """Additive attention. s_prev (B, H), keys = U h (B, S, A) -> context (B, 2H), weights (B, S)."""
        scores = self.att_v(torch.tanh(keys + self.att_W(s_prev)[:, None, :])).squeeze(-1)  # B, S
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights[:, None, :], annotations).squeeze(1)  # B, 2H
        return context, weights

    def _mask(self, src: torch.Tensor, src_lengths: torch.Tensor | None):
        if src_lengths is None:
            return None
        return torch.arange(src.shape[1])[None, :] < src_lengths[:, None]  # B, S

    # ------------------------------------------------------------------------------------------------ forward
    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor, src_lengths: torch.Tensor | None = None,
                return_attention: bool = False):
        """Teacher forcing: src (B, S), tgt_in (B, T) = <bos> + target[:-1] -> logits (B, T, V).
        With return_attention=True returns (logits, weights (B, T, S)); weights is None without attention."""
        annotations, bridge = self.encode(src, src_lengths)
        y = self.tgt_emb(tgt_in)  # B, T, E
        if not self.config.attention:
            c = bridge[:, None, :].expand(-1, y.shape[1], -1)  # B, T, H: the same vector at every step
            s, _ = self.decoder(torch.cat([y, c], dim=-1), bridge[None])  # B, T, H
            logits = self.out(torch.cat([s, c, y], dim=-1))
            return (logits, None) if return_attention else logits
        keys = self.att_U(annotations)  # B, S, A
        mask = self._mask(src, src_lengths)
        s, all_logits, all_weights = bridge, [], []
        for t in range(y.shape[1]):
            context, weights = self.attend(s, keys, annotations, mask)
            s = self.decoder_cell(torch.cat([y[:, t], context], dim=-1), s)
            all_logits.append(self.out(torch.cat([s, context, y[:, t]], dim=-1)))
            all_weights.append(weights)
        logits = torch.stack(all_logits, dim=1)  # B, T, V
        return (logits, torch.stack(all_weights, dim=1)) if return_attention else logits

    # ------------------------------------------------------------------------------------------------- decode
    def decode_step(self, prev: torch.Tensor, state: torch.Tensor, annotations: torch.Tensor,
                    bridge: torch.Tensor, keys: torch.Tensor | None = None, mask: torch.Tensor | None = None):
        """One decoder step. prev (B,) previous target ids, state (B, H) -> logits (B, V), new state (B, H),
        attention weights (B, S) or None, context (B, 2H) with attention or the bridge (B, H) without."""
        y = self.tgt_emb(prev)  # B, E
        if not self.config.attention:
            out, h = self.decoder(torch.cat([y, bridge], dim=-1)[:, None, :], state[None])
            s = h[0]
            return self.out(torch.cat([s, bridge, y], dim=-1)), s, None, bridge
        context, weights = self.attend(state, keys, annotations, mask)
        s = self.decoder_cell(torch.cat([y, context], dim=-1), state)
        return self.out(torch.cat([s, context, y], dim=-1)), s, weights, context

    def greedy(self, src: torch.Tensor, src_lengths: torch.Tensor | None = None, max_len: int | None = None,
               return_attention: bool = False):
        """Greedy decoding: src (B, S) -> ids (B, T) (stops when every row has emitted <eos>).
        With return_attention=True returns (ids, weights (B, T, S) or None)."""
        B, S = src.shape
        max_len = max_len or 2 * S + 2
        annotations, bridge = self.encode(src, src_lengths)
        keys = self.att_U(annotations) if self.config.attention else None
        mask = self._mask(src, src_lengths)
        prev = torch.full((B,), BOS_ID, dtype=torch.long)
        state, ids, weights_all = bridge, [], []
        done = torch.zeros(B, dtype=torch.bool)
        for _ in range(max_len):
            logits, state, weights, _ctx = self.decode_step(prev, state, annotations, bridge, keys, mask)
            prev = logits.argmax(-1)
            ids.append(prev)
            if weights is not None:
                weights_all.append(weights)
            done |= prev == EOS_ID
            if bool(done.all()):
                break
        ids_t = torch.stack(ids, dim=1)  # B, T
        if not return_attention:
            return ids_t
        return ids_t, (torch.stack(weights_all, dim=1) if weights_all else None)


# --------------------------------------------------------------------------------------------- save / load
def save(model: Seq2Seq, vocab: Vocab, folder: Path) -> None:
    files.save_folder(folder, model, vocab.to_json())


def load(folder: Path) -> Seq2Seq:
    """The model saved in `folder`, in eval mode, with its vocabulary as `model.vocab`.
    Raises ModelUnavailable naming the file when a file is missing, corrupt or does not match the config."""
    return files.load_folder(folder, config_from=lambda d: Seq2SeqConfig(**d), vocab_from=Vocab.from_json,
                             vocab_fits=lambda v, c: (len(v.src_itos), len(v.tgt_itos)) == (c.src_vocab_size,
                                                                                          c.tgt_vocab_size),
                             build=Seq2Seq)
