"""`criterio triage calibrate | decide` end to end on a small model trained in the test."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest
from typer.testing import CliRunner

from criterio.cli import app

INTENTS = {
    "card_arrival": "my new card has still not arrived in the post",
    "refund": "I want my money back for the order I returned",
    "password": "I forgot my password and cannot log in to the app",
    "address": "I moved house and need to change the address on my account",
}
GREETINGS = ["hi", "hello", "good morning", "hey there", "excuse me", "dear team"]
ENDINGS = [
    "please help",
    "thanks",
    "what can I do",
    "any news",
    "asap",
    "cheers",
    "regards",
    "can you check",
    "urgent",
    "thank you so much",
]


def _training_file(path: Path) -> Path:
    lines = []
    for intent, core in INTENTS.items():
        for greeting, ending in product(GREETINGS, ENDINGS):
            lines.append({"text": f"{greeting}, {core}, {ending}", "intent": intent})
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An intent model trained and calibrated through the CLI."""
    root = tmp_path_factory.mktemp("triage")
    train = _training_file(root / "train.jsonl")
    model = root / "model"
    runner = CliRunner()
    done = runner.invoke(app, ["intents", "train", str(train), "--model", str(model)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["triage", "calibrate", str(train), "--model", str(model)])
    assert done.exit_code == 0, done.output
    assert (model / "triage.json").is_file()
    return model


def _decide(
    model: Path, tmp_path: Path, records: list[object], *args: str
) -> list[dict[str, object]]:
    file = tmp_path / "in.jsonl"
    file.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", "utf-8"
    )
    done = CliRunner().invoke(app, ["triage", "decide", str(file), "--model", str(model), *args])
    assert done.exit_code == 0, done.output
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_decide_automates_known_intents_with_reasons_and_no_answer(
    model_dir: Path, tmp_path: Path
) -> None:
    out = _decide(
        model_dir,
        tmp_path,
        [
            {"id": "a1", "text": "hello, my new card has still not arrived in the post, thanks"},
            {"id": "a2", "text": "hi, I forgot my password and cannot log in to the app"},
        ],
        "--target-precision",
        "0.9",
    )
    assert [d["id"] for d in out] == ["a1", "a2"]
    assert [d["intent"] for d in out] == ["card_arrival", "password"]
    for decision in out:
        assert decision["action"] == "automate"
        assert decision["answer"] is None
        assert decision["queue"] is None
        assert decision["expected_precision"] >= 0.9
        assert "above its threshold" in decision["reasons"][0]


def test_an_unreachable_target_routes_everything_and_says_why(
    model_dir: Path, tmp_path: Path
) -> None:
    # 240 examples, pooled, cannot show 0.999 with 95% confidence, however right they are.
    out = _decide(
        model_dir,
        tmp_path,
        [{"id": "b1", "text": "hello, my new card has still not arrived in the post, thanks"}],
        "--target-precision",
        "0.999",
    )
    assert out[0]["action"] == "route"
    assert out[0]["queue"] == "general"
    assert "all intents together cannot show 0.999" in out[0]["reasons"][0]


def test_a_bad_line_is_reported_and_the_good_ones_go_on(model_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "in.jsonl"
    file.write_text(
        'not json\n{"id": "x", "text": ""}\n'
        + json.dumps({"id": "c1", "text": "hey, I want my money back for the order I returned"})
        + "\n",
        "utf-8",
    )
    done = CliRunner().invoke(app, ["triage", "decide", str(file), "--model", str(model_dir)])
    assert done.exit_code == 0, done.output
    decisions = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    assert [d["id"] for d in decisions] == ["c1"]
    assert "in.jsonl:1: not JSON" in done.stderr
    assert "in.jsonl:2 (id x): field 'text'" in done.stderr


def test_a_policy_escalates_never_automate_cases_and_attaches_answers(
    model_dir: Path, tmp_path: Path
) -> None:
    policy = {
        "target_precision": 0.9,
        "automate": [
            {
                "intent": "card_arrival",
                "article": "KB-12",
                "templates": {
                    "es": "Tu tarjeta llega en 5 días.",
                    "en": "Your card arrives in 5 days.",
                },
            }
        ],
        "never_automate": {"attributes": {"tier": ["vip"]}},
        "queues": [
            {"name": "general"},
            {"name": "cards", "languages": ["es", "en"]},
            {"name": "legal"},
        ],
        "intent_queues": {"card_arrival": "cards"},
        "escalation_queue": "legal",
        "priority": {"channels": {"voice": "high"}},
    }
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(policy), "utf-8")
    card = "hello, my new card has still not arrived in the post, thanks"
    out = _decide(
        model_dir,
        tmp_path,
        [
            {"id": "d1", "text": card, "language": "es"},
            {"id": "d2", "text": card, "attributes": {"tier": "vip"}},
            {"id": "d3", "text": card + ", or I call my lawyer", "language": "en"},
            {
                "id": "d4",
                "text": "hi, I forgot my password and cannot log in to the app",
                "channel": "voice",
            },
        ],
        "--policy",
        str(policy_file),
    )
    by_id = {d["id"]: d for d in out}
    assert by_id["d1"]["action"] == "automate"
    assert by_id["d1"]["answer"] == {
        "article": "KB-12",
        "language": "es",
        "text": "Tu tarjeta llega en 5 días.",
        "source": "template",
    }
    assert by_id["d2"]["action"] == "escalate" and by_id["d2"]["queue"] == "legal"
    assert "attribute tier=vip is never automated" in by_id["d2"]["reasons"]
    assert by_id["d3"]["action"] == "escalate"
    assert any("'lawyer'" in r for r in by_id["d3"]["reasons"])
    assert by_id["d4"]["action"] == "route" and by_id["d4"]["priority"] == "high"
    assert "not among the policy's automated intents" in by_id["d4"]["reasons"][0]
    assert "channel voice SLA: priority high" in by_id["d4"]["reasons"]


