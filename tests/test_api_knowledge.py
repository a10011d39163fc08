"""The knowledge-base API: state rules per role, what integrations see, tenants, suggestions."""

from __future__ import annotations

from typing import Any

from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.knowledge import ArticleIn, create_article
from criterio.knowledge.schemas import QUALITY_ITEMS
from tests import api_support
from tests.api_support import Api
from tests.knowledge_data import ARTICLES

api = api_support.api


def _seed(a: Api) -> dict[str, int]:
    with session_scope(a.factory) as session:
        return {
            r["external_id"]: create_article(session, "acme", ArticleIn(**r), actor="seed").id
            for r in ARTICLES
        }


def _post(a: Api, path: str, role: Role, body: dict[str, Any], tenant: str = "acme") -> Any:
    return a.client.post(f"/api/v1/kb{path}", json=body, headers=a.headers(tenant, role))


def test_agent_captures_and_improves_a_lead_validates(api: Api) -> None:
    created = _post(api, "/articles", Role.agent, {"title": "Router blinks red", "language": "es"})
    assert created.status_code == 201
    article = created.json()
    assert (article["state"], article["version"], article["automatable"]) == ("wip", 1, False)
    path = f"/articles/{article['id']}"
    edited = api.client.patch(
        f"/api/v1/kb{path}",
        json={"resolution": "Reinicie el router.", "note": "from case c-9"},
        headers=api.headers("acme", Role.agent),
    )
    assert edited.json()["version"] == 2
    assert _post(api, f"{path}/state", Role.agent, {"state": "not_validated"}).status_code == 200
    refused = _post(api, f"{path}/state", Role.agent, {"state": "validated"})
    assert refused.status_code == 403 and "lead or admin" in refused.json()["detail"]
    validated = _post(api, f"{path}/state", Role.lead, {"state": "validated"})
    assert validated.json()["state"] == "validated"
    blocked = api.client.patch(
        f"/api/v1/kb{path}", json={"cause": "x"}, headers=api.headers("acme", Role.agent)
    )
    assert blocked.status_code == 403
    illegal = _post(api, f"{path}/state", Role.lead, {"state": "wip"})
    assert illegal.status_code == 422 and "allowed next" in illegal.json()["detail"]
    history = api.client.get(f"/api/v1/kb{path}/versions", headers=api.headers()).json()
    assert [(v["version"], v["by"], v["changed"]) for v in history] == [
        (4, "acme-lead", ["state"]),
        (3, "acme-agent", ["state"]),
        (2, "acme-agent", ["resolution"]),
        (1, "acme-agent", history[-1]["changed"]),
    ]
    assert history[2]["note"] == "from case c-9"
    restored = _post(api, f"{path}/restore", Role.lead, {"version": 1})
    assert restored.json()["resolution"] == "" and restored.json()["state"] == "validated"
    audit = api.client.get(
        "/api/v1/audit", params={"resource_type": "article"}, headers=api.headers()
    ).json()["items"]
    actions = {e["action"] for e in audit}
    assert {"create_article", "edit_article", "article_state", "restore_article"} <= actions


def test_integrations_see_published_articles_only(api: Api) -> None:
    ids = _seed(api)
    headers = api.headers("acme", Role.integration)
    listed = api.client.get("/api/v1/kb/articles", headers=headers).json()
    assert {a["article_id"] for a in listed} == {"kb-password", "kb-cobro"}
    assert all(a["automatable"] for a in listed)
    hidden = api.client.get(f"/api/v1/kb/articles/{ids['kb-address']}", headers=headers)
    assert hidden.status_code == 404
    found = api.client.get(
        "/api/v1/kb/search", params={"q": "change delivery address"}, headers=headers
    ).json()
    assert "kb-address" not in {h["article_id"] for h in found}
    agent = api.client.get(
        "/api/v1/kb/search",
        params={"q": "change delivery address"},
        headers=api.headers("acme", Role.agent),
    ).json()
    assert agent[0]["article_id"] == "kb-address"


def test_other_tenants_articles_are_404_and_invisible(api: Api) -> None:
    ids = _seed(api)
    headers = api.headers("globex", Role.lead)
    one = ids["kb-password"]
    assert api.client.get(f"/api/v1/kb/articles/{one}", headers=headers).status_code == 404
    assert api.client.get("/api/v1/kb/articles", headers=headers).json() == []
    edit = api.client.patch(f"/api/v1/kb/articles/{one}", json={"title": "x"}, headers=headers)
    assert edit.status_code == 404
    state = _post(api, f"/articles/{one}/state", Role.lead, {"state": "archived"}, "globex")
    assert state.status_code == 404
    link = _post(
        api, f"/articles/{one}/links", Role.lead, {"kind": "flagged", "reason": "x"}, "globex"
    )
    assert link.status_code == 404
    search = api.client.get("/api/v1/kb/search", params={"q": "password"}, headers=headers)
    assert search.json() == []
    mine = api.client.get(f"/api/v1/kb/articles/{one}", headers=api.headers()).json()
    assert (mine["title"], mine["state"], mine["version"]) == (
        "Reset a forgotten password",
        "validated",
        1,
    )


