"""A text classifier on top of the character-level LSTM (lib.models.rnn.CharRNN): ULMFiT's stage 3.

The encoder is the language model's embedding and recurrent layer (its next-character head is kept, unused, so a
fine-tuned copy can still write text). The classifier head reads ULMFiT's "concat pooling" of the hidden states:

    features = [h_T, max_t h_t, mean_t h_t]      (B, 3H)     the last state, and the max and mean over time
    logits   = W features + b                    (B, K)

Padding goes after the end of each text; the recurrence runs left to right, so the states up to a text's last
character never see it, and pooling is masked to the real characters.
Shapes: B = batch, T = time steps (characters), H = hidden units, K = classes.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn as nn

from lib.models import rnn as rnn_model


@dataclass
class ClassifierConfig:
    lm: rnn_model.CharRNNConfig
    n_classes: int = 2
    dropout: float = 0.1


class CharClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig, lm: rnn_model.CharRNN | None = None):
        """A classifier on `lm` (used as given: pass a copy to keep the original), or on a freshly initialised
        language model of the same shape when `lm` is None (training from scratch)."""
        super().__init__()
        self.config = config
        self.lm = lm if lm is not None else rnn_model.CharRNN(config.lm)
        self.drop = nn.Dropout(config.dropout)
        self.head = nn.Linear(3 * config.lm.hidden, config.n_classes)

    def features(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T), lengths (B,) -> concat pooling (B, 3H)."""
        _logits, states = self.lm(ids, return_states=True)                      # B, T, H
        B, T, H = states.shape
        mask = (torch.arange(T).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)  # B, T, 1
        last = states[torch.arange(B), lengths - 1]                               # B, H
        mx = states.masked_fill(~mask, float("-inf")).max(dim=1).values           # B, H
        mean = (states * mask).sum(dim=1) / lengths.unsqueeze(1)                  # B, H
        return torch.cat([last, mx, mean], dim=-1)                                # B, 3H

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T), lengths (B,) -> class logits (B, K)."""
        return self.head(self.drop(self.features(ids, lengths)))

    def param_groups(self) -> dict[str, list[nn.Parameter]]:
        """The layers from the bottom up, for discriminative learning rates and gradual unfreezing."""
        return {"embedding": list(self.lm.emb.parameters()), "lstm": list(self.lm.rnn.parameters()),
                "head": list(self.head.parameters())}


def from_pretrained(lm: rnn_model.CharRNN, n_classes: int = 2, dropout: float = 0.1) -> CharClassifier:
    """A classifier on a deep COPY of the pre-trained `lm` (the shared model is never trained)."""
    own = copy.deepcopy(lm)
    own.vocab = lm.vocab
    return CharClassifier(ClassifierConfig(lm=copy.deepcopy(lm.config), n_classes=n_classes, dropout=dropout), own)


def from_scratch(like: rnn_model.CharRNNConfig, n_classes: int = 2, dropout: float = 0.1) -> CharClassifier:
    """The same architecture, randomly initialised (the global torch seed decides the weights)."""
    return CharClassifier(ClassifierConfig(lm=copy.deepcopy(like), n_classes=n_classes, dropout=dropout))


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
