"""Real-time triage latency: ``POST /api/v1/triage`` at a fixed rate, ``/healthz`` beside it.

Starts ``criterio serve``'s app under Uvicorn (as bench/api.py does) on SQLite and on
PostgreSQL, with a tenant whose champion intent model is calibrated (a model fitted on
BANKING77 training messages, the tenant's default settings, and its cross-validated
evidence). A load generator then sends, open loop, ``--rate`` triage requests a second
(BANKING77 test messages, each a new interaction; a customer comes back now and then)
and ``--rate`` GETs of the server's own ``/healthz`` a second, interleaved, for
``--seconds``: the health check is the floor (HTTP and the server, no work). Prints p50,
p99 and errors of both (and the server's unhandled errors by type, from its log) and
writes bench/results/triage_api.json.

    python bench/triage_api.py                      # both stores, 200/s for 15 s
    python bench/triage_api.py --seconds 60         # the full minute
    python bench/triage_api.py --backend sqlite --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77
from bench.api import _database, _drop, _free_port, _prepare, _server_cpu, _wait_ready

RESULTS = Path(__file__).parent / "results" / "triage_api.json"
#: Intents of the bench tenant's model (the first of BANKING77's, in name order).
INTENTS = 20
PER_INTENT = 40


def _model(root: Path) -> Path:
    """A calibrated intent model of the bench tenant (fitted here, a minute or two)."""
    from criterio.analysis.modelstore import save_model
    from criterio.learning.training import fit_intent_model
    from criterio.triage.files import evidence_for_model, save_evidence

    texts, labels = banking77("train")
    chosen = sorted(set(labels))[:INTENTS]
    counts: dict[str, int] = {}
    rows = []
    for text, label in zip(texts, labels, strict=True):
        if label in chosen and counts.get(label, 0) < PER_INTENT:
            counts[label] = counts.get(label, 0) + 1
            rows.append((text, label))
    fitted = fit_intent_model([t for t, _ in rows], [v for _, v in rows])
    directory = save_model(fitted.model, root / "model", "intents", fitted.card, version=1)
    evidence, seconds = evidence_for_model(fitted.model, [t for t, _ in rows], [v for _, v in rows])
    save_evidence(directory, evidence, folds=5, seconds=seconds)
    return directory


def _champion(url: str, directory: Path) -> None:
    from criterio.db import make_engine, make_session_factory, session_scope
    from criterio.learning.service import register_model
    from criterio.triage.service import set_policy

    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        register_model(
            session,
            "bench",
            kind="intent",
            version=1,
            directory=directory,
            training={"n_examples": INTENTS * PER_INTENT},
            training_hash="0" * 64,
            metrics={"n_intents": INTENTS},
            by="bench",
        )
        set_policy(session, "bench", {"target_precision": 0.9}, by="bench")
    engine.dispose()


def _records(count: int, prefix: str = "t") -> list[bytes]:
    """Triage request bodies: BANKING77 test messages, new ids, some repeat customers."""
    texts, _ = banking77("test")
    bodies = []
    for i in range(count):
        record = {
            "id": f"{prefix}-{i:07d}",
            "channel": ["chat", "email"][i % 2],
            "started_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:05Z",
            "customer_id": f"k-{i % 3000}",
            "language": "en",
            "text": texts[i % len(texts)],
        }
        bodies.append(json.dumps(record).encode())
    return bodies


# --- load generator (its own process) ---------------------------------------------------


async def _load(url: str, token: str, rate: float, seconds: float) -> dict[str, Any]:
    import aiohttp

    count = int(rate * seconds)
    bodies = _records(count)
    results: dict[str, list[float]] = {"triage": [], "health": []}
    statuses: dict[str, dict[str, int]] = {"triage": {}, "health": {}}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as session:

        async def one(kind: str, body: bytes | None) -> None:
            began = time.perf_counter()
            try:
                if body is None:
                    async with session.get("/healthz") as response:
                        await response.read()
                else:
                    async with session.post(
                        "/api/v1/triage", data=body, headers=headers
                    ) as response:
                        await response.read()
                status = str(response.status)
            except (aiohttp.ClientError, TimeoutError):
                status = "0"  # a reset, refused or timed-out connection
            results[kind].append(time.perf_counter() - began)
            statuses[kind][status] = statuses[kind].get(status, 0) + 1

        # Warm-up (not measured, own ids): every worker loads the tenant's triager once.
        # Rounds of 16 at once, on as many connections, so that every worker gets some
        # (a worker left cold loads the model during the measurement).
        warm = _records(60, prefix="w")
        for body in warm[:12]:
            await one("triage", body)
        for first in range(12, 60, 16):
            await asyncio.gather(*(one("triage", body) for body in warm[first : first + 16]))
        results["triage"].clear()
        statuses["triage"].clear()
        # Tell the orchestrator (which then reads the server's CPU time) and wait for it.
        print("warm", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        tasks = []
        start = time.perf_counter()
        lag = 0.0
        for i in range(count):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                lag = max(lag, -wait)
            tasks.append(asyncio.create_task(one("triage", bodies[i])))
            tasks.append(asyncio.create_task(one("health", None)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    out: dict[str, Any] = {"seconds": elapsed, "max_send_lag_ms": 1000 * lag}
    for kind, latencies in results.items():
        latencies.sort()
        n = len(latencies)
        errors = sum(v for k, v in statuses[kind].items() if not k.startswith("2"))
        out[kind] = {
            "requests": n,
            "statuses": statuses[kind],
            "errors": errors,
            "p50_ms": 1000 * latencies[n // 2] if n else None,
            "p99_ms": 1000 * latencies[min(n - 1, int(n * 0.99))] if n else None,
        }
    return out


# --- orchestration ----------------------------------------------------------------------


def run_backend(backend: str, model: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Serve one backend with the calibrated champion and load it."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, pg_name = _database(backend, workdir)
        try:
            token = _prepare(url)
            _champion(url, model)
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            env = os.environ | {"CRITERIO_DATABASE_URL": url, "CRITERIO_LOG_LEVEL": "WARNING"}
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
                loadgen = subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--_loadgen",
                        base,
                        token,
                        str(args.rate),
                        str(args.seconds),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert loadgen.stdin is not None and loadgen.stdout is not None
                if loadgen.stdout.readline().strip() != "warm":
                    raise RuntimeError("the load generator failed during its warm-up")
                # The server's CPU from here on: the measured requests, not the warm-up
                # (which loads the model in every worker).
                cpu_before = _server_cpu(server.pid)
                loadgen.stdin.write("go\n")
                loadgen.stdin.flush()
                out, _ = loadgen.communicate()
                if loadgen.returncode != 0:
                    raise RuntimeError("the load generator failed")
                result: dict[str, Any] = json.loads(out)
                result["server_cpu_s"] = _server_cpu(server.pid) - cpu_before
            finally:
                server.terminate()
                try:
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                log.close()
                errors = _server_errors(workdir / "server.log")
        finally:
            if pg_name:
                _drop(pg_name)
    return {
        "backend": backend,
        "workers": args.workers,
        "rate": args.rate,
        **result,
        "server_errors": errors,
    }


def _server_errors(path: Path) -> dict[str, int]:
    """The server's unhandled errors by type (its error log: types and frames, no messages)."""
    found: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == "unhandled error":
            kind = f"{entry.get('error')} at {(entry.get('stack') or ['?'])[-1]}"
            found[kind] = found.get(kind, 0) + 1
    return found


