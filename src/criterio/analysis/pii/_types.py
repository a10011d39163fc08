"""Value types returned by the personal-data redactor."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENTITY_TYPES", "PIISpan", "Redaction"]

#: Every entity type the redactor can report, in resolution priority order
#: (an earlier type wins when two candidates overlap with the same length).
ENTITY_TYPES: tuple[str, ...] = (
    "EMAIL",
    "IBAN",
    "CARD",
    "DNI",
    "NIE",
    "CIF",
    "IP",
    "DOB",
    "CUSTOMER_ID",
    "POSTAL_CODE",
    "PHONE",
    "ADDRESS",
    "PERSON",
)


@dataclass(frozen=True)
class PIISpan:
    """One piece of personal data: its type and character offsets (end exclusive)."""

    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    """A redacted text and the spans, as offsets into the ORIGINAL text, it replaced."""

    text: str
    spans: list[PIISpan]
