"""Killing ``criterio ingest`` midway (SIGKILL) never leaves a broken store, and a re-run
completes the import exactly: every record once, none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from criterio.db import make_engine
from criterio.interactions.models import Interaction
from tests.factories import interaction, write_jsonl

RECORDS = 20_000
CHUNK = 200
#: Kill once this many chunks are committed (well before the end).
KILL_AFTER_CHUNKS = 3
CLI = [sys.executable, "-c", "from criterio.cli import main; main()", "ingest"]


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Interaction)) or 0)
    finally:
        engine.dispose()


def _check_rows(url: str) -> set[str]:
    """Every stored row is complete and equals its source record; returns the ids."""
    engine = make_engine(url)
    ids: set[str] = set()
    columns = (
        Interaction.external_id,
        Interaction.tenant,
        Interaction.channel,
        Interaction.turns,
        Interaction.attributes,
        Interaction.labels,
        Interaction.csat,
        Interaction.content_hash,
        Interaction.started_at,
    )
    try:
        with engine.connect() as connection:
            for row in connection.execute(select(*columns)):
                source = interaction(int(row.external_id.removeprefix("c-")))
                assert (row.tenant, row.channel, row.csat) == (
                    source["tenant"],
                    source["channel"],
                    source["outcome"]["csat"],
                )
                assert row.turns == source["turns"]
                assert (row.attributes, row.labels) == (source["attributes"], source["labels"])
                assert row.content_hash and row.started_at is not None
                assert row.external_id not in ids
                ids.add(row.external_id)
    finally:
        engine.dispose()
    return ids


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tens of thousands of valid records, written once for both backends."""
    path = tmp_path_factory.mktemp("kill") / "big.jsonl"
    return write_jsonl(path, [interaction(i) for i in range(RECORDS)])


def test_killed_import_leaves_whole_chunks_and_a_rerun_completes_it(
    database_url: str, big_file: Path
) -> None:
    path = big_file
    env = {
        **os.environ,
        "CRITERIO_DATABASE_URL": database_url,
        "CRITERIO_INGEST_CHUNK_SIZE": str(CHUNK),
    }
    process = subprocess.Popen(
        [*CLI, str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while _count(database_url) < KILL_AFTER_CHUNKS * CHUNK:
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL

    committed = _count(database_url)
    assert 0 < committed < RECORDS
    assert committed % CHUNK == 0  # only whole chunks: nothing half-written
    assert len(_check_rows(database_url)) == committed

    rerun = subprocess.run(
        [*CLI, str(path)],
        env={**env, "CRITERIO_INGEST_CHUNK_SIZE": "5000", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    summary = " ".join(rerun.stdout.split())
    assert f"inserted │ {RECORDS - committed:,}" in summary
    assert f"unchanged │ {committed:,}" in summary
    assert _check_rows(database_url) == {f"c-{i:06d}" for i in range(RECORDS)}
