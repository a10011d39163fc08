"""One list of the languages people are shown words in: pages, statements, reports, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from criterio.cli import app
from criterio.languages import LANGUAGES, supported
from criterio.patterns import Detection, statement
from criterio.reports._words import WORDS
from criterio.web.i18n import MESSAGES


def test_every_supported_language_has_the_words_of_pages_and_reports() -> None:
    assert LANGUAGES == ("en", "es")
    assert set(MESSAGES) == set(LANGUAGES)
    assert set(WORDS) == set(LANGUAGES)
    for code in LANGUAGES:
        assert MESSAGES[code].keys() == MESSAGES["en"].keys()
        assert WORDS[code].keys() == WORDS["en"].keys()


@pytest.mark.parametrize(
    ("asked", "used"), [("es", "es"), ("en", "en"), ("fr", "en"), (None, "en")]
)
def test_an_unsupported_language_falls_back_to_english(asked: str | None, used: str) -> None:
    assert supported(asked) == used


def test_statements_are_written_in_each_language() -> None:
    detection = Detection(
        type="spike",
        segment=(("intent", "double_charge"),),
        start=date(2026, 11, 12),
        end=date(2026, 11, 12),
        impact=60,
        strength=8.0,
        magnitude=0.8,
        severity=70.0,
        figures={"ratio": 3.0, "observed": 90, "expected": 30.0, "days": 1},
        examples=["c-1"],
    )
    texts = {code: statement(detection, code) for code in LANGUAGES}
    assert len(set(texts.values())) == len(LANGUAGES)  # each its own words
    assert statement(detection, "fr") == texts["en"]


@pytest.mark.parametrize(
    "command",
    [
        ["report", "--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["insights", "detect"],
    ],
)
def test_cli_language_options_name_the_supported_languages(
    command: list[str], tmp_path: Path
) -> None:
    if command[0] == "report":
        command = [*command, "--out", str(tmp_path / "r.html")]
    result = CliRunner().invoke(app, [*command, "--language", "fr"])
    assert result.exit_code == 2, result.output
    assert "choose es or en" in " ".join(result.output.split())
