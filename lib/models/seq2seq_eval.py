"""Shared by the trainer and the lessons: the seq2seq models translating one sentence step by step (what each
decoder step saw), and scoring them on many sentences (exact match and token accuracy by source length, attention
alignment against the grammar), plus the report the trainer writes. Takes models, returns plain numbers (numpy
arrays, dataclasses, dicts, DataFrames); no Streamlit, and nothing here imports a lesson or a page.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lib.data import translation as tr
from lib.models.seq2seq import BOS_ID, EOS, UNK_ID
from lib.torch_threads import single_thread


@dataclass
class Step:
    """One decoder step: the word it emitted, its probability, the runners-up, and (with attention) the
    weights over the source words and the context vector they produced (without attention: the bridge)."""
    word: str
    prob: float
    top: list[tuple[str, float]]
    weights: np.ndarray | None  # (S,) summing to 1, or None without attention
    context: np.ndarray  # (2H,) the weighted average of the encoder states; (H,) the bridge without attention


@dataclass
class Translation:
    src: list[str]  # the source words, as the model saw them
    unknown: list[bool]  # True where the word is not in the model's vocabulary (fed as <unk>)
    out: list[str]  # the output words, without the end marker
    steps: list[Step]  # one per emitted token, the last usually the end marker
    bridge: np.ndarray  # (H,): the encoder's single summary vector
    attention: np.ndarray | None  # (len(steps), S) rows sum to 1; None without attention
    annotations: np.ndarray  # (S, 2H): the encoder's state at every source word (what attention averages)

    @property
    def finished(self) -> bool:
        return bool(self.steps) and self.steps[-1].word == EOS


@single_thread
@torch.inference_mode()
def translate(model, words: list[str] | tuple[str, ...], max_len: int | None = None, top_k: int = 3) -> Translation:
    """Greedy translation of one sentence, one decoder step at a time, keeping what each step saw."""
    vocab = model.vocab
    words = list(words)
    if not words:
        raise ValueError("nothing to translate: the sentence is empty")
    ids = vocab.encode_src(words)
    src = torch.tensor([ids])  # 1, S
    annotations, bridge = model.encode(src)
    keys = model.att_U(annotations) if model.config.attention else None
    prev, state = torch.tensor([BOS_ID]), bridge
    steps: list[Step] = []
    for _ in range(max_len or len(words) + 5):
        logits, state, weights, context = model.decode_step(prev, state, annotations, bridge, keys)
        probs = F.softmax(logits[0], dim=-1)
        top_p, top_i = probs.topk(top_k)
        word_id = int(top_i[0])
        word = vocab.tgt_itos[word_id]
        steps.append(Step(word=word, prob=float(top_p[0]),
                          top=[(vocab.tgt_itos[int(i)], float(p)) for p, i in zip(top_p, top_i)],
                          weights=weights[0].numpy().copy() if weights is not None else None,
                          context=context[0].numpy().copy()))
        if word == EOS:
            break
        prev = torch.tensor([word_id])
    attention = np.stack([s.weights for s in steps]) if model.config.attention else None
    return Translation(src=words, unknown=[i == UNK_ID for i in ids], out=[s.word for s in steps if s.word != EOS],
                       steps=steps, bridge=bridge[0].numpy().copy(), attention=attention,
                       annotations=annotations[0].numpy().copy())


@single_thread
@torch.inference_mode()
def teacher_forced_attention(model, pair: tr.Pair) -> np.ndarray:
    """Attention weights (T, S) while the decoder is fed the reference translation (one row per reference
    word, the end marker left out): where the model looks when it is about to write each correct word."""
    vocab = model.vocab
    src = torch.tensor([vocab.encode_src(pair.src)])
    tgt_in = torch.tensor([[BOS_ID] + vocab.encode_tgt(pair.tgt)])
    _logits, weights = model(src, tgt_in, return_attention=True)
    if weights is None:
        raise ValueError("this model has no attention")
    return weights[0, : len(pair.tgt)].numpy()


@single_thread
@torch.inference_mode()
def alignment_accuracy(model, pairs: list[tr.Pair], batch_size: int = 256) -> dict:
    """Share of target words whose most-attended source word is the true aligned one, over `pairs`, for
    content words (nouns, adjectives, verbs) and function words, and per part of speech. For Spanish articles,
    also where they look instead: their own English determiner, or the noun whose gender they must copy."""
    vocab = model.vocab
    hits: dict[str, list[int]] = {}
    det_looks = {"its determiner": 0, "its noun": 0, "elsewhere": 0}
    by_len: dict[int, list[tr.Pair]] = {}
    for p in pairs:
        by_len.setdefault(len(p), []).append(p)
    for n, group in by_len.items():
        for i in range(0, len(group), batch_size):
            chunk = group[i:i + batch_size]
            src = torch.tensor([vocab.encode_src(p.src) for p in chunk])
            tgt_in = torch.tensor([[BOS_ID] + vocab.encode_tgt(p.tgt) for p in chunk])
            _logits, weights = model(src, tgt_in, return_attention=True)
            top = weights[:, :n].argmax(-1).numpy()  # B, T
            for p, row in zip(chunk, top):
                for j, (pos, a) in enumerate(zip(p.pos, p.align)):
                    hits.setdefault(pos, [0, 0])
                    hits[pos][0] += int(row[j] == a)
                    hits[pos][1] += 1
                    if pos == "det":
                        noun_src = p.align[j + 1] if p.pos[j + 1] == "noun" else p.align[j + 2]
                        key = ("its determiner" if row[j] == a else "its noun" if row[j] == noun_src
                               else "elsewhere")
                        det_looks[key] += 1

    def share(kinds) -> float:
        right = sum(hits.get(k, [0, 0])[0] for k in kinds)
        total = sum(hits.get(k, [0, 0])[1] for k in kinds)
        return right / total if total else float("nan")

    total_det = sum(det_looks.values()) or 1
    return {"content": share(tr.CONTENT_POS), "function": share(tr.FUNCTION_POS),
            "n_content": sum(hits.get(k, [0, 0])[1] for k in tr.CONTENT_POS),
            "n_function": sum(hits.get(k, [0, 0])[1] for k in tr.FUNCTION_POS),
            "by_pos": {k: v[0] / v[1] for k, v in sorted(hits.items())},
            "articles_look_at": {k: v / total_det for k, v in det_looks.items()}}


@single_thread
@torch.inference_mode()
def evaluate(model, pairs: list[tr.Pair], batch_size: int = 256,
             progress: Callable[[float], None] | None = None, buckets: Sequence[str] = tr.BUCKETS,
             bucket_of: Callable[[int], str] = tr.length_bucket) -> dict:
    """Greedy translations of `pairs`, scored per source-length bucket (`bucket_of(length)`, one of `buckets`):
    exact match (the whole sentence right) and token accuracy (position by position). Sentences are batched by
    length, so no padding is needed."""
    vocab = model.vocab
    stats = {b: {"n": 0, "exact": 0, "tokens": 0, "correct": 0} for b in buckets}
    by_len: dict[int, list[tr.Pair]] = {}
    for p in pairs:
        by_len.setdefault(len(p), []).append(p)
    done = 0
    for n in sorted(by_len):
        group = by_len[n]
        for i in range(0, len(group), batch_size):
            chunk = group[i:i + batch_size]
            src = torch.tensor([vocab.encode_src(p.src) for p in chunk])
            ids = model.greedy(src, max_len=n + 3)
            for p, row in zip(chunk, ids.tolist()):
                out = vocab.decode_tgt(row)
                s = stats[bucket_of(n)]
                s["n"] += 1
                s["exact"] += out == list(p.tgt)
                s["tokens"] += len(p.tgt)
                s["correct"] += sum(a == b for a, b in zip(out, p.tgt))
            done += len(chunk)
            if progress:
                progress(done / len(pairs))
    return {b: {"n": s["n"],
                "exact_match": s["exact"] / s["n"] if s["n"] else None,
                "token_accuracy": s["correct"] / s["tokens"] if s["tokens"] else None}
            for b, s in stats.items()}


def buckets_frame(results: dict[str, dict], order: Sequence[str] = tr.BUCKETS) -> pd.DataFrame:
    """{model name: evaluate(...)} -> long table: model, bucket, n, exact match %, token accuracy %."""
    rows = []
    for name, buckets in results.items():
        for b in order:
            s = buckets.get(b)
            if s and s["n"]:
                rows.append({"model": name, "bucket": b, "n": s["n"], "exact match %": 100 * s["exact_match"],
                             "token accuracy %": 100 * s["token_accuracy"]})
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=1)
def train_sources() -> frozenset:
    """Every training sentence's source words (a fresh held-out sample never repeats one), once per process."""
    return frozenset(p.src for p in tr.train_pairs())


