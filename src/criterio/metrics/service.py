"""Figures of a tenant for a period: impact, automation, knowledge, learning, insights.

``figures`` reads sums from the daily aggregates (or, with ``direct=True``, computes
them from the records) and forms every figure named in docs/metrics.md. Per-agent
figures are knowledge contribution only, never contacts handled, and only when the
caller says whose may be shown (``agents``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError
from criterio.metrics.definitions import (
    AGENT_KINDS,
    DIMENSIONS,
    contact_figures,
    percentile,
    ratio,
    savings,
)
from criterio.metrics.models import SUM_COLUMNS
from criterio.metrics.record_queries import EventRecords
from criterio.metrics.records import day_start
from criterio.metrics.repository import SettingsRepository
from criterio.metrics.sources import AggregateSource, RecordSource, Source

__all__ = ["ALL_AGENTS", "PERIODS", "SERIES_FIGURES", "figures", "period_of"]

PERIODS = ("day", "week")
#: Pass as ``agents`` to show every agent's contribution (leads); a username shows one.
ALL_AGENTS = "*"
#: Contact figures each period of a series carries.
SERIES_FIGURES = (
    "contacts",
    "resolution_rate",
    "first_contact_resolution",
    "repeat_contact_rate",
    "escalation_rate",
    "csat_mean",
    "automation_rate",
    "automation_precision",
    "containment_rate",
    "link_rate",
    "reuse_rate",
)
#: Event counts each period of a series carries (name → event kinds summed).
SERIES_EVENTS = {
    "corrections": ("correction",),
    "articles_created": ("article_created",),
    "articles_improved": ("article_improved",),
    "articles_validated": ("article_validated",),
    "links": ("link_reused", "link_created", "link_improved"),
}
LINK_KINDS = ("link_reused", "link_created", "link_improved")
CONTRIBUTION_KINDS = (*LINK_KINDS, "article_created", "article_improved")
TOP = 10


def period_of(day: date, by: str) -> date:
    """The first day of the period ``day`` falls in (weeks start on Monday)."""
    return day - timedelta(days=day.weekday()) if by == "week" else day


def _check(
    first: date, last: date, by: str | None, filters: Mapping[str, str], cut: str | None
) -> None:
    if last < first:
        raise InvalidInputError(f"to: {last} is before from: {first}")
    if by is not None and by not in PERIODS:
        raise InvalidInputError(f"by: {by!r} is not one of {', '.join(PERIODS)}")
    for name in [*filters, *([cut] if cut else [])]:
        if name not in DIMENSIONS:
            raise InvalidInputError(f"{name!r} is not a segment: use {', '.join(DIMENSIONS)}")


def figures(
    session: Session,
    tenant: str,
    *,
    first: date,
    last: date,
    by: str | None = None,
    filters: Mapping[str, str] | None = None,
    cut: str | None = None,
    agents: str | None = None,
    direct: bool = False,
) -> dict[str, Any]:
    """Every figure of docs/metrics.md for days first..last (inclusive, UTC)."""
    filters = dict(filters or {})
    _check(first, last, by, filters, cut)
    src: Source = (
        RecordSource(session, tenant, first, last) if direct else AggregateSource(session, tenant)
    )
    # Two reads of the period: by intent (totals, coverage) and by day (the series).
    cells = src.daily_sums(first, last, filters, "intent")
    totals = _sum(c for _, c in cells)
    out: dict[str, Any] = {
        "tenant": tenant,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "by": by,
        "filters": filters,
    }
    out.update(contact_figures(totals))
    out["coverage_by_intent"] = {
        intent or "(none)": ratio(c["automated"], c["contacts"])
        for intent, c in sorted(cells, key=lambda cell: cell[0] or "")
        if c["contacts"]
    }
    settings = SettingsRepository(session, tenant).get()
    out["estimated_savings"] = savings(
        totals["automated"],
        totals["reverted"],
        settings.cost_human if settings else None,
        settings.cost_automated if settings else None,
    )
    out["currency"] = settings.currency if settings else None
    out.update(_event_figures(session, tenant, src, first, last))
    if by is not None:
        out["series"] = _series(src, src.daily_sums(first, last, filters, "day"), first, last, by)
        for row in out["series"]:
            # Learning over time: the intent champion in force at the period's end.
            ends = date.fromisoformat(row["period"]) + timedelta(days=7 if by == "week" else 1)
            row["heldout_accuracy"] = _accuracy_at(out["model_accuracy"], "intent", day_start(ends))
    if cut is not None:
        out["segments"] = [
            {cut: value, **_pick(contact_figures(c))}
            for value, c in src.daily_sums(first, last, filters, cut)
        ]
    if agents is not None:
        out["agents"] = _agents(src, first, last, agents, by or "week")
    return out


def _pick(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in SERIES_FIGURES}


def _event_figures(
    session: Session, tenant: str, src: Source, first: date, last: date
) -> dict[str, Any]:
    sums: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    for _day, kind, key, n, total in src.event_sums(first, last):
        sums[kind][key] = (n, total)

    def count(*kinds: str) -> int:
        return sum(n for kind in kinds for n, _ in sums[kind].values())

    contributors = {k for kind in CONTRIBUTION_KINDS for k in sums[kind] if k}
    active = {k for k in sums["agent_active"] if k} | contributors
    reviews = sums["review"].get("", (0, 0.0))
    weeks = ((last - first).days + 1) / 7
    reader = EventRecords(session, tenant)
    end = day_start(last + timedelta(days=1))
    return {
        "links": count(*LINK_KINDS),
        "articles_created": count("article_created"),
        "articles_improved": count("article_improved"),
        "articles_flagged": count("article_flagged"),
        "articles_validated": count("article_validated"),
        "capture_to_validated_p50_hours": percentile(
            src.histogram(first, last, {}, "capture_to_validated"), 0.5
        ),
        "participation": ratio(len(contributors), len(active)),
        "contributors": len(contributors),
        "content_standard_score": ratio(reviews[1], reviews[0]),
        "content_standard_items": {
            item: ratio(total, n) for item, (n, total) in sorted(sums["review_item"].items())
        },
        "top_reused_articles": _top(reader, sums["article_reused"]),
        "articles_answering_automatically": _top(reader, sums["automatic_answer"]),
        "articles_not_reused_90d": _not_reused(reader, end),
        "gaps_opened": count("gap_opened"),
        "gaps_closed": count("gap_closed"),
        "corrections": count("correction"),
        "corrections_per_week": count("correction") / weeks,
        "models_promoted": count("model_promoted"),
        "model_accuracy": _champions(reader.champions_over_time(end)),
        "insights_confirmed": count("insight_confirmed"),
        "insights_actioned": count("insight_actioned"),
        "detection_to_action_p50_hours": percentile(
            src.histogram(first, last, {}, "detection_to_action"), 0.5
        ),
    }


def _champions(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Each champion in promotion order, with the time the next one of its kind replaced
    it (``until``; None while it still is) and its held-out accuracy."""
    out: list[dict[str, Any]] = []
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = {
            "kind": row.kind,
            "version": row.version,
            "promoted_at": row.promoted_at.isoformat(),
            "until": None,
            "accuracy": _accuracy(row.metrics or {}),
        }
        if row.kind in latest:
            latest[row.kind]["until"] = entry["promoted_at"]
        latest[row.kind] = entry
        out.append(entry)
    return out


