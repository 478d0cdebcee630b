"""The held-out evaluation of issue 15: invented names from generators no training data uses, asked in question
phrasings no training data uses, answers classified into three outcomes (lib/eval/answers.py).

    measure(lm, invented, known, phrasings)     # one model, any name sets and phrasings (also the validation split)
    heldout_evaluation(models, probe_sets)       # the build report's section: held-out generators and phrasings

Rates are shares of answers (0..1). Base models have no question format: they are asked in the pre-training
completion format ("The capital of X is"), phrasing "completion".
"""
from __future__ import annotations

from dataclasses import asdict

from lib.data import facts, heldout
from lib.eval.answers import OUTCOMES, classify
from lib.sampling import generate

TRAINING_PHRASING = "training phrasing"   # facts.QUESTIONS["capital"], shown for comparison only
COMPLETION = "completion"
BEFORE_FILE = "gpt_heldout_before.json"   # the shipped checkpoints' figures before issue 15, next to the models


def _prompt(name: str, phrasing: str, template: str) -> str:
    if phrasing == COMPLETION:
        return facts.completion_prompt(name)
    return heldout.FRAME.format(question=template.format(name=name))


def _rates(verdicts: list) -> dict:
    n = len(verdicts)
    out = {"n": n, **{o: sum(v.outcome == o for v in verdicts) / n if n else float("nan") for o in OUTCOMES}}
    repeats = [v for v in verdicts if v.copies_name is not None]
    out["repeats_name"] = len(repeats) / n if n else float("nan")
    out["copy_exact"] = sum(v.copies_name for v in repeats) / len(repeats) if repeats else float("nan")
    if verdicts and verdicts[0].correct is not None:
        out["accuracy"] = sum(bool(v.correct) for v in verdicts) / n
    return out


def _pool(groups: list[list]) -> list:
    return [v for g in groups for v in g]


def measure(lm, invented: dict[str, list[str]], known: dict[str, list[str]], phrasings: dict[str, str],
            max_new_tokens: int = 32, n_examples: int = 3) -> dict:
    """Greedy answers of one model to every (name, phrasing); outcome shares per phrasing and name group, pooled
    over all the given phrasings, and a few examples. `invented` and `known` map a group label to names."""
    items = [(kind, group, name, ph) for kind, sets in (("invented", invented), ("known", known))
             for group, names in sets.items() for name in names for ph in phrasings]
    prompts = [_prompt(name, ph, phrasings[ph]) for _k, _g, name, ph in items]
    outs = generate(lm, prompts, temperature=0.0, max_new_tokens=max_new_tokens, stop="sentence")
    cells: dict[tuple, list] = {}
    examples: dict[tuple, list] = {}
    for (kind, group, name, ph), prompt, out in zip(items, prompts, outs):
        v = classify(out.text, name)
        cells.setdefault((kind, group, ph), []).append(v)
        ex = examples.setdefault((kind, group), [])
        if len(ex) < n_examples * len(phrasings) and len([e for e in ex if e["phrasing"] == ph]) < n_examples:
            ex.append({"name": name, "phrasing": ph, "prompt": prompt, "answer": out.text.strip(),
                       **{k: val for k, val in asdict(v).items() if k in ("outcome", "capital", "copies_name")}})
    res: dict = {"phrasings": dict(phrasings)}
    for kind, sets in (("invented", invented), ("known", known)):
        table = {ph: {g: _rates(cells.get((kind, g, ph), [])) for g in sets} for ph in phrasings}
        by_group = {g: _rates(_pool([cells.get((kind, g, ph), []) for ph in phrasings])) for g in sets}
        by_phrasing = {ph: _rates(_pool([cells.get((kind, g, ph), []) for g in sets])) for ph in phrasings}
        res[kind] = {"table": table, "by_group": by_group, "by_phrasing": by_phrasing,
                     "pooled": _rates(_pool([cells.get((kind, g, ph), []) for g in sets for ph in phrasings]))}
    everything = _pool(list(cells.values()))
    res["copy"] = _rates(everything)
    res["examples"] = {f"{k}: {g}": ex for (k, g), ex in examples.items()}
    return res


def heldout_sets(probe_sets: dict, seed: int = 0, n_per_generator: int = 40) -> tuple[dict, dict]:
    """(invented names by held-out generator, real countries seen 5+ times: held-out ones and all of them)."""
    invented = heldout.heldout_names(seed, n_per_generator)
    held = set(probe_sets["heldout_countries"])
    known = {"held-out countries, seen 5+": [c.name for c in facts.COUNTRIES if c.name in held and c.mentions >= 5],
             "all countries, seen 5+": [c.name for c in facts.COUNTRIES if c.mentions >= 5],
             "all countries, rare (<5)": [c.name for c in facts.COUNTRIES if c.mentions < 5]}
    return invented, known


