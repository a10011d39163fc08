"""Opening the store from the CLI: engine, session factory, schema check."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from criterio.config import Settings, get_settings
from criterio.db import make_engine, make_session_factory, schema_status, upgrade_database

__all__ = ["Store", "open_store"]


@dataclass
class Store:
    """An open database: the engine and its session factory."""

    engine: Engine
    factory: sessionmaker[Session]

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def open_store(settings: Settings | None = None) -> Store:
    """Open the configured database; an empty one is created, an outdated one refused."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    status = schema_status(engine)
    if status == "empty":
        upgrade_database(engine)
    elif status == "outdated":
        engine.dispose()
        typer.secho(
            "The database schema is older than this Criterio: run `criterio db upgrade`.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    return Store(engine, make_session_factory(engine))
