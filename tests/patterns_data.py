"""Small synthetic interaction tables for the detector tests (built here, vectorised)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

START = date(2026, 9, 7)  # a Monday
WEEKLY = np.array([1.3, 1.2, 1.1, 1.05, 1.0, 0.45, 0.3])
#: queue, region, intent, mean contacts a day
CELLS = [
    (q, r, i, rate)
    for q, intents in (("billing", ("double_charge", "invoice_copy")), ("tech", ("no_internet",)))
    for r, rate in (("ES-MD", 30.0), ("ES-CT", 20.0), ("MX-CDMX", 15.0))
    for i in intents
]

Modifier = Callable[[int, str, str, str], float]


def table(
    seed: int = 0,
    days: int = 63,
    volume: Modifier | None = None,
    csat_shift: Callable[[int, str, str, str], float] | None = None,
    unresolved: Callable[[str], float] | None = None,
    noise: float | None = 30.0,
) -> pd.DataFrame:
    """Interactions with weekly seasonality and overdispersed noise, plus what the hooks add."""
    rng = np.random.default_rng(seed)
    parts = []
    for d in range(days):
        day = pd.Timestamp(START, tz="UTC") + pd.Timedelta(days=d)
        for queue, region, intent, rate in CELLS:
            mean = rate * WEEKLY[day.weekday()] / WEEKLY.mean()
            mean *= rng.gamma(noise, 1 / noise) if noise else 1.0
            if volume is not None:
                mean *= volume(d, queue, region, intent)
            n = int(rng.poisson(mean))
            if not n:
                continue
            shift = csat_shift(d, queue, region, intent) if csat_shift else 0.0
            csat = np.clip(np.round(rng.normal(4.0 + shift, 0.9, n)), 1, 5)
            p_unresolved = unresolved(intent) if unresolved else 0.15
            parts.append(
                pd.DataFrame(
                    {
                        "started_at": day
                        + pd.to_timedelta(rng.integers(8 * 3600, 20 * 3600, n), "s"),
                        "attributes.queue": queue,
                        "attributes.region": region,
                        "labels.intent": intent,
                        "csat": csat,
                        "resolved": rng.random(n) >= p_unresolved,
                        "escalated": rng.random(n) < 0.05,
                        "customer_id": [f"k{x}" for x in rng.integers(0, 10**6, n)],
                        "handled_by": np.where(rng.random(n) < 0.8, "human", "bot"),
                        "resolution_code": rng.choice(["a", "b", "c"], n),
                        "language": rng.choice(["es", "en"], n, p=[0.7, 0.3]),
                    }
                )
            )
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "id", [f"t-{i}" for i in range(len(out))])
    return out
