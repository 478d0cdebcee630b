"""Character-level recurrent language models: a vanilla RNN, an LSTM and a GRU in one small class.

At each time step t the cell reads one character x_t and the previous hidden state h_{t-1}, and writes a new
hidden state h_t, from which a linear layer predicts the next character:

    vanilla RNN   h_t = tanh(W x_t + U h_{t-1} + b)
    LSTM          gates i, f, o and a cell state c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
    GRU           gates z, r;  h_t = (1 - z) * h_{t-1} + z * tanh(W x_t + U (r * h_{t-1}))

The same weights are used at every step: "unrolling" the loop in time gives one copy of the cell per character.
Shapes: B = batch, T = time steps (characters), E = embedding, H = hidden units, V = vocabulary.
`forward` returns logits; the hidden state of every step comes back only with `return_states=True`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

from lib.models import files

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
UNK = "\u2047"  # stands for any character the model never saw


@dataclass
class CharRNNConfig:
    cell: str  # "rnn", "lstm" or "gru"
    vocab_size: int
    emb_dim: int = 32
    hidden: int = 64


class CharVocab:
    """Characters <-> ids; id 0 is the unknown character."""

    def __init__(self, chars: list[str]):
        self.itos = [UNK] + [c for c in chars if c != UNK]
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(c, 0) for c in text]

    def decode(self, ids) -> str:
        return "".join(self.itos[i] for i in ids)


class CharRNN(nn.Module):
    def __init__(self, config: CharRNNConfig):
        super().__init__()
        if config.cell not in CELLS:
            raise ValueError(f"cell must be one of {list(CELLS)}, not {config.cell!r}")
        self.config = config
        self.emb = nn.Embedding(config.vocab_size, config.emb_dim)
        self.rnn = CELLS[config.cell](config.emb_dim, config.hidden, batch_first=True)
        self.head = nn.Linear(config.hidden, config.vocab_size)

    def forward_embedded(self, x: torch.Tensor, state=None):
        """x (B, T, E) already embedded -> logits (B, T, V), hidden states (B, T, H), final state.
        Used for gradients with respect to the inputs."""
        states, final = self.rnn(x, state)  # B, T, H
        return self.head(states), states, final

    def forward(self, ids: torch.Tensor, state=None, return_states: bool = False):
        """ids (B, T) -> logits (B, T, V) for the next character at every step.
        With return_states=True returns (logits, hidden states (B, T, H))."""
        logits, states, _final = self.forward_embedded(self.emb(ids), state)
        return (logits, states) if return_states else logits


# --------------------------------------------------------------------------------------------- save / load
def save(model: CharRNN, vocab: CharVocab, folder: Path) -> None:
    files.save_folder(folder, model, {"chars": vocab.itos})


def _config(d: dict) -> CharRNNConfig:
    config = CharRNNConfig(**d)
    if config.cell not in CELLS:
        raise ValueError(f"unknown cell {config.cell!r}")
    return config


def load(folder: Path) -> CharRNN:
    """The model saved in `folder`, in eval mode, with its vocabulary as `model.vocab`.
    Raises ModelUnavailable naming the file when a file is missing, corrupt or does not match the config."""
    return files.load_folder(folder, config_from=_config, vocab_from=lambda j: CharVocab(j["chars"]),
                             vocab_fits=lambda v, c: len(v.itos) == c.vocab_size, build=CharRNN)
