"""The seq2seq model (small configs), its save/load, the training loop, the evaluation and lessons, and the shipped models against
the thresholds of the models issue (on a held-out sample)."""
import json

import numpy as np
import pytest
import torch

from lib.lessons import attention_alignment as attention_lesson
from lib.lessons import seq2seq_bottleneck as bottleneck_lesson
from lib.models import seq2seq_eval
from lib.data import translation as tr
from lib.errors import ModelUnavailable
from lib.models import registry
from lib.models import seq2seq as s2s
from lib.train import seq2seq_train as st


def tiny(attention: bool) -> s2s.Seq2Seq:
    torch.manual_seed(0)
    vocab = st.make_vocab()
    model = s2s.Seq2Seq(s2s.Seq2SeqConfig(len(vocab.src_itos), len(vocab.tgt_itos), emb_dim=8, hidden=12,
                                          attention=attention, attn_dim=10))
    model.vocab = vocab
    return model.eval()


@pytest.mark.parametrize("attention", [False, True])
def test_forward_shapes_and_attention_only_when_asked(attention):
    model = tiny(attention)
    src, tgt_in, _ = st.batch_tensors(tr.generate(4, seed=0, max_len=6)[:1] * 3, model.vocab)
    logits = model(src, tgt_in)
    assert logits.shape == (3, tgt_in.shape[1], len(model.vocab.tgt_itos))
    assert not any(isinstance(v, torch.Tensor) and v.dim() == 3 for v in vars(model).values())
    logits2, weights = model(src, tgt_in, return_attention=True)
    assert torch.allclose(logits, logits2)
    if attention:
        assert weights.shape == (3, tgt_in.shape[1], src.shape[1])
        assert torch.allclose(weights.sum(-1), torch.ones(3, tgt_in.shape[1]), atol=1e-5)
    else:
        assert weights is None


def test_padding_is_masked_and_does_not_change_the_result():
    model = tiny(True)
    short, long_ = tr.parse("the dog sleeps"), tr.parse("the big dog sees a red car")
    v = model.vocab
    src = torch.tensor([v.encode_src(long_.src), v.encode_src(short.src) + [0] * 4])
    lengths = torch.tensor([7, 3])
    tgt_in = torch.tensor([[2] + v.encode_tgt(long_.tgt), [2] + v.encode_tgt(short.tgt) + [0] * 4])
    with torch.inference_mode():
        logits, weights = model(src, tgt_in, src_lengths=lengths, return_attention=True)
        alone, w_alone = model(src[1:, :3], tgt_in[1:, :4], return_attention=True)
    assert torch.all(weights[1, :, 3:] == 0)
    assert torch.allclose(logits[1, :4], alone[0], atol=1e-5)
    assert torch.allclose(weights[1, :4, :3], w_alone[0], atol=1e-5)


@pytest.mark.parametrize("attention", [False, True])
def test_training_lowers_the_loss(attention):
    torch.set_num_threads(1)
    cfg = st.TrainConfig(hidden=16, attention=attention, steps=200, batch_size=16, emb_dim=8, lr=1e-2)
    losses = []
    st.train(cfg, lambda step, m: losses.append(m["loss"]), pairs=tr.generate(400, seed=2, max_len=8))
    cfg.steps = 1
    first = []
    st.train(cfg, lambda step, m: first.append(m["loss"]), pairs=tr.generate(400, seed=2, max_len=8))
    assert losses[-1] < 0.8 * first[0]


@pytest.mark.parametrize("attention", [False, True])
def test_save_load_round_trip(tmp_path, attention):
    model = tiny(attention)
    s2s.save(model, model.vocab, tmp_path / "m")
    loaded = s2s.load(tmp_path / "m")
    src = torch.tensor([model.vocab.encode_src("the dog sleeps".split())])
    with torch.inference_mode():
        assert torch.equal(model.greedy(src, max_len=5), loaded.greedy(src, max_len=5))
    assert loaded.vocab.tgt_itos == model.vocab.tgt_itos


def test_broken_files_raise_model_unavailable_naming_the_file(tmp_path):
    model = tiny(True)
    folder = tmp_path / "seq2seq_attn"
    s2s.save(model, model.vocab, folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelUnavailable) as err:
        s2s.load(folder)
    assert "model.safetensors" in str(err.value) and "python -m lib.train seq2seq_attn" in str(err.value)
    s2s.save(model, model.vocab, folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["hidden"] = 99
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelUnavailable, match="do not match"):
        s2s.load(folder)
    (folder / "vocab.json").unlink()
    with pytest.raises(ModelUnavailable) as err:
        s2s.load(folder)
    assert "vocab.json" in str(err.value)