def _accuracy(metrics: Mapping[str, Any]) -> float | None:
    """A model's accuracy on held-out human decisions, as ``criterio learn`` records it in
    the registry entry (``heldout_accuracy``); None when it was never measured so. Other
    accuracies a registry entry may carry (on training data) are not this figure."""
    value = metrics.get("heldout_accuracy")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _accuracy_at(champions: list[dict[str, Any]], kind: str, end: datetime) -> float | None:
    """The held-out accuracy of the ``kind`` champion in force just before ``end``."""
    found = None
    for entry in champions:
        if entry["kind"] == kind and datetime.fromisoformat(entry["promoted_at"]) < end:
            found = entry["accuracy"]
    return found


def _top(reader: EventRecords, counts: Mapping[str, tuple[int, float]]) -> list[dict[str, Any]]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP]
    titles = reader.titles_by_public_id([key for key, _ in ranked])
    return [{"article": key, "title": titles.get(key), "count": n} for key, (n, _) in ranked]


def _not_reused(reader: EventRecords, end: Any) -> int:
    cutoff = end - timedelta(days=90)
    last = reader.last_reuse(end)
    return sum(
        1
        for row in reader.article_ages()
        if row.created_at <= cutoff and (row.id not in last or last[row.id] < cutoff)
    )


