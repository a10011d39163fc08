"""Few-shot intent training (issue #13 item 9): from one example per intent upwards.

The intents are written here: 150 intents, each an action on a product ("cancel my
parcel", "renew my insurance"...), phrased with several openers and endings, so a
test set in other words than the training examples exists for every intent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from criterio.analysis.intents import UNKNOWN, IntentClassifier
from criterio.analysis.intents.classifier import DEFAULT_TEMPERATURE
from criterio.cli import app

_ACTIONS = [
    "cancel", "renew", "upgrade", "pause", "transfer", "refund",
    "activate", "replace", "track", "return",
]  # fmt: skip
_THINGS = [
    "parcel", "insurance", "mortgage", "pension", "mobile plan", "gym membership",
    "savings account", "credit card", "train ticket", "hotel booking", "broadband",
    "car lease", "flight", "gift voucher", "electricity contract",
]  # fmt: skip
_OPENERS = [
    "I want to {a} my {t}",
    "please {a} the {t} for me",
    "how do I {a} my {t}?",
    "can you help me {a} my {t}",
    "need to {a} {t} today",
    "is it possible to {a} my {t} online",
    "{a} {t}",
    "could someone {a} my {t} asap",
]


def _intents() -> list[tuple[str, str, str]]:
    """150 intents: (name, action, thing)."""
    return [(f"{a}_{t.replace(' ', '_')}", a, t) for a in _ACTIONS for t in _THINGS]


def _examples(per_intent: int, offset: int = 0) -> tuple[list[str], list[str]]:
    """``per_intent`` texts of every intent, taking the phrasings from ``offset`` on."""
    texts, labels = [], []
    for name, action, thing in _intents():
        for k in range(per_intent):
            pattern = _OPENERS[(offset + k) % len(_OPENERS)]
            texts.append(pattern.format(a=action, t=thing))
            labels.append(name)
    return texts, labels


@pytest.mark.parametrize("per_intent", [1, 2, 5])
def test_trains_and_predicts_on_150_intents_from_few_examples(per_intent: int) -> None:
    model = IntentClassifier().fit(*_examples(per_intent))
    assert len(model.classes_) == 150
    # Phrasings the model never saw (the last of the openers).
    texts, truth = _examples(1, offset=len(_OPENERS) - 1)
    labels, confidence = model.predict_with_confidence(texts)
    assert len(labels) == 150
    assert np.all((confidence >= 0) & (confidence <= 1))
    proba = model.predict_proba(texts)
    assert proba.shape == (150, 150)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    answered = labels != UNKNOWN
    best = np.asarray(model.classes_, dtype=object)[proba.argmax(axis=1)]
    # Far above chance (1/150): the intent is named by its words.
    assert np.mean(best == np.asarray(truth, dtype=object)) >= 0.5
    if per_intent == 1:
        # Nothing to hold out: uncalibrated, stated default, nothing rejected.
        assert not model.calibrated_
        assert model.temperature_ == DEFAULT_TEMPERATURE and model.threshold_ == 0.0
        assert answered.all()
    else:
        assert model.calibrated_
        assert 0.0 < model.threshold_ < 1.0


def test_mixed_counts_calibrate_on_the_repeated_intents() -> None:
    texts, labels = _examples(4)
    # One intent with a single example stays in every fold's training part.
    lone = labels[0]
    keep = [i for i, v in enumerate(labels) if v != lone or i == 0]
    model = IntentClassifier().fit([texts[i] for i in keep], [labels[i] for i in keep])
    assert model.calibrated_ and lone in model.classes_
    assert model.predict(["I want to cancel my parcel"])[0] in {lone, UNKNOWN}


def test_two_intents_give_two_probability_columns() -> None:
    texts, labels = _examples(3)
    two = [i for i, v in enumerate(labels) if v in {"cancel_parcel", "renew_insurance"}]
    model = IntentClassifier().fit([texts[i] for i in two], [labels[i] for i in two])
    proba = model.predict_proba(["please cancel the parcel", "renew the insurance"])
    assert proba.shape == (2, 2)
    assert list(model.classes_[proba.argmax(axis=1)]) == ["cancel_parcel", "renew_insurance"]


def test_calibration_folds_must_be_at_least_two() -> None:
    with pytest.raises(ValueError, match="calibration_folds=1"):
        IntentClassifier(calibration_folds=1).fit(*_examples(3))


def test_cli_trains_150_intents_with_5_examples_each(tmp_path: Path) -> None:
    train = tmp_path / "train.csv"
    with train.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent"])
        writer.writerows(zip(*_examples(5), strict=True))
    result = CliRunner().invoke(
        app, ["intents", "train", str(train), "--model", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    assert "trained 150 intents on 750 examples" in result.output
