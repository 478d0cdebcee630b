"""lib.lessons.post_training's "What to notice", on hand-made numbers: every sentence is a computed condition."""
import pandas as pd

from lib.lessons import post_training as L

SHIPPED = L.Shipped(sft_capital=1.0, dpo_capital=0.07, dpo_abstain=0.9, sft_known=1.0, dpo_known=1.0,
                    base_capital=0.1, base_abstain=0.0, dpo_steps=300, dpo_batch=16)
BASE = L.Row("The capital of Liene is", "Paris.", 0.2, 0.01)
SFT = L.Row("Question: ...", "The capital of Liene is Rome.", 0.3, 0.02)
DPO_IDK = L.Row("Question: ...", "I don't know the capital of Liene.", 0.1, 0.8)


def scores(invented, known, refused=0.0, wrong=None, rare=0.3, rare_refused=0.0):
    return {L.INVENTED: invented, L.KNOWN: known, L.REFUSED: refused,
            L.WRONG: 1 - known - refused if wrong is None else wrong, L.RARE: rare, L.RARE_REFUSED: rare_refused}


def live(before, after, steps=30):
    return L.Live(steps, 8, 1.2, 0.6, 0.0, 0.8, before, after)


def test_before_any_run():
    out = L.notices("Liene", BASE, SFT, DPO_IDK, True, False, SHIPPED, None)
    assert len(out) == 3
    assert "**0.800** after DPO against 0.020 after SFT" in out[0]
    assert "has probability 0.100 although its first word has 0.800" in out[1]
    assert "still gets **100%**" in out[2] and "never says it does not know" in out[2]
    # the base model's "a." is neither, not an answer (issue 15)
    assert "names a capital for 10% of invented names; the other 90% are *neither*" in out[2]
    assert "the DPO checkpoint **7%** (it abstains on 90%)" in out[2]


def test_abstention_notice_needs_an_abstaining_answer_with_spread_probability():
    same = L.Row("Q", "I don't know the capital of Liene.", 0.79, 0.8)       # whole ~ first word: nothing to say
    assert len(L.notices("Liene", BASE, SFT, same, True, False, SHIPPED, None)) == 2
    assert len(L.notices("Liene", BASE, SFT, DPO_IDK, False, False, SHIPPED, None)) == 2


def test_garbled_and_shipped_branches():
    worse = L.Shipped(1.0, 0.1, 0.5, 1.0, 0.65, 0.7, 0.1, 300, 16)
    out = L.notices("Liene", BASE, SFT, DPO_IDK, True, True, worse, None)
    assert "spells Liene differently" in out[2]
    assert "gets only **65%**" in out[3] and "says it does not know for 10%" in out[3]
    assert "names a capital for 70% of invented names (20% neither)." in out[3] and "never says" not in out[3]


def test_a_short_run_that_hurts_knowledge_is_explained_with_its_numbers():
    # issue 16: the default run took well-known accuracy from 100% to 35%, unexplained
    out = L.notices("Liene", BASE, SFT, DPO_IDK, True, False, SHIPPED,
                    live(scores(0.0, 1.0), scores(0.75, 0.35, refused=0.3)))
    why = next(p for p in out if p.startswith("**Why the well-known countries suffer.**"))
    assert "30% are now refused and 35% answered wrongly or with a garbled name" in why
    assert "Your run saw 240 pairs, 5% of the shipped checkpoint's 4,800" in why
    assert "ended with 100% of them right" in why
    assert "**0% \u2192 75%**" in out[-2] and "**100% \u2192 35%**" in out[-2]


def test_a_run_that_keeps_knowledge_and_one_that_teaches_nothing():
    good = L.notices("Liene", BASE, SFT, DPO_IDK, True, False, SHIPPED, live(scores(0.0, 1.0), scores(0.6, 0.95)))
    assert "went well this time" in good[-1] and not any("Why the well-known" in p for p in good)
    flat = L.notices("Liene", BASE, SFT, DPO_IDK, True, False, SHIPPED, live(scores(0.0, 1.0), scores(0.0, 1.0)))
    assert "did not teach it to abstain" in flat[-1]
    assert not any("went well" in p or "Why the well-known" in p for p in flat)


