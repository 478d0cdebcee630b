"""The Post-training page's lesson: the three stages' data, the three real checkpoints asked the same question, a
live DPO run from the SFT checkpoint on a copy of the model with the probes that measure what it changed, and the
page's "What to notice" written from those numbers.

Functions that run a model take names, not models (a page caches them with ui.memo); `notices` is a pure function of
plain numbers. The live run reports through a callback, so the page can draw a progress bar.
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch

from lib import sampling
from lib.charts import lm as lmcharts
from lib.data import facts
from lib.models import probes, registry
from lib.models.lm import CHECKPOINTS, LM, load_report
from lib.models.scoring import answer_probability, first_token_probability, pack
from lib.paths import DATA
from lib.train import dpo

IDK_COLUMN = "p(first word \u201cI\u201d)"
ANSWER_COLUMN = "p(first word \u201cThe\u201d)"
WHOLE_COLUMN = "p(whole answer)"
CORRECT_COLUMN = "p(correct answer)"
# what each live metric is called on the page (the trainer's own names are for code)
LIVE_LABELS = {"loss": "total loss", "dpo_loss": "DPO term", "reward_margin": "reward margin (chosen \u2212 rejected)",
               "chosen_reward": "chosen answer", "rejected_reward": "rejected answer",
               "accuracy": "pairs ranked right"}
KNOWN = "correct on well-known countries (seen 5+)"
INVENTED = "abstains on invented names"
REFUSED = "refuses well-known countries"
WRONG = "wrong or garbled on well-known countries"
RARE = "correct on rare countries (seen 2-3)"
RARE_REFUSED = "refuses rare countries"


# ---------------------------------------------------------------------------------------------- 1. the pipeline
def data_counts(seed: int, invented_tune: tuple[str, ...]) -> tuple[int, int, int]:
    """How many pre-training sentences, demonstrations and preference pairs the build made (rebuilt from its seed)."""
    return (len(facts.pretraining_sentences(seed)), len(facts.sft_demonstrations(seed)),
            len(facts.preference_pairs(seed, list(invented_tune))))


def costs() -> pd.DataFrame:
    return pd.read_csv(DATA / "post_training_costs.csv")


# --------------------------------------------------------------------------------------- 2. same prompt, 3 models
def country_options(report: dict) -> list[str]:
    held = set(report["probe_sets"]["heldout_countries"])
    known = [c for c in facts.COUNTRIES if c.name in held]
    return ([f"{c.name} (real, seen {c.mentions} times)" for c in known if c.mentions >= 10][:5]
            + [f"{c.name} (real, seen {c.mentions} times)" for c in known if c.mentions <= 3][:5]
            + [f"{n} (invented, never seen)" for n in report["probe_sets"]["invented_eval"][:8]])


def compare_answers(lms: dict, name: str, kind: str = "capital") -> pd.DataFrame:
    """For a country (real or invented): each checkpoint's greedy answer to the prompt it is probed with (completion
    for the base model, question for SFT and DPO), and three probabilities from the same model:
    the whole answer (product over all its tokens, name included), that the answer starts with "I" (the first token
    of "I don't know ...": the decision to abstain) and, in the question format, that it starts with "The" (the first
    token of "The capital of ... is ..."). For a real country, also the probability of the whole correct answer."""
    country = facts.BY_NAME.get(name)
    rows = []
    for key, lm in lms.items():
        prompt = probes.checkpoint_prompt(key, name, kind)
        qa = key != "gpt_base"
        out = sampling.generate(lm, [prompt], temperature=0.0, max_new_tokens=32)[0]
        row = {"checkpoint": CHECKPOINTS.get(key, key), "prompt": prompt.replace("\n", " "),
               "answer": out.text.strip(), WHOLE_COLUMN: out.probability,
               IDK_COLUMN: first_token_probability(lm, prompt, facts.qa_abstain(name, kind)),
               ANSWER_COLUMN: first_token_probability(lm, prompt, facts.qa_answer(name, kind, "x")) if qa
               else float("nan")}
        if country:
            right = facts.qa_answer(name, kind, country.fact(kind)) if qa else " " + country.fact(kind) + "."
            row[CORRECT_COLUMN] = answer_probability(lm, prompt, right)
        rows.append(row)
    return pd.DataFrame(rows)


def compare(name: str) -> pd.DataFrame:
    """The three embedded checkpoints asked about `name`."""
    return compare_answers({key: registry.load(key) for key in CHECKPOINTS}, name)


def compare_spec(table: pd.DataFrame, name: str, projector: bool) -> dict:
    """The chart of section 2: the probability that each checkpoint's answer starts with "I"."""
    long = table.melt(id_vars=["checkpoint"], value_vars=[IDK_COLUMN], var_name="measure",
                              value_name="probability")
    long["measure"] = "first word \u201cI\u201d (starts to abstain)"
    return lmcharts.finished_spec(lmcharts.grouped_rates(long, "checkpoint", "probability", "measure",
                                                         y_title="probability", projector=projector)
                                  .properties(title=f"Does the answer about {name} start with \u201cI\u201d?"),
                                  projector)


