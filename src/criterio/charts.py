"""Charts as inline SVG markup, so pages and the client report render them offline.

No JavaScript and no CDN: each function returns one ``<svg>`` element with a
``<title>`` (read by screen readers) that can be written straight into HTML.
``insight_chart`` draws the ``evidence.chart`` data of any insight type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

__all__ = [
    "PALETTE",
    "SENTIMENT_COLOURS",
    "NumberFormat",
    "Series",
    "bar_chart",
    "insight_chart",
    "line_chart",
    "sparkline",
]

#: Colour-blind-safe colours (Okabe–Ito): observed, expected/reference, highlight.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
HIGHLIGHT = "#D55E00"
#: One colour per sentiment in every chart (Okabe–Ito vermillion, grey, bluish green).
SENTIMENT_COLOURS = {"negative": "#D55E00", "neutral": "#999999", "positive": "#009E73"}
#: Characters XML does not allow (control characters, lone surrogates, non-characters).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 28, 40

_WORDS = {
    "en": {
        "observed": "observed",
        "expected": "expected",
        "share": "share of contacts",
        "mean": "daily mean",
        "segment": "segment",
        "rest": "rest",
        "human": "handled by people",
        "bot": "automated",
        "period": "pattern period",
        "rate": "rate",
    },
    "es": {
        "observed": "observados",
        "expected": "esperados",
        "share": "porcentaje de contactos",
        "mean": "media diaria",
        "segment": "segmento",
        "rest": "resto",
        "human": "atendidos por personas",
        "bot": "automatizados",
        "period": "periodo del patrón",
        "rate": "tasa",
    },
}


#: Writes an axis or bar value: ``(value, percent) -> text`` (for a reader's language).
NumberFormat = Callable[[float, bool], str]


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and one value (or ``None``: a gap) per x label."""

    name: str
    values: Sequence[float | None]
    dashed: bool = False
    #: A fixed colour (one meaning, one colour in every chart); None: the palette's next.
    colour: str | None = None


