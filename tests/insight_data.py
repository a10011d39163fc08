"""Insights for the API and page tests: hand-made detections and a detected store.

``spike_detection`` is one known spike (with its chart) to upsert directly;
``fill_store`` goes the whole way a tenant does: interactions posted through the API,
analysed with redaction, patterns detected.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from criterio.analysis.pipeline import build_pipeline
from criterio.annotations.runner import analyze_store
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights import detect_insights
from criterio.patterns import Detection
from criterio.patterns.scenarios import Event, generate

#: Personal data written into every generated text; none of it may reach a page.
EMAIL = "lucia.fernandez@example.com"
PHONE = "612 345 678"
SPIKE_DAY = date(2026, 10, 6)


def spike_detection(
    start: date = date(2026, 11, 12),
    end: date = date(2026, 11, 12),
    *,
    observed: int = 90,
    examples: tuple[str, ...] = ("c-1", "c-2"),
    segment: tuple[tuple[str, str], ...] = (("intent", "double_charge"), ("region", "ES-CT")),
    severity: float = 70.0,
    type_: str = "spike",
    figures: dict[str, Any] | None = None,
) -> Detection:
    """A volume spike (or ``type_`` with its ``figures``), a daily chart and example ids."""
    days = [start + timedelta(days=d) for d in range(-6, (end - start).days + 2)]
    return Detection(
        type=type_,
        segment=segment,
        start=start,
        end=end,
        impact=observed - 30,
        strength=8.0,
        magnitude=0.8,
        severity=severity,
        figures=figures
        or {"ratio": observed / 30, "observed": observed, "expected": 30.0, "days": 1},
        chart={
            "kind": "daily_volume",
            "x": [d.isoformat() for d in days],
            "observed": [observed if start <= d <= end else 30 for d in days],
            "expected": [30.0 for _ in days],
        },
        examples=list(examples),
    )


def scenario_records(tenant: str = "acme") -> list[dict[str, Any]]:
    """Five weeks of contacts with a spike of no_internet on SPIKE_DAY; texts carry PII."""
    scenario = generate(
        7,
        days=35,
        daily_volume=70,
        start=SPIKE_DAY - timedelta(days=28),
        events=[Event("spike", {"intent": "no_internet"}, SPIKE_DAY, 5.0)],
        tenant=tenant,
    )
    records = []
    for record in scenario.records:
        text = str(record.pop("text"))
        record["turns"] = [
            {"role": "customer", "text": f"{text}. Escribidme a {EMAIL} o al {PHONE}."},
            {"role": "agent", "text": "Gracias, lo revisamos ahora."},
        ]
        records.append(record)
    return records


def fill_store(
    client: httpx.Client,
    headers: dict[str, str],
    factory: sessionmaker[Session],
    *,
    detect: bool = True,
    language: str | None = None,
) -> int:
    """Post the scenario through the API, analyse it with redaction, detect: insights made."""
    records = scenario_records()
    for start in range(0, len(records), 1000):
        response = client.post(
            "/api/v1/interactions/batch", json=records[start : start + 1000], headers=headers
        )
        assert response.status_code == 200 and response.json()["rejected"] == 0, response.text
    with LocalEngine(workers=1) as engine:
        analyze_store(factory, ["acme"], engine=engine, pipeline=build_pipeline(["pii"]))
    if not detect:
        return 0
    with session_scope(factory) as session:
        return detect_insights(session, "acme", language=language).created
