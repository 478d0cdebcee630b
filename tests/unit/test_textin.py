import pytest

from lib.textin import clean_text


def test_plain_text_unchanged():
    r = clean_text("The capital of France is", 100)
    assert r.text == "The capital of France is" and r.notes == [] and not r.empty


def test_control_and_invisible_characters_removed_and_reported():
    r = clean_text("a\x00b\u200bc\x07d\u202ee", 100)
    assert r.text == "abcde"
    assert len(r.notes) == 1 and "4 invisible or control characters" in r.notes[0]


def test_emoji_sequences_other_scripts_and_combining_marks_kept():
    s = "family 👨\u200d👩\u200d👧 ❤\ufe0f  مرحبا  你好  e\u0301"
    r = clean_text(s, 100)
    assert "👨\u200d👩\u200d👧" in r.text and "مرحبا" in r.text and "你好" in r.text
    assert "\u00e9" in r.text  # NFC composes e + combining acute
    assert r.notes == []


def test_long_text_is_cut_at_the_limit_with_a_note_saying_how_much():
    s = "word " * 30_000  # 150,000 characters
    r = clean_text(s, 1000, label="prompt")
    assert len(r.text) <= 1000 and len(r.text) > 800
    assert "150,000 characters" in r.notes[0] and "prompt" in r.notes[0]


def test_empty_and_none():
    assert clean_text("", 10).empty
    assert clean_text("   \n\t", 10).empty
    assert clean_text(None, 10).text == ""


def test_bad_limit():
    with pytest.raises(ValueError):
        clean_text("x", 0)