def test_translate_keeps_every_step():
    model = tiny(True)
    t = seq2seq_eval.translate(model, ["the", "dog", "zebra"])
    assert t.unknown == [False, False, True]
    assert len(t.steps) <= 3 + 5 and t.attention.shape == (len(t.steps), 3)
    assert np.allclose(t.attention.sum(1), 1, atol=1e-5)
    assert all(s.top[0][1] >= s.top[-1][1] for s in t.steps)
    assert t.bridge.shape == (12,) and t.annotations.shape == (3, 24)
    k = 0
    expected = (t.steps[k].weights[:, None] * t.annotations).sum(0)  # the context is the weighted average
    np.testing.assert_allclose(t.steps[k].context, expected, rtol=1e-4, atol=1e-6)
    sim = attention_lesson.context_similarity(t, k)
    assert sim.shape == (3,) and np.all(np.abs(sim) <= 1 + 1e-6)
    with pytest.raises(ValueError):
        seq2seq_eval.translate(model, [])
    with pytest.raises(ValueError, match="no attention"):
        attention_lesson.context_similarity(seq2seq_eval.translate(tiny(False), ["the", "dog"]), 0)


def test_word_alignment_checks_shapes():
    p = tr.parse("the man sees the red car")
    perfect = np.eye(len(p))[list(p.align)]
    table = attention_lesson.word_alignment(p, perfect)
    assert table["match"].all() and table["valid"].all() and set(table["looks at"]) == {"its own word"}
    # the first article ("el") looking at its noun ("man") is a valid alignment of its own kind
    noun_look = perfect.copy()
    noun_look[0] = np.eye(len(p))[p.src.index("man")]
    table = attention_lesson.word_alignment(p, noun_look)
    assert table["looks at"][0] == "its noun" and table["valid"][0] and not table["match"][0]
    wrong = perfect.copy()
    wrong[0] = np.eye(len(p))[p.src.index("sees")]
    table = attention_lesson.word_alignment(p, wrong)
    assert table["looks at"][0] == "elsewhere" and not table["valid"][0]
    with pytest.raises(ValueError, match="shape"):
        attention_lesson.word_alignment(p, perfect[:-1])


def test_timing_counts_sequential_steps():
    df = bottleneck_lesson.time_sequential_vs_parallel([4, 16], dim=8, repeats=1)
    assert set(df["sequential steps"]) == {4, 16, 1}
    assert (df["ms"] > 0).all()


# ------------------------------------------------------------------------------------ the shipped models
@pytest.fixture(scope="module")
def heldout():
    return seq2seq_eval.fresh_heldout(240, seed=123)


@pytest.fixture(scope="module")
def scores(heldout):
    torch.set_num_threads(1)
    return {name: seq2seq_eval.evaluate(registry.load(name), heldout) for name in ("seq2seq_small", "seq2seq_attn")}


def test_attention_model_holds_up_on_long_sentences(scores):
    attn = scores["seq2seq_attn"]
    short, longest = attn[tr.BUCKETS[0]]["exact_match"], attn[tr.BUCKETS[-1]]["exact_match"]
    assert short >= 0.90
    assert longest >= short - 0.10


def test_no_attention_model_falls_apart_on_long_sentences(scores):
    small, attn = scores["seq2seq_small"], scores["seq2seq_attn"]
    assert small[tr.BUCKETS[0]]["exact_match"] >= 0.85
    assert small[tr.BUCKETS[-1]]["exact_match"] <= attn[tr.BUCKETS[-1]]["exact_match"] - 0.30


def test_attention_aligns_content_words(heldout):
    result = seq2seq_eval.alignment_accuracy(registry.load("seq2seq_attn"), heldout[:120])
    assert result["content"] >= 0.95
    assert 0 <= result["function"] <= 1 and abs(sum(result["articles_look_at"].values()) - 1) < 1e-9


def test_trainer_main_writes_models_and_a_report_also_for_one_model(tmp_path, monkeypatch):
    import dataclasses

    tiny_cfgs = {name: dataclasses.replace(cfg, hidden=8, emb_dim=4, steps=3, curriculum_steps=0, batch_size=8)
                 for name, cfg in st.CONFIGS.items()}
    monkeypatch.setattr(st, "CONFIGS", tiny_cfgs)
    report = st.main(None, tmp_path)
    (tmp_path / "report_seq2seq.json").write_text(json.dumps(report))
    for name in st.NAMES:
        assert s2s.load(tmp_path / name).config.hidden == 8
        assert set(report[name]["buckets"]) == set(tr.BUCKETS)
    assert "alignment" in report["seq2seq_attn"] and "| seq2seq_wide |" in report["markdown"]
    again = st.main(["seq2seq_attn"], tmp_path)  # a partial rebuild still reports every model
    assert all(f"| {name} |" in again["markdown"] for name in st.NAMES)