def test_model_100_percent_right_before_and_after_single_step():
    out = L.notices("France", BASE, SFT, SFT, False, False, SHIPPED,
                    L.Live(1, 8, 0.7, 0.7, 0.0, 0.0, scores(0.0, 1.0), scores(0.0, 1.0)))
    assert "from **0.700** to **0.700**" in out[-2]


def test_live_charts_use_labelled_axes_and_readable_legends():
    hist = pd.DataFrame([{"step": s, "loss": 1.0 / s, "dpo_loss": 0.7, "chosen_reward": 0.1 * s,
                          "rejected_reward": -0.1 * s, "accuracy": 0.5, "reward_margin": 0.2 * s} for s in (1, 2)])
    loss, rewards, ranked = (c.to_dict() for c in L.live_charts(hist, False))
    progress = L.progress_chart(hist, True).to_dict()        # the chart redrawn while training (issue 16: dpo_loss)
    for spec in (loss, rewards, ranked, progress):
        assert spec["encoding"]["y"]["title"]
        metrics = {row["metric"] for row in next(iter(spec["datasets"].values()))}
        assert metrics <= set(L.LIVE_LABELS.values()), metrics    # no raw names such as dpo_loss
    assert "reward" in rewards["encoding"]["y"]["title"] and ranked["encoding"]["y"]["axis"]["format"] == "%"
    assert {r["metric"] for r in next(iter(rewards["datasets"].values()))} == {"chosen answer", "rejected answer"}


def test_live_settings_follow_the_checkbox():
    on, off = L.live_settings(0.1, 30, 1e-3, True), L.live_settings(0.1, 30, 1e-3, False)
    assert (on.scope, on.sft_weight, on.lm_weight) == ("decision", 2.0, 2.0)
    assert (off.scope, off.sft_weight, off.lm_weight) == ("full", 0.0, 0.0)


# ---------------------------------------------------------------------- does "I don't know" generalise? (issue 15)
def held(**kw):
    base = dict(abstain=0.69, by_generator={"new syllables": 0.72, "two words": 0.86, "near a real country": 0.49},
                known=0.63, known_by_phrasing={"Name the capital of X.": 0.55, "X's capital is which city?": 0.48},
                known_training=0.90, heldout_training=0.70, heldout_refused_training=0.15, copy_exact=0.62,
                copy_known=0.85, copy_invented=0.0, heldout_training_before=0.95, heldout_refused_training_before=0.05)
    base.update(kw)
    return L.HeldOut(**base)


def test_heldout_notices_say_where_it_breaks():
    out = L.heldout_notices(held())
    assert len(out) == 5
    assert "DPO abstains on **69%**, short of the 80% target" in out[0]
    assert "It breaks on **near a real country** names: abstains on **49%** of them against 86% for two words" in out[1]
    assert ("right **90%** of the time in a phrasing it was trained on but **63%** over the four new ones, down to "
            "**48%** for \u201cX's capital is which city?\u201d") in out[2]
    assert ("capitals fell from **95%** in the first build, before its finetuning data had many phrasings and name "
            "shapes, to **70%**; it refuses 15% of them (was 5%)") in out[3]
    assert "copy it exactly **62%** of the time (real countries 85%, invented names 0%; target 95%)" in out[4]


def test_heldout_notices_when_it_generalises():
    out = L.heldout_notices(held(abstain=0.85, by_generator={"new syllables": 0.85, "two words": 0.9,
                                                             "near a real country": 0.8},
                                 known=0.92, known_by_phrasing={"Name the capital of X.": 0.9}, heldout_training=0.93,
                                 copy_exact=0.97))
    assert "DPO abstains on **85%**: the target (80%) is met." in out[0]
    assert "The three name generators fare alike (80% for near a real country to 90% for two words)." == out[1]
    assert "Well-known capitals stay right in new phrasings: **92%** over the four" in out[2]
    assert "kept their capitals (95% before, 93% now)" in out[3]
    assert out[4] == "Answers that repeat the country's name copy it exactly 97% of the time."


