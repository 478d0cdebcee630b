"""The folder format the project's torch.nn models share: config.json, vocab.json and model.safetensors.
Loading never unpickles; any missing, unreadable or mismatched file raises ModelUnavailable naming that file and
the command that rebuilds the model."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

import torch.nn as nn

from lib.errors import ModelUnavailable

FILES = ("config.json", "vocab.json", "model.safetensors")


def save_folder(folder: Path, model: nn.Module, vocab_json: Any) -> None:
    """Write `model.config` (a dataclass), the vocabulary and the weights into `folder`."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(asdict(model.config), indent=2))
    (folder / "vocab.json").write_text(json.dumps(vocab_json, ensure_ascii=False))
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(folder / "model.safetensors"))


def load_folder(folder: Path, *, config_from: Callable[[dict], Any], vocab_from: Callable[[Any], Any],
                vocab_fits: Callable[[Any, Any], bool], build: Callable[[Any], nn.Module]) -> nn.Module:
    """The model saved in `folder`, in eval mode, with its vocabulary as `model.vocab` (set before it is shared)."""
    from safetensors.torch import load_file

    folder = Path(folder)
    fix = f"python -m lib.train {folder.name}"
    for name in FILES:
        if not (folder / name).is_file():
            raise ModelUnavailable(f"A file of the model {folder.name!r} is missing.", path=str(folder / name), fix=fix)
    try:
        config = config_from(json.loads((folder / "config.json").read_text()))
    except Exception as exc:
        raise ModelUnavailable(f"The config of {folder.name!r} is unreadable ({exc}).",
                               path=str(folder / "config.json"), fix=fix) from exc
    try:
        vocab = vocab_from(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))
    except Exception as exc:
        raise ModelUnavailable(f"The vocabulary of {folder.name!r} is unreadable ({exc}).",
                               path=str(folder / "vocab.json"), fix=fix) from exc
    if not vocab_fits(vocab, config):
        raise ModelUnavailable(f"The vocabulary of {folder.name!r} does not match its config.",
                               path=str(folder / "vocab.json"), fix=fix)
    model = build(config)
    try:
        model.load_state_dict(load_file(str(folder / "model.safetensors")))
    except Exception as exc:
        raise ModelUnavailable(f"The weights of {folder.name!r} are corrupt or do not match its config ({exc}).",
                               path=str(folder / "model.safetensors"), fix=fix) from exc
    model.vocab = vocab
    model.eval()
    return model
