from __future__ import annotations

from tests import api_support
from tests.api_support import Api
from tests.factories import interaction

api = api_support.api


def test_smoke(api: Api) -> None:
    r = api.client.post("/api/v1/interactions", json=interaction(1), headers=api.headers())
    assert r.status_code == 201, r.text
    r = api.client.get("/api/v1/interactions", headers=api.headers())
    assert r.status_code == 200, r.text
    print(r.json())
