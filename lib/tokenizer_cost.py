"""What a mostly-English tokenizer costs other languages: the same passage in many languages, counted in tokens,
relative to English.

Tokens are what a model reads, what an API bills and what fills a context window, so a language that needs 5x the
tokens for the same meaning pays 5x the price and fits 5x less into the window (Huyen, ch. 2, on the MASSIVE data).

The project's own tokenizer is the tiny GPT's byte-level BPE, trained on English only (assets/models/gpt_base).
A byte-level BPE can encode any text, but words it never saw fall apart into many pieces, down to single bytes:
three bytes for most Devanagari or Chinese characters.

No Streamlit here. A tokenizer is anything with `encode(text) -> list[int]` (a transformers tokenizer, or a
`tokenizers.Tokenizer` wrapped by `as_encoder`).
"""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lib.errors import ModelUnavailable

ROOT = Path(__file__).resolve().parents[1]
PASSAGES_CSV = ROOT / "assets" / "data" / "passages.csv"
PROJECT_TOKENIZER_DIR = ROOT / "assets" / "models" / "gpt_base"

Encoder = Callable[[str], list]


@dataclass(frozen=True)
class Passage:
    language: str
    code: str
    script: str
    text: str
    source: str


def load_passages(path: Path = PASSAGES_CSV) -> list[Passage]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = [Passage(r["language"], r["code"], r["script"], r["text"], r["source"]) for r in csv.DictReader(f)]
    if not rows or rows[0].code != "en":
        raise ValueError(f"{path}: the first passage must be the English reference")
    return rows


def as_encoder(tokenizer) -> Encoder:
    """A function text -> token ids for a transformers tokenizer or a `tokenizers.Tokenizer`."""
    if hasattr(tokenizer, "encode") and type(tokenizer).__module__.startswith("tokenizers"):
        return lambda text: tokenizer.encode(text).ids
    return lambda text: tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]


@dataclass(frozen=True)
class Cost:
    language: str
    code: str
    script: str
    characters: int
    utf8_bytes: int
    tokens: int
    ratio_to_english: float
    bytes_per_token: float


def token_costs(passages: list[Passage], encode: Encoder) -> list[Cost]:
    """Token count of each passage and its ratio to the English passage's count (passages[0] must be English)."""
    if not passages or passages[0].code != "en":
        raise ValueError("the first passage must be the English reference")
    counts = [len(encode(p.text)) for p in passages]
    english = counts[0]
    if english == 0:
        raise ValueError("the English passage encodes to no tokens")
    out = []
    for p, n in zip(passages, counts):
        nbytes = len(p.text.encode("utf-8"))
        out.append(Cost(p.language, p.code, p.script, len(p.text), nbytes, n, n / english,
                        nbytes / n if n else 0.0))
    return out


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


def token_pieces(text: str, tokenizer) -> list[tuple[str, bool]]:
    """How the tokenizer cuts `text`: one (label, whole) pair per token. A token that is whole characters is shown
    as its text; a byte-level token that is only part of a character (whole=False) is shown as its bytes in hex,
    e.g. "e0 a4", since on its own it is not text at all."""
    out = []
    for i in as_encoder(tokenizer)(text):
        raw = token_bytes(tokenizer, i)
        if raw is None:
            out.append((tokenizer.decode([i]), True))
            continue
        try:
            out.append((raw.decode("utf-8"), True))
        except UnicodeDecodeError:
            out.append((" ".join(f"{b:02x}" for b in raw), False))
    return out


# ------------------------------------------------------------------------------------------------------- loading
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
