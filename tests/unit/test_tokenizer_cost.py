"""Tokens per language with an English-trained byte-level BPE (trained here, small), and the loaders' failures:
the data-sources lesson's token costs (lib/lessons/data_sources.py) and lib/models/tokenizer.py."""
import time

import pytest

from lib.data.tables import Passage, load_passages
from lib.lessons import data_sources as L
from lib.models import tokenizer as tk
from lib.data import c4
from lib.errors import ModelUnavailable


@pytest.fixture(scope="module")
def english_bpe():
    """A small byte-level BPE trained on the English sample pages only (like the project's GPT tokenizer)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    english = [p["text"] for p in c4.load_sample_pages() if p["id"] in
               {"p01", "p02", "p04", "p06", "p16", "p17", "p22", "p26", "p27", "p29", "p30"}]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(english * 5, trainer)
    return tok


def test_passages_file():
    passages = load_passages()
    assert len(passages) >= 10
    assert passages[0].code == "en"
    assert len({p.code for p in passages}) == len(passages)
    assert all(p.source.strip() and p.text.strip() for p in passages)


def test_english_is_one_and_other_scripts_cost_more(english_bpe):
    costs = {c.code: c for c in L.token_costs(load_passages(), tk.as_encoder(english_bpe))}
    assert costs["en"].ratio_to_english == 1.0
    for code in ("hi", "ru", "my", "ar", "bn"):
        assert costs[code].ratio_to_english > 2, code
    assert costs["zh"].ratio_to_english > 1.5  # few characters, but three bytes each
    # a byte-level BPE never needs more tokens than bytes
    assert all(c.tokens <= c.utf8_bytes for c in costs.values())
    assert costs["my"].ratio_to_english > costs["fr"].ratio_to_english


def test_token_costs_counts_exactly():
    passages = [Passage("English", "en", "Latin", "a b c d", "x"), Passage("Other", "xx", "Latin", "ab", "x")]
    costs = L.token_costs(passages, lambda text: text.split() if " " in text else list(text) * 4)
    assert [c.tokens for c in costs] == [4, 8]
    assert [c.ratio_to_english for c in costs] == [1.0, 2.0]
    with pytest.raises(ValueError):
        L.token_costs(passages[1:], str.split)


def test_token_pieces_round_trip(english_bpe):
    pieces = L.token_pieces("The weather is nice today.", english_bpe)
    assert "".join(label for label, _ in pieces) == "The weather is nice today."
    assert all(whole for _, whole in pieces)
    assert len(pieces) < len("The weather is nice today.")


def test_token_pieces_show_partial_characters_as_bytes(english_bpe):
    pieces = L.token_pieces("आज", english_bpe)  # two Devanagari letters, 3 bytes each, never seen in training
    assert pieces == [("e0", False), ("a4", False), ("86", False), ("e0", False), ("a4", False), ("9c", False)]
    assert bytes.fromhex("".join(label for label, _ in pieces).replace(" ", "")) == "आज".encode("utf-8")


def test_byte_level_table_covers_all_bytes():
    table = tk._byte_level_decoder()
    assert sorted(table.values()) == list(range(256))
    assert table["\u0120"] == 32  # GPT-2's "Ġ" is the space byte


def test_project_tokenizer_missing_is_friendly(tmp_path):
    with pytest.raises(ModelUnavailable) as err:
        tk.load_project_tokenizer(tmp_path)
    assert "python -m lib.train" in str(err.value)


def test_project_tokenizer_when_built():
    if not (tk.PROJECT_TOKENIZER_DIR / "tokenizer.json").is_file():
        pytest.skip("the GPT tokenizer has not been trained yet")
    tok = tk.load_project_tokenizer()
    costs = L.token_costs(load_passages(), tk.as_encoder(tok))
    assert costs[0].ratio_to_english == 1.0 and max(c.ratio_to_english for c in costs) > 2


def test_hub_id_not_allowlisted_is_refused(monkeypatch):
    from lib.models import registry

    monkeypatch.setattr(registry, "HUB_ALLOWLIST", ("distilgpt2",), raising=False)
    with pytest.raises(ModelUnavailable, match="not on this app's list"):
        tk.load_hub_tokenizer("evil/remote-code")


def test_hub_offline_fails_fast(monkeypatch, tmp_path):
    from lib.models import registry

    monkeypatch.setattr(registry, "HUB_ALLOWLIST", ("distilgpt2",), raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty cache
    start = time.perf_counter()
    with pytest.raises(ModelUnavailable, match="cannot be reached"):
        tk.load_hub_tokenizer("distilgpt2", reachable=lambda: False)
    assert time.perf_counter() - start < 30  # generous: no network waits, only imports
