"""Transfer learning (ULMFiT, live): everything the page computes, and the "What to notice" it writes from the
numbers. The page draws; the models, the task and the training recipe live in lib.models.classifier,
lib.data.transfer_task and lib.train.transfer_train."""
from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd

from lib.data import transfer_task as task
from lib.paths import MODELS
from lib.train import transfer_train as tt

REPORT = MODELS / "report_transfer.json"
NS = tt.NS
METHODS = tt.METHODS
METHOD_NAMES = tt.METHOD_NAMES
chosen_in_order = tt.chosen_in_order
TEST_SETS = task.TEST_SETS
LIVE_MAX_N = 1024

# stage 2: the user's own text
MIN_CHARS = 200
MAX_CHARS = 20_000
MIN_KNOWN = 0.6          # below this share of characters the model knows, the text is refused
STAGE2_RUN = tt.LMRun(steps=80, batch=16, seq_len=64, lr=3e-3, eval_every=10, dropout=0.3)
CONTINUE_CHARS = 120


def _fact_world_sample() -> str:
    """Sentences in the fact world's style about six invented countries: text like the pre-training text, but never
    in it."""
    from lib.data import facts

    out = []
    for v in task.invented_values(list(facts.invented_pool(0)[800:806]), 5):
        ss = task.sentences_about(v)
        out += [ss[0], ss[5], ss[8], ss[11]]
    return " ".join(out)


SAMPLES = {
    "new countries, in the style the model read": _fact_world_sample(),
    "geography lecture notes": (
        "Geography notes, week three. We looked at countries in Africa and Asia. Kenya is a country in Africa, and "
        "its capital is Nairobi. People in Kenya speak Swahili and English, and they pay with the Kenyan shilling. "
        "Ghana lies in Africa too; the capital of Ghana is Accra. Then we moved to Asia. The capital of Nepal is "
        "Kathmandu, high in the mountains, and the main language of Nepal is Nepali. Mongolia is one of the "
        "countries of Asia, with its capital in Ulaanbaatar. In Mongolia, people pay with the Mongolian tugrik. "
        "For next week, learn the capitals of Peru, Chile and Colombia, and the currency of each of them. The "
        "teacher said the test will ask which continent each country lies in, so read the notes again."),
    "a short story": (
        "The sea was calm and the light was grey. The boats came in one by one, and the men carried the nets up "
        "the beach. Nobody spoke much. The old captain sat on a box and mended a rope, as he did every evening, and "
        "the children watched the gulls. When the last boat was in, the lamps were lit along the harbour, and the "
        "smell of fish and smoke drifted over the town. The captain stood up, looked at the sky, and said that the "
        "wind would turn before morning. Nobody doubted him. He had been right for forty years, and the sea had "
        "never yet made a liar of him."),
}


class ReportMissing(Exception):
    """The precomputed curve is not there (run `python -m lib.train transfer`)."""


def load_report(path=REPORT) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ReportMissing(f"{path} could not be read ({type(exc).__name__})") from exc


def chosen_recipe(report: dict, method: str, n: int, discriminative: bool | None = None,
                  gradual: bool | None = None) -> tt.Recipe:
    """The recipe the build fixed on validation for this method and N; the page's switches may override ULMFiT's
    two tricks for fine-tuning."""
    key = f"{method}/{n}"
    recipe = tt.recipe_from(report["chosen"][key]["recipe"]) if key in report.get("chosen", {}) else \
        tt.default_recipe(method, n)
    if method == "finetune":
        if discriminative is not None:
            recipe = dataclasses.replace(recipe, discriminative=discriminative)
        if gradual is not None:
            recipe = dataclasses.replace(recipe, gradual=gradual)
    return recipe


# --------------------------------------------------------------------------------------------- the full curve
def curve_frame(report: dict) -> pd.DataFrame:
    """Mean accuracy per method, N and test set (the build's 3 seeds), long format for the chart."""
    rows = []
    for method, by_n in report["means"].items():
        for n, cell in by_n.items():
            for s, label in TEST_SETS.items():
                rows.append({"method": METHOD_NAMES[method], "N": int(n), "test set": label,
                             "accuracy": cell[s], "source": "precomputed (mean of 3 seeds)"})
    return pd.DataFrame(rows)


