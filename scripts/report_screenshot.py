"""Render the demo's client report and save a screenshot of it (docs/screenshots/report.png).

Runs what a user runs, in a temporary SQLite store: the demo month (generated, ingested,
analysed, patterns detected), a reviewer's confirmation of two insights, then
``criterio report`` for the demo's last two weeks, opened in Debian's Chromium with
every network request blocked::

    .venv/bin/python scripts/report_screenshot.py [--size 8000] [--html demo/report.html]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.demo.generator import DEFAULT_SEED, DemoGenerator
from criterio.demo.runner import load_demo, run_available_analysis
from criterio.insights import InsightStatus, ReviewIn, list_insights, review_insight
from criterio.reports import build_report, render_html

HERE = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
#: What a team lead might write after looking at the demo's injected events.
REVIEWS = {
    "csat_shift": (
        "El nuevo mensajero entrega tarde: los clientes de la cola de envíos lo notan.",
        "Volver al mensajero anterior en las zonas con más retrasos y avisar a los clientes.",
        "Operaciones logísticas",
    ),
    "emerging": (
        "La activación de eSIM falla desde la actualización del día 15.",
        "Publicar un artículo con el paso manual y escalar el fallo al proveedor.",
        "Equipo de producto móvil",
    ),
}


def _review(factory: sessionmaker[Session], tenant: str) -> None:
    with session_scope(factory) as session:
        for insight in list_insights(session, tenant):
            if insight.type not in REVIEWS or insight.status != "new":
                continue
            interpretation, proposal, owner = REVIEWS.pop(insight.type)
            for change in (
                ReviewIn(status=InsightStatus.in_review),
                ReviewIn(status=InsightStatus.confirmed, interpretation=interpretation),
                ReviewIn(status=InsightStatus.actioned, proposal=proposal, owner=owner),
            ):
                review_insight(session, tenant, insight.id, change, actor="lead")


def main() -> None:
    """Build the demo store, write the report and its screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8000)
    parser.add_argument("--html", type=Path, help="Also keep the report's HTML file here.")
    parser.add_argument("--out", type=Path, default=HERE / "docs" / "screenshots" / "report.png")
    args = parser.parse_args()
    generator = DemoGenerator(args.size, DEFAULT_SEED, tenant="demo")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'criterio.db'}")
        upgrade_database(engine)
        factory = make_session_factory(engine)
        load_demo(factory, generator)
        run_available_analysis(factory, "demo")
        _review(factory, "demo")
        with session_scope(factory) as session:
            report = build_report(session, "demo", date(2026, 11, 17), date(2026, 11, 30))
        engine.dispose()
        page_file = Path(tmp) / "report.html"
        page_file.write_text(render_html(report), encoding="utf-8")
        if args.html:
            args.html.parent.mkdir(parents=True, exist_ok=True)
            args.html.write_text(page_file.read_text("utf-8"), encoding="utf-8")
        _screenshot(page_file, args.out)
    print(f"wrote {args.out}")


def _screenshot(page_file: Path, out: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    asked: list[str] = []

    def block(route: Route) -> None:
        if route.request.url == page_file.as_uri():
            route.continue_()
            return
        asked.append(route.request.url)
        route.abort()

    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
            context.route("**/*", block)
            page = context.new_page()
            page.goto(page_file.as_uri())
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()
    if asked:
        raise SystemExit(f"the report asked for {asked}: it must open offline")


if __name__ == "__main__":
    main()
