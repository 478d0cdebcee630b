"""The classifier head on the char LSTM (small configs), the training recipes, determinism, and stage 2."""
import pytest
import torch

from lib.data import transfer_task as task
from lib.models import classifier as clf
from lib.models import rnn as rnn_model
from lib.train import transfer_train as tt


@pytest.fixture(scope="module")
def small_lm():
    vocab = rnn_model.CharVocab(sorted(set(" ".join(task.labelled_pool()) + " ".join(
        e.text for e in task.eval_sets()["test_invented"]))))
    torch.manual_seed(0)
    lm = rnn_model.CharRNN(rnn_model.CharRNNConfig(cell="lstm", vocab_size=len(vocab.itos), emb_dim=8, hidden=12))
    lm.vocab = vocab
    lm.eval()
    return lm


def test_shapes_and_padding_do_not_leak(small_lm):
    model = clf.from_pretrained(small_lm, n_classes=3)
    model.eval()
    ids, lengths = clf.encode_batch(small_lm.vocab, ["The cat sat.", "A much longer sentence here."])
    assert ids.shape == (2, lengths.max()) and lengths.tolist() == [13, 29]
    assert model.features(ids, lengths).shape == (2, 36)
    assert model(ids, lengths).shape == (2, 3)
    alone_ids, alone_len = clf.encode_batch(small_lm.vocab, ["The cat sat."])
    # the short text's logits are the same alone and padded next to a long one
    assert torch.allclose(model(ids, lengths)[0], model(alone_ids, alone_len)[0], atol=1e-6)


def test_from_pretrained_copies_and_training_leaves_the_shared_model_alone(small_lm):
    before = {k: v.clone() for k, v in small_lm.state_dict().items()}
    model, history = tt.train_classifier(small_lm, task.labelled_examples(16, 0), tt.Recipe("finetune", 1e-2, 5), 0)
    assert len(history) == 5
    assert all(torch.equal(before[k], v) for k, v in small_lm.state_dict().items())
    assert not torch.equal(model.lm.emb.weight, small_lm.emb.weight)


def test_probe_trains_only_the_head(small_lm):
    model, _ = tt.train_classifier(small_lm, task.labelled_examples(16, 0), tt.Recipe("probe", 3e-2, 5), 0)
    assert torch.equal(model.lm.rnn.weight_hh_l0, small_lm.rnn.weight_hh_l0)


def test_discriminative_rates_and_gradual_unfreezing(small_lm):
    model = clf.from_pretrained(small_lm)
    opt = tt._optimizer(model, tt.Recipe("finetune", 1e-2, 10, discriminative=True))
    lrs = [g["lr"] for g in opt.param_groups]
    assert lrs == pytest.approx([1e-2 / 2.6 ** 2, 1e-2 / 2.6, 1e-2])
    model, _ = tt.train_classifier(small_lm, task.labelled_examples(16, 0),
                                   tt.Recipe("finetune", 1e-2, 3, gradual=True), 0)
    # 3 steps: the LSTM unfreezes after step 0 (3 // 10), the embedding after step 0 (3 // 5): both moved
    assert not torch.equal(model.lm.rnn.weight_hh_l0, small_lm.rnn.weight_hh_l0)
    model, _ = tt.train_classifier(small_lm, task.labelled_examples(16, 0),
                                   tt.Recipe("finetune", 1e-2, 10, gradual=True), 0)
    # 10 steps: the embedding is frozen for the first 2; still, it moves afterwards
    assert not torch.equal(model.lm.emb.weight, small_lm.emb.weight)


def test_slanted_triangular_schedule():
    f = tt._slanted_triangular(100)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0)
    assert f(50) < 1.0 and f(99) >= 1 / 32 and f(99) < f(50)


def test_runs_are_deterministic_from_the_seed(small_lm):
    r = tt.Recipe("scratch", 1e-2, 4)
    a, b = tt.run_one(small_lm, 16, 3, r), tt.run_one(small_lm, 16, 3, r)
    assert a["test_countries"] == b["test_countries"] and a["final_train_loss"] == b["final_train_loss"]
    c = tt.run_one(small_lm, 16, 4, r)
    assert c["final_train_loss"] != a["final_train_loss"]