def test_suggest_and_flag(api: Api) -> None:
    ids = _seed(api)
    body = {
        "id": "c-77",
        "tenant": "acme",
        "started_at": "2026-11-02T09:14:05Z",
        "turns": [
            {"role": "customer", "text": "Hola, me han cobrado dos veces el recibo"},
            {"role": "agent", "text": "Lo reviso"},
        ],
    }
    out = _post(api, "/suggest", Role.agent, body).json()
    assert set(out) == {"id", "suggestions", "no_match"}
    assert out["id"] == "c-77" and out["no_match"] is False
    top = out["suggestions"][0]
    assert set(top) == {"article_id", "score", "title", "passage"}
    assert top["article_id"] == "kb-cobro" and 0 < top["score"] <= 1
    bad = _post(api, "/suggest", Role.agent, {"id": "c-1"})
    assert bad.status_code == 422
    flag = _post(api, f"/articles/{ids['kb-cobro']}/links", Role.agent, {"kind": "flagged"})
    assert flag.status_code == 422 and "reason" in flag.json()["detail"]
    flagged = _post(
        api,
        f"/articles/{ids['kb-cobro']}/links",
        Role.agent,
        {"kind": "flagged", "reason": "The refund menu moved"},
    )
    assert flagged.status_code == 201
    links = api.client.get(
        f"/api/v1/kb/articles/{ids['kb-cobro']}/links", headers=api.headers("acme", Role.lead)
    ).json()
    assert [(k["kind"], k["reason"], k["by"]) for k in links] == [
        ("flagged", "The refund menu moved", "acme-agent")
    ]


def test_nul_characters_are_refused_naming_the_field(api: Api) -> None:
    # PostgreSQL cannot store NUL: once a 500 on every text field but the title.
    created = _post(api, "/articles", Role.agent, {"title": "t", "environment": "a\x00b"})
    assert created.status_code == 422 and "environment" in str(created.json()["detail"])
    tags = _post(api, "/articles", Role.agent, {"title": "t", "tags": ["x\x00"]})
    assert tags.status_code == 422
    ok = _post(api, "/articles", Role.agent, {"title": "t"})
    flag = _post(
        api, f"/articles/{ok.json()['id']}/links", Role.agent, {"kind": "flagged", "reason": "\x00"}
    )
    assert flag.status_code == 422
    assert api.client.get("/api/v1/kb/articles", headers=api.headers()).json()[0]["title"] == "t"


def test_explicit_nulls_in_an_edit_are_refused_or_emptied(api: Api) -> None:
    # Schemathesis found a 500 here: a null language or audience reached the store.
    ok = _post(api, "/articles", Role.agent, {"title": "t", "issue": "i", "tags": ["a"]})
    url = f"/api/v1/kb/articles/{ok.json()['id']}"
    headers = api.headers("acme", Role.agent)
    for field in ("title", "language", "audience"):
        refused = api.client.patch(url, json={field: None}, headers=headers)
        assert refused.status_code == 422 and field in str(refused.json()["detail"])
    emptied = api.client.patch(url, json={"issue": None, "tags": None}, headers=headers)
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["issue"] == "" and emptied.json()["tags"] == []
    after = api.client.get(url, headers=headers).json()
    assert after["title"] == "t" and after["language"] == "en" and after["audience"] == "internal"


def test_a_knowledge_gap_is_an_insight_in_the_review_flow(api: Api) -> None:
    from criterio.auth import service as auth
    from criterio.interactions.schemas import InteractionIn
    from criterio.interactions.service import store_interactions
    from criterio.knowledge.gaps import find_gaps
    from tests.api_support import PASSWORD
    from tests.factories import interaction
    from tests.test_pages import _login

    texts = ["solar inverter shows error 42", "inverter error 42 on my solar panel"] * 2
    with session_scope(api.factory) as session:
        records = [
            interaction(
                i, id=f"g-{i}", language="en", labels={}, turns=[{"role": "customer", "text": t}]
            )
            for i, t in enumerate(texts)
        ]
        store_interactions(session, [InteractionIn.model_validate(r) for r in records])
        gap_id = find_gaps(session, "acme", min_size=3)[0].id
        auth.create_user(session, "acme", username="ana", role=Role.analyst, password=PASSWORD)
    listed = api.client.get(
        "/api/v1/insights", params={"type": "knowledge_gap"}, headers=api.headers()
    ).json()
    assert [i["id"] for i in listed["items"]] == [gap_id]
    review = api.client.post(
        f"/api/v1/insights/{gap_id}/review",
        json={"status": "in_review", "owner": "acme-agent"},
        headers=api.headers("acme", Role.lead),
    )
    assert review.status_code == 200 and review.json()["owner"] == "acme-agent"
    _login(api, "ana")
    page = api.client.get(f"/insights/{gap_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Knowledge gap: 4 contacts" in page.text


def test_content_standard_reviews(api: Api) -> None:
    ids = _seed(api)
    path = f"/articles/{ids['kb-cobro']}/quality"
    items = dict.fromkeys(QUALITY_ITEMS, True) | {"cause_stated": False}
    agent = _post(api, path, Role.agent, {"items": items})
    assert agent.status_code == 403
    partial = _post(api, path, Role.lead, {"items": {"issue_complete": True}})
    assert partial.status_code == 422 and "missing" in str(partial.json()["detail"])
    unknown = _post(api, path, Role.lead, {"items": items | {"pretty": True}})
    assert unknown.status_code == 422 and "pretty" in str(unknown.json()["detail"])
    stored = _post(api, path, Role.lead, {"items": items, "note": "no cause"})
    assert stored.status_code == 201
    assert (stored.json()["score"], stored.json()["article_version"]) == (0.875, 1)
    listed = api.client.get(f"/api/v1/kb{path}", headers=api.headers("acme", Role.analyst))
    assert [(r["by"], r["items"]["cause_stated"]) for r in listed.json()] == [("acme-lead", False)]
    other = api.client.get(f"/api/v1/kb{path}", headers=api.headers("globex", Role.lead))
    assert other.status_code == 404
