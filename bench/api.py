"""REST API throughput: single-interaction POSTs and batches of 500, on SQLite and PostgreSQL.

An overlapping-ids phase then has every client post batches of the same 200 ids, each
batch in its own shuffled order and with new content (what integrations retrying
idempotently do): rows are updated by 8 writers at once, so lock order matters. Its
count of 5xx answers and failed connections must be zero.

Starts ``criterio serve``'s app under Uvicorn in a subprocess on 127.0.0.1, then runs a
bounded load generator (aiohttp or httpx, asyncio) in another subprocess: a fixed number
of requests, each phase stopped early by a time cap. Prints a table (with the CPU time the
server and the load generator spent per request) and writes bench/results/api.json.

    python bench/api.py                       # both backends, 2 workers, default sizes
    python bench/api.py --backend sqlite --single 500 --batches 10   # quick look
    python bench/api.py --single 0 --batches 0 --overlap 200          # overlap phase only
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PG_SERVER = os.environ.get("CRITERIO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
RESULTS = Path(__file__).parent / "results" / "api.json"


def record(i: int, prefix: str) -> dict[str, Any]:
    """A realistic contract record (two turns, attributes, outcome)."""
    return {
        "id": f"{prefix}-{i:07d}",
        "channel": ["chat", "email", "voice"][i % 3],
        "started_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:05Z",
        "customer_id": f"k-{i % 5000}",
        "language": "es" if i % 2 else "en",
        "attributes": {"queue": ["billing", "tech", "sales"][i % 3], "region": "ES-MD"},
        "turns": [
            {"role": "customer", "text": f"Hola, me han cobrado dos veces la factura {i}."},
            {"role": "agent", "text": "Lo reviso ahora mismo y le devuelvo el importe."},
        ],
        "outcome": {"handled_by": "human", "resolved": True, "csat": 1 + i % 5},
    }


#: Ids every overlapping-ids batch carries (in its own order).
OVERLAP_IDS = 200


def overlap_batch(i: int, prefix: str) -> list[dict[str, Any]]:
    """Batch ``i`` of the overlapping-ids phase: the shared ids shuffled, content of its own."""
    order = list(range(OVERLAP_IDS))
    random.Random(i).shuffle(order)
    batch = []
    for j in order:
        item = record(j, prefix)
        item["turns"][0]["text"] += f" (envío {i})"
        batch.append(item)
    return batch


# --- load generator (runs in its own process) -------------------------------------------


async def _load(
    url: str,
    token: str,
    mode: str,
    count: int,
    concurrency: int,
    time_cap: float,
    prefix: str,
    client: str = "aiohttp",
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_index = 0
    stop_at = time.perf_counter() + time_cap
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def build(i: int) -> tuple[str, bytes | None]:
        if mode == "me":
            return "/api/v1/me", None
        if mode == "single":
            return "/api/v1/interactions", json.dumps(record(i, prefix)).encode()
        if mode == "overlap":
            return "/api/v1/interactions/batch", json.dumps(overlap_batch(i, prefix)).encode()
        batch = [record(i * 500 + j, prefix) for j in range(500)]
        return "/api/v1/interactions/batch", json.dumps(batch).encode()

    # Bodies are built before the clock starts, so the load generator's own JSON work
    # does not compete with the server for the two cores during the measurement.
    bodies = [build(i) for i in range(count)]

    def request_body() -> tuple[str, bytes | None]:
        nonlocal next_index
        next_index += 1
        return bodies[next_index - 1]

    def more() -> bool:
        return next_index < count and time.perf_counter() < stop_at

    cpu_start = time.process_time()
    start = time.perf_counter()
    if client == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=60
        ) as session:

            async def worker() -> None:
                while more():
                    path, payload = request_body()
                    began = time.perf_counter()
                    try:
                        if payload is None:
                            response = await session.get(path)
                        else:
                            response = await session.post(path, content=payload)
                        status = response.status_code
                    except httpx.TransportError:
                        status = 0  # a reset or refused connection: counted, not fatal
                    latencies.append(time.perf_counter() - began)
                    statuses[status] = statuses.get(status, 0) + 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    else:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(
            base_url=url, headers=headers, connector=connector, timeout=timeout
        ) as session:

            async def worker() -> None:
                while more():
                    path, payload = request_body()
                    began = time.perf_counter()
                    method = "GET" if payload is None else "POST"
                    try:
                        async with session.request(method, path, data=payload) as response:
                            await response.read()  # the whole answer, as a client would
                        status = response.status
                    except aiohttp.ClientError:
                        status = 0  # a reset or refused connection: counted, not fatal
                    latencies.append(time.perf_counter() - began)
                    statuses[status] = statuses.get(status, 0) + 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "seconds": elapsed,
        "statuses": statuses,
        "loadgen_cpu_s": cpu,
        "p50_ms": 1000 * latencies[n // 2] if n else None,
        "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else None,
    }


def loadgen_main(argv: list[str]) -> None:
    """Entry of the load-generator subprocess: prints its result as JSON."""
    url, token, mode, count, conc, cap, prefix, client = argv
    result = asyncio.run(_load(url, token, mode, int(count), int(conc), float(cap), prefix, client))
    print(json.dumps(result))


# --- orchestration ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    from sqlalchemy import create_engine, text

    name = f"criterio_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}", name


def _drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _prepare(url: str) -> str:
    from criterio.auth import service
    from criterio.auth.roles import Role
    from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database

    engine = make_engine(url)
    upgrade_database(engine)
    with session_scope(make_session_factory(engine)) as session:
        service.create_tenant(session, "bench")
        service.create_user(session, "bench", username="loader", role=Role.integration)
        token = service.create_token(session, "bench", username="loader", name="bench").token
    engine.dispose()
    return token


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 240) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server and its worker processes (user + system)."""
    import psutil

    parent = psutil.Process(pid)
    total = 0.0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_backend(backend: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Serve one backend and run both phases against it."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, pg_name = _database(backend, workdir)
        try:
            token = _prepare(url)
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            env = os.environ | {"CRITERIO_DATABASE_URL": url, "CRITERIO_LOG_LEVEL": "INFO"}
            log = (workdir / "server.log").open("wb")
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "criterio.web.server:app",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env,
                stdout=log,
                stderr=log,
            )
            try:
                _wait_ready(base, server)
                phases = [
                    ("single", args.single, 1),
                    ("batch500", args.batches, 500),
                    ("overlap", args.overlap, OVERLAP_IDS),
                ]
                phases = [phase for phase in phases if phase[1] > 0]
                if args.reference:
                    # An authenticated GET that stores nothing: the cost of HTTP + auth alone.
                    phases.insert(0, ("me", args.single, 0))
                for mode, count, per_request in phases:
                    cpu_before = _server_cpu(server.pid)
                    out = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--_loadgen",
                            base,
                            token,
                            {"batch500": "batch"}.get(mode, mode),
                            str(count),
                            str(args.concurrency),
                            str(args.time_cap),
                            f"{backend}-{mode}",
                            args.client,
                        ],
                        capture_output=True,
                        check=True,
                        text=True,
                    )
                    result = json.loads(out.stdout)
                    result["server_cpu_s"] = _server_cpu(server.pid) - cpu_before
                    # JSON object keys are text: status 0 (a failed connection) is "0".
                    result["failures_5xx_or_reset"] = sum(
                        n
                        for code, n in result["statuses"].items()
                        if int(code) >= 500 or code == "0"
                    )
                    rate = result["requests"] / result["seconds"]
                    rows.append(
                        {
                            "backend": backend,
                            "phase": mode,
                            "workers": args.workers,
                            "concurrency": args.concurrency,
                            **result,
                            "requests_per_s": rate,
                            "interactions_per_s": rate * per_request,
                        }
                    )
            finally:
                server.terminate()
                server.wait(timeout=30)
                log.close()
                if os.environ.get("BENCH_SERVER_LOG"):
                    Path(os.environ["BENCH_SERVER_LOG"]).write_bytes(
                        (workdir / "server.log").read_bytes()
                    )
        finally:
            if pg_name:
                _drop(pg_name)
    return rows


