"""The Post-training page's lesson: the three stages' data, the three real checkpoints asked the same question, a
live DPO run from the SFT checkpoint on a copy of the model with the probes that measure what it changed, and the
page's "What to notice" written from those numbers.

Functions that run a model take names, not models (a page caches them with ui.memo); `notices` is a pure function of
plain numbers. The live run reports through a callback, so the page can draw a progress bar.
"""
from __future__ import annotations

import json
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
from lib.data import heldout as heldout_data
from lib.eval import answers
from lib.eval import heldout as heldout_eval
from lib.models import probes, registry
from lib.models.lm import CHECKPOINTS, LM, load_report
from lib.models.scoring import answer_probability, first_token_probability, pack
from lib.paths import DATA, MODELS
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
    return (facts.gpt_pretraining_sentence_count(seed), len(facts.sft_demonstrations(seed)),
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


def default_option(report: dict | None = None) -> str:
    """The country section 2 opens on: the first invented name of `country_options` on which the shipped DPO model
    abstains (greedy), as it does on most held-out invented names, so that the lecture's first look shows the typical
    case; the others, answered ones included, are one click away. The first invented option if it abstains on none."""
    options = country_options(report if report is not None else load_report())
    invented = [o for o in options if "(invented" in o]
    dpo_lm = registry.load("gpt_dpo")
    prompts = [probes.checkpoint_prompt("gpt_dpo", o.split(" (")[0], "capital") for o in invented]
    replies = sampling.generate(dpo_lm, prompts, temperature=0.0, max_new_tokens=12, stop="sentence")
    for option, out in zip(invented, replies):
        if facts.is_abstention(out.text):
            return option.split(" (")[0]
    return invented[0].split(" (")[0]


def caution(report: dict) -> str:
    """Section 2's caution about the shipped checkpoints, from the build report's held-out figures: how DPO does on
    the real countries it never met in a question (seen 5+ times in pre-training), against SFT, over the four
    held-out phrasings."""
    h = report.get("evaluation", {}).get("heldout", {})
    try:
        dpo_s, sft_s = h["gpt_dpo"]["summary"], h["gpt_sft"]["summary"]
        dpo_acc, sft_acc = dpo_s["accuracy_heldout_seen5"], sft_s["accuracy_heldout_seen5"]
        refused = h["gpt_dpo"]["known"]["by_group"]["held-out countries, seen 5+"]["abstain"]
    except (KeyError, TypeError):
        return "The build report has no held-out figures for these checkpoints (python -m lib.train gpt)."
    if dpo_acc < sft_acc - 0.1:
        return (f"A caution about our own numbers: on the real countries it never met in a question (seen 5+ times "
                f"in pre-training), asked in four phrasings it was never trained on, DPO names only **{dpo_acc:.0%}** "
                f"of the capitals, against {sft_acc:.0%} after SFT, and refuses {refused:.0%} of them. A model this "
                f"small partly learns *which names it was tuned on* rather than *what it knows* "
                f"(assets/models/REPORT.md has the details).")
    return (f"On the real countries it never met in a question (seen 5+ times in pre-training), asked in four "
            f"phrasings it was never trained on, DPO still names "
            f"{dpo_acc:.0%} of the capitals ({sft_acc:.0%} after SFT): it learned what it knows, not only which names "
            f"it was tuned on.")


def caution_of() -> str:
    return caution(load_report())


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
    return pack(lm.tokenizer, facts.gpt_pretraining_documents(seed), 64)


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
    """The build report's figures for the shipped checkpoints (held-out invented names, greedy, three outcomes:
    names a capital / abstains / neither; the base model in its completion format)."""
    sft_capital: float
    dpo_capital: float
    dpo_abstain: float
    sft_known: float
    dpo_known: float
    base_capital: float
    base_abstain: float
    dpo_steps: int
    dpo_batch: int

    @property
    def base_neither(self) -> float:
        return max(0.0, 1.0 - self.base_capital - self.base_abstain)


def _known_heldout(ev: dict, key: str) -> float:
    """Well-known held-out capitals right in the training question, by the three-outcome classifier the held-out
    expander uses (so the page gives one figure for one measurement); the older probe's figure for a report without
    it."""
    try:
        return float(ev["heldout"][key]["training_phrasing"]["known"][KNOWN_HELD]["accuracy"])
    except (KeyError, TypeError):
        return float(ev[key]["qa"]["accuracy_seen5_capital"])


def shipped(report: dict) -> Shipped:
    ev = report["evaluation"]
    d = report["settings"]["dpo"]
    return Shipped(ev["gpt_sft"]["qa"]["invented_names_a_capital"], ev["gpt_dpo"]["qa"]["invented_names_a_capital"],
                   ev["gpt_dpo"]["qa"]["capital"]["abstention_invented"],
                   _known_heldout(ev, "gpt_sft"), _known_heldout(ev, "gpt_dpo"),
                   ev["gpt_base"]["completion"]["invented_names_a_capital"],
                   ev["gpt_base"]["completion"]["abstention_invented"], int(d["steps"]), int(d["batch_pairs"]))


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


def _stop(quoted: str) -> str:
    """The full stop after a quotation, unless the quotation ends a sentence itself (\u201cI don't know.\u201d)."""
    return "" if quoted.rstrip().endswith((".", "!", "?")) else "."


def real_country_notices(name: str, sft_answer: str, dpo_answer: str) -> list[str]:
    """For a real country: a sentence when DPO gets it wrong or refuses it (the answer classifier's verdicts, the
    true capital from the fact world); nothing when DPO is right or the name is invented."""
    country = facts.BY_NAME.get(name)
    if country is None:
        return []
    sft_v, dpo_v = answers.classify(sft_answer, name), answers.classify(dpo_answer, name)
    if dpo_v.correct:
        return []
    sft_said = ("SFT got it right" if sft_v.correct else
                "SFT got it wrong too" if sft_v.outcome != "abstain" else "SFT refused it too")
    if dpo_v.outcome == "abstain":
        return [f"DPO **refuses** {name}, a real country it saw {country.mentions} times in pre-training (its capital "
                f"is {country.capital}; {sft_said}): taught to say “I don't know”, it now says it where it "
                f"did know. Caution and helpfulness pull against each other."]
    return [f"DPO's answer is **wrong**: the capital of {name} (seen {country.mentions} times in pre-training) is "
            f"{country.capital}, and {sft_said}. Preference tuning can move probability away from what the model "
            f"knew; section 2's caution measures how often, on well-known countries."]


def notices(name: str, base: Row, sft: Row, dpo_row: Row, dpo_abstains: bool, garbled: bool, s: Shipped,
            live: Live | None) -> list[str]:
    """The page's "What to notice", from plain numbers (`live` is None before the student runs DPO)."""
    out = [f"For **{name}**, the base model continues \u201c{base.prompt}\u201d with \u201c{base.answer}\u201d; asked the "
           f"question, SFT answers \u201c{sft.answer}\u201d and DPO \u201c{dpo_row.answer}\u201d"
           f"{_stop(dpo_row.answer)} The probability that the answer starts with \u201cI\u201d (don't know) is "
           f"**{dpo_row.p_idk:.3f}** after DPO against "
           f"{sft.p_idk:.3f} after SFT."]
    if dpo_abstains and dpo_row.p_whole < 0.9 * dpo_row.p_idk:
        out.append(f"DPO's whole answer has probability {dpo_row.p_whole:.3f} although its first word has "
                   f"{dpo_row.p_idk:.3f}: deciding to abstain is one token, and the rest of the sentence (copying the "
                   f"country's name piece by piece) spreads the probability over several spellings.")
    out += real_country_notices(name, sft.answer, dpo_row.answer)
    if garbled:
        out.append(probes.garbled_note(name))
    shipped_text = (f"On the held-out invented names (unused names of the training generator, asked the training "
                    f"question) the SFT checkpoint names a capital **{s.sft_capital:.0%}** "
                    f"of the time, the DPO checkpoint **{s.dpo_capital:.0%}** (it abstains on {s.dpo_abstain:.0%}), "
                    f"while DPO ")
    if s.dpo_known >= s.sft_known - 0.05:
        shipped_text += (f"still gets **{s.dpo_known:.0%}** of the well-known held-out capitals (seen 5+ times, never "
                         f"in a question) right in that question ")
    else:
        shipped_text += (f"gets only **{s.dpo_known:.0%}** of the well-known held-out capitals (seen 5+ times, never "
                         f"in a question) right in that question ")
    shipped_text += f"(SFT: {s.sft_known:.0%})."
    shipped_text += (" The base model, given \u201cThe capital of X is\u201d, "
                     + ("never says it does not know" if s.base_abstain == 0
                        else f"says it does not know for {s.base_abstain:.0%}")
                     + f" and names a capital for {s.base_capital:.0%} of invented names")
    if s.base_neither > s.base_capital:
        shipped_text += (f"; the other {s.base_neither:.0%} are *neither* (\u201ca.\u201d, another country's name): "
                         f"not an answer, and not \u201cI don't know\u201d either.")
    else:
        shipped_text += f" ({s.base_neither:.0%} neither)."
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


# ------------------------------------------------------------------ 4. does "I don't know" generalise? (issue 15)
TARGET_ABSTAIN, TARGET_KNOWN, TARGET_COPY = 0.80, 0.90, 0.95   # issue 15's targets
ALL_INVENTED = "all invented names"
KNOWN_ALL = "all countries, seen 5+"
KNOWN_HELD = "held-out countries, seen 5+"
TRAINING = "training phrasing"


def heldout_before() -> dict | None:
    """The shipped checkpoints' held-out figures before issue 15 (written next to the models), or None."""
    path = MODELS / heldout_eval.BEFORE_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _ordered(keys, order: list) -> list:
    """`keys` in the order the held-out module lists them (unknown ones last, as they come)."""
    keys = list(keys)
    return [k for k in order if k in keys] + [k for k in keys if k not in order]


def heldout_frame(report: dict, key: str = "gpt_dpo") -> pd.DataFrame:
    """One row per question phrasing (the four held-out ones, all four pooled, the training phrasing): the share of
    invented names the checkpoint abstains on, by held-out name generator and pooled, and the share of well-known
    capitals (seen 5+) it gets right, over all countries and over the held-out ones."""
    h = report["evaluation"]["heldout"]
    g = h[key]
    gens = _ordered(h["generators"], heldout_data.GENERATORS)
    rows = []
    for label in _ordered(h["heldout_phrasings"], list(heldout_data.HELDOUT_PHRASINGS)):
        template = h["heldout_phrasings"][label]
        inv, known = g["invented"]["table"][label], g["known"]["table"][label]
        rows.append({"phrasing": template.format(name="X"), **{n: inv[n]["abstain"] for n in gens},
                     ALL_INVENTED: g["invented"]["by_phrasing"][label]["abstain"],
                     KNOWN_ALL: known[KNOWN_ALL]["accuracy"], KNOWN_HELD: known[KNOWN_HELD]["accuracy"]})
    rows.append({"phrasing": "all four held-out phrasings",
                 **{n: g["invented"]["by_group"][n]["abstain"] for n in gens},
                 ALL_INVENTED: g["invented"]["pooled"]["abstain"],
                 KNOWN_ALL: g["known"]["by_group"][KNOWN_ALL]["accuracy"],
                 KNOWN_HELD: g["known"]["by_group"][KNOWN_HELD]["accuracy"]})
    t = g["training_phrasing"]
    rows.append({"phrasing": f"{h['training_phrasing'].format(name='X')} (trained)",
                 **{n: t["invented"][n]["abstain"] for n in gens}, ALL_INVENTED: t["invented_pooled"]["abstain"],
                 KNOWN_ALL: t["known"][KNOWN_ALL]["accuracy"], KNOWN_HELD: t["known"][KNOWN_HELD]["accuracy"]})
    return pd.DataFrame(rows)


def heldout_tables(report: dict, key: str = "gpt_dpo") -> tuple[pd.DataFrame, pd.DataFrame]:
    """`heldout_frame` as the page shows it, in percent: invented names abstained on (by generator, all three), and
    well-known capitals right (all countries seen 5+, held-out countries)."""
    f = heldout_frame(report, key)
    nums = [c for c in f.columns if c != "phrasing"]
    f[nums] = 100 * f[nums]
    gens = nums[:-3]
    abstain = f[["phrasing", *gens, ALL_INVENTED]].rename(columns={ALL_INVENTED: "all three"})
    known = f[["phrasing", KNOWN_ALL, KNOWN_HELD]].rename(
        columns={KNOWN_ALL: "all countries (seen 5+)", KNOWN_HELD: "held-out countries (seen 5+, never in a question)"})
    return abstain, known


@dataclass(frozen=True)
class HeldOut:
    """The DPO checkpoint's held-out figures the notices use (shares; `before` fields None when not recorded)."""
    abstain: float                       # invented names, four held-out phrasings pooled
    by_generator: dict                   # generator -> abstention (four phrasings pooled)
    known: float                         # well-known capitals right (all countries seen 5+), four phrasings pooled
    known_by_phrasing: dict              # held-out phrasing (with X) -> well-known capitals right
    known_training: float                # well-known capitals right in the training phrasing
    heldout_training: float              # held-out countries (seen 5+) right in the training phrasing
    heldout_refused_training: float      # ... refused there
    copy_exact: float                    # answers that repeat a name and copy it exactly
    copy_known: float
    copy_invented: float
    heldout_training_before: float | None = None
    heldout_refused_training_before: float | None = None


def heldout_numbers(report: dict, before: dict | None = None, key: str = "gpt_dpo") -> HeldOut:
    h = report["evaluation"]["heldout"]
    g = h[key]
    t = g["training_phrasing"]["known"][KNOWN_HELD]
    b = (before or {}).get(key, {}).get("training_phrasing", {}).get("known", {}).get(KNOWN_HELD)
    return HeldOut(g["summary"]["abstain_invented"],
                   {n: g["invented"]["by_group"][n]["abstain"]
                    for n in _ordered(h["generators"], heldout_data.GENERATORS)},
                   g["summary"]["accuracy_all_seen5"],
                   {tpl.format(name="X"): g["known"]["table"][lab][KNOWN_ALL]["accuracy"]
                    for lab, tpl in h["heldout_phrasings"].items()},
                   g["training_phrasing"]["known"][KNOWN_ALL]["accuracy"], t["accuracy"], t["abstain"],
                   g["summary"]["copy_exact"], g["summary"]["copy_exact_known"], g["summary"]["copy_exact_invented"],
                   b["accuracy"] if b else None, b["abstain"] if b else None)


def heldout_notices(n: HeldOut) -> list[str]:
    """Where DPO's "I don't know" holds and where it breaks, from the held-out figures (issue 15's targets)."""
    out = []
    if n.abstain >= TARGET_ABSTAIN:
        out.append(f"On names from generators no training data used, asked in four phrasings it was never trained "
                   f"on, DPO abstains on **{n.abstain:.0%}**: the target ({TARGET_ABSTAIN:.0%}) is met.")
    else:
        out.append(f"On names from generators no training data used, asked in four phrasings it was never trained "
                   f"on, DPO abstains on **{n.abstain:.0%}**, short of the {TARGET_ABSTAIN:.0%} target.")
    worst = min(n.by_generator, key=n.by_generator.get)
    best = max(n.by_generator, key=n.by_generator.get)
    if n.by_generator[best] - n.by_generator[worst] >= 0.15:
        out.append(f"It breaks on **{worst}** names: abstains on **{n.by_generator[worst]:.0%}** of them against "
                   f"{n.by_generator[best]:.0%} for {best}. A name one or two letters from a real country looks "
                   f"known to it, so it answers.")
    else:
        out.append(f"The three name generators fare alike ({n.by_generator[worst]:.0%} for {worst} to "
                   f"{n.by_generator[best]:.0%} for {best}).")
    worst_ph = min(n.known_by_phrasing, key=n.known_by_phrasing.get)
    if n.known < TARGET_KNOWN and n.known_training - n.known_by_phrasing[worst_ph] >= 0.15:
        out.append(f"Knowledge does not carry over to new phrasings: well-known capitals are right **"
                   f"{n.known_training:.0%}** of the time in a phrasing it was trained on but **{n.known:.0%}** "
                   f"over the "
                   f"four new ones, down to **{n.known_by_phrasing[worst_ph]:.0%}** for \u201c{worst_ph}\u201d "
                   f"(target {TARGET_KNOWN:.0%}).")
    else:
        out.append(f"Well-known capitals stay right in new phrasings: **{n.known:.0%}** over the four "
                   f"(a trained phrasing {n.known_training:.0%}; lowest {n.known_by_phrasing[worst_ph]:.0%} for "
                   f"\u201c{worst_ph}\u201d).")
    if n.heldout_training_before is not None:
        if n.heldout_training < n.heldout_training_before - 0.05:
            out.append(f"The price, even in a phrasing it was trained on: on held-out real countries (seen 5+ times, "
                       f"never in a question) DPO's capitals fell from **{n.heldout_training_before:.0%}** in the "
                       f"first build, before its finetuning data had many phrasings and name shapes, to "
                       f"**{n.heldout_training:.0%}**; it refuses "
                       f"{n.heldout_refused_training:.0%} of them (was {n.heldout_refused_training_before:.0%}).")
        else:
            out.append(f"In a phrasing it was trained on the held-out real countries kept their capitals "
                       f"({n.heldout_training_before:.0%} before, {n.heldout_training:.0%} now).")
    if n.copy_exact < TARGET_COPY:
        out.append(f"Answers that repeat the country's name copy it exactly **{n.copy_exact:.0%}** of the time "
                   f"(real countries {n.copy_known:.0%}, invented names {n.copy_invented:.0%}; target "
                   f"{TARGET_COPY:.0%}): a made-up answer turns the name into another one.")
    else:
        out.append(f"Answers that repeat the country's name copy it exactly {n.copy_exact:.0%} of the time.")
    return out
