"""Build the tiny GPT family: tokenizer, base (pre-training), SFT (demonstrations) and DPO (preference pairs).

    python -m lib.train gpt            # all three, then the evaluation report
    python -m lib.train gpt_dpo        # one stage (earlier stages are loaded from assets/models/)

Fixed step counts and seeds: the same command gives the same models on any machine. Everything is measured on
held-out data: real countries never used in a question-answer format, and invented names used nowhere in training.
"""
from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch

from lib.data import facts
from lib.eval import heldout as heldout_eval
from lib.eval.answers import classify
from lib.models import lm as lm_module
from lib.models import probes as H
from lib.models.lm import LM, TinyGPTConfig
from lib.models.scoring import answer_logprobs, encode_answers, lm_loss, pack  # noqa: F401 (pack: gpt_train.pack)
from lib.train import dpo
from lib.train.loop import Trainer

NAMES = ["gpt_base", "gpt_sft", "gpt_dpo"]
PROBE_FILE = "gpt_probe_sets.json"   # written next to the models: which names are tune / eval sets


@dataclass
class GPTTrainSettings:
    seed: int = 0
    model: TinyGPTConfig = field(default_factory=lambda: TinyGPTConfig(vocab_size=512))
    block: int = 64               # tokens per pre-training row
    pretrain_steps: int = 2700        # 1,800 before the people entries were added (issue 15): the same passes
    pretrain_batch: int = 32
    pretrain_lr: float = 3e-3
    sft_steps: int = 900
    sft_batch: int = 16
    sft_lr: float = 3e-4
    sft_lm_weight: float = 1.0
    dpo: dpo.DPOSettings = field(default_factory=lambda: dpo.DPOSettings(beta=0.1, steps=450, batch_pairs=32,
                                                                         lr=5e-4, sft_weight=2.0, lm_weight=2.0,
                                                                         scope="decision", known_share=0.67))
    n_invented: int = 123         # invented names per part (tune / eval), token counts matched to the real names


# ---------------------------------------------------------------------------------------------------------------
# Data

def name_tokens(tokenizer, name: str) -> int:
    return len(tokenizer(" " + name, add_special_tokens=False)["input_ids"])


def matched_invented(tokenizer, seed: int, n: int) -> dict[str, list[str]]:
    """For each part (tune, eval), `n` invented names whose token counts follow the real names' distribution (one-token
    real names, which no invented name can match, are matched with two-token names)."""
    real_counts = sorted(max(2, name_tokens(tokenizer, c.name)) for c in facts.COUNTRIES)
    rng = random.Random(seed + 7)
    targets = [rng.choice(real_counts) for _ in range(n)] if n != len(real_counts) else real_counts
    out = {}
    for part, pool in facts.invented_split(seed).items():
        by_count: dict[int, list[str]] = {}
        for name in pool:
            by_count.setdefault(name_tokens(tokenizer, name), []).append(name)
        chosen = []
        for k in targets:
            near = min((c for c in by_count if by_count[c]), key=lambda c: (abs(c - k), c))
            chosen.append(by_count[near].pop(0))
        out[part] = chosen
    return out


# ---------------------------------------------------------------------------------------------------------------
# Training stages

