"""Tokens (expiry, revocation, hashing), password login with CSRF and rate limits, safe logs."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from criterio.auth import service
from criterio.auth.models import ApiToken
from criterio.auth.roles import Role
from criterio.db import session_scope
from tests import api_support
from tests.api_support import PASSWORD, Api
from tests.factories import interaction

api = api_support.api


def _me(api: Api, token: str) -> int:
    return api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_revoked_token_is_refused_at_once(api: Api) -> None:
    token = api.tokens[("acme", Role.integration)]
    assert _me(api, token) == 200
    with session_scope(api.factory) as session:
        pk = session.scalar(
            select(ApiToken.pk).where(
                ApiToken.tenant == "acme", ApiToken.token_hash == service.hash_token(token)
            )
        )
        assert pk is not None
        service.revoke_token(session, "acme", pk)
    assert _me(api, token) == 401


def test_expired_token_is_refused(api: Api) -> None:
    with session_scope(api.factory) as session:
        soon = datetime.now(UTC) + timedelta(hours=1)
        token = service.create_token(
            session, "acme", username="acme-analyst", name="short", expires_at=soon
        ).token
    assert _me(api, token) == 200
    with session_scope(api.factory) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.tenant == "acme", ApiToken.token_hash == service.hash_token(token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["detail"] == "credentials expired"


def test_disabled_user_loses_access(api: Api) -> None:
    token = api.tokens[("acme", Role.agent)]
    with session_scope(api.factory) as session:
        service.set_user_disabled(session, "acme", username="acme-agent", disabled=True)
    assert _me(api, token) == 401


def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    with session_scope(api.factory) as session:
        rows = session.execute(
            select(ApiToken.token_hash, ApiToken.prefix).where(ApiToken.tenant == "acme")
        ).all()
    stored = " ".join(h + p for h, p in rows)
    for (tenant, _role), token in api.tokens.items():
        if tenant == "acme":
            assert token not in stored
            assert service.hash_token(token) in stored


def _login_csrf(api: Api) -> str:
    page = api.client.get("/login")
    assert page.status_code == 200 and "Sign in" in page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_login_logout_with_session_cookie_and_csrf(api: Api) -> None:
    form = {"username": "acme-lead", "password": PASSWORD}
    assert api.client.post("/login", data=form | {"csrf_token": "forged"}).status_code == 403
    response = api.client.post(
        "/login", data=form | {"csrf_token": _login_csrf(api)}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "criterio_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = api.client.get("/login/done")
    assert page.status_code == 200 and "acme-lead" in page.text
    assert api.client.get("/api/v1/me").json()["via"] == "session"
    # A write through the cookie without the session's CSRF token is refused.
    post = api.client.post("/api/v1/interactions", json=interaction(1))
    assert post.status_code == 403 and "CSRF" in post.json()["detail"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    assert api.client.post("/logout", data={"csrf_token": "x"}).status_code == 403
    out = api.client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    api.client.cookies.clear()
    assert api.client.get("/api/v1/me").status_code == 401


def test_failed_logins_are_rate_limited(api: Api) -> None:
    bad = {"username": "acme-lead", "password": "wrong password!!"}
    for _ in range(service.LOGIN_LIMIT_PER_USER):
        response = api.client.post("/login", data=bad | {"csrf_token": _login_csrf(api)})
        assert response.status_code == 401 and "wrong user name or password" in response.text
    good = {"username": "acme-lead", "password": PASSWORD, "csrf_token": _login_csrf(api)}
    response = api.client.post("/login", data=good)
    assert response.status_code == 429 and "too many failed logins" in response.text


def test_unknown_user_and_wrong_password_look_the_same(api: Api) -> None:
    a = api.client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": _login_csrf(api)}
    )
    b = api.client.post(
        "/login",
        data={"username": "acme-lead", "password": "x" * 12, "csrf_token": _login_csrf(api)},
    )
    assert a.status_code == b.status_code == 401


def test_logs_hold_no_tokens_passwords_or_texts(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = api.tokens[("acme", Role.admin)]
    secret_text = "mi tarjeta 4111 1111 1111 1111 no funciona"
    record = interaction(1, turns=[{"role": "customer", "text": secret_text}])
    api.client.post("/api/v1/interactions", json=record, headers=api.headers())
    api.client.get("/api/v1/interactions/c-000001", headers=api.headers())
    api.client.post(
        "/api/v1/interactions", json={"id": 1, "text": secret_text}, headers=api.headers()
    )
    api.client.post(
        "/login",
        data={"username": "acme-lead", "password": PASSWORD, "csrf_token": _login_csrf(api)},
    )
    api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    formatter = api_support.json_formatter()
    lines = [formatter.format(r) for r in caplog.records]
    assert any(json.loads(line).get("route") == "/api/v1/interactions" for line in lines)
    everything = "\n".join(lines)
    # The card number's groups (a bare "4111" can occur in a random request id).
    for secret in (token, PASSWORD, secret_text, "4111 1111", "tarjeta"):
        assert secret not in everything


def test_request_id_health_ready_and_metrics(api: Api) -> None:
    r = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.json() == {"status": "ok"} and r.headers["x-request-id"] == "abc-123"
    assert api.client.get("/readyz").json() == {"status": "ok", "schema": "current"}
    api.client.get("/api/v1/me", headers=api.headers())
    metrics = api.client.get("/metrics").text
    assert 'criterio_http_requests_total{method="GET",route="/api/v1/me",status="200"}' in metrics
    assert "criterio_http_request_duration_seconds_bucket" in metrics
    assert api.client.get("/docs").status_code == 200
