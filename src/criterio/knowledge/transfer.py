"""Import and export of articles: idempotent by external id, errors per record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from criterio.interactions.readers.base import RecordError
from criterio.knowledge.formats import Parsed
from criterio.knowledge.repository import ArticleRepository
from criterio.knowledge.schemas import CONTENT_FIELDS, ArticleIn
from criterio.knowledge.service import apply_changes, content_of, create_article

__all__ = ["ImportSummary", "export_records", "import_articles"]

#: Records validated and written per round trip to the store.
CHUNK = 500


@dataclass
class ImportSummary:
    """What an import did: articles created, updated, unchanged, and the records refused."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The summary as printed by ``criterio kb import --json``."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "errors": [e.as_dict() for e in self.errors],
        }


def _error(source: str, location: str, record: dict[str, Any], exc: ValidationError) -> RecordError:
    first = exc.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "(record)"
    rid = record.get("external_id")
    return RecordError(source, location, name, first["msg"], None if rid is None else str(rid))


def import_articles(
    session: Session,
    tenant: str,
    parsed: Iterable[Parsed],
    *,
    source: str,
    actor: str | None,
    now: datetime | None = None,
) -> ImportSummary:
    """Create or update articles by external id; a record with an error is reported and skipped.

    Importing the same file twice changes nothing the second time (``unchanged``); a
    record whose content differs becomes a new version of its article (action ``import``).
    Records without an external id are created each time.
    """
    summary = ImportSummary()
    now = now or datetime.now(UTC)
    seen: set[str] = set()
    for chunk in _chunks(parsed):
        valid: list[tuple[str, ArticleIn]] = []
        for item in chunk:
            if isinstance(item, RecordError):
                summary.errors.append(item)
                continue
            location, record = item
            try:
                data = ArticleIn.model_validate(record)
            except ValidationError as exc:
                summary.errors.append(_error(source, location, record, exc))
                continue
            if data.external_id is not None:
                if data.external_id in seen:
                    summary.errors.append(
                        RecordError(
                            source,
                            location,
                            "external_id",
                            "appears twice in this import (the first one was kept)",
                            data.external_id,
                        )
                    )
                    continue
                seen.add(data.external_id)
            valid.append((location, data))
        _store(session, tenant, valid, summary, actor=actor, now=now)
    return summary


def _chunks(parsed: Iterable[Parsed]) -> Iterator[list[Parsed]]:
    chunk: list[Parsed] = []
    for item in parsed:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store(
    session: Session,
    tenant: str,
    valid: list[tuple[str, ArticleIn]],
    summary: ImportSummary,
    *,
    actor: str | None,
    now: datetime,
) -> None:
    repo = ArticleRepository(session, tenant)
    existing = repo.by_external_ids([d.external_id for _, d in valid if d.external_id])
    for _, data in valid:
        found = existing.get(data.external_id or "") if data.external_id else None
        if found is None:
            create_article(session, tenant, data, actor=actor, action="import", now=now)
            summary.created += 1
            continue
        values = data.model_dump(mode="json")
        changed = apply_changes(
            session, tenant, found, values, action="import", actor=actor, note=None, now=now
        )
        if changed:
            summary.updated += 1
        else:
            summary.unchanged += 1


def export_records(session: Session, tenant: str) -> Iterator[dict[str, Any]]:
    """Every article of the tenant as an import record (oldest first, so ids read in order)."""
    articles = ArticleRepository(session, tenant).list()
    for article in sorted(articles, key=lambda a: a.id):
        record = content_of(article)
        yield {name: record[name] for name in ("external_id", *CONTENT_FIELDS[:-2], "source")}
