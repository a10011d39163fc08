"""`POST /api/v1/triage` on both stores: decisions stored per tenant, permissions, policies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.learning.service import register_model
from criterio.triage.models import TriageDecision
from criterio.triage.service import current_policy, set_policy
from tests import api_support
from tests.api_support import Api
from tests.test_triage_cli import INTENTS, _training_file

api = api_support.api

CARD = "hello, my new card has still not arrived in the post, thanks"


@pytest.fixture(scope="module")
def calibrated_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small intent model with its calibration evidence (trained once for the module)."""
    import json

    from criterio.analysis.modelstore import save_model
    from criterio.learning.training import fit_intent_model
    from criterio.triage.files import evidence_for_model, save_evidence

    root = tmp_path_factory.mktemp("api-model")
    rows = [json.loads(x) for x in _training_file(root / "t.jsonl").read_text().splitlines()]
    texts, labels = [r["text"] for r in rows], [r["intent"] for r in rows]
    fitted = fit_intent_model(texts, labels)
    directory = save_model(fitted.model, root / "model", "intents", fitted.card, version=1)
    evidence, seconds = evidence_for_model(fitted.model, texts, labels)
    save_evidence(directory, evidence, folds=5, seconds=seconds)
    return directory


def _champion(api: Api, tenant: str, directory: Path) -> None:
    with session_scope(api.factory) as session:
        register_model(
            session,
            tenant,
            kind="intent",
            version=1,
            directory=directory,
            training={"n_examples": 240},
            training_hash="0" * 64,
            metrics={"n_intents": len(INTENTS)},
            by="test",
        )


def _post(api: Api, body: dict[str, object], tenant: str = "acme", role: Role = Role.integration):
    record = {"started_at": "2026-11-02T09:14:05Z", **body}
    return api.client.post("/api/v1/triage", json=record, headers=api.headers(tenant, role))


