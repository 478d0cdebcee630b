"""Load models by name: the embedded ones shipped in assets/models/, cached once per process.

Every embedded model lives in its own folder `assets/models/<name>/` (config JSON + model.safetensors, plus
tokenizer/vocabulary files) and is loaded by the `load(folder)` function of the module that defines it. Loading
never unpickles anything. A missing or broken file raises `lib.errors.ModelUnavailable` naming the file and the
command that rebuilds it.
"""
from __future__ import annotations

import functools
import importlib
from pathlib import Path

from lib.errors import ModelUnavailable

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "assets" / "models"

# name -> (module defining the model, training group that rebuilds it)
EMBEDDED: dict[str, tuple[str, str]] = {
    "char_rnn": ("lib.models.rnn", "rnn"),
    "char_lstm": ("lib.models.rnn", "rnn"),
    "char_gru": ("lib.models.rnn", "rnn"),
    "seq2seq_small": ("lib.models.seq2seq", "seq2seq"),  # GRU encoder-decoder, no attention, narrow
    "seq2seq_wide": ("lib.models.seq2seq", "seq2seq"),   # GRU encoder-decoder, no attention, wide
    "seq2seq_attn": ("lib.models.seq2seq", "seq2seq"),   # GRU encoder-decoder with Bahdanau attention
    "gpt_base": ("lib.models.lm", "gpt"),
    "gpt_sft": ("lib.models.lm", "gpt"),
    "gpt_dpo": ("lib.models.lm", "gpt"),
}


def rebuild_command(name: str) -> str:
    return f"python -m lib.train {name}"


def model_dir(name: str) -> Path:
    return MODELS_DIR / name


@functools.lru_cache(maxsize=None)
def load(name: str):
    """The embedded model `name`, loaded once per process (the same object for every caller: treat it as
    read-only, run it under torch.inference_mode(), and copy it before training)."""
    if name not in EMBEDDED:
        raise ModelUnavailable(f"There is no embedded model called {name!r}.",
                               fix=f"Choose one of: {', '.join(EMBEDDED)}")
    module_name, _group = EMBEDDED[name]
    folder = model_dir(name)
    if not folder.is_dir():
        raise ModelUnavailable(f"The embedded model {name!r} has not been built.", path=str(folder),
                               fix=rebuild_command(name))
    module = importlib.import_module(module_name)
    try:
        return module.load(folder)
    except ModelUnavailable:
        raise
    except Exception as exc:  # corrupt or mismatched files: say which model and how to rebuild it
        raise ModelUnavailable(f"The embedded model {name!r} could not be loaded ({type(exc).__name__}: {exc}).",
                               path=str(folder), fix=rebuild_command(name)) from exc
