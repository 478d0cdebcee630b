"""A text classifier on top of the character-level LSTM (lib.models.rnn.CharRNN): ULMFiT's stage 3.

The encoder is the language model's embedding and recurrent layer (its next-character head is kept, unused, so a
fine-tuned copy can still write text). The classifier head reads ULMFiT's "concat pooling" of the hidden states:

    features = [h_T, max_t h_t, mean_t h_t]      (B, 3H)     the last state, and the max and mean over time
    logits   = W features + b                    (B, K)

With `word_surprisal` on, the head also reads the language model's own next-character predictions: its mean
surprisal (-log p, in nats) of the first character of each word, given the text before it,

    s        = mean over word starts t of  -log p_LM(x_{t+1} | x_1..x_t)     (B, 1)   (x_t a space)
    features = [h_T, max_t h_t, mean_t h_t, s]   (B, 3H + 1)

i.e. "how surprised is the model by the word that comes next". It is part of the architecture, for a pre-trained and a
from-scratch model alike (from scratch, the LM head starts random and is trained with the rest); what it is worth
depends on whether the model has learnt to predict text.

Padding goes after the end of each text; the recurrence runs left to right, so the states up to a text's last
character never see it, and pooling is masked to the real characters.
Shapes: B = batch, T = time steps (characters), H = hidden units, K = classes.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib.models import rnn as rnn_model


@dataclass
class ClassifierConfig:
    lm: rnn_model.CharRNNConfig
    n_classes: int = 2
    dropout: float = 0.1
    word_surprisal: bool = False   # the head also reads the LM's surprisal at word starts (see the module docstring)
    space_id: int = 1              # the id of " " in the vocabulary (where words start)


class CharClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig, lm: rnn_model.CharRNN | None = None):
        """A classifier on `lm` (used as given: pass a copy to keep the original), or on a freshly initialised
        language model of the same shape when `lm` is None (training from scratch)."""
        super().__init__()
        self.config = config
        self.lm = lm if lm is not None else rnn_model.CharRNN(config.lm)
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(3 * config.lm.hidden + int(config.word_surprisal), config.n_classes)
        if config.word_surprisal:  # its weights start at zero: training alone decides how much the head trusts it
            with torch.no_grad():
                self.head.weight[:, -1] = 0.0

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T), lengths (B,) -> concat pooling (B, 3H), with the word-start surprisal (B, 3H + 1)."""
        logits, states = self.lm(ids, return_states=True)                       # B, T, V and B, T, H
        B, T, H = states.shape
        mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)  # B, T, 1
        last = states[torch.arange(B), lengths - 1]                               # B, H
        mx = states.masked_fill(~mask, float("-inf")).max(dim=1).values           # B, H
        mean = (states * mask).sum(dim=1) / lengths.unsqueeze(1)                  # B, H
        parts = [last, mx, mean]
        if self.config.word_surprisal:
            parts.append(self.word_surprisal(logits, ids, lengths))
        return torch.cat(parts, dim=-1)

    def word_surprisal(self, logits: torch.Tensor, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean -log p of the character after each space of the text, i.e. the first letter of every word (the text
        is read after a space, so its first word counts too; padding does not): logits (B, T, V), ids (B, T) ->
        (B, 1)."""
        B, T = ids.shape
        nll = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1),
                              reduction="none").view(B, T - 1)                   # B, T-1: -log p(x_{t+1})
        inside = torch.arange(T - 1).unsqueeze(0) < (lengths - 1).unsqueeze(1)  # B, T-1
        starts = (inside & (ids[:, :-1] == self.config.space_id)).float()       # a space predicts a word start
        return ((nll * starts).sum(1) / starts.sum(1).clamp(min=1)).unsqueeze(1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T), lengths (B,) -> class logits (B, K)."""
        return self.head(self.drop(self.features(ids, lengths)))

    def param_groups(self) -> dict[str, list[nn.Parameter]]:
        """The layers from the bottom up, for discriminative learning rates and gradual unfreezing."""
        groups = {"embedding": list(self.lm.emb.parameters()), "lstm": list(self.lm.rnn.parameters())}
        if self.config.word_surprisal:  # the LM's next-character layer, read through the surprisal
            groups["lm_head"] = list(self.lm.head.parameters())
        groups["head"] = list(self.head.parameters())
        return groups


def from_pretrained(lm: rnn_model.CharRNN, n_classes: int = 2, dropout: float = 0.1,
                    word_surprisal: bool = False) -> CharClassifier:
    """A classifier on a deep COPY of the pre-trained `lm` (the shared model is never trained)."""
    own = copy.deepcopy(lm)
    own.vocab = lm.vocab
    return CharClassifier(ClassifierConfig(lm=copy.deepcopy(lm.config), n_classes=n_classes, dropout=dropout,
                                           word_surprisal=word_surprisal, space_id=lm.vocab.stoi.get(" ", 0)), own)


def from_scratch(like: rnn_model.CharRNNConfig, n_classes: int = 2, dropout: float = 0.1,
                 word_surprisal: bool = False, space_id: int = 1) -> CharClassifier:
    """The same architecture, randomly initialised (the global torch seed decides the weights)."""
    return CharClassifier(ClassifierConfig(lm=copy.deepcopy(like), n_classes=n_classes, dropout=dropout,
                                           word_surprisal=word_surprisal, space_id=space_id))


def encode_batch(vocab: rnn_model.CharVocab, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Texts -> (ids (B, T) padded with spaces after the end, lengths (B,)). Each text is read after a space, as the
    language model read sentences in its pre-training text."""
    encoded = [vocab.encode(" " + t) for t in texts]
    lengths = torch.tensor([len(e) for e in encoded])
    pad = vocab.stoi.get(" ", 0)
    T = int(lengths.max()) if len(encoded) else 1
    ids = torch.full((len(encoded), T), pad, dtype=torch.long)
    for i, e in enumerate(encoded):
        ids[i, :len(e)] = torch.tensor(e, dtype=torch.long)
    return ids, lengths