def main() -> None:
    """Parse arguments, run the chosen backends, print and save the results."""
    if len(sys.argv) > 1 and sys.argv[1] == "--_loadgen":
        loadgen_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn worker processes")
    parser.add_argument("--single", type=int, default=5000, help="single POSTs per backend")
    parser.add_argument("--batches", type=int, default=60, help="batch POSTs (500 each)")
    parser.add_argument(
        "--overlap",
        type=int,
        default=80,
        help=f"overlapping-ids batch POSTs ({OVERLAP_IDS} shared ids, shuffled; 0: skip)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--time-cap", type=float, default=60, help="seconds per phase at most")
    parser.add_argument(
        "--client",
        choices=["aiohttp", "httpx"],
        default="aiohttp",
        help="HTTP client of the load generator (httpx costs several times more CPU)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also time GET /api/v1/me (HTTP + authentication, no write)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    # The machine is shared: record how busy it was, so figures can be read in context.
    load_start = os.getloadavg()
    rows = [row for backend in backends for row in run_backend(backend, args)]
    load_end = os.getloadavg()
    print(f"load average (1, 5, 15 min): start {load_start}, end {load_end}")
    print(
        f"{'backend':<11}{'phase':<10}{'requests':>9}{'req/s':>9}{'interactions/s':>16}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'server cpu ms/req':>19}{'loadgen cpu ms/req':>20}"
        f"{'5xx+reset':>10}  statuses"
    )
    for r in rows:
        n = max(r["requests"], 1)
        print(
            f"{r['backend']:<11}{r['phase']:<10}{r['requests']:>9}{r['requests_per_s']:>9.0f}"
            f"{r['interactions_per_s']:>16.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{1000 * r['server_cpu_s'] / n:>19.2f}{1000 * r['loadgen_cpu_s'] / n:>20.2f}"
            f"{r['failures_5xx_or_reset']:>10}  {r['statuses']}"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "load_average_start": load_start,
                    "load_average_end": load_end,
                },
                "command": " ".join(["python", "bench/api.py", *sys.argv[1:]]),
                "results": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
