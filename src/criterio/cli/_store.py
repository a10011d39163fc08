"""Opening the store from the CLI: engine, session factory, schema check, clear errors.

SQLAlchemy is imported when a command opens the store, not when the CLI starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from criterio.config import Settings

__all__ = [
    "Store",
    "cli_actor",
    "database_errors",
    "open_store",
    "run_in_store",
    "session_scope",
    "unit_of_work",
]

T = TypeVar("T")

URL_HINT = "e.g. sqlite:///criterio.db or postgresql+psycopg://user@host:5432/criterio"


@dataclass
class Store:
    """An open database: the engine and its session factory."""

    engine: Engine
    factory: sessionmaker[Session]

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def cli_actor() -> str:
    """The audit log's actor for a command: the operating-system user who ran it."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "cli"


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn a bad CRITERIO_DATABASE_URL into one line on standard error and exit status 2.

    The URL itself is never printed: it may hold a password.
    """
    from sqlalchemy.exc import ArgumentError, DBAPIError

    try:
        yield
    except ArgumentError:
        # Unparsable, or a dialect SQLAlchemy does not know.
        _fail(f"CRITERIO_DATABASE_URL is not a database URL Criterio can use ({URL_HINT}).")
    except ModuleNotFoundError as exc:
        _fail(f"CRITERIO_DATABASE_URL names a database driver that is not installed: {exc.name}.")
    except DBAPIError as exc:
        # psycopg's first line says which host and port refused (no password in it).
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else repr(exc)
        _fail(f"Cannot open the database of CRITERIO_DATABASE_URL: {reason}")
    except OSError as exc:  # a SQLite file whose folder cannot be created
        _fail(f"Cannot open the database of CRITERIO_DATABASE_URL: {exc}")


def _fail(message: str) -> None:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(2)


def open_store(settings: Settings | None = None) -> Store:
    """Open the configured database; an empty one is created, an outdated one refused."""
    from criterio.config import get_settings
    from criterio.db import make_engine, make_session_factory, schema_status, upgrade_database

    settings = settings or get_settings()
    with database_errors():
        engine = make_engine(settings.database_url)
        try:
            status = schema_status(engine)
            if status == "empty":
                upgrade_database(engine)
        except BaseException:
            engine.dispose()
            raise
    if status == "outdated":
        engine.dispose()
        typer.secho(
            "The database schema is older than this Criterio: run `criterio db upgrade`.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    return Store(engine, make_session_factory(engine))


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """``criterio.db.session_scope`` (one transaction), imported when a command opens one."""
    from criterio.db import session_scope as scope

    with scope(factory) as session:
        yield session


@contextmanager
def unit_of_work(
    settings: Settings | None = None, *, after_commit: Callable[[Engine], None] | None = None
) -> Iterator[Session]:
    """Open the store and give one transaction: committed when the block ends, rolled back
    on error; a CriterioError becomes ``Error: ...`` on standard error and exit status 1.

    ``after_commit`` runs with the engine once the transaction is committed, before the
    store is closed. The store is closed in every case.
    """
    from criterio.errors import CriterioError

    store = open_store(settings)
    try:
        with session_scope(store.factory) as session:
            yield session
        if after_commit is not None:
            after_commit(store.engine)
    except CriterioError as exc:
        typer.secho(f"Error: {exc.message}", fg="red", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()


def run_in_store(work: Callable[[Session], T], settings: Settings | None = None) -> T:
    """Run ``work`` in one :func:`unit_of_work` and return what it returns."""
    with unit_of_work(settings) as session:
        return work(session)
