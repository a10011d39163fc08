"""Database plumbing: declarative base, engine factory, session helpers, Alembic upgrade."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

__all__ = [
    "MAX_ROW_KEY",
    "TRANSIENT_ATTEMPTS",
    "Base",
    "BigIntPK",
    "JSONType",
    "UTCDateTime",
    "check_row_key",
    "checkpoint_wal",
    "is_postgres",
    "is_sqlite",
    "is_transient",
    "make_engine",
    "make_session_factory",
    "schema_status",
    "session_scope",
    "upgrade_database",
    "with_retries",
]

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: 64-bit keys on PostgreSQL; SQLite's INTEGER PRIMARY KEY is already 64-bit and is the
#: only type it auto-increments.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

#: JSON everywhere, stored as JSONB on PostgreSQL so it can be indexed and queried.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable across SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Largest row key a cursor may name (a signed 64-bit integer, as the stores keep them).
MAX_ROW_KEY = 2**63 - 1


def check_row_key(value: int) -> int:
    """A row key decoded from a cursor: refuse one no row can have (ValueError)."""
    if not 0 <= value <= MAX_ROW_KEY:
        raise ValueError("row key out of range")
    return value


def is_sqlite(engine_or_dialect: Engine | Dialect) -> bool:
    """True when the engine (or dialect) talks to SQLite."""
    return _dialect_name(engine_or_dialect) == "sqlite"


def is_postgres(engine_or_dialect: Engine | Dialect) -> bool:
    """True when the engine (or dialect) talks to PostgreSQL."""
    return _dialect_name(engine_or_dialect) == "postgresql"


def _dialect_name(engine_or_dialect: Engine | Dialect) -> str:
    dialect = (
        engine_or_dialect.dialect if isinstance(engine_or_dialect, Engine) else engine_or_dialect
    )
    return str(dialect.name)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while an import writes; NORMAL sync is safe with WAL
    # (a power cut may lose the last commit, never corrupt the file).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted rows are overwritten with zeros, not left in free space: an erased
    # customer's text must not stay readable in the file (builds differ in default).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build an engine for ``url``; SQLite files get WAL mode and foreign keys.

    Errors never carry the statement's bound values (``hide_parameters``): they are
    customer ids and message texts, and an error message ends up in logs.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def checkpoint_wal(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log into the database file and empty it (TRUNCATE).

    Run after an erasure has committed: until then the log still holds the pages as
    they were before, erased text included. Waits for readers (``busy_timeout``);
    returns False when one still held the log (the erased pages stay in it until the
    next checkpoint), True when it is empty and on other stores, which have no such file.
    """
    if not is_sqlite(engine):
        return True
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return not busy


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (the migrations ship inside the package)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_status(engine: Engine) -> str:
    """``empty`` (no schema yet), ``current`` (at head) or ``outdated``."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if not current:
        return "empty"
    return "current" if current == heads else "outdated"


#: How many times a unit of work is tried when the database aborts it for a lock conflict.
TRANSIENT_ATTEMPTS = 5
#: PostgreSQL's "deadlock detected" and "could not serialize access".
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient(exc: BaseException) -> bool:
    """True for an error that says "try the transaction again": a deadlock, a
    serialization failure, or SQLite still locked after its busy timeout."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def with_retries(
    work: Callable[[], T],
    *,
    on_retry: Callable[[], None] | None = None,
    attempts: int = TRANSIENT_ATTEMPTS,
) -> T:
    """Run ``work`` (a whole transaction), again after a transient conflict, ``attempts``
    times at most; ``on_retry`` (a rollback, say) runs before each new try.

    The pause before a retry grows and is jittered, so writers that collided do not
    collide again in step. The last error is raised when every attempt failed.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            if on_retry is not None:
                on_retry()
            time.sleep(random.uniform(0.01, 0.05) * 2**attempt)  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")  # the loop returns or raises
