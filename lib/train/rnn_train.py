"""Train the character-level vanilla RNN, LSTM and GRU on the fact-world text (lib.data.facts).

The three models share everything but the cell: same text, same width, same steps, same seed, so the page can
compare them fairly. Truncated backpropagation through time on random windows of the text; fixed step counts.
Evaluation: next-character accuracy and bits per character on held-out sentences never seen in training.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from lib.models import rnn as rnn_model
from lib.train.loop import Trainer

NAMES = ["char_rnn", "char_lstm", "char_gru"]
CELL_OF = {"char_rnn": "rnn", "char_lstm": "lstm", "char_gru": "gru"}


@dataclass
class TrainConfig:
    cell: str
    steps: int = 2500
    batch_size: int = 32
    seq_len: int = 128
    hidden: int = 64
    emb_dim: int = 32
    lr: float = 3e-3
    seed: int = 0


def corpus(seed: int = 0) -> tuple[str, str]:
    """(training text, held-out text): the fact-world sentences joined by spaces. The last 10% of the sentences
    are held out, minus any sentence that also occurs word for word in the first 90% (the fact world states each
    fact several times), so the held-out text is text the models never read."""
    from lib.data.facts import pretraining_sentences

    sentences = pretraining_sentences(seed)
    cut = int(0.9 * len(sentences))
    train, rest = sentences[:cut], sentences[cut:]
    seen = set(train)
    return " ".join(train), " ".join(s for s in rest if s not in seen)


def running_loss(every: int, steps: int, callback: Callable[[int, dict], None]) -> Callable[[int, dict], None]:
    """A Trainer callback: `callback(step, {"loss": running average, ...})` every `every` steps and at the last."""
    running = None

    def on_step(step: int, row: dict) -> None:
        nonlocal running
        running = row["loss"] if running is None else 0.95 * running + 0.05 * row["loss"]
        if step % every == 0 or step == steps:
            callback(step, {**row, "loss": running})
    return on_step


def train(cfg: TrainConfig, text: str, callback: Callable[[int, dict], None] | None = None):
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    vocab = rnn_model.CharVocab(sorted(set(text)))
    data = torch.tensor(vocab.encode(text))
    model = rnn_model.CharRNN(rnn_model.CharRNNConfig(cell=cfg.cell, vocab_size=len(vocab.itos),
                                                      emb_dim=cfg.emb_dim, hidden=cfg.hidden))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 if s < 0.7 * cfg.steps else 0.3)

    def step_fn(_step: int):
        starts = [rng.randrange(len(data) - cfg.seq_len - 1) for _ in range(cfg.batch_size)]
        batch = torch.stack([data[s:s + cfg.seq_len + 1] for s in starts])  # B, T+1
        logits = model(batch[:, :-1])  # B, T, V
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1)), {}

    trainer = Trainer(model, opt, step_fn, steps=cfg.steps, clip=1.0, scheduler=sched)
    if callback:
        trainer.add_callback(running_loss(100, cfg.steps, callback))
    trainer.run()
    model.vocab = vocab
    return model, vocab


@torch.inference_mode()
def evaluate(model, text: str, chunk: int = 256) -> dict:
    """Next-character accuracy and bits per character on `text`, read in chunks of `chunk` characters."""
    ids = torch.tensor(model.vocab.encode(text))
    n = (len(ids) - 1) // chunk * chunk
    x = ids[:n].reshape(-1, chunk)
    y = ids[1:n + 1].reshape(-1, chunk)
    logits = model(x)
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item()
    acc = (logits.argmax(-1) == y).float().mean().item()
    return {"next_char_accuracy": acc, "bits_per_char": nll / math.log(2), "chars": int(n)}


def corpus_digest() -> str:
    """A fingerprint of the training text: when lib.data.facts changes, the shipped models are out of date."""
    import hashlib

    train_text, heldout_text = corpus()
    return hashlib.sha256((train_text + "\x00" + heldout_text).encode("utf-8")).hexdigest()[:16]


def main(names: list[str] | None, out_dir: Path) -> dict:
    torch.set_num_threads(1)
    names = names or NAMES
    train_text, heldout_text = corpus()
    report: dict = {"corpus_sha256": corpus_digest()}
    for name in names:
        cfg = TrainConfig(cell=CELL_OF[name])
        t0 = time.perf_counter()
        model, vocab = train(cfg, train_text, lambda s, m: print(f"{name} step {s} loss {m['loss']:.3f}", flush=True))
        seconds = time.perf_counter() - t0
        rnn_model.save(model, vocab, out_dir / name)
        report[name] = {"train_seconds": round(seconds, 1), "config": vars(cfg),
                        "params": sum(p.numel() for p in model.parameters()),
                        "heldout": evaluate(model, heldout_text)}
        print(name, report[name], flush=True)
    lines = [f"Character-level models on the fact-world text; held out: {len(heldout_text):,} characters of sentences "
             "from the last 10% that never occur in the training 90%.", "",
             "| model | cell | parameters | next-char accuracy | bits/char | train s |", "|---|---|---|---|---|---|"]
    everything = _with_previous(report, out_dir)
    for name in NAMES:
        if name not in everything:
            continue
        r = everything[name]
        lines.append(f"| {name} | {rnn_model.CELL_NAMES[CELL_OF[name]]} | {r['params']:,} | "
                     f"{r['heldout']['next_char_accuracy']:.1%} | {r['heldout']['bits_per_char']:.2f} | "
                     f"{r['train_seconds']} |")
    report["markdown"] = "\n".join(lines)
    return report


def _with_previous(report: dict, out_dir: Path) -> dict:
    """This run's sections plus, for models not rebuilt this time, those of the previous report."""
    import json

    path = out_dir / "report_rnn.json"
    try:
        previous = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        previous = {}
    return {**{k: v for k, v in previous.items() if k in NAMES}, **report}
