"""The learning pages in headless Chromium, one browser session: a lead signs in, reads
the model history, labels one interaction of the teach queue and accepts a proposed intent.

With ``CRITERIO_SCREENSHOTS=DIR`` set, the PNGs of docs/learning.md are saved there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.learning.repository import FeedbackRepository
from tests.api_support import PASSWORD
from tests.learning_data import CRYPTO, seed_learning
from tests.server_support import running_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = os.environ.get("CRITERIO_SCREENSHOTS")


@dataclass
class Site:
    """The server's address, the session factory of its store, the models' ids."""

    url: str
    factory: sessionmaker[Session]
    models: dict[str, int]


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Uvicorn on a store with acme's lead, two intent models and decisions to learn from."""
    folder = tmp_path_factory.mktemp("learning")
    database = folder / "criterio.db"
    shutil.copy(sqlite_template, database)
    url_db = f"sqlite:///{database}"
    engine = make_engine(url_db)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        service.create_tenant(session, "acme")
        service.create_user(session, "acme", username="leo", role=Role.lead, password=PASSWORD)
        models = seed_learning(session, "acme", folder / "models")
    try:
        with running_server(url_db, folder) as url:
            yield Site(url, factory, models)
    finally:
        engine.dispose()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_lead_reads_history_teaches_and_accepts_an_intent(site: Site) -> None:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM))
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            _walk(page, site)
        finally:
            browser.close()
        assert problems == []


def _walk(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/models")
    page.get_by_label("User name").fill("leo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/models")
    assert page.get_by_role("heading", name="Model history").is_visible()
    champion = page.locator("tr.model-champion").inner_text()
    assert "v2" in champion and "91.0%" in champion and "by leo" in champion
    assert page.get_by_role("button", name="Roll back the intent model").is_visible()
    _shot(page, "learn-models")

    page.get_by_role("link", name="Teach Criterio").click()
    page.wait_for_url("**/teach")
    assert "0 of 100 labels given" in page.locator("#budget").inner_text()
    first = page.locator("li.teach-item").first
    interaction = first.locator('input[name="interaction_id"]').input_value()
    _shot(page, "learn-teach")
    first.get_by_label(f"Intent of {interaction}").fill("card_lost")
    first.get_by_role("button", name="Save the label").click()
    page.wait_for_url("**/teach?done=label")
    assert page.get_by_role("status").inner_text() == "Label saved. Thank you."
    assert "1 of 100 labels given, 99 left" in page.locator("#budget").inner_text()
    assert page.locator(f'input[name="interaction_id"][value="{interaction}"]').count() == 0

    page.get_by_role("link", name="Proposed intents").click()
    page.wait_for_url("**/intents/proposed")
    proposal = page.locator("section.proposal").first
    assert CRYPTO[0] in proposal.inner_text()
    _shot(page, "learn-proposals")
    proposal.locator('input[name="name"]').fill("crypto")
    proposal.get_by_role("button", name="Accept as a new intent").click()
    page.wait_for_url("**/intents/proposed?done=*")
    assert "4 interactions labelled crypto" in page.get_by_role("status").inner_text()
    page.goto(f"{site.url}/models?lang=es")
    assert page.get_by_role("heading", name="Historial de modelos").is_visible()
    _shot(page, "learn-models-es")

    with session_scope(site.factory) as session:
        events = FeedbackRepository(session, "acme").list(kinds=["intent"])
        mine = [(e.interaction_id, e.reason, e.source) for e in events if e.by == "leo"]
        assert (interaction, "teach", "page") in mine
        assert sorted(i for i, r, _ in mine if r == "new_intent") == [
            f"c-{i}" for i in range(len(CRYPTO))
        ]
