"""Interaction logic shared by file import, the REST API and the demo: validate and store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from criterio.digest import content_digest
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.repository import InteractionRepository
from criterio.interactions.schemas import InteractionIn, Turn
from criterio.validation import first_problem

__all__ = [
    "StoreResult",
    "store_interactions",
    "store_rows",
    "to_row",
    "validate_record",
]


@dataclass
class StoreResult:
    """What storing a batch did: counts, and the records refused as duplicates."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: list[int] = field(default_factory=list)  # positions in the batch
    #: Start days (UTC) of each tenant's batch rows, where any of them was written.
    days: dict[str, set[date]] = field(default_factory=dict)


def validate_record(raw: RawRecord, tenant: str | None = None) -> InteractionIn | RecordError:
    """Validate one raw record against the contract; ``tenant`` is the import's tenant."""
    try:
        if isinstance(raw.data, bytes):
            record = InteractionIn.model_validate_json(raw.data)
        else:
            record = InteractionIn.model_validate(raw.data)
    except ValidationError as exc:
        return _validation_error(raw, exc)
    if tenant is not None:
        if "tenant" in record.model_fields_set and record.tenant != tenant:
            return RecordError(
                raw.source,
                raw.location,
                "tenant",
                f"record belongs to tenant {record.tenant!r}, not to {tenant!r}",
                record.id,
            )
        if record.tenant != tenant:
            record = record.model_copy(update={"tenant": tenant})
    return record


def _validation_error(raw: RawRecord, exc: ValidationError) -> RecordError:
    first = exc.errors(include_url=False)[0]
    location, message = first_problem(exc)
    if first["type"] == "json_invalid":
        location, message = "(json)", f"not valid JSON: {first['ctx'].get('error', message)}"
    elif len(exc.errors()) > 1:
        message += f" (and {len(exc.errors()) - 1} more problem(s))"
    return RecordError(raw.source, raw.location, location, message, _guess_id(raw.data))


def _guess_id(data: bytes | dict[str, Any]) -> str | None:
    if isinstance(data, dict):
        value = data.get("id")
        return str(value) if value is not None else None
    try:
        value = orjson.loads(data).get("id")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return str(value) if value is not None else None


def to_row(record: InteractionIn, *, now: datetime, import_id: str | None) -> dict[str, Any]:
    """The table row for a validated record, with its content digest.

    The digest covers every stored field after normalisation (times in UTC, a flat text
    as one customer turn), so the same interaction written two ways is still unchanged.
    """
    outcome = record.outcome
    started = record.started_at.astimezone(UTC)
    ended = record.ended_at.astimezone(UTC) if record.ended_at is not None else None
    turns = [_turn_row(t) for t in record.normalized_turns()]
    channel = record.channel.value if record.channel is not None else None
    attributes, labels = dict(record.attributes), dict(record.labels)
    outcome_values = (
        None
        if outcome is None
        else [
            outcome.handled_by,
            outcome.agent_id,
            outcome.resolved,
            outcome.csat,
            outcome.escalated,
            outcome.resolution_code,
        ]
    )
    canonical = [
        record.id,
        channel,
        started,
        ended,
        record.customer_id,
        record.language,
        attributes,
        turns,
        outcome_values,
        labels,
    ]
    digest = content_digest(canonical)
    return {
        "tenant": record.tenant,
        "external_id": record.id,
        "channel": channel,
        "started_at": started,
        "ended_at": ended,
        "customer_id": record.customer_id,
        "language": record.language,
        "attributes": attributes,
        "turns": turns,
        "handled_by": outcome.handled_by if outcome else None,
        "agent_id": outcome.agent_id if outcome else None,
        "resolved": outcome.resolved if outcome else None,
        "csat": outcome.csat if outcome else None,
        "escalated": outcome.escalated if outcome else None,
        "resolution_code": outcome.resolution_code if outcome else None,
        "labels": labels,
        "content_hash": digest,
        "import_id": import_id,
        "created_at": now,
        "updated_at": now,
    }


def _turn_row(turn: Turn) -> dict[str, Any]:
    # The role is a StrEnum: equal to its text, and written as its text by every JSON
    # encoder used here, so `.value` (a slow enum property) is not needed.
    row: dict[str, Any] = {"role": turn.role, "text": turn.text}
    if turn.at is not None:
        # Always convert: isoformat() on pydantic's own tzinfo is ~20x slower than on
        # datetime.UTC. An aware UTC time ends in "+00:00"; the contract writes "Z".
        row["at"] = turn.at.astimezone(UTC).isoformat()[:-6] + "Z"
    return row


