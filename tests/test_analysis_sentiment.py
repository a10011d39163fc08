"""The lexicon sentiment analyzer: contract, customer-service phenomena, trajectory, vs VADER."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from criterio.analysis.base import check_analyzer_contract
from criterio.analysis.sentiment import LexiconSentimentAnalyzer, label_scores, trajectory

EVAL = Path(__file__).resolve().parents[1] / "bench" / "data" / "sentiment_eval.tsv"


@pytest.fixture(scope="module")
def analyzer() -> LexiconSentimentAnalyzer:
    return LexiconSentimentAnalyzer().fit()


def test_contract(tmp_path: Path) -> None:
    texts = ["no funciona", "great, thanks!", "", "¿Cuál es el horario?"]
    check_analyzer_contract(
        LexiconSentimentAnalyzer, texts, lambda a, t: a.decision_function(t), tmp_path
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("no funciona", "negative"),
        ("funciona", "positive"),
        ("not bad", "positive"),
        ("bad", "negative"),
        ("the app is not working again", "negative"),
        ("muchas gracias 😍", "positive"),
        ("😡😡", "negative"),
        ("atencion pesima, q verguenza", "negative"),
        ("¿Cuál es el horario de la tienda?", "neutral"),
        ("How do I change my address?", "neutral"),
        ("NO FUNCIONA NADA, ESTOY HARTO", "negative"),
        ("WHY IS MY BILL DOUBLE THIS MONTH", "negative"),
        ("It works, but support is useless", "negative"),
        ("Tardó un poco pero al final se resolvió, gracias.", "positive"),
    ],
)
def test_customer_service_language(
    analyzer: LexiconSentimentAnalyzer, text: str, label: str
) -> None:
    assert analyzer.predict([text])[0] == label


def test_intensifiers_and_accents(analyzer: LexiconSentimentAnalyzer) -> None:
    good, very_good = analyzer.decision_function(["it is good", "it is very good"])
    assert very_good > good > 0
    accented, plain = analyzer.decision_function(["pésima atención", "pesima atencion"])
    assert accented == pytest.approx(plain) and plain < 0
    calm, shouting = analyzer.decision_function(["this is useless", "this is USELESS"])
    assert shouting < calm < 0


def test_scores_in_range(analyzer: LexiconSentimentAnalyzer) -> None:
    scores = analyzer.decision_function(["terrible " * 50, "great " * 50, "!!!!!!", "x"])
    assert np.all(scores >= -1) and np.all(scores <= 1)


def test_labels_and_trajectory() -> None:
    assert label_scores(np.array([-0.5, 0.0, 0.5])).tolist() == [
        "negative",
        "neutral",
        "positive",
    ]
    assert trajectory(-0.8, 0.6) == "recovered"
    assert trajectory(0.5, -0.5) == "worsened"
    assert trajectory(0.1, 0.2) == "steady"


def _eval_set(lang: str) -> tuple[list[str], list[str]]:
    rows = [
        line.rstrip("\n").split("\t")
        for line in EVAL.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    mine = [r for r in rows if r[0] == lang]
    return [r[2] for r in mine], [r[1] for r in mine]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_beats_vader_on_labelled_set(analyzer: LexiconSentimentAnalyzer, lang: str) -> None:
    vader = pytest.importorskip("vaderSentiment.vaderSentiment")
    texts, gold = _eval_set(lang)
    ours = f1_score(gold, analyzer.predict(texts).tolist(), average="macro")
    reference = vader.SentimentIntensityAnalyzer()
    compound = np.array([reference.polarity_scores(t)["compound"] for t in texts])
    theirs = f1_score(gold, label_scores(compound).tolist(), average="macro")
    assert ours > theirs
    assert ours >= 0.85
