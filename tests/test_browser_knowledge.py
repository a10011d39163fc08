"""The knowledge base's pages in headless Chromium, against a real server (one browser session).

An agent signs in, searches, opens an article, edits it and previews the edit, saves
it and flags it; a lead then validates it. Debian's Chromium is used as installed
(``/usr/bin/chromium``). With ``CRITERIO_SCREENSHOTS=DIR`` the test also saves the
knowledge PNGs of docs/pages.md there (``make screenshots``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.knowledge import ArticleIn, create_article
from tests.api_support import PASSWORD
from tests.knowledge_data import ARTICLES
from tests.server_support import running_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = os.environ.get("CRITERIO_SCREENSHOTS")
ROUTER = "The router light blinks red"
MORE: list[dict[str, Any]] = [
    {
        "title": ROUTER,
        "issue": "My router blinks red and I have no internet since this morning",
        "environment": "Fibre router HG8245, home plan",
        "resolution": "Unplug the router and plug it in again.",
        "language": "en",
        "state": "not_validated",
        "audience": "customer",
        "owner": "agnes",
        "tags": ["router", "fibre"],
        "intents": ["no_internet"],
    },
    {
        "title": "Cambiar el método de pago",
        "issue": "Quiero pagar con otra tarjeta",
        "resolution": "En Mi cuenta > Pagos, añada la tarjeta nueva y márquela como principal.",
        "language": "es",
        "state": "wip",
        "audience": "internal",
        "intents": ["change_payment_method"],
    },
]


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Uvicorn serving a store with acme's articles, an agent and a lead; its address."""
    folder = tmp_path_factory.mktemp("kb-browser")
    database = folder / "criterio.db"
    shutil.copy(sqlite_template, database)
    database_url = f"sqlite:///{database}"
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "acme")
        for name, role in (("agnes", Role.agent), ("leo", Role.lead)):
            service.create_user(session, "acme", username=name, role=role, password=PASSWORD)
        for record in [*ARTICLES, *MORE]:
            create_article(session, "acme", ArticleIn(**record), actor="seed")
    engine.dispose()
    with running_server(database_url, folder) as url:
        yield url


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


def _sign_in(page: Page, user: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_agent_searches_edits_with_preview_and_a_lead_validates(
    site: str, browser: Browser
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{site}/kb")
    assert "/login?next=%2Fkb" in page.url
    _sign_in(page, "agnes")
    page.wait_for_url(f"{site}/kb")
    assert page.locator("table.articles tbody tr").count() == len(ARTICLES) + len(MORE)
    _shot(page, "kb-list")

    # Search, in the customer's words and with a typo.
    page.get_by_label("Search the articles").fill("router blinking red, no internt")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/kb?q=**")
    hits = page.locator("li.hit")
    assert hits.count() >= 1 and hits.first.locator("h2").inner_text() == ROUTER
    assert "customers · English · match 0." in hits.first.locator(".meta").inner_text()
    _shot(page, "kb-search")

    # Open it: not validated, so the agent may edit it but not validate it.
    hits.first.get_by_role("link", name=ROUTER).click()
    page.wait_for_url("**/kb/*")
    assert page.locator("#current-state").inner_text() == "not validated"
    assert page.get_by_role("button", name="Validate").count() == 0
    assert page.get_by_role("button", name="Back to work in progress").is_visible()
    _shot(page, "kb-article")

    # Edit it, preview, save: a new version.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url("**/edit")
    page.get_by_label("Resolution").fill(
        "1. Unplug the router for **30 seconds**.\n2. Plug it in and wait for a green light."
    )
    page.get_by_label("Cause").fill("The line profile is lost after a power cut.")
    page.get_by_label("What you changed and why").fill("Steps from case c-42")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.preview")
    assert preview.locator(".kcs-resolution li strong").inner_text() == "30 seconds"
    assert preview.locator(".changes").inner_text() == "Saving changes: Resolution, Cause"
    _shot(page, "kb-editor-preview")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**done=edited")
    assert page.get_by_role("status").first.inner_text() == "Saved as version 2."
    assert page.locator("table.versions tbody tr").count() == 2

    # Flag it: a reason the owner sees.
    page.get_by_label("What is wrong or missing").fill("Does not say what to do if it stays red")
    page.get_by_role("button", name="Flag the article").click()
    page.wait_for_url("**done=linked")
    assert "Does not say what to do if it stays red" in page.locator("ul.flags").inner_text()
    article = page.url.split("?")[0]

    # A lead validates it.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site}/login?next={article.removeprefix(site)}")
    _sign_in(page, "leo")
    page.wait_for_url(article)
    page.get_by_label("Note (optional)").fill("Checked with the network team")
    page.get_by_role("button", name="Validate").click()
    page.wait_for_url("**done=state")
    assert page.locator("#current-state").inner_text() == "validated"
    assert page.get_by_role("status").first.inner_text() == "State changed (version 3)."
    history = page.locator("table.versions tbody tr").first.locator("td").all_inner_texts()
    assert (history[0], history[2]) == ("state changed", "leo")
    assert history[1].split("\n")[0] == "State" and "Checked with the network team" in history[1]
    _shot(page, "kb-validated")

    # The same pages in Spanish.
    page.get_by_role("link", name="ES", exact=True).click()
    page.wait_for_url("**lang=es")
    assert page.locator("#current-state").inner_text() == "validado"
    page.get_by_role("link", name="Conocimiento", exact=True).click()
    assert page.get_by_role("heading", name="Base de conocimiento").is_visible()
    _shot(page, "kb-list-es")
    assert problems == []
    context.close()