def store_interactions(
    session: Session, records: Sequence[InteractionIn], *, import_id: str | None = None
) -> StoreResult:
    """Insert new records, update changed ones, skip identical ones (idempotent).

    A record whose (tenant, id) already appeared earlier in the same batch, or earlier
    in the same import (``import_id``), is refused as a duplicate: the first one stays.
    The caller owns the transaction; this only flushes.
    """
    now = datetime.now(UTC)
    rows = [to_row(record, now=now, import_id=import_id) for record in records]
    return store_rows(session, rows, import_id=import_id, now=now)


def store_rows(
    session: Session,
    rows: Sequence[dict[str, Any]],
    *,
    import_id: str | None = None,
    now: datetime | None = None,
) -> StoreResult:
    """``store_interactions`` for rows already built (``to_row`` or the fast decoder).

    Sets each row's ``import_id`` and writing times; positions in the result are
    positions in ``rows``.
    """
    result = StoreResult()
    now = now or datetime.now(UTC)
    by_tenant: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for position, row in enumerate(rows):
        key = (row["tenant"], row["external_id"])
        if key in seen:
            result.duplicates.append(position)
            continue
        seen.add(key)
        row["import_id"] = import_id
        row["created_at"] = row["updated_at"] = now
        by_tenant[row["tenant"]].append((position, row))
    # Rows are written in (tenant, id) order: two writers sharing ids then lock them in
    # the same order, so on PostgreSQL they queue instead of deadlocking.
    for tenant in sorted(by_tenant):
        items = sorted(by_tenant[tenant], key=lambda item: item[1]["external_id"])
        repository = InteractionRepository(session, tenant)
        written = result.inserted + result.updated
        if import_id is None:
            # No import to tell repeats apart: one upsert statement does the lookup.
            _store_changed(repository, items, result)
        else:
            _store_imported(repository, items, import_id, result)
        if result.inserted + result.updated > written:
            result.days[tenant] = {_utc_day(row["started_at"]) for _, row in items}
    session.flush()
    result.duplicates.sort()
    return result


def _utc_day(value: datetime) -> date:
    return (value.astimezone(UTC) if value.tzinfo else value).date()


def _store_imported(
    repository: InteractionRepository,
    items: list[tuple[int, dict[str, Any]]],
    import_id: str,
    result: StoreResult,
) -> None:
    # PostgreSQL: one statement writes and tells what it did to each row, under the
    # row locks it takes, so another import writing the same ids cannot make it wrong.
    outcomes = repository.upsert_imported([row for _, row in items], items[0][1]["updated_at"])
    if outcomes is not None:
        for position, row in items:
            outcome = outcomes.get(row["external_id"])
            if outcome is None:
                result.duplicates.append(position)
            elif outcome == "inserted":
                result.inserted += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
        return
    # SQLite: the write lock is taken first, so the lookup below cannot go stale
    # before the write.
    repository.lock_for_write()
    existing = repository.existing([r["external_id"] for _, r in items])
    to_write: list[tuple[int, dict[str, Any]]] = []
    unchanged: list[str] = []
    for position, row in items:
        stored = existing.get(row["external_id"])
        if stored is not None and stored[1] == import_id:
            result.duplicates.append(position)
        elif stored is not None and stored[0] == row["content_hash"]:
            result.unchanged += 1
            unchanged.append(row["external_id"])
        else:
            to_write.append((position, row))
    repository.upsert([row for _, row in to_write])
    for _, row in to_write:
        if row["external_id"] in existing:
            result.updated += 1
        else:
            result.inserted += 1
    if unchanged:
        # Mark them as seen by this import, so a later copy in the same file is
        # still recognised as a duplicate.
        repository.mark_imported(sorted(unchanged), import_id)


def _store_changed(
    repository: InteractionRepository,
    items: list[tuple[int, dict[str, Any]]],
    result: StoreResult,
) -> list[str]:
    """Upsert changed rows and count from what the statement did; returns the unchanged ids."""
    rows = [row for _, row in items]
    written = repository.upsert_changed(rows)
    unchanged = []
    for row in rows:
        created = written.get(row["external_id"])
        if created is None:
            result.unchanged += 1
            unchanged.append(row["external_id"])
        elif created == row["created_at"]:
            result.inserted += 1
        else:
            result.updated += 1
    return unchanged
