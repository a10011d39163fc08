"""Topic discovery: quality on a BANKING77 subset, determinism, order, outliers, CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from typer.testing import CliRunner

from criterio.analysis.embeddings import LsaEncoder, StaticEncoder
from criterio.analysis.modelstore import load_model, save_model
from criterio.analysis.topics import OUTLIER, TopicModel, score_topics
from criterio.analysis.topics.spectral import knn_graph, spectral_clusters
from criterio.cli import app

INTENTS = [
    "card_arrival",
    "exchange_rate",
    "lost_or_stolen_card",
    "pin_blocked",
    "top_up_failed",
    "cash_withdrawal_charge",
    "apple_pay_or_google_pay",
    "terminate_account",
]


@pytest.fixture(scope="module")
def corpus(shared_data: Path) -> tuple[list[str], list[str]]:
    with (shared_data / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["category"] in INTENTS]
    return [r["text"] for r in rows], [r["category"] for r in rows]


@pytest.fixture(scope="module")
def fitted(corpus: tuple[list[str], list[str]]) -> TopicModel:
    return TopicModel(n_topics=8, outlier_share=0.03).fit(corpus[0])


def test_topics_recover_known_reasons(fitted: TopicModel, corpus) -> None:
    figures = score_topics(corpus[1], fitted.labels_)
    assert figures["nmi"] >= 0.6, figures
    assert 0.02 <= figures["outlier_share"] <= 0.04
    labels = " ".join(fitted.topic_label(t) for t in range(fitted.n_topics_))
    assert "pin" in labels and ("apple" in labels or "google" in labels), labels
    assert all(len(e) == 3 for e in fitted.examples_)
    assert fitted.sizes_.sum() == (fitted.labels_ >= 0).sum()


def test_order_insensitive_and_deterministic(fitted: TopicModel, corpus) -> None:
    texts = corpus[0]
    perm = np.random.default_rng(1).permutation(len(texts))
    shuffled = TopicModel(n_topics=8, outlier_share=0.03).fit([texts[i] for i in perm])
    np.testing.assert_allclose(shuffled.centers_, fitted.centers_, atol=1e-5)
    np.testing.assert_array_equal(shuffled.labels_, fitted.labels_[perm])


def test_fitted_labels_are_what_assign_gives(fitted: TopicModel, corpus) -> None:
    topics, scores = fitted.assign(corpus[0])
    np.testing.assert_array_equal(topics, fitted.labels_)
    assert (scores[topics == OUTLIER] < fitted.threshold_).all()
    assert (scores[topics != OUTLIER] >= fitted.threshold_).all()


def test_a_sample_finds_the_topics_of_all_texts(corpus) -> None:
    texts, labels = corpus
    model = TopicModel(n_topics=8, sample_size=400, outlier_share=0.02).fit(texts)
    assert len(model.labels_) == len(texts) and model.sizes_.sum() > 0.97 * len(texts)
    assert score_topics(labels, model.labels_)["nmi"] >= 0.55
    perm = np.random.default_rng(2).permutation(len(texts))
    again = TopicModel(n_topics=8, sample_size=400, outlier_share=0.02).fit(
        [texts[i] for i in perm]
    )
    np.testing.assert_array_equal(again.labels_, model.labels_[perm])


def _moons_on_the_sphere() -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-circles lifted onto the unit sphere: thin, not round, clusters."""
    from sklearn.datasets import make_moons

    points, truth = make_moons(600, noise=0.04, random_state=0)
    lifted = np.hstack([points, np.full((len(points), 1), 3.0)])
    return (lifted / np.linalg.norm(lifted, axis=1, keepdims=True)).astype(np.float32), truth


def test_spectral_clusters_follow_neighbourhoods_where_kmeans_cuts_across() -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    vectors, truth = _moons_on_the_sphere()
    found = spectral_clusters(vectors, 2, components=2)
    assert adjusted_rand_score(truth, found) > 0.95
    kmeans = KMeans(2, n_init=3, random_state=0).fit_predict(vectors)
    assert adjusted_rand_score(truth, kmeans) < 0.6