def seed_frame(report: dict) -> pd.DataFrame:
    """Every precomputed run (one row per method, N, seed and test set)."""
    rows = []
    for r in report["runs"]:
        for s, label in TEST_SETS.items():
            rows.append({"method": METHOD_NAMES[r["method"]], "N": r["n"], "seed": r["seed"], "test set": label,
                         "accuracy": r[s]})
    return pd.DataFrame(rows)


def curve_frame_of() -> pd.DataFrame:
    """`curve_frame` of the shipped report (the page caches it by no argument: hashing the report on every run cost
    more than the look-up saves)."""
    return curve_frame(load_report())


def curve_table_of() -> pd.DataFrame:
    """`curve_table` of the shipped report."""
    return curve_table(load_report())


def accuracy_spec(mine: pd.DataFrame, test_set: str, projector: bool) -> dict:
    """The precomputed curve with this session's runs (`mine`) on one test set, as a finished Vega-Lite spec."""
    from lib import charts
    from lib.charts import transfer as tcharts

    return charts.finished_spec(tcharts.accuracy_curve(curve_frame_of(), mine, test_set=test_set,
                                                       projector=projector), projector)


def curve_table(report: dict) -> pd.DataFrame:
    """The curve as a table: one row per N, a column per method and test set."""
    means = report["means"]
    rows = []
    for n in report["ns"]:
        row = {"N labels": n}
        for m in METHODS:
            for s, label in TEST_SETS.items():
                row[f"{METHOD_NAMES[m]}, {label}"] = means[m][str(n)][s]
        rows.append(row)
    return pd.DataFrame(rows)


def multiples_of(report: dict) -> dict[str, dict[str, float]]:
    """The label multiples the target is judged on: at each N, the use of the pre-trained model (fine-tuned or frozen
    probe) that scored higher on validation (`label_multiple_pretrained`); a report without it, fine-tuned's."""
    return report.get("label_multiple_pretrained") or report["label_multiple"]


def chosen_uses(report: dict) -> str | None:
    """'the frozen linear probe at every N' / 'the frozen linear probe at N = 16, 32; fine-tuning at N = 64': which
    use of the pre-trained model `multiples_of` counts (None for a report without the choice)."""
    choice = report.get("pretrained_choice")
    if not choice:
        return None
    by: dict[str, list[str]] = {}
    for n, m in sorted(choice.items(), key=lambda kv: int(kv[0])):
        by.setdefault(m, []).append(n)
    name = {"probe": "the frozen linear probe", "finetune": "fine-tuning all of it"}
    if len(by) == 1:
        return f"{name[next(iter(by))]} at every N"
    return "; ".join(f"{name[m]} at N = {', '.join(ns)}" for m, ns in by.items())


def multiples_text(report: dict | None = None) -> str:
    """The expander's sentence: labels from scratch needs to match fine-tuning at N, and (when the report has it) the
    use of the pre-trained model chosen on validation."""
    report = report or load_report()

    def line(mult: dict) -> str:
        return "; ".join(f"{lab}: {tt.multiples_line(mult[s])}" for s, lab in TEST_SETS.items())
    text = ("How many times the labels from scratch can have and still be no better than the pre-trained model at N "
            f"(from the table: the largest such multiple on the grid). Fine-tuned: {line(report['label_multiple'])}.")
    if uses := chosen_uses(report):
        text += (f" Counting at each N the use of the pre-trained model that scored higher on validation ({uses}): "
                 f"{line(report['label_multiple_pretrained'])}.")
    return text


def target_met(report: dict, factor: float = 4.0, up_to: int = 256) -> dict[str, bool]:
    """Per test set: does pre-trained at N reach from-scratch accuracy at factor x N, for every N up to `up_to`?"""
    return {s: all(m >= factor for n, m in multiples_of(report)[s].items() if int(n) <= up_to) for s in TEST_SETS}


