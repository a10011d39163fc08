"""The client report on the real stores: its figures, its insights, no personal data, offline."""

from __future__ import annotations

import importlib
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.analysis.pipeline import build_pipeline
from criterio.annotations.runner import analyze_store
from criterio.auth.service import create_tenant
from criterio.cli import app
from criterio.cli.report import _day
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights import InsightStatus, ReviewIn, review_insight
from criterio.insights.service import upsert_detections
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.interactions.repository import InteractionFilter, InteractionRepository
from criterio.patterns import Detection
from criterio.reports import Period, build_report, render_html
from criterio.reports._format import Formatter
from tests.factories import interaction
from tests.scope_guard import scope_guard

START, END = date(2026, 11, 15), date(2026, 11, 28)  # the previous period: 1-14 November
CHANNELS = ("chat", "email", "voice")
INTENTS = ("double_charge", "no_internet", "invoice_copy")
TOPICS = ("facturas duplicadas", "fibra caída")
DISPLAY_NAME = "Acme Telecomunicaciones S.A."
EMAIL, PHONE, NAME = "ana.garcia@correo.es", "612 345 678", "Ana García"
PII_TEXT = f"Hola, soy {NAME}, mi correo es {EMAIL} y mi teléfono {PHONE}: me cobraron dos veces"
INTERPRETATION = "Un cobro duplicado en la facturación del día 20"
PROPOSAL, OWNER = "Devolver el cobro y corregir el proceso", "Equipo de facturación"
OTHER_SECRET = "globex-secret-merger"


def _records() -> list[dict[str, Any]]:
    """Spanish contacts of acme from 25 October to 3 December, and English ones of globex."""
    records = []
    first = datetime(2026, 10, 25, 9, tzinfo=UTC)
    for i in range(160):
        started = first + timedelta(hours=6 * i)  # four a day, 40 days
        text = PII_TEXT if i == 100 else f"Tengo un problema con la factura número {i}"
        records.append(
            interaction(
                i,
                id=f"a-{i}",
                started_at=started.isoformat(),
                channel=CHANNELS[i % 3] if i % 5 else "chat",
                language="es",
                turns=[
                    {"role": "customer", "text": text},
                    {"role": "agent", "text": "Lo reviso ahora mismo."},
                ],
                labels={"intent": INTENTS[i % 3], "topic": TOPICS[i % 2]} if i % 7 else {},
            )
        )
    for i in range(40):
        started = datetime(2026, 11, 15, 10, tzinfo=UTC) + timedelta(hours=8 * i)
        records.append(
            interaction(
                i,
                id=f"g-{i}",
                tenant="globex",
                channel="sms",
                language="en",
                started_at=started.isoformat(),
                turns=[{"role": "customer", "text": "Where is my refund? It is late again."}],
                labels={"intent": OTHER_SECRET},
            )
        )
    return records


def _detection(kind: str, segment: dict[str, str], **figures: Any) -> Detection:
    return Detection(
        type=kind,
        segment=tuple(sorted(segment.items())),
        start=date(2026, 11, 20),
        end=date(2026, 11, 21),
        impact=20,
        strength=6.0,
        magnitude=0.5,
        severity=60.0,
        figures=figures,
        chart={"kind": "daily_volume", "x": ["2026-11-20", "2026-11-21"], "observed": [9, 8],
               "expected": [3, 3]},
        examples=["a-100", "a-101"],
    )  # fmt: skip


