"""Hostile query strings and cursors: a clear 4xx naming the parameter, never a 500."""

from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criterio.auth.roles import Role
from criterio.errors import InvalidInputError
from criterio.interactions.schemas import check_attribute_name
from tests import api_support
from tests.api_support import Api

api = api_support.api


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _post_one(api: Api) -> None:
    record = {
        "id": "h-1",
        "started_at": "2026-11-02T09:00:00Z",
        "attributes": {"queue": "billing"},
        "text": "no me llega la factura",
    }
    response = api.client.post("/api/v1/interactions", json=record, headers=api.headers())
    assert response.status_code == 201


HOSTILE_FILTERS = [
    ('/api/v1/interactions?attr=queue")) OR 1=1', "attr"),
    ('/api/v1/interactions?attr=que"ue=x', "attr"),
    ("/api/v1/interactions?attr=a%5Cb=x", "attr"),
    ("/api/v1/interactions?attr=a%09b=x", "attr"),
    ('/api/v1/insights?segment=queue"=x', "segment"),
    ('/api/v1/insights?segment=queue")) OR 1=1', "segment"),
    (f"/api/v1/interactions?attr={'k' * 101}=x", "attr"),
]


def test_attribute_names_a_json_path_cannot_quote_are_refused(api: Api) -> None:
    _post_one(api)
    for path, field in HOSTILE_FILTERS:
        response = api.client.get(path, headers=api.headers("acme", Role.admin))
        assert response.status_code == 422, path
        assert response.json()["detail"].startswith(f"{field}: "), path


def test_attribute_names_with_other_punctuation_still_filter(api: Api) -> None:
    _post_one(api)
    for name in ("queue", "región", "a.b", "a[0]", "a'b", "a b", ")) OR 1=1"):
        response = api.client.get(
            "/api/v1/interactions", params={"attr": f"{name}=billing"}, headers=api.headers()
        )
        assert response.status_code == 200, name
        assert len(response.json()["items"]) == (1 if name == "queue" else 0)


BAD_CURSORS = [
    _b64("2026-11-02T09:00:00+00:00|" + "9" * 26),
    _b64("2026-11-02T09:00:00+00:00|-1"),
    _b64("2026-11-02T09:00:00+00:00|" + str(2**63)),
    _b64("2026-11-02T09:00:00+00:00|x"),
    "not base64 at all!",
]
BAD_AUDIT_CURSORS = [_b64("99999999999999999999999"), _b64("-5"), _b64(str(2**63)), "%%%"]


def test_cursors_out_of_range_are_refused(api: Api) -> None:
    _post_one(api)
    for path, cursors in (
        ("/api/v1/interactions", BAD_CURSORS),
        ("/api/v1/audit", BAD_AUDIT_CURSORS),
    ):
        for cursor in cursors:
            response = api.client.get(path, params={"cursor": cursor}, headers=api.headers())
            assert response.status_code == 422, (path, cursor)
            expected = "cursor: not a cursor returned by this endpoint"
            assert response.json()["detail"] == expected


def test_a_cursor_at_the_largest_key_is_a_valid_empty_page(api: Api) -> None:
    _post_one(api)
    cursor = _b64(f"2199-12-31T00:00:00+00:00|{2**63 - 1}")
    response = api.client.get(
        "/api/v1/interactions", params={"cursor": cursor}, headers=api.headers()
    )
    assert response.status_code == 200
    assert response.json()["items"] == []


@settings(max_examples=200, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(max_size=120))
def test_attribute_name_check_accepts_exactly_the_quotable_names(name: str) -> None:
    quotable = (
        0 < len(name) <= 100
        and '"' not in name
        and "\\" not in name
        and all(ord(c) >= 32 and ord(c) != 127 for c in name)
    )
    try:
        assert check_attribute_name(name, "attr") == name
        accepted = True
    except InvalidInputError as exc:
        accepted = False
        assert exc.message.startswith("attr: ")
        assert len(exc.message) < 200  # an excerpt of the name, never all of it
    assert accepted == quotable
