"""The insights REST API through the real app: filters, redacted examples, review, detect."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime

import pytest
from httpx import Response

from criterio.analysis.pipeline import build_pipeline
from criterio.annotations.runner import analyze_store
from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights import InsightStatus, ReviewIn, review_insight
from criterio.insights.browse import lock_insight
from criterio.insights.service import upsert_detections
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction
from tests.insight_data import EMAIL, PHONE, fill_store, spike_detection

api = api_support.api


def _store(api: Api) -> dict[str, int]:
    """Four insights of acme with known types, severities, periods, segments and statuses."""
    detections = {
        "spike": spike_detection(date(2026, 11, 12), date(2026, 11, 12), severity=80.0),
        "drop": spike_detection(
            date(2026, 10, 1),
            date(2026, 10, 3),
            segment=(("queue", "tech"),),
            severity=40.0,
            type_="drop",
        ),
        "shift": spike_detection(
            date(2026, 9, 1),
            date(2026, 9, 30),
            segment=(("queue", "billing"), ("region", "ES-MD")),
            severity=55.0,
            type_="csat_shift",
            figures={"measure": "csat", "before": 4.1, "after": 3.2, "delta": -0.9},
        ),
        "late": spike_detection(
            date(2026, 12, 20), date(2026, 12, 21), segment=(("queue", "billing"),), severity=20.0
        ),
    }
    ids = {}
    with session_scope(api.factory) as session:
        for name, detection in detections.items():
            (insight,) = upsert_detections(session, "acme", [detection]).insights
            ids[name] = insight.id
        review_insight(session, "acme", ids["drop"], ReviewIn(status=InsightStatus.in_review))
    return ids


def _ids(api: Api, **params: object) -> list[int]:
    response = api.client.get("/api/v1/insights", params=params, headers=api.headers())
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_list_filters_sort_and_pages(api: Api) -> None:
    ids = _store(api)
    assert _ids(api) == [ids["spike"], ids["shift"], ids["drop"], ids["late"]]
    assert _ids(api, sort="severity") == [ids["late"], ids["drop"], ids["shift"], ids["spike"]]
    assert _ids(api, sort="-period")[0] == ids["late"]
    assert _ids(api, status="in_review") == [ids["drop"]]
    assert _ids(api, status=["new", "in_review"], min_severity=50) == [ids["spike"], ids["shift"]]
    assert _ids(api, type="drop") == [ids["drop"]]
    assert _ids(api, type=["drop", "csat_shift"]) == [ids["shift"], ids["drop"]]
    # The period filter keeps insights whose period overlaps the range.
    assert _ids(api, period_from="2026-09-30", period_to="2026-10-01") == [
        ids["shift"],
        ids["drop"],
    ]
    assert _ids(api, period_from="2026-12-21") == [ids["late"]]
    assert _ids(api, segment="queue=billing") == [ids["shift"], ids["late"]]
    assert _ids(api, segment=["queue=billing", "region=ES-MD"]) == [ids["shift"]]
    page = api.client.get(
        "/api/v1/insights", params={"limit": 2, "offset": 2}, headers=api.headers()
    ).json()
    assert [i["id"] for i in page["items"]] == [ids["drop"], ids["late"]]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 2)
    item = page["items"][0]
    assert item["segment"] == {"queue": "tech"} and item["status"] == "in_review"
    assert item["period"] == {"start": "2026-10-01", "end": "2026-10-03"}


def test_list_refuses_bad_filters_naming_them(api: Api) -> None:
    for params, field in (
        ({"segment": "queue"}, "segment"),
        ({"period_from": "2026-10-02", "period_to": "2026-10-01"}, "period_from"),
        ({"status": "approved"}, "status"),
        ({"min_severity": 101}, "min_severity"),
        ({"sort": "name"}, "sort"),
    ):
        response = api.client.get("/api/v1/insights", params=params, headers=api.headers())
        assert response.status_code == 422, params
        assert field in json.dumps(response.json()["detail"]), (params, response.text)


def test_detail_shows_only_the_stored_redacted_text(api: Api) -> None:
    text = f"Me llamo Lucía Fernández, escribidme a {EMAIL} o al {PHONE}"
    records = [
        interaction(i, id=f"c-{i}", turns=[{"role": "customer", "text": text}]) for i in (1, 2, 3)
    ]
    posted = api.client.post("/api/v1/interactions/batch", json=records, headers=api.headers())
    assert posted.json()["inserted"] == 3
    with LocalEngine(workers=1) as engine:
        analyze_store(api.factory, ["acme"], engine=engine, pipeline=build_pipeline(["pii"]))
    # c-2 changes after its analysis; c-3 (started last) is analysed again without a
    # redactor; c-4 does not exist (erased, say).
    changed = interaction(2, id="c-2", turns=[{"role": "customer", "text": text + "!"}])
    api.client.post("/api/v1/interactions", json=changed, headers=api.headers())
    with LocalEngine(workers=1) as engine:
        report = analyze_store(
            api.factory,
            ["acme"],
            engine=engine,
            pipeline=build_pipeline(["language"]),
            since=datetime(2026, 11, 4, tzinfo=UTC),
        )
    assert report.total == 1
    with session_scope(api.factory) as session:
        (insight,) = upsert_detections(
            session, "acme", [spike_detection(examples=("c-1", "c-2", "c-3", "c-4"))]
        ).insights
    response = api.client.get(
        f"/api/v1/insights/{insight.id}", headers=api.headers(role=Role.agent)
    )
    assert response.status_code == 200
    body = response.json()
    for secret in (EMAIL, PHONE, "Lucía", "Fernández"):
        assert secret not in response.text
    assert [(e["id"], e["state"]) for e in body["examples_redacted"]] == [
        ("c-1", "redacted"),
        ("c-2", "unavailable"),
        ("c-3", "unavailable"),
        ("c-4", "erased"),
    ]
    (turn,) = body["examples_redacted"][0]["turns"]
    assert turn == {
        "role": "customer",
        "text": "Me llamo [PERSON_1], escribidme a [EMAIL_1] o al [PHONE_1]",
    }
    assert body["examples_redacted"][1]["turns"] == []
    assert body["next_statuses"] == ["in_review"]
    assert body["evidence"]["chart"]["kind"] == "daily_volume"
    # Showing redacted text is a read of those interactions, in the audit log.
    events = api.client.get(
        "/api/v1/audit", params={"actor": "acme-agent"}, headers=api.headers()
    ).json()["items"]
    assert [(e["action"], e["detail"]) for e in events] == [
        ("read", {"redacted": True, "insight": insight.id, "ids": ["c-1"]})
    ]
    missing = api.client.get("/api/v1/insights/999999", headers=api.headers())
    assert missing.status_code == 404 and "insight 999999 not found" in missing.json()["detail"]


def test_review_follows_the_workflow_and_records_who(api: Api) -> None:
    ids = _store(api)
    url = f"/api/v1/insights/{ids['spike']}/review"
    analyst = api.headers(role=Role.analyst)
    skip = api.client.post(
        url, json={"status": "confirmed", "interpretation": "x"}, headers=analyst
    )
    assert skip.status_code == 422
    assert skip.json()["detail"] == (
        f"insight {ids['spike']} is new: it cannot become confirmed; allowed next: in_review"
    )
    start = api.client.post(url, json={"status": "in_review"}, headers=analyst)
    assert start.status_code == 200 and start.json()["status"] == "in_review"
    bare = api.client.post(url, json={"status": "confirmed"}, headers=analyst)
    assert bare.status_code == 422 and "an interpretation is required" in bare.json()["detail"]
    unknown = api.client.post(url, json={"state": "confirmed"}, headers=analyst)
    assert unknown.status_code == 422
    lead = api.headers(role=Role.lead)
    done = api.client.post(
        url,
        json={"status": "confirmed", "interpretation": "A billing run charged twice"},
        headers=lead,
    )
    assert done.status_code == 200
    insight = done.json()
    assert insight["status"] == "confirmed"
    assert insight["interpretation"] == "A billing run charged twice"
    assert [(h["from"], h["to"], h["by"]) for h in insight["history"]] == [
        ("new", "in_review", "acme-analyst"),
        ("in_review", "confirmed", "acme-lead"),
    ]
    owner = api.client.post(url, json={"owner": "billing ops"}, headers=lead).json()
    assert owner["owner"] == "billing ops" and owner["status"] == "confirmed"
    events = api.client.get(
        "/api/v1/audit", params={"action": "review_insight"}, headers=api.headers()
    ).json()["items"]
    assert [(e["actor"], e["resource_id"], e["detail"]) for e in reversed(events)] == [
        ("acme-analyst", str(ids["spike"]), {"from": "new", "to": "in_review", "fields": []}),
        (
            "acme-lead",
            str(ids["spike"]),
            {"from": "in_review", "to": "confirmed", "fields": ["interpretation"]},
        ),
        (
            "acme-lead",
            str(ids["spike"]),
            {"from": "confirmed", "to": "confirmed", "fields": ["owner"]},
        ),
    ]
    assert "billing run" not in json.dumps(events)  # ids and field names only, never texts


def test_detect_runs_on_the_callers_tenant_only(api: Api) -> None:
    fill_store(api.client, api.headers(), api.factory, detect=False)
    first = api.client.post("/api/v1/insights/detect", headers=api.headers(role=Role.lead))
    assert first.status_code == 200
    created = first.json()["created"]
    assert created > 0
    assert first.json() == {"created": created, "updated": 0, "insights": created, "notes": []}
    again = api.client.post("/api/v1/insights/detect", headers=api.headers(role=Role.lead))
    assert again.json() == {"created": 0, "updated": created, "insights": created, "notes": []}
    listing = api.client.get("/api/v1/insights", headers=api.headers()).json()
    assert listing["total"] == created
    top = listing["items"][0]
    assert (top["type"], top["segment"]) == ("spike", {"intent": "no_internet"})
    assert top["period"]["start"] == "2026-10-06"
    assert top["statement"].startswith("Los contactos sobre no internet")
    other = api.client.post("/api/v1/insights/detect", headers=api.headers("globex", Role.admin))
    # Nothing found: the answer says why.
    assert other.json() == {
        "created": 0,
        "updated": 0,
        "insights": 0,
        "notes": ["No interactions stored for tenant 'globex'."],
    }
    audit = api.client.get(
        "/api/v1/audit", params={"action": "detect_insights"}, headers=api.headers()
    ).json()["items"]
    assert [e["detail"]["created"] for e in audit] == [0, created]


def test_two_reviews_of_one_insight_apply_one_after_the_other(api: Api, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    ids = _store(api)
    url = f"/api/v1/insights/{ids['spike']}/review"
    answers: list[Response] = []
    with api.factory() as first:
        # The first reviewer has the insight and is deciding...
        lock_insight(first, "acme", ids["spike"])
        second = threading.Thread(
            target=lambda: answers.append(
                api.client.post(url, json={"status": "in_review"}, headers=api.headers())
            )
        )
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive() and not answers  # ...so the second one waits
        review_insight(
            first, "acme", ids["spike"], ReviewIn(status=InsightStatus.in_review), actor="ana"
        )
        first.commit()
    second.join(timeout=30)
    # The second review saw in_review and changed nothing: one history line, not two.
    assert answers[0].status_code == 200
    assert [(h["to"], h["by"]) for h in answers[0].json()["history"]] == [("in_review", "ana")]
