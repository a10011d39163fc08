"""``criterio db``: schema management."""

from __future__ import annotations

import typer

from criterio.cli._store import database_errors

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target Alembic revision.")) -> None:
    """Create or migrate the schema of CRITERIO_DATABASE_URL to the latest version."""
    from criterio.config import get_settings
    from criterio.db import make_engine, schema_status, upgrade_database

    with database_errors():
        engine = make_engine(get_settings().database_url)
        try:
            upgrade_database(engine, revision)
            status = schema_status(engine)
        finally:
            engine.dispose()
    typer.echo(f"Database schema is {status} ({engine.url.render_as_string()}).")
