"""File import as a batch job: stream, validate, store chunk by chunk (one transaction each).

Each chunk commits on its own, so a crash or kill loses at most the chunk in flight;
because storing is idempotent, running the same import again completes it.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.auth.repository import add_missing_tenants
from criterio.db import session_scope, with_retries
from criterio.interactions._fast import decode_row, mapping_row
from criterio.interactions.readers import read_file
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.repository import refresh_statistics
from criterio.interactions.service import StoreResult, store_rows, to_row, validate_record

__all__ = ["IngestReport", "ingest_files", "ingest_records"]

#: Errors kept in the report; the errors file (on_error) gets all of them.
MAX_ERRORS_KEPT = 1000
#: Inserted records after which an import first refreshes the planner statistics.
ANALYZE_FIRST_AT = 20_000


@dataclass
class IngestReport:
    """The outcome of an import."""

    import_id: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RecordError] = field(default_factory=list)
    #: Tenants this import created because its records named them first.
    new_tenants: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Records now in the store from this import (new, updated or already there)."""
        return self.inserted + self.updated + self.unchanged

    def add_error(self, error: RecordError) -> None:
        """Count a rejected record (or file), keeping the first errors for the summary."""
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)


def ingest_files(
    factory: sessionmaker[Session],
    paths: Iterable[Path],
    *,
    fmt: str = "auto",
    tenant: str | None = None,
    encoding: str = "utf-8",
    chunk_size: int = 5000,
    on_error: Callable[[RecordError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Import every file; bad records are reported and skipped, good ones are stored."""

    def records() -> Iterable[RawRecord | RecordError]:
        for path in paths:
            try:
                yield from read_file(path, fmt, encoding)
            except (OSError, ValueError) as exc:
                yield RecordError(str(path), "file", "(file)", str(exc))

    return ingest_records(
        factory,
        records(),
        tenant=tenant,
        chunk_size=chunk_size,
        on_error=on_error,
        on_progress=on_progress,
    )


def ingest_records(
    factory: sessionmaker[Session],
    items: Iterable[RawRecord | RecordError],
    *,
    tenant: str | None = None,
    chunk_size: int = 5000,
    on_error: Callable[[RecordError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Validate and store a stream of raw records, committing every ``chunk_size``."""
    report = IngestReport(import_id=uuid.uuid4().hex)

    def reject(error: RecordError) -> None:
        report.add_error(error)
        if on_error is not None:
            on_error(error)

    chunk: list[dict[str, Any]] = []
    origins: list[RawRecord] = []
    analyse_at = [ANALYZE_FIRST_AT]
    known_tenants: set[str] = set()

    def flush() -> None:
        names = {row["tenant"] for row in chunk} - known_tenants

        def store() -> tuple[StoreResult, list[str]]:
            with session_scope(factory) as session:
                # A tenant named for the first time is created, so that `criterio tenants
                # list` and `users create -t` know it (one query per new name, not per chunk).
                created = add_missing_tenants(session, names, datetime.now(UTC))
                return store_rows(session, chunk, import_id=report.import_id), created

        # A chunk that lost a lock conflict (another import writing the same ids) was
        # rolled back whole: it is simply stored again.
        result, created = with_retries(store)
        known_tenants.update(names)
        report.new_tenants.extend(created)
        if report.inserted + result.inserted >= analyse_at[0]:
            # The table has grown a lot since its statistics were taken (see
            # refresh_statistics); doubling the threshold keeps this O(log n) times.
            with session_scope(factory) as session:
                refresh_statistics(session)
            analyse_at[0] *= 2
        report.inserted += result.inserted
        report.updated += result.updated
        report.unchanged += result.unchanged
        for position in result.duplicates:
            raw, row = origins[position], chunk[position]
            reject(
                RecordError(
                    raw.source,
                    raw.location,
                    "id",
                    f"duplicate id {row['external_id']!r} for tenant {row['tenant']!r} in "
                    "this import; the first record with this id was kept",
                    row["external_id"],
                )
            )
        if on_progress is not None:
            on_progress(len(chunk))
        chunk.clear()
        origins.clear()
        gc.collect(1)  # the young generations only: cheap once the chunk is gone

    # The cyclic GC rescans the growing chunk (tens of thousands of dicts, no cycles)
    # again and again; paused for the import, restored after, even on error.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _consume(items, chunk, origins, tenant, report, reject, flush, chunk_size, on_progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    return report


def _consume(
    items: Iterable[RawRecord | RecordError],
    chunk: list[dict[str, Any]],
    origins: list[RawRecord],
    tenant: str | None,
    report: IngestReport,
    reject: Callable[[RecordError], None],
    flush: Callable[[], None],
    chunk_size: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    for item in items:
        if isinstance(item, RecordError):
            reject(item)
            continue
        report.read += 1
        # The compiled decoder takes the common valid JSON record; anything it refuses
        # (lax input, or an error to word) goes through the pydantic contract.
        data = item.data
        row = decode_row(data, tenant) if isinstance(data, bytes) else mapping_row(data, tenant)
        if row is None:
            validated = validate_record(item, tenant)
            if isinstance(validated, RecordError):
                reject(validated)
                if on_progress is not None:
                    on_progress(1)
                continue
            row = to_row(validated, now=datetime.now(UTC), import_id=report.import_id)
        chunk.append(row)
        origins.append(item)
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