def _lr(step: int, total: int, peak: float, warmup: int = 50) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def pretrain(model, blocks: torch.Tensor, steps: int, batch: int, lr: float, seed: int,
             callback: Callable[[int, dict], None] | None = None) -> list[float]:
    """Next-token prediction on the packed fact-world text."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), weight_decay=0.01)

    def step_fn(step: int) -> tuple[torch.Tensor, dict]:
        rows = torch.randint(0, len(blocks), (batch,), generator=gen)
        return lm_loss(model, blocks[rows]), {}

    trainer = Trainer(model, opt, step_fn, steps, clip=1.0, lr_at=lambda step: _lr(step - 1, steps, lr))
    if callback is not None:
        trainer.add_callback(lambda step, row: callback(step, {"loss": row["loss"]}))
    return [row["loss"] for row in trainer.run()]


def supervised_finetune(model, tokenizer, demos: list[tuple[str, str]], blocks: torch.Tensor, steps: int, batch: int,
                        lr: float, lm_weight: float, seed: int,
                        callback: Callable[[int, dict], None] | None = None) -> list[float]:
    """Mean token NLL of the demonstrated answers (the prompt is not scored), plus a language-modelling term on
    pre-training text so that the facts are not forgotten."""
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)

    def step_fn(step: int) -> tuple[torch.Tensor, dict]:
        part = rng.sample(demos, min(batch, len(demos)))
        ids, attention, mask = encode_answers(tokenizer, [p for p, _ in part], [a for _, a in part])
        logp, n = answer_logprobs(model, ids, attention, mask)
        loss = -(logp / n).mean()
        if lm_weight:
            rows = torch.tensor(rng.sample(range(len(blocks)), 8))
            loss = loss + lm_weight * lm_loss(model, blocks[rows])
        return loss, {}

    trainer = Trainer(model, opt, step_fn, steps, clip=1.0, lr_at=lambda step: _lr(step - 1, steps, lr, warmup=20))
    if callback is not None:
        trainer.add_callback(lambda step, row: callback(step, {"loss": row["loss"]}))
    return [row["loss"] for row in trainer.run()]


# ---------------------------------------------------------------------------------------------------------------
# Evaluation

def evaluate(models: dict[str, LM], probe_sets: dict, seed: int) -> dict:
    """Every figure of the report, on held-out names only (plus the tune sets where said)."""
    heldout = probe_sets["heldout_countries"]
    all_real = [c.name for c in facts.COUNTRIES]
    invented_eval = probe_sets["invented_eval"]
    out: dict = {}
    for name, lm in models.items():
        sec: dict = {}
        # completion format: "The capital of X is" (the base model's native format)
        comp = H.probe(lm, all_real + invented_eval, ["capital"], fmt="completion")
        seen5 = [r for r in comp if r.known and r.mentions >= 5]
        sec["completion"] = {"accuracy_seen5": H.rate(seen5, "correct"), "n_seen5": len(seen5),
                             "by_frequency": H.by_frequency(comp), **H.summary(comp)}
        # question-answer format, held-out real countries and evaluation invented names
        qa = H.probe(lm, heldout + invented_eval, facts.QA_KINDS, fmt="qa")
        qa_cap = [r for r in qa if r.kind == "capital"]
        sec["qa"] = {"all_kinds": H.summary(qa), "capital": H.summary(qa_cap),
                     "capital_by_frequency": H.by_frequency(qa_cap), "all_kinds_by_frequency": H.by_frequency(qa),
                     "accuracy_seen5_capital": H.rate([r for r in qa_cap if r.known and r.mentions >= 5], "correct"),
                     "accuracy_seen5_all_kinds": H.rate([r for r in qa if r.known and r.mentions >= 5], "correct"),
                     "over_refusal_seen5": H.rate([r for r in qa if r.known and r.mentions >= 5], "abstained"),
                     "over_refusal_rare": H.rate([r for r in qa if r.known and r.mentions < 5], "abstained"),
                     "accuracy_rare": H.rate([r for r in qa if r.known and r.mentions < 5], "correct")}
        tune = H.probe(lm, [c for c in probe_sets["tune_countries"] if facts.BY_NAME[c].mentions >= 5], ["capital"],
                       fmt="qa")
        sec["qa"]["accuracy_tune_seen5_capital"] = H.rate(tune, "correct")
        sec["qa"]["over_refusal_tune_seen5_capital"] = H.rate(tune, "abstained")
        sec["qa"]["invented_names_a_capital"] = _names_a_capital([r for r in qa_cap if not r.known])
        sec["completion"]["invented_names_a_capital"] = _names_a_capital([r for r in comp if not r.known])
        # hallucination rate on invented names by sampling temperature (capital question): the share of answers that
        # are anything but "I don't know" (the measure of earlier builds, which the pages read), and the share that
        # name a capital (lib/eval/answers.py: "a." or a currency is "neither", not an answer)
        fmt = "completion" if name == "gpt_base" else "qa"
        by_t, names_capital = {}, {}
        for t in [0.0, 0.5, 1.0, 1.5]:
            res = H.probe(lm, invented_eval, ["capital"], fmt=fmt, temperature=t, seed=seed)
            by_t[str(t)] = H.hallucination_rate(res)
            names_capital[str(t)] = _names_a_capital(res)
        sec["hallucination_by_temperature"] = by_t
        sec["names_capital_by_temperature"] = names_capital
        sec["format_for_hallucination"] = fmt
        sec["examples"] = [asdict(r) for r in qa_cap if not r.known][:5] + [asdict(r) for r in qa_cap if r.known][:5]
        out[name] = sec
    # self-consistency as a detector, on the base model's completions: threshold fitted on tune sets
    base = models.get("gpt_base")
    if base is not None:
        tune_known = [c.name for c in facts.COUNTRIES if c.name in probe_sets["tune_countries"] and c.mentions >= 5]
        eval_known = [c.name for c in facts.COUNTRIES if c.name in heldout and c.mentions >= 5]
        fit_k = H.self_consistency(base, tune_known, seed=seed)
        fit_i = H.self_consistency(base, probe_sets["invented_tune"][:len(tune_known)], seed=seed + 1)
        thr = H.best_threshold(list(fit_k.values()), list(fit_i.values()))
        ev_k = H.self_consistency(base, eval_known, seed=seed + 2)
        ev_i = H.self_consistency(base, invented_eval, seed=seed + 3)
        rare = [c.name for c in facts.COUNTRIES if c.mentions < 5]
        ev_r = H.self_consistency(base, rare, seed=seed + 4)
        out["self_consistency"] = {
            "samples": 10, "temperature": 1.0, "threshold": thr,
            "accuracy_eval": H.detector_accuracy(list(ev_k.values()), list(ev_i.values()), thr),
            "mean_agreement_known_seen5": sum(ev_k.values()) / len(ev_k),
            "mean_agreement_invented": sum(ev_i.values()) / len(ev_i),
            "mean_agreement_rare": sum(ev_r.values()) / len(ev_r),
            "rare_flagged": sum(v < thr for v in ev_r.values()) / len(ev_r),
        }
    return out


def _names_a_capital(results) -> float:
    """Share of probe answers that name a capital (three-outcome classifier of lib/eval/answers.py)."""
    if not results:
        return float("nan")
    return sum(classify(r.answer, r.name).outcome == "capital" for r in results) / len(results)


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def markdown(report: dict) -> str:
    ev = report["evaluation"]
    pr = report["probe_sets"]
    lines = [
        f"Tiny GPT: {report['parameters']:,} parameters ({report['config']['n_layer']} layers, width "
        f"{report['config']['n_embd']}, {report['config']['n_head']} heads), byte-level BPE vocabulary "
        f"{report['vocab_size']}; pre-trained on {report['pretrain_tokens']:,} tokens of fact-world text "
        f"({report['settings']['pretrain_steps']} steps).",
        f"Stage times (one thread): " + ", ".join(f"{k} {v:.0f} s" for k, v in report["stage_seconds"].items()) + ".",
        "",
        "Held-out sets: real countries never used in a demonstration or preference pair (a quarter of each frequency "
        "tier) "
        f"({len(pr['heldout_countries'])}), and invented names used nowhere in training ({len(pr['invented_eval'])}). "
        f"Mean tokens per name: real {pr['mean_tokens_real']:.2f}, invented (eval) "
        f"{pr['mean_tokens_invented_eval']:.2f}"
        f", invented (tune) {pr['mean_tokens_invented_tune']:.2f} (one-token real names cannot be matched exactly).",
        "",
        "| checkpoint | capital, seen 5+ (completion, all countries) | capital, seen 5+ (QA, held-out) | "
        "3 facts, seen 5+ (QA, held-out) | 3 facts, rare <5 (QA, held-out) | refuses 5+ | refuses rare | "
        "held-out invented names: answers capital | capital, seen 5+ (QA, tune countries) | "
        "p(answer) known / invented |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in NAMES:
        if name not in ev:
            continue
        s = ev[name]
        q = s["qa"]
        lines.append(
            f"| {name} | {_pct(s['completion']['accuracy_seen5'])} | {_pct(q['accuracy_seen5_capital'])} | "
            f"{_pct(q['accuracy_seen5_all_kinds'])} | {_pct(q['accuracy_rare'])} | {_pct(q['over_refusal_seen5'])} | "
            f"{_pct(q['over_refusal_rare'])} | {_pct(q.get('invented_names_a_capital'))} | "
            f"{_pct(q.get('accuracy_tune_seen5_capital'))} | "
            f"{q['capital'].get('mean_answer_probability_known', float('nan')):.2f} / "
            f"{q['capital'].get('mean_answer_probability_invented', float('nan')):.2f} |")
    lines += ["", "Hallucination rate on held-out invented names by temperature: share of answers that name a capital "
              "(capital question; base in its completion format, SFT and DPO in the QA format; an answer such as "
              "\"a.\" or a currency is not counted, see the three-outcome classifier below):", "",
              "| checkpoint | " + " | ".join(f"T={t}" for t in ["0.0", "0.5", "1.0", "1.5"]) + " |",
              "|---|---|---|---|---|"]
    for name in NAMES:
        if name in ev:
            lines.append(f"| {name} | " + " | ".join(_pct(ev[name]["names_capital_by_temperature"][t])
                                                    for t in ["0.0", "0.5", "1.0", "1.5"]) + " |")
    if "gpt_base" in ev:
        c = ev["gpt_base"]["completion"]
        lines += ["", f"Base, completion format: invented names get a capital for an answer "
                  f"{_pct(c.get('invented_names_a_capital'))} of the time (something other than \"I don't know\" "
                  f"{_pct(c.get('hallucination_rate'))}), with mean answer probability {c.get('mean_answer_probability_invented', 0):.2f} "
                  f"against {c.get('mean_answer_probability_known', 0):.2f} for real countries.",
                  "Base accuracy by frequency (completion): " + ", ".join(
                      f"seen {r['mentions']}x {_pct(r['accuracy'])}" for r in c["by_frequency"]) + "."]
    if "self_consistency" in ev:
        sc = ev["self_consistency"]
        lines += ["", f"Self-consistency detector (base model, {sc['samples']} samples at T={sc['temperature']}, "
                  f"threshold {sc['threshold']:.1f} fitted on tune sets): balanced accuracy "
                  f"{_pct(sc['accuracy_eval'])} at telling held-out known (seen 5+) from invented names; mean "
                  f"agreement {sc['mean_agreement_known_seen5']:.2f} known vs {sc['mean_agreement_invented']:.2f} "
                  f"invented; rare real countries (seen <5) flagged {_pct(sc['rare_flagged'])}."]
    if "heldout" in ev:
        before = Path(__file__).resolve().parents[2] / "assets" / "models" / heldout_eval.BEFORE_FILE
        lines += [""] + heldout_eval.markdown(ev["heldout"], json.loads(before.read_text()) if before.exists()
                                              else None)
    if "validation" in ev:
        lines += heldout_eval.validation_markdown(ev["validation"])
    d = report["settings"]["dpo"]
    lines += ["", "Method notes:",
              "- Pre-training text is grouped into short encyclopedia entries (2-4 sentences about one country); with "
              "isolated sentences the model never learned to copy a name from earlier in its context, and SFT then "
              "answered questions about held-out countries with another country's capital (held-out accuracy 10-17%).",
              "- Invented names are built from random syllables with token counts matched to the real names. An "
              "earlier version glued halves of real names together (\"Austrapan\"); DPO then refused real countries "
              "that shared a piece with them.",
              f"- DPO: {d['steps']} steps of {d['batch_pairs']} pairs ({100 * d['known_share']:.0f}% about real "
              f"countries), beta {d['beta']}, "
              f"learning rate {d['lr']}, loss = DPO + {d['sft_weight']} x NLL(chosen) + {d['lm_weight']} x LM "
              "(pre-training text), the DPO term scored up to the first token where chosen and rejected differ. "
              "Whole-answer DPO garbled names and capitals (\"I donBun.\", \"Ha.\"). Pairs for real countries "
              "prefer the right answer to a wrong one and to \"I don't know\".",
              "- Issue 15 recipe, first round (26 Nov 2026): SFT demonstrations and preference pairs in several "
              "phrasings of the question, invented training names of four shapes (one-word syllables, two words, "
              "vowel-initial, a real country's first letters plus an ending), a name-free abstention (\"I don't know "
              "that country.\"). On the held-out sets: DPO abstained on 69% of invented names and named 63% of the "
              "well-known capitals; names copied exactly 62%.",
              "- Issue 15 recipe, second round (3 Dec 2026): most wrong answers of the first round were copying "
              "errors: asked about a country in a new phrasing, the model wrote another country's name "
              "(\"The capital of Italy is Rome\" for France; \"Namibia\" for most \"Name the capital of X.\"). "
              "Its pre-training text held about 120 names, and it had learned those names rather than how to copy "
              f"one. Pre-training now adds {facts.N_PEOPLE:,} short entries about made-up people, each naming its "
              "person two to four times beside a real country's facts (`facts.people_documents`; 2,700 steps "
              "instead of 1,800, so the country entries get the same passes); the questions come in "
              f"{len(facts.TRAIN_QUESTIONS['capital'])} capital ({len(facts.TRAIN_QUESTIONS['language'])} language, "
              f"{len(facts.TRAIN_QUESTIONS['currency'])} currency) phrasings instead of 8 (4, 4); SFT "
              f"{report['settings']['sft_steps']} steps instead of 300; DPO {d['steps']} steps of {d['batch_pairs']} "
              "pairs instead of 300 of 16. Chosen on the "
              "validation split (the highest sum of validation abstention and tune capitals) among twelve runs, "
              "validation abstains / tune capitals: more phrasings alone 98% / 22%; with SFT 900 steps 96% / 57%; "
              "answers that repeat no name (\"The capital is Lima.\") 99% / 37%; the decision after the copied name "
              "(\"The capital of X is something I don't know.\") 60% / 77%; 3,000 people entries at 1,800 steps "
              "91% / 77%, the same with 85% real-country pairs 85% / 95%; 1,000 at 2,700 steps 94% / 82%, the same "
              "with DPO on the top one or two layers only 59-80% / 62-73%, with 32 pairs a step for 450 steps "
              "93% / 88% "
              "(shipped). One run scored higher on validation (93% / 93%) by adding SFT demonstrations that answer "
              "invented names with made-up capitals; it was left out because it teaches the SFT model to make "
              "things up on purpose, and SFT's data here answers only real countries.",
              "- Where it still breaks (issue 15 targets: abstain 80%, keep 90% of well-known capitals, names copied "
              "95%): see the DPO row of the held-out table. (1) DPO refuses real countries it never met in a "
              "question: of the held-out countries seen 5+ times it refuses about a third and names 41% of the "
              "capitals (SFT 81%), while it names 98% on the countries it was tuned on. It learns which names were "
              "in its preference pairs more than what it knows. (2) Names one or two letters from a real country "
              "(\"Bhatan\") are refused about two times in three, the other generators about four in five. (3) An "
              "answer about an invented name almost never copies the name (3%): the model writes a real country "
              "instead (\"The capital of Bangladesh is Dhaka.\" for Bhatan); real names are copied 97% of the time. "
              "The abstention repeats no name, so it cannot garble one.",
              "- Caveat: DPO moves by 5-10 points between runs that differ only in how its batches are drawn and in "
              "its step count (this recipe's development runs at 300-450 steps: held-out abstention 67-77%, well-known "
              "capitals 80-84%), and the held-out real set is small (20 countries seen 5+ times)."]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------

def _log(msg: str) -> None:
    print(f"[gpt] {msg}", flush=True)


def main(names: list[str] | None, out_dir: Path, settings: GPTTrainSettings | None = None) -> dict:
    settings = settings or GPTTrainSettings()
    names = names or list(NAMES)
    out_dir = Path(out_dir)
    seed = settings.seed
    first = min(NAMES.index(n) for n in names)
    times: dict[str, float] = {}
    t0 = time.perf_counter()

    if first == 0:
        tokenizer = lm_module.train_tokenizer(facts.tokenizer_texts(seed), settings.model.vocab_size)
    else:
        tokenizer = lm_module.load(out_dir / NAMES[first - 1]).tokenizer
    invented = matched_invented(tokenizer, seed, settings.n_invented)
    split = facts.country_split(seed)
    real_tokens = [name_tokens(tokenizer, c.name) for c in facts.COUNTRIES]
    probe_sets = {
        "tune_countries": [c.name for c in split["tune"]],
        "heldout_countries": [c.name for c in split["heldout"]],
        "invented_tune": invented["tune"], "invented_eval": invented["eval"],
        "invented_train_shapes": facts.training_invented("train", seed),
        "mean_tokens_real": sum(real_tokens) / len(real_tokens),
        "mean_tokens_invented_tune": sum(name_tokens(tokenizer, n) for n in invented["tune"]) / len(invented["tune"]),
        "mean_tokens_invented_eval": sum(name_tokens(tokenizer, n) for n in invented["eval"]) / len(invented["eval"]),
        "token_counts_real": dict(Counter(real_tokens)),
        "token_counts_invented_eval": dict(Counter(name_tokens(tokenizer, n) for n in invented["eval"])),
    }
    sentences = facts.gpt_pretraining_documents(seed)
    blocks = pack(tokenizer, sentences, settings.block)
    times["tokenizer+data"] = time.perf_counter() - t0

    models: dict[str, LM] = {}
    # 1. pre-training
    t = time.perf_counter()
    if first == 0:
        model = lm_module.build(settings.model, tokenizer, seed)
        pretrain(model, blocks, settings.pretrain_steps, settings.pretrain_batch, settings.pretrain_lr, seed,
                 callback=lambda s, m: s % 200 == 0 and _log(f"pretrain {s} loss {m['loss']:.3f}"))
        base = LM(model, tokenizer, "gpt_base")
        lm_module.save(base, out_dir / "gpt_base")
    else:
        base = lm_module.load(out_dir / "gpt_base")
    models["gpt_base"] = base
    times["pretrain"] = time.perf_counter() - t

    # 2. supervised finetuning from the base
    t = time.perf_counter()
    if first <= 1:
        model = dpo.copy_for_training(base.model)
        supervised_finetune(model, tokenizer, facts.sft_demonstrations(seed), blocks, settings.sft_steps,
                            settings.sft_batch, settings.sft_lr, settings.sft_lm_weight, seed,
                            callback=lambda s, m: s % 50 == 0 and _log(f"sft {s} loss {m['loss']:.3f}"))
        sft = LM(model, tokenizer, "gpt_sft")
        lm_module.save(sft, out_dir / "gpt_sft")
    else:
        sft = lm_module.load(out_dir / "gpt_sft")
    models["gpt_sft"] = sft
    times["sft"] = time.perf_counter() - t

    # 3. preference tuning (DPO + supervised + LM terms) from SFT, with SFT as the frozen reference
    t = time.perf_counter()
    pairs = facts.preference_pairs(seed, invented["tune"] + facts.training_invented("train", seed))
    prepared = dpo.prepare(sft.model, tokenizer, pairs)
    model = dpo.copy_for_training(sft.model)
    history = dpo.train(model, tokenizer, prepared, settings.dpo, blocks,
                        callback=lambda s, m: s % 50 == 0 and _log(
                            f"dpo {s} loss {m['loss']:.3f} margin {m['reward_margin']:.2f} acc {m['accuracy']:.2f}"))
    dpo_lm = LM(model, tokenizer, "gpt_dpo")
    lm_module.save(dpo_lm, out_dir / "gpt_dpo")
    models["gpt_dpo"] = dpo_lm
    times["dpo"] = time.perf_counter() - t

    (out_dir / PROBE_FILE).write_text(json.dumps(probe_sets, indent=1))

    # 4. evaluation of the saved files, loaded back through from_pretrained
    t = time.perf_counter()
    loaded = {n: lm_module.load(out_dir / n) for n in NAMES}
    evaluation = evaluate(loaded, probe_sets, seed)
    evaluation["heldout"] = heldout_eval.heldout_evaluation(loaded, probe_sets, seed)
    evaluation["validation"] = heldout_eval.validation_evaluation(loaded, probe_sets, seed)
    times["evaluation"] = time.perf_counter() - t

    cfg = settings.model
    report = {
        "config": asdict(cfg), "vocab_size": len(tokenizer),
        "parameters": sum(p.numel() for p in base.model.parameters()),
        "pretrain_tokens": int((blocks >= 0).sum()), "settings": {
            "pretrain_steps": settings.pretrain_steps, "sft_steps": settings.sft_steps,
            "dpo": asdict(settings.dpo), "seed": seed},
        "stage_seconds": {k: round(v, 1) for k, v in times.items()},
        "probe_sets": probe_sets, "evaluation": evaluation,
        "dpo_history": history[:: max(1, len(history) // 50)],
        "data_examples": {"pretraining": sentences[:6], "sft": facts.sft_demonstrations(seed)[:4],
                          "preference": [asdict(p) for p in pairs[:6]]},
    }
    report["markdown"] = markdown(report)
    _log(report["markdown"])
    return report
