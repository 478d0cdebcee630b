"""ULMFiT on our own models: the char LSTM pre-trained on the fact world, fine-tuned as a classifier on N labelled
examples, against the same architecture trained from scratch and a frozen linear probe (lib.data.transfer_task).

`python -m lib.train transfer` computes the full curve (3 seeds; N = 16 ... 1,024; three methods) and writes it to
assets/models/report_transfer.json (merged into REPORT.md). The recipe of every method (learning rate, steps) is
chosen per N on the VALIDATION sets first, each method over its own grid (from scratch gets its own learning rates
and up to 6x the steps, so a stalled baseline cannot fake a gap); only then are the test sets scored.

Methods:
    finetune   a copy of the pre-trained LM + a new head, all trained (ULMFiT's switches: discriminative learning
               rates, lower layers learn slower by 2.6x per layer; gradual unfreezing, the head first, then the LSTM,
               then the embedding)
    scratch    the same architecture, randomly initialised, all trained
    probe      the pre-trained LM frozen; only the linear head is trained

Everything here also runs live on the page (one run: about a second on one thread), and the stage-2 demo (an LM
fine-tuned on a user's text against a fresh one) lives here too. Deterministic from the seeds.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import torch
import torch.nn.functional as F

from lib.data import transfer_task as task
from lib.errors import ModelUnavailable
from lib.models import classifier as clf
from lib.models import rnn as rnn_model
from lib.train.loop import Trainer

NAMES: list[str] = []  # writes no model folder, only its report
METHODS = ("finetune", "scratch", "probe")
METHOD_NAMES = {"finetune": "pre-trained + fine-tuned", "scratch": "from scratch", "probe": "frozen linear probe"}
NS = (16, 32, 64, 128, 256, 512, 1024)
SEEDS = (0, 1, 2)
TUNE_SEEDS = (0,)
TUNE_NS = (16, 64, 128, 256, 512)   # recipes are validated at these N; the others use the nearest tuned N below
LR_GRID = {"finetune": (3e-3, 1e-2, 3e-2), "scratch": (3e-3, 1e-2, 3e-2, 1e-1), "probe": (1e-2, 3e-2, 1e-1)}
STEP_MULT = {"finetune": (1,), "scratch": (1, 3, 6), "probe": (1,)}
DISCRIMINATIVE_FACTOR = 2.6  # ULMFiT: each layer down learns 2.6x slower
ProgressFn = Callable[[int, dict], None]


@dataclass(frozen=True)
class Recipe:
    method: str
    lr: float
    steps: int
    batch: int = 32
    discriminative: bool = False
    gradual: bool = False
    weight_decay: float = 0.0
    word_surprisal: bool = False   # the head also reads the LM's surprisal at word starts (lib.models.classifier)

    def label(self) -> str:
        extras = [s for s, on in (("discriminative", self.discriminative), ("gradual", self.gradual),
                                  ("word surprisal", self.word_surprisal)) if on]
        return f"lr {self.lr:g}, {self.steps} steps" + (f", {' + '.join(extras)}" if extras else "")


def base_steps(n: int) -> int:
    """Steps for N labelled examples: about 8 passes over them, at least 80 and at most 300 steps of 32."""
    return int(min(300, max(80, math.ceil(8 * n / 32))))


def default_recipe(method: str, n: int) -> Recipe:
    lr = {"finetune": 3e-3, "scratch": 1e-2, "probe": 3e-2}[method]
    return Recipe(method, lr, base_steps(n))


# ----------------------------------------------------------------------------------------------- classification
def _optimizer(model: clf.CharClassifier, recipe: Recipe) -> torch.optim.Optimizer:
    groups = model.param_groups()
    if recipe.method == "probe":
        for name, params in groups.items():
            if name != "head":
                for p in params:
                    p.requires_grad_(False)
        return torch.optim.Adam(groups["head"], lr=recipe.lr, weight_decay=recipe.weight_decay)
    if recipe.method == "finetune" and recipe.discriminative:
        f = DISCRIMINATIVE_FACTOR  # the LM's next-character layer (word surprisal) reads the LSTM: the LSTM's rate
        rates = {"embedding": recipe.lr / f ** 2, "lstm": recipe.lr / f, "lm_head": recipe.lr / f, "head": recipe.lr}
        return torch.optim.Adam([{"params": params, "lr": rates[name]} for name, params in groups.items()],
                                weight_decay=recipe.weight_decay)
    return torch.optim.Adam([p for g in groups.values() for p in g], lr=recipe.lr, weight_decay=recipe.weight_decay)


def _slanted_triangular(steps: int, warm: float = 0.1) -> Callable[[int], float]:
    """ULMFiT's slanted triangular schedule as a multiplier of each group's learning rate: a short linear warm-up,
    then a long linear decay to 1/32."""
    peak = max(1, int(warm * steps))

    def at(i: int) -> float:  # i = optimizer steps taken so far (0-based, LambdaLR's convention)
        if i < peak:
            return (i + 1) / peak
        return max(1 / 32, 1 - (i - peak) / max(1, steps - peak) * (1 - 1 / 32))
    return at


def train_classifier(lm: rnn_model.CharRNN, examples: Sequence[task.Example], recipe: Recipe, seed: int,
                     callback: ProgressFn | None = None) -> tuple[clf.CharClassifier, list[dict]]:
    """Train one classifier on `examples` with `recipe`. `lm` (the shared pre-trained model) is only read: fine-tuning
    and probing work on a deep copy; from scratch uses its shape only. Returns the model (eval mode) and the history."""
    torch.manual_seed(seed)
    if recipe.method == "scratch":
        model = clf.from_scratch(lm.config, word_surprisal=recipe.word_surprisal,
                                 space_id=lm.vocab.stoi.get(" ", 0))
    elif recipe.method in ("finetune", "probe"):
        model = clf.from_pretrained(lm, word_surprisal=recipe.word_surprisal)
    else:
        raise ValueError(f"unknown method {recipe.method!r}")
    vocab = lm.vocab
    ids, lengths = clf.encode_batch(vocab, [e.text for e in examples])
    labels = torch.tensor([e.label for e in examples])
    gen = torch.Generator().manual_seed(10_000 + seed)
    batch = min(recipe.batch, len(examples))
    groups = model.param_groups()
    unfreeze_at = {"lstm": recipe.steps // 10, "lm_head": recipe.steps // 10, "embedding": recipe.steps // 5} if (
        recipe.method == "finetune" and recipe.gradual) else {}

    frozen_features = None
    if recipe.method == "probe":  # the LM never changes: read every example once, train the head on what it read
        with torch.no_grad():
            frozen_features = model.features(ids, lengths)

    def step_fn(step: int):
        for name, at in unfreeze_at.items():  # gradual unfreezing: the head first, lower layers later
            for p in groups.get(name, ()):
                p.requires_grad_(step > at)
        idx = torch.randint(len(examples), (batch,), generator=gen)
        if frozen_features is not None:  # the same as model(x, L): the head (with its dropout) on the features
            logits = model.head(model.drop(frozen_features[idx]))
        else:
            L = lengths[idx]
            x = ids[idx, :int(L.max())]
            logits = model(x, L)
        loss = F.cross_entropy(logits, labels[idx])
        return loss, {"train_accuracy": float((logits.argmax(-1) == labels[idx]).float().mean())}

    opt = _optimizer(model, recipe)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _slanted_triangular(recipe.steps))
    trainer = Trainer(model, opt, step_fn, recipe.steps, clip=1.0, scheduler=sched)
    if recipe.method == "probe":
        model.lm.eval()  # no dropout inside the frozen part (there is none today; kept for clarity)
    if callback is not None:
        trainer.add_callback(callback)
    history = trainer.run()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, history


@torch.inference_mode()
def accuracy(model: clf.CharClassifier, examples: Sequence[task.Example], vocab: rnn_model.CharVocab) -> float:
    model.eval()
    right = 0
    by_length = sorted(examples, key=lambda e: len(e.text))  # batches of similar lengths: little padding to read
    for i in range(0, len(by_length), 256):
        part = by_length[i:i + 256]
        ids, lengths = clf.encode_batch(vocab, [e.text for e in part])
        pred = model(ids, lengths).argmax(-1)
        right += int((pred == torch.tensor([e.label for e in part])).sum())
    return right / max(1, len(examples))


def run_one(lm: rnn_model.CharRNN, n: int, seed: int, recipe: Recipe, sets: Sequence[str] = tuple(task.TEST_SETS),
            callback: ProgressFn | None = None) -> dict:
    """Train on N labelled examples drawn with `seed`, score on the named evaluation sets."""
    examples = task.labelled_examples(n, seed)
    evals = task.eval_sets()
    t0 = time.perf_counter()
    model, history = train_classifier(lm, examples, recipe, seed, callback)
    seconds = time.perf_counter() - t0
    scores = {name: accuracy(model, evals[name], lm.vocab) for name in sets}
    return {"method": recipe.method, "n": n, "seed": seed, "recipe": asdict(recipe), "seconds": round(seconds, 3),
            "final_train_loss": history[-1]["loss"], **scores}


# ------------------------------------------------------------------------------------------ recipe and the curve
def _candidates(method: str, n: int) -> list[Recipe]:
    out = [Recipe(method, lr, base_steps(n) * mult) for lr in LR_GRID[method] for mult in STEP_MULT[method]]
    if method == "finetune":
        out += [replace(c, discriminative=True) for c in out[:]]
        out += [replace(c, gradual=True) for c in out if c.discriminative]
    out += [replace(c, word_surprisal=True) for c in out[:]]  # an architecture switch, offered to every method
    return out


def tuned_n_for(n: int) -> int:
    """The N whose validated recipe N uses: the nearest tuned N at or below it (steps rescale with N)."""
    return max(t for t in TUNE_NS if t <= n) if n >= min(TUNE_NS) else min(TUNE_NS)


def tune_method(lm, method: str, ns=None, seeds=TUNE_SEEDS, log: Callable[[str], None] = print) -> tuple[dict, list]:
    """For one method, at each tuned N: the recipe with the best mean validation accuracy (both validation sets,
    `seeds`). For fine-tuning, ULMFiT's switches (discriminative learning rates, gradual unfreezing) are candidates
    too, kept only where validation says they help. Other N use the recipe of the nearest tuned N below, with their
    own step count (base_steps(N) x the chosen multiple)."""
    ns = ns or TUNE_NS
    chosen, trials = {}, []
    for n in ns:
        best = None
        for recipe in _candidates(method, n):
            runs = [run_one(lm, n, s, recipe, sets=tuple(task.VALID_SETS)) for s in seeds]
            val = sum((r["valid_countries"] + r["valid_invented"]) / 2 for r in runs) / len(runs)
            trials.append({"method": method, "n": n, "recipe": asdict(recipe), "valid": round(val, 4)})
            if best is None or val > best[0] + 1e-9:
                best = (val, recipe)
        chosen[n] = best
        log(f"tuned {method} N={n}: {best[1].label()} valid {best[0]:.3f}")
    out = {}
    for n in NS:
        t = tuned_n_for(n) if n not in chosen else n
        val, r = chosen[t]
        mult = r.steps / base_steps(t)
        out[f"{method}/{n}"] = {"recipe": asdict(replace(r, steps=int(round(base_steps(n) * mult)))),
                                "valid": round(val, 4), "tuned_at_n": t}
    return out, trials


def method_build(method: str, log: Callable[[str], None] = print) -> dict:
    """Tune one method on validation, then its full test curve (3 seeds). Runs in its own process."""
    from lib.models import registry

    torch.set_num_threads(1)
    lm = registry.load("char_lstm")
    chosen, trials = tune_method(lm, method, log=log)
    rows = []
    for n in NS:
        recipe = recipe_from(chosen[f"{method}/{n}"]["recipe"])
        for seed in SEEDS:
            r = run_one(lm, n, seed, recipe)
            rows.append(r)
            log(f"{method} N={n} seed={seed}: countries {r['test_countries']:.3f} "
                f"invented {r['test_invented']:.3f} ({r['seconds']:.2f} s)")
    out = {"chosen": chosen, "trials": trials, "runs": rows}
    if method == "finetune":
        out["bridge"] = bridge(lm)
    return out


def _flushing_print(msg: str) -> None:
    print(msg, flush=True)


def _method_build_logged(method: str) -> dict:
    return method_build(method, _flushing_print)


def recipe_from(d: dict) -> Recipe:
    """A recipe as the report stores it. A report written by another version of this code (a field this one does not
    know, say, on a server left running across an update) is a friendly error, not a traceback."""
    try:
        return Recipe(**d)
    except TypeError as exc:
        raise ModelUnavailable(f"The transfer-learning report was written by another version of the code ({exc}).",
                               path="assets/models/report_transfer.json",
                               fix="python -m lib.train transfer  # or restart the app after an update") from exc


def curve_means(rows: list[dict]) -> dict:
    """{method: {n: {set: mean over seeds}}} (n as a string key, JSON-ready)."""
    out: dict = {}
    for r in rows:
        cell = out.setdefault(r["method"], {}).setdefault(str(r["n"]), {s: [] for s in task.TEST_SETS})
        for s in task.TEST_SETS:
            cell[s].append(r[s])
    return {m: {n: {s: sum(v) / len(v) for s, v in cell.items()} for n, cell in by.items()} for m, by in out.items()}


def label_multiple(means: dict, n: int, test_set: str, method: str = "finetune") -> float:
    """How many times N labels from scratch needs before it beats the pre-trained model at N: walking up the grid from
    N, the largest M such that scratch at M x N (and everywhere between) is still no better than `method` (fine-tuned,
    or the frozen probe) at N. 0 when scratch at N already wins; when scratch never catches up it is a lower bound
    (largest N / N)."""
    ft = means[method][str(n)][test_set]
    best = 0.0
    for m in sorted(int(k) for k in means["scratch"] if int(k) >= n):
        if means["scratch"][str(m)][test_set] > ft + 1e-9:
            break
        best = m / n
    return best


PRETRAINED = ("finetune", "probe")   # the two ways to use the pre-trained model in stage 3


def best_pretrained(chosen: dict, n: int) -> str:
    """Which use of the pre-trained model to count at N: the one with the higher VALIDATION accuracy of its chosen
    recipe (fine-tuning on a tie). Fine-tuning all layers or training only a head on the frozen model are the two ends
    of ULMFiT's gradual unfreezing; which is better with N labels is a recipe choice, made before any test number."""
    return max(PRETRAINED, key=lambda m: (chosen[f"{m}/{n}"]["valid"], m == "finetune"))


