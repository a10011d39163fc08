"""The text of an interaction that intents and topics learn from and are applied to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = [
    "MASKED_CARD_KEY",
    "interaction_text",
    "masked_text",
    "masking_card",
    "model_texts",
]

#: Card entry of a model trained on masked texts (absent from older models).
MASKED_CARD_KEY = "personal_data"

# A run of letters, digits, "-" and "/" holding a digit: with five digits or more it is an
# identifier (an invoice, order or tracking number, a date with its year...).
_NUMBERED = re.compile(r"(?<![\w\-/])[\w\-/]*\d[\w\-/]*")
_MIN_ID_DIGITS = 5


def interaction_text(record: dict[str, Any]) -> str:
    """The text to analyse: ``text``, else the customer turns (else all turns)."""
    text = record.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    turns = record.get("turns") or []
    if not isinstance(turns, list):
        return ""
    said = [t for t in turns if isinstance(t, dict) and isinstance(t.get("text"), str)]
    customer = [t["text"] for t in said if t.get("role") == "customer"]
    return " ".join(customer or [t["text"] for t in said]).strip()


def model_texts(texts: Sequence[str]) -> list[str]:
    """``texts`` with personal data replaced by ``[TYPE]`` placeholders (``[EMAIL]``).

    Every intent and topic model is trained on, labelled from and applied to these: a
    saved model (its vocabulary, keywords, examples and card) then holds no personal
    data, and the analysis pipeline gives its models the same form (``masked_text``).
    """
    texts = list(texts)
    found = _redactor().detect(texts)
    return [masked_text(t, spans) for t, spans in zip(texts, found, strict=True)]


def masked_text(text: str, spans: Sequence[Any]) -> str:
    """``text`` with the redactor's ``spans`` replaced by ``[TYPE]``, then identifiers.

    Identifiers the redactor leaves (invoice, order and tracking numbers; any run with
    five digits or more) become ``[ID]``: they name one customer's transaction and say
    nothing about why people contact.
    """
    from criterio.analysis.pii import mask_spans

    return _NUMBERED.sub(_identifier, mask_spans(text, spans))


def _identifier(match: re.Match[str]) -> str:
    value = match.group()
    return "[ID]" if sum(c.isdigit() for c in value) >= _MIN_ID_DIGITS else value


@cache
def _redactor() -> Any:
    # Imported here: the CLI's light commands must not load the redactor's libraries.
    from criterio.analysis.pii import PIIRedactor

    return PIIRedactor().fit()


def masking_card() -> dict[str, str]:
    """The card entry saying the model's texts were masked, and by which redactor."""
    from criterio.analysis.pii import PIIRedactor

    return {MASKED_CARD_KEY: f"masked before training (PIIRedactor version {PIIRedactor.version})"}
