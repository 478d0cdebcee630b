"""The character RNN / LSTM / GRU (small configs), save/load, training, the lab's unrolling and gradients, and the
shipped models on held-out text."""
import numpy as np
import pytest
import torch

from lib.lessons import rnn_unrolling as lesson
from lib.errors import ModelUnavailable
from lib.models import registry
from lib.models import rnn as rnn_model
from lib.train import rnn_train

TEXT = "The capital of France is Paris. The capital of Peru is Lima. "


def tiny(cell: str, hidden: int = 6) -> rnn_model.CharRNN:
    torch.manual_seed(0)
    vocab = rnn_model.CharVocab(sorted(set(TEXT)))
    model = rnn_model.CharRNN(rnn_model.CharRNNConfig(cell=cell, vocab_size=len(vocab.itos), emb_dim=5,
                                                      hidden=hidden))
    model.vocab = vocab
    return model.eval()


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forward_shapes_and_states_only_when_asked(cell):
    model = tiny(cell)
    ids = torch.tensor([model.vocab.encode("The cap")])
    logits = model(ids)
    assert logits.shape == (1, 7, len(model.vocab.itos))
    logits2, states = model(ids, return_states=True)
    assert torch.allclose(logits, logits2) and states.shape == (1, 7, 6)


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="cell"):
        rnn_model.CharRNN(rnn_model.CharRNNConfig(cell="transformer", vocab_size=5))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_lowers_the_loss(cell):
    torch.set_num_threads(1)
    losses = []
    rnn_train.train(rnn_train.TrainConfig(cell=cell, steps=300, batch_size=8, seq_len=16, hidden=16, lr=1e-2),
                    TEXT * 20, lambda step, m: losses.append(m["loss"]))
    assert losses[-1] < 0.6 * losses[0]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradient_norms_match_the_full_jacobian(cell):
    model = tiny(cell)
    text = "Lima. Paris"
    norms = lesson.gradient_norms(model, text)
    x0 = model.emb(torch.tensor([model.vocab.encode(text)])).detach()

    def last_state(x):
        return model.forward_embedded(x)[1][0, -1]  # H

    jac = torch.autograd.functional.jacobian(last_state, x0)  # H, 1, T, E
    expected = jac.pow(2).sum(dim=(0, 1, 3)).sqrt().numpy()
    assert norms.shape == (len(text),)
    np.testing.assert_allclose(norms, expected, rtol=1e-4, atol=1e-7)
    assert all(p.grad is None for p in model.parameters())  # the shared model is untouched


def test_unroll_keeps_every_step():
    model = tiny("gru")
    u = lesson.unroll(model, "The cap\u00e9")
    assert u.steps == 8 and u.states.shape == (8, 6) and u.unknown[-1] and not any(u.unknown[:-1])
    assert u.top_probs.shape == (8, 5) and np.all(np.diff(u.top_probs, axis=1) <= 0)
    assert u.next_prob.shape == (7,)
    with pytest.raises(ValueError):
        lesson.unroll(model, "")


def test_gradient_table_and_decay_summary():
    models = {"rnn": tiny("rnn"), "lstm": tiny("lstm")}
    table = lesson.gradient_table(models, "The capital")
    assert set(table["cell"]) == {"vanilla RNN", "LSTM"} and len(table) == 22
    decay = lesson.decay_summary(table, back=5)
    assert set(decay) == {"vanilla RNN", "LSTM"} and all(v > 0 for v in decay.values())


def test_save_load_round_trip_and_broken_files(tmp_path):
    model = tiny("lstm")
    folder = tmp_path / "char_lstm"
    rnn_model.save(model, model.vocab, folder)
    loaded = rnn_model.load(folder)
    ids = torch.tensor([model.vocab.encode("Paris")])
    with torch.inference_mode():
        assert torch.equal(model(ids), loaded(ids))
    (folder / "model.safetensors").write_bytes(b"\0" * 10)
    with pytest.raises(ModelUnavailable) as err:
        rnn_model.load(folder)
    assert "model.safetensors" in str(err.value) and "python -m lib.train char_lstm" in str(err.value)
    (folder / "config.json").unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        rnn_model.load(folder)


# ------------------------------------------------------------------------------------ the shipped models
@pytest.mark.parametrize("name", ["char_rnn", "char_lstm", "char_gru"])
def test_shipped_models_predict_held_out_text(name):
    _train, heldout = rnn_train.corpus()
    result = rnn_train.evaluate(registry.load(name), heldout[:20_000])
    assert result["next_char_accuracy"] >= 0.55, result
    assert result["bits_per_char"] <= 2.0, result


def test_shipped_models_were_trained_on_the_current_corpus():
    import json

    report = json.loads((registry.MODELS_DIR / "report_rnn.json").read_text())
    assert report.get("corpus_sha256") == rnn_train.corpus_digest(), (
        "lib.data.facts changed since the char models were trained: python -m lib.train rnn")


def test_trainer_main_writes_models_and_a_report_also_for_one_model(tmp_path, monkeypatch):
    import functools
    import json

    tiny_config = functools.partial(rnn_train.TrainConfig, steps=3, hidden=8, seq_len=16)
    monkeypatch.setattr(rnn_train, "TrainConfig", tiny_config)
    report = rnn_train.main(None, tmp_path)
    (tmp_path / "report_rnn.json").write_text(json.dumps(report))
    for name in rnn_train.NAMES:
        assert rnn_model.load(tmp_path / name).config.hidden == 8
    again = rnn_train.main(["char_gru"], tmp_path)
    assert all(f"| {name} |" in again["markdown"] for name in rnn_train.NAMES)

