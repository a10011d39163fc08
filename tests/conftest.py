"""Shared fixtures: every store test runs on a SQLite file and on the local PostgreSQL.

The schema is made once per backend by ``alembic upgrade head``; each test then gets its
own copy (a copied SQLite file, a PostgreSQL database created from a template), so a
test may commit freely and still start from a clean store.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.config import get_settings
from criterio.db import make_engine, make_session_factory, upgrade_database

#: Server used for the PostgreSQL half of the suite (trust auth on this machine and CI).
PG_SERVER = os.environ.get("CRITERIO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The evaluation data sets beside the project (never copied into it)."""
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is not present")
    return DATA


def _pg_admin() -> Engine:
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def _drop_pg(name: str) -> None:
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database used as the template of each test's database."""
    name = f"criterio_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(f"{PG_SERVER}/{name}")
    upgrade_database(engine)
    engine.dispose()
    try:
        yield name
    finally:
        _drop_pg(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test."""
    path = tmp_path_factory.mktemp("template") / "criterio.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to a migrated, empty database of its own: SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "criterio.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"criterio_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _drop_pg(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's own migrated database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the test's database; what they commit stays for the test only."""
    return make_session_factory(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    with factory() as sess:
        yield sess
    transaction.rollback()
    connection.close()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """Typer's runner on the test's store, with its own model directory and wide output
    (no wrapping in what the tests read)."""
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("CRITERIO_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("COLUMNS", "400")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
