"""What the seq2seq and attention pages compute: translations step by step, the bottleneck vector, attention
weights, accuracy by sentence length, alignment accuracy against the grammar, and timing of sequential versus
parallel processing. Takes models, returns plain numbers (numpy arrays, dataclasses, DataFrames); no Streamlit.
"""
from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lib.data import translation as tr
from lib.torch_threads import single_thread

END = "<eos>"


@dataclass
class Step:
    """One decoder step: the word it emitted, its probability, the runners-up, and (with attention) the
    weights over the source words and the context vector they produced (without attention: the bridge)."""
    word: str
    prob: float
    top: list[tuple[str, float]]
    weights: np.ndarray | None  # (S,) summing to 1, or None without attention
    context: np.ndarray  # (2H,) the weighted average of the encoder states; (H,) the bridge without attention

    @property
    def context_norm(self) -> float:
        return float(np.linalg.norm(self.context))


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
        return bool(self.steps) and self.steps[-1].word == END


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
    prev, state = torch.tensor([2]), bridge  # <bos>
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
        if word == END:
            break
        prev = torch.tensor([word_id])
    attention = np.stack([s.weights for s in steps]) if model.config.attention else None
    return Translation(src=words, unknown=[i == 1 for i in ids], out=[s.word for s in steps if s.word != END],
                       steps=steps, bridge=bridge[0].numpy().copy(), attention=attention,
                       annotations=annotations[0].numpy().copy())


def context_similarity(t: Translation, k: int) -> np.ndarray:
    """Cosine similarity of step k's context vector with the encoder state at each source word: the context
    is a weighted average of those states, so it resembles most the one with the largest weight."""
    c = t.steps[k].context
    a = t.annotations
    if c.shape[0] != a.shape[1]:
        raise ValueError("this model has no attention: its context is the bridge, not an average of states")
    return (a @ c) / (np.linalg.norm(a, axis=1) * np.linalg.norm(c) + 1e-12)


@single_thread
@torch.inference_mode()
def teacher_forced_attention(model, pair: tr.Pair) -> np.ndarray:
    """Attention weights (T, S) while the decoder is fed the reference translation (one row per reference
    word, the end marker left out): where the model looks when it is about to write each correct word."""
    vocab = model.vocab
    src = torch.tensor([vocab.encode_src(pair.src)])
    tgt_in = torch.tensor([[2] + vocab.encode_tgt(pair.tgt)])
    _logits, weights = model(src, tgt_in, return_attention=True)
    if weights is None:
        raise ValueError("this model has no attention")
    return weights[0, : len(pair.tgt)].numpy()


def word_alignment(pair: tr.Pair, attention: np.ndarray) -> pd.DataFrame:
    """For each target word: the source word it attends to most, the true aligned word, whether they match, and
    what the most-attended word is: "its own word" (the true one), "its noun" (a Spanish article looking at the
    noun whose gender and number it must copy: a valid alignment too) or "elsewhere". `valid` is True for the
    first two. Weights rounded to two decimals, as everywhere on the pages."""
    if attention.shape != (len(pair.tgt), len(pair.src)):
        raise ValueError(f"attention has shape {attention.shape}, expected {(len(pair.tgt), len(pair.src))}")
    top = attention.argmax(axis=1)
    match = top == np.array(pair.align)
    kind = []
    for j, pos in enumerate(pair.pos):
        noun = article_noun(pair, j) if pos == "det" else None
        kind.append("its own word" if match[j] else "its noun" if noun is not None and top[j] == noun
                    else "elsewhere")
    return pd.DataFrame({
        "target": pair.tgt,
        "kind": ["content" if p in tr.CONTENT_POS else "function" for p in pair.pos],
        "pos": pair.pos,
        "most attended": [pair.src[i] for i in top],
        "weight": attention.max(axis=1).round(2),
        "true source": [pair.src[i] for i in pair.align],
        "match": match,
        "looks at": kind,
        "valid": [k != "elsewhere" for k in kind],
    })


def article_noun(pair: tr.Pair, j: int) -> int | None:
    """The source index of the noun a Spanish article (target word j) belongs to: the first noun after it."""
    for k in range(j + 1, len(pair.pos)):
        if pair.pos[k] == "noun":
            return pair.align[k]
    return None


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
            tgt_in = torch.tensor([[2] + vocab.encode_tgt(p.tgt) for p in chunk])
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
             progress: Callable[[float], None] | None = None) -> dict:
    """Greedy translations of `pairs`, scored per source-length bucket: exact match (the whole sentence right)
    and token accuracy (position by position). Sentences are batched by length, so no padding is needed."""
    vocab = model.vocab
    stats = {b: {"n": 0, "exact": 0, "tokens": 0, "correct": 0} for b in tr.BUCKETS}
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
                s = stats[tr.length_bucket(n)]
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


