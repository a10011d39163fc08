"""Interactions over REST: validation, idempotency, batches, filters, cursor paging, audit."""

from __future__ import annotations

from typing import Any

from criterio.auth.roles import Role
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction

api = api_support.api
URL = "/api/v1/interactions"


def test_post_one_is_idempotent_and_updates(api: Api) -> None:
    h = api.headers("acme", Role.integration)
    record = interaction(1)
    assert api.client.post(URL, json=record, headers=h).status_code == 201
    again = api.client.post(URL, json=record, headers=h)
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    changed = api.client.post(URL, json=record | {"language": "pt"}, headers=h)
    # No triage asked: no decision.
    assert changed.json() == {"id": "c-000001", "status": "updated", "decision": None}
    got = api.client.get(f"{URL}/c-000001", headers=h).json()
    assert got["language"] == "pt" and got["turns"][0]["role"] == "customer"


def test_post_one_bad_record_names_the_field(api: Api) -> None:
    h = api.headers()
    bad = interaction(1, outcome={"csat": 9})
    response = api.client.post(URL, json=bad, headers=h)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("outcome.csat:")
    missing = api.client.post(
        URL, json={"id": "x", "started_at": "2026-11-01T00:00:00Z"}, headers=h
    )
    assert "either 'turns' or a non-empty 'text'" in missing.json()["detail"]
    assert api.client.get(URL, headers=h).json()["items"] == []


def test_batch_reports_each_bad_record_and_keeps_the_good(api: Api) -> None:
    h = api.headers()
    records: list[Any] = [interaction(i) for i in range(5)]
    records[1] = interaction(1, started_at="yesterday")
    records[3] = "not an object"
    records.append(interaction(0))  # repeated id in the same batch
    body = api.client.post(f"{URL}/batch", json=records, headers=h).json()
    assert (body["received"], body["inserted"], body["rejected"]) == (6, 3, 3)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "started_at"),
        (3, "(record)"),
        (5, "id"),
    ]
    assert body["errors"][0]["record_id"] == "c-000001"
    again = api.client.post(f"{URL}/batch", json=[interaction(i) for i in range(5)], headers=h)
    assert (again.json()["inserted"], again.json()["unchanged"]) == (2, 3)
    too_big = api.client.post(f"{URL}/batch", json=[interaction(1)] * 1001, headers=h)
    assert too_big.status_code == 422


def _ids(api: Api, **params: Any) -> list[str]:
    response = api.client.get(URL, params=params, headers=api.headers())
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters(api: Api) -> None:
    records = [
        interaction(
            i,
            channel=["chat", "email"][i % 2],
            outcome={"handled_by": ["bot", "human"][i % 3 == 0]},
        )
        for i in range(12)
    ]
    api.client.post(f"{URL}/batch", json=records, headers=api.headers())
    assert len(_ids(api, channel="email")) == 6
    assert len(_ids(api, language="es")) == 6
    assert len(_ids(api, handled_by="human")) == 4
    assert _ids(api, attr="queue=tech", channel="chat") == []
    assert len(_ids(api, attr=["queue=tech", "region=ES-MD"])) == 6
    assert _ids(api, since="2026-11-03T00:00:00Z", until="2026-11-04T00:00:00Z") == ["c-000002"]
    assert _ids(api, customer_id="k-7") == ["c-000007"]
    bad = api.client.get(URL, params={"attr": "novalue"}, headers=api.headers())
    assert bad.status_code == 422 and "KEY=VALUE" in bad.json()["detail"]
    naive = api.client.get(URL, params={"since": "2026-11-03T00:00:00"}, headers=api.headers())
    assert naive.status_code == 422


