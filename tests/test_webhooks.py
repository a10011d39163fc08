"""Webhooks on a real store and a real HTTP receiver: signed, retried, recorded."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import session_scope
from criterio.errors import InvalidInputError
from criterio.triage.decision import Decision
from criterio.triage.service import record_decisions
from criterio.webhooks.repository import DeliveryRepository
from criterio.webhooks.service import MAX_ATTEMPTS, add_endpoint, deliver_due, secret_of
from criterio.webhooks.signing import sign, verify

KEY = "server-key-for-tests-only"


@given(body=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=199))
def test_a_signature_verifies_and_any_changed_byte_breaks_it(body: bytes, flip: int) -> None:
    header = sign("whsec_x", 1_700_000_000, body)
    assert verify("whsec_x", header, body, now=1_700_000_100)
    assert not verify("whsec_y", header, body, now=1_700_000_100)
    assert not verify("whsec_x", header, body, now=1_700_000_000 + 3600)  # a replay
    if body:
        changed = bytearray(body)
        changed[flip % len(body)] ^= 1
        assert not verify("whsec_x", header, bytes(changed), now=1_700_000_100)


class _Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first request, 200 after; keeps what it got."""

    got: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append((dict(self.headers), body))
        self.send_response(500 if len(type(self).got) == 1 else 200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A real HTTP server on a free local port."""
    _Receiver.got = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver.got
    server.shutdown()
    server.server_close()


def _decision(n: int) -> Decision:
    return Decision(
        id=f"c-{n:06d}",
        action="route",
        intent="card_arrival",
        confidence=0.42,
        threshold=0.9,
        expected_precision=None,
        queue="general",
        priority="normal",
        reasons=["intent card_arrival at 0.42, under its threshold 0.90"],
    )


def test_a_decision_is_posted_signed_and_retried_until_it_is_taken(
    session_factory: sessionmaker[Session],
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    url, got = receiver
    with session_scope(session_factory) as session:
        endpoint, secret = add_endpoint(session, "acme", url, by="admin", server_key=KEY)
        record_decisions(session, "acme", [_decision(1)], None)
        record_decisions(session, "globex", [_decision(2)], None)  # no endpoint: nothing queued
    now = datetime.now(UTC)
    with session_scope(session_factory) as session:
        first = deliver_due(session, "acme", server_key=KEY, now=now)
        [delivery] = DeliveryRepository(session, "acme").recent(10)
        assert (first.retrying, delivery.attempts, delivery.last_error) == (1, 1, "HTTP 500")
        assert delivery.next_attempt_at == now + timedelta(seconds=30)
        assert deliver_due(session, "acme", server_key=KEY, now=now).retrying == 0  # not due yet
    with session_scope(session_factory) as session:
        second = deliver_due(session, "acme", server_key=KEY, now=now + timedelta(seconds=31))
        [delivery] = DeliveryRepository(session, "acme").recent(10)
        assert second.delivered == 1 and delivery.status == "delivered"
        assert secret_of(endpoint, KEY) == secret
    assert len(got) == 2
    headers, body = got[-1]
    assert verify(secret, headers["Criterio-Signature"], body, now=int(now.timestamp()) + 31)
    envelope = json.loads(body)
    assert envelope["event"] == "triage.decision" and envelope["tenant"] == "acme"
    data = envelope["data"]
    assert (data["id"], data["action"], data["intent"], data["queue"]) == (
        "c-000001",
        "route",
        "card_arrival",
        "general",
    )
    assert data["reasons"] == ["intent card_arrival at 0.42, under its threshold 0.90"]


def test_a_receiver_that_never_answers_fails_the_delivery_after_the_last_retry(
    session_factory: sessionmaker[Session],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with session_scope(session_factory) as session:
        add_endpoint(session, "acme", f"http://127.0.0.1:{port}/", by="admin", server_key=KEY)
        record_decisions(session, "acme", [_decision(1)], None)
    moment = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        with session_scope(session_factory) as session:
            deliver_due(session, "acme", server_key=KEY, now=moment)
        moment += timedelta(days=1)
    with session_scope(session_factory) as session:
        [delivery] = DeliveryRepository(session, "acme").recent(10)
        assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)
        assert delivery.last_error is not None and "Connect" in delivery.last_error


def test_webhooks_need_the_server_key_and_the_cli_shows_the_secret_once(
    session: Session, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidInputError, match="CRITERIO_SECRET_KEY"):
        add_endpoint(session, "acme", "https://example.test/h", by="admin", server_key=None)
    with pytest.raises(InvalidInputError, match="url"):
        add_endpoint(session, "acme", "file:///etc/passwd", by="admin", server_key=KEY)
    monkeypatch.setenv("CRITERIO_SECRET_KEY", KEY)
    get_settings.cache_clear()
    added = cli.invoke(app, ["webhooks", "add", "https://helpdesk.example/h", "--tenant", "acme"])
    assert added.exit_code == 0, added.output
    secret = added.stdout.strip().rsplit(" ", 1)[-1]
    assert secret.startswith("whsec_")
    listed = cli.invoke(app, ["webhooks", "list", "--tenant", "acme", "--json"])
    assert json.loads(listed.stdout)[0]["url"] == "https://helpdesk.example/h"
    assert secret not in listed.stdout and KEY not in listed.stdout
    schedules = cli.invoke(app, ["jobs", "schedules", "--tenant", "acme", "--json"])
    assert any(row["job"] == "webhooks" for row in json.loads(schedules.stdout))


def test_a_flag_on_an_article_is_queued_for_its_owner(session: Session) -> None:
    from criterio.knowledge.schemas import ArticleIn, LinkIn
    from criterio.knowledge.service import create_article, link_article

    add_endpoint(session, "acme", "https://hooks.example/kb", by="admin", server_key=KEY)
    article = create_article(
        session, "acme", ArticleIn(title="Reset a password", owner="bea"), actor="bea"
    )
    link_article(
        session,
        "acme",
        article.id,
        LinkIn(kind="flagged", via="searched", reason="step 2 changed"),
        actor="ana",
    )
    [delivery] = DeliveryRepository(session, "acme").recent(10)
    assert delivery.event == "article.flagged"
    assert (delivery.payload["owner"], delivery.payload["reason"], delivery.payload["by"]) == (
        "bea",
        "step 2 changed",
        "ana",
    )