def buckets_frame(results: dict[str, dict]) -> pd.DataFrame:
    """{model name: evaluate(...)} -> long table: model, bucket, n, exact match %, token accuracy %."""
    rows = []
    for name, buckets in results.items():
        for b in tr.BUCKETS:
            s = buckets.get(b)
            if s and s["n"]:
                rows.append({"model": name, "bucket": b, "n": s["n"], "exact match %": 100 * s["exact_match"],
                             "token accuracy %": 100 * s["token_accuracy"]})
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=1)
def _train_sources() -> frozenset:
    return frozenset(p.src for p in tr.train_pairs())


def fresh_heldout(n: int, seed: int) -> list[tr.Pair]:
    """A fresh held-out sample (never a training sentence), balanced over the length buckets."""
    pool = tr.heldout_pairs(4 * n, seed=seed, exclude=set(_train_sources()))
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


# -------------------------------------------------------------------------------------- sequential cost
def random_sentence(n_words: int, seed: int) -> tr.Pair:
    """A random sentence of the grammar with about `n_words` words (the closest length found)."""
    rng = random.Random(seed)
    best = None
    for _ in range(400):
        p = tr.random_pair(rng, max(1, round(n_words / 7)))
        if best is None or abs(len(p) - n_words) < abs(len(best) - n_words):
            best = p
        if len(p) == n_words:
            break
    return best


@single_thread
@torch.inference_mode()
def time_sequential_vs_parallel(lengths: list[int], dim: int = 64, repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    """Time a GRU encoder (which must take the positions one after another) against one self-attention layer
    (which handles all positions in one matrix product), on random inputs of each length, batch of one.
    Returns length, milliseconds (best of `repeats`), the number of sequential steps each needs and the
    multiply-adds each does (self-attention does more arithmetic, but all of it at once)."""
    torch.manual_seed(seed)
    gru = torch.nn.GRU(dim, dim, batch_first=True)
    qkv, proj = torch.nn.Linear(dim, 3 * dim), torch.nn.Linear(dim, dim)

    def self_attention(x):  # x: 1, L, C
        q, k, v = qkv(x).chunk(3, dim=-1)
        return proj(F.scaled_dot_product_attention(q, k, v))

    def gru_steps(x):  # the loop written out: step t needs the state of step t-1
        h = torch.zeros(1, 1, dim)
        for t in range(x.shape[1]):
            _out, h = gru(x[:, t:t + 1], h)
        return h

    rows = []
    timed = {}  # one core for both (see the decorator), so that the comparison is about the algorithm
    for n in lengths:
        x = torch.randn(1, n, dim)
        timings = {}
        for label, fn in (("RNN (one step at a time)", gru_steps),
                          ("self-attention (all at once)", self_attention)):
            fn(x)  # warm up
            runs = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn(x)
                runs.append(1000 * (time.perf_counter() - t0))
            timings[label] = float(min(runs))  # best of: the least disturbed by other work on the machine
        timed[n] = timings
    for n, timings in timed.items():
        for label, ms in timings.items():
            rnn = label.startswith("RNN")
            rows.append({"length": n, "layer": label, "ms": ms, "sequential steps": n if rnn else 1,
                         # GRU: 3 gates x (input + recurrent) matrices per step; attention: q, k, v and output
                         # projections plus the n x n scores and the weighted sum of values
                         "multiply-adds": n * 6 * dim * dim if rnn else 4 * n * dim * dim + 2 * n * n * dim})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------- the report
def load_report() -> dict:
    """The evaluation that `python -m lib.train seq2seq` wrote next to the models (assets/models/report_seq2seq.json)."""
    import json

    from lib.errors import ModelUnavailable
    from lib.models.registry import MODELS_DIR

    path = MODELS_DIR / "report_seq2seq.json"
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


def word_marks(out: list[str], ref: list[str]) -> list[bool]:
    """For each output word, whether it equals the reference word at the same position."""
    return [i < len(ref) and w == ref[i] for i, w in enumerate(out)]


def compare(translations: dict[str, Translation], pair: tr.Pair) -> pd.DataFrame:
    """One row per model: words right (position by position) out of the longer of output and reference (so
    extra words count against it), the number of extra words, and exact match."""
    rows = []
    for label, t in translations.items():
        marks = word_marks(t.out, list(pair.tgt))
        n = max(len(pair.tgt), len(t.out))  # extra or missing words count as wrong
        rows.append({"model": label, "words right": sum(marks), "of": n,
                     "extra words": max(0, len(t.out) - len(pair.tgt)),
                     "word accuracy %": 100 * sum(marks) / n, "exact": t.out == list(pair.tgt)})
    return pd.DataFrame(rows)


def bahdanau_table() -> pd.DataFrame:
    """Bahdanau et al. (2014), table 1: BLEU on WMT'14 English-French, with the source of every row."""
    from lib.models.registry import ROOT

    return pd.read_csv(ROOT / "assets" / "data" / "bahdanau2014_bleu.csv")
