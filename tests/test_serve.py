"""``criterio serve`` as users run it: a real Uvicorn process, and its proxy setting."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.server_support import free_port, wait_ready


@contextmanager
def _serving(tmp_path: Path, *options: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    command = [str(Path(sys.executable).parent / "criterio"), "serve", "--port", str(port)]
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, *options], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _login(base: str, proto: str) -> httpx.Response:
    response = httpx.get(f"{base}/login", headers={"X-Forwarded-Proto": proto})
    assert response.status_code == 200
    return response


def _login_cookie(base: str, proto: str) -> str:
    return _login(base, proto).headers["set-cookie"]


def _hsts(base: str, proto: str) -> str | None:
    return _login(base, proto).headers.get("strict-transport-security")


def test_a_trusted_proxy_makes_cookies_secure_an_untrusted_one_does_not(tmp_path: Path) -> None:
    with _serving(tmp_path) as base:  # default: trust a proxy on this host
        assert "Secure" in _login_cookie(base, "https")
        assert "Secure" not in _login_cookie(base, "http")
        assert _hsts(base, "https") == "max-age=31536000"
        assert _hsts(base, "http") is None
    with _serving(tmp_path, "--forwarded-allow-ips", "10.9.9.9") as base:
        assert "Secure" not in _login_cookie(base, "https")
        assert _hsts(base, "https") is None
