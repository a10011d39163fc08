"""The Criterio error hierarchy; each error carries the HTTP status it maps to."""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "CriterioError",
    "InvalidInputError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ServiceBusyError",
    "UnauthenticatedError",
    "excerpt",
]

#: Longest piece of a caller's input an error message quotes.
EXCERPT_CHARS = 60


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """``repr`` of a caller's value cut to a short excerpt, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


class CriterioError(Exception):
    """Base class: a message meant for the user, and the HTTP status it maps to."""

    status_code: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(CriterioError):
    """The caller sent something that does not satisfy the contract."""

    status_code = 422


class NotFoundError(CriterioError):
    """The record does not exist (or is not visible to this tenant)."""

    status_code = 404


class ConflictError(CriterioError):
    """The request conflicts with what is stored."""

    status_code = 409


class UnauthenticatedError(CriterioError):
    """No valid credentials were presented."""

    status_code = 401


class PermissionDeniedError(CriterioError):
    """The caller is known but their role does not allow this."""

    status_code = 403


class PayloadTooLargeError(CriterioError):
    """The request is bigger than the configured limit."""

    status_code = 413


class ServiceBusyError(CriterioError):
    """The database kept refusing the work for lock conflicts: the caller may retry."""

    status_code = 503
