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
