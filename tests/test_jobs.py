"""Job schedules, leases and runs, with the clock given explicitly (no waiting)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import session_scope
from criterio.interactions import ingest_files
from criterio.jobs.schemas import format_every, parse_every
from criterio.jobs.service import (
    beat,
    claim_next,
    ensure_default_schedules,
    finish,
    list_runs,
    list_schedules,
    next_slot,
    reap_stale,
    set_schedule,
)
from criterio.jobs.tasks import JobContext
from criterio.jobs.worker import WorkerOptions, run_tick
from tests.factories import interaction, write_jsonl
from tests.scope_guard import scope_guard

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def test_periods_read_as_people_write_them() -> None:
    assert [parse_every(v) for v in ("30s", "5m", "1h", "1d", "1h30m", " 2M ")] == [
        30,
        300,
        3600,
        86400,
        5400,
        120,
    ]
    for bad, message in (
        ("5", "not a period"),
        ("5 minutes", "not a period"),
        ("m5", "not a period"),
        ("0s", "longer than zero"),
        ("400d", "at most 366 days"),
        ("", "empty period"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_every(bad)


@given(st.integers(min_value=1, max_value=366 * 86400))
def test_a_period_reads_back_from_its_spelling(seconds: int) -> None:
    assert parse_every(format_every(seconds)) == seconds


@given(
    st.integers(min_value=1, max_value=86400),
    st.integers(min_value=0, max_value=10 * 86400),
)
def test_the_next_slot_is_the_first_on_the_grid_after_now(every: int, later: int) -> None:
    now = T0 + timedelta(seconds=later)
    slot = next_slot(T0, every, now)
    assert now < slot <= now + timedelta(seconds=every)
    assert (slot - T0).total_seconds() % every == 0


def test_one_worker_holds_a_slot_and_a_dead_ones_run_is_failed_and_retried(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        set_schedule(session, "acme", "detect", 3600, now=T0)
        set_schedule(session, "acme", "analyze", 300, now=T0)
        set_schedule(session, "globex", "analyze", 300, now=T0)
    now = T0 + timedelta(seconds=1)
    with session_scope(session_factory) as session:
        first = claim_next(session, "acme", worker="w1", now=now, lease=LEASE)
    with session_scope(session_factory) as session:
        second = claim_next(session, "acme", worker="w2", now=now, lease=LEASE)
    with session_scope(session_factory) as session:
        third = claim_next(session, "acme", worker="w2", now=now, lease=LEASE)
        other = claim_next(session, "globex", worker="w2", now=now, lease=LEASE)
    assert first is not None and second is not None and other is not None
    assert {first.job, second.job} == {"analyze", "detect"} and third is None
    assert other.tenant == "globex" and other.attempt == 1

    # w1 beats for a while, then dies; w2 finishes its jobs normally.
    with session_scope(session_factory) as session:
        assert beat(session, first, worker="w1", now=now + timedelta(seconds=50), lease=LEASE)
        assert finish(session, second, worker="w2", now=now + timedelta(seconds=5), summary="ok")
    later = now + timedelta(seconds=100)
    with session_scope(session_factory) as session:
        assert reap_stale(session, "acme", now=later, lease=LEASE) == []  # beat 50 s ago
        assert claim_next(session, "acme", worker="w2", now=later, lease=LEASE) is None
    dead = now + timedelta(seconds=111)
    with session_scope(session_factory) as session:
        [reaped] = reap_stale(session, "acme", now=dead, lease=LEASE)
        assert reaped.id == first.run_id and reaped.status == "failed"
        assert "worker w1 stopped: no heartbeat since" in str(reaped.error)
        retry = claim_next(session, "acme", worker="w2", now=dead, lease=LEASE)
    assert retry is not None and retry.job == first.job
    assert (retry.scheduled_for, retry.attempt) == (first.scheduled_for, 2)
    with session_scope(session_factory) as session:
        # w1 comes back: its run was taken over, so nothing it says is recorded.
        assert not beat(session, first, worker="w1", now=dead, lease=LEASE)
        assert not finish(session, first, worker="w1", now=dead, summary="late")
        assert finish(session, retry, worker="w2", now=dead + timedelta(seconds=2), summary="ok")
    with session_scope(session_factory) as session:
        runs = {(r.job, r.attempt): r for r in list_runs(session, "acme")}
        schedules = {s.job: s for s in list_schedules(session, "acme")}
    assert runs[(first.job, 1)].status == "failed"
    assert runs[(first.job, 2)].status == "succeeded" and runs[(first.job, 2)].summary == "ok"
    assert runs[(second.job, 1)].status == "succeeded"
    assert all(s.locked_by is None for s in schedules.values())
    every = {"analyze": 300, "detect": 3600}
    for job, schedule in schedules.items():  # on to the next slot of its grid
        assert schedule.next_run_at > dead
        assert (schedule.next_run_at - T0).total_seconds() % every[job] == 0


def test_schedules_are_set_turned_off_and_defaulted(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        assert ensure_default_schedules(session, "acme", now=T0)
        assert not ensure_default_schedules(session, "acme", now=T0)
        set_schedule(session, "acme", "topics", None, now=T0)
        set_schedule(session, "acme", "analyze", 60, now=T0)
        rows = {s.job: (s.every_seconds, s.enabled) for s in list_schedules(session, "acme")}
    assert rows == {
        "analyze": (60, True),
        "detect": (3600, True),
        "topics": (86400, False),
        "outcomes": (86400, True),
        "metrics": (300, True),
    }
    with session_scope(session_factory) as session:
        now = T0 + timedelta(seconds=1)
        jobs = set()
        while (claim := claim_next(session, "acme", worker="w", now=now, lease=LEASE)) is not None:
            jobs.add(claim.job)
    assert jobs == {"analyze", "detect", "outcomes", "metrics"}  # topics is off


def test_cli_schedules_and_lists_jobs(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "300")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(
            app, ["jobs", "schedule", "--tenant", "acme", "--job", "analyze", "--every", "90m"]
        )
        assert result.exit_code == 0 and "analyze for tenant acme: every 1h30m" in result.output
        bad = runner.invoke(
            app, ["jobs", "schedule", "--tenant", "acme", "--job", "analyze", "--every", "5"]
        )
        assert bad.exit_code == 2 and "not a period" in bad.output
        unknown = runner.invoke(
            app, ["jobs", "schedule", "--tenant", "acme", "--job", "retrain", "--every", "1h"]
        )
        assert (
            unknown.exit_code == 2
            and "choose from analyze, detect, topics, outcomes, webhooks, learn" in unknown.output
        )
        listed = runner.invoke(app, ["jobs", "schedules", "--json"])
        [row] = json.loads(listed.stdout)
        assert (row["tenant"], row["job"], row["every_seconds"]) == ("acme", "analyze", 5400)
        assert json.loads(runner.invoke(app, ["jobs", "list", "--json"]).stdout) == []
    finally:
        get_settings.cache_clear()


def test_a_tick_runs_each_due_job_once_inside_its_tenant(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = [interaction(i) for i in range(30)] + [
        interaction(i, tenant="globex", id=f"g-{i}") for i in range(10)
    ]
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    with session_scope(session_factory) as session:
        set_schedule(session, "acme", "detect", 3600, now=T0)
        set_schedule(session, "acme", "topics", None, now=T0)
    context = JobContext(factory=session_factory, model_dir=tmp_path / "models", worker="w")
    options = WorkerOptions(worker="w", lease=LEASE)
    with scope_guard(session_factory.kw["bind"]) as violations:
        outcomes = run_tick(context, options)
        again = run_tick(context, options)
    assert violations == []
    done = sorted((o.claim.tenant, o.claim.job) for o in outcomes)
    # acme set its own schedules; globex got the defaults the first time it was seen.
    assert done == [
        ("acme", "detect"),
        ("globex", "analyze"),
        ("globex", "detect"),
        ("globex", "metrics"),
        ("globex", "outcomes"),
        ("globex", "topics"),
    ]
    summaries = {(o.claim.tenant, o.claim.job): o.summary for o in outcomes}
    no_answers = "0 new reverted answers; automation suspended: none"
    assert summaries[("globex", "outcomes")] == no_answers
    assert summaries[("globex", "analyze")] == "10 interactions analysed"
    assert summaries[("globex", "topics")] == "skipped: 10 interactions with text are too few"
    assert summaries[("globex", "metrics")].endswith("contact rows)")
    assert all(o.error is None and o.recorded for o in outcomes)
    assert again == []  # nothing is due again before its next slot