def _build_store(factory: sessionmaker[Session]) -> str:
    """Ingest, analyse (language, personal data, sentiment), detect and review, as users do.

    Returns the statement of the insight nobody reviewed.
    """
    with session_scope(factory) as session:
        create_tenant(session, "acme", DISPLAY_NAME)
    report = ingest_records(factory, (RawRecord("t", str(n), r) for n, r in enumerate(_records())))
    assert report.rejected == 0
    with LocalEngine(workers=1) as engine:
        analyze_store(factory, ["acme", "globex"], engine=engine, pipeline=build_pipeline())
    spike = {"observed": 9, "expected": 3.0, "ratio": 3.0, "days": 2}
    automation = {"contacts_per_30_days": 120, "human_share": 0.9, "repetition": 0.7,
                  "top_resolution": "refund"}  # fmt: skip
    with session_scope(factory) as session:
        found = upsert_detections(
            session,
            "acme",
            [
                _detection("spike", {"intent": "double_charge"}, **spike),
                _detection("drop", {"intent": "no_internet"}, observed=2, expected=4.0,
                           ratio=0.5, days=2),
                _detection("automation_opportunity", {"intent": "invoice_copy"}, **automation),
            ],
            language="es",
        ).insights  # fmt: skip
        spike_id, unreviewed = found[0].id, found[1].statement
        for change in (
            ReviewIn(status=InsightStatus.in_review),
            ReviewIn(status=InsightStatus.confirmed, interpretation=INTERPRETATION),
            ReviewIn(status=InsightStatus.actioned, proposal=PROPOSAL, owner=OWNER),
        ):
            review_insight(session, "acme", spike_id, change)
        (other,) = upsert_detections(
            session, "globex", [_detection("spike", {"intent": OTHER_SECRET}, **spike)]
        ).insights
        review_insight(session, "globex", other.id, ReviewIn(status=InsightStatus.in_review))
        review_insight(
            session,
            "globex",
            other.id,
            ReviewIn(status=InsightStatus.confirmed, interpretation=f"{OTHER_SECRET} explained"),
        )
    return unreviewed


def _stored_counts(session: Session, tenant: str, period: Period) -> dict[str, int]:
    """Contacts of the period per channel, counted through the interactions repository."""
    repo = InteractionRepository(session, tenant)
    since = datetime(period.start.year, period.start.month, period.start.day, tzinfo=UTC)
    until = since + timedelta(days=period.length)
    counts = {}
    for channel in (*CHANNELS, "sms"):
        rows = repo.page(InteractionFilter(channel=channel, since=since, until=until), limit=10**6)
        if rows:
            counts[channel] = len(rows)
    return counts


def _assert_offline(html: str) -> None:
    """No URL of any kind: nothing the page could fetch, not even a namespace."""
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"\b(src|href|srcset|action)\s*=", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html and "<script" not in html


