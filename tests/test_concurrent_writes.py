"""Concurrent writers on both stores: batches sharing ids in different orders through a real
``criterio serve`` process, and two ``criterio ingest`` processes of the same file."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import is_postgres, make_engine, make_session_factory, session_scope, with_retries
from criterio.interactions.models import Interaction
from criterio.interactions.repository import InteractionRepository
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import to_row
from tests.server_support import free_port, wait_ready

CRITERIO = str(Path(sys.executable).parent / "criterio")
SHARED_IDS = 200
NOW = datetime(2026, 11, 3, tzinfo=UTC)


def _record(external_id: str, version: str) -> dict[str, object]:
    return {
        "id": external_id,
        "started_at": "2026-11-02T09:00:00Z",
        "channel": "chat",
        "turns": [{"role": "customer", "text": f"factura duplicada, versión {version}"}],
    }


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real ``criterio serve`` on the test's database, and an integration token."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "acme")
        service.create_user(session, "acme", username="feeder", role=Role.integration)
        token = service.create_token(session, "acme", username="feeder", name="t").token
    engine.dispose()
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "CRITERIO_DATABASE_URL": database_url}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [CRITERIO, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, log)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_clients_posting_the_same_ids_in_different_orders_all_succeed(
    served: tuple[str, str], database_url: str
) -> None:
    base, token = served
    ids = [f"shared-{i:04d}" for i in range(SHARED_IDS)]

    def client(number: int) -> list[int]:
        statuses = []
        shuffled = random.Random(number)
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            for round_ in range(4):
                order = ids[:]
                shuffled.shuffle(order)
                # Each client writes its own version: every post updates rows others hold.
                body = [_record(i, f"{number}-{round_}") for i in order]
                response = http.post("/api/v1/interactions/batch", json=body)
                statuses.append(response.status_code)
                if response.status_code == 200:
                    assert response.json()["rejected"] == 0
        return statuses

    with ThreadPoolExecutor(8) as pool:
        statuses = [s for result in pool.map(client, range(8)) for s in result]
    assert statuses == [200] * 32
    engine = make_engine(database_url)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Interaction))
    engine.dispose()
    assert stored == SHARED_IDS


def _summary(output: str) -> dict[str, int]:
    counts = {}
    for label in ("records read", "inserted", "updated", "unchanged", "rejected"):
        match = re.search(rf"{label}\s*│\s*([\d,]+)", output)
        assert match is not None, output
        counts[label] = int(match.group(1).replace(",", ""))
    return counts


def test_two_imports_of_one_file_at_once_report_true_counts(
    database_url: str, tmp_path: Path
) -> None:
    rows = 3000
    source = tmp_path / "calls.jsonl"
    source.write_text(
        "".join(json.dumps(_record(f"c-{i:05d}", "1")) + "\n" for i in range(rows)),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "CRITERIO_DATABASE_URL": database_url,
        "CRITERIO_INGEST_CHUNK_SIZE": "100",
        "COLUMNS": "200",
    }
    command = [CRITERIO, "ingest", str(source), "--tenant", "acme"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    summaries = [_summary(out.decode()) for out, _ in outputs]
    for summary in summaries:
        assert summary["records read"] == rows
        assert summary["inserted"] + summary["updated"] + summary["unchanged"] == rows
        assert summary["updated"] == 0  # the same content both times
    # Every row was new to exactly one of the two imports.
    assert sum(s["inserted"] for s in summaries) == rows
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Interaction)) == rows
    engine.dispose()


def test_a_transaction_that_lost_a_deadlock_is_run_again(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if not is_postgres(engine):
        pytest.skip("deadlocks are PostgreSQL's; SQLite lets one writer in at a time")
    with session_scope(session_factory) as session:
        InteractionRepository(session, "acme").upsert(
            [
                to_row(
                    InteractionIn.model_validate(_record(i, "0") | {"tenant": "acme"}),
                    now=NOW,
                    import_id=None,
                )
                for i in ("a", "b")
            ]
        )
    both_hold_one = threading.Barrier(2)
    attempts: Counter[str] = Counter()

    def writer(name: str, first: str, second: str) -> None:
        def work() -> None:
            attempts[name] += 1
            with session_scope(session_factory) as session:
                for external_id in (first, second):
                    session.execute(
                        update(Interaction)
                        .where(Interaction.tenant == "acme", Interaction.external_id == external_id)
                        .values(language=name)
                    )
                    if attempts[name] == 1 and external_id == first:
                        both_hold_one.wait(timeout=20)  # then each wants the other's row

        with_retries(work)

    threads = [
        threading.Thread(target=writer, args=("es", "a", "b")),
        threading.Thread(target=writer, args=("en", "b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # PostgreSQL aborted one of them; it was run again and both writes are in.
    assert sorted(attempts.values()) == [1, 2]
    with session_scope(session_factory) as session:
        languages = set(session.scalars(select(Interaction.language)))
    assert len(languages) == 1 and languages <= {"es", "en"}