def main() -> None:
    """Parse arguments, fit the model, run the chosen backends, print and save the results."""
    if len(sys.argv) > 1 and sys.argv[1] == "--_loadgen":
        url, token, rate, seconds = sys.argv[2:]
        print(json.dumps(asyncio.run(_load(url, token, float(rate), float(seconds)))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="Uvicorn worker processes")
    parser.add_argument("--rate", type=float, default=200, help="triage requests per second")
    parser.add_argument("--seconds", type=float, default=15, help="how long (60: the goal's)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument(
        "--model-dir",
        type=Path,
        help="keep the fitted model here and reuse it when already there (saves minutes)",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.model_dir or Path(tmp)
        model = root / "model"
        if not (model / "triage.json").is_file():
            started = time.perf_counter()
            model = _model(root)
            took = time.perf_counter() - started
            print(f"model fitted and calibrated in {took:.0f} s", flush=True)
        rows = [run_backend(backend, model, args) for backend in backends]
    load_end = os.getloadavg()
    print(f"load average (1, 5, 15 min): start {load_start}, end {load_end}")
    print(
        f"{'backend':<11}{'endpoint':<10}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}  statuses"
    )
    for r in rows:
        for kind in ("triage", "health"):
            k = r[kind]
            print(
                f"{r['backend']:<11}{kind:<10}{k['requests']:>9}{k['p50_ms']:>9.1f}"
                f"{k['p99_ms']:>9.1f}{k['errors']:>8}  {k['statuses']}"
            )
        per_request = 1000 * r["server_cpu_s"] / max(1, r["triage"]["requests"])
        print(
            f"{r['backend']:<11}server CPU {per_request:.2f} ms per triage request (health "
            f"included); send lag at most {r['max_send_lag_ms']:.1f} ms"
        )
        for kind, n in r["server_errors"].items():
            print(f"{r['backend']:<11}server error x{n}: {kind}")
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
                "command": " ".join(["python", "bench/triage_api.py", *sys.argv[1:]]),
                "results": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
