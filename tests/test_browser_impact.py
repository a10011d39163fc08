"""The leadership dashboard (/impact) in headless Chromium, English and Spanish.

With ``CRITERIO_SCREENSHOTS=DIR`` set, it also saves ``impact.png`` there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.metrics import rebuild
from tests.api_support import PASSWORD
from tests.metrics_data import build
from tests.server_support import free_port, wait_ready

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = os.environ.get("CRITERIO_SCREENSHOTS")
WEEK = "/impact?from=2026-11-02&to=2026-11-08&by=day"


@pytest.fixture(scope="module")
def site(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Browser]]:
    """Uvicorn serving the hand-built week (tests/metrics_data.py) with a lead and an agent,
    and headless Debian Chromium. The server boots while the data is written and the
    browser starts (the test's cost is mostly these three waits)."""
    folder = tmp_path_factory.mktemp("impact")
    database = folder / "criterio.db"
    shutil.copy(sqlite_template, database)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{database}"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "criterio.web.server:app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        engine = make_engine(f"sqlite:///{database}")
        with session_scope(make_session_factory(engine)) as session:
            service.create_tenant(session, "acme")
            for name, role in (("lea", Role.lead), ("ana", Role.agent)):
                service.create_user(session, "acme", username=name, role=role, password=PASSWORD)
            build(session)
            rebuild(session, "acme")
        engine.dispose()
        with sync_playwright() as driver:
            chromium = driver.chromium.launch(executable_path=str(CHROMIUM))
            wait_ready(url, process, log)
            yield url, chromium
            chromium.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


def _signed_in(browser: Browser, site: str, user: str, locale: str) -> object:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{site}{WEEK}")
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"**{WEEK}")
    return page


def test_the_dashboard_shows_every_section_with_charts_in_both_languages(
    site: tuple[str, Browser],
) -> None:
    url, browser = site
    page = _signed_in(browser, url, "lea", "en-GB")
    assert page.get_by_role("heading", name="Impact", exact=True).is_visible()  # type: ignore[attr-defined]
    # Every tile's label and value in one round trip to the browser.
    texts = dict(
        page.locator("dl.tiles .tile").evaluate_all(  # type: ignore[attr-defined]
            "tiles => tiles.map(t => [t.querySelector('dt').innerText,"
            " t.querySelector('dd').innerText])"
        )
    )
    assert texts["Contacts"] == "8" and texts["Resolution rate"] == "75.0%"
    assert texts["Link rate"] == "75.0%" and texts["Participation"] == "75.0%"
    assert texts["Estimated savings"] == "7 EUR"
    assert page.locator("figure.chart svg[role=img]").count() >= 5  # type: ignore[attr-defined]
    agents = page.locator("table.agents tbody tr")  # type: ignore[attr-defined]
    assert agents.count() == 4  # the lead sees every agent's contribution
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "impact.png"), full_page=True)  # type: ignore[attr-defined]
    page.goto(f"{url}{WEEK}&lang=es")  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Impacto", exact=True).is_visible()  # type: ignore[attr-defined]
    assert page.locator("dl.tiles dt", has_text="Tasa de resolución").is_visible()  # type: ignore[attr-defined]
    assert "75,0" in page.locator("dl.tiles").first.inner_text()  # type: ignore[attr-defined]
    agent = _signed_in(browser, url, "ana", "en-GB")
    rows = agent.locator("table.agents tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 1 and rows.first.inner_text().startswith("ana")