def test_heldout_notices_low_knowledge_everywhere_is_not_called_a_phrasing_effect():
    # below target but the training phrasing is as bad as the new ones: no "does not carry over" claim
    out = L.heldout_notices(held(known=0.6, known_training=0.62, known_by_phrasing={"Name the capital of X.": 0.58}))
    assert "stay right in new phrasings" in out[2]


def test_heldout_notices_without_before_figures():
    out = L.heldout_notices(held(heldout_training_before=None, heldout_refused_training_before=None))
    assert len(out) == 4 and not any("before" in x for x in out)


def test_heldout_frame_and_numbers_from_a_report():
    cell = lambda a, acc=None: {"abstain": a, "accuracy": acc, "capital": 0.0, "neither": 0.0, "n": 1}
    gens = ["new syllables", "two words", "near a real country"]
    ph = {"which city": "Which city is the capital of {name}?", "capital city": "What is the capital city of {name}?"}
    known = {L.KNOWN_ALL: cell(0.1, 0.8), L.KNOWN_HELD: cell(0.2, 0.5)}
    inv = {g: cell(0.5 + 0.1 * i) for i, g in enumerate(gens)}
    g = {"invented": {"table": {k: inv for k in ph}, "by_phrasing": {k: cell(0.6) for k in ph},
                      "by_group": inv, "pooled": cell(0.6)},
         "known": {"table": {k: known for k in ph}, "by_group": known},
         "training_phrasing": {"invented": inv, "invented_pooled": cell(0.55), "known": known},
         "summary": {"abstain_invented": 0.6, "accuracy_all_seen5": 0.8, "copy_exact": 0.5, "copy_exact_known": 0.9,
                     "copy_exact_invented": 0.0}}
    rep = {"evaluation": {"heldout": {"generators": {x: [] for x in reversed(gens)}, "heldout_phrasings": ph,
                                      "training_phrasing": "What is the capital of {name}?", "gpt_dpo": g}}}
    frame = L.heldout_frame(rep)
    assert list(frame["phrasing"]) == ["What is the capital city of X?", "Which city is the capital of X?",
                                       "all four held-out phrasings", "What is the capital of X? (trained)"]
    assert list(frame.columns[1:4]) == gens and frame[L.KNOWN_HELD].tolist() == [0.5] * 4
    before = {"gpt_dpo": {"training_phrasing": {"known": {L.KNOWN_HELD: cell(0.1, 0.9)}}}}
    n = L.heldout_numbers(rep, before)
    assert n.heldout_training_before == 0.9 and n.heldout_training == 0.5 and n.by_generator["two words"] == 0.6
    assert L.heldout_numbers(rep, None).heldout_training_before is None


def test_heldout_tables_in_percent():
    cell = lambda a, acc=None: {"abstain": a, "accuracy": acc}
    gens = ["new syllables", "two words", "near a real country"]
    ph = {"which city": "Which city is the capital of {name}?"}
    known = {L.KNOWN_ALL: cell(0.1, 0.8), L.KNOWN_HELD: cell(0.2, 0.5)}
    inv = {g: cell(0.5) for g in gens}
    g = {"invented": {"table": {"which city": inv}, "by_phrasing": {"which city": cell(0.5)}, "by_group": inv,
                      "pooled": cell(0.5)},
         "known": {"table": {"which city": known}, "by_group": known},
         "training_phrasing": {"invented": inv, "invented_pooled": cell(0.25), "known": known}}
    rep = {"evaluation": {"heldout": {"generators": {x: [] for x in gens}, "heldout_phrasings": ph,
                                      "training_phrasing": "What is the capital of {name}?", "gpt_dpo": g}}}
    abstain, known_t = L.heldout_tables(rep)
    assert list(abstain.columns) == ["phrasing", *gens, "all three"] and abstain["all three"].tolist() == [50, 50, 25]
    assert known_t.iloc[:, 1].tolist() == [80, 80, 80] and known_t.iloc[:, 2].tolist() == [50, 50, 50]