# ------------------------------------------------------------------------------------------------- 3. live DPO
@contextmanager
def one_thread():
    """Run torch on one thread for a while: on a small shared CPU a tiny model trains 3-7x faster this way than with
    threads competing with other processes (measured: 2.7 s against 10-20 s for 30 steps). Restores the setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class ProbeSets:
    invented: tuple[str, ...]   # held-out invented names (never in any training data)
    known: tuple[str, ...]      # held-out real countries seen 5+ times
    rare: tuple[str, ...]       # held-out real countries seen fewer than 5 times


def probe_sets(report: dict, n_invented: int = 40) -> ProbeSets:
    held = set(report["probe_sets"]["heldout_countries"])
    return ProbeSets(invented=tuple(report["probe_sets"]["invented_eval"][:n_invented]),
                     known=tuple(c.name for c in facts.COUNTRIES if c.name in held and c.mentions >= 5),
                     rare=tuple(c.name for c in facts.COUNTRIES if c.name in held and c.mentions < 5))


def probe_scores(lm: LM, sets: ProbeSets) -> dict:
    """Greedy answers to "What is the capital of X?" for the three held-out groups."""
    with one_thread():
        res = probes.probe(lm, list(sets.invented + sets.known + sets.rare), ["capital"], fmt="qa")
    inv = [r for r in res if not r.known]
    known = [r for r in res if r.known and r.mentions >= 5]
    rare = [r for r in res if r.known and r.mentions < 5]
    return {INVENTED: probes.rate(inv, "abstained"), KNOWN: probes.rate(known, "correct"),
            REFUSED: probes.rate(known, "abstained"),
            WRONG: sum(not r.correct and not r.abstained for r in known) / len(known) if known else float("nan"),
            RARE: probes.rate(rare, "correct"), RARE_REFUSED: probes.rate(rare, "abstained")}


def scores_frame(before: dict, after: dict) -> pd.DataFrame:
    rows = []
    for label, scores in (("before (SFT)", before), ("after your DPO run", after)):
        for measure, value in scores.items():
            rows.append({"measure": measure, "model": label, "rate": value})
    return pd.DataFrame(rows)


def prepare_pairs(sft: LM, report: dict, seed: int = 0, n_pairs: int = 400,
                  scopes: tuple[str, ...] = ("full", "decision")) -> dpo.PreparedPairs:
    """A fixed sample of the build's preference pairs (tune countries and tune invented names, half each), with the
    SFT reference's log-probabilities computed once for the scoring scopes asked for."""
    pairs = facts.preference_pairs(seed, report["probe_sets"]["invented_tune"])
    known = [p for p in pairs if p.known]
    unknown = [p for p in pairs if not p.known]
    rng = random.Random(seed)
    sample = rng.sample(known, min(n_pairs // 2, len(known))) + rng.sample(unknown, min(n_pairs // 2, len(unknown)))
    with one_thread():
        return dpo.prepare(sft.model, sft.tokenizer, sample, scopes=scopes)


def lm_blocks(lm: LM, seed: int = 0) -> torch.Tensor:
    return pack(lm.tokenizer, facts.pretraining_documents(seed), 64)


@dataclass(frozen=True)
class LiveInputs:
    """Shared and read-only: the pairs with the SFT reference's log-probabilities (one scoring scope), the
    pre-training rows, the probe sets and the SFT model's scores before any tuning."""
    prepared: dpo.PreparedPairs
    blocks: torch.Tensor
    sets: ProbeSets
    before: dict


def live_inputs(scope: str) -> LiveInputs:
    rep = load_report()
    sft = registry.load("gpt_sft")
    sets = probe_sets(rep)
    return LiveInputs(prepare_pairs(sft, rep, scopes=(scope,)), lm_blocks(sft), sets, probe_scores(sft, sets))


def live_settings(beta: float, steps: int, lr: float, stabilise: bool) -> dpo.DPOSettings:
    """The live run's recipe: 8 pairs a step; "stabilise" adds the shipped checkpoint's two extra terms (weight 2
    each) and scores the DPO term up to the first token where the answers differ."""
    return dpo.DPOSettings(beta=float(beta), steps=int(steps), batch_pairs=8, lr=float(lr),
                           sft_weight=2.0 if stabilise else 0.0, lm_weight=2.0 if stabilise else 0.0, lm_batch=4,
                           scope="decision" if stabilise else "full", seed=0)


@dataclass
class LiveRun:
    model: LM
    history: list[dict]
    seconds: float
    settings: dpo.DPOSettings
    before: dict
    after: dict


def run_live_dpo(inputs: LiveInputs, settings: dpo.DPOSettings,
                 callback: Callable[[int, dict], None] | None = None) -> LiveRun:
    """Train a deep copy of the SFT model (the shared one is never touched) and probe it. Returns the tuned model,
    the metrics of every step, the seconds it took (training and probing) and the scores before and after."""
    t0 = time.perf_counter()
    sft = registry.load("gpt_sft")
    policy = dpo.copy_for_training(sft.model)
    with one_thread():
        history = dpo.train(policy, sft.tokenizer, inputs.prepared, settings,
                            inputs.blocks if settings.lm_weight else None, callback)
    for p in policy.parameters():
        p.requires_grad_(False)
    tuned = LM(policy, sft.tokenizer, "gpt_dpo_live")
    after = probe_scores(tuned, inputs.sets)
    return LiveRun(tuned, history, time.perf_counter() - t0, settings, inputs.before, after)


def progress_chart(history: pd.DataFrame, projector: bool):
    """The chart redrawn while the live run trains: its losses so far, named as on the page."""
    return lmcharts.training_curves(history, ["loss", "dpo_loss"], LIVE_LABELS, y_title="loss", projector=projector)


def live_charts(history: pd.DataFrame, projector: bool) -> tuple:
    """Three charts of a finished run, each on its own labelled axis: the losses, the implicit rewards, and the share
    of the step's pairs ranked right."""
    loss = progress_chart(history, projector).properties(title="Loss")
    rewards = lmcharts.training_curves(history, ["chosen_reward", "rejected_reward"], LIVE_LABELS,
                                       y_title="implicit reward", projector=projector).properties(
        title="Implicit rewards \u03b2\u00b7log(\u03c0/\u03c0_ref)")
    ranked = lmcharts.training_curves(history, ["accuracy"], LIVE_LABELS, y_title="pairs ranked right",
                                      y_format="%", projector=projector).properties(
        title="Pairs of the step whose chosen answer gets the higher reward")
    return loss, rewards, ranked


# ------------------------------------------------------------------------------------------------ what to notice
@dataclass(frozen=True)
class Row:
    """One checkpoint's row of the comparison table (section 2)."""
    prompt: str
    answer: str
    p_whole: float
    p_idk: float


@dataclass(frozen=True)
class Shipped:
    """The build report's figures for the shipped checkpoints."""
    sft_hallucination: float
    dpo_hallucination: float
    sft_known: float
    dpo_known: float
    base_greedy_hallucination: float
    dpo_steps: int
    dpo_batch: int


def shipped(report: dict) -> Shipped:
    ev = report["evaluation"]
    d = report["settings"]["dpo"]
    return Shipped(ev["gpt_sft"]["qa"]["capital"]["hallucination_rate"],
                   ev["gpt_dpo"]["qa"]["capital"]["hallucination_rate"],
                   ev["gpt_sft"]["qa"]["accuracy_seen5_capital"], ev["gpt_dpo"]["qa"]["accuracy_seen5_capital"],
                   ev["gpt_base"]["hallucination_by_temperature"]["0.0"], int(d["steps"]), int(d["batch_pairs"]))


@dataclass(frozen=True)
class Live:
    """A finished live run, in numbers."""
    steps: int
    batch: int
    first_loss: float
    last_loss: float
    first_margin: float
    last_margin: float
    before: dict
    after: dict


def notices(name: str, base: Row, sft: Row, dpo_row: Row, dpo_abstains: bool, garbled: bool, s: Shipped,
            live: Live | None) -> list[str]:
    """The page's "What to notice", from plain numbers (`live` is None before the student runs DPO)."""
    out = [f"For **{name}**, the base model continues \u201c{base.prompt}\u201d with \u201c{base.answer}\u201d; asked the "
           f"question, SFT answers \u201c{sft.answer}\u201d and DPO \u201c{dpo_row.answer}\u201d. The probability that "
           f"the answer starts with \u201cI\u201d (don't know) is **{dpo_row.p_idk:.3f}** after DPO against "
           f"{sft.p_idk:.3f} after SFT."]
    if dpo_abstains and dpo_row.p_whole < 0.9 * dpo_row.p_idk:
        out.append(f"DPO's whole answer has probability {dpo_row.p_whole:.3f} although its first word has "
                   f"{dpo_row.p_idk:.3f}: deciding to abstain is one token, and the rest of the sentence (copying the "
                   f"country's name piece by piece) spreads the probability over several spellings.")
    if garbled:
        out.append(f"An answer that spells {name} differently is the model, not the app: the tiny model copies the "
                   f"name from the question token by token and can garble one it never saw.")
    shipped_text = (f"On the held-out invented names the SFT checkpoint names a capital **{s.sft_hallucination:.0%}** "
                    f"of the time, the DPO checkpoint **{s.dpo_hallucination:.0%}**, while DPO ")
    if s.dpo_known >= s.sft_known - 0.05:
        shipped_text += f"still gets **{s.dpo_known:.0%}** of the well-known held-out capitals right "
    else:
        shipped_text += f"gets only **{s.dpo_known:.0%}** of the well-known held-out capitals right "
    shipped_text += f"(SFT: {s.sft_known:.0%})."
    if s.base_greedy_hallucination >= 1:
        shipped_text += (" The base model, given \u201cThe capital of X is\u201d, never says it does not know (100% of "
                         "invented names get an answer).")
    else:
        shipped_text += (f" The base model, given \u201cThe capital of X is\u201d, answers for "
                         f"{s.base_greedy_hallucination:.0%} of invented names.")
    out.append(shipped_text)
    if live is None:
        return out
    b, a = live.before, live.after
    out.append(f"Your run's loss went from **{live.first_loss:.3f}** to **{live.last_loss:.3f}**; the reward margin "
               f"between preferred and rejected answers from {live.first_margin:.2f} to **{live.last_margin:.2f}**.")
    change = (f"Abstention on held-out invented names: **{b[INVENTED]:.0%} \u2192 {a[INVENTED]:.0%}**; accuracy on "
              f"well-known countries: **{b[KNOWN]:.0%} \u2192 {a[KNOWN]:.0%}**; on rarely seen ones: "
              f"{b[RARE]:.0%} \u2192 {a[RARE]:.0%} (refused: {a[RARE_REFUSED]:.0%}).")
    if a[INVENTED] <= b[INVENTED]:
        change += " Your run did not teach it to abstain on invented names."
    out.append(change)
    pairs_seen, shipped_pairs = live.steps * live.batch, s.dpo_steps * s.dpo_batch
    if a[KNOWN] < b[KNOWN] - 0.1:
        out.append(
            f"**Why the well-known countries suffer.** Of them, {a[REFUSED]:.0%} are now refused and {a[WRONG]:.0%} "
            f"answered wrongly or with a garbled name. Your run saw {pairs_seen:,} pairs, "
            f"{pairs_seen / shipped_pairs:.0%} of the shipped checkpoint's {shipped_pairs:,}: early in DPO, the "
            f"cheapest way to widen the margin is to raise \u201cI\u201d and lower the copied names everywhere, and "
            f"the stabilising terms need many more steps to repair that. The shipped run "
            f"({s.dpo_steps} steps of {s.dpo_batch}) ended with {s.dpo_known:.0%} of them right. Caution and "
            f"helpfulness pull against each other.")
    elif a[INVENTED] > b[INVENTED]:
        out.append(f"Your run raised abstention and kept the well-known countries ({a[KNOWN]:.0%} right): the "
                   f"trade-off between caution and helpfulness went well this time.")
    return out
