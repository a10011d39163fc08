"""Security headers on pages, API answers and /docs; no slash redirect to another host."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from criterio.web.security import CONTENT_SECURITY_POLICY
from tests import api_support
from tests.api_support import PASSWORD, Api

api = api_support.api

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _signed_in(api: Api) -> None:
    page = api.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "acme-lead", "password": PASSWORD, "csrf_token": token.group(1)}
    assert api.client.post("/login", data=form, follow_redirects=False).status_code == 303


def _assert_protected(response: httpx.Response, *, cacheable: bool = False) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # plain HTTP here
    if cacheable:
        assert "no-store" not in headers.get("cache-control", "")
    else:
        assert headers["cache-control"] == "no-store"


def test_every_kind_of_answer_carries_the_headers(api: Api) -> None:
    bearer = api.headers()
    answers = {
        "login page": api.client.get("/login"),
        "docs": api.client.get("/docs"),
        "openapi": api.client.get("/openapi.json"),
        "api listing": api.client.get("/api/v1/interactions", headers=bearer),
        "api 401": api.client.get("/api/v1/interactions"),
        "api 404": api.client.get("/api/v1/interactions/nope", headers=bearer),
        "unknown path": api.client.get("/nowhere"),
        "health": api.client.get("/healthz"),
    }
    _signed_in(api)
    answers["insights page"] = api.client.get("/insights")
    for name, response in answers.items():
        assert response.status_code in (200, 401, 404), name
        _assert_protected(response)
    for asset in ("/static/criterio.css", "/static/swagger-init.js"):
        response = api.client.get(asset)
        assert response.status_code == 200
        _assert_protected(response, cacheable=True)


def test_hsts_only_over_https(api: Api) -> None:
    secure = TestClient(api.app, base_url="https://testserver")
    response = secure.get("/api/v1/interactions", headers=api.headers())
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in api.client.get("/login").headers


def test_pages_and_docs_have_no_inline_script(api: Api) -> None:
    _signed_in(api)
    for path in ("/docs", "/login", "/insights", "/login/done", "/kb", "/kb/new"):
        response = api.client.get(path)
        assert response.status_code == 200, path
        assert not INLINE_SCRIPT.search(response.text), path
        assert not EVENT_ATTRIBUTE.search(response.text), path
    docs = api.client.get("/docs").text
    scripts = re.findall(r'<script src="([^"]+)"', docs)
    assert scripts == ["/static/swagger-ui/swagger-ui-bundle.js", "/static/swagger-init.js"]
    init = api.client.get("/static/swagger-init.js")
    assert "SwaggerUIBundle(" in init.text and "/openapi.json" in init.text
    assert init.headers["content-type"].startswith("text/javascript")


def test_trailing_slash_never_redirects_to_the_host_header(api: Api) -> None:
    hostile = {"Host": "evil.example", **api.headers()}
    for path in ("/api/v1/interactions/", "/insights/", "/docs/", "/login/", "/static"):
        response = api.client.get(path, headers=hostile, follow_redirects=False)
        assert response.status_code == 404, path
        assert "location" not in response.headers, path
        assert "evil.example" not in response.text, path