def test_knn_graph_is_symmetric_without_self_loops() -> None:
    vectors, _ = _moons_on_the_sphere()
    graph = knn_graph(vectors, 5, chunk=97)
    assert (graph != graph.T).nnz == 0 and graph.diagonal().sum() == 0
    assert (np.diff(graph.indptr) >= 5).all() and graph.data.min() > 0


def test_outlier_share_is_the_users_choice(corpus) -> None:
    texts = corpus[0]
    none = TopicModel(n_topics=8, outlier_share=0.0).fit(texts)
    assert (none.labels_ == OUTLIER).sum() == 0
    many = TopicModel(n_topics=8, outlier_share=0.10).fit(texts)
    assert 0.09 <= (many.labels_ == OUTLIER).mean() <= 0.11


def test_assign_new_texts_and_flag_unfit_ones(fitted: TopicModel) -> None:
    topics, _ = fitted.assign(["my card still has not arrived", "what is the exchange rate"])
    assert fitted.topic_label(int(topics[0])) != fitted.topic_label(int(topics[1]))
    assert all(t >= 0 for t in topics)
    odd, score = fitted.assign(["zxqv plorp wibble"])
    assert odd[0] == OUTLIER and score[0] < fitted.threshold_


def test_hierarchy_merges_topics(fitted: TopicModel) -> None:
    groups = fitted.broader(3)
    assert groups.shape == (8,) and len(set(groups.tolist())) == 3
    assert len(fitted.broader_keywords(3)) == 3


def test_save_load_and_not_fitted(fitted: TopicModel, corpus, tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        TopicModel().assign(["x"])
    save_model(fitted, tmp_path / "t", "topics", {})
    loaded = load_model(tmp_path / "t", "topics")
    np.testing.assert_array_equal(
        loaded.assign(corpus[0][:40])[0], fitted.assign(corpus[0][:40])[0]
    )


def test_encoders_share_one_interface(corpus) -> None:
    texts = corpus[0][:200]
    for encoder in (StaticEncoder().fit(), LsaEncoder(n_components=32).fit(texts)):
        vectors = encoder.transform(texts)
        assert vectors.shape == (200, encoder.dim) and vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
        assert encoder.transform([]).shape == (0, encoder.dim)
    static = StaticEncoder().fit()
    # Meaning, not words: a paraphrase is nearer than an unrelated sentence.
    a, b, c = static.transform(
        ["my card was stolen", "someone took my card", "what is the weather"]
    )
    assert a @ b > a @ c


def test_cli_discover_show_assign_evaluate(corpus, tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    with data.open("w", encoding="utf-8") as handle:
        for i, (text, label) in enumerate(zip(*corpus, strict=True)):
            turns = [{"role": "customer", "text": text}, {"role": "agent", "text": "Let me check."}]
            handle.write(
                json.dumps({"id": f"c{i}", "turns": turns, "labels": {"intent": label}}) + "\n"
            )
    runner = CliRunner()
    model = str(tmp_path / "m")
    result = runner.invoke(
        app, ["topics", "discover", str(data), "--model", model, "--n-topics", "8"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["topics", "show", "--model", model, "--json"])
    shown = json.loads(result.stdout)
    assert shown["n_topics"] == 8 and sum(t["size"] for t in shown["topics"]) > 0.95 * len(
        corpus[0]
    )
    result = runner.invoke(app, ["topics", "assign", str(data), "--model", model])
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == len(corpus[0]) and set(lines[0]) == {"id", "topic", "topic_label", "score"}
    result = runner.invoke(
        app,
        ["topics", "evaluate", str(data), "--label-column", "intent", "--n-topics", "8", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nmi"] >= 0.6


def test_batch_annotations_have_the_annotate_shape(fitted: TopicModel) -> None:
    from criterio.analysis.annotations import topic_annotations

    out = topic_annotations(fitted, ["my card has not arrived yet", "zxqv plorp wibble"])
    assert out[0]["id"] >= 0 and "card" in out[0]["label"]
    assert out[1] == {"id": -1, "label": "(no topic fits)"}
