"""Ingest benchmark: demo interactions from JSONL and Parquet into SQLite and PostgreSQL.

Each case runs in its own process (a fresh database each time) so its peak RSS can be
read from ``os.wait4``. pandas (``read_json(lines=True, chunksize=...)`` / Parquet
batches, then ``DataFrame.to_sql``) is the reference, on the same data in the same run,
on a sample when the full size would take too long.

    python bench/ingest.py                 # 1,000,000 interactions
    python bench/ingest.py --size 20000    # quick
    python bench/ingest.py --tools criterio criterio-1proc pandas   # 2 vs 1 process

``criterio`` decodes in a second process (``ingest_files(parallel=True)``; its CPU time
is in the case's, its memory in the peak RSS when larger), ``criterio-1proc`` does
everything in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ingest.json"
PG_SERVER = os.environ.get("CRITERIO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
TARGETS = {"sqlite": 50_000, "postgresql": 30_000}
RSS_LIMIT_MB = 1024
TOOLS = ("criterio", "criterio-1proc", "pandas")


def _generate(size: int, seed: int, workdir: Path, fmt: str) -> Path:
    """The demo data file for this size and seed (generated once, then reused)."""
    from criterio.demo import DemoGenerator
    from criterio.demo.output import write_records

    path = workdir / f"demo-{size}-{seed}.{fmt}"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(f".tmp.{fmt}")
        write_records(DemoGenerator(size, seed).records(), tmp)
        tmp.rename(path)
        print(f"generated {path} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def _fresh_database(backend: str, workdir: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        path = workdir / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    from sqlalchemy import create_engine, text

    name = f"criterio_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}", name


def _drop_database(name: str | None) -> None:
    if name is None:
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run_child(args: list[str]) -> tuple[dict[str, Any], float]:
    """Run one case in a child process; its JSON result and its peak RSS in MB.

    The result also gets ``process_cpu_seconds``: the child's whole CPU time (imports
    and schema creation included), a figure less sensitive than wall time to other
    jobs on a shared machine.
    """
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"case {args} failed with status {proc.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result["process_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    # Linux reports ru_maxrss in kilobytes.
    return result, usage.ru_maxrss / 1024


# -- children ---------------------------------------------------------------------------


def _child_criterio(path: Path, url: str, parallel: bool) -> dict[str, Any]:
    from criterio.db import make_engine, make_session_factory, upgrade_database
    from criterio.interactions.ingest import ingest_files

    engine = make_engine(url)
    upgrade_database(engine)
    started = time.perf_counter()
    report = ingest_files(make_session_factory(engine), [path], parallel=parallel)
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"records": report.inserted, "rejected": report.rejected, "seconds": seconds}


def _flatten(frame: Any) -> Any:
    import pandas as pd

    # to_sql stores scalars only: nested objects become columns (outcome, attributes)
    # or JSON text (turns, labels).
    parts = [frame.drop(columns=["attributes", "outcome", "turns", "labels"], errors="ignore")]
    for column in ("attributes", "outcome"):
        if column in frame:
            values = [v if isinstance(v, dict) else {} for v in frame[column]]
            parts.append(
                pd.DataFrame.from_records(values, index=frame.index).add_prefix(f"{column}.")
            )
    flat = pd.concat(parts, axis=1)
    for column in ("turns", "labels"):
        if column in frame:
            flat[column] = [json.dumps(v, ensure_ascii=False, default=str) for v in frame[column]]
    for column in ("started_at", "ended_at"):
        if column in flat:
            flat[column] = pd.to_datetime(flat[column], utc=True, format="ISO8601")
    return flat


def _child_pandas(path: Path, url: str, sample: int) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet as pq
    from sqlalchemy import create_engine

    engine = create_engine(url)
    started = time.perf_counter()
    count = 0
    if path.suffix == ".jsonl":
        chunks: Any = pd.read_json(path, lines=True, chunksize=10_000, nrows=sample, dtype=False)
    else:
        batches = pq.ParquetFile(path).iter_batches(batch_size=10_000)
        chunks = (b.to_pandas(maps_as_pydicts="strict") for b in batches)
    for chunk in chunks:
        chunk = chunk.iloc[: sample - count]
        if chunk.empty:
            break
        _flatten(chunk).to_sql("interactions_pandas", engine, if_exists="append", index=False)
        count += len(chunk)
        if count >= sample:
            break
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"records": count, "rejected": 0, "seconds": seconds}


# -- driver -----------------------------------------------------------------------------


def main() -> None:
    """Run every case and print a table; write JSON to bench/results/ingest.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pandas-sample", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/criterio-bench"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--formats", nargs="+", default=["jsonl", "parquet"], choices=["jsonl", "parquet"]
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--tools",
        nargs="+",
        default=["criterio", "pandas"],
        choices=TOOLS,
        help="criterio: decoding in a second process; criterio-1proc: all in one process",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, path, url, *rest = args.child
        result = (
            _child_pandas(Path(path), url, int(rest[0]))
            if tool == "pandas"
            else _child_criterio(Path(path), url, parallel=tool == "criterio")
        )
        print(json.dumps(result))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {
        "benchmark": "ingest",
        "size": args.size,
        "pandas_sample": min(args.pandas_sample, args.size),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "targets": {"per_second": TARGETS, "peak_rss_mb": RSS_LIMIT_MB},
        "results": rows,
    }
    # Each Criterio case is followed by its pandas reference, so every pair is complete
    # even when a long run is stopped; the JSON is rewritten after every case.
    for fmt in args.formats:
        path = _generate(args.size, args.seed, args.workdir, fmt)
        for backend in args.backends:
            for tool in args.tools:
                rows.append(_case(tool, fmt, backend, path, args))
                report["machine"]["load_average_now"] = os.getloadavg()
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _print_table(rows)
    print(f"wrote {args.out}")


