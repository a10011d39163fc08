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
