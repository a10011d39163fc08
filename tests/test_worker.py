"""`criterio worker` as real processes on a real store: two at once never run a job's slot
twice, and a worker killed mid-job (SIGKILL) leaves a failed run that the next one reruns."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.annotations.models import AnalysisResult
from criterio.db import session_scope
from criterio.interactions import ingest_files
from criterio.jobs.models import JobRun
from criterio.jobs.service import set_schedule
from tests.factories import interaction, write_jsonl

WORKER = [sys.executable, "-c", "from criterio.cli import main; main()", "worker"]


def _start(
    database_url: str, tmp_path: Path, name: str, *args: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "CRITERIO_DATABASE_URL": database_url,
        "CRITERIO_MODEL_DIR": str(tmp_path / "models"),
        "COLUMNS": "300",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*WORKER, "--worker-id", name, *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


def _runs(factory: sessionmaker[Session]) -> list[JobRun]:
    with session_scope(factory) as session:
        # The test reads every tenant's runs, as an operator would.
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def _analysed(factory: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(factory) as session:
        rows = session.execute(
            select(AnalysisResult.tenant, func.count()).group_by(AnalysisResult.tenant)
        )
        return {tenant: int(n) for tenant, n in rows}


def _store(factory: sessionmaker[Session], tmp_path: Path, tenants: dict[str, int]) -> None:
    records = [
        interaction(i, tenant=tenant, id=f"{tenant}-{i}")
        for tenant, n in tenants.items()
        for i in range(n)
    ]
    ingest_files(factory, [write_jsonl(tmp_path / "in.jsonl", records)])


def test_two_workers_run_each_slot_of_each_tenant_once(
    session_factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    _store(session_factory, tmp_path, {"acme": 30, "globex": 20})
    now = datetime.now(UTC)
    with session_scope(session_factory) as session:
        for tenant in ("acme", "globex"):
            set_schedule(session, tenant, "analyze", 2, now=now)
            set_schedule(session, tenant, "detect", 2, now=now)
    args = ("--ticks", "8", "--interval", "1s", "--lease", "30s")
    workers = [_start(database_url, tmp_path, name, *args) for name in ("w1", "w2")]
    for process, log in workers:
        assert process.wait(timeout=300) == 0, log.read_text(errors="replace")
    runs = _runs(session_factory)
    assert runs and all(r.status == "succeeded" for r in runs), [(r.job, r.error) for r in runs]
    slots: dict[tuple[str, str], list[JobRun]] = defaultdict(list)
    for run in runs:
        slots[(run.tenant, run.job)].append(run)
    assert set(slots) == {(t, j) for t in ("acme", "globex") for j in ("analyze", "detect")}
    for key, done in slots.items():
        # Each slot of each tenant's job ran exactly once, by one of the two workers...
        assert len({r.scheduled_for for r in done}) == len(done) >= 2, key
        assert all(r.attempt == 1 for r in done)
        # ... and never while another run of the same job and tenant was going on.
        spans = sorted((r.started_at, r.finished_at) for r in done if r.finished_at)
        assert len(spans) == len(done)
        assert all(end <= start for (_, end), (start, _) in pairwise(spans))
    # Every interaction analysed once: the runs' summaries add up to the stored results.
    for tenant, n in (("acme", 30), ("globex", 20)):
        said = [
            int(re.match(r"(\d+) interactions analysed", str(r.summary)).group(1))  # type: ignore[union-attr]
            for r in slots[(tenant, "analyze")]
        ]
        assert sum(said) == n and said[0] == n
    assert _analysed(session_factory) == {"acme": 30, "globex": 20}


def test_a_killed_workers_job_is_failed_and_run_again(
    session_factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    _store(session_factory, tmp_path, {"acme": 200})
    with session_scope(session_factory) as session:
        set_schedule(session, "acme", "analyze", 3600, now=datetime.now(UTC))
    victim, victim_log = _start(database_url, tmp_path, "victim", "--once", "--lease", "4s")
    deadline = time.monotonic() + 120
    while not any(r.status == "running" for r in _runs(session_factory)):
        assert victim.poll() is None, victim_log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the victim never started its job"
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)  # mid-job: loading its models or analysing
    victim.wait(timeout=30)
    [left] = _runs(session_factory)
    assert (left.status, left.worker, left.finished_at) == ("running", "victim", None)

    rescuer, log = _start(
        database_url, tmp_path, "rescuer", "--ticks", "4", "--interval", "2s", "--lease", "4s"
    )
    assert rescuer.wait(timeout=300) == 0, log.read_text(errors="replace")
    failed, rerun = _runs(session_factory)
    assert (failed.id, failed.status, failed.worker) == (left.id, "failed", "victim")
    assert "worker victim stopped: no heartbeat since" in str(failed.error)
    assert failed.finished_at is not None
    assert (rerun.status, rerun.worker, rerun.attempt) == ("succeeded", "rescuer", 2)
    assert rerun.scheduled_for == failed.scheduled_for
    assert "lost its worker; failed, rerun" in log.read_text(errors="replace")
    assert _analysed(session_factory) == {"acme": 200}


def test_a_stopped_worker_records_its_run_as_interrupted(
    session_factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    _store(session_factory, tmp_path, {"acme": 50})
    with session_scope(session_factory) as session:
        set_schedule(session, "acme", "analyze", 3600, now=datetime.now(UTC))
    worker, log = _start(database_url, tmp_path, "w", "--once")
    deadline = time.monotonic() + 120
    while not any(r.status == "running" for r in _runs(session_factory)):
        assert worker.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the worker never started its job"
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)  # what a service manager sends to stop it
    assert worker.wait(timeout=60) == 130, log.read_text(errors="replace")
    [run] = _runs(session_factory)
    assert (run.status, run.error, run.worker) == ("failed", "interrupted", "w")
    assert run.finished_at is not None
