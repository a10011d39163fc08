"""Tenants, users, roles, tokens, web sessions and the audit log."""

from criterio.auth.roles import MATRIX, Permission, Role

__all__ = ["MATRIX", "Permission", "Role"]
