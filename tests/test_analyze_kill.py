"""``criterio analyze --workers 2`` killed with -9: its worker processes go with it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from criterio.annotations.models import AnalysisResult
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.interactions import ingest_files
from tests.factories import interaction, write_jsonl

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL"),
]


def _results(database: Path) -> int:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with session_scope(make_session_factory(engine)) as session:
            return int(session.scalar(select(func.count()).select_from(AnalysisResult)) or 0)
    finally:
        engine.dispose()


def test_workers_exit_when_analyze_is_killed(sqlite_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "criterio.db"
    shutil.copy(sqlite_template, database)
    engine = make_engine(f"sqlite:///{database}")
    # Enough interactions that the run is far from done when it is killed.
    records = [interaction(i) for i in range(20_000)]
    ingest_files(make_session_factory(engine), [write_jsonl(tmp_path / "a.jsonl", records)])
    engine.dispose()
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{database}"}
    criterio = str(Path(sys.executable).parent / "criterio")
    log = (tmp_path / "analyze.log").open("wb")
    process = subprocess.Popen(
        [criterio, "analyze", "--workers", "2", "--batch-size", "200"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    parent = psutil.Process(process.pid)
    children: list[psutil.Process] = []
    try:
        # Wait until both workers run and have finished work (results are stored).
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            children = parent.children(recursive=True)
            workers = [c for c in children if "--multiprocessing-fork" in " ".join(c.cmdline())]
            if len(workers) >= 2 and _results(database) > 0:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"analyze never ran two busy workers: {process.poll()=}")
        assert process.poll() is None, "the run finished before it could be killed"
        children = parent.children(recursive=True)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == [], [c.cmdline() for c in alive]
        assert len(gone) >= 2
    finally:
        for child in children:  # never leave orphans behind, even when the test fails
            if child.is_running():
                child.kill()
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
