"""The authorisation matrix: every endpoint × every role × own tenant / other tenant."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from httpx import Response

from criterio.assist import open_cases, set_queue_members
from criterio.assist.grants import grant_personal_data
from criterio.assist.repository import CaseRepository
from criterio.auth.roles import MATRIX, Permission, Role
from criterio.db import session_scope
from criterio.insights import list_insights
from criterio.insights.service import upsert_detections
from criterio.knowledge import ArticleIn, create_article
from criterio.knowledge.repository import ArticleRepository
from criterio.knowledge.schemas import QUALITY_ITEMS
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction
from tests.insight_data import spike_detection
from tests.knowledge_data import ARTICLES

api = api_support.api


@dataclass(frozen=True)
class Endpoint:
    """One endpoint, the permission it needs, and how to call it for a given role."""

    method: str
    path: str
    permission: Permission
    call: Callable[[Api, dict[str, str], Role], Response]


def _post_one(a: Api, h: dict[str, str], role: Role) -> Response:
    return a.client.post(
        "/api/v1/interactions", json=interaction(900, id=f"new-{role.value}"), headers=h
    )


def _post_batch(a: Api, h: dict[str, str], role: Role) -> Response:
    return a.client.post(
        "/api/v1/interactions/batch", json=[interaction(901, id=f"b-{role.value}")], headers=h
    )


def _erase(a: Api, h: dict[str, str], role: Role) -> Response:
    return a.client.delete(f"/api/v1/customers/erase-{role.value}", headers=h)


def _erase_one(a: Api, h: dict[str, str], role: Role) -> Response:
    return a.client.delete(f"/api/v1/interactions/x-{role.value}", headers=h)


def _feedback(a: Api, h: dict[str, str], role: Role) -> Response:
    item = {"interaction_id": "secret-1", "kind": "intent", "value": f"i-{role.value}"}
    return a.client.post(
        "/api/v1/feedback", json=[{**item, "at": "2026-11-02T09:14:05Z"}], headers=h
    )


def _acme_insight(a: Api) -> int:
    with session_scope(a.factory) as session:
        return list_insights(session, "acme")[0].id


def _review(a: Api, h: dict[str, str], role: Role) -> Response:
    return a.client.post(
        f"/api/v1/insights/{_acme_insight(a)}/review",
        json={"owner": f"owner-{role.value}"},
        headers=h,
    )


def _acme_case(a: Api, interaction_id: str) -> int:
    with session_scope(a.factory) as session:
        found = CaseRepository(session, "acme").by_interaction(interaction_id)
        assert found is not None
        return found.id


def _case(a: Api, method: str, name: str, path: str, h: dict[str, str], **kw: Any) -> Response:
    """A call on one of acme's cases (each endpoint its own case: one resolves, one escalates)."""
    url = f"/api/v1/cases/{_acme_case(a, name)}{path}"
    return a.client.request(method, url, headers=h, **kw)


def _acme_article(a: Api, external_id: str) -> int:
    with session_scope(a.factory) as session:
        found = ArticleRepository(session, "acme").by_external_id(external_id)
        assert found is not None
        return found.id


def _kb(a: Api, method: str, path: str, h: dict[str, str], **kwargs: Any) -> Response:
    """A call on an acme article: ``{password}`` is a validated one, ``{address}`` not yet."""
    path = path.format(
        password=_acme_article(a, "kb-password"), address=_acme_article(a, "kb-address")
    )
    return a.client.request(method, f"/api/v1/kb{path}", headers=h, **kwargs)


def _revoke(a: Api, h: dict[str, str], role: Role) -> Response:
    """Revoke acme's agent's grant (made here first, so that there is one to end)."""
    with session_scope(a.factory) as session:
        grant_personal_data(session, "acme", "acme-agent", reason="identity", by="seed")
    return a.client.delete("/api/v1/personal-data-grants/acme-agent", headers=h)