def fresh_heldout(n: int, seed: int) -> list[tr.Pair]:
    """A fresh held-out sample (never a training sentence), balanced over the length buckets."""
    pool = tr.heldout_pairs(4 * n, seed=seed, exclude=set(train_sources()))
    by_bucket: dict[str, list[tr.Pair]] = {}
    for p in pool:
        by_bucket.setdefault(tr.length_bucket(len(p)), []).append(p)
    per = max(1, n // len(tr.BUCKETS))
    return [p for b in tr.BUCKETS for p in by_bucket.get(b, [])[:per]]


@single_thread
def re_evaluate(models: dict[str, object], n: int, seed: int,
                progress: Callable[[float, str], None] | None = None) -> pd.DataFrame:
    """Evaluate every model on one fresh held-out sample; progress(fraction, message) as it goes."""
    pairs = fresh_heldout(n, seed)
    results = {}
    for k, (name, model) in enumerate(models.items()):
        def step(f, k=k, name=name):
            if progress:
                progress((k + f) / len(models), f"evaluating {name}")
        results[name] = evaluate(model, pairs, progress=step)
    return buckets_frame(results)


# ------------------------------------------------------------------------------ beyond the training lengths
TRAINED_UP_TO = 35  # the longest sentence of the training split (tr.train_pairs)
BEYOND = ("36-45", "46-60")  # source lengths no model saw in training
BEYOND_N = 100  # sentences per range


def beyond_bucket(n: int) -> str:
    return BEYOND[0] if n <= 45 else BEYOND[1]


def evaluate_beyond(model) -> dict:
    """`evaluate` on BEYOND_N fresh sentences of 36-45 and of 46-60 words (`tr.long_pairs`): longer than anything
    in training, so what the model does at lengths it never saw."""
    pairs = [p for lo, hi in ((36, 45), (46, 60)) for p in tr.long_pairs(BEYOND_N, lo, hi)]
    return evaluate(model, pairs, buckets=BEYOND, bucket_of=beyond_bucket)


# ------------------------------------------------------------------------------------------- the report
def load_report() -> dict:
    """The evaluation that `python -m lib.train seq2seq` wrote next to the models (assets/models/report_seq2seq.json)."""
    from lib.errors import ModelUnavailable
    from lib.models import registry  # read at call time: tests point it at a copy of the models

    path = registry.MODELS_DIR / "report_seq2seq.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelUnavailable("The translation models' evaluation report is missing or unreadable.",
                               path=str(path), fix="python -m lib.train seq2seq") from exc


def report_frame(report: dict, names: dict[str, str]) -> pd.DataFrame:
    """The report's accuracy by length as a long table, models renamed by `names` (registry name -> label)."""
    return buckets_frame({label: report[name]["buckets"] for name, label in names.items() if name in report})


def model_label(model) -> str:
    """How the pages name a translation model: attention or not, and the width of its hidden state."""
    cfg = model.config
    return f"{'attention' if cfg.attention else 'no attention'}, {cfg.hidden} units"

