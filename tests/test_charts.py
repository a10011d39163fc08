"""Inline SVG charts: well-formed for any data, and showing what the data says."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from criterio.charts import Series, bar_chart, insight_chart, line_chart, sparkline

SVG = "{http://www.w3.org/2000/svg}"

values = st.lists(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=32)),
    min_size=0,
    max_size=40,
)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@given(values, st.text(max_size=30))
def test_line_chart_is_well_formed_for_any_values(data: list[float | None], title: str) -> None:
    x = [f"2026-11-{i + 1:02d}" for i in range(len(data))]
    root = _parse(line_chart(x, [Series(title, data)], title=title, highlight=("2026-11-02", "x")))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None


@given(
    st.lists(st.tuples(st.text(max_size=20), st.floats(-1e9, 1e9)), max_size=12),
)
def test_bar_chart_is_well_formed_for_any_values(items: list[tuple[str, float]]) -> None:
    root = _parse(bar_chart([k for k, _ in items], [v for _, v in items], title="<b>&"))
    assert root.find(f"{SVG}title").text == "<b>&"  # type: ignore[union-attr]
    assert len(root.findall(f"{SVG}rect")) == len(items)


def test_line_chart_breaks_the_line_at_gaps_and_shades_the_period() -> None:
    x = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    svg = line_chart(
        x,
        [Series("observed", [1, 2, None, 4, 5])],
        title="volume",
        highlight=("2026-11-04", "2026-11-05"),
    )
    root = _parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [len(p.attrib["points"].split()) for p in lines] == [2, 2]
    shaded = root.findall(f"{SVG}rect")
    assert len(shaded) == 1 and shaded[0].attrib["class"] == "highlight"


def test_labels_are_escaped() -> None:
    svg = bar_chart(["<script>alert(1)</script>"], [3.0], title="t")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_insight_chart_draws_every_detector_kind_in_the_tenant_language() -> None:
    period = SimpleNamespace(start=date(2026, 11, 2), end=date(2026, 11, 2))
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    charts: list[dict[str, Any]] = [
        {"kind": "daily_volume", "x": days, "observed": [5, 30, 6], "expected": [None, 5, 5]},
        {"kind": "daily_share", "x": days, "observed": [1, 9, 2], "share": [0.1, 0.3, 0.1]},
        {"kind": "daily_csat", "x": days, "mean": [4.1, 2.0, None], "count": [10, 9, 0]},
        {"kind": "rate_comparison", "labels": ["segment", "rest"], "rates": [0.4, 0.1]},
        {"kind": "automation", "labels": ["human", "bot"], "values": [90, 10]},
        {
            "kind": "hourly_volume",
            "x": [f"2026-11-02T{h:02d}:00:00+00:00" for h in range(24)],
            "observed": [3] * 9 + [40, 50, 45] + [3] * 12,
            "expected": [3.0] * 24,
            "highlight": ["2026-11-02T09:00:00+00:00", "2026-11-02T11:00:00+00:00"],
        },
    ]
    for chart in charts:
        svg = insight_chart(chart, language="es", period=period)
        _parse(svg)
        assert svg.startswith("<svg")
    volume = insight_chart(charts[0], language="es", period=period)
    assert "observados" in volume and "esperados" in volume
    assert "segmento" in insight_chart(charts[3], language="es")
    hourly = _parse(insight_chart(charts[-1], language="es"))
    assert "11-02 00:00" in insight_chart(charts[-1])  # hours as x labels
    assert len(hourly.findall(f"{SVG}rect")) == 1  # the burst's three hours are shaded
    assert insight_chart({"kind": "unknown"}) == ""


@given(values, st.text(max_size=30))
def test_sparkline_is_well_formed_for_any_values(data: list[float | None], title: str) -> None:
    root = _parse(sparkline(data, title=title))
    assert root.attrib["class"] == "sparkline"
    finite = [v for v in data if v is not None and abs(v) < float("inf")]
    drawn = root.findall(f"{SVG}polyline") + root.findall(f"{SVG}circle")
    assert bool(drawn) == bool(finite)


def test_axis_and_bar_values_use_the_given_number_format() -> None:
    def spanish(value: float, percent: bool) -> str:
        return (
            f"{value * 100:.1f} %".replace(".", ",")
            if percent
            else f"{value:.2f}".replace(".", ",")
        )

    line = line_chart(["a", "b"], [Series("s", [0.1, 0.25])], title="t", percent=True,
                      number_format=spanish)  # fmt: skip
    assert "25,0 %" in line and "25.0%" not in line
    bars = bar_chart(["x"], [2.5], title="t", number_format=spanish)
    assert ">2,50<" in bars
