"""``criterio serve`` as users run it: a real Uvicorn process, and its proxy setting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(tmp_path: Path, *options: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    command = [
        str(Path(sys.executable).parent / "criterio"),
        "serve",
        "--port",
        str(port),
        *options,
    ]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("criterio serve did not answer /healthz")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _login_cookie(base: str, proto: str) -> str:
    response = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": proto})
    assert response.status_code == 200
    return response.headers["set-cookie"]


def test_a_trusted_proxy_makes_cookies_secure_an_untrusted_one_does_not(tmp_path: Path) -> None:
    with _serving(tmp_path) as base:  # default: trust a proxy on this host
        assert "Secure" in _login_cookie(base, "https")
        assert "Secure" not in _login_cookie(base, "http")
    with _serving(tmp_path, "--forwarded-allow-ips", "10.9.9.9") as base:
        assert "Secure" not in _login_cookie(base, "https")
