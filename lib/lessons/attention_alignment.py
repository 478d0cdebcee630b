"""Everything the attention alignment page (app_pages/attention_alignment.py) computes: the attention model's
translation and weights for any sentence, the attention map, where each output word looks against the grammar's
true alignment (one sentence, teacher-forced; and the held-out figures of the training report), and the page's
"What to notice" (`notices`, a pure function of those numbers). No Streamlit.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.charts import sequence as sc
from lib.data import translation as tr
from lib.models import registry, seq2seq_eval
from lib.models.seq2seq_eval import Translation

MODEL = "seq2seq_attn"
END_ROW = "\u27e8end\u27e9"


def context_similarity(t: Translation, k: int) -> np.ndarray:
    """Cosine similarity of step k's context vector with the encoder state at each source word: the context
    is a weighted average of those states, so it resembles most the one with the largest weight."""
    c = t.steps[k].context
    a = t.annotations
    if c.shape[0] != a.shape[1]:
        raise ValueError("this model has no attention: its context is the bridge, not an average of states")
    return (a @ c) / (np.linalg.norm(a, axis=1) * np.linalg.norm(c) + 1e-12)


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


def weights_spec(weights: tuple[float, ...], src: tuple[str, ...], true_index: int | None, title: str, height: int,
                 projector: bool) -> dict:
    """One step's attention weights as bars (`sc.weights_bars`), a finished Vega-Lite spec (cached by the page)."""
    from lib import charts

    return charts.finished_spec(sc.weights_bars(np.asarray(weights), list(src), true_index=true_index).properties(
        title=title, height=height), projector)


def translate_of(words: tuple[str, ...]) -> Translation:
    """`seq2seq_eval.translate` with the attention model."""
    return seq2seq_eval.translate(registry.load(MODEL), words)


def reference_attention_of(pair: tr.Pair) -> np.ndarray:
    """`seq2seq_eval.teacher_forced_attention` of the attention model on `pair`."""
    return seq2seq_eval.teacher_forced_attention(registry.load(MODEL), pair)


def output_rows(t: Translation) -> list[str]:
    """The attention map's row labels: the output words, and the end marker when the model wrote it."""
    return t.out + ([END_ROW] if t.finished else [])


