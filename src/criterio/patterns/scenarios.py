"""Synthetic contact-centre scenarios with known events, to test and score the detectors.

Background volume has a weekly profile, day-to-day noise (gamma-Poisson, so counts
are overdispersed like real ones) and 16 queue × region cells; events are injected on
top with their true segment and start, so a benchmark can tell hits from misses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["INTENTS", "REGIONS", "Event", "Scenario", "generate", "records_to_frame"]

#: intent -> (queue, share of all contacts, resolution codes with their weights)
INTENTS: dict[str, tuple[str, float, dict[str, float]]] = {
    "double_charge": ("billing", 0.12, {"refund": 0.7, "explain": 0.3}),
    "invoice_copy": ("billing", 0.10, {"send_copy": 0.85, "explain": 0.15}),
    "payment_method": ("billing", 0.08, {"update": 0.5, "explain": 0.3, "other": 0.2}),
    "no_internet": ("tech", 0.12, {"reset": 0.4, "visit": 0.35, "outage": 0.25}),
    "slow_speed": ("tech", 0.10, {"reset": 0.45, "upgrade": 0.3, "visit": 0.25}),
    "router_setup": ("tech", 0.08, {"guide": 0.5, "reset": 0.3, "visit": 0.2}),
    "upgrade_plan": ("sales", 0.10, {"upgraded": 0.55, "declined": 0.45}),
    "cancel": ("sales", 0.10, {"retained": 0.4, "cancelled": 0.6}),
    "late_delivery": ("logistics", 0.10, {"reship": 0.5, "refund": 0.3, "wait": 0.2}),
    "return_item": ("logistics", 0.10, {"label": 0.55, "refund": 0.45}),
}
QUEUES = ("billing", "tech", "sales", "logistics")
REGIONS = {"ES-MD": 0.35, "ES-CT": 0.25, "ES-AN": 0.2, "MX-CDMX": 0.2}
WEEKLY = np.array([1.25, 1.15, 1.1, 1.05, 1.0, 0.5, 0.35])
CSAT_BASE = np.array([0.05, 0.07, 0.13, 0.35, 0.40])
CSAT_LOW = np.array([0.30, 0.25, 0.20, 0.15, 0.10])


@dataclass
class Event:
    """One injected event: what a detector should report, where and from when."""

    type: str
    segment: dict[str, str]
    start: date
    size: float = 1.0
    days: int = 1
    label: str = ""


@dataclass
class Scenario:
    """Records (data contract) and the events injected into them."""

    name: str
    start: date
    days: int
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def _multiplier(events: list[Event], intent: str, region: str, queue: str, day: date,
                start: date, days: int) -> float:  # fmt: skip
    factor = 1.0
    for ev in events:
        seg = ev.segment
        if seg.get("intent", intent) != intent or seg.get("region", region) != region:
            continue
        if seg.get("queue", queue) != queue:
            continue
        offset = (day - ev.start).days
        if ev.type == "spike" and 0 <= offset < ev.days:
            factor *= ev.size
        elif ev.type == "emerging" and ev.size > 0 and offset >= 0:
            # Gradual drift: a straight rise to ``size`` times the volume at the end.
            total = (start + timedelta(days=days - 1) - ev.start).days or 1
            factor *= 1 + (ev.size - 1) * offset / total
    return factor


def generate(
    seed: int,
    *,
    days: int = 75,
    daily_volume: float = 600.0,
    events: list[Event] | None = None,
    start: date = date(2026, 8, 31),
    tenant: str = "bench",
    name: str = "",
) -> Scenario:
    """A scenario of ``days`` days with the given events injected (none: event-free)."""
    rng = np.random.default_rng(seed)
    events = events or []
    scenario = Scenario(name or f"seed{seed}", start, days, events=events)
    intents = dict(INTENTS)
    for ev in events:
        if ev.type == "emerging" and ev.size == 0:  # a new issue: absent until its start
            intents[ev.segment["intent"]] = ("tech", 0.05, {"workaround": 0.6, "bug": 0.4})
    noise_cells = {(i, r): rng.gamma(25.0, 1 / 25.0, size=days) for i in intents for r in REGIONS}
    day_noise = rng.gamma(100.0, 1 / 100.0, size=days)
    n = 0
    for d in range(days):
        day = start + timedelta(days=d)
        for intent, (queue, share, codes) in intents.items():
            new = next((e for e in events if e.type == "emerging" and e.size == 0
                        and e.segment["intent"] == intent), None)  # fmt: skip
            if new is not None and day < new.start:
                continue
            for region, rshare in REGIONS.items():
                mean = daily_volume * share * rshare * WEEKLY[day.weekday()] / WEEKLY.mean()
                mean *= day_noise[d] * noise_cells[(intent, region)][d]
                mean *= _multiplier(events, intent, region, queue, day, start, days)
                for _ in range(rng.poisson(mean)):
                    n += 1
                    scenario.records.append(
                        _record(rng, n, tenant, day, intent, queue, region, codes, events)
                    )
    return scenario


def _record(
    rng: np.random.Generator,
    n: int,
    tenant: str,
    day: date,
    intent: str,
    queue: str,
    region: str,
    codes: dict[str, float],
    events: list[Event],
) -> dict[str, Any]:
    # Business hours, busier late morning.
    hour = int(np.clip(rng.normal(12.5, 3.0), 7, 22))
    at = datetime(day.year, day.month, day.day, hour, int(rng.integers(60)), tzinfo=UTC)
    if rng.random() < 0.1:  # some contacts land in another queue
        queue = QUEUES[int(rng.integers(len(QUEUES)))]
    csat_p, unresolved = CSAT_BASE, 0.15
    for ev in events:
        seg = ev.segment
        if ev.type == "csat_shift" and seg.get("queue") == queue and day >= ev.start:
            csat_p = CSAT_LOW
        if ev.type == "driver" and seg.get("intent") == intent:
            unresolved = 0.15 + ev.size
    human = rng.random() < 0.8
    resolved = rng.random() >= unresolved
    return {
        "id": f"b-{n:07d}",
        "tenant": tenant,
        "channel": ("chat", "email", "voice")[int(rng.choice(3, p=[0.5, 0.2, 0.3]))],
        "started_at": at.isoformat().replace("+00:00", "Z"),
        "customer_id": f"k-{int(rng.integers(200_000))}",
        "language": "en" if rng.random() < 0.15 else "es",
        "attributes": {"queue": queue, "region": region},
        "text": f"Consulta sobre {intent.replace('_', ' ')}",
        "outcome": {
            "handled_by": "human" if human else "bot",
            "resolved": bool(resolved),
            "csat": int(rng.choice(5, p=csat_p)) + 1 if rng.random() < 0.4 else None,
            "escalated": bool(rng.random() < (0.25 if not resolved else 0.05)),
            "resolution_code": str(rng.choice(list(codes), p=list(codes.values()))),
        },
        "labels": {"intent": intent},
    }


def records_to_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The detectors' table from contract records (the shape the store loader gives)."""
    rows = []
    for r in records:
        outcome = r.get("outcome") or {}
        row = {
            "id": r["id"],
            "started_at": r["started_at"],
            "channel": r.get("channel"),
            "language": r.get("language"),
            "customer_id": r.get("customer_id"),
            **{f"attributes.{k}": v for k, v in (r.get("attributes") or {}).items()},
            **{f"labels.{k}": v for k, v in (r.get("labels") or {}).items()},
            **{
                k: outcome.get(k)
                for k in ("handled_by", "resolved", "csat", "escalated", "resolution_code")
            },
        }
        rows.append(row)
    return pd.DataFrame(rows)
