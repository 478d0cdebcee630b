"""Cleaning text typed by users before any model sees it. Pure functions, no Streamlit.

A public app gets everything: empty boxes, a novel pasted whole, NUL bytes, zero-width and control characters,
emoji, right-to-left and CJK text. `clean_text` keeps what a reader would call text (any script, emoji, combining
marks), drops what is invisible or dangerous to downstream code, clips to a limit, and reports each change so the page
can say what it did.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

# Characters removed: C0/C1 controls except tab and newline, and the invisible format characters that are not
# needed to render text (zero-width space, word joiner, BOM, bidi overrides). ZWJ (U+200D) and variation selectors
# are kept: emoji sequences need them.
_KEEP_FORMAT = {"\u200d", "\u200c", "\ufe0f", "\ufe0e"}


@dataclass
class CleanText:
    text: str
    notes: list[str] = field(default_factory=list)  # plain-language sentences, one per change made

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def clean_text(raw: str | None, max_chars: int, *, label: str = "text") -> CleanText:
    """Return the text a model may see: control and invisible characters removed, NFC-normalised, at most
    `max_chars` characters (cut at a word boundary when one is near). `notes` says what changed and why."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    raw = "" if raw is None else str(raw)
    notes: list[str] = []
    kept, dropped = [], 0
    for ch in raw:
        cat = unicodedata.category(ch)
        if ch in "\n\t" or ch in _KEEP_FORMAT:
            kept.append(ch)
        elif cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf"):
            dropped += 1
        else:
            kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    if dropped:
        notes.append(f"Removed {dropped} invisible or control character{'s' if dropped != 1 else ''} "
                     f"(such as NUL or zero-width spaces) from the {label}.")
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        if space > max_chars * 0.8:
            cut = cut[:space]
        notes.append(f"The {label} was {len(text):,} characters long; only the first {len(cut):,} are used "
                     f"(the limit is {max_chars:,}), so the last {len(text) - len(cut):,} were cut.")
        text = cut
    return CleanText(text=text, notes=notes)
