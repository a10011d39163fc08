"""The text of an interaction that intents and topics learn from and are applied to."""

from __future__ import annotations

from typing import Any

__all__ = ["interaction_text"]


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
