"""A realistic, bilingual month of a contact centre, deterministic for a seed.

Use :class:`DemoGenerator`: iterate :meth:`DemoGenerator.records` for contract-shaped
dicts (day by day in each customer's local date, in time order within a day; ids
``demo-0000001`` ...) and read :meth:`DemoGenerator.events`
for the ground truth of what was injected on purpose:

* ``spike``: one contact reason jumps in one region on one day (an outage);
* ``emerging_issue``: a reason that did not exist appears mid-month and grows;
* ``csat_drop``: satisfaction in one queue falls from a given day on.

Records are generated a day at a time, so memory stays flat for any size.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any

from criterio.demo._catalog import (
    CHANNELS,
    HOUR_WEIGHTS,
    INTENTS,
    PRODUCTS,
    REGIONS,
    WEEKDAY_WEIGHTS,
    Region,
)
from criterio.demo._conversation import build_conversation
from criterio.demo._pii import PersonalData, below, pick

__all__ = ["DEFAULT_SEED", "DEFAULT_SIZE", "DemoGenerator", "InjectedEvent"]

DEFAULT_SIZE = 20_000
DEFAULT_SEED = 7
#: Share of interactions that carry ``labels.intent`` (the known subset for training).
LABELLED_SHARE = 0.6
#: Share of contacts that repeat a contact of the same customer in the last 7 days.
REPEAT_SHARE = 0.16
#: Recent contacts kept per day to draw repeats from (keeps memory flat).
RECENT_PER_DAY = 4000


@dataclass(frozen=True)
class InjectedEvent:
    """Ground truth of one injected pattern: what, when, where, and how big."""

    kind: str
    start: date
    end: date
    segment: dict[str, str]
    description: str
    size: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The event as plain JSON-ready values."""
        return {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "segment": dict(self.segment),
            "description": self.description,
            "size": dict(self.size),
        }


@dataclass(slots=True)
class _Contact:
    customer: int
    intent: str


