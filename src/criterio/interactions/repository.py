"""Every query on the interactions table, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    and_,
    delete,
    false,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from criterio.annotations.models import AnalysisResult
from criterio.db import is_postgres, is_sqlite
from criterio.interactions._fast import plain_row
from criterio.interactions._pg_fast import (
    SMALL_UPSERT,
    Outcome,
    upsert_changed_pg_fast,
    upsert_imported_pg,
    upsert_staged_pg,
)
from criterio.interactions._sqlite_fast import upsert_changed_sqlite_fast, upsert_sqlite_fast
from criterio.interactions.models import UPSERT_COLUMNS, Interaction
from criterio.tenancy import TenantScopedRepository, exempt

__all__ = [
    "UPSERT_COLUMNS",
    "InteractionFilter",
    "InteractionRepository",
    "list_tenants",
    "refresh_statistics",
]


@dataclass(frozen=True)
class InteractionFilter:
    """What a listing asks for; every field is optional and they combine with AND."""

    channel: str | None = None
    language: str | None = None
    handled_by: str | None = None
    customer_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def list_tenants(session: Session) -> list[str]:
    """Every tenant that has interactions (an operator's view, deliberately unscoped)."""
    stmt = select(Interaction.tenant).distinct().order_by(Interaction.tenant)
    return list(session.scalars(exempt(stmt, "the operator's list of tenants")))


def refresh_statistics(session: Session) -> None:
    """Update the planner's statistics of the interactions table (PostgreSQL only).

    A big import into a young table leaves PostgreSQL believing the table is tiny, so it
    plans the queries that follow (a tenant's listing, an analysis run) as scans of a
    small table. Autovacuum comes too late under load; a big import calls this at its
    end. Table maintenance, not a query on anyone's rows, hence not tenant-scoped.
    """
    if is_postgres(session.get_bind().dialect):
        session.execute(text("ANALYZE interactions"))


class InteractionRepository(TenantScopedRepository):
    """Reads and writes one tenant's interactions."""

    model = Interaction

    def __init__(self, session: Session, tenant: str, *, fast: bool = True) -> None:
        super().__init__(session, tenant)
        #: Write through the driver, not SQLAlchemy (``_sqlite_fast``, ``_pg_fast``).
        self.fast = fast

    def existing(self, external_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """For the ids already stored: ``id -> (content_hash, import_id)``."""
        found: dict[str, tuple[str, str | None]] = {}
        for start in range(0, len(external_ids), 1000):  # stay under bind-parameter limits
            part = external_ids[start : start + 1000]
            stmt = self._select(
                Interaction.external_id, Interaction.content_hash, Interaction.import_id
            ).where(Interaction.external_id.in_(part))
            for external_id, digest, import_id in self.session.execute(stmt):
                found[external_id] = (digest, import_id)
        return found

    def lock_for_write(self) -> bool:
        """Take SQLite's write lock now (True); on PostgreSQL, which locks rows, do nothing.

        SQLite starts a transaction's write lock at its first write; a lookup made before
        it may be stale by the time the rows are written. A write that changes nothing
        takes the lock, and every concurrent writer then waits for this transaction.
        """
        if not is_sqlite(self.session.get_bind().dialect):
            return False
        self.session.execute(
            self._scoped(update(Interaction)).where(false()).values(import_id=None)
        )
        return True

    def upsert(self, rows: list[dict[str, Any]]) -> None:
        """Insert rows, or overwrite the stored row with the same (tenant, id)."""
        if not rows:
            return
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("upsert given a row of another tenant")
        dialect = self.session.get_bind().dialect
        if is_postgres(dialect):
            if len(rows) < SMALL_UPSERT:
                self.session.execute(_pg_upsert(), [plain_row(row) for row in rows])
            else:
                upsert_staged_pg(self.session, rows, only_changed=False)
        elif self.fast and dialect.name == "sqlite":
            upsert_sqlite_fast(self.session, rows)
        else:
            self.upsert_core(rows)

    def upsert_core(self, rows: list[dict[str, Any]]) -> None:
        """The same upsert through SQLAlchemy Core: the reference the fast path is tested on."""
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("upsert given a row of another tenant")
        self.session.execute(_sqlite_upsert(), [plain_row(row) for row in rows])

    def upsert_changed(self, rows: list[dict[str, Any]]) -> dict[str, datetime]:
        """Insert new rows, overwrite stored rows whose content changed, skip identical ones.

        One statement, no lookup first: returns ``id -> created_at`` for the rows written
        (a new row has the ``created_at`` given; an identical one is not returned).
        """
        if not rows:
            return {}
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("upsert given a row of another tenant")
        connection = self.session.connection()
        if is_postgres(connection.dialect):
            if len(rows) >= SMALL_UPSERT:
                return upsert_staged_pg(self.session, rows, only_changed=True)
            if self.fast:
                return upsert_changed_pg_fast(self.session, rows)
            else:
                result = connection.execute(_pg_upsert_changed(), [plain_row(r) for r in rows])
        elif self.fast and connection.dialect.name == "sqlite":
            return upsert_changed_sqlite_fast(self.session, rows)
        else:
            result = connection.execute(_sqlite_upsert_changed(), [plain_row(r) for r in rows])
        assert result is not None
        return {external_id: created for external_id, created in result}

    def upsert_imported(
        self, rows: list[dict[str, Any]], now: datetime
    ) -> dict[str, Outcome] | None:
        """An import's write on PostgreSQL, lookup included: what happened to each row.

        One statement inserts new rows, overwrites changed ones, marks unchanged ones as
        seen by the import, and leaves alone those the same import wrote already (they
        are missing from the answer: duplicates). None on SQLite, whose import locks and
        looks up first (see :meth:`lock_for_write`).
        """
        if not is_postgres(self.session.get_bind().dialect):
            return None
        if any(row["tenant"] != self.tenant for row in rows):
            raise ValueError("upsert given a row of another tenant")
        return upsert_imported_pg(self.session, rows, now) if rows else {}

    def mark_imported(self, external_ids: Sequence[str], import_id: str) -> None:
        """Record that an import saw these (unchanged) interactions."""
        postgres = is_postgres(self.session.get_bind().dialect)
        for start in range(0, len(external_ids), 1000):
            part = external_ids[start : start + 1000]
            stmt = self._scoped(update(Interaction)).values(import_id=import_id)
            if postgres:
                # Lock the rows in id order first (an UPDATE alone locks them in the order
                # its plan visits them), as every other writer does.
                locked = (
                    self._select(Interaction.pk)
                    .where(Interaction.external_id.in_(part))
                    .order_by(Interaction.external_id)
                    .with_for_update()
                )
                stmt = stmt.where(Interaction.pk.in_(locked))
            else:
                stmt = stmt.where(Interaction.external_id.in_(part))
            self.session.execute(stmt)

    def get(self, external_id: str) -> Interaction | None:
        """One interaction by its id, or None."""
        stmt = self._select().where(Interaction.external_id == external_id)
        return self.session.scalars(stmt).one_or_none()

    def iter_all(self, batch_size: int = 5000) -> Iterator[Interaction]:
        """Every interaction of the tenant, in id order, a batch at a time (keyset paging)."""
        last_pk = 0
        while True:
            stmt = self._select().where(Interaction.pk > last_pk).order_by(Interaction.pk)
            batch = list(self.session.scalars(stmt.limit(batch_size)))
            if not batch:
                return
            yield from batch
            last_pk = batch[-1].pk
            self.session.expunge_all()

    def count(self) -> int:
        """How many interactions the tenant has."""
        return int(self.session.scalar(self._select(func.count()).select_from(Interaction)) or 0)

    def count_by(self, column: str) -> list[tuple[str | None, int]]:
        """Counts grouped by one column (channel, language, handled_by)."""
        col = getattr(Interaction, column)
        stmt = self._select(col, func.count()).group_by(col).order_by(func.count().desc())
        return [(value, int(n)) for value, n in self.session.execute(stmt)]

    def count_by_language(self) -> list[tuple[str | None, int]]:
        """Counts by language: the record's own, else the analysed one (None: neither)."""
        language = func.coalesce(Interaction.language, AnalysisResult.language)
        analysed = (AnalysisResult.interaction_pk == Interaction.pk) & (
            AnalysisResult.tenant == self.tenant
        )
        stmt = (
            self._select(language, func.count())
            .select_from(Interaction)
            .outerjoin(AnalysisResult, analysed)
            .group_by(language)
            .order_by(func.count().desc())
        )
        return [(value, int(n)) for value, n in self.session.execute(stmt)]

    def count_by_day(self) -> list[tuple[str, int]]:
        """Counts per UTC day of ``started_at``."""
        day = func.substr(func.cast(Interaction.started_at, String), 1, 10)
        stmt = self._select(day, func.count()).group_by(day).order_by(day)
        return [(str(d), int(n)) for d, n in self.session.execute(stmt)]

    def page(
        self,
        filters: InteractionFilter,
        *,
        after: tuple[datetime, int] | None = None,
        limit: int = 100,
    ) -> list[Interaction]:
        """A page of interactions by (started_at, pk), after the keyset cursor ``after``."""
        stmt = self._select()
        for column, value in (
            (Interaction.channel, filters.channel),
            (Interaction.language, filters.language),
            (Interaction.handled_by, filters.handled_by),
            (Interaction.customer_id, filters.customer_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.since is not None:
            stmt = stmt.where(Interaction.started_at >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(Interaction.started_at < filters.until)
        for key, value in filters.attributes.items():
            stmt = stmt.where(Interaction.attributes[key].as_string() == value)
        if after is not None:
            started, pk = after
            stmt = stmt.where(
                or_(
                    Interaction.started_at > started,
                    and_(Interaction.started_at == started, Interaction.pk > pk),
                )
            )
        stmt = stmt.order_by(Interaction.started_at, Interaction.pk).limit(limit)
        return list(self.session.scalars(stmt))

    def customer_ids(self, customer_id: str) -> list[str]:
        """External ids of one customer's interactions, locked for deletion in key order.

        The lock order (``pk``) is the one analysis takes when it writes results, so an
        erasure and an analysis batch on PostgreSQL never deadlock.
        """
        stmt = (
            self._select(Interaction.external_id)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.pk)
            .with_for_update()
        )
        return list(self.session.scalars(stmt))

    def lock_ids(self, external_ids: Sequence[str]) -> list[str]:
        """Which of these interactions exist, locked for deletion in key order."""
        stmt = (
            self._select(Interaction.external_id)
            .where(Interaction.external_id.in_(list(external_ids)))
            .order_by(Interaction.pk)
            .with_for_update()
        )
        return list(self.session.scalars(stmt))

    def delete_customer(self, customer_id: str) -> int:
        """Delete every interaction of one customer (derived rows go by ON DELETE CASCADE)."""
        stmt = self._scoped(delete(Interaction)).where(Interaction.customer_id == customer_id)
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def delete_ids(self, external_ids: Iterable[str]) -> int:
        """Delete the given interactions; returns how many were removed."""
        ids = list(external_ids)
        stmt = self._scoped(delete(Interaction)).where(Interaction.external_id.in_(ids))
        return int(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _pg_upsert() -> Any:
    stmt = pg_insert(cast(Table, Interaction.__table__))
    return stmt.on_conflict_do_update(
        index_elements=["tenant", "external_id"],
        set_={c: stmt.excluded[c] for c in UPSERT_COLUMNS},
    )


@lru_cache(maxsize=1)
def _sqlite_upsert() -> Any:
    # Built once: constructing the ON CONFLICT clause (a proxy per excluded column) cost
    # more than executing it for a single-record API POST. On the Table, not the mapped
    # class, so executemany skips the ORM's per-row bulk-insert bookkeeping.
    stmt = sqlite_insert(cast(Table, Interaction.__table__))
    return stmt.on_conflict_do_update(
        index_elements=["tenant", "external_id"],
        set_={c: stmt.excluded[c] for c in UPSERT_COLUMNS},
    )


def _content_changed(stmt: Any) -> Any:
    table = cast(Table, Interaction.__table__)
    return table.c.content_hash != stmt.excluded.content_hash


def _changed_only(stmt: Any) -> Any:
    # Identical content (same digest) is left alone and not returned; created_at tells a
    # new row (the value we sent) from an overwritten one (the value first stored).
    table = cast(Table, Interaction.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["tenant", "external_id"],
        set_={c: stmt.excluded[c] for c in UPSERT_COLUMNS},
        where=_content_changed(stmt),
    ).returning(table.c.external_id, table.c.created_at)


@lru_cache(maxsize=1)
def _pg_upsert_changed() -> Any:
    return _changed_only(pg_insert(cast(Table, Interaction.__table__)))


@lru_cache(maxsize=1)
def _sqlite_upsert_changed() -> Any:
    return _changed_only(sqlite_insert(cast(Table, Interaction.__table__)))
