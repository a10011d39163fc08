"""Schemathesis against the app's own OpenAPI document: no input may cause a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criterio.auth.roles import Role
from tests import api_support
from tests.api_support import Api

api = api_support.api


@pytest.mark.parametrize("role", [Role.admin, Role.agent])
def test_no_server_errors(api: Api, role: Role) -> None:
    schema = schemathesis.openapi.from_dict(api.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    headers = api.headers("acme", role)
    failures: list[str] = []

    def check(operation: Any) -> None:
        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            case = data.draw(operation.as_strategy())
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
            request = {
                k: kwargs[k]
                for k in ("method", "url", "headers", "params", "json", "data")
                if kwargs.get(k) is not None
            }
            response = api.client.request(**request)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()

    for operation in operations:
        check(operation)
    assert failures == []


def test_no_server_errors_in_stateful_sequences(api: Api) -> None:
    """Sequences of calls whose later steps reuse what earlier ones returned (links that
    schemathesis infers from the schema: a posted id read back, and so on)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    headers = api.headers("acme", Role.admin)
    failures: list[str] = []
    statuses: list[int] = []

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

    Sequences.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert failures == []
    assert len(statuses) >= 15 and any(200 <= s < 300 for s in statuses)
