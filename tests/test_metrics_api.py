"""`GET /api/v1/metrics`: figures for the caller's tenant; per-agent figures only to the
agent and to leads; the operational gauges on `/metrics`."""

from __future__ import annotations

from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.metrics import rebuild
from tests import api_support
from tests.api_support import Api
from tests.metrics_data import build

api = api_support.api
WEEK = {"from": "2026-11-02", "to": "2026-11-08"}


def test_metrics_api_shows_agents_only_to_leads_and_to_themselves(api: Api) -> None:
    with session_scope(api.factory) as session:
        build(session)
        rebuild(session, "acme")
    lead = api.client.get(
        "/api/v1/metrics",
        params={**WEEK, "agents": "true", "by": "day"},
        headers=api.headers("acme", Role.lead),
    )
    assert lead.status_code == 200
    body = lead.json()
    assert body["contacts"] == 8 and body["link_rate"] == 0.75 and len(body["series"]) == 7
    assert [a["agent"] for a in body["agents"]] == ["ana", "ben", "cid", "lea"]
    agent = api.client.get(
        "/api/v1/metrics",
        params={**WEEK, "agents": "true"},
        headers=api.headers("acme", Role.agent),
    ).json()
    assert [a["agent"] for a in agent["agents"]] == ["acme-agent"]
    analyst = api.client.get(
        "/api/v1/metrics",
        params={**WEEK, "agents": "true"},
        headers=api.headers("acme", Role.analyst),
    )
    assert analyst.status_code == 403
    other = api.client.get("/api/v1/metrics", params=WEEK, headers=api.headers("globex", Role.lead))
    assert other.json()["contacts"] == 0  # the caller's tenant only
    bad = api.client.get(
        "/api/v1/metrics", params={**WEEK, "cut": "region"}, headers=api.headers("acme", Role.lead)
    )
    assert bad.status_code == 422
    scraped = api.client.get("/metrics").text
    assert 'criterio_contacts_7d{tenant="acme"}' in scraped
    assert "criterio_metrics_age_seconds" in scraped
