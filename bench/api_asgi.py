"""The app's own CPU per request, in-process: no HTTP server, no client, no sockets.

Calls the ASGI app directly (uvloop, 8 requests in flight, after 50 unmeasured ones) on
a fresh SQLite or PostgreSQL database with the same tenant and token as bench/api.py,
and reports the process's CPU time (every thread) per request for the floor
(``GET /healthz``), authentication (``GET /api/v1/me``), one stored interaction
(``POST /api/v1/interactions``, the access log formatted as in the server) and, with
``--model-dir`` (bench/triage_api.py's calibrated model), ``POST /api/v1/triage``.
Less noisy than bench/api.py on a shared machine (nothing else of the benchmark
competes for the cores), and what ``py-spy record --gil`` profiles best.

    python bench/api_asgi.py --requests 3000
    python bench/api_asgi.py --backend postgresql --phases triage --model-dir /tmp/m
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api import _database, _drop, _prepare, record
from bench.triage_api import _champion, _records

PATHS = {
    "healthz": ("GET", "/healthz"),
    "me": ("GET", "/api/v1/me"),
    "single": ("POST", "/api/v1/interactions"),
    "triage": ("POST", "/api/v1/triage"),
}
WARM = 50
IN_FLIGHT = 8


async def _phase(app: Any, token: str, phase: str, count: int) -> dict[str, Any]:
    method, path = PATHS[phase]
    total = count + WARM
    if phase == "single":
        bodies = [json.dumps(record(i, "asgi")).encode() for i in range(total)]
    elif phase == "triage":
        bodies = _records(total, prefix="asgi")
    else:
        bodies = [b""] * total
    headers = [
        (b"host", b"127.0.0.1"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]
    statuses: dict[int, int] = {}

    async def one(i: int) -> None:
        body = bodies[i]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:  # the app asks again only to watch for a disconnect
                await asyncio.Event().wait()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1

        await app(scope, receive, send)

    for i in range(WARM):
        await one(i)
    statuses.clear()
    following = iter(range(WARM, total))

    async def worker() -> None:
        for i in following:
            await one(i)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"phase": phase, "requests": count, "cpu_ms": 1000 * cpu / count,
            "wall_ms": 1000 * wall / count, "statuses": statuses}  # fmt: skip


async def _run(url: str, token: str, phases: list[str], count: int) -> list[dict[str, Any]]:
    from criterio.config import Settings
    from criterio.web.app import create_app

    app = create_app(Settings(database_url=url, log_level="INFO"))
    # The access log is formatted as in the server, and written nowhere.
    for handler in logging.getLogger("criterio").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives with the process
    async with app.router.lifespan_context(app):
        return [await _phase(app, token, phase, count) for phase in phases]


def main() -> None:
    """Parse arguments, run the phases, print and save the results."""
    import uvloop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests a phase")
    parser.add_argument("--phases", default="healthz,me,single", help="comma-separated")
    parser.add_argument("--model-dir", type=Path, help="a calibrated model (for triage)")
    parser.add_argument("--output", type=Path, help="JSON results (default: print only)")
    args = parser.parse_args()
    phases = args.phases.split(",")
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        url, pg_name = _database(args.backend, Path(tmp))
        try:
            token = _prepare(url)
            if "triage" in phases:
                if args.model_dir is None:
                    parser.error("the triage phase needs --model-dir")
                _champion(url, args.model_dir / "model")
            rows = uvloop.run(_run(url, token, phases, args.requests))
        finally:
            if pg_name:
                _drop(pg_name)
    load_end = os.getloadavg()
    print(f"load average (1, 5, 15 min): start {load_start}, end {load_end}")
    for r in rows:
        print(
            f"{args.backend:<11}{r['phase']:<9}{r['requests']:>7}  CPU {r['cpu_ms']:6.3f} ms/req"
            f"  wall {r['wall_ms']:6.3f} ms/req  {r['statuses']}"
        )
    if args.output:
        args.output.write_text(
            json.dumps(
                {
                    "command": " ".join(["python", "bench/api_asgi.py", *sys.argv[1:]]),
                    "load_average_start": load_start,
                    "load_average_end": load_end,
                    "backend": args.backend,
                    "results": rows,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