def _sum(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Column-wise sum of contact counts (zeros when there are none)."""
    total = dict.fromkeys(SUM_COLUMNS, 0)
    for c in counts:
        for name, value in c.items():
            total[name] += value
    return total


def _grouped(
    cells: list[tuple[Any, dict[str, int]]], key: Callable[[Any], Any]
) -> dict[Any, dict[str, int]]:
    """Cells summed by ``key(cell key)``."""
    groups: dict[Any, list[dict[str, int]]] = defaultdict(list)
    for cell, counts in cells:
        groups[key(cell)].append(counts)
    return {k: _sum(v) for k, v in groups.items()}


def _series(
    src: Source, cells: list[tuple[Any, dict[str, int]]], first: date, last: date, by: str
) -> list[dict[str, Any]]:
    periods = _grouped(cells, lambda key: period_of(_day(key), by))
    events: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SERIES_EVENTS, 0))
    wanted = {kind: name for name, kinds in SERIES_EVENTS.items() for kind in kinds}
    for period, kind, _key, n, _total in src.event_sums(
        first, last, per=by, kinds=list(wanted), by_key=False
    ):
        events[_day(period)][wanted[kind]] += n
    out = []
    start = period_of(first, by)
    step = timedelta(days=7 if by == "week" else 1)
    while start <= last:
        counts = periods.get(start)
        row: dict[str, Any] = {"period": start.isoformat()}
        row.update(_pick(contact_figures(counts)) if counts else dict.fromkeys(SERIES_FIGURES))
        if not counts:
            row["contacts"] = 0
        row.update(events.get(start, dict.fromkeys(SERIES_EVENTS, 0)))
        out.append(row)
        start += step
    return out


def _agents(src: Source, first: date, last: date, agents: str, by: str) -> list[dict[str, Any]]:
    key = None if agents == ALL_AGENTS else agents
    trend: dict[str, dict[date, dict[str, int]]] = defaultdict(dict)
    for period, kind, name, n, _total in src.event_sums(
        first, last, per=by, kinds=AGENT_KINDS, key=key
    ):
        if not name or period is None:
            continue
        periods = trend[name]
        slot = periods.get(period)
        if slot is None:
            slot = periods[period] = dict.fromkeys(_AGENT_FIGURES, 0)
        slot[_AGENT_FIGURE_OF[kind]] += n
    if key is not None and key not in trend:
        trend[key] = {}
    out = []
    for name in sorted(trend):
        periods = trend[name]
        totals = {f: sum(p[f] for p in periods.values()) for f in _AGENT_FIGURES}
        out.append(
            {
                "agent": name,
                **totals,
                "trend": [{"period": p.isoformat(), **periods[p]} for p in sorted(periods)],
            }
        )
    return out


_AGENT_FIGURE_OF = {
    "link_reused": "links",
    "link_created": "links",
    "link_improved": "links",
    "article_created": "articles_created",
    "article_improved": "articles_improved",
    "article_validated": "articles_validated",
}
_AGENT_FIGURES = ("links", "articles_created", "articles_improved", "articles_validated")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