def test_label_multiple():
    means = {"finetune": {"16": {"s": 0.80}, "32": {"s": 0.90}},
             "scratch": {"16": {"s": 0.60}, "32": {"s": 0.70}, "64": {"s": 0.79}, "128": {"s": 0.85}}}
    assert tt.label_multiple(means, 16, "s") == 4   # scratch at 64 (0.79) is still below 0.80; at 128 it passes
    assert tt.label_multiple(means, 32, "s") == 4   # scratch never reaches 0.90: a lower bound (largest N / 32)
    means["scratch"]["32"]["s"] = 0.95
    assert tt.label_multiple(means, 32, "s") == 0   # scratch at N already better (a dip at 64 does not count)
    assert tt.label_multiple(means, 16, "s") == 1   # scratch at 32 (0.95) beats fine-tuned at 16 (0.80)


def test_the_pretrained_use_is_chosen_on_validation():
    """best_pretrained reads only the validation scores (ties go to fine-tuning); with_pretrained_choice derives the
    multiples of the chosen method from the test means."""
    chosen = {"finetune/16": {"valid": 0.90}, "probe/16": {"valid": 0.95},
              "finetune/32": {"valid": 0.93}, "probe/32": {"valid": 0.93}}
    assert tt.best_pretrained(chosen, 16) == "probe" and tt.best_pretrained(chosen, 32) == "finetune"
    means = {"finetune": {"16": {s: 0.70 for s in task.TEST_SETS}, "32": {s: 0.90 for s in task.TEST_SETS}},
             "probe": {"16": {s: 0.85 for s in task.TEST_SETS}, "32": {s: 0.99 for s in task.TEST_SETS}},
             "scratch": {n: {s: v for s in task.TEST_SETS} for n, v in (("16", 0.6), ("32", 0.65), ("64", 0.8),
                                                                          ("128", 0.95))}}
    report = tt.with_pretrained_choice({"ns": [16, 32, 512], "chosen": chosen, "means": means})
    assert report["pretrained_choice"] == {"16": "probe", "32": "finetune"}
    first = next(iter(task.TEST_SETS))
    assert report["label_multiple_pretrained"][first] == {"16": 4.0, "32": 2.0}   # probe 0.85 >= scratch at 64
    assert tt.label_multiple(means, 16, first) == 2.0                              # fine-tuned's 0.70 only to 32


def test_stage2_copies_and_measures(small_lm):
    text = "the quick brown fox jumps over the lazy dog. " * 12
    train, held = tt.split_text(text)
    assert train + held == text and 0.7 * len(text) < len(train) < 0.85 * len(text)
    before = {k: v.clone() for k, v in small_lm.state_dict().items()}
    run = tt.LMRun(steps=20, batch=4, seq_len=16, eval_every=10)
    model, curve = tt.finetune_lm(small_lm, small_lm.config, small_lm.vocab, train, held, run, seed=0)
    assert [c["step"] for c in curve] == [0, 10, 20]
    assert curve[-1]["heldout_bpc"] < curve[0]["heldout_bpc"]
    assert all(torch.equal(before[k], v) for k, v in small_lm.state_dict().items())
    fresh, curve2 = tt.finetune_lm(None, small_lm.config, small_lm.vocab, train, held, run, seed=0)
    assert fresh is not small_lm and len(curve2) == 3


def test_continue_text_writes_known_characters(small_lm):
    # CharVocab has no decode(): continuing a prompt on the page raised AttributeError (found by the bench tour)
    from lib.lessons import transfer_learning as tl

    out = tl.continue_text(small_lm, "The ", n_chars=12)
    assert len(out) == 12 and set(out) <= set(small_lm.vocab.itos[1:])
    assert out == tl.continue_text(small_lm, "The ", n_chars=12)  # seeded


