"""Small intent and topic models trained the way a user trains them (the CLI)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from criterio.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "models" / "intents_small.jsonl"
INTENTS = {"double_charge", "no_internet", "cancel_contract", "delivery_status"}
#: New wordings (not in the training fixture) and the intent each one asks for.
REQUESTS = [
    ("you charged me two times for this month's bill", "double_charge"),
    ("the internet has been down all day, router shows no connection", "no_internet"),
    ("I want to cancel my contract and close the account", "cancel_contract"),
    ("my order still has not arrived, where is the parcel", "delivery_status"),
]


def train_models(directory: Path) -> tuple[Path, Path]:
    """An intent and a topic model trained on the fixture with the user's commands."""
    runner = CliRunner()
    intents, topics = directory / "intent-model", directory / "topic-model"
    result = runner.invoke(app, ["intents", "train", str(FIXTURE), "--model", str(intents)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["topics", "discover", str(FIXTURE), "--model", str(topics), "--n-topics", "4"],
    )
    assert result.exit_code == 0, result.output
    return intents, topics
