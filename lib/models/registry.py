"""Load models by name: the embedded ones shipped in assets/models/, cached once per process.

Every embedded model lives in its own folder `assets/models/<name>/` (config JSON + model.safetensors, plus
tokenizer/vocabulary files) and is loaded by the `load(folder)` function of the module that defines it. Loading
never unpickles anything. A missing or broken file raises `lib.errors.ModelUnavailable` naming the file and the
command that rebuilds it.
"""
from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path

from lib.errors import ModelUnavailable
from lib.paths import MODELS as MODELS_DIR

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


THREADS_ENV = "UFM_TORCH_THREADS"


@functools.lru_cache(maxsize=None)
def serve_on_few_threads() -> int:
    """Run the models on one torch thread per process (or $UFM_TORCH_THREADS). They are tiny: splitting an operation
    over threads only adds synchronisation, and on a shared server (a classroom, Community Cloud) where sessions
    already run side by side, torch's default of one thread per core made a 2 ms translation take 150 ms and live
    DPO 3-7x slower. Set once, when the first model is loaded; the training command sets its own count."""
    import torch

    n = max(1, int(os.environ.get(THREADS_ENV, "1")))
    torch.set_num_threads(n)
    return n


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
    serve_on_few_threads()
    module = importlib.import_module(module_name)
    try:
        return module.load(folder)
    except ModelUnavailable:
        raise
    except Exception as exc:  # corrupt or mismatched files: say which model and how to rebuild it
        raise ModelUnavailable(f"The embedded model {name!r} could not be loaded ({type(exc).__name__}: {exc}).",
                               path=str(folder), fix=rebuild_command(name)) from exc


# ------------------------------------------------------------------------------------------------ Hugging Face Hub
# Small causal LMs a user may pick in the sidebar instead of the embedded tiny GPT. Loaded with the same
# `from_pretrained` code as the embedded models (lib.models.lm.from_pretrained): safetensors only, never remote code.
HUB_ALLOWLIST: tuple[str, ...] = ("distilgpt2", "sshleifer/tiny-gpt2", "gpt2")
HUB_HOST = ("huggingface.co", 443)


def hub_reachable(timeout: float = 1.5) -> bool:
    """True when a TCP connection to the Hub opens within `timeout` seconds (so an offline app fails fast)."""
    import socket

    try:
        with socket.create_connection(HUB_HOST, timeout=timeout):
            return True
    except OSError:
        return False


@functools.lru_cache(maxsize=4)
def load_hub(model_id: str):
    """An allowlisted Hub causal LM as a `lib.models.lm.LM` (cached once per process; failures are not cached): from
    the local Hugging Face cache when it is there, else downloaded once if the Hub answers at once. Raises
    ModelUnavailable within a few seconds, with a plain message, when the id is not allowed or there is no network."""
    if model_id not in HUB_ALLOWLIST:
        raise ModelUnavailable(f"{model_id!r} is not on this app's list of Hub models.",
                               fix=f"Choose one of: {', '.join(HUB_ALLOWLIST)}")
    from lib.models import lm

    serve_on_few_threads()
    try:
        model, tokenizer = lm.from_pretrained(model_id, local_only=True)
    except Exception:
        if not hub_reachable():
            raise ModelUnavailable(f"The Hub model {model_id!r} is not on this computer and the Hugging Face Hub "
                                   "cannot be reached (no network).",
                                   fix="Connect to the internet once to download it, or choose the embedded tiny "
                                       "GPT in the sidebar.") from None
        try:
            model, tokenizer = lm.from_pretrained(model_id, local_only=False)
        except Exception as exc:
            raise ModelUnavailable(f"The Hub model {model_id!r} could not be loaded ({type(exc).__name__}: {exc}).",
                                   fix="Try again later, or choose the embedded tiny GPT in the sidebar.") from exc
    return lm.LM(model=model, tokenizer=tokenizer, name=model_id, source="hub")


def load_lm(source: str, checkpoint: str = "gpt_base"):
    """The language model a page should use: the embedded checkpoint when `source` is "embedded", else the Hub
    model `source` (an allowlisted id)."""
    return load(checkpoint) if source == "embedded" else load_hub(source)
