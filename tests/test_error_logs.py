"""A 500 from a database error: the server's log names the error, never the values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import text

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from tests.factories import interaction
from tests.server_support import free_port, wait_ready

SECRET_CUSTOMER = "k-refused-7731"
SECRET_TEXT = "mi cuenta secreta 7731"


def _refuse_customer(database_url: str) -> str:
    """A token, and a store that fails (as a database error) to insert SECRET_CUSTOMER."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "acme")
        service.create_user(session, "acme", username="bot", role=Role.integration)
        token = service.create_token(session, "acme", username="bot", name="t").token
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON interactions "
                    f"WHEN NEW.customer_id = '{SECRET_CUSTOMER}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
                )
            )
        else:  # PostgreSQL's message quotes the failing row ("Failing row contains ...")
            connection.execute(
                text(
                    "ALTER TABLE interactions ADD CONSTRAINT refuse "
                    f"CHECK (customer_id IS DISTINCT FROM '{SECRET_CUSTOMER}')"
                )
            )
    engine.dispose()
    return token


def test_a_500_logs_no_request_values(database_url: str, tmp_path: Path) -> None:
    token = _refuse_customer(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "CRITERIO_DATABASE_URL": database_url}
    command = [str(Path(sys.executable).parent / "criterio"), "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, process, log)
        record = interaction(
            1, customer_id=SECRET_CUSTOMER, turns=[{"role": "customer", "text": SECRET_TEXT}]
        )
        response = httpx.post(
            f"{base}/api/v1/interactions",
            json=record,
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "probe-500"},
            timeout=30,
        )
        fine = httpx.post(
            f"{base}/api/v1/interactions",
            json=interaction(2),
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    finally:
        process.terminate()
        process.wait(timeout=20)
    logged = log.read_text(errors="replace")
    for value in (SECRET_CUSTOMER, "7731", "secreta"):
        assert value not in logged, value
    assert "unhandled error" in logged and "probe-500" in logged
    # The error is named, with where it happened: SQLAlchemy's IntegrityError, or the
    # driver's own class where the write goes through the driver (PostgreSQL fast path).
    assert "IntegrityError" in logged or "CheckViolation" in logged
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error", "request_id": "probe-500"}
    assert fine.status_code in (200, 201)  # the server goes on serving
