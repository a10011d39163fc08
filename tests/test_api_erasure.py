"""Right to erasure: no trace of the customer's texts in any table, and an audit record."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.engine import Engine

from criterio.auth.roles import Role
from tests import api_support
from tests.api_support import Api
from tests.factories import interaction

api = api_support.api


def _readable(value: Any) -> str:
    """A value as text, JSON unescaped (SQLite keeps ``\\u00ed`` for ``í`` in JSON columns)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict | list | str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _all_text(engine: Engine) -> str:
    """Every value of every column of every table, as one string."""
    inspector = inspect(engine)
    chunks: list[str] = []
    with engine.connect() as connection:
        for name in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(name)]
            stmt = select(*(column(c) for c in columns)).select_from(table(name))
            for row in connection.execute(stmt.execution_options(tenant_scope_exempt="test scan")):
                chunks.extend(_readable(v) for v in row if v is not None)
    return "\n".join(chunks)


def test_erasure_leaves_no_trace(api: Api) -> None:
    engine = api.app.state.engine
    # A table derived from interactions, as analysis domains will have, with its own copy
    # of text: erasure must reach it through ON DELETE CASCADE.
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE derived_notes ("
                + (
                    "pk SERIAL PRIMARY KEY, "
                    if engine.dialect.name == "postgresql"
                    else "pk INTEGER PRIMARY KEY, "
                )
                + "interaction_pk BIGINT NOT NULL REFERENCES interactions(pk) ON DELETE CASCADE, "
                "note TEXT)"
            )
        )
    texts = ["Soy Lucía Pérez, mi DNI es 12345678Z", "Llamadme al 612 345 678 por favor"]
    mine = [
        interaction(1, customer_id="k-lucia", turns=[{"role": "customer", "text": texts[0]}]),
        interaction(2, customer_id="k-lucia", text=texts[1], turns=[]),
    ]
    others = [interaction(i, customer_id="k-other") for i in range(3, 6)]
    h = api.headers()
    assert (
        api.client.post("/api/v1/interactions/batch", json=mine + others, headers=h).json()[
            "inserted"
        ]
        == 5
    )
    api.client.get("/api/v1/interactions/c-000001", headers=h)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO derived_notes (interaction_pk, note) "
                "SELECT pk, 'summary: ' || external_id || ' Lucía Pérez 12345678Z' "
                "FROM interactions "
                "WHERE tenant = 'acme' AND customer_id = 'k-lucia'"
            ).execution_options(tenant_scope_exempt="test setup")
        )
    before = _all_text(engine)
    assert texts[0] in before and "12345678Z" in before

    response = api.client.delete("/api/v1/customers/k-lucia", headers=h)
    assert response.status_code == 200 and response.json()["deleted"] == 2

    after = _all_text(engine)
    for needle in (*texts, "12345678Z", "Lucía", "k-lucia", "612 345 678"):
        assert needle not in after, needle
    assert api.client.get("/api/v1/interactions/c-000001", headers=h).status_code == 404
    assert len(api.client.get("/api/v1/interactions", headers=h).json()["items"]) == 3
    events = api.client.get("/api/v1/audit", params={"action": "erase"}, headers=h).json()["items"]
    assert len(events) == 1
    assert events[0]["resource_id"] == response.json()["reference"]
    assert events[0]["detail"] == {"deleted": 2} and events[0]["actor"] == "acme-admin"
    again = api.client.delete("/api/v1/customers/k-lucia", headers=h)
    assert again.json()["deleted"] == 0


def test_only_admins_erase(api: Api) -> None:
    api.client.post("/api/v1/interactions", json=interaction(1), headers=api.headers())
    for role in (Role.lead, Role.analyst, Role.agent, Role.integration):
        response = api.client.delete("/api/v1/customers/k-1", headers=api.headers("acme", role))
        assert response.status_code == 403
    assert api.client.get("/api/v1/interactions/c-000001", headers=api.headers()).status_code == 200
