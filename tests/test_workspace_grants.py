"""Per-user grants to see a case's personal data: granted and revoked by leads (API, page,
CLI), refused to agents, and every unredacted view audited with the case it showed."""

from __future__ import annotations

import re
from typing import Any

from typer.testing import CliRunner

from criterio.assist import open_case, set_queue_members
from criterio.auth import service
from criterio.auth.repository import AuditRepository
from criterio.auth.roles import Role
from criterio.cli import app as cli_app
from criterio.db import make_engine, make_session_factory, session_scope
from tests import api_support
from tests.api_support import PASSWORD, Api
from tests.factories import interaction

api = api_support.api
EMAIL = "lucia.fernandez@example.com"
GRANTS = "/api/v1/personal-data-grants"


def _case(api: Api, agent: str = "acme-agent") -> int:
    """acme: one contact with an e-mail address, its case in the tech queue ``agent`` works."""
    said = f"I forgot my password, write to {EMAIL} please"
    record = interaction(1, id="pd-1", language="en", turns=[{"role": "customer", "text": said}])
    response = api.client.post("/api/v1/interactions", json=record, headers=api.headers())
    assert response.status_code in (200, 201), response.text
    with session_scope(api.factory) as session:
        case = open_case(session, "acme", interaction_id="pd-1", queue="tech")
        set_queue_members(session, "acme", "tech", [agent], by="seed")
        return case.id


def _views(api: Api) -> list[tuple[str, str, Any]]:
    items = api.client.get("/api/v1/audit", headers=api.headers()).json()["items"]
    return [
        (e["actor"], e["outcome"], e["detail"])
        for e in items
        if e["action"] == "view_personal_data"
    ]


def test_a_lead_grants_an_agent_personal_data_and_revokes_it(api: Api) -> None:
    case_id = _case(api)
    agent, lead = api.headers("acme", Role.agent), api.headers("acme", Role.lead)
    url = f"/api/v1/cases/{case_id}"

    plain = api.client.get(url, headers=agent).json()
    assert EMAIL not in plain["conversation"][0]["text"]
    assert "forgot my password" in plain["conversation"][0]["text"]
    assert api.client.get(f"{url}?reveal=true", headers=agent).status_code == 403
    # An agent may not grant, not even to themselves.
    mine = api.client.put(f"{GRANTS}/acme-agent", json={"reason": "me"}, headers=agent)
    assert mine.status_code == 403
    assert api.client.get(GRANTS, headers=agent).status_code == 403

    granted = api.client.put(
        f"{GRANTS}/acme-agent", json={"reason": "verifies callers' identity"}, headers=lead
    )
    assert granted.status_code == 200, granted.text
    assert (granted.json()["granted_by"], granted.json()["revoked_at"]) == ("acme-lead", None)
    again = api.client.put(f"{GRANTS}/acme-agent", json={"reason": "twice"}, headers=lead)
    assert again.json()["id"] == granted.json()["id"]  # the grant in force is kept
    machine = api.client.put(f"{GRANTS}/acme-integration", json={"reason": "x"}, headers=lead)
    assert machine.status_code == 422 and "does not work cases" in machine.json()["detail"]
    assert api.client.put(f"{GRANTS}/nobody", json={"reason": "x"}, headers=lead).status_code == 404
    assert api.client.put(f"{GRANTS}/acme-agent", json={}, headers=lead).status_code == 422
    # Another tenant's lead sees and ends nothing of acme's.
    globex = api.headers("globex", Role.lead)
    assert api.client.get(GRANTS, headers=globex).json()["items"] == []
    assert api.client.delete(f"{GRANTS}/acme-agent", headers=globex).status_code == 404

    shown = api.client.get(f"{url}?reveal=true", headers=agent).json()
    assert EMAIL in shown["conversation"][0]["text"] and shown["conversation_state"] == "revealed"
    assert ("acme-agent", "success", {"case_id": case_id, "via": "grant"}) in _views(api)
    listed = api.client.get(GRANTS, headers=lead).json()["items"]
    assert [(g["username"], g["reason"]) for g in listed] == [
        ("acme-agent", "verifies callers' identity")
    ]

    ended = api.client.delete(f"{GRANTS}/acme-agent", headers=lead)
    assert ended.status_code == 200 and ended.json()["revoked_by"] == "acme-lead"
    assert api.client.get(f"{url}?reveal=true", headers=agent).status_code == 403
    after = api.client.get(url, headers=agent).json()
    assert EMAIL not in after["conversation"][0]["text"]
    assert api.client.delete(f"{GRANTS}/acme-agent", headers=lead).status_code == 404
    assert api.client.get(GRANTS, headers=lead).json()["items"] == []
    history = api.client.get(f"{GRANTS}?include_revoked=true", headers=lead).json()["items"]
    assert [g["revoked_by"] for g in history] == ["acme-lead"]
    outcomes = [(actor, outcome) for actor, outcome, _ in _views(api)]
    assert sorted(outcomes) == [
        ("acme-agent", "denied"),
        ("acme-agent", "denied"),
        ("acme-agent", "success"),
    ]


