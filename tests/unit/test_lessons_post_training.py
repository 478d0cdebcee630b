"""lib.lessons.post_training's "What to notice", on hand-made numbers: every sentence is a computed condition."""
import pandas as pd

from lib.lessons import post_training as L

SHIPPED = L.Shipped(sft_hallucination=1.0, dpo_hallucination=0.07, sft_known=1.0, dpo_known=1.0,
                    base_greedy_hallucination=1.0, dpo_steps=300, dpo_batch=16)
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


def test_abstention_notice_needs_an_abstaining_answer_with_spread_probability():
    same = L.Row("Q", "I don't know the capital of Liene.", 0.79, 0.8)       # whole ~ first word: nothing to say
    assert len(L.notices("Liene", BASE, SFT, same, True, False, SHIPPED, None)) == 2
    assert len(L.notices("Liene", BASE, SFT, DPO_IDK, False, False, SHIPPED, None)) == 2


def test_garbled_and_shipped_branches():
    worse = L.Shipped(1.0, 0.1, 1.0, 0.65, 0.9, 300, 16)
    out = L.notices("Liene", BASE, SFT, DPO_IDK, True, True, worse, None)
    assert "spells Liene differently" in out[2]
    assert "gets only **65%**" in out[3] and "answers for 90% of invented names" in out[3]


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