def with_pretrained_choice(report: dict) -> dict:
    """The report with `pretrained_choice` ({N: method}) and `label_multiple_pretrained` ({set: {N: multiple}}, the
    chosen method's): derived from its validation scores and test means, so a report built before these keys
    existed gets them without retraining."""
    ns = [n for n in report["ns"] if n <= 256]
    choice = {str(n): best_pretrained(report["chosen"], n) for n in ns}
    report["pretrained_choice"] = choice
    report["label_multiple_pretrained"] = {s: {str(n): label_multiple(report["means"], n, s, choice[str(n)])
                                               for n in ns} for s in task.TEST_SETS}
    return report


# --------------------------------------------------------------------------------------- stage 2: the user's text
@dataclass(frozen=True)
class LMRun:
    steps: int = 150
    batch: int = 16
    seq_len: int = 64
    lr: float = 3e-3
    eval_every: int = 10
    dropout: float = 0.0   # on the embeddings and the hidden states while training (AWD-LSTM's regulariser)


def split_text(text: str, heldout: float = 0.2) -> tuple[str, str]:
    """(training part, held-out part): the last `heldout` share of the text, cut at a space when one is near."""
    cut = int(len(text) * (1 - heldout))
    space = text.rfind(" ", int(cut * 0.9), cut)
    if space > 0:
        cut = space
    return text[:cut], text[cut:]