def test_a_policy_naming_a_missing_queue_is_refused(model_dir: Path, tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("intent_queues:\n  refund: billing\n", "utf-8")
    file = tmp_path / "in.jsonl"
    file.write_text('{"id": "e1", "text": "hi"}\n', "utf-8")
    done = CliRunner().invoke(
        app,
        ["triage", "decide", str(file), "--model", str(model_dir), "--policy", str(policy_file)],
    )
    assert done.exit_code == 1
    assert "field queues: no queue named billing" in done.stderr


def test_a_retrained_model_refuses_its_old_calibration(tmp_path: Path) -> None:
    train = _training_file(tmp_path / "train.jsonl")
    model = tmp_path / "model"
    runner = CliRunner()
    assert (
        runner.invoke(app, ["intents", "train", str(train), "--model", str(model)]).exit_code == 0
    )
    assert (
        runner.invoke(
            app, ["triage", "calibrate", str(train), "--model", str(model), "--folds", "3"]
        ).exit_code
        == 0
    )
    again = runner.invoke(
        app, ["intents", "train", str(train), "--model", str(model), "--random-state", "1"]
    )
    assert again.exit_code == 0
    file = tmp_path / "in.jsonl"
    file.write_text('{"id": "f1", "text": "hi"}\n', "utf-8")
    done = runner.invoke(app, ["triage", "decide", str(file), "--model", str(model)])
    assert done.exit_code == 1
    assert "computed for another model.skops" in done.stderr


def test_a_per_intent_oos_budget_is_accepted_and_a_bad_one_named(
    model_dir: Path, tmp_path: Path
) -> None:
    card = {"id": "p1", "text": "hello, my new card has still not arrived in the post, thanks"}
    out = _decide(
        model_dir,
        tmp_path,
        [card],
        "--target-precision",
        "0.9",
        "--oos-budget",
        "per_intent",
        "--pooling",
        "per_intent",
    )
    assert out[0]["intent"] == "card_arrival" and out[0]["action"] in {"automate", "route"}
    file = tmp_path / "in.jsonl"
    done = CliRunner().invoke(
        app, ["triage", "decide", str(file), "--model", str(model_dir), "--oos-budget", "some"]
    )
    assert done.exit_code == 1 and "oos_budget 'some'" in done.stderr
    # Per-intent floors under the pooled bound (the default pooling).
    pooled = _decide(model_dir, tmp_path, [card], "--oos-budget", "per_intent")
    assert pooled[0]["intent"] == "card_arrival" and pooled[0]["action"] in {"automate", "route"}


def test_the_out_of_scope_floor_is_on_the_margin_unless_asked_otherwise(
    model_dir: Path, tmp_path: Path
) -> None:
    evidence = json.loads((model_dir / "triage.json").read_text("utf-8"))["evidence"]
    assert len(evidence["margin"]) == len(evidence["confidence"])
    assert len(evidence["unseen_margin"]) == len(evidence["unseen"]) > 0
    card = {"id": "m1", "text": "hello, my new card has still not arrived in the post, thanks"}
    file = tmp_path / "in.jsonl"
    file.write_text(json.dumps(card) + "\n", "utf-8")
    for score in ("margin", "confidence"):
        done = CliRunner().invoke(
            app,
            ["triage", "decide", str(file), "--model", str(model_dir), "--oos-score", score],
        )
        assert done.exit_code == 0, done.output
        assert ("or under margin" in done.stderr) == (score == "margin")
        assert json.loads(done.stdout.splitlines()[-1])["intent"] == "card_arrival"
    done = CliRunner().invoke(
        app, ["triage", "decide", str(file), "--model", str(model_dir), "--oos-score", "entropy"]
    )
    assert done.exit_code == 1 and "oos_score 'entropy'" in done.stderr


def test_the_batch_mask_agrees_with_the_decisions(model_dir: Path) -> None:
    from criterio.analysis.modelstore import load_model
    from criterio.triage.calibration import calibrate
    from criterio.triage.engine import Triager
    from criterio.triage.files import load_evidence
    from criterio.triage.schemas import Policy
    from criterio.triage.scores import automatable

    classifier = load_model(model_dir, "intents")
    calibration = calibrate(load_evidence(model_dir), target=0.9)
    texts = [
        "hello, my new card has still not arrived in the post, thanks",
        "hi, I forgot my password and cannot log in to the app",
        "what is the weather like in Madrid tomorrow",
        "hey there, I want my money back, please help",
    ]
    labels, mask = automatable(classifier, calibration, texts)
    decisions = Triager(classifier, calibration, Policy()).decide_batch(
        [{"id": str(i), "text": t} for i, t in enumerate(texts)], tenant="t"
    )
    assert [d.action == "automate" for d in decisions] == mask.tolist()
    assert [d.intent for d in decisions] == labels.tolist()
    assert mask[0] and mask[1]
