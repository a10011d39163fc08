"""Pydantic's validation errors worded for people: which field, and what is wrong."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

__all__ = ["first_problem", "problem_message"]


def problem_message(error: Any) -> str:
    """One error's message, without the "Value error, " pydantic puts before a
    validator's own words ("Value error, timestamp out of range" → "timestamp out of range")."""
    message = str(error["msg"])
    if error.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return message


def first_problem(exc: ValidationError) -> tuple[str, str]:
    """The first error as ``(field, message)``; the field is dotted (``turns.0.at``)."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "(record)"
    return field, problem_message(first)