def attention_spec_of(words: tuple[str, ...], true_align: tuple[int, ...] | None, projector: bool) -> dict:
    """The attention map of a sentence in the house style, as a Vega-Lite spec without the step outline (built
    once per sentence; the page adds the current step's outline to the spec)."""
    t = translate_of(words)
    rows = output_rows(t)
    crossing = tr.crossing_rows(tr.parse(list(words))) if true_align else None
    # on the projector (1280x720) the whole map must fit one screen: cells shrink with the number of rows
    fit = 430 // max(len(rows), 1) if projector else 1000 // max(len(t.src), 1)
    cell = max(16, min(44 if projector else 34, fit, 1000 // max(len(t.src), 1)))
    return sc.attention_map(t.attention, t.src, rows, true_align=list(true_align) if true_align else None,
                            crossing=crossing, annotate=len(t.src) <= 16 and cell >= 28, cell=cell,
                            projector=projector)


def step_text(t: Translation, k: int) -> str:
    """Step k (0-based): the word attended most, and how close the context vector is to that word's state."""
    s = t.steps[k]
    top = int(s.weights.argmax())
    sim = context_similarity(t, k)
    others = float(np.median(np.delete(sim, top))) if len(sim) > 1 else float("nan")
    return (f"Most attended: **{t.src[top]}** ({s.weights[top]:.2f}). The context vector it reads "
            f"is the weighted average of the {len(t.src)} encoder states ({s.context.shape[0]} numbers), "
            + (f"so it is close to the state of *{t.src[top]}*, with cosine similarity "
               if s.weights[top] >= 0.5 else
               f"spread over several words; its cosine similarity with the state of *{t.src[top]}* is ")
            + f"**{sim[top]:.2f}**, against {others:.2f} (median) for the other words.")


# ------------------------------------------------------------------------------- no data, no translation
# English nouns that are not in the grammar, with their Spanish: no training sentence has either
UNSEEN = (("piano", "piano"), ("chair", "silla"), ("lamp", "lámpara"), ("bottle", "botella"), ("pencil", "lápiz"))


@dataclass(frozen=True)
class Unseen:
    """One noun of each of `n` sentences replaced by an English word the model never saw (UNSEEN)."""
    n: int
    right: int  # sentences where the model wrote the word's Spanish in its place
    invented: int  # sentences where it wrote a Spanish noun it knows instead (a fluent wrong answer)
    in_vocab: int  # how many of the UNSEEN Spanish words are among the words the model can write at all
    vocab_size: int  # the Spanish words it can write
    example: tuple[str, str, str, str]  # English sentence, the model's Spanish, the unseen word, what it wrote


def unseen_words_of(n: int = 100, seed: int = 0) -> Unseen:
    """Measure "no data, no translation": in `n` random sentences of the grammar, one singular noun is replaced by
    an English word no training sentence contains; count what the attention model writes in its place."""
    model = registry.load(MODEL)
    rng = random.Random(seed)
    singular = {noun[0] for noun in tr.NOUNS}
    known_nouns = {w for noun in tr.NOUNS for w in noun[2:4]}
    right = invented = 0
    example = None
    for i in range(n):
        while True:
            pair = tr.random_pair(rng, 1)
            spots = [j for j, pos in enumerate(pair.pos) if pos == "noun" and pair.src[pair.align[j]] in singular]
            if spots:
                break
        j = rng.choice(spots)
        en, es = UNSEEN[i % len(UNSEEN)]
        src = list(pair.src)
        src[pair.align[j]] = en
        t = seq2seq_eval.translate(model, tuple(src))
        written = t.out[j] if j < len(t.out) else "-"
        right += written == es
        invented += written in known_nouns
        example = example or (" ".join(src), " ".join(t.out), en, written)
    vocab = model.vocab.tgt_itos[4:]  # after the special tokens
    return Unseen(n=n, right=right, invented=invented, in_vocab=sum(es in vocab for _en, es in UNSEEN),
                  vocab_size=len(vocab), example=example)


def unseen_notice(u: Unseen) -> str:
    """"If there is no Spanish in the training data, the model cannot translate": the measured numbers."""
    sentence, spanish, word, wrote = u.example
    if u.right == 0:
        return (f"No data, no translation: with one noun replaced by a word no training sentence has (*piano*, "
                f"*chair*, ...), the model wrote its Spanish in **0 of {u.n}** sentences: "
                + (f"none of those Spanish words is among the {u.vocab_size} it can write. " if u.in_vocab == 0 else
                   "")
                + f"In **{u.invented} of {u.n}** it wrote a Spanish noun it knows instead, fluently and wrongly "
                  f"(*{sentence}* \u2192 *{spanish}*: *{wrote}* for *{word}*).")
    return (f"With one noun replaced by a word no training sentence has, the model still wrote its Spanish in "
            f"{u.right} of {u.n} sentences: {u.in_vocab} of those Spanish words are among the {u.vocab_size} it "
            f"can write, so the data did hold them.")


# ------------------------------------------------------------------------------------------ what to notice
@dataclass
class Crossing:
    """One adjective-noun swap: English `en_adj en_noun`, Spanish `es_noun es_adj`, and the attention the model
    puts on the English adjective when writing the Spanish one."""
    en_adj: str
    en_noun: str
    es_noun: str
    es_adj: str
    weight: float


def crossing_of(pair: tr.Pair, attention: np.ndarray) -> Crossing | None:
    """The first adjective-noun crossing of `pair` with its teacher-forced attention, or None."""
    rows = [j for j in tr.crossing_rows(pair) if pair.pos[j] == "adj"]
    if not rows:
        return None
    j = rows[0]
    return Crossing(en_adj=pair.src[pair.align[j]], en_noun=pair.src[pair.align[j] + 1], es_noun=pair.tgt[j - 1],
                    es_adj=pair.tgt[j], weight=float(attention[j, pair.align[j]]))


@dataclass
class Numbers:
    """Everything the notices are written from (plain numbers, so that tests can make them by hand)."""
    row_sums: tuple[float, float]  # smallest and largest row sum of the attention map
    n_steps: int
    n_src: int
    n_unknown: int = 0
    content: tuple[int, int] | None = None  # this sentence: content words aligned, of (None: no reference)
    articles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # "its own word" / "its noun" /
    #                                               "elsewhere" -> (Spanish article, the English word it looks at)
    crossing: Crossing | None = None
    heldout: dict | None = None  # the training report's alignment section, if there is one
    unseen: Unseen | None = None  # words never seen in training, measured (unseen_words_of)


@dataclass
class Scores:
    """One sentence, teacher-forced: content words aligned to their true word, and function words aligned (their
    own word, or for an article its noun)."""
    content_right: int
    content_n: int
    function_valid: int
    function_n: int
    via_noun: int  # articles that look at their noun


def scores_of(table: pd.DataFrame) -> Scores:
    content, function = table[table["kind"] == "content"], table[table["kind"] == "function"]
    return Scores(content_right=int(content["match"].sum()), content_n=len(content),
                  function_valid=int(function["valid"].sum()), function_n=len(function),
                  via_noun=int((function["looks at"] == "its noun").sum()))


def articles_of(table: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    dets = table[table["pos"] == "det"]
    return {kind: list(zip(g["target"], g["most attended"])) for kind, g in dets.groupby("looks at", sort=False)}


def notices(n: Numbers) -> list[str]:
    """The page's "What to notice", from the numbers."""
    lo, hi = n.row_sums
    out = [f"Every row of the map sums to 1 (here from {lo:.2f} to {hi:.2f}): at each of its {n.n_steps} steps the "
           f"decoder shares out one unit of attention over the {n.n_src} words."]
    if c := n.crossing:
        out.append(f"The crossing: English says *{c.en_adj} {c.en_noun}*, Spanish *{c.es_noun} {c.es_adj}*. When "
                   f"writing **{c.es_adj}** the model puts {c.weight:.2f} of its attention on **{c.en_adj}**, which "
                   f"comes before the noun in English: the line of weights crosses.")
    if n.content and n.content[1]:
        out.append(f"In this sentence {n.content[0]} of {n.content[1]} content words (nouns, adjectives, verbs) "
                   f"attend most to their true source word.")
    total = sum(len(v) for v in n.articles.values())
    if total:
        def listing(kind):
            return ", ".join(f"*{a}* at *{b}*" for a, b in n.articles.get(kind, []))
        parts = []
        if n.articles.get("its own word"):
            parts.append(f"{len(n.articles['its own word'])} look at their own English determiner "
                         f"({listing('its own word')})")
        if n.articles.get("its noun"):
            parts.append(f"{len(n.articles['its noun'])} at the noun whose gender and number they must copy "
                         f"({listing('its noun')})")
        if n.articles.get("elsewhere"):
            parts.append(f"{len(n.articles['elsewhere'])} elsewhere ({listing('elsewhere')})")
        out.append(f"Of the {total} articles, " + "; ".join(parts) + ". Looking at the noun is a valid "
                   "alignment too (\u201cits noun\u201d in the table), and is counted as aligned above"
                   + (": nothing here looks elsewhere." if not n.articles.get("elsewhere") else "."))
    if al := n.heldout:
        looks = al["articles_look_at"]
        out.append(f"On {al['n_content']:,} held-out content words, the most-attended source word is the true "
                   f"one **{al['content']:.1%}** of the time; for function words, their own English word "
                   f"{al['function']:.1%}. Spanish articles look most at their own English determiner "
                   f"{looks['its determiner']:.1%} of the time, at their noun {looks['its noun']:.1%}, elsewhere "
                   f"{looks['elsewhere']:.1%}.")
    if n.n_unknown:
        out.append(f"{n.n_unknown} word(s) were unknown to the model; it still puts attention on them, but it "
                   f"has no Spanish word for them, so its output there is a guess from context.")
    if n.unseen is not None:
        out.append(unseen_notice(n.unseen))
    return out