CASE_ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/cases",
        Permission.work_cases,
        lambda a, h, r: a.client.get("/api/v1/cases", headers=h),
    ),
    Endpoint(
        "GET",
        "/api/v1/cases/{case_id}",
        Permission.work_cases,
        lambda a, h, r: _case(a, "GET", "secret-1", "", h),
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/next",
        Permission.work_cases,
        lambda a, h, r: a.client.post("/api/v1/cases/next", headers=h),
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{case_id}/assign",
        Permission.work_cases,
        lambda a, h, r: _case(a, "POST", "case-assign", "/assign", h, json={}),
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{case_id}/resolve",
        Permission.work_cases,
        lambda a, h, r: _case(
            a, "POST", "case-resolve", "/resolve", h, json={"resolution_code": "refund"}
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{case_id}/escalate",
        Permission.work_cases,
        lambda a, h, r: _case(a, "POST", "case-escalate", "/escalate", h, json={"reason": "vip"}),
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{case_id}/feedback",
        Permission.work_cases,
        lambda a, h, r: _case(
            a, "POST", "case-feedback", "/feedback", h, json={"action": "intent", "intent": "x"}
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/queues",
        Permission.work_cases,
        lambda a, h, r: a.client.get("/api/v1/queues", headers=h),
    ),
    Endpoint(
        "PUT",
        "/api/v1/queues/{queue}",
        Permission.manage_queues,
        lambda a, h, r: a.client.put(
            "/api/v1/queues/billing", json={"members": ["acme-agent"]}, headers=h
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/personal-data-grants",
        Permission.grant_personal_data,
        lambda a, h, r: a.client.get("/api/v1/personal-data-grants", headers=h),
    ),
    Endpoint(
        "PUT",
        "/api/v1/personal-data-grants/{username}",
        Permission.grant_personal_data,
        lambda a, h, r: a.client.put(
            "/api/v1/personal-data-grants/acme-agent", json={"reason": "identity"}, headers=h
        ),
    ),
    Endpoint(
        "DELETE", "/api/v1/personal-data-grants/{username}", Permission.grant_personal_data, _revoke
    ),
]

ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/metrics",
        Permission.read_metrics,
        lambda a, h, r: a.client.get(
            "/api/v1/metrics", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=h
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/me",
        Permission.read_self,
        lambda a, h, r: a.client.get("/api/v1/me", headers=h),
    ),
    Endpoint("POST", "/api/v1/interactions", Permission.write_interactions, _post_one),
    Endpoint("POST", "/api/v1/interactions/batch", Permission.write_interactions, _post_batch),
    Endpoint(
        "GET",
        "/api/v1/interactions",
        Permission.read_interactions,
        lambda a, h, r: a.client.get("/api/v1/interactions", headers=h),
    ),
    Endpoint(
        "GET",
        "/api/v1/interactions/{interaction_id}",
        Permission.read_interactions,
        lambda a, h, r: a.client.get("/api/v1/interactions/secret-1", headers=h),
    ),
    Endpoint("DELETE", "/api/v1/customers/{customer_id}", Permission.erase_customer, _erase),
    Endpoint(
        "DELETE", "/api/v1/interactions/{interaction_id}", Permission.erase_customer, _erase_one
    ),
    Endpoint(
        "GET",
        "/api/v1/audit",
        Permission.read_audit,
        lambda a, h, r: a.client.get("/api/v1/audit", headers=h),
    ),
    Endpoint(
        "GET",
        "/api/v1/insights",
        Permission.read_insights,
        lambda a, h, r: a.client.get("/api/v1/insights", headers=h),
    ),
    Endpoint(
        "GET",
        "/api/v1/insights/{insight_id}",
        Permission.read_insights,
        lambda a, h, r: a.client.get(f"/api/v1/insights/{_acme_insight(a)}", headers=h),
    ),
    Endpoint("POST", "/api/v1/insights/{insight_id}/review", Permission.review_insights, _review),
    Endpoint(
        "POST",
        "/api/v1/insights/detect",
        Permission.detect_insights,
        lambda a, h, r: a.client.post("/api/v1/insights/detect", headers=h),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/articles",
        Permission.read_published_articles,
        lambda a, h, r: _kb(a, "GET", "/articles", h),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/articles",
        Permission.write_articles,
        lambda a, h, r: _kb(a, "POST", "/articles", h, json={"title": f"new {r.value}"}),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/articles/{article_id}",
        Permission.read_published_articles,
        lambda a, h, r: _kb(a, "GET", "/articles/{password}", h),
    ),
    Endpoint(
        "PATCH",
        "/api/v1/kb/articles/{article_id}",
        Permission.write_articles,
        lambda a, h, r: _kb(a, "PATCH", "/articles/{address}", h, json={"cause": r.value}),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/articles/{article_id}/state",
        Permission.write_articles,
        lambda a, h, r: _kb(a, "POST", "/articles/{address}/state", h, json={"state": "wip"}),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/articles/{article_id}/versions",
        Permission.read_articles,
        lambda a, h, r: _kb(a, "GET", "/articles/{address}/versions", h),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/articles/{article_id}/restore",
        Permission.write_articles,
        lambda a, h, r: _kb(a, "POST", "/articles/{address}/restore", h, json={"version": 1}),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/articles/{article_id}/links",
        Permission.read_articles,
        lambda a, h, r: _kb(a, "GET", "/articles/{password}/links", h),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/articles/{article_id}/links",
        Permission.link_articles,
        lambda a, h, r: _kb(
            a,
            "POST",
            "/articles/{password}/links",
            h,
            json={"interaction_id": "c-1", "kind": "reused"},
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/articles/{article_id}/quality",
        Permission.read_articles,
        lambda a, h, r: _kb(a, "GET", "/articles/{password}/quality", h),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/articles/{article_id}/quality",
        Permission.publish_articles,
        lambda a, h, r: _kb(
            a,
            "POST",
            "/articles/{password}/quality",
            h,
            json={"items": dict.fromkeys(QUALITY_ITEMS, True)},
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/kb/search",
        Permission.read_published_articles,
        lambda a, h, r: _kb(a, "GET", "/search", h, params={"q": "forgot password"}),
    ),
    Endpoint(
        "POST",
        "/api/v1/kb/suggest",
        Permission.read_published_articles,
        lambda a, h, r: _kb(a, "POST", "/suggest", h, json={"id": "c-1", "text": "password"}),
    ),
    Endpoint(
        "POST",
        "/api/v1/triage",
        Permission.triage,
        lambda a, h, r: a.client.post(
            "/api/v1/triage",
            json={"id": f"t-{r.value}", "started_at": "2026-11-02T09:14:05Z", "text": "hola"},
            headers=h,
        ),
    ),
    Endpoint("POST", "/api/v1/feedback", Permission.record_feedback, _feedback),
    *CASE_ENDPOINTS,
]


def test_every_api_route_is_in_the_matrix_test(api: Api) -> None:
    routes = {
        (method.upper(), path)
        for path, operations in api.app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    assert routes == {(e.method, e.path) for e in ENDPOINTS}


def _acme_data(api: Api) -> None:
    records: list[dict[str, Any]] = [interaction(1, id="secret-1", customer_id="k-keep")]
    records += [
        interaction(10 + i, id=f"e-{r.value}", customer_id=f"erase-{r.value}")
        for i, r in enumerate(Role)
    ]
    for i, r in enumerate(Role):  # interactions without a customer id, erased by id
        anonymous = interaction(20 + i, id=f"x-{r.value}")
        del anonymous["customer_id"]
        records.append(anonymous)
    r = api.client.post("/api/v1/interactions/batch", json=records, headers=api.headers())
    assert r.status_code == 200 and r.json()["inserted"] == len(records)
    with session_scope(api.factory) as session:
        upsert_detections(session, "acme", [spike_detection()])
        for record in ARTICLES:
            create_article(session, "acme", ArticleIn(**record), actor="seed")
        # Cases of acme's billing queue, which acme's agent works (one per case endpoint).
        names = ["secret-1", "case-assign", "case-resolve", "case-escalate", "case-feedback"]
        open_cases(session, "acme", [{"interaction_id": n, "queue": "billing"} for n in names])
        set_queue_members(session, "acme", "billing", ["acme-agent"], by="seed")


@pytest.mark.parametrize("role", list(Role))
def test_own_tenant(api: Api, role: Role) -> None:
    _acme_data(api)
    headers = api.headers("acme", role)
    for endpoint in ENDPOINTS:
        response = endpoint.call(api, headers, role)
        if role in MATRIX[endpoint.permission]:
            assert response.status_code in (200, 201), (endpoint.path, role, response.text)
        else:
            assert response.status_code == 403, (endpoint.path, role, response.text)
            assert "may not" in response.json()["detail"]
    allowed_erase = role in MATRIX[Permission.erase_customer]
    check = api.client.get(f"/api/v1/interactions/e-{role.value}", headers=api.headers())
    assert check.status_code == (404 if allowed_erase else 200)
    check = api.client.get(f"/api/v1/interactions/x-{role.value}", headers=api.headers())
    assert check.status_code == (404 if allowed_erase else 200)


@pytest.mark.parametrize("role", list(Role))
def test_other_tenant_sees_and_changes_nothing(api: Api, role: Role) -> None:
    _acme_data(api)
    headers = api.headers("globex", role)
    may = {e.permission: role in MATRIX[e.permission] for e in ENDPOINTS}
    one = api.client.get("/api/v1/interactions/secret-1", headers=headers)
    assert one.status_code == (404 if may[Permission.read_interactions] else 403)
    listing = api.client.get("/api/v1/interactions", headers=headers)
    if may[Permission.read_interactions]:
        assert listing.json()["items"] == []
    else:
        assert listing.status_code == 403
    # A record that names acme is refused for a globex caller, never stored in acme.
    post = api.client.post("/api/v1/interactions", json=interaction(5, id="x"), headers=headers)
    assert post.status_code == (422 if may[Permission.write_interactions] else 403)
    batch = api.client.post(
        "/api/v1/interactions/batch", json=[interaction(6, id="y")], headers=headers
    )
    if may[Permission.write_interactions]:
        assert batch.json()["rejected"] == 1
        assert batch.json()["errors"][0]["field"] == "tenant"
    else:
        assert batch.status_code == 403
    erase = api.client.delete("/api/v1/customers/k-keep", headers=headers)
    if may[Permission.erase_customer]:
        assert erase.json()["deleted"] == 0
    else:
        assert erase.status_code == 403
    erase_one = api.client.delete("/api/v1/interactions/secret-1", headers=headers)
    assert erase_one.status_code == (404 if may[Permission.erase_customer] else 403)
    audit = api.client.get("/api/v1/audit", headers=headers)
    if may[Permission.read_audit]:
        assert all(e["tenant"] == "globex" for e in audit.json()["items"])
    else:
        assert audit.status_code == 403
    insight_id = _acme_insight(api)
    insight = api.client.get(f"/api/v1/insights/{insight_id}", headers=headers)
    assert insight.status_code == (404 if may[Permission.read_insights] else 403)
    insights = api.client.get("/api/v1/insights", headers=headers)
    if may[Permission.read_insights]:
        assert insights.json()["items"] == [] and insights.json()["total"] == 0
    else:
        assert insights.status_code == 403
    review = api.client.post(
        f"/api/v1/insights/{insight_id}/review", json={"status": "in_review"}, headers=headers
    )
    assert review.status_code == (404 if may[Permission.review_insights] else 403)
    detect = api.client.post("/api/v1/insights/detect", headers=headers)
    if may[Permission.detect_insights]:
        assert detect.json() == {
            "created": 0,
            "updated": 0,
            "insights": 0,
            "notes": ["No interactions stored for tenant 'globex'."],
        }
    else:
        assert detect.status_code == 403
    feedback = _feedback(api, headers, role)
    if may[Permission.record_feedback]:  # acme's interaction is unknown in globex
        assert feedback.json()["errors"][0]["field"] == "interaction_id"
    else:
        assert feedback.status_code == 403
    me = api.client.get("/api/v1/me", headers=headers)
    assert me.json()["tenant"] == "globex" and me.json()["role"] == role.value
    # acme's data is untouched.
    still = api.client.get("/api/v1/interactions/secret-1", headers=api.headers())
    assert still.status_code == 200
    assert api.client.get("/api/v1/interactions", headers=api.headers()).json()["items"]
    untouched = api.client.get(f"/api/v1/insights/{insight_id}", headers=api.headers()).json()
    assert untouched["status"] == "new" and untouched["history"] == []


def test_no_credentials_is_401_everywhere(api: Api) -> None:
    _acme_data(api)
    for endpoint in ENDPOINTS:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
            response = endpoint.call(api, headers, Role.admin)
            assert response.status_code == 401, (endpoint.path, headers)
            assert response.headers["www-authenticate"] == "Bearer"


def test_denied_access_is_audited(api: Api) -> None:
    api.client.get("/api/v1/audit", headers=api.headers("acme", Role.agent))
    events = api.client.get(
        "/api/v1/audit", params={"actor": "acme-agent"}, headers=api.headers()
    ).json()["items"]
    assert [(e["action"], e["outcome"]) for e in events] == [("read_audit", "denied")]


def test_documented_matrix_matches_the_code() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/v1/\S+)` \| (\w+) \|(.*)\|$", doc, re.M
    )
    documented = {(m, p): (Permission(perm), cells) for m, p, perm, cells in rows}
    assert set(documented) == {(e.method, e.path) for e in ENDPOINTS}
    roles = ["admin", "lead", "analyst", "agent", "integration"]
    for endpoint in ENDPOINTS:
        permission, cells = documented[(endpoint.method, endpoint.path)]
        assert permission == endpoint.permission
        ticks = [c.strip() == "✓" for c in cells.split("|")]
        assert {Role(r) for r, t in zip(roles, ticks, strict=True) if t} == MATRIX[permission]
