"""The Criterio error hierarchy; each error carries the HTTP status it maps to."""

from __future__ import annotations

__all__ = [
    "ConflictError",
    "CriterioError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "UnauthenticatedError",
]


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