def test_report_holds_the_stored_figures_and_the_confirmed_insights(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    unreviewed = _build_store(session_factory)
    period = Period(START, END)
    with session_scope(session_factory) as session, scope_guard(engine):
        report = build_report(session, "acme", START, END)
    with session_scope(session_factory) as session:
        now, before = (
            _stored_counts(session, "acme", period),
            _stored_counts(session, "acme", period.previous()),
        )
    html = render_html(report)
    fmt = Formatter("es")

    # Volumes: what the store holds for the period and the one before.
    assert report.volumes.total == sum(now.values()) == 56
    assert report.volumes.previous_total == sum(before.values()) == 56
    assert sum(report.volumes.daily) == report.volumes.total and len(report.volumes.daily) == 14
    assert {c.name: c.current for c in report.volumes.channels} == now
    assert {c.name: c.previous for c in report.volumes.channels} == before
    assert f'id="total-contacts">{fmt.number(sum(now.values()))}<' in html
    for channel, n in now.items():
        name = {"voice": "voz"}.get(channel, channel)
        assert re.search(rf"<th scope=\"row\">{name}</th>\s*<td[^>]*>{n}</td>", html)

    # Reasons: the labelled intents, with their share of the period's contacts.
    reasons = {r.name: r for r in report.intents.rows}
    assert set(reasons) == set(INTENTS)
    assert sum(r.current for r in reasons.values()) + report.intents.without == 56
    assert "double charge" in html and "Principales motivos de contacto" in html
    topics = {r.name: r.current for r in report.topics.rows}  # type: ignore[union-attr]
    assert sum(topics.values()) == sum(r.current for r in reasons.values())
    assert "Principales temas" in html and "fibra caída" in html

    # Who it is for and when.
    assert report.display_name == DISPLAY_NAME and f'id="tenant">{DISPLAY_NAME}<' in html

    # Sentiment comes from the stored analysis of every contact of the period.
    assert report.sentiment is not None and report.sentiment.analysed == 56

    # The confirmed (here actioned) insight with what people wrote; not the unreviewed one.
    assert [e.insight.status for e in report.confirmed] == [InsightStatus.actioned]
    for text in (INTERPRETATION, PROPOSAL, OWNER):
        assert text in html
    assert unreviewed.startswith("Los contactos sobre no internet") and unreviewed not in html
    assert [e.insight.type for e in report.automation] == ["automation_opportunity"]
    assert "candidatos a automatizar" in html

    # Spanish tenant, Spanish report.
    assert report.language == "es" and '<html lang="es">' in html
    assert "Informe de contactos" in html and "15 de noviembre de 2026" in html
    assert "Conclusiones del equipo" in html and "Interpretación" in html

    # Its example is shown, redacted: none of the personal data of the source text.
    assert "[EMAIL_1]" in html and "me cobraron dos veces" in html
    for personal in (EMAIL, PHONE, NAME, "García"):
        assert personal not in html

    # In English on request: the insight's statement is rewritten from its figures.
    with session_scope(session_factory) as session:
        english = build_report(session, "acme", START, END, language="en")
    (entry,) = english.confirmed
    assert entry.statement.startswith("Contacts about double charge tripled from 20 November")
    assert "Contact report" in render_html(english)

    # Another tenant's data never appears.
    assert OTHER_SECRET not in html and "sms" not in html and "refund?" not in html
    _assert_offline(html)


def _ingest(factory: sessionmaker[Session], records: list[dict[str, Any]]) -> None:
    report = ingest_records(factory, (RawRecord("t", str(n), r) for n, r in enumerate(records)))
    assert report.rejected == 0


def test_cli_writes_the_report_and_rejects_bad_input_clearly(
    cli: CliRunner, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _ingest(session_factory, [interaction(i, language="en") for i in range(30)])
    out = tmp_path / "out" / "report.html"
    args = ["report", "--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-30"]
    result = cli.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "30 contacts" in result.output
    html = out.read_text("utf-8")
    assert "Contact report" in html and "1 November 2026" in html  # an English tenant
    assert 'id="total-contacts">30<' in html
    _assert_offline(html)
    spanish = cli.invoke(app, [*args, "--out", str(out), "--language", "es"])
    assert spanish.exit_code == 0, spanish.output
    assert "Informe de contactos" in out.read_text("utf-8")

    for bad, message in (
        (["--from", "2026-13-01"], "'2026-13-01' is not a date: write it YYYY-MM-DD"),
        (["--to", "yesterday"], "'yesterday' is not a date"),
        (["--from", "2026-12-01"], "--from 2026-12-01 is after --to 2026-11-30"),
        (["--tenant", "nobody"], "tenant 'nobody' is unknown"),
        (["--language", "fr"], "choose es or en"),
        (["--from", "2020-01-01"], "is longer than 1096 days: split it"),
    ):
        failed = cli.invoke(app, [*args, "--out", str(tmp_path / "bad.html"), *bad])
        assert failed.exit_code == 2, (bad, failed.output)
        assert message in " ".join(failed.output.split()), failed.output
        assert "Traceback" not in failed.output
        assert isinstance(failed.exception, SystemExit)
    assert not (tmp_path / "bad.html").exists()


def test_an_empty_period_says_there_were_no_contacts(
    cli: CliRunner, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _ingest(session_factory, [interaction(i, language="es") for i in range(10)])
    out = tmp_path / "empty.html"
    args = ["report", "--tenant", "acme", "--from", "2025-01-01", "--to", "2025-01-31"]
    result = cli.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "No hubo contactos en este periodo." in html
    assert 'id="total-contacts">0<' in html
    _assert_offline(html)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(8999, 12, 31)), st.integers(0, 400))
def test_any_iso_date_is_read_and_a_period_follows_its_previous(day: date, days: int) -> None:
    assert _day(day.isoformat()) == day
    period = Period(day, day + timedelta(days=days))
    before = period.previous()
    assert before.length == period.length == days + 1 == len(period.days)
    assert before.end + timedelta(days=1) == period.start


@given(st.text(max_size=20))
def test_anything_but_a_date_is_a_clear_error(text: str) -> None:
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        with pytest.raises(typer.BadParameter, match="is not a date: write it YYYY-MM-DD"):
            _day(text)
    else:
        assert _day(text) == parsed


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_report_opens_offline_in_chromium(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import Route, sync_playwright

    _build_store(session_factory)
    with session_scope(session_factory) as session:
        report = build_report(session, "acme", START, END)
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    attempted: list[str] = []

    def block(route: Route) -> None:
        """Let the report's own file load; anything else it asks for is recorded and refused."""
        if route.request.url == path.as_uri():
            route.continue_()
            return
        attempted.append(route.request.url)
        route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
            context.route("**/*", block)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            assert page.title().startswith("Informe de contactos")
            charts = page.locator("svg.chart")
            assert charts.count() >= 4
            box = charts.first.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
            assert page.locator("#confirmed").inner_text().count(INTERPRETATION) == 1
            shot = os.environ.get("CRITERIO_REPORT_SCREENSHOT")
            if shot:
                page.screenshot(path=shot, full_page=True)
        finally:
            browser.close()
    assert attempted == [], attempted  # no request was even tried
    assert requests == [path.as_uri()]


def test_figures_are_written_the_spanish_or_english_way() -> None:
    es, en = Formatter("es"), Formatter("en")
    assert (es.number(1234.5, 1), en.number(1234.5, 1)) == ("1.234,5", "1,234.5")
    assert (es.percent(0.125), en.percent(0.125)) == ("12,5\xa0%", "12.5%")
    assert (es.change(-0.05, "nuevo"), en.change(0.5, "new"), es.change(None, "nuevo")) == (
        "−5,0\xa0%",
        "+50.0%",
        "nuevo",
    )
    assert es.day(date(2026, 11, 1)) == "1 de noviembre de 2026"
    assert en.day(date(2026, 11, 1)) == "1 November 2026"
    assert en.timestamp(datetime(2026, 11, 23, 13, 5, tzinfo=UTC)).endswith("13:05:00 UTC")


@pytest.mark.parametrize(
    "name",
    [
        "criterio.reports",
        "criterio.reports.service",
        "criterio.reports.render",
        "criterio.reports.content",
        "criterio.reports.repository",
    ],
)
def test_report_modules_export_what_they_name(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ and all(hasattr(module, exported) for exported in module.__all__)


def test_an_example_changed_since_its_analysis_is_not_shown(
    session_factory: sessionmaker[Session],
) -> None:
    # The report reads examples as the API and the pages do: a redaction of an older
    # text of the interaction is not shown (it was, before the one way of reading them).
    _build_store(session_factory)
    changed = _records()[100]
    changed["turns"][0]["text"] = "Quiero cambiar de tarifa, llamadme al 699 111 222"
    report = ingest_records(session_factory, [RawRecord("t", "100", changed)])
    assert report.updated == 1
    with session_scope(session_factory) as session:
        html = render_html(build_report(session, "acme", START, END))
    for text in ("me cobraron dos veces", "[EMAIL_1]", "cambiar de tarifa", "699 111 222"):
        assert text not in html