def test_cursor_pages_cover_everything_once(api: Api) -> None:
    records = [
        interaction(
            i,
            started_at="2026-11-05T10:00:00Z" if i < 10 else f"2026-11-{1 + i % 28:02d}T09:00:00Z",
        )
        for i in range(40)
    ]
    api.client.post(f"{URL}/batch", json=records, headers=api.headers())
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get(URL, params=params, headers=api.headers()).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(r["id"] for r in records) and len(seen) == 40
    bad = api.client.get(URL, params={"cursor": "%%%"}, headers=api.headers())
    assert bad.status_code == 422


def test_get_missing_is_404(api: Api) -> None:
    response = api.client.get(f"{URL}/nope", headers=api.headers())
    assert response.status_code == 404 and "nope" in response.json()["detail"]


def test_reads_and_writes_are_audited(api: Api) -> None:
    analyst = api.headers("acme", Role.analyst)
    api.client.post(URL, json=interaction(3), headers=api.headers("acme", Role.integration))
    api.client.get(f"{URL}/c-000003", headers=analyst)
    api.client.get(URL, headers=analyst)
    events = api.client.get(
        "/api/v1/audit", params={"resource_id": "c-000003"}, headers=api.headers()
    ).json()["items"]
    assert [(e["actor"], e["action"]) for e in events] == [
        ("acme-analyst", "read"),
        ("acme-analyst", "read"),
        ("acme-integration", "write"),
    ]
    assert all(e["request_id"] and e["outcome"] == "success" for e in events)
    only_reads = api.client.get(
        "/api/v1/audit", params={"action": "read", "limit": 1}, headers=api.headers()
    ).json()
    assert len(only_reads["items"]) == 1 and only_reads["next_cursor"]
    nxt = api.client.get(
        "/api/v1/audit",
        params={"action": "read", "cursor": only_reads["next_cursor"]},
        headers=api.headers(),
    ).json()
    assert nxt["items"][0]["pk"] < only_reads["items"][0]["pk"]


def test_nul_characters_are_refused_with_the_field(api: Api) -> None:
    bad = interaction(1, turns=[{"role": "customer", "text": "hola\x00"}])
    response = api.client.post(f"{URL}/batch", json=[bad, interaction(2)], headers=api.headers())
    assert response.json()["errors"][0]["field"] == "turns.0.text"
    assert response.json()["inserted"] == 1
    query = api.client.get(URL, params={"language": "e\x00s"}, headers=api.headers())
    assert query.status_code == 422 and "NUL" in query.json()["detail"]


def test_batch_write_is_one_audit_event_naming_every_record(api: Api) -> None:
    h = api.headers("acme", Role.integration)
    records: list[Any] = [interaction(i) for i in range(4)]
    records.append(interaction(9, tenant="globex"))  # refused: not stored, not named
    body = api.client.post(f"{URL}/batch", json=records, headers=h).json()
    assert (body["inserted"], body["rejected"]) == (4, 1)
    writes = api.client.get(
        "/api/v1/audit", params={"action": "write"}, headers=api.headers()
    ).json()["items"]
    assert len(writes) == 1
    event = writes[0]
    assert event["actor"] == "acme-integration" and event["request_id"]
    assert event["resource_type"] == "interaction" and event["outcome"] == "success"
    assert event["detail"]["ids"] == [f"c-{i:06d}" for i in range(4)]
    assert event["detail"]["inserted"] == 4
    # The audit query by resource id finds the batch event through its list of ids.
    for rid, expected in (("c-000002", 1), ("c-000009", 0), ("c-00000", 0)):
        found = api.client.get(
            "/api/v1/audit", params={"resource_id": rid}, headers=api.headers()
        ).json()["items"]
        assert len(found) == expected, rid
    # Another tenant's admin sees none of it.
    other = api.client.get(
        "/api/v1/audit",
        params={"resource_id": "c-000002"},
        headers=api.headers("globex", Role.admin),
    ).json()["items"]
    assert other == []