class DemoGenerator:
    """Generates ``size`` interactions over ``days`` days from ``start`` for ``tenant``."""

    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        seed: int = DEFAULT_SEED,
        *,
        tenant: str = "demo",
        start: date = date(2026, 11, 1),
        days: int = 30,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        if days < 21:
            raise ValueError("days must be at least 21 so every injected event fits")
        self.size = size
        self.seed = seed
        self.tenant = tenant
        self.start = start
        self.days = days
        self.customers = max(50, int(size * 0.55))
        self.spike_day = 9  # day index: a Tuesday when the month starts on a Sunday
        self.spike_region, self.spike_intent = "ES-AN", "no_internet"
        self.spike_count = max(5, round(size * 0.012))
        self.emerging_intent, self.emerging_from, self.emerging_peak = "esim_activation", 14, 0.1
        self.drop_queue, self.drop_from = "deliveries", 19

    # -- ground truth -------------------------------------------------------------

    def events(self) -> list[InjectedEvent]:
        """What was injected on purpose, with dates, segments and sizes."""
        day = self.start + timedelta(days=self.spike_day)
        last = self.start + timedelta(days=self.days - 1)
        return [
            InjectedEvent(
                "spike",
                day,
                day,
                {"region": self.spike_region, "intent": self.spike_intent, "queue": "tech_support"},
                f"Outage: {self.spike_count} extra '{self.spike_intent}' contacts in "
                f"{self.spike_region} between 08:00 and 14:00 local time on {day}.",
                {"extra_interactions": self.spike_count},
            ),
            InjectedEvent(
                "emerging_issue",
                self.start + timedelta(days=self.emerging_from),
                last,
                {"intent": self.emerging_intent, "queue": "mobile"},
                f"New issue '{self.emerging_intent}' (eSIM activation failures) appears on "
                f"{self.start + timedelta(days=self.emerging_from)} and grows linearly to about "
                f"{self.emerging_peak:.0%} of the day's contacts by {last}.",
                {"final_share": self.emerging_peak},
            ),
            InjectedEvent(
                "csat_drop",
                self.start + timedelta(days=self.drop_from),
                last,
                {"queue": self.drop_queue},
                f"CSAT in queue '{self.drop_queue}' falls from about 4 to about 2 from "
                f"{self.start + timedelta(days=self.drop_from)} on (a courier changed).",
                {"csat_before": 4.0, "csat_after": 2.0},
            ),
        ]

    # -- records ------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """Every interaction as a contract dict, a day at a time (constant memory)."""
        rng = random.Random(self.seed)  # noqa: S311 - demo data, not secrets
        self._rng = rng
        self._pii = PersonalData(rng)
        self._build_tables()
        recent: list[list[_Contact]] = []
        number = 0
        for day, count in enumerate(self._day_counts()):
            todays: list[tuple[datetime, dict[str, Any]]] = []
            pool = [c for bucket in recent[-7:] for c in bucket]
            for _ in range(count):
                todays.append(self._one(day, pool, spike=False))
            if day == self.spike_day:
                for _ in range(self.spike_count):
                    todays.append(self._one(day, pool, spike=True))
            todays.sort(key=lambda item: item[0])
            bucket: list[_Contact] = []
            for _, record in todays:
                number += 1
                record["id"] = f"demo-{number:07d}"
                if len(bucket) < RECENT_PER_DAY:
                    bucket.append(_Contact(record.pop("_customer"), record.pop("_intent")))
                else:
                    del record["_customer"], record["_intent"]
                yield record
            recent.append(bucket)
            del recent[:-7]

    def _build_tables(self) -> None:
        self._intents = [name for name, spec in INTENTS.items() if spec.weight > 0]
        self._intent_cum = list(accumulate(INTENTS[n].weight for n in self._intents))
        billing = {n for n in self._intents if INTENTS[n].queue == "billing"}
        # Bills arrive at the start of the month: billing questions weigh more then.
        self._intent_cum_billing = list(
            accumulate(INTENTS[n].weight * (1.8 if n in billing else 1.0) for n in self._intents)
        )
        self._channels = list(CHANNELS)
        self._channel_cum = list(accumulate(CHANNELS[c][0] for c in self._channels))
        self._hour_cum = list(accumulate(HOUR_WEIGHTS))
        self._region_cum = list(accumulate(r.weight for r in REGIONS))
        self._products = list(PRODUCTS)
        self._zones = {r.code: timezone(timedelta(hours=r.utc_offset)) for r in REGIONS}
        self._days = [self.start + timedelta(days=d) for d in range(self.days)]

    def _day_counts(self) -> list[int]:
        base = self.size - self.spike_count if self.size > self.spike_count * 4 else self.size
        if base == self.size:
            self.spike_count = 0
        weights = [
            WEEKDAY_WEIGHTS[(self.start + timedelta(days=d)).weekday()] for d in range(self.days)
        ]
        total = sum(weights)
        exact = [base * w / total for w in weights]
        counts = [int(x) for x in exact]
        # Largest remainders get the leftover, so the counts add up to exactly `base`.
        order = sorted(range(self.days), key=lambda d: exact[d] - counts[d], reverse=True)
        for d in order[: base - sum(counts)]:
            counts[d] += 1
        return counts

    def _customer_region(self, customer: int) -> Region:
        # A fixed region per customer from a multiplicative hash: cheap and stable.
        point = ((customer * 2654435761) % 4294967296) / 4294967296 * self._region_cum[-1]
        for region, edge in zip(REGIONS, self._region_cum, strict=True):
            if point < edge:
                return region
        return REGIONS[-1]

    def _customer_language(self, customer: int, region: Region) -> str:
        return "es" if ((customer * 40503) % 1000) / 1000 < region.spanish else "en"

    def _one(
        self, day: int, pool: list[_Contact], *, spike: bool
    ) -> tuple[datetime, dict[str, Any]]:
        rng = self._rng
        repeat = False
        if spike:
            customer = below(rng, self.customers)
            while self._customer_region(customer).code != self.spike_region:
                customer = below(rng, self.customers)
            intent = self.spike_intent
            hour = below(rng, 8, 14)
        else:
            if pool and rng.random() < REPEAT_SHARE:
                previous = pool[below(rng, len(pool))]
                customer, repeat = previous.customer, True
                intent = previous.intent if rng.random() < 0.8 else self._draw_intent(day)
            else:
                customer = below(rng, self.customers)
                intent = self._draw_intent(day)
            hour = rng.choices(range(24), cum_weights=self._hour_cum)[0]
        region = self._customer_region(customer)
        language = self._customer_language(customer, region)
        started = datetime.combine(
            self._days[day], datetime.min.time(), tzinfo=self._zones[region.code]
        ) + timedelta(hours=hour, minutes=below(rng, 60), seconds=below(rng, 60))
        channel = rng.choices(self._channels, cum_weights=self._channel_cum)[0]
        spec = INTENTS[intent]
        product = self._products[(customer * 7919) % len(self._products)]
        if spec.queue == "sales" and rng.random() < 0.5:
            product = pick(rng, self._products)
        convo = build_conversation(
            rng,
            self._pii,
            started=started,
            channel=channel,
            intent=intent,
            language=language,
            region=region,
            product=product,
            repeat=repeat,
            upset=spike or (intent == self.emerging_intent),
            csat_drop=spec.queue == self.drop_queue and day >= self.drop_from,
        )
        record: dict[str, Any] = {
            "id": "",
            "tenant": self.tenant,
            "channel": channel,
            "started_at": started.isoformat(),
            "ended_at": convo.ended.astimezone(started.tzinfo).isoformat(),
            "customer_id": f"k-{customer:06d}",
            "language": language,
            "attributes": {
                "queue": spec.queue,
                "region": region.code,
                "product": product,
                "customer_type": "business" if customer % 11 == 0 else "residential",
            },
            "turns": convo.turns,
            "outcome": convo.outcome,
            "_customer": customer,
            "_intent": intent,
        }
        if rng.random() < LABELLED_SHARE:
            record["labels"] = {"intent": intent}
        return started.astimezone(UTC), record

    def _draw_intent(self, day: int) -> str:
        rng = self._rng
        if day >= self.emerging_from:
            share = (
                self.emerging_peak
                * (day - self.emerging_from + 1)
                / (self.days - self.emerging_from)
            )
            if rng.random() < share:
                return self.emerging_intent
        cum = self._intent_cum_billing if day < 3 else self._intent_cum
        return rng.choices(self._intents, cum_weights=cum)[0]