def heldout_evaluation(models: dict, probe_sets: dict, seed: int = 0, n_per_generator: int = 40) -> dict:
    """Every checkpoint on the held-out generators: SFT and DPO in the four held-out phrasings (and the training
    phrasing for comparison, kept out of the pooled held-out figures), the base model in its completion format."""
    invented, known = heldout_sets(probe_sets, seed, n_per_generator)
    out: dict = {"generators": {g: names[:5] for g, names in invented.items()},
                 "n_per_generator": n_per_generator, "heldout_phrasings": dict(heldout.HELDOUT_PHRASINGS),
                 "training_phrasing": facts.QUESTIONS["capital"]}
    for key, lm in models.items():
        if key == "gpt_base":
            out[key] = measure(lm, invented, known, {COMPLETION: "The capital of {name} is"}, max_new_tokens=16)
            out[key]["summary"] = summary(out[key], [COMPLETION])
            continue
        res = measure(lm, invented, known, dict(heldout.HELDOUT_PHRASINGS))
        ref = measure(lm, invented, known, {TRAINING_PHRASING: facts.QUESTIONS["capital"]}, n_examples=1)
        res["training_phrasing"] = {"invented": ref["invented"]["by_group"], "known": ref["known"]["by_group"],
                                    "invented_pooled": ref["invented"]["pooled"]}
        res["summary"] = summary(res, list(heldout.HELDOUT_PHRASINGS))
        out[key] = res
    return out


def summary(res: dict, phrasings: list[str]) -> dict:
    """The figures the issue's targets are stated in, pooled over the given phrasings."""
    inv = res["invented"]["pooled"]
    known = res["known"]["by_group"]
    return {"abstain_invented": inv["abstain"], "capital_invented": inv["capital"], "neither_invented": inv["neither"],
            "accuracy_heldout_seen5": known["held-out countries, seen 5+"]["accuracy"],
            "accuracy_all_seen5": known["all countries, seen 5+"]["accuracy"],
            "abstain_all_seen5": known["all countries, seen 5+"]["abstain"],
            "accuracy_rare": known["all countries, rare (<5)"]["accuracy"],
            "abstain_rare": known["all countries, rare (<5)"]["abstain"],
            "copy_exact": res["copy"]["copy_exact"], "repeats_name": res["copy"]["repeats_name"],
            "copy_exact_invented": inv["copy_exact"],
            "copy_exact_known": known["all countries, seen 5+"]["copy_exact"]}


def validation_evaluation(models: dict, probe_sets: dict, seed: int = 0) -> dict:
    """What the recipe was chosen on (never the held-out generators or phrasings): invented names of the training
    generators that no preference pair uses (facts.training_invented("validation") by generator, and the facts
    generator's never-trained 'eval' names), real 'tune' countries seen 5+ times, in facts.VALIDATION_QUESTIONS."""
    pool = facts.training_name_pool(seed)
    val = set(facts.training_invented("validation", seed))
    invented = {g: [n for n in names if n in val][:40] for g, names in pool.items()}
    invented["facts syllables (never trained)"] = probe_sets["invented_eval"][:40]
    tune = set(probe_sets["tune_countries"])
    known = {"tune countries, seen 5+": [c.name for c in facts.COUNTRIES if c.name in tune and c.mentions >= 5],
             "all countries, rare (<5)": [c.name for c in facts.COUNTRIES if c.mentions < 5]}
    out = {}
    for key, lm in models.items():
        if key == "gpt_base":
            continue
        res = measure(lm, invented, known, dict(facts.VALIDATION_QUESTIONS), n_examples=1)
        inv = res["invented"]["pooled"]
        k = res["known"]["by_group"]
        out[key] = {"abstain_invented": inv["abstain"], "capital_invented": inv["capital"],
                    "abstain_by_generator": {g: r["abstain"] for g, r in res["invented"]["by_group"].items()},
                    "accuracy_tune_seen5": k["tune countries, seen 5+"]["accuracy"],
                    "accuracy_rare": k["all countries, rare (<5)"]["accuracy"],
                    "abstain_rare": k["all countries, rare (<5)"]["abstain"],
                    "copy_exact": res["copy"]["copy_exact"]}
    return out


def _pct(x) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.0f}%"


