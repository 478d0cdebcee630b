"""Tokenizers on their own (no model): the tiny GPT's English-trained byte-level BPE, the tokenizer of an
allowlisted Hub model, and what one byte-level token stands for. No Streamlit.

A tokenizer here is anything with `encode(text) -> list[int]` once wrapped by `as_encoder` (a transformers
tokenizer, or a `tokenizers.Tokenizer`)."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

from lib.errors import ModelUnavailable
from lib.paths import MODELS

PROJECT_TOKENIZER_DIR = MODELS / "gpt_base"

Encoder = Callable[[str], list]


def as_encoder(tokenizer) -> Encoder:
    """A function text -> token ids for a transformers tokenizer or a `tokenizers.Tokenizer`."""
    if hasattr(tokenizer, "encode") and type(tokenizer).__module__.startswith("tokenizers"):
        return lambda text: tokenizer.encode(text).ids
    return lambda text: tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]


@functools.lru_cache(maxsize=1)
def _byte_level_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet, reversed: the printable character that stands for each of the 256 bytes."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(
        range(ord("\u00ae"), ord("\u00ff") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    return chars


def token_bytes(tokenizer, token_id: int) -> bytes | None:
    """The raw bytes a byte-level BPE token stands for, or None for other kinds of tokenizer."""
    convert = getattr(tokenizer, "convert_ids_to_tokens", None) or getattr(tokenizer, "id_to_token", None)
    if convert is None:
        return None
    piece = convert(token_id)
    table = _byte_level_decoder()
    if not isinstance(piece, str) or any(ch not in table for ch in piece):
        return None
    return bytes(table[ch] for ch in piece)


def load_project_tokenizer(folder: Path | None = None):
    """The tiny GPT's tokenizer (English-trained byte-level BPE), from its save_pretrained folder, offline."""
    folder = Path(PROJECT_TOKENIZER_DIR if folder is None else folder)
    if not (folder / "tokenizer.json").is_file():
        raise ModelUnavailable("The project's tokenizer has not been built yet.",
                               path=str(folder / "tokenizer.json"), fix="python -m lib.train gpt_base")
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)
    except Exception as exc:  # corrupt or mismatched tokenizer files
        raise ModelUnavailable(f"The project's tokenizer could not be loaded ({type(exc).__name__}).",
                               path=str(folder), fix="python -m lib.train gpt_base") from exc


def hub_allowlist() -> tuple[str, ...]:
    from lib.models import registry

    return tuple(getattr(registry, "HUB_ALLOWLIST", ()))


def hub_reachable() -> bool:
    """The registry's quick check that the Hub answers (so an offline app fails fast)."""
    from lib.models import registry

    return registry.hub_reachable()


def load_hub_tokenizer(model_id: str, *, reachable: Callable[[], bool] | None = None):
    """The tokenizer (only) of an allowlisted Hub model, the same ids and checks as lib.models.registry.load_hub:
    from the local cache if it is there, else downloaded once. Raises ModelUnavailable quickly, with a plain
    message, when the id is not allowed or the Hub is unreachable."""
    allowed = hub_allowlist()
    if model_id not in allowed:
        raise ModelUnavailable(f"{model_id!r} is not on this app's list of Hub models.",
                               fix=f"Choose one of: {', '.join(allowed) or '(none configured)'}")
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(model_id, local_files_only=True, trust_remote_code=False)
    except Exception:
        pass  # not cached: try the network, but only if it answers at once
    if not (reachable or hub_reachable)():
        raise ModelUnavailable(f"The tokenizer of {model_id!r} is not on this computer and the Hugging Face Hub "
                               "cannot be reached (no network).",
                               fix="Connect to the internet once to download it, or pick the embedded model "
                                   "in the sidebar.")
    try:
        return AutoTokenizer.from_pretrained(model_id, trust_remote_code=False)
    except Exception as exc:
        raise ModelUnavailable(f"The tokenizer of {model_id!r} could not be downloaded ({type(exc).__name__}).",
                               fix="Try again later, or pick the embedded model in the sidebar.") from exc
