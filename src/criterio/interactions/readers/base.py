"""What readers yield: raw records with their location, or errors about the input."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["RawRecord", "RecordError", "flat_to_nested"]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record before validation: JSON bytes or a mapping, and where it came from."""

    source: str
    location: str
    data: bytes | dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why one record (or a whole file) could not be imported."""

    source: str
    location: str
    field: str
    message: str
    record_id: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The error as written to the errors file (one JSON object a line)."""
        return {
            "source": self.source,
            "location": self.location,
            "record_id": self.record_id,
            "field": self.field,
            "message": self.message,
        }

    def __str__(self) -> str:
        rid = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.source}, {self.location}{rid}: {self.field}: {self.message}"


#: Nested objects of the contract that flat formats (CSV, flat Parquet) spell as ``a.b``.
NESTED_FIELDS = ("attributes", "outcome", "labels")


def flat_to_nested(row: dict[str, Any]) -> dict[str, Any]:
    """Turn ``{"attributes.queue": "x", "outcome.csat": "4"}`` into nested objects.

    Empty cells mean "absent", so an empty ``outcome.csat`` is not a validation error.
    """
    record: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        head, dot, tail = key.partition(".")
        if dot and head in NESTED_FIELDS and tail:
            record.setdefault(head, {})[tail] = value
        else:
            record[key] = value
    return record
