"""The audit log's page (service): filters checked, cursors read, newest first."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from criterio.auth.service import audit_page, create_tenant, record_audit
from criterio.errors import InvalidInputError


def _events(session: Session, n: int) -> None:
    create_tenant(session, "acme")
    for i in range(n):
        record_audit(
            session, "acme", actor="ana", action="read", resource_type="x", resource_ids=[str(i)]
        )
    session.flush()


def test_pages_follow_their_cursors_newest_first(session: Session) -> None:
    _events(session, 5)
    first = audit_page(session, "acme", limit=2)
    assert [e.resource_id for e in first.items] == ["4", "3"] and first.next_cursor
    second = audit_page(session, "acme", cursor=first.next_cursor, limit=2)
    third = audit_page(session, "acme", cursor=second.next_cursor, limit=2)
    assert [e.resource_id for e in second.items + third.items] == ["2", "1", "0"]
    assert third.next_cursor is None
    assert audit_page(session, "other").items == []  # another tenant sees none of it


def test_a_time_without_zone_is_a_clear_error(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="since: give a time zone"):
        audit_page(session, "acme", since=datetime(2026, 11, 2, 9))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cursor=st.one_of(st.text(max_size=40), st.binary(max_size=12).map(
    lambda b: base64.urlsafe_b64encode(b).decode()
)))  # fmt: skip
def test_any_cursor_is_a_page_or_a_clear_error(session: Session, cursor: str) -> None:
    try:
        page = audit_page(session, "acme", cursor=cursor, limit=3)
    except InvalidInputError as exc:
        assert exc.message.startswith("cursor: ")
    else:
        assert page.items == []  # the tenant has no events: a valid cursor finds none
