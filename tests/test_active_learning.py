"""Teach queue (uncertainty + diversity) and suspect labels (confident learning)."""

from __future__ import annotations

import numpy as np
import pytest

from criterio.analysis.intents import IntentClassifier
from criterio.learning.active import find_suspects, select_to_teach
from tests.test_learning_loop import WORDS, _text


def test_confident_learning_finds_the_planted_wrong_labels() -> None:
    rng = np.random.default_rng(0)
    classes = ["a", "b", "c"]
    labels = [classes[i % 3] for i in range(60)]
    proba = np.full((60, 3), 0.05)
    for i, label in enumerate(labels):
        proba[i, classes.index(label)] = 0.9
    for row, truth in ((4, "c"), (17, "a"), (41, "b")):  # labelled wrong: the models know
        proba[row] = 0.05
        proba[row, classes.index(truth)] = 0.9
    proba += rng.uniform(0, 0.01, proba.shape)
    proba /= proba.sum(axis=1, keepdims=True)
    found = find_suspects(proba, labels, classes)
    assert sorted((row, suggested) for row, suggested, _, _ in found) == [
        (4, "c"),
        (17, "a"),
        (41, "b"),
    ]
    assert all(given < 0.1 < suggested for _, _, given, suggested in found)


@pytest.fixture(scope="module")
def model() -> IntentClassifier:
    texts = [_text(k, i) for k in WORDS for i in range(6)]
    labels = [k for k in WORDS for _ in range(6)]
    return IntentClassifier(encoder="static").fit(texts, labels)


def test_the_queue_takes_the_uncertain_and_spreads_over_kinds_of_text(
    model: IntentClassifier,
) -> None:
    clear = [_text("refund", 100 + i) for i in range(10)]
    # Mixtures of two intents' words: the model hesitates between them.
    mixed = [f"{WORDS['refund'][i % 4]} and {WORDS['delivery'][i % 4]}" for i in range(6)]
    mixed += [f"{WORDS['password'][i % 4]} or {WORDS['card_lost'][i % 4]}" for i in range(6)]
    ids = [f"c{i}" for i in range(10)] + [f"m{i}" for i in range(12)]
    picked = select_to_teach(model, ids, clear + mixed, 4, pool_factor=3)
    assert len(picked) == 4 and all(p.interaction_id.startswith("m") for p in picked)
    pairs = {frozenset((p.best, p.second)) for p in picked}
    assert frozenset(("refund", "delivery")) in pairs
    assert frozenset(("password", "card_lost")) in pairs
    assert [p.margin for p in picked] == sorted(p.margin for p in picked)
    assert select_to_teach(model, ids, clear + mixed, 0) == []