# ------------------------------------------------------------------------------------------------ a live run
@dataclass
class LiveRun:
    n: int
    seed: int
    scores: dict[str, dict[str, float]]   # method -> test set -> accuracy
    seconds: dict[str, float]             # method -> training seconds
    recipes: dict[str, str]               # method -> recipe label
    total_seconds: float = 0.0


def live_run(lm, report: dict, n: int, seed: int, methods: Sequence[str] = METHODS, *,
             discriminative: bool | None = None, gradual: bool | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> LiveRun:
    """Train every method on the same N labelled examples (seed), each with the recipe fixed on validation, and score
    it on both test sets. `lm` is only read (each method works on its own copy). progress(method, step, steps)."""
    if n not in NS:
        raise ValueError(f"N must be one of {NS}")
    t0 = time.perf_counter()
    scores, seconds, recipes = {}, {}, {}
    for method in methods:
        recipe = chosen_recipe(report, method, n, discriminative, gradual)
        cb = (lambda step, row, m=method, r=recipe: progress(m, step, r.steps)) if progress else None
        r = tt.run_one(lm, n, seed, recipe, callback=cb)
        scores[method] = {s: r[s] for s in TEST_SETS}
        seconds[method] = r["seconds"]
        recipes[method] = recipe.label()
    return LiveRun(n, seed, scores, seconds, recipes, round(time.perf_counter() - t0, 2))


TRICKS = {"as fixed on validation": (None, None), "plain fine-tuning": (False, False),
          "discriminative learning rates": (True, False),
          "discriminative rates + gradual unfreezing": (True, True)}
_LIVE_CACHE: dict[tuple, LiveRun] = {}
_LIVE_LOCK = threading.Lock()


def live_run_shared(lm, report: dict, n: int, seed: int, tricks: str,
                    progress: Callable[[str, int, int], None] | None = None) -> tuple[LiveRun, bool]:
    """live_run, computed once per server for the same settings (a class pressing the same button trains once; the
    runs are deterministic, so a cached one is the run itself). Returns (run, came from the cache)."""
    key = (n, seed, tricks, report.get("build_seconds"))
    with _LIVE_LOCK:
        hit = _LIVE_CACHE.get(key)
    if hit is not None:
        return hit, True
    disc, grad = TRICKS[tricks]
    run = live_run(lm, report, n, seed, discriminative=disc, gradual=grad, progress=progress)
    with _LIVE_LOCK:
        if len(_LIVE_CACHE) > 256:
            _LIVE_CACHE.clear()
        _LIVE_CACHE[key] = run
    return run, False


def runs_frame(runs: Sequence[LiveRun]) -> pd.DataFrame:
    rows = []
    for run in runs:
        for m, by in run.scores.items():
            for s, label in TEST_SETS.items():
                rows.append({"method": METHOD_NAMES[m], "N": run.n, "seed": run.seed, "test set": label,
                             "accuracy": by[s], "source": "your runs"})
    return pd.DataFrame(rows, columns=["method", "N", "seed", "test set", "accuracy", "source"])


def mean_score(scores: dict[str, float]) -> float:
    return sum(scores.values()) / len(scores)


# --------------------------------------------------------------------------------- stage 2: the user's own text
@dataclass
class TextCheck:
    text: str                 # normalised (newlines and tabs as spaces, runs of spaces as one)
    ok: bool
    message: str = ""         # why not, in plain words (empty when ok)
    known_share: float = 1.0  # share of characters the char LSTM has in its alphabet
    unknown: list[str] = field(default_factory=list)  # a few of the characters it does not know


def check_text(raw: str, alphabet: set[str]) -> TextCheck:
    """Is this text usable for stage 2? Limits: MIN_CHARS to MAX_CHARS characters (after cleaning), and at least
    MIN_KNOWN of them in the model's alphabet (English letters, space, comma, full stop)."""
    text = re.sub(r"\s+", " ", raw or "").strip()
    if not text:
        return TextCheck(text, False, f"Paste a paragraph of at least {MIN_CHARS} characters (a poem, lecture notes, "
                                      "a page of a story) to fine-tune on.")
    share = sum(c in alphabet for c in text) / len(text)
    unknown = [c for c in dict.fromkeys(text) if c not in alphabet][:12]  # in order of first appearance
    if len(text) < MIN_CHARS:
        plural = "s" if len(text) != 1 else ""
        return TextCheck(text, False, f"Your text has {len(text)} character{plural}: it needs at least {MIN_CHARS} "
                                      f"(at most {MAX_CHARS:,}), so that a fifth of it can be held out to measure on.",
                         share, unknown)
    if len(text) > MAX_CHARS:
        return TextCheck(text, False, f"Your text has {len(text):,} characters; the limit is {MAX_CHARS:,}, to keep the "
                                      "demo under 15 seconds. Paste a shorter part.", share, unknown)
    if share < MIN_KNOWN:
        return TextCheck(text, False, f"Only {share:.0%} of your text is in the model's alphabet (English letters, "
                                      "space, comma and full stop: all it ever read). Other characters, such as "
                                      f"{' '.join(unknown[:8])}, all look the same to it. Paste mostly English text.",
                         share, unknown)
    return TextCheck(text, True, "", share, unknown)


@dataclass
class Stage2:
    curves: pd.DataFrame      # step, model, heldout_bpc
    pretrained_start: float   # held-out bits per character at step 0
    fresh_start: float
    pretrained_end: float
    fresh_end: float
    steps: int
    seconds: float
    train_chars: int
    heldout_chars: int


def stage2(lm, text: str, run: tt.LMRun = STAGE2_RUN, seed: int = 0,
           progress: Callable[[str, int, int, float | None], None] | None = None):
    """Fine-tune a copy of the pre-trained char LSTM on `text` and train a fresh one for the same steps, held-out
    bits per character every few steps. Returns (Stage2, tuned model, fresh model). progress(model, step, steps, bpc)."""
    train_text, held_text = tt.split_text(text)
    t0 = time.perf_counter()
    curves, models = [], {}
    for label, start in (("pre-trained, fine-tuned", lm), ("fresh, same steps", None)):
        def cb(step, row, label=label):
            if progress:
                progress(label, step, run.steps, row.get("heldout_bpc"))
        model, curve = tt.finetune_lm(start, lm.config, lm.vocab, train_text, held_text, run, seed, cb)
        models[label] = model
        curves += [{"model": label, **c} for c in curve]
    df = pd.DataFrame(curves)
    first = df.groupby("model")["heldout_bpc"].first()
    last = df.groupby("model")["heldout_bpc"].last()
    out = Stage2(df, first["pre-trained, fine-tuned"], first["fresh, same steps"], last["pre-trained, fine-tuned"],
                 last["fresh, same steps"], run.steps, round(time.perf_counter() - t0, 2), len(train_text),
                 len(held_text))
    return out, models["pre-trained, fine-tuned"], models["fresh, same steps"]


def prompt_for_continuation(prompt: str, text: str, alphabet: set[str] | None = None) -> str:
    """The prompt both models continue: the user's (whitespace tidied, at most 200 characters), or, when it is empty
    or has nothing the model can read, the first three words of their text."""
    p = re.sub(r"\s+", " ", prompt or "")[:200]
    if alphabet is not None and not any(c in alphabet and c != " " for c in p):
        p = ""
    if not p.strip():
        p = " ".join(text.split()[:3]) + " "
    return p


def continue_text(model, prompt: str, n_chars: int = CONTINUE_CHARS, temperature: float = 0.6, seed: int = 0) -> str:
    """Continue `prompt` character by character (sampled at `temperature` from a seeded generator)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    ids = model.vocab.encode(" " + prompt)
    with torch.inference_mode():
        logits, _states, state = model.forward_embedded(model.emb(torch.tensor([ids])))  # 1, T, V
        out = []
        nxt = logits[0, -1]
        for _ in range(n_chars):
            probs = torch.softmax(nxt / max(temperature, 1e-3), -1)
            probs[0] = 0.0  # never write the unknown character
            i = int(torch.multinomial(probs / probs.sum(), 1, generator=gen))
            out.append(i)
            step_logits, _, state = model.forward_embedded(model.emb(torch.tensor([[i]])), state)
            nxt = step_logits[0, -1]
    return "".join(model.vocab.itos[i] for i in out)


# ------------------------------------------------------------------------------------------------ what to notice
def _pct(x: float) -> str:
    return f"{x:.0%}"


def curve_notices(report: dict) -> list[str]:
    """Claims about the precomputed curve (3 seeds, both test sets)."""
    means, out = report["means"], []
    ft, sc, pr = means["finetune"], means["scratch"], means["probe"]
    small = str(min(report["ns"], key=lambda n: abs(n - 32)))
    ft_s, sc_s = mean_score(ft[small]), mean_score(sc[small])
    if ft_s > sc_s:
        out.append(f"With **{small} labels**, the pre-trained model fine-tuned scores **{_pct(ft_s)}** on the test sets, "
                   f"the same network from scratch **{_pct(sc_s)}**: pre-training is worth labels.")
    else:
        out.append(f"With {small} labels, from scratch ({_pct(sc_s)}) does as well as the pre-trained model "
                   f"({_pct(ft_s)}): on this task pre-training bought nothing at that size.")
    multiples, uses = multiples_of(report), chosen_uses(report)
    short_uses = uses.replace("the frozen linear probe", "the probe") if uses else ""
    counted = (f". At each N it counts whichever use of the pre-trained model scored higher on validation, "
               f"fine-tuning all of it or the frozen linear probe: here {short_uses}" if uses else "")
    met4, lowest = target_met(report, 4.0), {s: min(multiples[s].values()) for s in TEST_SETS}
    if all(met4.values()):
        out.append(f"For every N from 16 to 256, from scratch with **{min(lowest.values()):g}x as many labels** is no "
                   f"better than the pre-trained model, on held-out countries and on invented names alike{counted}.")
    else:
        missed = [TEST_SETS[s] for s, ok in met4.items() if not ok]
        short = sorted({int(n) for s in TEST_SETS for n, m in multiples[s].items() if int(n) <= 256 and m < 4})
        worst = {n: min(multiples[s][str(n)] for s in TEST_SETS) for n in short}
        choice = report.get("pretrained_choice", {})

        def at(n: int, m: float) -> str:  # "N = 256 (2x; 98% against 99% from scratch at 1024)"
            pre, four = means[choice.get(str(n), "finetune")][str(n)], means["scratch"].get(str(4 * n))
            return f"N = {n} ({m:g}x" + (f"; {_pct(mean_score(pre))} against {_pct(mean_score(four))} from scratch "
                                         f"at {4 * n}" if four else "") + ")"
        ns = sorted(int(n) for n in multiples[next(iter(TEST_SETS))] if int(n) <= 256)
        met = [n for n in ns if n not in short]
        held = (f"It holds for N = {', '.join(map(str, met))} (from scratch with "
                f"{min(multiples[s][str(n)] for s in TEST_SETS for n in met):g}x the labels is no better there) and is "
                if met else "It is ")
        ft_short = {}  # where fine-tuning alone misses but the counted use does not (only said when they differ)
        if uses:
            for n in met:
                m = min(report["label_multiple"][s][str(n)] for s in TEST_SETS)
                if m < 4:
                    ft_short[n] = m
        alone = (" Fine-tuning alone falls short at " + ", ".join(f"N = {n} ({m:g}x)" for n, m in ft_short.items())
                 + " too." if ft_short else "")
        out.append(f"The target is pre-trained at N as good as from scratch at 4N, for every N up to 256{counted}. "
                   f"{held}**missed** at " + ", ".join(at(n, m) for n, m in worst.items())
                   + f", on {' and '.join(missed)}: there from scratch catches up with fewer than 4x the labels. "
                   f"With more labels the gap closes.{alone}")
    big = str(max(report["ns"]))
    gap_big = mean_score(ft[big]) - mean_score(sc[big])
    if abs(gap_big) < 0.03:
        out.append(f"With {big} labels the two meet ({_pct(mean_score(ft[big]))} against "
                   f"{_pct(mean_score(sc[big]))}): with enough labels, pre-training matters less.")
    elif gap_big > 0:
        out.append(f"Even with {big} labels the pre-trained model is ahead ({_pct(mean_score(ft[big]))} against "
                   f"{_pct(mean_score(sc[big]))}).")
    else:
        out.append(f"With {big} labels from scratch is ahead ({_pct(mean_score(sc[big]))} against "
                   f"{_pct(mean_score(ft[big]))}).")
    pr_s = mean_score(pr[small])
    if pr_s > sc_s and pr_s < ft_s:
        out.append(f"The frozen probe ({_pct(pr_s)} at {small}) lies between: the pre-trained features already "
                   f"separate real from shuffled, and fine-tuning them helps further.")
    elif pr_s >= ft_s + 0.02:
        out.append(f"The frozen probe ({_pct(pr_s)} at {small}) beats fine-tuning ({_pct(ft_s)}): the pre-trained "
                   f"features are enough, and changing them with {small} labels loses some of what pre-training "
                   f"put there.")
    elif pr_s >= ft_s:
        out.append(f"The frozen probe ({_pct(pr_s)} at {small}) does as well as fine-tuning: the pre-trained features "
                   f"are enough, and changing them does not help at that size.")
    else:
        out.append(f"The frozen probe ({_pct(pr_s)} at {small}) is no better than from scratch: a linear head cannot "
                   f"read what the model knows from its features alone.")
    return out


def live_notices(run: LiveRun, report: dict | None) -> list[str]:
    """Claims about the user's own run (a run where scratch wins says so)."""
    ft, sc = mean_score(run.scores["finetune"]), mean_score(run.scores["scratch"])
    out = []
    probe = (f" (the frozen probe {_pct(mean_score(run.scores['probe']))})" if "probe" in run.scores else "")
    if ft > sc:
        out.append(f"Your run (N = {run.n}, seed {run.seed}): pre-trained and fine-tuned **{_pct(ft)}**{probe}, from "
                   f"scratch **{_pct(sc)}** on the two test sets.")
    elif ft < sc:
        out.append(f"Your run (N = {run.n}, seed {run.seed}): **from scratch won** ({_pct(sc)} against {_pct(ft)} "
                   f"fine-tuned{probe}). With this many labels and this seed, fine-tuning did not help.")
    else:
        out.append(f"Your run (N = {run.n}, seed {run.seed}): a tie at {_pct(ft)}{probe}.")
    if report is not None and str(run.n) in report["means"]["finetune"]:
        ref = mean_score(report["means"]["finetune"][str(run.n)])
        if abs(ft - ref) > 0.05:
            out.append(f"Your fine-tuned score differs from the precomputed mean at N = {run.n} ({_pct(ref)}) by "
                       f"{abs(ft - ref) * 100:.0f} points: with few labels, which examples you draw matters.")
    total = sum(run.seconds.values())
    out.append(f"Training took {total:.1f} s for all {len(run.seconds)} models on one CPU thread.")
    return out


def stage2_notices(s: Stage2) -> list[str]:
    out = []
    if s.pretrained_start < s.fresh_start:
        out.append(f"Before any fine-tuning, the pre-trained model already predicts your held-out text at "
                   f"**{s.pretrained_start:.2f} bits per character**; a fresh model starts at {s.fresh_start:.2f}.")
    else:
        out.append(f"Before any fine-tuning, the pre-trained model does **worse** than a fresh one on your held-out "
                   f"text ({s.pretrained_start:.2f} against {s.fresh_start:.2f} bits per character): it read only "
                   f"sentences about countries, and it is confidently wrong about words it never saw.")
    if s.pretrained_end < s.fresh_end - 0.05:
        out.append(f"After {s.steps} steps each, the fine-tuned copy is at **{s.pretrained_end:.2f}** bits per "
                   f"character, the fresh model at **{s.fresh_end:.2f}**: pre-training is a head start the fresh "
                   f"model has not made up.")
    elif s.pretrained_end > s.fresh_end + 0.05:
        out.append(f"After {s.steps} steps the fresh model ({s.fresh_end:.2f} bits per character) is ahead of the "
                   f"fine-tuned copy ({s.pretrained_end:.2f}): your text is unlike the fact world the model read, so "
                   f"its habits got in the way.")
    else:
        out.append(f"After {s.steps} steps the two are level ({s.pretrained_end:.2f} and {s.fresh_end:.2f} bits per "
                   f"character): on your text the head start did not last.")
    return out


def bridge_notices(bridge: dict) -> list[str]:
    out = []
    gpt, lstm, head, chance = bridge.get("gpt_prompt"), bridge["char_lstm_prompt"], bridge["head_finetune"], \
        bridge["chance"]
    if gpt is not None:
        out.append(f"Prompted \u201cX is a country in\u201d, the tiny GPT names the right continent for "
                   f"**{_pct(gpt)}** of the {bridge['test_countries']} test countries: the knowledge is in it, "
                   f"and a prompt reads it out with no labels at all.")
    if lstm <= chance + 0.05:
        out.append(f"Our char LSTM does not know continents: prompted the same way it is right for {_pct(lstm)}, no "
                   f"better than always answering the most common one ({_pct(chance)}); a classifier head on it, "
                   f"trained on {bridge['heads'][0]['labels']} labelled sentences, reaches {_pct(head)}. A head can "
                   f"only read what pre-training put there.")
    else:
        out.append(f"Prompted, our char LSTM is right for {_pct(lstm)} (most common continent: {_pct(chance)}); a "
                   f"classifier head on it reaches {_pct(head)}.")
    return out


def notices(report: dict | None = None, live: LiveRun | None = None, stage2_result: Stage2 | None = None) -> list[str]:
    """The page's "What to notice", from whichever numbers it has."""
    out = []
    if report is not None:
        out += curve_notices(report)
    if live is not None:
        out += live_notices(live, report)
    if stage2_result is not None:
        out += stage2_notices(stage2_result)
    if report is not None and "bridge" in report:
        out += bridge_notices(report["bridge"])
    return out


def stage_cards(report: dict) -> list[dict]:
    """ULMFiT's three stages as they happen on this page."""
    t = report["task"]
    return [
        {"stage": "1. Pre-train a language model", "data": "unlabelled text: the fact world (sentences about "
                                                           "123 countries)",
         "learns": "to predict the next character: spelling, words, word order, which names go together",
         "here": "the shipped char LSTM (built by `python -m lib.train rnn`)"},
        {"stage": "2. Fine-tune the language model on the target domain", "data": "unlabelled text from the task",
         "learns": "the style and vocabulary of the new text",
         "here": "our task's sentences are the fact world's own, so stage 2 has nothing new to learn; try it "
                 "below on text of your own"},
        {"stage": "3. Fine-tune a classifier", "data": f"a few labelled examples (N = 16 ... 1,024, from "
                                                       f"{t['labelled_countries']} countries)",
         "learns": "the task: real sentence or shuffled words",
         "here": "a linear head on the LSTM's pooled states (the last one, the max and the mean over the text: "
                 "ULMFiT's concat pooling)" + (", and on the language model's own surprisal at the start of each "
                                               "word" if uses_word_surprisal(report) else "")
                 + "; either all weights trained (fine-tuning) or only the head, on the frozen model (the probe)"},
    ]


def uses_word_surprisal(report: dict, method: str = "finetune") -> bool:
    """Did validation choose the word-surprisal readout (lib.models.classifier) for this method at any N?"""
    return any(v["recipe"].get("word_surprisal") for k, v in report.get("chosen", {}).items()
               if k.startswith(method + "/"))


def known_alphabet(lm) -> set[str]:
    return {c for c in lm.vocab.itos[1:]}



def recipe_text(d: dict) -> str:
    return tt.recipe_from(d).label()


def grid_edge_note(report: dict) -> str:
    """A caveat when a chosen learning rate sits at the top of the grid the build tried (a larger one might have been
    better still), or '' when none does."""
    grid = report.get("lr_grid", {})
    edge = sorted({f"{METHOD_NAMES[k.split('/')[0]]} at N = {v.get('tuned_at_n', k.split('/')[1])}"
                   for k, v in report.get("chosen", {}).items()
                   if grid.get(k.split("/")[0]) and v["recipe"]["lr"] >= max(grid[k.split("/")[0]])})
    if not edge:
        return ""
    return ("Caveat: the chosen learning rate is the largest one tried for " + ", ".join(edge)
            + "; a larger one was not tried.")