def _login(api: Api, username: str) -> None:
    api.client.cookies.clear()
    page = api.client.get("/login")
    form = {"username": username, "password": PASSWORD, "csrf_token": _csrf(page.text)}
    assert api.client.post("/login", data=form, follow_redirects=False).status_code == 303


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _grant_form(api: Api, **form: str) -> Any:
    page = api.client.get("/queues")
    data = {"csrf_token": _csrf(page.text), **form}
    return api.client.post("/queues/personal-data", data=data, follow_redirects=False)


def test_the_queues_page_grants_and_the_case_page_shows_then_hides(api: Api) -> None:
    with session_scope(api.factory) as session:
        service.create_user(session, "acme", username="agnes", role=Role.agent, password=PASSWORD)
    case_id = _case(api, agent="agnes")
    url = f"/cases/{case_id}"

    _login(api, "agnes")
    page = api.client.get(url)
    assert page.status_code == 200 and EMAIL not in page.text and "?reveal=1" not in page.text
    assert api.client.get(f"{url}?reveal=1").status_code == 403
    assert api.client.get("/queues").status_code == 403
    token = _csrf(page.text)
    forged = {"csrf_token": token, "action": "grant", "username": "agnes", "reason": "me"}
    assert api.client.post("/queues/personal-data", data=forged).status_code == 403

    _login(api, "acme-lead")
    queues = api.client.get("/queues")
    assert "Who may see personal data" in queues.text and '<option value="agnes">' in queues.text
    title = re.search(r"<title>(.*?)</title>", queues.text, re.S)
    assert title is not None and "<" not in title.group(1), "the section is shown once, in main"
    assert queues.text.count('id="grants-title"') == 1
    empty = _grant_form(api, action="grant", username="agnes", reason=" ")
    assert empty.status_code == 422 and "reason" in empty.text
    done = _grant_form(api, action="grant", username="agnes", reason="identity checks")
    assert done.headers["location"] == "/queues?saved=grant"
    listed = api.client.get("/queues?saved=grant").text
    assert "Grant saved." in listed and "identity checks" in listed

    _login(api, "agnes")
    assert "?reveal=1" in api.client.get(url).text
    shown = api.client.get(f"{url}?reveal=1")
    assert shown.status_code == 200 and EMAIL in shown.text
    with session_scope(api.factory) as session:
        events = AuditRepository(session, "acme").query(action="view_personal_data")
        assert [(e.actor, e.outcome, e.resource_id, e.detail) for e in events] == [
            ("agnes", "success", "pd-1", {"case_id": case_id, "via": "grant"}),
            ("agnes", "denied", "/cases/{case_id}", {}),
        ]

    _login(api, "acme-lead")
    revoked = _grant_form(api, action="revoke", username="agnes")
    assert revoked.headers["location"] == "/queues?saved=revoke"
    assert "identity checks" not in api.client.get("/queues").text

    _login(api, "agnes")
    hidden = api.client.get(url)
    assert EMAIL not in hidden.text and "?reveal=1" not in hidden.text
    assert api.client.get(f"{url}?reveal=1").status_code == 403


def test_cli_grants_lists_and_revokes(cli: CliRunner, database_url: str) -> None:
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "acme")
        service.create_user(session, "acme", username="ana", role=Role.agent)
        service.create_user(session, "acme", username="ines", role=Role.integration)

    def run(*args: str) -> Any:
        return cli.invoke(cli_app, ["users", *args, "--tenant", "acme"])

    done = run("grant-personal-data", "ana", "--reason", "identity checks")
    assert done.exit_code == 0 and "ana" in done.stdout and "may see personal data" in done.stdout
    listed = run("list").stdout
    assert re.search(r"ana\s.*agent\s.*grant", listed)
    machine = run("grant-personal-data", "ines", "--reason", "x")
    assert machine.exit_code == 1 and "does not work cases" in machine.stderr
    assert run("revoke-personal-data", "ana").exit_code == 0
    assert not re.search(r"ana\s.*grant", run("list").stdout)
    twice = run("revoke-personal-data", "ana")
    assert twice.exit_code == 1 and "no personal-data grant" in twice.stderr
    with session_scope(make_session_factory(engine)) as session:
        actions = [e.action for e in AuditRepository(session, "acme").query()]
        assert sorted(actions) == ["grant_personal_data", "revoke_personal_data"]
    engine.dispose()
