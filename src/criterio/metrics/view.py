"""What the dashboard and the report section show: figures as tiles, tables and charts.

Charts are inline SVG (``criterio.charts``), so the page and the report render offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal, format_percent

from criterio.charts import PALETTE, Series, bar_chart, line_chart, sparkline
from criterio.metrics._words import words

__all__ = ["SECTIONS", "dashboard", "show"]

#: The tiles of each section: (figure, kind) with kind rate, number or money.
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "outcomes": (
        ("contacts", "number"),
        ("resolution_rate", "rate"),
        ("first_contact_resolution", "rate"),
        ("repeat_contact_rate", "rate"),
        ("escalation_rate", "rate"),
        ("csat_mean", "number"),
        ("sentiment_recovered_rate", "rate"),
        ("sentiment_worsened_rate", "rate"),
        ("time_to_resolution_p50_hours", "number"),
        ("time_to_resolution_p90_hours", "number"),
    ),
    "automation": (
        ("automation_rate", "rate"),
        ("automation_precision", "rate"),
        ("containment_rate", "rate"),
        ("estimated_savings", "money"),
    ),
    "knowledge": (
        ("link_rate", "rate"),
        ("reuse_rate", "rate"),
        ("participation", "rate"),
        ("links", "number"),
        ("articles_created", "number"),
        ("articles_improved", "number"),
        ("articles_validated", "number"),
        ("articles_flagged", "number"),
        ("capture_to_validated_p50_hours", "number"),
        ("content_standard_score", "rate"),
        ("articles_not_reused_90d", "number"),
        ("gaps_opened", "number"),
        ("gaps_closed", "number"),
    ),
    "learning": (
        ("corrections", "number"),
        ("corrections_per_week", "number"),
        ("models_promoted", "number"),
    ),
    "insights": (
        ("insights_confirmed", "number"),
        ("insights_actioned", "number"),
        ("detection_to_action_p50_hours", "number"),
    ),
}


def show(value: Any, kind: str, language: str, currency: str | None = None) -> str:
    """A figure as the reader's language writes it (– when there is none)."""
    if value is None:
        return "–"
    if kind == "rate":
        return format_percent(value, "#,##0.0%", locale=language)
    text = format_decimal(value, "#,##0.##", locale=language)
    return f"{text} {currency}" if kind == "money" and currency else text


def _rates(
    series: list[Mapping[str, Any]], names: tuple[str, ...], w: Mapping[str, str]
) -> list[Series]:
    return [
        Series(w[name], [row.get(name) for row in series], colour=PALETTE[k % len(PALETTE)])
        for k, name in enumerate(names)
    ]


def dashboard(result: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Tiles, charts and tables of a ``metrics.figures`` result, in ``language``."""
    w = words(language)
    currency = result.get("currency")
    sections: list[dict[str, Any]] = [
        {
            "key": key,
            "title": w[key],
            "tiles": [
                {"label": w[name], "value": show(result.get(name), kind, language, currency)}
                for name, kind in tiles
            ],
        }
        for key, tiles in SECTIONS.items()
    ]
    if result.get("estimated_savings") is None:
        sections[1]["tiles"][-1]["value"] = w["not_set"]
    charts: dict[str, str] = {}
    series = list(result.get("series") or [])
    if series:
        x = [row["period"] for row in series]
        by = w[result.get("by") or "week"]
        fmt = _formatter(language)
        for key, names in (
            ("outcomes", ("resolution_rate", "first_contact_resolution", "repeat_contact_rate")),
            ("automation", ("automation_rate", "containment_rate")),
            ("knowledge", ("link_rate", "reuse_rate")),
        ):
            charts[key] = line_chart(
                x,
                _rates(series, names, w),
                title=w[f"chart_{key}"].format(by=by),
                percent=True,
                number_format=fmt,
                width=900,
            )
        charts["events"] = line_chart(
            x,
            _rates(
                series,
                (
                    "links",
                    "articles_created",
                    "articles_improved",
                    "articles_validated",
                    "corrections",
                ),
                w,
            ),
            title=w["chart_events"].format(by=by),
            number_format=fmt,
            width=900,
        )
    coverage = result.get("coverage_by_intent") or {}
    if coverage:
        top = sorted(coverage.items(), key=lambda kv: (-(kv[1] or 0), kv[0]))[:12]
        charts["coverage"] = bar_chart(
            [k for k, _ in top],
            [v or 0.0 for _, v in top],
            title=w["chart_coverage"],
            percent=True,
            number_format=_formatter(language),
        )
    if result.get("csat_responses"):
        dist = result["csat_distribution"]
        charts["csat"] = bar_chart(
            [str(k) for k in range(1, 6)],
            [dist[str(k)] or 0.0 for k in range(1, 6)],
            title=w["chart_csat"],
            percent=True,
            number_format=_formatter(language),
        )
    agents = [
        {
            **agent,
            "spark": sparkline(
                [
                    p["links"] + p["articles_created"] + p["articles_improved"]
                    for p in agent["trend"]
                ],
                title=f"{w['trend']}: {agent['agent']}",
            ),
        }
        for agent in result.get("agents") or []
    ]
    return {"w": w, "sections": sections, "charts": charts, "agents": agents, "result": result}


def _formatter(language: str) -> Any:
    def fmt(value: float, percent: bool) -> str:
        return show(value, "rate" if percent else "number", language)

    return fmt