@torch.inference_mode()
def bits_per_char(model: rnn_model.CharRNN, ids: torch.Tensor) -> float:
    """Bits per character of the next-character predictions over ids (T,), read in one pass."""
    model.eval()
    logits = model(ids[:-1].unsqueeze(0))[0]                           # T-1, V
    return float(F.cross_entropy(logits, ids[1:]) / math.log(2))


def finetune_lm(lm: rnn_model.CharRNN | None, like: rnn_model.CharRNNConfig, vocab: rnn_model.CharVocab,
                train_text: str, heldout_text: str, run: LMRun, seed: int = 0,
                callback: ProgressFn | None = None) -> tuple[rnn_model.CharRNN, list[dict]]:
    """ULMFiT's stage 2: a deep COPY of `lm` (or, with lm=None, a fresh model shaped `like`) trained as a language
    model on `train_text`; held-out bits per character every `eval_every` steps (step 0 included)."""
    torch.manual_seed(seed)
    model = copy.deepcopy(lm) if lm is not None else rnn_model.CharRNN(copy.deepcopy(like))
    model.vocab = vocab
    data = torch.tensor(vocab.encode(train_text), dtype=torch.long)
    held = torch.tensor(vocab.encode(heldout_text), dtype=torch.long)
    T = min(run.seq_len, len(data) - 1)
    gen = torch.Generator().manual_seed(20_000 + seed)
    curve = [{"step": 0, "heldout_bpc": bits_per_char(model, held)}]

    def step_fn(step: int):
        starts = torch.randint(len(data) - T, (run.batch,), generator=gen)
        batch = torch.stack([data[s:s + T + 1] for s in starts.tolist()])     # B, T+1
        x = F.dropout(model.emb(batch[:, :-1]), run.dropout, training=True)  # B, T, E
        states, _ = model.rnn(x)                                              # B, T, H
        logits = model.head(F.dropout(states, run.dropout, training=True))   # B, T, V
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        return loss, {}

    def evaluate(step: int, row: dict) -> None:
        if step % run.eval_every == 0 or step == run.steps:
            row["heldout_bpc"] = bits_per_char(model, held)
            model.train()
            curve.append({"step": step, "heldout_bpc": row["heldout_bpc"]})

    opt = torch.optim.Adam(model.parameters(), lr=run.lr)
    trainer = Trainer(model, opt, step_fn, run.steps, clip=1.0)
    trainer.add_callback(evaluate)
    if callback is not None:
        trainer.add_callback(callback)
    trainer.run()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, curve


