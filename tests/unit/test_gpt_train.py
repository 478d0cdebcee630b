"""The tiny GPT's training code on tiny configs: DPO loss values, losses go down, save/load through
from_pretrained, and the Hub path (with a tiny model saved locally: the machine has no network)."""
import math
from pathlib import Path

import pytest
import torch

from lib.data import facts
from lib.errors import ModelUnavailable
from lib.models import lm as lm_module
from lib.models import registry, scoring
from lib.train import dpo, gpt_train

TINY = lm_module.TinyGPTConfig(vocab_size=300, n_positions=128, n_embd=32, n_layer=2, n_head=2)


@pytest.fixture(scope="module")
def tiny():
    docs = facts.pretraining_documents(0)[:300]
    tok = lm_module.train_tokenizer(docs + [p + a for p, a in facts.sft_demonstrations(0)], TINY.vocab_size)
    model = lm_module.build(TINY, tok, seed=0)
    return lm_module.LM(model, tok, "tiny"), scoring.pack(tok, docs, 48)


def test_dpo_loss_formula():
    pc, pr = torch.tensor([-1.0]), torch.tensor([-3.0])
    rc, rr = torch.tensor([-2.0]), torch.tensor([-2.0])
    loss, cr, rj = dpo_loss = dpo.dpo_loss(pc, pr, rc, rr, beta=0.5)
    # margin = 0.5 * ((-1 + 2) - (-3 + 2)) = 1
    assert loss.item() == pytest.approx(-math.log(1 / (1 + math.exp(-1.0))))
    assert cr.item() == pytest.approx(0.5) and rj.item() == pytest.approx(-0.5)


def test_decision_length_is_first_difference():
    tok = lm_module.train_tokenizer(["The capital of France is Paris. The capital of France is Rome."], 280)
    pair = facts.PreferencePair("Q", " The capital of France is Paris.", " The capital of France is Rome.", True)
    a = tok(pair.chosen, add_special_tokens=False)["input_ids"]
    b = tok(pair.rejected, add_special_tokens=False)["input_ids"]
    k = dpo.decision_lengths(tok, pair)
    assert a[:k - 1] == b[:k - 1] and a[k - 1] != b[k - 1]


def test_pack_rows_start_at_documents(tiny):
    lm, blocks = tiny
    assert blocks.shape[1] == 48
    first = lm.tokenizer.decode([t for t in blocks[0].tolist() if t >= 0])
    assert first.startswith(facts.pretraining_documents(0)[0][:20])


def test_pretraining_and_sft_lower_the_loss(tiny):
    lm, blocks = tiny
    model = dpo.copy_for_training(lm.model)
    losses = gpt_train.pretrain(model, blocks, steps=40, batch=8, lr=3e-3, seed=0)
    assert sum(losses[-5:]) < sum(losses[:5])
    sft = gpt_train.supervised_finetune(model, lm.tokenizer, facts.sft_demonstrations(0), blocks, steps=30, batch=8,
                                        lr=1e-3, lm_weight=0.5, seed=0)
    assert sum(sft[-5:]) < sum(sft[:5])


@pytest.mark.parametrize("scope", ["full", "decision"])
def test_dpo_trainer_lowers_its_loss_and_reports(tiny, scope):
    lm, blocks = tiny
    pairs = facts.preference_pairs(0, facts.invented_names("tune")[:10])[:40]
    prepared = dpo.prepare(lm.model, lm.tokenizer, pairs)
    policy = dpo.copy_for_training(lm.model)
    seen = []
    hist = dpo.train(policy, lm.tokenizer, prepared, dpo.DPOSettings(steps=25, batch_pairs=8, lr=3e-3, scope=scope),
                     blocks, callback=lambda s, m: seen.append(s))
    assert seen == list(range(1, 26))
    assert sum(h["dpo_loss"] for h in hist[-5:]) < sum(h["dpo_loss"] for h in hist[:5])
    assert not torch.equal(next(policy.parameters()), next(lm.model.parameters()))


def test_save_and_load_through_from_pretrained(tiny, tmp_path):
    lm, _ = tiny
    lm_module.save(lm, tmp_path / "gpt_tiny")
    files = {p.name for p in (tmp_path / "gpt_tiny").iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pkl"))]
    back = lm_module.load(tmp_path / "gpt_tiny")
    ids = torch.tensor([lm.encode("The capital of France is")])
    with torch.inference_mode():
        assert torch.allclose(back.model(input_ids=ids).logits, lm.model(input_ids=ids).logits, atol=1e-5)


def test_missing_file_names_the_file_and_the_fix(tiny, tmp_path):
    lm, _ = tiny
    lm_module.save(lm, tmp_path / "gpt_sft")
    (tmp_path / "gpt_sft" / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailable) as err:
        lm_module.load(tmp_path / "gpt_sft")
    assert "model.safetensors" in str(err.value) and "python -m lib.train gpt_sft" in str(err.value)


def test_hub_path_loads_an_allowlisted_local_model(tiny, tmp_path, monkeypatch):
    lm, _ = tiny
    folder = tmp_path / "hub-tiny-gpt2"
    lm_module.save(lm, folder)
    monkeypatch.setattr(registry, "HUB_ALLOWLIST", (str(folder),))
    registry.load_hub.cache_clear()
    hub = registry.load_hub(str(folder))
    assert hub.source == "hub" and hub.name == str(folder)
    assert hub.model.config._attn_implementation == "eager"
    assert registry.load_lm(str(folder)) is hub
    registry.load_hub.cache_clear()


def test_hub_rejects_ids_off_the_allowlist():
    with pytest.raises(ModelUnavailable) as err:
        registry.load_hub("someone/remote-code-model")
    assert "not on this app's list" in str(err.value)


def test_hub_fails_fast_and_clearly_without_network(monkeypatch):
    monkeypatch.setattr(registry, "hub_reachable", lambda timeout=1.5: False)
    registry.load_hub.cache_clear()
    with pytest.raises(ModelUnavailable) as err:
        registry.load_hub("sshleifer/tiny-gpt2")
    assert "cannot be reached" in str(err.value)