def line_chart(
    x: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    highlight: tuple[str, str] | None = None,
    highlight_label: str = "",
    percent: bool = False,
    width: int = 640,
    height: int = 240,
    number_format: NumberFormat | None = None,
) -> str:
    """Lines over the ``x`` labels (dates, hours); ``highlight`` shades a span of labels."""
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    finite = [float(v) for s in series for v in s.values if v is not None and _finite(v)]
    top = _nice_ceiling(max(finite, default=0.0))
    bottom = min(0.0, min(finite, default=0.0))
    span = (top - bottom) or 1.0
    step = plot_w / max(len(x) - 1, 1)

    def px(i: int) -> float:
        return MARGIN_LEFT + i * step

    def py(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - (value - bottom) / span)

    parts = [_open(width, height, title)]
    if highlight is not None and x:
        first, last = _index_of(x, highlight[0]), _index_of(x, highlight[1], from_end=True)
        if first is not None and last is not None and first <= last:
            left = px(first) - step / 2 if len(x) > 1 else MARGIN_LEFT
            right = px(last) + step / 2 if len(x) > 1 else MARGIN_LEFT + plot_w
            left, right = max(left, MARGIN_LEFT), min(right, MARGIN_LEFT + plot_w)
            parts.append(
                f'<rect class="highlight" x="{left:.1f}" y="{MARGIN_TOP}" '
                f'width="{right - left:.1f}" height="{plot_h}" fill="{HIGHLIGHT}" '
                f'fill-opacity="0.12"><title>{_text(highlight_label)}</title></rect>'
            )
    parts.extend(_y_axis(bottom, top, py, width, percent, number_format or _format))
    for i in _tick_indices(len(x), max(plot_w // 90, 2)):
        # A label that would run past the right edge ends at its tick instead.
        overflows = px(i) + 3.5 * len(x[i]) > width
        parts.append(
            f'<text x="{px(i):.1f}" y="{height - MARGIN_BOTTOM + 16}" font-size="11" '
            f'text-anchor="{"end" if overflows else "middle"}" fill="#444">{_text(x[i])}</text>'
        )
    colours = _colours([s.colour for s in series])
    for line, colour in zip(series, colours, strict=True):
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        for run in _runs(line.values):
            points = " ".join(f"{px(i):.1f},{py(float(v)):.1f}" for i, v in run)
            if len(run) == 1:
                i, v = run[0]
                parts.append(
                    f'<circle cx="{px(i):.1f}" cy="{py(float(v)):.1f}" r="2.5" fill="{colour}"/>'
                )
            else:
                parts.append(
                    f'<polyline class="series" points="{points}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"{dash}/>'
                )
    parts.append(_legend([s.name for s in series], [s.dashed for s in series], colours, width))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    intervals: Sequence[tuple[float, float]] | None = None,
    percent: bool = False,
    width: int = 640,
    bar_height: int = 22,
    number_format: NumberFormat | None = None,
    colours: Sequence[str | None] | None = None,
) -> str:
    """Horizontal bars, one per label, with optional confidence intervals as whiskers.

    ``colours`` fixes a bar's colour (None: the palette's next), so that one meaning
    keeps one colour across charts.
    """
    fmt = number_format or _format
    fills = _colours(list(colours) if colours is not None else [None] * len(labels))
    label_w = min(max((len(label) for label in labels), default=0) * 7 + 12, width // 2)
    plot_w = width - label_w - 80
    height = MARGIN_TOP + len(labels) * (bar_height + 8) + 8
    ends = [abs(v) for v in values if _finite(v)]
    if intervals:
        ends += [abs(h) for _, h in intervals if _finite(h)]
    top = _nice_ceiling(max(ends, default=0.0)) or 1.0
    parts = [_open(width, height, title)]
    for k, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = MARGIN_TOP + k * (bar_height + 8)
        shown = value if _finite(value) else 0.0
        bar_w = plot_w * max(shown, 0.0) / top
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" font-size="12" '
            f'text-anchor="end" fill="#222">{_text(label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y}" width="{bar_w:.1f}" '
            f'height="{bar_height}" fill="{fills[k]}">'
            f"<title>{_text(label)}: {fmt(shown, percent)}</title></rect>"
        )
        if intervals and k < len(intervals):
            low, high = intervals[k]
            if _finite(low) and _finite(high):
                x1 = label_w + plot_w * max(low, 0.0) / top
                x2 = label_w + plot_w * max(high, 0.0) / top
                mid = y + bar_height / 2
                parts.append(
                    f'<path class="interval" d="M{x1:.1f},{mid:.1f}H{x2:.1f}'
                    f'M{x1:.1f},{mid - 5:.1f}v10M{x2:.1f},{mid - 5:.1f}v10" '
                    'stroke="#222" stroke-width="1.5" fill="none"/>'
                )
        parts.append(
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" '
            f'font-size="12" fill="#222">{fmt(shown, percent)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def insight_chart(
    chart: Mapping[str, Any],
    *,
    language: str = "en",
    period: Any = None,
    number_format: NumberFormat | None = None,
) -> str:
    """The chart of an insight's ``evidence.chart`` (any detector's kind); '' when empty.

    ``period`` is an object with ``start`` and ``end`` dates (an insight's period) whose
    days are shaded; ``number_format`` writes the axis values (default: English).
    """
    words = _WORDS.get(language, _WORDS["en"])
    kind = str(chart.get("kind", ""))
    highlight = None
    if period is not None and getattr(period, "start", None) is not None:
        highlight = (period.start.isoformat(), period.end.isoformat())
    x = [str(v) for v in chart.get("x", [])]
    if kind == "hourly_volume" and x:
        hours = chart.get("highlight")
        return line_chart(
            [_hour_label(v) for v in x],
            [
                Series(words["observed"], chart.get("observed", [])),
                Series(words["expected"], chart.get("expected", []), dashed=True),
            ],
            title=words["observed"],
            highlight=(_hour_label(hours[0]), _hour_label(hours[1])) if hours else None,
            highlight_label=words["period"],
            number_format=number_format,
        )
    if kind == "daily_volume" and x:
        return line_chart(
            x,
            [
                Series(words["observed"], chart.get("observed", [])),
                Series(words["expected"], chart.get("expected", []), dashed=True),
            ],
            title=words["observed"],
            highlight=highlight,
            highlight_label=words["period"],
            number_format=number_format,
        )
    if kind == "daily_share" and x:
        return line_chart(
            x,
            [Series(words["share"], chart.get("share", []))],
            title=words["share"],
            highlight=highlight,
            highlight_label=words["period"],
            percent=True,
            number_format=number_format,
        )
    if kind.startswith("daily_") and x:
        return line_chart(
            x,
            [Series(words["mean"], chart.get("mean", []))],
            title=words["mean"],
            highlight=highlight,
            highlight_label=words["period"],
            number_format=number_format,
        )
    if kind == "rate_comparison":
        labels = [words.get(str(v), str(v)) for v in chart.get("labels", [])]
        rates = [float(v) for v in chart.get("rates", [])]
        ci = chart.get("ci")
        intervals = [(float(ci[0]), float(ci[1]))] if ci and len(ci) == 2 else None
        return bar_chart(
            labels,
            rates,
            title=words["rate"],
            intervals=intervals,
            percent=True,
            number_format=number_format,
        )
    if kind == "automation":
        labels = [words.get(str(v), str(v)) for v in chart.get("labels", [])]
        values = [float(v) for v in chart.get("values", [])]
        return bar_chart(labels, values, title=words["human"], number_format=number_format)
    return ""


def sparkline(
    values: Sequence[float | None], *, title: str, width: int = 120, height: int = 28
) -> str:
    """A small line without axes, to sit in a table row beside the figure it trends."""
    finite = [float(v) for v in values if v is not None and _finite(v)]
    top = max(finite, default=0.0)
    bottom = min(0.0, min(finite, default=0.0))
    span = (top - bottom) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{_text(title)}</title>"
    ]
    for run in _runs(values):
        points = [(2 + i * step, height - 2 - (height - 4) * (v - bottom) / span) for i, v in run]
        if len(points) == 1:
            ((x, y),) = points
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.5" fill="{PALETTE[0]}"/>')
            continue
        parts.append(
            f'<polyline class="series" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" '
            f'fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _hour_label(timestamp: str) -> str:
    """``2026-11-10T09:00:00+00:00`` → ``11-10 09:00`` (hourly charts' x labels)."""
    return f"{timestamp[5:10]} {timestamp[11:16]}" if len(timestamp) >= 16 else timestamp


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="system-ui, sans-serif"><title>{_text(title)}</title>'
    )


