"""Train the three translation models on the English -> Spanish grammar task and evaluate them on held-out data.

    seq2seq_small   GRU encoder-decoder without attention, hidden 64   (the bottleneck)
    seq2seq_wide    GRU encoder-decoder without attention, hidden 128  (a bottleneck twice as wide)
    seq2seq_attn    GRU encoder-decoder with Bahdanau attention, hidden 64

Fixed step counts and seeds. Every English word has exactly one Spanish word, so a batch holds sentences of one
length only: no padding, no masks, no wasted compute. A length curriculum starts with short sentences and lets
longer ones in as training goes on.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from lib.data import translation as tr
from lib.models import seq2seq as s2s
from lib.models import seq2seq_eval
from lib.train.loop import Trainer
from lib.train.rnn_train import running_loss

NAMES = ["seq2seq_small", "seq2seq_wide", "seq2seq_attn"]


@dataclass
class TrainConfig:
    hidden: int
    attention: bool
    steps: int
    batch_size: int = 64
    lr: float = 3e-3
    emb_dim: int = 32
    seed: int = 0
    curriculum_steps: int = 0  # over these first steps the longest allowed sentence grows from 8 to 35 words
    n_train: int = 60_000


CONFIGS: dict[str, TrainConfig] = {
    "seq2seq_small": TrainConfig(hidden=64, attention=False, steps=4000, curriculum_steps=500),
    "seq2seq_wide": TrainConfig(hidden=128, attention=False, steps=2500, curriculum_steps=500),
    "seq2seq_attn": TrainConfig(hidden=64, attention=True, steps=1500, curriculum_steps=500),
}


def make_vocab() -> s2s.Vocab:
    return s2s.Vocab(tr.source_vocabulary(), tr.target_vocabulary())


def batch_tensors(pairs: list[tr.Pair], vocab: s2s.Vocab):
    """Equal-length pairs -> src (B, S), tgt_in (B, S+1) starting with <bos>, tgt_out (B, S+1) ending with <eos>."""
    src = torch.tensor([vocab.encode_src(p.src) for p in pairs])
    tgt = torch.tensor([vocab.encode_tgt(p.tgt) for p in pairs])
    B = len(pairs)
    tgt_in = torch.cat([torch.full((B, 1), s2s.BOS_ID), tgt], dim=1)
    tgt_out = torch.cat([tgt, torch.full((B, 1), s2s.EOS_ID)], dim=1)
    return src, tgt_in, tgt_out


def train(cfg: TrainConfig, callback: Callable[[int, dict], None] | None = None,
          pairs: list[tr.Pair] | None = None) -> tuple[s2s.Seq2Seq, s2s.Vocab]:
    """Train one model for cfg.steps steps; `callback(step, {"loss": ...})` every 50 steps."""
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    vocab = make_vocab()
    pairs = pairs if pairs is not None else tr.train_pairs(cfg.n_train)
    by_len: dict[int, list[tr.Pair]] = {}
    for p in pairs:
        by_len.setdefault(len(p), []).append(p)
    lengths = sorted(by_len)
    model = s2s.Seq2Seq(s2s.Seq2SeqConfig(len(vocab.src_itos), len(vocab.tgt_itos), emb_dim=cfg.emb_dim,
                                          hidden=cfg.hidden, attention=cfg.attention))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 if s < 0.7 * cfg.steps else 0.3)

    def max_len_at(step: int) -> int:
        if cfg.curriculum_steps and step <= cfg.curriculum_steps:
            return 8 + (max(lengths) - 8) * step // cfg.curriculum_steps
        return max(lengths)

    def step_fn(step: int):
        max_len = max_len_at(step)
        allowed = [n for n in lengths if n <= max_len]
        n = rng.choices(allowed, weights=[len(by_len[k]) for k in allowed])[0]
        batch = rng.sample(by_len[n], min(cfg.batch_size, len(by_len[n])))
        src, tgt_in, tgt_out = batch_tensors(batch, vocab)
        logits = model(src, tgt_in)  # B, T, V
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
        return loss, {"max_len": max_len}

    trainer = Trainer(model, opt, step_fn, steps=cfg.steps, clip=1.0, scheduler=sched)
    if callback:
        trainer.add_callback(running_loss(50, cfg.steps, callback))
    trainer.run()
    model.vocab = vocab
    return model, vocab


def main(names: list[str] | None, out_dir: Path) -> dict:
    torch.set_num_threads(1)
    names = names or NAMES
    pairs = tr.train_pairs()
    heldout = tr.heldout_pairs(3000, exclude={p.src for p in pairs})
    report: dict = {}
    for name in names:
        cfg = CONFIGS[name]
        t0 = time.perf_counter()
        model, vocab = train(cfg, lambda s, m: print(f"{name} step {s} loss {m['loss']:.4f} len<={m['max_len']}",
                                                     flush=True), pairs)
        seconds = time.perf_counter() - t0
        s2s.save(model, vocab, out_dir / name)
        report[name] = {"train_seconds": round(seconds, 1), "config": vars(cfg),
                        "params": sum(p.numel() for p in model.parameters()),
                        "buckets": seq2seq_eval.evaluate(model, heldout)}
        report[name]["beyond"] = seq2seq_eval.evaluate_beyond(model)
        if cfg.attention:
            report[name]["alignment"] = seq2seq_eval.alignment_accuracy(model, heldout)
        print(name, {k: v for k, v in report[name].items() if k != "config"}, flush=True)
    report["heldout_pairs"] = len(heldout)
    report["markdown"] = markdown(_with_previous(report, out_dir), NAMES)
    return report


def _with_previous(report: dict, out_dir: Path) -> dict:
    """This run's sections plus, for models not rebuilt this time, the sections of the previous report (so that
    `python -m lib.train seq2seq_attn` still writes the table of all three)."""
    import json

    path = out_dir / "report_seq2seq.json"
    try:
        previous = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        previous = {}
    return {**{k: v for k, v in previous.items() if k in NAMES}, **report}


def markdown(report: dict, names: list[str]) -> str:
    """The human-readable part of the report: exact match and token accuracy per length bucket, alignment."""
    lines = [f"English -> Spanish grammar task; {report['heldout_pairs']} held-out pairs (no training sentence), "
             "greedy decoding. Exact match % (token accuracy %) by source length in words.", "",
             "| model | hidden | attention | params | train s | " + " | ".join(tr.BUCKETS) + " |",
             "|---|---|---|---|---|" + "---|" * len(tr.BUCKETS)]
    for name in names:
        if name not in report:
            continue
        r = report[name]
        cells = []
        for b in tr.BUCKETS:
            s = r["buckets"][b]
            cells.append(f"{100 * s['exact_match']:.1f} ({100 * s['token_accuracy']:.1f})" if s["n"] else "-")
        lines.append(f"| {name} | {r['config']['hidden']} | {'yes' if r['config']['attention'] else 'no'} | "
                     f"{r['params']:,} | {r['train_seconds']} | " + " | ".join(cells) + " |")
    lines += ["", "Bucket sizes: " + ", ".join(f"{b}: {report[names[0]]['buckets'][b]['n']}" for b in tr.BUCKETS)
              if names and names[0] in report else ""]
    beyond = [(name, report[name]["beyond"]) for name in names if "beyond" in report.get(name, {})]
    if beyond:
        lines += ["", f"Beyond the training lengths (no training sentence is longer than {seq2seq_eval.TRAINED_UP_TO} "
                  f"words), exact match on {seq2seq_eval.BEYOND_N} sentences each: "
                  + "; ".join(f"{name} " + ", ".join(f"{b} {100 * r[b]['exact_match']:.1f}%" for b in seq2seq_eval.BEYOND)
                              for name, r in beyond) + "."]
    for name in names:
        a = report.get(name, {}).get("alignment")
        if a:
            looks = ", ".join(f"{k} {100 * v:.1f}%" for k, v in a["articles_look_at"].items())
            by_pos = ", ".join(f"{k} {100 * v:.1f}%" for k, v in a["by_pos"].items())
            lines += ["", f"Attention alignment of {name} (teacher-forced on the reference; most-attended source "
                      f"word = the grammar's true aligned word): content words (nouns, adjectives, verbs) "
                      f"**{100 * a['content']:.1f}%** of {a['n_content']:,}; function words {100 * a['function']:.1f}% "
                      f"of {a['n_function']:,}. By part of speech: {by_pos}. "
                      f"Spanish articles look at: {looks}."]
    return "\n".join(lines)