# ------------------------------------------------------------------------------------ the bridge to prompting
CONTINENTS = sorted({c.continent for c in task.facts.COUNTRIES})
CONTINENT_PROMPT = "{name} is a country in"


def continent_examples(names: Sequence[str]) -> list[tuple[str, int]]:
    """Sentences about these countries that do NOT name the continent (capital, language, currency), each labelled
    with the country's continent: a classifier must bring the continent from what the model knows of the name."""
    out = []
    for name in names:
        c = task.facts.BY_NAME[name]
        values = {"name": c.name, **{k: c.fact(k) for k in task.facts.KINDS}}
        for kind in ("capital", "language", "currency"):
            for form in dict.fromkeys(task.facts.PHRASINGS[kind]):
                out.append((form.format(**values), CONTINENTS.index(c.continent)))
    return out


def continent_head(lm: rnn_model.CharRNN, seed: int, method: str = "finetune", lr: float = 3e-3,
                   steps: int = 300) -> dict:
    """A 6-way continent classifier on the char LSTM, trained on the labelled countries' sentences (the continent
    never named in them) and scored on the test countries' sentences."""
    split = task.country_split()
    train = continent_examples(split["labelled"])
    test = continent_examples(split["test"])
    torch.manual_seed(seed)
    model = clf.from_pretrained(lm, n_classes=len(CONTINENTS))
    recipe = Recipe(method, lr, steps)
    ids, lengths = clf.encode_batch(lm.vocab, [t for t, _ in train])
    labels = torch.tensor([y for _, y in train])
    gen = torch.Generator().manual_seed(30_000 + seed)

    def step_fn(step: int):
        idx = torch.randint(len(train), (32,), generator=gen)
        L = lengths[idx]
        return F.cross_entropy(model(ids[idx, :int(L.max())], L), labels[idx]), {}

    opt = _optimizer(model, recipe)
    Trainer(model, opt, step_fn, steps, scheduler=torch.optim.lr_scheduler.LambdaLR(
        opt, _slanted_triangular(steps))).run()
    with torch.inference_mode():
        tids, tlen = clf.encode_batch(lm.vocab, [t for t, _ in test])
        pred = model(tids, tlen).argmax(-1)
    acc = float((pred == torch.tensor([y for _, y in test])).float().mean())
    return {"method": method, "seed": seed, "labels": len(train), "test_sentences": len(test), "accuracy": acc}


