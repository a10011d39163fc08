"""`criterio metrics`: the JSON keys of docs/metrics.md, costs, rebuild, clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine, make_session_factory, session_scope
from tests.metrics_data import build

KEYS = [
    "contacts",
    "resolution_rate",
    "first_contact_resolution",
    "repeat_contact_rate",
    "escalation_rate",
    "automation_rate",
    "containment_rate",
    "link_rate",
    "reuse_rate",
    "participation",
]


def test_metrics_command_prints_every_figure_as_json(cli: CliRunner) -> None:
    engine = make_engine(get_settings().database_url)
    with session_scope(make_session_factory(engine)) as session:
        build(session)
    engine.dispose()
    rebuilt = cli.invoke(app, ["metrics", "rebuild", "--tenant", "acme"])
    assert rebuilt.exit_code == 0 and "days recomputed (9 contact rows)" in rebuilt.output
    costs = ["metrics", "costs", "--tenant", "acme", "--human", "6", "--automated", "1"]
    assert cli.invoke(app, costs).exit_code == 0
    period = ["--tenant", "acme", "--from", "2026-11-02", "--to", "2026-11-08"]
    result = cli.invoke(app, ["metrics", *period, "--by", "week", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert all(k in data for k in KEYS)
    assert all(0 <= data[k] <= 1 for k in KEYS if k != "contacts")
    assert data["contacts"] == 8 and data["estimated_savings"] == 3 * 5 - 6
    assert [row["period"] for row in data["series"]] == ["2026-11-02"]
    table = cli.invoke(app, ["metrics", *period])
    assert "first-contact resolution" in table.output and "50.0%" in table.output
    bad = cli.invoke(app, ["metrics", *period, "--cut", "region"])
    assert bad.exit_code == 1 and "'region' is not a segment" in bad.output
    reversed_period = ["--tenant", "acme", "--from", "2026-11-08", "--to", "2026-11-02"]
    assert "is before from" in cli.invoke(app, ["metrics", *reversed_period]).output
