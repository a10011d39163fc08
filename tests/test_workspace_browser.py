"""The agents' workspace in headless Chromium, one browser session, the whole path: a lead
puts an agent in a queue; the agent signs in, sees a new case arrive without reloading,
takes the next case, links an article, corrects the intent and resolves it.

With ``CRITERIO_SCREENSHOTS=DIR`` set, the PNGs of docs/workspace.md are saved there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.knowledge import ArticleIn, create_article
from criterio.learning.repository import FeedbackRepository
from criterio.triage.decision import Decision
from criterio.triage.service import record_decisions
from tests.api_support import PASSWORD
from tests.knowledge_data import ARTICLES
from tests.server_support import running_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SHOTS = os.environ.get("CRITERIO_SCREENSHOTS")
EMAIL = "lucia.fernandez@example.com"
ASKS = [
    ("tech", "reset_password", "high", f"I forgot my password and cannot log in. Mail {EMAIL}"),
    ("tech", "reset_password", "normal", "The app says my password is wrong, I can't get in"),
    ("billing", "double_charge", "urgent", "You charged me twice for the same invoice!"),
    ("tech", "change_shipping_address", "low", "Can my parcel go to my office instead?"),
]


@dataclass
class Site:
    """The server's address and the session factory of its store."""

    url: str
    factory: sessionmaker[Session]


def _route(factory: sessionmaker[Session], number: int, queue: str, intent: str, prio: str) -> None:
    decision = Decision(
        id=f"w-{number}",
        action="route",
        intent=intent,
        confidence=0.38 + number / 100,
        threshold=0.8,
        expected_precision=None,
        queue=queue,
        priority=prio,
        reasons=[f"intent {intent} at {0.38 + number / 100:.2f}, under its threshold 0.80"],
        model_version="intents v1",
    )
    with session_scope(factory) as session:
        record_decisions(session, "acme", [decision], 1, [{"language": "en", "channel": "chat"}])


def _record(number: int, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"w-{number}",
        "channel": "chat",
        "started_at": f"2026-11-{10 + number:02d}T09:30:00Z",
        "customer_id": "k-7",
        "language": "en",
        "turns": [{"role": "customer", "text": text}],
        **extra,
    }


@pytest.fixture(scope="module")
def site(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Uvicorn on a store with acme's people, articles, a solved contact and routed cases."""
    folder = tmp_path_factory.mktemp("workspace")
    database = folder / "criterio.db"
    shutil.copy(sqlite_template, database)
    url_db = f"sqlite:///{database}"
    engine = make_engine(url_db)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        service.create_tenant(session, "acme")
        for name, role in (("leo", Role.lead), ("agnes", Role.agent), ("admin", Role.admin)):
            service.create_user(session, "acme", username=name, role=role, password=PASSWORD)
        token = service.create_token(session, "acme", username="admin", name="load").token
        for article in ARTICLES:
            create_article(session, "acme", ArticleIn(**article), actor="seed")
    try:
        with running_server(url_db, folder) as url:
            records = [_record(n, text) for n, (_q, _i, _p, text) in enumerate(ASKS, start=1)]
            records.append(
                _record(
                    0,
                    "Forgot my password again, cannot log in",
                    outcome={"resolved": True, "resolution_code": "password_reset"},
                    labels={"intent": "reset_password"},
                )
            )
            with httpx.Client(base_url=url, timeout=60) as client:
                answer = client.post(
                    "/api/v1/interactions/batch",
                    json=records,
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.json()["inserted"] == len(records)
            for number, (queue, intent, prio, _text) in enumerate(ASKS[:3], start=1):
                _route(factory, number, queue, intent, prio)
            yield Site(url, factory)
    finally:
        engine.dispose()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(page: Page, user: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_agent_takes_links_corrects_and_resolves_a_case(site: Site) -> None:
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
            _work_the_queue(page, site)
        finally:
            browser.close()
        assert problems == []


def _work_the_queue(page: Page, site: Site) -> None:
    # The lead puts agnes in the tech queue.
    page.goto(f"{site.url}/queues")
    _sign_in(page, "leo")
    page.wait_for_url("**/queues")
    page.get_by_label("Queue", exact=True).fill("tech")
    page.locator("#nq-members").fill("agnes")
    page.get_by_role("button", name="Save").last.click()
    page.wait_for_url("**/queues?saved=1")
    assert page.get_by_label("Members: tech").input_value() == "agnes"
    _shot(page, "ws-queues")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")

    # agnes sees her queue (the billing case is not hers), and a new case arrives.
    page.goto(f"{site.url}/queue")
    _sign_in(page, "agnes")
    page.wait_for_url("**/queue")
    assert "agnes (agent" in page.locator(".who").inner_text()
    rows = page.locator("#queue-table tbody tr")
    assert rows.count() == 2
    assert "billing" not in page.locator("#queue-table tbody").inner_text()
    _route(site.factory, 4, "tech", "change_shipping_address", "low")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    # A locator assertion polls through Playwright's selectors; a wait_for_function
    # expression would be eval'd in the page, which the pages' CSP refuses.
    expect(rows).to_have_count(3, timeout=30_000)
    assert page.locator("#queue-count").inner_text() == "The list was updated: 3 cases."
    _shot(page, "ws-queue")

    # Next case (keyboard): the high-priority one, redacted, with its suggestions.
    page.keyboard.press("n")
    page.wait_for_url("**/cases/*")
    case_url = page.url
    conversation = page.locator("ol.conversation").inner_text()
    assert "forgot my password" in conversation and EMAIL not in page.content()
    assert "reset_password" in page.locator(".intent-read").inner_text()
    first = page.locator("ol.articles > li").first
    assert "Reset a forgotten password" in first.inner_text()
    assert "password_reset" in page.locator("ul.similar").inner_text()
    assert "Forgot password" in page.locator("#reply-text").input_value()
    _shot(page, "ws-case")

    # Link the top article (keyboard), correct the intent, resolve.
    page.keyboard.press("l")
    page.wait_for_url("**done=link")
    assert page.get_by_role("status").first.inner_text() == "Article linked to this case."
    assert "linked" in page.locator("ol.articles > li").first.inner_text()
    page.keyboard.press("i")
    page.keyboard.type("login_problem")
    page.get_by_role("button", name="Save the intent").click()
    page.wait_for_url("**done=intent")
    assert "the model read reset_password" in page.locator(".intent-read").inner_text()
    page.keyboard.press("r")
    page.keyboard.type("password_reset")
    page.get_by_role("button", name="Resolve the case").click()
    page.wait_for_url("**done=resolve")
    assert page.get_by_role("status").first.inner_text() == "Case resolved."
    page.goto(f"{case_url}?lang=es")
    assert page.get_by_role("heading", name="Conversación").is_visible()
    _shot(page, "ws-case-es")

    with session_scope(site.factory) as session:
        events = FeedbackRepository(session, "acme").list(interaction_id="w-1")
        assert [(e.kind, e.source, e.by) for e in events] == [
            ("article_link", "page", "agnes"),
            ("intent", "page", "agnes"),
            ("resolution", "page", "agnes"),
        ]