def markdown(ev: dict, before: dict | None = None) -> list[str]:
    """The report's lines for the held-out evaluation (and the figures before issue 15, when given)."""
    ph = [p for p in heldout.HELDOUT_PHRASINGS if p in ev["heldout_phrasings"]]
    gens = [g for g in heldout.GENERATORS if g in ev["generators"]]
    lines = ["### Held-out generators and phrasings (issue 15)", "",
             f"{ev['n_per_generator']} invented names from each of three generators no training data uses: "
             + "; ".join(f"{g} (e.g. {', '.join(ev['generators'][g][:3])})" for g in gens)
             + ". Held-out phrasings, in the frame `Question: ...\\nAnswer:`: "
             + "; ".join(f"\"{ev['heldout_phrasings'][p].format(name='X')}\"" for p in ph)
             + ". Answers are greedy and classified as a capital (a real capital city or a capital-like \"The capital "
               "of X is Y\"), an abstention (\"I don't know ...\") or neither (a currency, garbled, empty, \"a.\"). "
               "Rates pool all four phrasings; the base model is asked \"The capital of X is\" instead.", "",
             "| checkpoint | invented: abstains | invented: names a capital | invented: neither | "
             "well-known capitals (seen 5+, all countries) | well-known capitals (held-out countries) | "
             "rare capitals (seen <5) | refuses well-known | answers that repeat a name | name copied exactly |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for tag, src in (("", ev), (" (before)", before or {})):
        for key in ("gpt_base", "gpt_sft", "gpt_dpo"):
            if key not in src:
                continue
            s = src[key]["summary"]
            lines.append(f"| {key}{tag} | {_pct(s['abstain_invented'])} | {_pct(s['capital_invented'])} | "
                         f"{_pct(s['neither_invented'])} | {_pct(s['accuracy_all_seen5'])} | "
                         f"{_pct(s['accuracy_heldout_seen5'])} | {_pct(s.get('accuracy_rare'))} | "
                         f"{_pct(s['abstain_all_seen5'])} | {_pct(s['repeats_name'])} | {_pct(s['copy_exact'])} |")
    for key in ("gpt_sft", "gpt_dpo"):
        if key not in ev:
            continue
        lines += ["", f"{key}: abstention on held-out invented names by generator and phrasing"
                  + (" (before issue 15 in brackets)" if before and key in before else "")
                  + "; last rows: well-known capitals (all countries seen 5+) by phrasing.", "",
                  "| generator | " + " | ".join(f"\"{ev['heldout_phrasings'][p].format(name='X')}\"" for p in ph)
                  + " | all four | training phrasing |", "|---|" + "---|" * (len(ph) + 2)]
        b = (before or {}).get(key)

        def cell(get):
            now = get(ev[key])
            if b is None:
                return _pct(now)
            try:
                return f"{_pct(now)} ({_pct(get(b))})"
            except KeyError:
                return _pct(now)

        for g in gens:
            lines.append(f"| {g} | " + " | ".join(cell(lambda r, p=p: r["invented"]["table"][p][g]["abstain"])
                                                  for p in ph)
                         + f" | {cell(lambda r: r['invented']['by_group'][g]['abstain'])} | "
                         f"{cell(lambda r: r['training_phrasing']['invented'][g]['abstain'])} |")
        lines.append("| all three | " + " | ".join(cell(lambda r, p=p: r["invented"]["by_phrasing"][p]["abstain"])
                                                    for p in ph)
                     + f" | {cell(lambda r: r['invented']['pooled']['abstain'])} | "
                     f"{cell(lambda r: r['training_phrasing']['invented_pooled']['abstain'])} |")
        grp = "all countries, seen 5+"
        lines.append("| well-known capitals | " + " | ".join(
            cell(lambda r, p=p: r["known"]["table"][p][grp]["accuracy"]) for p in ph)
            + f" | {cell(lambda r: r['known']['by_group'][grp]['accuracy'])} | "
            f"{cell(lambda r: r['training_phrasing']['known'][grp]['accuracy'])} |")
        grp = "held-out countries, seen 5+"
        lines.append("| well-known capitals, held-out countries | " + " | ".join(
            cell(lambda r, p=p: r["known"]["table"][p][grp]["accuracy"]) for p in ph)
            + f" | {cell(lambda r: r['known']['by_group'][grp]['accuracy'])} | "
            f"{cell(lambda r: r['training_phrasing']['known'][grp]['accuracy'])} |")
    if "gpt_base" in ev:
        bg = ev["gpt_base"]["invented"]["by_group"]
        lines += ["", "gpt_base, \"The capital of X is\" on held-out invented names: "
                  + "; ".join(f"{g}: capital {_pct(bg[g]['capital'])}, neither {_pct(bg[g]['neither'])}" for g in gens)
                  + " (\"neither\" is mostly \"a.\" or another country's name: not an answer)."]
    return lines


def validation_markdown(val: dict) -> list[str]:
    lines = ["", "Validation (what the recipe was chosen on; training generators' unused names and the phrasings "
             + "; ".join(f"\"{t.format(name='X')}\"" for t in facts.VALIDATION_QUESTIONS.values()) + "):", ""]
    for key, v in val.items():
        lines.append(f"- {key}: abstains {_pct(v['abstain_invented'])} ("
                     + ", ".join(f"{g} {_pct(r)}" for g, r in v["abstain_by_generator"].items())
                     + f"); tune capitals seen 5+ {_pct(v['accuracy_tune_seen5'])}; rare capitals "
                       f"{_pct(v['accuracy_rare'])}, refuses rare {_pct(v['abstain_rare'])}; name copied exactly "
                       f"{_pct(v['copy_exact'])}.")
    return lines