def _y_axis(
    bottom: float, top: float, py: Any, width: int, percent: bool, fmt: NumberFormat
) -> list[str]:
    parts = []
    for k in range(5):
        value = bottom + (top - bottom) * k / 4
        y = py(value)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{width - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#444">{fmt(value, percent)}</text>'
        )
    return parts


def _colours(fixed: Sequence[str | None]) -> list[str]:
    """Each item's fixed colour, or the next palette colour no fixed item uses."""
    free = iter([c for c in PALETTE if c not in fixed] or PALETTE)
    spare = list(PALETTE)
    out: list[str] = []
    for colour in fixed:
        out.append(colour or next(free, spare[len(out) % len(spare)]))
    return out


def _legend(
    names: Sequence[str], dashed: Sequence[bool], colours: Sequence[str], width: int
) -> str:
    parts = []
    x = MARGIN_LEFT
    for name, dash, colour in zip(names, dashed, colours, strict=True):
        style = ' stroke-dasharray="5 4"' if dash else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 18}" y1="14" y2="14" stroke="{colour}" '
            f'stroke-width="2"{style}/><text x="{x + 22}" y="18" font-size="12" '
            f'fill="#222">{_text(name)}</text>'
        )
        x += 30 + 7 * len(name)
        if x > width - 60:
            break
    return "".join(parts)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive finite values: a ``None`` or NaN breaks the line."""
    runs: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, value in enumerate(values):
        if _finite(value):
            current.append((i, float(value)))  # type: ignore[arg-type]
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _tick_indices(n: int, most: int) -> list[int]:
    if n == 0:
        return []
    every = max(math.ceil(n / most), 1)
    return list(range(0, n, every))


def _index_of(labels: Sequence[str], value: str, *, from_end: bool = False) -> int | None:
    """The first label at or after ``value`` (or the last at or before it, ``from_end``)."""
    if from_end:
        candidates = [i for i, label in enumerate(labels) if label[: len(value)] <= value]
        return candidates[-1] if candidates else None
    candidates = [i for i, label in enumerate(labels) if label[: len(value)] >= value]
    return candidates[0] if candidates else None


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ ``value`` (0 stays 0)."""
    if value <= 0 or not math.isfinite(value):
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value:
            return float(factor * power)
    return float(10 * power)


def _text(value: str) -> str:
    """Text escaped for SVG/HTML, without the characters XML forbids."""
    return escape(_NOT_XML.sub("", value))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _format(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"
