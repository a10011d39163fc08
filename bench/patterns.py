"""Quality of the pattern detectors on scenarios with known events.

Each scenario is generated (weekly seasonality, overdispersed noise, 16 queue × region
cells, 10 intents), imported into a fresh SQLite store with the real ingest, and
detected with the real service (`detect_insights`), the same chain as
`criterio ingest` + `criterio insights detect`. There is no analysis step: the intent
is the record's `labels.intent` (every scenario record is labelled).

Scores:
- recall: an injected event is found when an insight of its type and exact segment,
  starting within a day of the true start, is among the scenario's top 10 insights;
- false alarms on event-free scenarios: every insight except automation opportunities
  (which are standing facts, not alarms), per 30 days per 10 segments, the segments
  being the generator's 16 queue × region cells.

    python bench/patterns.py            # 6 scenarios with 7 events each + 4 event-free
    python bench/patterns.py --quick    # 2 + 1, smaller, for development
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.insights.service import detect_insights, list_insights
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.patterns.scenarios import INTENTS, QUEUES, REGIONS, Event, Scenario, generate

START = date(2026, 8, 31)
CELLS = len(QUEUES) * len(REGIONS)
TOP = 10
RESULTS = Path(__file__).parent / "results" / "patterns.json"


def events_for(k: int, days: int, rng: np.random.Generator) -> list[Event]:
    """Seven events of varied kinds and sizes at random, non-overlapping places."""
    intents = [i for i in INTENTS if i != "late_delivery"]
    rng.shuffle(intents)
    regions = list(REGIONS)
    pair_intent, whole_intent, drift_intent = intents[0], intents[1], intents[2]
    # The queue spike goes where no other volume event is, when there is such a queue.
    busy = {INTENTS[i][0] for i in intents[:3]} | {"logistics"}
    queue = next((q for q in QUEUES if q not in busy), None)
    queue = queue or next(q for q in QUEUES if q not in {INTENTS[drift_intent][0], "logistics"})
    starts = rng.permutation(np.arange(21, days - 8, 4))[:3]

    def day(offset: int) -> date:
        return START + timedelta(days=int(offset))

    return [
        Event("spike", {"region": regions[k % 4], "intent": pair_intent}, day(starts[0]),
              (3.0, 5.0)[k % 2], label=f"spike x{(3, 5)[k % 2]} intent in region"),
        Event("spike", {"intent": whole_intent}, day(starts[1]), (2.0, 3.0)[k % 2],
              label=f"spike x{(2, 3)[k % 2]} intent"),
        Event("spike", {"queue": queue}, day(starts[2]), 2.0, days=2,
              label="spike x2 queue, 2 days"),
        Event("emerging", {"intent": "app_login_error"}, day(rng.integers(21, days - 15)), 0.0,
              label="new issue"),
        Event("emerging", {"intent": drift_intent}, day(rng.integers(28, days - 25)),
              (2.5, 3.0)[k % 2], label="gradual drift"),
        Event("csat_shift", {"queue": "logistics"}, day(rng.integers(25, days - 10)),
              label="CSAT drop in one queue"),
        Event("driver", {"intent": "late_delivery"}, START, 0.25, label="driver (unresolved)"),
    ]  # fmt: skip


def run_chain(scenario: Scenario, workdir: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Ingest into a fresh SQLite store, detect, and return every insight (most severe first)."""
    engine = make_engine(f"sqlite:///{workdir / (scenario.name + '.db')}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    records = (RawRecord(scenario.name, str(i), r) for i, r in enumerate(scenario.records))
    report = ingest_records(factory, records)
    assert report.rejected == 0, report.errors[:3]
    t1 = time.perf_counter()
    with session_scope(factory) as session:
        detect_insights(session, "bench")
    t2 = time.perf_counter()
    with session_scope(factory) as session:
        insights = [
            {"type": i.type, "segment": i.segment, "start": i.period_start.isoformat(),
             "severity": i.severity, "statement": i.statement}
            for i in list_insights(session, "bench")
        ]  # fmt: skip
    engine.dispose()
    return insights, {"ingest_s": t1 - t0, "detect_s": t2 - t1}


def hit_rank(event: Event, insights: list[dict[str, Any]]) -> int | None:
    """1-based rank of the insight that finds the event within the top 10, else None."""
    for rank, insight in enumerate(insights[:TOP], start=1):
        if insight["type"] != event.type or insight["segment"] != event.segment:
            continue
        if abs((date.fromisoformat(insight["start"]) - event.start).days) <= 1:
            return rank
    return None


def main() -> None:
    """Generate, run and score every scenario; print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, smaller scenarios")
    parser.add_argument("--volume", type=float, default=600.0, help="contacts a day")
    args = parser.parse_args()
    n_events, n_free = (2, 1) if args.quick else (6, 4)
    days_events, days_free = (60, 60) if args.quick else (75, 90)
    volume = 300.0 if args.quick else args.volume
    rng = np.random.default_rng(2026)
    rows: list[dict[str, Any]] = []
    scenarios: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(n_events + n_free):
            with_events = k < n_events
            days = days_events if with_events else days_free
            events = events_for(k, days, rng) if with_events else []
            scenario = generate(100 + k, days=days, daily_volume=volume, events=events,
                                start=START, name=f"s{k}")  # fmt: skip
            insights, timing = run_chain(scenario, Path(tmp))
            alarms = [i for i in insights if i["type"] != "automation_opportunity"]
            entry: dict[str, Any] = {
                "name": scenario.name, "days": days, "interactions": len(scenario.records),
                "insights": len(insights), **{k2: round(v, 2) for k2, v in timing.items()},
                "events": [], "top10": insights[:TOP],
            }  # fmt: skip
            for event in events:
                rank = hit_rank(event, insights)
                entry["events"].append(
                    {**asdict(event), "start": event.start.isoformat(), "rank": rank}
                )
                rows.append({"scenario": scenario.name, "event": event.label, "rank": rank})
            if not with_events:
                entry["false_alarms"] = len(alarms)
                entry["false_alarm_rate"] = len(alarms) / (days / 30) / (CELLS / 10)
                entry["alarms"] = alarms
            scenarios.append(entry)
            found = sum(e["rank"] is not None for e in entry["events"])
            print(f"{scenario.name}: {len(scenario.records):,} interactions, ingest "
                  f"{timing['ingest_s']:.1f}s, detect {timing['detect_s']:.1f}s, "
                  f"{len(insights)} insights" + (f", {found}/{len(events)} events in top {TOP}"
                  if with_events else f", {len(alarms)} alarms"))  # fmt: skip
    recall = sum(r["rank"] is not None for r in rows) / max(len(rows), 1)
    free = [s for s in scenarios if "false_alarms" in s]
    alarm_days = sum(s["days"] for s in free)
    fa_rate = (
        sum(s["false_alarms"] for s in free) / (alarm_days / 30) / (CELLS / 10) if free else 0.0
    )
    by_kind: dict[str, list[int | None]] = {}
    for r in rows:
        by_kind.setdefault(r["event"], []).append(r["rank"])
    print(f"\n{'event':32} {'found':>7} {'ranks':>20}")
    for label, ranks in by_kind.items():
        found = sum(x is not None for x in ranks)
        print(f"{label:32} {found:>3}/{len(ranks):<3} {ranks!s:>20}")
    print(f"\nrecall (top {TOP}, right segment, start ±1 day): {recall:.1%}  (target ≥ 90%)")
    print(f"false alarms per 30 days per 10 segments: {fa_rate:.2f}  (target ≤ 1)")
    summary = {
        "command": "python bench/patterns.py" + (" --quick" if args.quick else ""),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "daily_volume": volume, "recall_top10": recall,
        "false_alarms_per_30d_per_10_segments": fa_rate,
        "by_event": {k: {"found": sum(x is not None for x in v), "of": len(v), "ranks": v}
                     for k, v in by_kind.items()},
        "scenarios": scenarios,
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