def test_raw_record_rows_match_the_pydantic_rows() -> None:
    import orjson

    from criterio.interactions._fast import plain_row
    from criterio.interactions.api_body import batch_rows

    no_tenant = {k: v for k, v in interaction(21).items() if k != "tenant"}
    good = [interaction(i) for i in range(20)] + [interaction(20, tenant=" acme "), no_tenant]
    # Raw texts take the compiled decoder (the lax " acme " falls back to pydantic);
    # parsed values always go through pydantic: the rows must be the same.
    fast, positions, problems = batch_rows([orjson.dumps(r) for r in good], "acme")
    slow, slow_positions, slow_problems = batch_rows(good, "acme")
    assert positions == slow_positions == list(range(22)) and problems == slow_problems == []
    ignored = ("created_at", "updated_at", "import_id")  # set by store_rows

    def comparable(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in plain_row(row).items() if k not in ignored}

    assert [comparable(r) for r in fast] == [comparable(r) for r in slow]
    assert {r["tenant"] for r in fast} == {"acme"}
    mixed: list[Any] = [
        interaction(1),
        interaction(2, tenant="globex"),
        interaction(3) | {"id": "k\x00ey"},
        interaction(4, attributes={"q\x00": "v"}),
        interaction(5, turns=[{"role": "agent", "text": "a\\u0000b"}]),  # escaped, not NUL
        [1, 2],
    ]
    for items in (mixed, [orjson.dumps(r) for r in mixed]):
        _, kept, found = batch_rows(items, "acme")
        assert kept == [0, 4]
        assert [(p.index, p.field) for p in found] == [
            (1, "tenant"),
            (2, "id"),
            (3, "attributes.q\x00"),
            (5, "(record)"),
        ]


def test_bodies_that_are_not_json_arrays_get_fastapi_s_answers(api: Api) -> None:
    h = api.headers("acme", Role.integration)
    json_type = h | {"content-type": "application/json"}
    for content, kind in (
        (b"[{]", "json_invalid"),
        (b'{"id": "x"}', "list_type"),
        (b"", "missing"),
    ):
        response = api.client.post(f"{URL}/batch", content=content, headers=json_type)
        assert response.status_code == 422 and response.json()["detail"][0]["type"] == kind
    text = api.client.post(
        f"{URL}/batch", content=b"[]", headers=h | {"content-type": "text/plain"}
    )
    assert text.status_code == 422 and text.json()["detail"][0]["type"] == "list_type"
    one = api.client.post(URL, content=b"[1]", headers=json_type)
    assert one.status_code == 422 and one.json()["detail"][0]["type"] == "dict_type"
    nan = api.client.post(  # JSON only Python's parser reads: judged per record as before
        f"{URL}/batch", content=b'[{"id": "n", "csat": NaN}]', headers=json_type
    )
    assert nan.status_code == 200 and nan.json()["rejected"] == 1
    deep = b"[" * 100_000 + b"]" * 100_000  # nested past any parser's depth: 400, as FastAPI
    deep_record = b'[{"id": "d", "attributes": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001 + b"]"
    for url, content in ((f"{URL}/batch", deep), (f"{URL}/batch", deep_record), (URL, deep)):
        response = api.client.post(url, content=content, headers=json_type)
        assert response.status_code == 400, response.text


def test_large_batch_reports_inserted_updated_unchanged(api: Api) -> None:
    # 60 records: above the size where PostgreSQL stages a batch through COPY.
    h = api.headers("acme", Role.integration)
    records = [interaction(i) for i in range(60)]
    first = api.client.post(f"{URL}/batch", json=records, headers=h).json()
    assert (first["inserted"], first["updated"], first["unchanged"]) == (60, 0, 0)
    records[:10] = [interaction(i, language="pt") for i in range(10)]
    again = api.client.post(f"{URL}/batch", json=records, headers=h).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 10, 50)
    assert api.client.get(f"{URL}/c-000003", headers=h).json()["language"] == "pt"
    assert api.client.get(f"{URL}/c-000013", headers=h).json()["language"] == "es"
