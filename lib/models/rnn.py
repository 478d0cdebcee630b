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

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn

from lib.errors import ModelUnavailable

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
FILES = ("config.json", "vocab.json", "model.safetensors")


def save(model: CharRNN, vocab: CharVocab, folder: Path) -> None:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(asdict(model.config), indent=2))
    (folder / "vocab.json").write_text(json.dumps({"chars": vocab.itos}, ensure_ascii=False))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))


def load(folder: Path) -> CharRNN:
    """The model saved in `folder`, in eval mode, with its vocabulary as `model.vocab`.
    Raises ModelUnavailable naming the file when a file is missing, corrupt or does not match the config."""
    from safetensors.torch import load_file

    folder = Path(folder)
    fix = f"python -m lib.train {folder.name}"
    for name in FILES:
        if not (folder / name).is_file():
            raise ModelUnavailable(f"A file of the model {folder.name!r} is missing.", path=str(folder / name), fix=fix)
    try:
        config = CharRNNConfig(**json.loads((folder / "config.json").read_text()))
        if config.cell not in CELLS:
            raise ValueError(f"unknown cell {config.cell!r}")
    except Exception as exc:
        raise ModelUnavailable(f"The config of {folder.name!r} is unreadable ({exc}).",
                               path=str(folder / "config.json"), fix=fix) from exc
    try:
        vocab = CharVocab(json.loads((folder / "vocab.json").read_text(encoding="utf-8"))["chars"])
    except Exception as exc:
        raise ModelUnavailable(f"The vocabulary of {folder.name!r} is unreadable ({exc}).",
                               path=str(folder / "vocab.json"), fix=fix) from exc
    if len(vocab.itos) != config.vocab_size:
        raise ModelUnavailable(f"The vocabulary of {folder.name!r} does not match its config.",
                               path=str(folder / "vocab.json"), fix=fix)
    model = CharRNN(config)
    try:
        model.load_state_dict(load_file(str(folder / "model.safetensors")))
    except Exception as exc:
        raise ModelUnavailable(f"The weights of {folder.name!r} are corrupt or do not match its config ({exc}).",
                               path=str(folder / "model.safetensors"), fix=fix) from exc
    model.vocab = vocab  # set once at load time, before the model is shared
    model.eval()
    return model
