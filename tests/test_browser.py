"""The analysts' pages in headless Chromium, against a real server on a filled store.

The store is filled the way a tenant fills it: interactions posted to the API of the
running server, analysed with redaction, patterns detected. Debian's Chromium is used
as it is installed (``/usr/bin/chromium``); no browser is ever downloaded.

With ``CRITERIO_SCREENSHOTS=DIR`` set, the tests also save the PNGs of docs/pages.md
there (``make screenshots`` writes them to docs/screenshots/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from tests.api_support import PASSWORD
from tests.insight_data import EMAIL, PHONE, fill_store
from tests.server_support import free_port, wait_ready

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = os.environ.get("CRITERIO_SCREENSHOTS")


@dataclass
class Site:
    """The running server's address and the number of insights its store holds."""

    url: str
    insights: int


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Uvicorn serving a store with acme's users and detected insights."""
    folder = tmp_path_factory.mktemp("browser")
    database = folder / "criterio.db"
    shutil.copy(sqlite_template, database)
    database_url = f"sqlite:///{database}"
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        service.create_tenant(session, "acme")
        for name, role in (
            ("admin", Role.admin),
            ("ana", Role.analyst),
            ("agnes", Role.agent),
        ):
            service.create_user(session, "acme", username=name, role=role, password=PASSWORD)
        token = service.create_token(session, "acme", username="admin", name="load").token
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    env = {**os.environ, "CRITERIO_DATABASE_URL": database_url, "CRITERIO_LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "criterio.web.server:app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_ready(url, process, log)
        with httpx.Client(base_url=url, timeout=60) as client:
            created = fill_store(
                client, {"Authorization": f"Bearer {token}"}, factory, language="en"
            )
        yield Site(url, created)
    finally:
        process.terminate()
        process.wait(timeout=20)
        engine.dispose()


@pytest.fixture(scope="module")
def bare_site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Uvicorn serving an empty store (enough for /docs); its address."""
    folder = tmp_path_factory.mktemp("bare")
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
        wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright."""
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _new_page(browser: Browser, locale: str) -> Page:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def _csp_violations(page: Page) -> list[str]:
    """The Content-Security-Policy violations the page reports from now on (kept updated)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def _sign_in(page: Page, site: Site, user: str, *, labels: tuple[str, str, str]) -> None:
    name, password, submit = labels
    page.get_by_label(name).fill(user)
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=submit).click()


ENGLISH = ("User name", "Password", "Sign in")


def test_docs_render_under_the_content_security_policy(bare_site: str, browser: Browser) -> None:
    page = _new_page(browser, "en-GB")
    violations = _csp_violations(page)
    response = page.goto(f"{bare_site}/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Criterio API")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/interactions").first
    operation.click()
    assert page.get_by_role("button", name="Try it out").first.is_visible()
    assert violations == []


def test_analyst_filters_opens_and_reviews_an_insight(site: Site, browser: Browser) -> None:
    page = _new_page(browser, "en-GB")
    violations = _csp_violations(page)
    page.goto(f"{site.url}/insights")
    assert "/login?next=%2Finsights" in page.url
    page.get_by_label("User name").fill("ana")
    _shot(page, "login")
    _sign_in(page, site, "ana", labels=ENGLISH)
    page.wait_for_url(f"{site.url}/insights")
    rows = page.locator("table.insights tbody tr")
    assert rows.count() == site.insights >= 2
    first = rows.first.inner_text()
    assert "spike" in first and "intent: no_internet" in first and "new" in first
    _shot(page, "list")
    # Filter: nothing is in review yet.
    page.get_by_label("Status").select_option(label="in review")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/insights?status=in_review**")
    assert page.get_by_text("No insights match these filters.").is_visible()
    page.get_by_label("Status").select_option(label="Any")
    page.get_by_label("Type").select_option(label="spike")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**type=spike**")
    assert rows.count() == 1
    # Open it: the chart, the figures, the examples redacted.
    rows.first.get_by_role("link").click()
    page.wait_for_url("**/insights/*")
    assert page.locator("figure.chart svg[role=img] polyline").count() >= 1
    assert page.get_by_role("heading", name="Figures").is_visible()
    examples = page.locator(".example-redacted")
    assert examples.count() >= 1 and "[EMAIL_1]" in examples.first.inner_text()
    html = page.content()
    assert EMAIL not in html and PHONE not in html
    _shot(page, "detail")
    # Review it.
    page.get_by_label("New status").select_option(label="in review")
    page.get_by_label("Interpretation").fill("Outage in the north ring after maintenance")
    page.get_by_label("Owner").fill("network operations")
    _shot(page, "review-form")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url("**reviewed=1")
    assert page.get_by_role("status").first.inner_text() == "Review saved."
    assert page.locator("#current-status").inner_text() == "in review"
    history = page.locator("table.history tbody tr")
    assert history.count() == 1
    assert history.first.locator("td").all_inner_texts()[1:] == ["new", "in review", "ana"]
    assert page.get_by_label("New status").locator("option").all_inner_texts() == [
        "Keep: in review",
        "confirmed",
        "dismissed",
    ]
    _shot(page, "after-review")
    page.goto(f"{site.url}/insights?status=in_review")
    assert rows.count() == 1
    assert violations == []  # the pages, chart included, work under the policy


def test_spanish_pages_and_switching_language(site: Site, browser: Browser) -> None:
    page = _new_page(browser, "es-ES")
    page.goto(f"{site.url}/login?next=/insights")
    assert page.get_by_role("heading", name="Entrar en Criterio").is_visible()
    _sign_in(page, site, "ana", labels=("Usuario", "Contraseña", "Entrar"))
    page.wait_for_url(f"{site.url}/insights")
    assert page.get_by_role("heading", name="Hallazgos", exact=True).is_visible()
    assert page.get_by_label("Gravedad mínima").is_visible()
    assert page.get_by_role("button", name="Aplicar filtros").is_visible()
    header = page.locator("table.insights thead").inner_text()
    assert "Gravedad" in header and "Enunciado" in header and "Periodo" in header
    assert "pico" in page.locator("table.insights tbody").inner_text()
    _shot(page, "list-es")
    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_url("**lang=en**")
    assert page.get_by_label("Minimum severity").is_visible()
    page.goto(f"{site.url}/insights")
    assert page.get_by_role("heading", name="Insights", exact=True).is_visible()


def test_agent_reads_but_gets_no_review_form(site: Site, browser: Browser) -> None:
    page = _new_page(browser, "en-US")
    page.goto(f"{site.url}/login?next=/insights")
    _sign_in(page, site, "agnes", labels=ENGLISH)
    page.wait_for_url(f"{site.url}/insights")
    page.locator("table.insights tbody tr").first.get_by_role("link").click()
    page.wait_for_url("**/insights/*")
    assert page.get_by_role("heading", name="Review", exact=True).is_visible()
    assert page.locator("form.review").count() == 0
    assert page.get_by_label("New status").count() == 0
