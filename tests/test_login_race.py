"""Login limits under parallel attempts: no more attempts are evaluated than the limits allow."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from criterio.auth import service
from criterio.auth.roles import Role
from criterio.db import session_scope
from criterio.errors import CriterioError

PASSWORD = "correct horse battery staple"


def _attempt(factory: sessionmaker[Session], username: str, password: str, address: str) -> int:
    """The HTTP status a login attempt gets (the login page's own transaction per attempt)."""
    with session_scope(factory) as session:
        try:
            service.login(session, username=username, password=password, address=address)
        except CriterioError as exc:
            # Returned, as the login page does: its transaction commits the failure.
            return exc.status_code
    return 303


def _seed(factory: sessionmaker[Session]) -> None:
    with session_scope(factory) as session:
        service.create_tenant(session, "acme")
        service.create_user(session, "acme", username="ana", role=Role.lead, password=PASSWORD)


def test_parallel_wrong_passwords_for_one_user_get_five_tries(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    with ThreadPoolExecutor(16) as pool:
        statuses = Counter(
            pool.map(
                lambda i: _attempt(session_factory, "ana", f"wrong password {i}", f"10.0.0.{i}"),
                range(40),
            )
        )
    assert statuses == {401: service.LOGIN_LIMIT_PER_USER, 429: 40 - service.LOGIN_LIMIT_PER_USER}
    # Locked out: the right password is refused too until the window has passed.
    assert _attempt(session_factory, "ana", PASSWORD, "10.9.9.9") == 429


def test_parallel_attempts_from_one_address_get_the_address_limit(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    with ThreadPoolExecutor(16) as pool:
        statuses = Counter(
            pool.map(
                lambda i: _attempt(session_factory, f"user-{i}", "wrong password", "10.0.0.1"),
                range(40),
            )
        )
    limit = service.LOGIN_LIMIT_PER_ADDRESS
    assert statuses == {401: limit, 429: 40 - limit}


def test_a_good_password_still_signs_in_and_clears_the_count(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    for _ in range(service.LOGIN_LIMIT_PER_USER - 1):
        assert _attempt(session_factory, "ana", "wrong password", "10.0.0.1") == 401
    assert _attempt(session_factory, "ana", PASSWORD, "10.0.0.1") == 303
    for _ in range(service.LOGIN_LIMIT_PER_USER):
        assert _attempt(session_factory, "ana", "wrong password", "10.0.0.1") == 401
    assert _attempt(session_factory, "ana", "wrong password", "10.0.0.1") == 429
