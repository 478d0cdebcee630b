"""The tiny GPT: a GPT-2 architecture (transformers' `GPT2LMHeadModel`) with a byte-level BPE tokenizer trained on the
fact world, small enough to pre-train in a few minutes on one CPU core.

Saved as transformers' own `save_pretrained` folders (config.json + model.safetensors + tokenizer files) and loaded
with `from_pretrained`, so the very same code loads a Hugging Face Hub model such as distilgpt2 (see
lib/models/registry.py). Nothing is unpickled and no remote code is ever trusted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import logging as transformers_logging
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from lib.errors import ModelUnavailable
from lib.paths import MODELS

transformers_logging.set_verbosity_error()  # no padding / deprecation chatter in the app or the build log

EOS = "<|endoftext|>"
REQUIRED_FILES = ["config.json", "model.safetensors", "tokenizer.json"]
REPORT = MODELS / "report_gpt.json"   # the build's evaluation report (lib/train/gpt_train.py writes it)
# the three embedded checkpoints of the tiny GPT family, in training order, with the names the pages show
CHECKPOINTS = {"gpt_base": "Base (pre-trained)", "gpt_sft": "SFT (demonstrations)", "gpt_dpo": "DPO (preferences)"}


@dataclass(frozen=True)
class TinyGPTConfig:
    vocab_size: int = 1024     # BPE vocabulary, including the 256 byte tokens and <|endoftext|>
    n_positions: int = 128     # longest context in tokens
    n_embd: int = 128          # width C of the residual stream
    n_layer: int = 4
    n_head: int = 4            # head size C / n_head = 32

    def to_gpt2(self, tokenizer) -> GPT2Config:
        return GPT2Config(vocab_size=len(tokenizer), n_positions=self.n_positions, n_embd=self.n_embd,
                          n_layer=self.n_layer, n_head=self.n_head, resid_pdrop=0.0, embd_pdrop=0.0,
                          attn_pdrop=0.0, bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
                          pad_token_id=tokenizer.eos_token_id, tie_word_embeddings=True)


@dataclass
class LM:
    """A causal language model with its tokenizer: what the pages and the probes work with."""
    model: GPT2LMHeadModel
    tokenizer: PreTrainedTokenizerFast
    name: str                  # "gpt_base", "gpt_sft", "gpt_dpo" or a Hub model id
    source: str = "embedded"   # "embedded" or "hub"

    @property
    def max_positions(self) -> int:
        return int(getattr(self.model.config, "n_positions", 0) or getattr(self.model.config,
                                                                           "max_position_embeddings", 1024))

    def encode(self, text: str) -> list[int]:
        """Token ids of `text` (no special tokens added), cut to the model's context."""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        return ids[-(self.max_positions - 16):]

    def tokens(self, ids: list[int]) -> list[str]:
        """Each id decoded on its own, so spaces show as they will be printed."""
        return [self.tokenizer.decode([i]) for i in ids]


def train_tokenizer(texts: list[str], vocab_size: int = 1024) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer (GPT-2's scheme) trained on `texts`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, bos_token=EOS, unk_token=EOS,
                                   pad_token=EOS, model_max_length=TinyGPTConfig.n_positions)


def build(config: TinyGPTConfig, tokenizer: PreTrainedTokenizerFast, seed: int = 0) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    return GPT2LMHeadModel(config.to_gpt2(tokenizer))


def save(lm: LM, folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lm.model.save_pretrained(folder, safe_serialization=True)
    lm.tokenizer.save_pretrained(folder)


def from_pretrained(location: str | Path, *, local_only: bool) -> tuple[GPT2LMHeadModel, PreTrainedTokenizerFast]:
    """The one loading path, shared by embedded folders and Hub ids: safetensors only, never remote code, eager
    attention (so attention weights can be returned when asked)."""
    tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=local_only, trust_remote_code=False)
    model = AutoModelForCausalLM.from_pretrained(location, local_files_only=local_only, trust_remote_code=False,
                                                 use_safetensors=True, attn_implementation="eager",
                                                 dtype=torch.float32)
    model.eval()
    return model, tokenizer


def load(folder: Path) -> LM:
    """The embedded model saved in `folder` (raises ModelUnavailable naming the missing file)."""
    folder = Path(folder)
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise ModelUnavailable(f"A file of the model {folder.name!r} is missing.", path=str(folder / name),
                                   fix=f"python -m lib.train {folder.name}")
    model, tokenizer = from_pretrained(folder, local_only=True)
    return LM(model=model, tokenizer=tokenizer, name=folder.name, source="embedded")


def parameter_breakdown(model: torch.nn.Module) -> list[tuple[str, int]]:
    """Parameter counts of a GPT-2 style model grouped by role, computed from its real modules (tied weights counted
    once)."""
    groups: dict[str, int] = {}
    seen: set[int] = set()
    for name, param in model.named_parameters(remove_duplicate=False):
        if id(param) in seen:
            continue
        seen.add(id(param))
        if "wte" in name:
            role = "token embeddings (shared with the output layer)"
        elif "wpe" in name:
            role = "position embeddings"
        elif ".attn." in name:
            role = "attention (Q, K, V, output projection)"
        elif ".mlp." in name:
            role = "MLP (feed-forward)"
        elif "ln_" in name or "norm" in name:
            role = "layer norms"
        else:
            role = "other"
        groups[role] = groups.get(role, 0) + param.numel()
    return list(groups.items())


def show_token(text: str) -> str:
    """A token made visible: a leading space as a middle dot, newlines as \\n."""
    return text.replace(" ", "\u00b7").replace("\n", "\\n") or "\u2205"


def load_report(path: Path = REPORT) -> dict:
    """The tiny GPT family's build report (probe sets, measured rates, DPO history)."""
    if not Path(path).is_file():
        raise ModelUnavailable("The tiny GPT's evaluation report has not been built.", path=str(path),
                               fix="python -m lib.train gpt")
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"The tiny GPT's evaluation report could not be read ({exc}).", path=str(path),
                               fix="python -m lib.train gpt") from exc