def _stored(api: Api, tenant: str) -> list[TriageDecision]:
    with session_scope(api.factory) as session:
        rows = session.scalars(
            select(TriageDecision)
            .where(TriageDecision.tenant == tenant)
            .order_by(TriageDecision.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_without_a_model_everything_is_routed_and_stored(api: Api) -> None:
    r = _post(api, {"id": "n-1", "text": CARD, "language": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action"] == "route" and body["queue"] == "general"
    assert body["reasons"][0] == "the tenant has no intent model: nothing is automated"
    stored = _stored(api, "acme")
    assert [(d.interaction_id, d.action) for d in stored] == [("n-1", "route")]


def test_a_calibrated_champion_automates_with_the_policys_answer(
    api: Api, calibrated_model: Path
) -> None:
    _champion(api, "acme", calibrated_model)
    with session_scope(api.factory) as session:
        set_policy(
            session,
            "acme",
            {
                "target_precision": 0.9,
                "automate": [{"intent": "card_arrival", "templates": {"en": "On its way."}}],
                "never_automate": {"attributes": {"tier": ["vip"]}},
            },
            by="test",
        )
    r = _post(api, {"id": "a-1", "text": CARD, "language": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["action"] == "automate", body
    assert body["intent"] == "card_arrival"
    assert body["answer"] == {
        "article": None,
        "language": "en",
        "text": "On its way.",
        "source": "template",
    }
    assert body["model_version"] == "intents v1"
    vip = _post(api, {"id": "a-2", "text": CARD, "attributes": {"tier": "vip"}}).json()
    assert vip["action"] == "escalate"
    stored = {d.interaction_id: d for d in _stored(api, "acme")}
    assert stored["a-1"].action == "automate" and stored["a-1"].policy_version == 1
    assert stored["a-1"].answer == body["answer"]
    assert stored["a-2"].reasons == vip["reasons"]
    # Another tenant has neither acme's model nor its decisions.
    other = _post(api, {"id": "g-1", "text": CARD}, tenant="globex").json()
    assert other["action"] == "route"
    assert [d.interaction_id for d in _stored(api, "globex")] == ["g-1"]


def test_a_record_naming_another_tenant_is_refused_and_nothing_stored(api: Api) -> None:
    r = _post(api, {"id": "x-1", "text": CARD, "tenant": "acme"}, tenant="globex")
    assert r.status_code == 422
    assert "tenant" in r.json()["detail"]
    assert _stored(api, "acme") == [] and _stored(api, "globex") == []


def test_a_record_without_text_names_the_field(api: Api) -> None:
    r = api.client.post(
        "/api/v1/triage", json={"id": "x-2"}, headers=api.headers("acme", Role.integration)
    )
    assert r.status_code == 422
    assert "started_at" in r.json()["detail"]


def test_roles_without_the_triage_permission_are_refused(api: Api) -> None:
    for role in (Role.analyst, Role.agent):
        r = _post(api, {"id": f"d-{role.value}", "text": CARD}, role=role)
        assert r.status_code == 403
    assert _stored(api, "acme") == []


def test_policies_are_versioned_per_tenant(api: Api) -> None:
    with session_scope(api.factory) as session:
        assert current_policy(session, "acme").version is None
        set_policy(session, "acme", {"target_precision": 0.9}, by="test")
        set_policy(session, "acme", {"target_precision": 0.98, "mode": "shadow"}, by="test")
        policy = current_policy(session, "acme")
        assert (policy.version, policy.target_precision, policy.mode) == (2, 0.98, "shadow")
        assert current_policy(session, "globex").version is None


def test_a_batch_is_stored_and_triaged_in_one_call(api: Api, calibrated_model: Path) -> None:
    _champion(api, "acme", calibrated_model)
    with session_scope(api.factory) as session:
        set_policy(session, "acme", {"target_precision": 0.9}, by="test")
    headers = api.headers("acme", Role.integration)
    earlier = {"id": "b-0", "started_at": "2026-11-01T09:00:00Z", "text": "hi", "customer_id": "k"}
    assert api.client.post("/api/v1/interactions", json=earlier, headers=headers).status_code == 201
    batch = [
        {"id": "b-1", "started_at": "2026-11-02T09:14:05Z", "text": CARD, "customer_id": "k"},
        {"id": "b-2", "text": CARD},  # no started_at: refused, named, not triaged
        {"id": "b-3", "started_at": "2026-11-02T09:20:00Z", "text": CARD, "channel": "voice"},
    ]
    r = api.client.post("/api/v1/interactions/batch?triage=true", json=batch, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["inserted"], body["rejected"]) == (2, 1)
    assert body["errors"][0]["record_id"] == "b-2" and body["errors"][0]["field"] == "started_at"
    decisions = {d["id"]: d for d in body["decisions"]}
    assert list(decisions) == ["b-1", "b-3"]
    # b-0, stored a day before, makes b-1 a repeat contact (looked up in the store).
    assert decisions["b-1"]["action"] == "automate", decisions["b-1"]
    assert decisions["b-1"]["priority"] == "high"
    assert decisions["b-3"]["priority"] == "normal"
    stored = {d.interaction_id: d for d in _stored(api, "acme")}
    assert set(stored) == {"b-1", "b-3"} and stored["b-1"].policy_version == 1
    # Without the flag nothing is decided.
    again = api.client.post(
        "/api/v1/interactions/batch", json=[{**batch[0], "id": "b-4"}], headers=headers
    )
    assert again.json()["decisions"] is None and len(_stored(api, "acme")) == 2
    one = api.client.post(
        "/api/v1/interactions?triage=true", json={**batch[2], "id": "b-5"}, headers=headers
    )
    assert one.status_code == 201 and one.json()["decision"]["intent"] == "card_arrival"
    # The same batch route as the issue names it: an array on /interactions?triage=true.
    listed = [{**batch[0], "id": "b-6"}, {"id": "b-7"}]
    r = api.client.post("/api/v1/interactions?triage=true", json=listed, headers=headers)
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["rejected"]) == (1, 1)
    assert [d["id"] for d in r.json()["decisions"]] == ["b-6"]
    plain = api.client.post("/api/v1/interactions", json=listed, headers=headers)
    assert plain.status_code == 422, "without triage an array is not one interaction"


def test_triage_on_ingest_needs_the_write_permission(api: Api) -> None:
    r = api.client.post(
        "/api/v1/interactions/batch?triage=true",
        json=[{"id": "l-1", "started_at": "2026-11-02T09:14:05Z", "text": CARD}],
        headers=api.headers("acme", Role.lead),  # may triage, may not write
    )
    assert r.status_code == 403
    assert _stored(api, "acme") == []
