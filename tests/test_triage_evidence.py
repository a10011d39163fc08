"""Evidence with features built once (what `triage calibrate` and `learn` use) against
the evidence of whole refits (the reference it replaces), on BANKING77 rows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from criterio.analysis.intents import IntentClassifier
from criterio.triage.calibration import calibrate, oos_floor
from criterio.triage.evidence import (
    cross_validated_evidence,
    intent_groups,
    shared_feature_evidence,
)
from criterio.triage.files import evidence_for_model


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> tuple[list[str], list[str]]:
    """40 training messages of each of 12 BANKING77 intents."""
    taken: dict[str, int] = {}
    texts, labels = [], []
    with (shared_data / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            intent = row["category"]
            if intent not in taken and len(taken) == 12:
                continue
            if taken.get(intent, 0) < 40:
                taken[intent] = taken.get(intent, 0) + 1
                texts.append(row["text"])
                labels.append(intent)
    return texts, labels


def _model() -> IntentClassifier:
    return IntentClassifier(encoder="static")


def test_shared_features_give_the_evidence_of_whole_refits(
    rows: tuple[list[str], list[str]],
) -> None:
    texts, labels = rows
    shared = shared_feature_evidence(_model(), texts, labels, folds=5)
    refit = cross_validated_evidence(_model, texts, labels, folds=5)
    # The same rows, the same folds and groups of left-out intents.
    assert len(shared.predicted) == len(refit.predicted) == len(texts)
    assert shared.unseen_group == refit.unseen_group
    assert len(shared.unseen) == len(refit.unseen) > 0
    same = np.mean(np.asarray(shared.predicted) == np.asarray(refit.predicted))
    assert same >= 0.95
    assert abs(np.mean(shared.correct) - np.mean(refit.correct)) <= 0.02
    assert abs(np.mean(shared.confidence) - np.mean(refit.confidence)) <= 0.05
    assert abs(np.median(shared.unseen_margin) - np.median(refit.unseen_margin)) <= 0.05
    # What triage then allows is the same: the intents, and the out-of-scope floor.
    a = calibrate(shared, target=0.9, max_oos_share=None)
    b = calibrate(refit, target=0.9, max_oos_share=None)
    assert a.automatable() and len(set(a.automatable()) ^ set(b.automatable())) <= 1
    floors = [oos_floor(e.unseen_margin, 0.1) for e in (shared, refit)]
    assert abs(floors[0] - floors[1]) <= 0.02


def test_unseen_rows_come_from_fits_that_never_saw_their_intent(
    rows: tuple[list[str], list[str]],
) -> None:
    texts, labels = rows
    evidence = shared_feature_evidence(_model(), texts, labels, folds=5, unseen_groups=4)
    groups = intent_groups(labels, 4, 0)
    own = [intent for group in groups for intent in group for label in labels if label == intent]
    assert len(own) == len(evidence.unseen_predicted)
    # A fit without an intent can only answer with another one.
    assert all(p != o for p, o in zip(evidence.unseen_predicted, own, strict=True))
    assert all(
        0.0 <= m <= c <= 1.0 for m, c in zip(evidence.margin, evidence.confidence, strict=True)
    )


def test_a_row_is_scored_by_a_fit_that_did_not_see_it(rows: tuple[list[str], list[str]]) -> None:
    texts, labels = rows
    # A message seen once, labelled against its wording: a fit that saw it could learn
    # the label from its unique words; the out-of-fold fit cannot.
    odd = "zebra xylophone quokka umbrella"
    texts, labels = [*texts, odd], [*labels, labels[0]]
    evidence = shared_feature_evidence(_model(), texts, labels, folds=5)
    in_sample = _model().fit(texts, labels).predict_proba([odd]).max()
    assert evidence.confidence[-1] < in_sample


def test_the_product_path_uses_shared_features_and_says_how_long(
    rows: tuple[list[str], list[str]],
) -> None:
    texts, labels = rows
    model = _model().fit(texts, labels)
    evidence, seconds = evidence_for_model(model, texts, labels, folds=5)
    again = shared_feature_evidence(model, texts, labels, folds=5)
    assert evidence.confidence == again.confidence  # deterministic, and the shared path
    assert seconds > 0
    # The model handed in is not refitted or changed.
    assert model.n_examples_ == len(texts)
