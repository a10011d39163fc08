"""Request size limits: 413 before a big body is read, contract limits per record, short 422s."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from criterio.auth.roles import Role
from criterio.config import Settings
from criterio.db import make_session_factory
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.interactions.schemas import MAX_INTERACTION_CHARS, MAX_TEXT_CHARS, MAX_TURNS
from criterio.web import create_app
from tests.api_support import seed
from tests.server_support import free_port, wait_ready

URL = "/api/v1/interactions"


def _record(i: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"l-{i}",
        "started_at": "2026-11-02T09:00:00Z",
        "turns": [{"role": "customer", "text": "hola"}],
        **changes,
    }


@pytest.fixture
def small(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with small limits: 4 KiB bodies, batches of 3."""
    app = create_app(Settings(database_url=database_url, max_request_bytes=4096, max_batch=3))
    with TestClient(app) as client:
        tokens = seed(make_session_factory(app.state.engine))
        token = tokens[("acme", Role.admin)]
        yield client, {"Authorization": f"Bearer {token}"}


def test_a_declared_body_over_the_limit_gets_413(
    small: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small
    body = json.dumps([_record(i) for i in range(3)] + [{"pad": "x" * 5000}])
    response = client.post(
        f"{URL}/batch", content=body, headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "4,096 bytes" in response.json()["detail"]
    assert "CRITERIO_MAX_REQUEST_BYTES" in response.json()["detail"]


def test_a_streamed_body_over_the_limit_gets_413(
    small: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'[{"id": "a", "text": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}]'

    response = client.post(
        f"{URL}/batch", content=chunks(), headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_a_body_under_the_limit_and_a_batch_over_the_count(
    small: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small
    ok = client.post(f"{URL}/batch", json=[_record(i) for i in range(3)], headers=headers)
    assert ok.status_code == 200 and ok.json()["inserted"] == 3
    too_many = client.post(f"{URL}/batch", json=[_record(i) for i in range(4)], headers=headers)
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == (
        "batch: 4 records; at most 3 per request (CRITERIO_MAX_BATCH)"
    )


OVERSIZED = [
    (
        _record(turns=[{"role": "customer", "text": "a"}] * (MAX_TURNS + 1)),
        "turns",
        f"at most {MAX_TURNS} items",
    ),
    (
        _record(turns=[{"role": "agent", "text": "b" * MAX_TEXT_CHARS}] * 3),
        "turns",
        f"at most {MAX_INTERACTION_CHARS:,} are accepted",
    ),
    (
        _record(turns=[{"role": "agent", "text": "c" * (MAX_TEXT_CHARS + 1)}]),
        "turns.0.text",
        f"at most {MAX_TEXT_CHARS} characters",
    ),
]


def test_oversized_records_are_refused_naming_the_field_in_api_and_import(
    database_url: str,
) -> None:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        factory = make_session_factory(app.state.engine)
        token = seed(factory)[("acme", Role.admin)]
        for n, (record, field, words) in enumerate(OVERSIZED):
            good = _record(100 + n)
            response = client.post(
                f"{URL}/batch", json=[record, good], headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
            body = response.json()
            assert (body["inserted"], body["rejected"]) == (1, 1)
            error = body["errors"][0]
            assert (error["index"], error["record_id"], error["field"]) == (0, "l-1", field)
            assert words in error["message"]
            # The same record in a file: rejected with the same field, the good one stored.
            raw = [
                RawRecord("calls.jsonl", "line 1", json.dumps(record | {"id": "f-1"}).encode()),
                RawRecord("calls.jsonl", "line 2", json.dumps(_record(200 + n)).encode()),
            ]
            report = ingest_records(factory, raw, tenant="acme")
            assert (report.inserted, report.rejected) == (1, 1)
            assert (report.errors[0].field, report.errors[0].record_id) == (field, "f-1")


def test_a_422_quotes_only_an_excerpt_of_a_big_input(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        token = seed(make_session_factory(app.state.engine))[("acme", Role.admin)]
        huge = "y" * 1_000_000
        # A list where one object is expected: FastAPI's own validation answers.
        response = client.post(URL, json=[huge], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert len(response.content) < 1000
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_the_server_answers_413_without_reading_a_huge_body(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CRITERIO_DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
        "CRITERIO_MAX_REQUEST_BYTES": "1048576",
    }
    log = tmp_path / "serve.log"
    command = [str(Path(sys.executable).parent / "criterio"), "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process, log)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            # 100 MB announced, 1 KB sent: the answer must come without the rest.
            sock.sendall(
                b"POST /api/v1/interactions/batch HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n" + b"[" * 1024
            )
            began = time.monotonic()
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413")
        assert time.monotonic() - began < 5
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_listing_of_big_records_is_cut_into_pages_by_size(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        token = seed(make_session_factory(app.state.engine))[("acme", Role.admin)]
        headers = {"Authorization": f"Bearer {token}"}
        big = [{"role": "agent", "text": "z" * MAX_TEXT_CHARS}] * 2  # the most one record holds
        batch = [_record(i, turns=big) for i in range(12)]
        assert client.post(f"{URL}/batch", json=batch, headers=headers).json()["inserted"] == 12
        seen: list[str] = []
        pages = []
        cursor = None
        while True:
            params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
            page = client.get(URL, params=params, headers=headers).json()
            pages.append(len(page["items"]))
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    assert pages == [10, 2]  # 2,000,000 characters of text a page at most
    assert sorted(seen) == sorted(r["id"] for r in batch)
