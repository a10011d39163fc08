"""The agents' workspace over REST: queues, the case with its suggestions, every action
recorded (feedback events and KCS links), personal data only when asked for and audited."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from criterio.assist import open_case, resolve_case
from criterio.auth.roles import Role
from criterio.cli import app as cli_app
from criterio.db import session_scope
from criterio.knowledge import ArticleIn, LinkIn, LinkKind, create_article, link_article
from criterio.knowledge.repository import ArticleRepository, LinkRepository
from criterio.learning.repository import FeedbackRepository
from criterio.triage.decision import Decision
from criterio.triage.service import record_decisions
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction
from tests.knowledge_data import ARTICLES

api = api_support.api
EMAIL = "lucia.fernandez@example.com"


def _turns(customer: str, agent: str | None = None) -> list[dict[str, str]]:
    turns = [{"role": "customer", "text": customer}]
    return turns + ([{"role": "agent", "text": agent}] if agent else [])


def _fill(api: Api) -> dict[str, Any]:
    """acme: articles, a solved contact with its article, the customer's earlier contact,
    and a routed contact (with personal data) whose case waits in the tech queue."""
    records = [
        interaction(
            1,
            id="earlier",
            customer_id="k-7",
            language="en",
            started_at="2026-11-20T10:00:00Z",
            turns=_turns("My invoice is wrong", "Fixed it."),
            outcome={"resolved": True, "resolution_code": "invoice_fixed"},
            labels={"intent": "invoice_question"},
        ),
        interaction(
            2,
            id="solved",
            customer_id="k-8",
            language="en",
            started_at="2026-11-10T10:00:00Z",
            turns=_turns("I forgot my password and the app will not let me log in", "Reset."),
        ),
        interaction(
            3,
            id="routed",
            customer_id="k-7",
            language="en",
            started_at="2026-11-25T10:00:00Z",
            turns=_turns(f"I forgot my password, I cannot log in. Write to {EMAIL}"),
        ),
        interaction(4, id="other-queue", language="en", started_at="2026-11-25T11:00:00Z"),
    ]
    response = api.client.post("/api/v1/interactions/batch", json=records, headers=api.headers())
    assert response.json()["inserted"] == 4
    with session_scope(api.factory) as session:
        ids = {
            a["external_id"]: create_article(session, "acme", ArticleIn(**a), actor="seed").id
            for a in ARTICLES
        }
        solved = open_case(session, "acme", interaction_id="solved", queue="tech")
        solved.intent = "reset_password"
        resolve_case(session, "acme", solved.id, code="password_reset", by="seed")
        link_article(
            session,
            "acme",
            ids["kb-password"],
            LinkIn(interaction_id="solved", kind=LinkKind.reused),
            actor="seed",
        )
        decision = Decision(
            id="routed",
            action="route",
            intent="reset_password",
            confidence=0.41,
            threshold=0.8,
            expected_precision=None,
            queue="tech",
            priority="high",
            reasons=["intent reset_password at 0.41, under its threshold 0.80"],
            model_version="intents v1",
        )
        record_decisions(session, "acme", [decision], 1, [{"language": "en", "channel": "chat"}])
        open_case(session, "acme", interaction_id="other-queue", queue="billing")
    return ids


def test_an_agent_works_a_case_of_their_queue_and_every_decision_is_recorded(api: Api) -> None:
    ids = _fill(api)
    agent, lead = api.headers("acme", Role.agent), api.headers("acme", Role.lead)
    put = api.client.put("/api/v1/queues/tech", json={"members": ["acme-agent"]}, headers=lead)
    assert put.json() == {"queue": "tech", "members": ["acme-agent"]}
    bad = api.client.put("/api/v1/queues/tech", json={"members": ["nobody"]}, headers=lead)
    assert bad.status_code == 422 and "nobody" in bad.json()["detail"]
    # The agent sees only the tech queue; the lead sees every queue.
    mine = api.client.get("/api/v1/cases", headers=agent).json()
    assert [c["interaction_id"] for c in mine["items"]] == ["routed"] and mine["queues"] == ["tech"]
    assert mine["items"][0]["sla_seconds_left"] <= 4 * 3600
    everything = api.client.get("/api/v1/cases", headers=lead).json()
    assert {c["interaction_id"] for c in everything["items"]} == {"routed", "other-queue"}
    hidden = next(c["id"] for c in everything["items"] if c["queue"] == "billing")
    assert api.client.get(f"/api/v1/cases/{hidden}", headers=agent).status_code == 404
    stranger = api.headers("globex", Role.lead)
    assert api.client.get(f"/api/v1/cases/{hidden}", headers=stranger).status_code == 404

    taken = api.client.post("/api/v1/cases/next", headers=agent).json()
    assert (taken["interaction_id"], taken["assignee"]) == ("routed", "acme-agent")
    assert api.client.post("/api/v1/cases/next", headers=agent).json() is None
    case_id = taken["id"]
    detail = api.client.get(f"/api/v1/cases/{case_id}", headers=agent).json()
    said = detail["conversation"][0]["text"]
    assert EMAIL not in said and "forgot my password" in said
    assert detail["conversation_state"] == "redacted"
    earlier = detail["customer"]["contacts"]
    assert [(c["interaction_id"], c["intent"], c["outcome"]) for c in earlier] == [
        ("earlier", "invoice_question", "resolved")
    ]
    reading = detail["reading"]
    assert (reading["intent"], reading["intent_confidence"]) == ("reset_password", 0.41)
    assert reading["triage_reasons"] and reading["language"] == "en"
    top = detail["suggestions"]["articles"][0]
    assert (top["id"], top["state"], top["rank"]) == (ids["kb-password"], "validated", 1)
    assert top["passage"]
    similar = detail["suggestions"]["similar_cases"][0]
    assert (similar["interaction_id"], similar["resolution_code"]) == ("solved", "password_reset")
    assert similar["article_title"] == "Reset a forgotten password"
    reply = detail["suggestions"]["reply"]
    assert reply["language"] == "en" and "Forgot password" in reply["text"]
    assert reply["next_steps"][0].startswith("Open the login page")

    # Personal data: a 403 for agents (audited), shown to a lead and audited.
    denied = api.client.get(f"/api/v1/cases/{case_id}?reveal=true", headers=agent)
    assert denied.status_code == 403
    shown = api.client.get(f"/api/v1/cases/{case_id}?reveal=true", headers=lead).json()
    assert EMAIL in shown["conversation"][0]["text"] and shown["conversation_state"] == "revealed"
    audit = api.client.get("/api/v1/audit", headers=api.headers()).json()["items"]
    views = [(e["actor"], e["outcome"]) for e in audit if e["action"] == "view_personal_data"]
    assert sorted(views) == [("acme-agent", "denied"), ("acme-lead", "success")]

    def act(**body: Any) -> Any:
        return api.client.post(f"/api/v1/cases/{case_id}/feedback", json=body, headers=agent)

    assert act(action="intent", intent="login_problem").status_code == 200
    assert act(action="reject", suggestion="article", target="kb-address").status_code == 422
    assert act(action="reject", suggestion="article", target="x", reason="old").status_code == 200
    linked = act(action="link", article_id=ids["kb-password"], via="suggested", rank=1).json()
    assert linked["link_id"] and linked["article_id"] == ids["kb-password"]
    flag = act(action="flag", article_id=ids["kb-password"], reason="step 2 changed")
    assert flag.status_code == 200
    created = act(action="create_article", resolution=f"Reset it; mail {EMAIL}").json()
    reply_text = f"{reply['text']} Reply to {EMAIL}"
    assert act(action="reply", text=reply_text, article_id=ids["kb-password"]).status_code == 200
    again = api.client.get(f"/api/v1/cases/{case_id}", headers=agent).json()
    assert again["reading"]["intent"] == "login_problem"
    assert again["reading"]["intent_read"] == "reset_password"
    assert again["linked_articles"] == [ids["kb-password"]]

    # Only leads give a case to someone else.
    other = {"to": "acme-lead"}
    url = f"/api/v1/cases/{case_id}/assign"
    assert api.client.post(url, json=other, headers=agent).status_code == 403
    assert api.client.post(url, json=other, headers=lead).json()["assignee"] == "acme-lead"
    done = api.client.post(
        f"/api/v1/cases/{case_id}/resolve", json={"resolution_code": "password_reset"}, headers=lead
    )
    assert done.json()["status"] == "resolved"

    with session_scope(api.factory) as session:
        events = FeedbackRepository(session, "acme").list(interaction_id="routed")
        kinds = [e.kind for e in events]
        assert kinds == [
            "intent",
            "suggestion_rejected",
            "article_link",
            "article_flagged",
            "article_created",
            "reply_sent",
            "resolution",
        ]
        assert events[0].before == {"intent": "reset_password", "confidence": 0.41}
        assert events[0].model_version == "intents v1"
        sent = events[5].after
        assert EMAIL not in sent["text"] and sent["edited"] is True
        links = LinkRepository(session, "acme").for_article(ids["kb-password"])
        assert sorted((lk.kind, lk.via) for lk in links if lk.interaction_id == "routed") == [
            ("flagged", "searched"),
            ("reused", "suggested"),
        ]
        draft = ArticleRepository(session, "acme").get(created["article_id"])
        assert draft is not None and draft.state == "wip" and draft.intents == ["login_problem"]
        assert EMAIL not in draft.issue + draft.resolution and draft.source == "case"


def test_queues_cli_sets_and_lists_members(cli: CliRunner, database_url: str) -> None:
    from criterio.auth import service
    from criterio.db import make_engine, make_session_factory

    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "acme")
        for name in ("ana", "bo"):
            service.create_user(session, "acme", username=name, role=Role.agent)
    engine.dispose()
    done = cli.invoke(cli_app, ["queues", "set", "tech", "bo", "ana", "--tenant", "acme"])
    assert done.exit_code == 0 and done.stdout.strip() == "tech: ana, bo"
    wrong = cli.invoke(cli_app, ["queues", "set", "tech", "zed", "-t", "acme"])
    assert wrong.exit_code == 1 and "zed" in wrong.stderr
    listed = cli.invoke(cli_app, ["queues", "list", "-t", "acme", "--json"])
    assert listed.stdout.strip() == '{"tech": ["ana", "bo"]}'