def test_the_default_country_is_an_invented_name_the_shipped_dpo_abstains_on():
    """Section 2 opens on the typical case: an invented name (never seen) on which DPO says "I don't know"; on most
    held-out invented names it does (REPORT.md), and the list keeps those it answers."""
    from lib import sampling
    from lib.data import facts
    from lib.models import probes, registry

    rep = L.load_report()
    name = L.default_option(rep)
    assert f"{name} (invented, never seen)" in L.country_options(rep)
    out = sampling.generate(registry.load("gpt_dpo"), [probes.checkpoint_prompt("gpt_dpo", name, "capital")],
                            temperature=0.0, max_new_tokens=12)[0]
    assert facts.is_abstention(out.text), out.text
    first = [o for o in L.country_options(rep) if "(invented" in o][0].split(" (")[0]
    table = L.compare(first)   # the first invented option, which DPO answers in this build: still offered
    assert first == name or not facts.is_abstention(table.iloc[2]["answer"])


def test_the_default_country_falls_back_to_the_first_invented_name(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(L.sampling, "generate",
                        lambda lm, prompts, **kw: [SimpleNamespace(text=" The capital of X is Y.") for _ in prompts])
    rep = L.load_report()
    first = [o for o in L.country_options(rep) if "(invented" in o][0].split(" (")[0]
    assert L.default_option(rep) == first


def _heldout_report(dpo_acc: float, sft_acc: float, refused: float) -> dict:
    return {"evaluation": {"heldout": {
        "gpt_dpo": {"summary": {"accuracy_heldout_seen5": dpo_acc},
                    "known": {"by_group": {"held-out countries, seen 5+": {"abstain": refused}}}},
        "gpt_sft": {"summary": {"accuracy_heldout_seen5": sft_acc}}}}}


def test_the_caution_says_when_dpo_loses_the_countries_it_was_not_tuned_on():
    text = L.caution(_heldout_report(0.41, 0.81, 0.375))
    assert "only **41%**" in text and "81% after SFT" in text and "refuses 38%" in text
    kept = L.caution(_heldout_report(0.78, 0.81, 0.05))
    assert "still names 78%" in kept and "caution" not in kept
    assert "no held-out figures" in L.caution({})
    assert "only **" in L.caution_of()   # the shipped build: 41% against 81%


def test_a_quoted_answer_that_ends_its_sentence_gets_no_second_full_stop():
    """"... and DPO “I don't know that country.”." read as a typo on the projector: the full stop after the
    quotation is dropped when the answer ends with one, kept when it does not."""
    ends = L.Row("Q", "I don't know that country.", 0.99, 0.99)
    bare = L.Row("Q", "Vilnius", 0.5, 0.0)
    assert "country.\u201d The probability" in L.notices("Liene", BASE, SFT, ends, True, False, SHIPPED, None)[0]
    assert "Vilnius\u201d. The probability" in L.notices("Liene", BASE, SFT, bare, False, False, SHIPPED, None)[0]


def test_a_real_country_dpo_gets_wrong_or_refuses_is_named():
    """A lecturer who picks France saw DPO answer "The capital of France is euro." and a page that said nothing."""
    wrong = L.real_country_notices("France", "The capital of France is Paris.", "The capital of France is euro.")
    assert len(wrong) == 1 and "**wrong**" in wrong[0] and "is Paris, and SFT got it right" in wrong[0]
    refused = L.real_country_notices("France", "The capital of France is Lyon.", "I don't know that country.")
    assert "**refuses** France" in refused[0] and "SFT got it wrong too" in refused[0]
    assert L.real_country_notices("France", "The capital of France is Paris.", "The capital of France is Paris.") == []
    assert L.real_country_notices("Liene", "The capital of Liene is Rome.", "The capital of Liene is Rome.") == []
