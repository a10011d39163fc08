"""Texts for models: personal data replaced by its type alone (``[EMAIL]``), unnumbered."""

from __future__ import annotations

from collections.abc import Sequence

from criterio.analysis.pii._types import PIISpan

__all__ = ["mask_spans"]


def mask_spans(text: str, spans: Sequence[PIISpan]) -> str:
    """``text`` with every span replaced by ``[TYPE]``; spans sorted and not overlapping.

    Models learn from these texts: a placeholder without a number says what was there
    (an e-mail, a phone) the same way in every text, which the numbered placeholders of
    a redacted conversation (``[PERSON_2]``) do not.
    """
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for span in spans:
        pieces.append(text[last : span.start])
        pieces.append(f"[{span.type}]")
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces)
