"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no URL at all."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from criterio.charts import (
    SENTIMENT_COLOURS,
    Series,
    bar_chart,
    insight_chart,
    line_chart,
    sparkline,
)
from criterio.reports._format import Formatter
from criterio.reports._words import WORDS, channel_name
from criterio.reports.content import Reasons, Report, Sentiment

__all__ = ["render_html"]

SENTIMENT_ORDER = ("negative", "neutral", "positive")
#: Inline SVG in HTML needs no namespace declaration; without it the file names no URL.
_SVG_NAMESPACE = ' xmlns="http://www.w3.org/2000/svg"'


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("criterio.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _svg(markup: str) -> Markup:
    """A chart to write into the page as it is (the chart functions escape every text)."""
    return Markup(markup.replace(_SVG_NAMESPACE, ""))  # noqa: S704


def human(value: str) -> str:
    """A label as people write it: ``double_charge`` → ``double charge``."""
    return value.replace("_", " ")


def render_html(report: Report) -> str:
    """The report's HTML page."""
    words = WORDS[report.language]
    fmt = Formatter(report.language)
    return (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            w=words,
            f=fmt,
            human=human,
            channel=lambda name: channel_name(name, report.language),
            previous=report.period.previous(),
            charts=_charts(report, fmt, words),
            impact=_impact(report),
        )
    )


def _impact(report: Report) -> dict[str, Any] | None:
    """The impact section's tiles, charts and tables (the dashboard's, in the report)."""
    from criterio.metrics.view import dashboard

    if report.impact is None:
        return None
    shown = dashboard(report.impact, report.language)
    shown["charts"] = {k: _svg(v) for k, v in shown["charts"].items()}
    shown["sections"] = [
        s for s in shown["sections"] if s["key"] in ("outcomes", "automation", "knowledge")
    ]
    return shown


def _charts(report: Report, fmt: Formatter, words: dict[str, str]) -> dict[str, Any]:
    """Every chart of the page, keyed by where it goes."""
    x = [fmt.short_day(day) for day in report.period.days]
    volumes = report.volumes
    number = fmt.chart_value
    charts: dict[str, Any] = {
        "daily": _svg(
            line_chart(
                x,
                [
                    Series(words["this_period"], volumes.daily),
                    Series(words["previous_period"].lower(), volumes.previous_daily, dashed=True),
                ],
                title=words["daily_contacts"],
                number_format=number,
            )
        ),
        "channels": None,
        "reasons": _reason_sparklines(report.intents, words),
        "topics": _reason_sparklines(report.topics, words),
        "sentiment": _sentiment_charts(report.sentiment, x, fmt, words),
        "insights": {
            entry.insight.id: _svg(
                insight_chart(
                    entry.insight.evidence.chart,
                    language=report.language,
                    period=entry.insight.period,
                    number_format=number,
                )
            )
            for entry in (*report.automation, *report.confirmed)
        },
    }
    shown = [c for c in volumes.channels if c.current][:6]
    if len(shown) > 1:
        charts["channels"] = _svg(
            line_chart(
                x,
                [Series(channel_name(c.name, report.language), c.daily) for c in shown],
                title=words["daily_by_channel"],
                number_format=number,
            )
        )
    return charts


def _reason_sparklines(reasons: Reasons | None, words: dict[str, str]) -> dict[str, Markup]:
    if reasons is None:
        return {}
    return {
        row.name: _svg(sparkline(row.daily, title=f"{words['trend']}: {human(row.name)}"))
        for row in reasons.rows
    }


def _sentiment_charts(
    sentiment: Sentiment | None, x: list[str], fmt: Formatter, words: dict[str, str]
) -> dict[str, Markup]:
    if sentiment is None:
        return {}
    labels = [label for label in SENTIMENT_ORDER if label in sentiment.counts]
    labels += sorted(set(sentiment.counts) - set(SENTIMENT_ORDER))
    return {
        "distribution": _svg(
            bar_chart(
                [words[label] if label in SENTIMENT_ORDER else label for label in labels],
                [sentiment.share(label) for label in labels],
                title=words["sentiment_distribution"],
                percent=True,
                number_format=fmt.chart_value,
                colours=[SENTIMENT_COLOURS.get(label) for label in labels],
            )
        ),
        "trend": _svg(
            line_chart(
                x,
                [
                    Series(
                        words["negative"],
                        sentiment.daily_negative,
                        colour=SENTIMENT_COLOURS["negative"],
                    ),
                    Series(
                        words["positive"],
                        sentiment.daily_positive,
                        colour=SENTIMENT_COLOURS["positive"],
                    ),
                ],
                title=words["sentiment_trend"],
                percent=True,
                number_format=fmt.chart_value,
            )
        ),
    }
