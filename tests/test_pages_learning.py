"""The learning pages over HTTP (the real app): model history and rollback, the teach
queue and its label form, proposed intents; roles, CSRF, Spanish."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from criterio.auth import service as auth
from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.learning.repository import FeedbackRepository, ModelRepository
from tests import api_support
from tests.api_support import PASSWORD, Api
from tests.learning_data import CRYPTO, UNLABELLED, seed_learning

api = api_support.api
# The pages call the same services as the CLI (tested on both stores); one store here.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its smallest cost (the real login path, a lower work factor)."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _seed(a: Api, model_dir: Path) -> dict[str, int]:
    with session_scope(a.factory) as session:
        for name, role in (("ana", Role.analyst), ("agnes", Role.agent)):
            auth.create_user(session, "acme", username=name, role=role, password=PASSWORD)
        return seed_learning(session, "acme", model_dir)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _login(a: Api, username: str) -> None:
    a.client.cookies.clear()
    form = {"username": username, "password": PASSWORD, "csrf_token": ""}
    form["csrf_token"] = _csrf(a.client.get("/login").text)
    assert a.client.post("/login", data=form, follow_redirects=False).status_code == 303


def _text(html: str) -> str:
    """The page's words, without tags and extra spaces."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_lead_rolls_back_teaches_and_accepts_a_proposed_intent(api: Api, tmp_path: Path) -> None:
    ids = _seed(api, tmp_path)
    assert api.client.get("/models", follow_redirects=False).headers["location"] == (
        "/login?next=%2Fmodels"
    )
    _login(api, "acme-lead")
    history = api.client.get("/models")
    words = _text(history.text)
    assert history.status_code == 200 and "Model history" in words
    assert f"v2 #{ids['v2']} champion" in words and f"v1 #{ids['v1']} retired" in words
    assert "91.0% (n=40)" in words and "82.0% (n=40)" in words and "by leo" in words
    # A form without the session's token changes nothing.
    forged = api.client.post("/models/rollback", data={"kind": "intent", "csrf_token": "x"})
    assert forged.status_code == 403
    back = api.client.post(
        "/models/rollback",
        data={"kind": "intent", "csrf_token": _csrf(history.text)},
        follow_redirects=False,
    )
    assert back.headers["location"] == f"/models?done=rollback&model={ids['v1']}"
    after = _text(api.client.get(back.headers["location"]).text)
    assert f"Rolled back: model {ids['v1']} is the champion again." in after
    assert f"v1 #{ids['v1']} champion" in after and "by acme-lead" in after
    spanish = _text(api.client.get("/models?lang=es").text)
    assert "Historial de modelos" in spanish and "campeón" in spanish

    teach = api.client.get("/teach?lang=en")
    words = _text(teach.text)
    assert "Today's budget: 0 of 100 labels given, 100 left." in words
    offered = re.findall(r'name="interaction_id" value="([^"]+)"', teach.text)
    assert sorted(offered) == [f"u-{i}" for i in range(len(UNLABELLED))]
    assert UNLABELLED[int(offered[0][2:])] in words
    form = {"interaction_id": "u-99", "intent": "refund", "csrf_token": _csrf(teach.text)}
    missing = api.client.post("/teach", data=form)
    assert missing.status_code == 422 and "no interaction 'u-99'" in _text(missing.text)
    saved = api.client.post(
        "/teach",
        data={"interaction_id": offered[0], "intent": "card_lost", "csrf_token": _csrf(teach.text)},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/teach?done=label"
    words = _text(api.client.get("/teach?done=label").text)
    assert "Label saved." in words and "1 of 100 labels given, 99 left." in words
    with session_scope(api.factory) as session:
        events = FeedbackRepository(session, "acme").list(interaction_id=offered[0])
        assert [(e.after, e.reason, e.source, e.by) for e in events] == [
            ({"intent": "card_lost"}, "teach", "page", "acme-lead")
        ]

    proposals = api.client.get("/intents/proposed")
    words = _text(proposals.text)
    assert "4 interactions" in words and CRYPTO[0] in words and "other ×4" in words
    key = re.findall(r'action="/intents/proposed/(p-[0-9a-f]+)"', proposals.text)[0]
    # Merged into a known intent (the browser test accepts one under a new name).
    select = rf'<select id="g-{key}" name="name"[^>]*>(.*?)</select>'
    merge = re.search(select, proposals.text, re.S)
    assert merge is not None
    assert re.findall(r'value="(\w+)"', merge.group(1)) == ["card_lost", "password", "refund"]
    merged = api.client.post(
        f"/intents/proposed/{key}",
        data={"name": "card_lost", "csrf_token": _csrf(proposals.text)},
        follow_redirects=False,
    )
    words = _text(api.client.get(merged.headers["location"]).text)
    assert "4 interactions labelled card_lost" in words and "No proposed intents" in words
    with session_scope(api.factory) as session:
        latest = FeedbackRepository(session, "acme").list(interaction_id="c-0")[-1]
        assert (latest.after, latest.reason, latest.by) == (
            {"intent": "card_lost"},
            "new_intent",
            "acme-lead",
        )
    gone = api.client.post(
        f"/intents/proposed/{key}", data={"name": "crypto", "csrf_token": _csrf(proposals.text)}
    )
    assert gone.status_code == 422 and f"proposal {key}: none now" in gone.text


def test_each_role_gets_what_the_matrix_allows(api: Api, tmp_path: Path) -> None:
    ids = _seed(api, tmp_path)
    _login(api, "ana")  # analyst: reads the history and proposals, changes nothing
    history = api.client.get("/models")
    assert history.status_code == 200 and "Roll back" not in history.text
    denied = api.client.post(
        "/models/rollback", data={"kind": "intent", "csrf_token": _csrf(history.text)}
    )
    assert denied.status_code == 403
    proposals = api.client.get("/intents/proposed")
    assert "Leads and admins accept or merge proposals." in proposals.text
    assert 'action="/intents/proposed/' not in proposals.text
    assert api.client.get("/teach").status_code == 403  # analysts record no feedback
    _login(api, "agnes")  # agent: labels from the teach queue, no model history
    assert api.client.get("/models").status_code == 403
    teach = api.client.get("/teach?lang=es")
    assert teach.status_code == 200 and "Cupo de hoy: 0 de 100" in _text(teach.text)
    assert 'href="/teach" aria-current="page">Enseñar a Criterio' in teach.text
    with session_scope(api.factory) as session:
        champion = ModelRepository(session, "acme").champion("intent")
        assert champion is not None and champion.id == ids["v2"]  # nothing changed
    events = api.client.get("/api/v1/audit", headers=api.headers()).json()["items"]
    denied_events = {(e["actor"], e["action"]) for e in events if e["outcome"] == "denied"}
    assert {("ana", "manage_models"), ("ana", "record_feedback"), ("agnes", "read_models")} <= (
        denied_events
    )
