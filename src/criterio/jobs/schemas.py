"""Wire formats of jobs (what `criterio jobs list --json` prints) and the duration syntax."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["JOB_NAMES", "JobRunRead", "ScheduleRead", "format_every", "parse_every"]

#: The jobs a worker runs, and their default period for a tenant that set none.
JOB_NAMES = ("analyze", "detect", "topics", "outcomes", "webhooks", "learn", "metrics")

_DURATION = re.compile(r"(\d+)\s*(s|m|h|d)")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: A period longer than a year is a typo, not a schedule.
MAX_EVERY = 366 * 86400


def parse_every(text: str) -> int:
    """Seconds in a period such as ``30s``, ``5m``, ``1h``, ``1d`` or ``1h30m``.

    ValueError names what is wrong: no unit, an unknown unit, zero, over a year.
    """
    value = text.strip().lower()
    if not value:
        raise ValueError("empty period: use e.g. 30s, 5m, 1h, 1d")
    pos, total = 0, 0
    for match in _DURATION.finditer(value):
        if match.start() != pos:
            break
        total += int(match.group(1)) * _UNIT[match.group(2)]
        pos = match.end()
    if pos != len(value):
        raise ValueError(f"{text!r} is not a period: use e.g. 30s, 5m, 1h, 1d or 1h30m")
    if total <= 0:
        raise ValueError(f"{text!r}: a period must be longer than zero")
    if total > MAX_EVERY:
        raise ValueError(f"{text!r}: a period must be at most 366 days")
    return total


def format_every(seconds: int) -> str:
    """The shortest spelling of a period (``300`` → ``5m``, ``5400`` → ``1h30m``)."""
    parts = []
    for unit in ("d", "h", "m", "s"):
        size = _UNIT[unit]
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


class ScheduleRead(BaseModel):
    """One job schedule of a tenant."""

    model_config = ConfigDict(from_attributes=True)

    tenant: str
    job: str
    every_seconds: int
    enabled: bool
    next_run_at: datetime
    locked_by: str | None
    locked_until: datetime | None


class JobRunRead(BaseModel):
    """One run of a job."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tenant: str
    job: str
    scheduled_for: datetime
    attempt: int
    status: str
    worker: str
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None
    error: str | None
    summary: str | None
