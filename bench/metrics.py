"""Dashboard latency for a tenant of 1 and 10 million interactions, SQLite and PostgreSQL.

A year of a tenant (``--interactions`` spread evenly over 365 days, 6 queues, 4 channels,
2 languages, 40 intents, Zipf-skewed) is made as the dashboard sees it:

* the **daily aggregates** of the whole year are generated synthetically and inserted
  in bulk (consistent counts: resolved ≤ contacts, ...), with their rollups, as the
  worker would have left them;
* the **raw records** of the dashboard's period (the last 28 days, plus the 7 days after
  them that first-contact resolution looks at) are inserted too: interactions, live
  triage decisions for the automated ones, article links for the linked ones. The
  aggregates of those days are then recomputed from those records
  (``metrics.aggregate.recompute_days``, timed: the refresh cost), so both paths below
  see the same data.

Measured, on each store: the dashboard's call (``metrics.figures`` over the period of
the raw records, by week, with every agent's contribution, as ``/impact`` makes it),
the same over the last 28 days, and a whole-year call (by week, with every agent's
contribution too), all from the aggregates; and, as the reference in the same run,
the period's figures computed directly from the records (``direct=True``). The two
results for the period must be equal (checked).

    nice -n 5 .venv/bin/python bench/metrics.py --interactions 1000000
    nice -n 5 .venv/bin/python bench/metrics.py --interactions 10000000 --raw-days 7
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import write_results
from criterio.db import make_engine, upgrade_database
from criterio.interactions.models import Interaction
from criterio.knowledge.models import Article, ArticleLink
from criterio.metrics.aggregate import recompute_days
from criterio.metrics.models import SUM_COLUMNS, MetricDaily, MetricDuration, MetricEvent
from criterio.metrics.repository import AggregateRepository
from criterio.metrics.service import ALL_AGENTS, figures
from criterio.triage.models import TriageDecision

PG_SERVER = os.environ.get("CRITERIO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
TENANT = "bench"
LAST = date(2026, 11, 30)
FIRST_OF_YEAR = LAST - timedelta(days=364)
QUEUES = ["billing", "tech", "sales", "cards", "loans", "vip"]
CHANNELS = ["chat", "email", "voice", "social"]
LANGUAGES = ["es", "en"]
INTENTS = [f"intent_{k:02d}" for k in range(40)]
AGENTS = [f"agent-{k:03d}" for k in range(200)]
CHUNK = 20_000


def _segments(rng: np.random.Generator) -> tuple[list[tuple[str, str, str, str]], np.ndarray]:
    """Every segment and its share of contacts (Zipf over intents, skewed elsewhere)."""
    segs, weights = [], []
    for qi, q in enumerate(QUEUES):
        for ci, c in enumerate(CHANNELS):
            for li, lang in enumerate(LANGUAGES):
                for ii, i in enumerate(INTENTS):
                    segs.append((q, c, lang, i))
                    weights.append(1 / (qi + 1) / (ci + 1) / (li + 1) / (ii + 1) ** 1.1)
    w = np.asarray(weights)
    return segs, w / w.sum()


def _aggregate_rows(rng: np.random.Generator, per_day: int, days: list[date]) -> dict[str, list]:
    """Synthetic daily aggregates with consistent counts, for these days (vectorised)."""
    segs, share = _segments(rng)
    dims = [
        {"tenant": TENANT, "queue": q, "channel": c, "language": lang, "intent": i}
        for q, c, lang, i in segs
    ]
    daily: list[dict[str, Any]] = []
    durations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    b = rng.binomial
    for day in days:
        n = rng.multinomial(per_day, share)
        automated = b(n, 0.3)
        reverted = b(automated, 0.05)
        resolved = b(n, 0.8)
        repeats = b(n, 0.12)
        human_resolved = np.minimum(np.maximum(resolved - automated, 0), n - automated)
        linked = b(human_resolved, 0.6)
        csat = rng.multinomial(b(n, 0.2), [0.08, 0.07, 0.15, 0.3, 0.4])
        known = b(n, 0.7)
        columns = {
            "contacts": n,
            "resolved": resolved,
            "first_contact_resolved": np.maximum(resolved - repeats, 0),
            "repeats": repeats,
            "escalated": b(n, 0.04),
            "csat_responses": csat.sum(axis=1),
            "csat_sum": (csat * np.arange(1, 6)).sum(axis=1),
            **{f"csat_{s + 1}": csat[:, s] for s in range(5)},
            "sentiment_known": known,
            "sentiment_recovered": b(known, 0.2),
            "sentiment_worsened": b(known, 0.1),
            "automated": automated,
            "reverted": reverted,
            "contained": np.maximum(automated - reverted - b(automated, 0.05), 0),
            "human_resolved": human_resolved,
            "linked": linked,
            "linked_new": b(linked, 0.15),
        }
        buckets = rng.multinomial(human_resolved, [0.05, 0.1, 0.2, 0.25, 0.2, 0.1, 0.05, 0.05])
        zero = np.zeros_like(n)
        for k in range(16):
            columns[f"ttr_{k:02d}"] = buckets[:, k - 3] if 3 <= k < 11 else zero
        table = np.stack([columns[c] for c in SUM_COLUMNS], axis=1).tolist()
        for k in np.flatnonzero(n).tolist():
            daily.append({**dims[k], "day": day, **dict(zip(SUM_COLUMNS, table[k], strict=True))})
        for agent in rng.choice(AGENTS, 120, replace=False).tolist():
            for kind in ("link_reused", "link_created", "article_improved", "agent_active"):
                events.append(
                    {
                        "tenant": TENANT,
                        "day": day,
                        "kind": kind,
                        "key": agent,
                        "count": int(rng.integers(1, 30)),
                        "total": 0.0,
                    }
                )
    return {"daily": daily, "durations": durations, "events": events}


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for k in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[k : k + CHUNK])


def _raw_records(session: Session, rng: np.random.Generator, per_day: int, days: list[date]) -> int:
    """Interactions (and their decisions and links) of these days, inserted in bulk."""
    segs, share = _segments(rng)
    articles = [
        Article(
            tenant=TENANT,
            external_id=f"kb-{k}",
            title=f"Article {k}",
            language="es",
            state="validated",
            audience="customer",
            tags=[],
            intents=[],
            topics=[],
            version=1,
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
            updated_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
        for k in range(50)
    ]
    session.add_all(articles)
    session.flush()
    now = datetime.now(UTC)
    total = 0
    for day in days:
        picks = rng.choice(len(segs), per_day, p=share)
        seconds = rng.integers(0, 86400, per_day)
        customers = rng.integers(0, per_day * 20, per_day)
        automated = rng.random(per_day) < 0.3
        resolved = rng.random(per_day) < 0.8
        linked = rng.random(per_day) < 0.5
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
        rows, decisions, links = [], [], []
        for k in range(per_day):
            q, c, lang, i = segs[picks[k]]
            key = f"{day.isoformat()}-{k}"
            at = start + timedelta(seconds=int(seconds[k]))
            human = not automated[k]
            rows.append(
                {
                    "tenant": TENANT,
                    "external_id": key,
                    "channel": c,
                    "started_at": at,
                    "ended_at": at + timedelta(minutes=30),
                    "customer_id": f"k{customers[k]}",
                    "language": lang,
                    "attributes": {"queue": q},
                    "turns": [],
                    "handled_by": "human" if human else "bot",
                    "agent_id": AGENTS[k % len(AGENTS)] if human else None,
                    "resolved": bool(resolved[k]),
                    "csat": int(k % 5) + 1 if k % 5 == 0 else None,
                    "labels": {"intent": i},
                    "content_hash": "x",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if automated[k]:
                decisions.append(
                    {
                        "tenant": TENANT,
                        "interaction_id": key,
                        "action": "automate",
                        "mode": "live",
                        "intent": i,
                        "confidence": 0.97,
                        "priority": "normal",
                        "reasons": [],
                        "answer": {"article": f"kb-{k % 50}", "source": "article"},
                        "decided_at": at,
                    }
                )
            elif resolved[k] and linked[k]:
                links.append(
                    {
                        "tenant": TENANT,
                        "article_id": articles[k % 50].id,
                        "article_version": 1,
                        "interaction_id": key,
                        "kind": "reused",
                        "via": "suggested",
                        "by": AGENTS[k % len(AGENTS)],
                        "at": at + timedelta(minutes=20),
                    }
                )
        _insert(session, Interaction, rows)
        _insert(session, TriageDecision, decisions)
        _insert(session, ArticleLink, links)
        total += per_day
    return total


def _timed(work: Any, repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs of ``work`` and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'metrics.db'}", None
    name = f"criterio_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}", name


def _drop(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run(backend: str, interactions: int, raw_days: int, repeat: int) -> dict[str, Any]:
    """One store: fill it, then time the dashboard from aggregates and from records."""
    rng = np.random.default_rng(0)
    per_day = interactions // 365
    period_first = LAST - timedelta(days=raw_days - 1)
    raw = [period_first + timedelta(days=k) for k in range(raw_days + 7)]
    synthetic = [
        FIRST_OF_YEAR + timedelta(days=k) for k in range((period_first - FIRST_OF_YEAR).days)
    ]
    with tempfile.TemporaryDirectory() as folder:
        url, name = _database(backend, Path(folder))
        engine = make_engine(url)
        try:
            upgrade_database(engine)
            started = time.perf_counter()
            with Session(engine) as session:
                rows = _aggregate_rows(rng, per_day, synthetic)
                for model, key in (
                    (MetricDaily, "daily"),
                    (MetricDuration, "durations"),
                    (MetricEvent, "events"),
                ):
                    _insert(session, model, rows[key])
                # The rollups the worker keeps with the daily rows (metric_day_intent,
                # metric_event_week), made from them in SQL as a refresh does.
                AggregateRepository(session, TENANT).roll_up(FIRST_OF_YEAR, synthetic[-1])
                session.commit()
            fill_aggregates = time.perf_counter() - started
            started = time.perf_counter()
            with Session(engine) as session:
                n_raw = _raw_records(session, rng, per_day, raw)
                session.commit()
            fill_raw = time.perf_counter() - started
            if backend == "postgresql":
                with engine.connect() as connection:
                    connection.execute(text("ANALYZE"))
                    connection.commit()
            with Session(engine) as session:
                refresh_s, _ = _timed(lambda: recompute_days(session, TENANT, raw[:raw_days]), 1)
                session.commit()
            with Session(engine) as session:
                n_daily = session.scalar(text("SELECT count(*) FROM metric_daily"))

                def dashboard() -> dict[str, Any]:
                    return figures(
                        session, TENANT, first=period_first, last=LAST, by="week", agents=ALL_AGENTS
                    )

                def year() -> dict[str, Any]:
                    return figures(
                        session,
                        TENANT,
                        first=FIRST_OF_YEAR,
                        last=LAST,
                        by="week",
                        agents=ALL_AGENTS,
                    )

                def direct() -> dict[str, Any]:
                    return figures(
                        session,
                        TENANT,
                        first=period_first,
                        last=LAST,
                        by="week",
                        agents=ALL_AGENTS,
                        direct=True,
                    )

                def month() -> dict[str, Any]:
                    return figures(
                        session,
                        TENANT,
                        first=LAST - timedelta(days=27),
                        last=LAST,
                        by="week",
                        agents=ALL_AGENTS,
                    )

                dash_s, from_aggregates = _timed(dashboard, repeat)
                month_s, _ = _timed(month, repeat)
                year_s, whole = _timed(year, repeat)
                direct_s, from_records = _timed(direct, 1)
            assert from_aggregates == from_records, "aggregates and records disagree"
            assert whole["contacts"] >= interactions * 0.99
        finally:
            engine.dispose()
            _drop(name)
    return {
        "store": backend,
        "interactions": per_day * 365,
        "aggregate_rows": int(n_daily or 0),
        "raw_records": n_raw,
        "period_days": raw_days,
        "dashboard_s": round(dash_s, 4),
        "dashboard_28d_s": round(month_s, 4),
        "year_s": round(year_s, 4),
        "direct_s": round(direct_s, 3),
        "speedup": round(direct_s / dash_s, 1),
        "refresh_period_s": round(refresh_s, 2),
        "fill_aggregates_s": round(fill_aggregates, 1),
        "fill_raw_s": round(fill_raw, 1),
    }


def main() -> None:
    """Run the benchmark and write bench/results/metrics-<N>.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--raw-days", type=int, default=28, help="days of the dashboard period")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows = [run(b, args.interactions, args.raw_days, args.repeat) for b in args.backends]
    load = os.getloadavg()
    write_results(
        f"metrics-{args.interactions // 1_000_000}m"
        + ("" if len(args.backends) == 2 else f"-{args.backends[0]}"),
        rows,
        {"load_average": [round(x, 1) for x in load], "args": vars(args)},
    )
    print(f"load average {load[0]:.1f}")


if __name__ == "__main__":
    main()