def test_word_surprisal_readout(small_lm):
    model = clf.from_pretrained(small_lm, word_surprisal=True)
    model.eval()
    assert model.config.space_id == small_lm.vocab.stoi[" "]
    assert torch.equal(model.head.weight[:, -1], torch.zeros(2))  # training alone decides how much it counts
    ids, lengths = clf.encode_batch(small_lm.vocab, ["The cat sat.", "A much longer sentence here."])
    with torch.no_grad():
        feats = model.features(ids, lengths)
    assert feats.shape == (2, 37) and bool((feats[:, -1] > 0).all())
    alone_ids, alone_len = clf.encode_batch(small_lm.vocab, ["The cat sat."])
    with torch.no_grad():
        alone = model.features(alone_ids, alone_len)[0]
    assert torch.allclose(feats[0], alone, atol=1e-5)  # padding never counts
    # by hand: the mean -log p of each word's first letter (after the leading space and after each inner space)
    with torch.no_grad():
        logp = torch.log_softmax(small_lm(alone_ids), -1)[0]
    text = " The cat sat."
    starts = [i for i in range(len(text) - 1) if text[i] == " "]
    expect = -sum(float(logp[i, alone_ids[0, i + 1]]) for i in starts) / len(starts)
    assert float(feats[0, -1]) == pytest.approx(expect, abs=1e-5)
    assert list(model.param_groups()) == ["embedding", "lstm", "lm_head", "head"]
    opt = tt._optimizer(model, tt.Recipe("finetune", 1e-2, 10, discriminative=True, word_surprisal=True))
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([1e-2 / 2.6 ** 2, 1e-2 / 2.6, 1e-2 / 2.6, 1e-2])
    probe, _ = tt.train_classifier(small_lm, task.labelled_examples(16, 0),
                                   tt.Recipe("probe", 3e-2, 5, word_surprisal=True), 0)
    assert torch.equal(probe.lm.head.weight, small_lm.head.weight)  # the probe keeps the LM's predictions frozen
    scratch, _ = tt.train_classifier(small_lm, task.labelled_examples(16, 0),
                                     tt.Recipe("scratch", 1e-2, 5, word_surprisal=True), 0)
    assert scratch.head.in_features == 37 and "word surprisal" in tt.Recipe("scratch", 1e-2, 5,
                                                                             word_surprisal=True).label()


def test_a_report_from_another_version_is_a_friendly_error():
    from lib.errors import ModelUnavailable
    from lib.train import transfer_train as tt

    good = tt.recipe_from({"method": "finetune", "lr": 0.003, "steps": 80})
    assert good.method == "finetune" and good.steps == 80
    with pytest.raises(ModelUnavailable, match="another version") as info:
        tt.recipe_from({"method": "finetune", "lr": 0.003, "steps": 80, "a_future_switch": True})
    assert "lib.train transfer" in info.value.fix


def test_the_probe_reads_each_example_once_and_trains_as_if_it_read_every_batch(small_lm):
    """The frozen probe trains its head on features read once (lib.train.transfer_train): the same as reading the
    LM on every batch, step for step."""
    examples = task.labelled_examples(16, 2)
    recipe = tt.Recipe("probe", 3e-2, 12, word_surprisal=True)
    fast, _ = tt.train_classifier(small_lm, examples, recipe, 5)
    torch.manual_seed(5)  # the loop as it was: the whole classifier on every batch
    slow = clf.from_pretrained(small_lm, word_surprisal=True)
    ids, lengths = clf.encode_batch(small_lm.vocab, [e.text for e in examples])
    labels = torch.tensor([e.label for e in examples])
    gen = torch.Generator().manual_seed(10_005)
    opt = tt._optimizer(slow, recipe)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, tt._slanted_triangular(recipe.steps))
    slow.train()
    for _ in range(recipe.steps):
        idx = torch.randint(len(examples), (min(recipe.batch, len(examples)),), generator=gen)
        L = lengths[idx]
        loss = torch.nn.functional.cross_entropy(slow(ids[idx, :int(L.max())], L), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(slow.parameters(), 1.0)
        opt.step()
        sched.step()
    assert torch.allclose(fast.head.weight, slow.head.weight, atol=1e-5)
    assert torch.allclose(fast.head.bias, slow.head.bias, atol=1e-5)
