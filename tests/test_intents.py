"""Intent classification: quality on held-out BANKING77/Spanish subsets, OOS, CLI, save/load."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from typer.testing import CliRunner

from criterio.analysis.embeddings import StaticEncoder
from criterio.analysis.intents import UNKNOWN, IntentClassifier, evaluate_intents
from criterio.analysis.modelstore import load_model, save_model
from criterio.cli import app


def _banking(
    shared_data: Path, split: str, intents: int, per_intent: int
) -> tuple[list[str], list[str]]:
    with (shared_data / "banking77" / f"{split}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    keep = sorted({r["category"] for r in rows})[:intents]
    texts, labels, seen = [], [], dict.fromkeys(keep, 0)
    for row in rows:
        if row["category"] in seen and seen[row["category"]] < per_intent:
            seen[row["category"]] += 1
            texts.append(row["text"])
            labels.append(row["category"])
    return texts, labels


@pytest.fixture(scope="module")
def banking(shared_data: Path) -> dict[str, tuple[list[str], list[str]]]:
    return {
        "train": _banking(shared_data, "train", 12, 60),
        "test": _banking(shared_data, "test", 12, 40),
        "oos": _banking(shared_data, "test", 16, 40),  # intents 13..16 were never trained
    }


@pytest.fixture(scope="module")
def model(banking: dict[str, tuple[list[str], list[str]]]) -> IntentClassifier:
    return IntentClassifier().fit(*banking["train"])


def test_held_out_accuracy_on_twelve_banking_intents(model, banking) -> None:
    figures = evaluate_intents(model, *banking["test"])
    assert figures["in_scope_accuracy_no_rejection"] >= 0.85
    assert figures["accuracy"] >= 0.80
    assert figures["macro_f1"] >= 0.80


def test_unseen_intents_come_out_unknown(model, banking) -> None:
    texts, labels = banking["oos"]
    trained = set(banking["train"][1])
    marked = ["oos" if label not in trained else label for label in labels]
    figures = evaluate_intents(model, texts, marked)
    assert figures["n_oos"] == 160
    assert figures["oos_auroc"] >= 0.75
    assert figures["oos_recall"] >= 0.3
    assert figures["in_scope_accuracy"] >= 0.75


def test_probabilities_are_calibrated_and_rejection_rate_near_target(model, banking) -> None:
    proba = model.predict_proba(banking["test"][0])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    labels, confidence = model.predict_with_confidence(banking["test"][0])
    truth = np.asarray(banking["test"][1], dtype=object)
    answered = labels != UNKNOWN
    # Calibration: the mean confidence of answered texts tracks their accuracy.
    assert abs(confidence[answered].mean() - (labels[answered] == truth[answered]).mean()) < 0.12
    assert (labels == UNKNOWN).mean() < 0.2


def test_stated_false_rejection_rate_sets_the_threshold(banking) -> None:
    texts = banking["test"][0]
    rejected = {}
    for rate in (0.02, 0.25):
        model = IntentClassifier(false_rejection=rate).fit(*banking["train"])
        labels, confidence = model.predict_with_confidence(texts)
        assert np.array_equal(labels == UNKNOWN, confidence < model.threshold_)
        rejected[rate] = float(np.mean(labels == UNKNOWN))
    # Held-out texts of known intents are rejected at about the stated rate.
    assert rejected[0.02] < 0.08
    assert 0.12 <= rejected[0.25] <= 0.4


def test_static_mean_max_pooling(banking) -> None:
    texts = banking["train"][0][:40]
    mean = StaticEncoder().fit()
    both = StaticEncoder(pooling="mean+max").fit()
    assert both.dim == 2 * mean.dim
    vectors = both.transform([*texts, ""])
    np.testing.assert_allclose(np.linalg.norm(vectors[:-1], axis=1), 1.0, rtol=1e-4)
    assert not vectors[-1].any()  # no tokens: a zero row, not NaN
    # The first half is the mean pooling; the second, the maximum, tells other things.
    np.testing.assert_allclose(
        vectors[:-1, : mean.dim] * np.sqrt(2), mean.transform(texts), atol=1e-5
    )
    assert np.abs(vectors[:-1, mean.dim :] - vectors[:-1, : mean.dim]).max() > 0.1
    with pytest.raises(ValueError, match="pooling 'median'"):
        StaticEncoder(pooling="median").fit()


def test_static_vectors_of_the_same_texts_are_computed_once_and_stay_equal(banking) -> None:
    from criterio.analysis.embeddings import static

    texts = banking["train"][0][40:80]
    intent_like, topic_like = StaticEncoder(pooling="mean+max").fit(), StaticEncoder().fit()
    static._LAST_MEAN[:] = [None, None, None]
    fresh = topic_like.transform(texts)  # computed
    static._LAST_MEAN[:] = [None, None, None]
    intent_like.transform(texts)  # computes and keeps the mean vectors
    encoded = []
    original = topic_like._model.encode
    topic_like._model.encode = lambda *a, **k: encoded.append(1) or original(*a, **k)
    shared = topic_like.transform(list(texts))  # another list, the same texts: not encoded
    assert encoded == [] and np.array_equal(shared, fresh)
    shared[:] = 0  # a caller's change does not reach the kept vectors
    assert np.array_equal(topic_like.transform(texts), fresh)
    assert np.array_equal(topic_like.transform(texts[:5]), fresh[:5]) and encoded == [1]


def test_spanish_intents(shared_data: Path) -> None:
    def read(split: str, per: int) -> tuple[list[str], list[str]]:
        texts, labels, seen = [], [], {}
        for line in (shared_data / "fb_multilingual_tod_es" / f"{split}-es.tsv").open(
            encoding="utf-8"
        ):
            cols = line.split("\t")
            if seen.get(cols[0], 0) < per:
                seen[cols[0]] = seen.get(cols[0], 0) + 1
                texts.append(cols[2].strip())
                labels.append(cols[0])
        return texts, labels

    model = IntentClassifier().fit(*read("train", 40))
    figures = evaluate_intents(model, *read("test", 30))
    assert figures["in_scope_accuracy_no_rejection"] >= 0.9


def test_estimator_contract(banking, tmp_path: Path) -> None:
    texts, labels = banking["train"]
    small = IntentClassifier(random_state=3)
    with pytest.raises(NotFittedError):
        small.predict(texts[:3])
    assert small.fit(texts, labels) is small
    first = small.predict_proba(texts[:50])
    np.testing.assert_allclose(clone(small).fit(texts, labels).predict_proba(texts[:50]), first)
    save_model(small, tmp_path / "m", "intents", {"n_examples": len(texts)})
    loaded = load_model(tmp_path / "m", "intents")
    np.testing.assert_allclose(loaded.predict_proba(texts[:50]), first)
    assert json.loads((tmp_path / "m" / "model.json").read_text())["version"] == 1
    save_model(small, tmp_path / "m", "intents", {})
    assert json.loads((tmp_path / "m" / "model.json").read_text())["version"] == 2
    with pytest.raises(ValueError, match="not 'topics'"):
        load_model(tmp_path / "m", "topics")
    with pytest.raises(ValueError, match="reserved"):
        IntentClassifier().fit(["a b", "c d"], ["unknown", "x"])


def test_cli_train_predict_evaluate(banking, tmp_path: Path) -> None:
    train = tmp_path / "train.csv"
    with train.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "intent"])
        writer.writerows(zip(*banking["train"], strict=True))
        writer.writerow(["", "card_arrival"])  # no text: reported and skipped
    test = tmp_path / "test.jsonl"
    texts, labels = banking["oos"]
    trained = set(banking["train"][1])
    with test.open("w", encoding="utf-8") as handle:
        for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
            intent = label if label in trained else "oos"
            handle.write(json.dumps({"id": f"t{i}", "text": text, "intent": intent}) + "\n")
        handle.write("not json\n")
    runner = CliRunner()
    result = runner.invoke(app, ["intents", "train", str(train), "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "train.csv:" in result.output and "skipped" in result.output
    result = runner.invoke(app, ["intents", "predict", str(test), "--model", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == len(texts)
    assert set(lines[0]) == {"id", "intent", "confidence"}
    assert sum(x["intent"] == UNKNOWN for x in lines) > 20
    result = runner.invoke(
        app, ["intents", "evaluate", str(test), "--model", str(tmp_path / "m"), "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout[result.stdout.index("{") :])
    assert figures["oos_auroc"] > 0.75 and figures["in_scope_accuracy"] > 0.75


def test_batch_annotations_have_the_annotate_shape(model, banking) -> None:
    from criterio.analysis.annotations import intent_annotations

    out = intent_annotations(model, banking["test"][0][:5])
    assert [set(x) for x in out] == [{"label", "confidence"}] * 5
    assert sum(x["label"] == y for x, y in zip(out, banking["test"][1][:5], strict=True)) >= 4