@torch.inference_mode()
def char_lm_logprob(lm: rnn_model.CharRNN, prompt: str, continuation: str) -> float:
    ids = torch.tensor(lm.vocab.encode(" " + prompt + continuation))
    logits = lm(ids[:-1].unsqueeze(0))[0]
    logp = torch.log_softmax(logits, -1)
    start = len(" " + prompt) - 1
    return float(logp[torch.arange(start, len(ids) - 1), ids[start + 1:]].sum())


@torch.inference_mode()
def gpt_logprob(gpt, prompt: str, continuation: str) -> float:
    p = gpt.encode(prompt)
    full = gpt.encode(prompt + continuation)
    if full[:len(p)] != p:
        raise ValueError("the continuation changed the prompt's tokens")
    logits = gpt.model(torch.tensor([full[:-1]])).logits[0]
    logp = torch.log_softmax(logits, -1)
    return float(logp[torch.arange(len(p) - 1, len(full) - 1), torch.tensor(full[len(p):])].sum())


def prompt_continent_accuracy(score: Callable[[str, str], float], names: Sequence[str]) -> float:
    """Share of countries whose most likely continent after "X is a country in" (scored over the whole continent
    name and its full stop) is the right one."""
    right = 0
    for name in names:
        prompt = CONTINENT_PROMPT.format(name=name)
        best = max(CONTINENTS, key=lambda c: score(prompt, f" {c}."))
        right += best == task.facts.BY_NAME[name].continent
    return right / len(names)


