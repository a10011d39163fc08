"""Accents off (``atención`` -> ``atencion``), one character at a time, cached.

``"".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))``
is what the sentiment features used to compute for every message. NFKD decomposes each
character on its own and then only reorders combining marks, which are the characters
this removes, so the result is the concatenation of each character's own folding: a
``str.translate`` table filled in the first time a character is seen gives the same
string without decomposing the whole message again (``tests/test_analysis_sentiment_vader.py``
holds the two equal on generated text).
"""

from __future__ import annotations

import unicodedata

__all__ = ["strip_accents"]


class _Folding(dict[int, str]):
    """Code point -> its NFKD decomposition without combining marks, computed on demand."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_TABLE = _Folding()


def strip_accents(text: str) -> str:
    """``text`` in NFKD without its combining marks (ASCII text is returned as it is)."""
    if text.isascii():
        return text
    return text.translate(_TABLE)