def _case(tool: str, fmt: str, backend: str, path: Path, args: Any) -> dict[str, Any]:
    url, name = _fresh_database(backend, args.workdir)
    try:
        extra = [str(min(args.pandas_sample, args.size))] if tool == "pandas" else []
        result, rss = _run_child([tool, str(path), url, *extra])
    finally:
        _drop_database(name)
    rate = result["records"] / result["seconds"]
    row = {
        "tool": tool,
        "format": fmt,
        "backend": backend,
        "records": result["records"],
        "rejected": result["rejected"],
        "seconds": round(result["seconds"], 2),
        "per_second": round(rate),
        "peak_rss_mb": round(rss),
        "process_cpu_seconds": round(result["process_cpu_seconds"], 1),
        "target_per_second": TARGETS[backend] if tool != "pandas" else None,
    }
    print(
        f"{tool:14} {fmt:7} {backend:10} {row['records']:>9,} in {row['seconds']:>8.1f} s = "
        f"{rate:>9,.0f}/s  peak RSS {rss:>6,.0f} MB  load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return row


def _print_table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Ingest: interactions per second and peak RSS (one process per case)")
    for column in (
        "tool",
        "format",
        "backend",
        "records",
        "seconds",
        "per second",
        "peak RSS MB",
        "target",
    ):
        table.add_column(
            column, justify="right" if column not in ("tool", "format", "backend") else "left"
        )
    for row in rows:
        target = row["target_per_second"]
        met = (
            ""
            if target is None
            else (
                "met"
                if row["per_second"] >= target and row["peak_rss_mb"] < RSS_LIMIT_MB
                else "NOT met"
            )
        )
        table.add_row(
            row["tool"],
            row["format"],
            row["backend"],
            f"{row['records']:,}",
            f"{row['seconds']:.1f}",
            f"{row['per_second']:,}",
            f"{row['peak_rss_mb']:,}",
            f"≥{target:,}/s {met}" if target else "reference",
        )
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