def bridge(lm: rnn_model.CharRNN, seeds=SEEDS) -> dict:
    from lib.models import registry

    names = task.country_split()["test"]
    heads = [continent_head(lm, s, m, lr) for s in seeds for m, lr in (("finetune", 3e-3), ("probe", 3e-2))]
    out = {"test_countries": len(names), "continents": CONTINENTS, "heads": heads,
           "head_finetune": sum(h["accuracy"] for h in heads if h["method"] == "finetune") / len(seeds),
           "head_probe": sum(h["accuracy"] for h in heads if h["method"] == "probe") / len(seeds),
           "char_lstm_prompt": prompt_continent_accuracy(lambda p, c: char_lm_logprob(lm, p, c), names),
           "chance": max(sum(task.facts.BY_NAME[n].continent == c for n in names) for c in CONTINENTS) / len(names)}
    try:
        gpt = registry.load("gpt_base")
        out["gpt_prompt"] = prompt_continent_accuracy(lambda p, c: gpt_logprob(gpt, p, c), names)
    except Exception as exc:  # the gpt group not built: the bridge says so instead of a number
        out["gpt_prompt"] = None
        out["gpt_error"] = f"{type(exc).__name__}: {exc}"
    return out


# ---------------------------------------------------------------------------------------------- the build command
def main(names: list[str] | None, out_dir: Path) -> dict:
    """Tune and measure the three methods in parallel processes (one torch thread each; $TRANSFER_WORKERS, default 2:
    from scratch in one, fine-tuning, the probe and the bridge in the other). Results do not depend on the split."""
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from lib.models import registry

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    workers = max(1, int(os.environ.get("TRANSFER_WORKERS", "2")))
    order = ("scratch", "finetune", "probe")
    if workers == 1:
        built = {m: _method_build_logged(m) for m in order}
    else:
        with ProcessPoolExecutor(max_workers=min(workers, 3), mp_context=get_context("spawn")) as pool:
            futures = {m: pool.submit(_method_build_logged, m) for m in order}
            built = {m: f.result() for m, f in futures.items()}
    chosen = {k: v for m in METHODS for k, v in built[m]["chosen"].items()}
    rows = [r for m in METHODS for r in built[m]["runs"]]
    means = curve_means(rows)
    timing = {m: max(r["seconds"] for r in rows if r["method"] == m and r["n"] <= 256) for m in METHODS}
    multiples = {s: {str(n): label_multiple(means, n, s) for n in NS if n <= 256} for s in task.TEST_SETS}
    split = task.country_split()
    evals = task.eval_sets()
    report = {
        "task": {"labelled_countries": len(split["labelled"]), "valid_countries": len(split["valid"]),
                 "test_countries": list(split["test"]), "labelled_pool": len(task.labelled_pool()),
                 "eval_sizes": {k: len(v) for k, v in evals.items()},
                 "examples": [asdict(e) for e in task.labelled_examples(8, 0)]},
        "ns": list(NS), "seeds": list(SEEDS), "tune_seeds": list(TUNE_SEEDS), "tune_ns": list(TUNE_NS),
        "lr_grid": LR_GRID, "step_multiples": STEP_MULT,
        "chosen": chosen, "trials": [t for m in METHODS for t in built[m]["trials"]], "runs": rows, "means": means,
        "label_multiple": multiples, "bridge": built["finetune"]["bridge"],
        "char_lstm_sha256": _sha256(registry.model_dir("char_lstm") / "model.safetensors"),
        "max_run_seconds_n256": timing, "workers": workers,
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    with_pretrained_choice(report)
    report["markdown"] = markdown(report)
    return report


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def multiples_line(by_n: dict) -> str:
    """One test set's label multiples in N order ("N=16: 32x, N=32: 16x, ..."; JSON keeps "128" before "16")."""
    return ", ".join(f"N={n}: {m:g}x" for n, m in sorted(by_n.items(), key=lambda kv: int(kv[0])))


def chosen_in_order(chosen: dict) -> list[tuple[str, dict]]:
    """The report's chosen recipes ("finetune/16": ...) by method, then N (JSON keeps "1024" before "128")."""
    return sorted(chosen.items(), key=lambda kv: (METHODS.index(kv[0].split("/")[0]), int(kv[0].split("/")[1])))


def markdown(report: dict) -> str:
    means = report["means"]
    lines = ["Transfer learning (ULMFiT on the char LSTM): real fact-world sentences against the same words shuffled. "
             f"Labelled examples from {report['task']['labelled_countries']} countries; recipe chosen per method and N "
             f"on validation ({report['task']['valid_countries']} other countries + invented names, seeds "
             f"{report['tune_seeds']}); test: {len(report['task']['test_countries'])} countries never labelled, and "
             f"invented names. Mean accuracy over seeds {report['seeds']}.", "",
             "| N | " + " | ".join(f"{METHOD_NAMES[m]} ({lab})" for m in METHODS
                                   for lab in ("countries", "invented")) + " |",
             "|---|" + "---|" * (2 * len(METHODS))]
    for n in report["ns"]:
        cells = [f"{means[m][str(n)][s]:.1%}" for m in METHODS for s in task.TEST_SETS]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "How many times the labels from scratch can have and still be no better than the fine-tuned model "
              "at N (the largest such multiple on the grid; 0 = scratch at N already better):", ""]
    for s, label in task.TEST_SETS.items():
        lines.append(f"- {label}: {multiples_line(report['label_multiple'][s])}")
    if "label_multiple_pretrained" in report:
        lines += ["", "The same, counting at each N the use of the pre-trained model that scored higher on validation "
                  "(" + ", ".join(f"N={n}: {METHOD_NAMES[m]}" for n, m in sorted(report["pretrained_choice"].items(),
                                                                                   key=lambda kv: int(kv[0])))
                  + "):", ""]
        for s, label in task.TEST_SETS.items():
            lines.append(f"- {label}: {multiples_line(report['label_multiple_pretrained'][s])}")
    chosen = chosen_in_order(report["chosen"])
    lines += ["", "Chosen recipes (validation): " + "; ".join(
        f"{k}: {recipe_from(v['recipe']).label()}" for k, v in chosen),
        "", "Slowest single run at N <= 256 (one thread): " + ", ".join(
            f"{METHOD_NAMES[m]} {report['max_run_seconds_n256'][m]:.2f} s" for m in METHODS)]
    b = report["bridge"]
    gpt = "not measured (gpt_base missing)" if b["gpt_prompt"] is None else f"{b['gpt_prompt']:.0%}"
    lines += ["", f"Bridge to prompting (continent of the {b['test_countries']} test countries): tiny GPT prompted "
              f"\"X is a country in\" {gpt}; char LSTM prompted the same way {b['char_lstm_prompt']:.0%}; a continent "
              f"classifier head on the char LSTM ({b['heads'][0]['labels']} labelled sentences that never name the "
              f"continent) {b['head_finetune']:.0%} fine-tuned, {b['head_probe']:.0%} as a frozen probe; the most "
              f"common continent alone {b['chance']:.0%}."]
    return "\n".join(lines)
