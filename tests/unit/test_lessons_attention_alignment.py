"""The attention alignment lesson's "What to notice", on hand-made numbers: every branch both ways, and the edge
cases (no reference translation, a single word, every article aligned, ties in the row sums)."""
import numpy as np
import pandas as pd

from lib.data import translation as tr
from lib.lessons import attention_alignment as lesson
from lib.lessons.attention_alignment import Crossing, Numbers

HELDOUT = {"content": 0.987, "function": 0.6, "n_content": 12000,
           "articles_look_at": {"its determiner": 0.5, "its noun": 0.45, "elsewhere": 0.05}}


def test_a_single_word_without_reference_gets_the_row_sums_only():
    out = lesson.notices(Numbers(row_sums=(1.0, 1.0), n_steps=2, n_src=1))
    assert out == ["Every row of the map sums to 1 (here from 1.00 to 1.00): at each of its 2 steps the decoder "
                   "shares out one unit of attention over the 1 words."]


def test_crossing_content_articles_heldout_and_unknown():
    n = Numbers(row_sums=(0.99, 1.0), n_steps=8, n_src=7, n_unknown=1, content=(3, 4),
                articles={"its own word": [("el", "the")], "its noun": [("un", "car")]},
                crossing=Crossing("red", "car", "coche", "rojo", 0.91), heldout=HELDOUT)
    out = lesson.notices(n)
    assert "English says *red car*, Spanish *coche rojo*" in out[1] and "0.91" in out[1]
    assert "3 of 4 content words" in out[2]
    assert "1 look at their own English determiner (*el* at *the*)" in out[3]
    assert "1 at the noun" in out[3] and "nothing here looks elsewhere" in out[3]
    assert "**98.7%**" in out[4] and "elsewhere 5.0%" in out[4]
    assert out[5].startswith("1 word(s) were unknown")


def test_articles_that_look_elsewhere_are_named():
    n = Numbers(row_sums=(1.0, 1.0), n_steps=5, n_src=4, articles={"elsewhere": [("la", "sees")]})
    line = [p for p in lesson.notices(n) if p.startswith("Of the")][0]
    assert "1 elsewhere (*la* at *sees*)" in line and "nothing here looks elsewhere" not in line


def test_no_crossing_no_unknown_no_report():
    out = lesson.notices(Numbers(row_sums=(1.0, 1.0), n_steps=5, n_src=4, content=(4, 4)))
    assert len(out) == 2 and "4 of 4 content words" in out[1]  # a model 100% right on this sentence


def test_crossing_and_scores_from_a_real_pair():
    pair = tr.parse("the dog sees a red car")
    att = np.zeros((len(pair.tgt), len(pair.src)))
    att[np.arange(len(pair.tgt)), list(pair.align)] = 1.0  # perfectly aligned
    c = lesson.crossing_of(pair, att)
    assert (c.en_adj, c.en_noun, c.es_noun, c.es_adj, c.weight) == ("red", "car", "coche", "rojo", 1.0)
    assert lesson.crossing_of(tr.parse("the dog sleeps"), np.eye(3)) is None
    table = lesson.word_alignment(pair, att)
    s = lesson.scores_of(table)
    assert (s.content_right, s.content_n, s.function_valid, s.function_n, s.via_noun) == (4, 4, 2, 2, 0)
    assert lesson.articles_of(table) == {"its own word": [("el", "the"), ("un", "a")]}
    assert lesson.articles_of(pd.DataFrame(columns=table.columns)) == {}


def test_no_data_no_translation_both_ways():
    example = ("this piano has a door", "esta niña tiene una puerta", "piano", "niña")
    none = lesson.Unseen(n=100, right=0, invented=97, in_vocab=0, vocab_size=146, example=example)
    line = lesson.unseen_notice(none)
    assert "**0 of 100**" in line and "none of those Spanish words is among the 146" in line
    assert "**97 of 100**" in line and "*niña* for *piano*" in line
    some = lesson.Unseen(n=100, right=12, invented=80, in_vocab=2, vocab_size=148, example=example)
    assert "still wrote its Spanish in 12 of 100" in lesson.unseen_notice(some)
    n = Numbers(row_sums=(1.0, 1.0), n_steps=2, n_src=1, unseen=none)
    assert lesson.notices(n)[-1] == line


def test_unseen_words_are_really_unseen_and_never_translated():
    from lib.models import registry

    vocab = registry.load("seq2seq_attn").vocab
    assert not any(en in vocab.src_stoi or es in vocab.tgt_stoi for en, es in lesson.UNSEEN)
    u = lesson.unseen_words_of(n=10)
    assert u.n == 10 and u.right == 0 and u.in_vocab == 0 and u.example[2] in u.example[0]
