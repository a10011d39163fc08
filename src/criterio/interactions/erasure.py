"""Right to erasure: a customer's interactions, or one interaction, and all derived from them.

Derived tables reference ``interactions.pk`` with ON DELETE CASCADE, so deleting the
interactions removes the rest; insights name example interactions by id in their
evidence, and those ids are removed from it. Every erasure is audited in the same
transaction. The audit log keeps a customer as a keyed one-way reference
(HMAC-SHA256 with the tenant's own random ``erasure_key``), never the id itself.

After the caller commits, :func:`criterio.db.checkpoint_wal` moves SQLite's
write-ahead log into the database file and empties it: with ``secure_delete`` the
erased rows are then zeroed in the file and gone from the log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from criterio.auth.repository import get_tenant
from criterio.auth.service import create_tenant, record_audit
from criterio.interactions.repository import InteractionRepository

__all__ = ["Erasure", "customer_reference", "erase_customer", "erase_interaction"]

#: Prefix of a keyed customer reference (older audit events keep ``sha256:`` ones).
REFERENCE_PREFIX = "hmac-sha256:"


@dataclass(frozen=True)
class Erasure:
    """What an erasure deleted, and the reference the audit log keeps for it."""

    deleted: int
    reference: str


def customer_reference(session: Session, tenant: str, customer_id: str) -> str:
    """A keyed one-way reference to a customer id: the same customer always gets the same one.

    Without the tenant's key, a guess of the id cannot be checked against it (an
    unkeyed hash of a short id is reversed by trying every id).
    """
    key = _erasure_key(session, tenant)
    digest = hmac.new(key, f"{tenant}\x00{customer_id}".encode(), hashlib.sha256)
    return REFERENCE_PREFIX + digest.hexdigest()[:32]


def erase_customer(
    session: Session,
    tenant: str,
    customer_id: str,
    *,
    actor: str,
    request_id: str | None = None,
) -> Erasure:
    """Delete every interaction of one customer and what derives from them; audited."""
    from criterio.insights.service import forget_examples
    from criterio.metrics.freshness import interaction_days, touch

    repo = InteractionRepository(session, tenant)
    # Locks the customer's rows in key order before anything else (see customer_ids).
    ids = repo.customer_ids(customer_id)
    forget_examples(session, tenant, ids)
    # Their days' metrics are recomputed as this commits; only this customer's contacts
    # go, so no other contact's repeat status changes (no widening).
    touch(session, tenant, contact_days=interaction_days(session, tenant, ids), today=False)
    deleted = repo.delete_customer(customer_id)
    reference = customer_reference(session, tenant, customer_id)
    record_audit(
        session,
        tenant,
        actor=actor,
        action="erase",
        resource_type="customer",
        resource_ids=[reference],
        request_id=request_id,
        detail={"deleted": deleted},
    )
    session.flush()
    return Erasure(deleted, reference)


def erase_interaction(
    session: Session,
    tenant: str,
    interaction_id: str,
    *,
    actor: str,
    request_id: str | None = None,
) -> Erasure:
    """Delete one interaction (with or without a customer id) and what derives from it.

    Audited with the interaction's id, as reads of it are; ``deleted`` is 0 when the
    tenant has no interaction with that id (the attempt is audited as ``not_found``).
    """
    from criterio.insights.service import forget_examples
    from criterio.metrics.freshness import interaction_days, touch

    repo = InteractionRepository(session, tenant)
    found = repo.lock_ids([interaction_id])
    if found:
        forget_examples(session, tenant, found)
        # An earlier contact of the same customer may stop being a repeat: widened.
        days = interaction_days(session, tenant, found)
        touch(session, tenant, contact_days=days, widen=True, today=False)
    deleted = repo.delete_ids(found) if found else 0
    record_audit(
        session,
        tenant,
        actor=actor,
        action="erase",
        resource_type="interaction",
        resource_ids=[interaction_id[:200]],
        outcome="success" if deleted else "not_found",
        request_id=request_id,
        detail={"deleted": deleted},
    )
    session.flush()
    return Erasure(deleted, interaction_id)


def _erasure_key(session: Session, tenant: str) -> bytes:
    row = get_tenant(session, tenant)
    if row is None:
        # Interactions can be imported for a tenant nobody registered; erasing them must
        # still work, so the tenant is registered here, with its own key.
        row = create_tenant(session, tenant)
    if row.erasure_key is None:  # every tenant has one since migration 0007; never reused
        row.erasure_key = secrets.token_hex(32)
        session.flush()
    return bytes.fromhex(row.erasure_key)
