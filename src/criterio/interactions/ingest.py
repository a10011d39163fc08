"""File import as a batch job: stream, validate, store chunk by chunk (one transaction each).

Each chunk commits on its own, so a crash or kill loses at most the chunk in flight;
because storing is idempotent, running the same import again completes it.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.auth.repository import add_missing_tenants
from criterio.db import session_scope, with_retries
from criterio.interactions._pipeline import Decoded, decode_item, decoded_in_child, decoded_items
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.repository import refresh_statistics
from criterio.interactions.service import StoreResult, store_rows

__all__ = ["IngestReport", "ingest_files", "ingest_records"]

#: Errors kept in the report; the errors file (on_error) gets all of them.
MAX_ERRORS_KEPT = 1000
#: Inserted records from which an import refreshes the planner statistics at its end.
ANALYZE_FROM = 20_000
#: Input size from which ``ingest_files`` decodes in a second process (about 20,000
#: typical records): below it, starting the process costs more than it saves.
PARALLEL_FROM_BYTES = 8_000_000


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
    #: Start days of the records written, by tenant (the metrics to bring up to date).
    days: dict[str, set[date]] = field(default_factory=dict)

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
    parallel: bool | None = None,
) -> IngestReport:
    """Import every file; bad records are reported and skipped, good ones are stored.

    ``parallel`` decodes in a second process while this one writes (see ``_pipeline``);
    None chooses it for inputs of at least :data:`PARALLEL_FROM_BYTES` when a core is
    free (load average below the core count minus one). Either way the stored rows,
    counts and errors are the same.
    """
    paths = list(paths)
    if parallel is None:
        parallel = _worth_a_child(paths)
    if parallel:
        decoded = decoded_in_child(paths, fmt, encoding, tenant)
    else:
        decoded = decoded_items(paths, fmt, encoding, tenant)
    return _ingest_decoded(
        factory, decoded, chunk_size=chunk_size, on_error=on_error, on_progress=on_progress
    )


def _worth_a_child(paths: list[Path]) -> bool:
    # Starting the decoder process costs about a second (a fresh interpreter importing
    # the contract): worth it for big files, and only with a core free to run it. On a
    # busy machine the two processes take turns on the same cores and the messages
    # between them make the import slower than in one process (docs/benchmarks.md).
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on Windows: judge by the cores alone
        load = 0.0
    if cores < 2 or load > cores - 1:
        return False
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # the reader reports it
    return total >= PARALLEL_FROM_BYTES


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
    return _ingest_decoded(
        factory,
        (decode_item(item, tenant) for item in items),
        chunk_size=chunk_size,
        on_error=on_error,
        on_progress=on_progress,
    )


def _ingest_decoded(
    factory: sessionmaker[Session],
    items: Iterable[Decoded],
    *,
    chunk_size: int,
    on_error: Callable[[RecordError], None] | None,
    on_progress: Callable[[int], None] | None,
) -> IngestReport:
    report = IngestReport(import_id=uuid.uuid4().hex)

    def reject(error: RecordError) -> None:
        report.add_error(error)
        if on_error is not None:
            on_error(error)

    chunk: list[dict[str, Any]] = []
    origins: list[tuple[str, str]] = []  # (source, location) of each chunk row
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
        for tenant, days in result.days.items():
            report.days.setdefault(tenant, set()).update(days)
        report.inserted += result.inserted
        report.updated += result.updated
        report.unchanged += result.unchanged
        for position in result.duplicates:
            (source, location), row = origins[position], chunk[position]
            reject(
                RecordError(
                    source,
                    location,
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
        _consume(items, chunk, origins, report, reject, flush, chunk_size, on_progress)
    finally:
        if gc_was_enabled:
            gc.enable()
    if report.inserted >= ANALYZE_FROM:
        # A big import into a young table: the queries that follow it (analysis,
        # listings) are planned for its real size (see refresh_statistics). The import
        # itself needs none: it looks nothing up on PostgreSQL, and SQLite's lookup
        # is by the unique index.
        with session_scope(factory) as session:
            refresh_statistics(session)
    return report


def _consume(
    items: Iterable[Decoded],
    chunk: list[dict[str, Any]],
    origins: list[tuple[str, str]],
    report: IngestReport,
    reject: Callable[[RecordError], None],
    flush: Callable[[], None],
    chunk_size: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    for item in items:
        if len(item) == 2:
            error, was_read = item
            assert isinstance(error, RecordError)
            if was_read:  # a record the contract refused, rather than unreadable input
                report.read += 1
                reject(error)
                if on_progress is not None:
                    on_progress(1)
            else:
                reject(error)
            continue
        source, location, row = item
        assert isinstance(row, dict)
        report.read += 1
        chunk.append(row)
        origins.append((source, location))
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
