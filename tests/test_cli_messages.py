"""What the command line says, worded for people (issue #10 item 14).

Value labels in --help, counts with the right plural, the analysed language in
`stats`, a clear error for an unknown insight type, validation messages without
pydantic's "Value error," prefix, and one colour per sentiment in the report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

from criterio.cli import app
from criterio.cli._help import plural
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.insights.service import upsert_detections
from criterio.patterns import INSIGHT_TYPES
from tests.insight_data import spike_detection

#: Typer's Python-type labels (``--json <bool>``, ``paths... <list[Path]>``).
#: (A help text may mention ``static:<dir>``: not a label.)
TYPE_LABEL = re.compile(r"(?<!:)<(bool|str|int|float|path|file|dir|list\[[^>]*\])>|<[a-z]+ range>")
DAY = "2026-11-12"
TEXTS = [
    "Muchas gracias, excelente atención, todo perfecto y muy rápido",
    "Es un desastre, pésimo servicio, estoy harto y muy enfadado con la factura",
    "Hola, quiero saber cuándo llega mi pedido, gracias",
]


def _run(cli: CliRunner, *args: str, code: int = 0) -> Result:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def _every_command(group: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _every_command(command, (*path, name))


def test_help_shows_value_labels_not_python_types() -> None:
    runner = CliRunner()
    commands = list(_every_command(typer.main.get_command(app)))
    assert len(commands) > 20
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "300"})
        assert result.exit_code == 0, (path, result.output)
        assert not TYPE_LABEL.search(result.output), (path, result.output)
    ingest = runner.invoke(app, ["ingest", "--help"], env={"COLUMNS": "300"}).output
    assert re.search(r"paths\.\.\.\s+FILE\.\.\.\s+Files to import", ingest)
    assert re.search(r"--tenant\s+TEXT\s", ingest)
    stats = runner.invoke(app, ["stats", "--help"], env={"COLUMNS": "300"}).output
    assert re.search(r"--json\s+Print JSON", stats)  # a flag takes no value
    listing = runner.invoke(app, ["insights", "list", "--help"], env={"COLUMNS": "300"}).output
    assert re.search(r"--limit\s+INTEGER\s", listing)
    assert "[new|in_review|confirmed|dismissed|actioned]" in listing


@pytest.mark.parametrize(
    ("count", "noun", "shown"),
    [
        (0, "day", "0 days"),
        (1, "day", "1 day"),
        (2, "day", "2 days"),
        (1200, "contact", "1,200 contacts"),
    ],
)
def test_counts_take_the_right_plural(count: int, noun: str, shown: str) -> None:
    assert plural(count, noun) == shown


def test_the_cli_wording_from_import_to_report(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    lines = [
        {"id": f"m-{n}", "tenant": "acme", "started_at": f"{DAY}T09:{n:02d}:00Z", "text": text}
        for n, text in enumerate(TEXTS * 4)
    ]
    source = tmp_path / "month.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    _run(cli, "ingest", str(source))

    # Analysed language, not "unknown"; one day, not "1 days".
    before = json.loads(_run(cli, "stats", "--json").output)
    assert before["tenants"]["acme"]["by_language"] == {"unknown": 12}
    _run(cli, "analyze", "--workers", "1")
    after = json.loads(_run(cli, "stats", "--json").output)
    assert after["tenants"]["acme"]["by_language"] == {"es": 12}
    table = _run(cli, "stats").output
    assert re.search(rf"{DAY} … {DAY}\s*│\s*1 day\s", table), table
    assert re.search(r"language\s*│\s*es\s*│\s*12", table), table

    # A record the contract refuses: the validator's own words, without "Value error,".
    bad = tmp_path / "bad.jsonl"
    refused_records = [
        {"id": "x", "tenant": "acme", "started_at": f"{DAY}T10:00:00Z"},
        {"id": "y", "tenant": "acme", "started_at": "1800-01-01T00:00:00Z", "text": "a"},
    ]
    bad.write_text("".join(json.dumps(r) + "\n" for r in refused_records), encoding="utf-8")
    refused = _run(cli, "ingest", str(bad), code=1).output
    assert "(record): either 'turns' or a non-empty 'text' is required" in refused
    assert "started_at: timestamp out of range" in refused
    assert "Value error" not in refused

    # An unknown insight type is an error that lists the known ones.
    wrong = _run(cli, "insights", "list", "--type", "foo", code=2).output
    assert "unknown type 'foo'" in wrong
    assert all(kind in wrong for kind in INSIGHT_TYPES)

    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            found = upsert_detections(
                session, "acme", [spike_detection(date(2026, 11, 12), date(2026, 11, 12))]
            )
            insight_id = str(found.insights[0].id)
    finally:
        engine.dispose()
    long_owner = _run(cli, "insights", "review", insight_id, "--owner", "o" * 201, code=2)
    assert "--owner" in long_owner.output
    assert "at most 200 characters" in long_owner.output
    assert "Value error" not in long_owner.output
    _run(cli, "insights", "review", insight_id, "--status", "in_review")
    _run(cli, "insights", "review", insight_id, "--status", "confirmed", "--interpretation", "ok")
    assert "1 insight" in _run(cli, "insights", "list").output

    out = tmp_path / "report.html"
    args = ["--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)]
    args += ["--language", "en"]
    written = _run(cli, "report", *args).output
    assert "12 contacts, 1 confirmed insight)" in " ".join(written.split())
    _assert_one_colour_per_sentiment(out.read_text("utf-8"))


def _assert_one_colour_per_sentiment(html: str) -> None:
    """Each sentiment's bar and its line in the trend chart have the same colour."""
    bars = dict(re.findall(r'fill="(#[0-9A-Fa-f]{6})"><title>(\w+): ', html))
    bar_colour = {label: colour for colour, label in bars.items()}
    legend = {
        label: colour
        for colour, label in re.findall(
            r'stroke="(#[0-9A-Fa-f]{6})" stroke-width="2"/><text [^>]*>(\w+)</text>', html
        )
    }
    assert {"negative", "positive"} <= set(legend)
    assert legend["positive"] != legend["negative"]
    shared = set(bar_colour) & set(legend)
    assert {"negative", "positive"} <= shared, (bar_colour, legend)
    for label in shared:
        assert bar_colour[label] == legend[label], label
