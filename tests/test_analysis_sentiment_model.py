"""The learned sentiment model: contract, sentences, its shipped files, public tweets (val)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from criterio.analysis.base import check_analyzer_contract
from criterio.analysis.pipeline import AnalysisPipeline, build_pipeline
from criterio.analysis.sentiment import (
    LexiconSentimentAnalyzer,
    SentimentAnalyzer,
    default_model_path,
)
from criterio.analysis.sentiment.features import CharNgrams, WordNgrams, normalise, vectorizer


@pytest.fixture(scope="module")
def analyzer() -> SentimentAnalyzer:
    return SentimentAnalyzer().fit()


def test_contract(tmp_path: Path) -> None:
    texts = ["no funciona", "great, thanks!", "", "¿Cuál es el horario?", "great, thanks!"]
    check_analyzer_contract(SentimentAnalyzer, texts, lambda a, t: a.decision_function(t), tmp_path)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("no funciona", "negative"),
        ("the app is not working again", "negative"),
        ("It works, but support is useless", "negative"),
        ("NO FUNCIONA NADA, ESTOY HARTO", "negative"),
        ("atencion pesima, q verguenza", "negative"),
        ("😡😡", "negative"),
        ("Llevo tres días esperando y nadie me contesta, es una vergüenza", "negative"),
        ("I have been on hold for two hours, worst service ever", "negative"),
        ("great, thanks!", "positive"),
        ("muchas gracias 😍", "positive"),
        ("Tardó un poco pero al final se resolvió, gracias.", "positive"),
        ("Thank you so much, the new card arrived today and works perfectly", "positive"),
        ("Me encanta la nueva app, mucho más rápida", "positive"),
        ("¿Cuál es el horario?", "neutral"),
        ("El pedido 4411 sale mañana desde Madrid", "neutral"),
    ],
)
def test_customer_service_language(analyzer: SentimentAnalyzer, text: str, label: str) -> None:
    assert analyzer.predict([text])[0] == label


def test_scores_probabilities_and_band(analyzer: SentimentAnalyzer) -> None:
    texts = ["terrible " * 50, "great " * 50, "!!!!!!", "x", ""]
    proba = analyzer.predict_proba(texts)
    assert proba.shape == (5, 3) and np.allclose(proba.sum(axis=1), 1.0)
    scores = analyzer.decision_function(texts)
    assert np.allclose(scores, proba[:, 2] - proba[:, 0])
    assert np.all(scores >= -1) and np.all(scores <= 1)
    assert scores[0] < 0 < scores[1]
    # The band chosen in training labels the scores; a band of 1 makes everything neutral.
    assert set(SentimentAnalyzer(neutral_band=1.0).fit().predict(texts)) == {"neutral"}
    assert analyzer.predict_proba([]).shape == (0, 3) and len(analyzer.predict([])) == 0


def test_accents_case_and_stretching_fold(analyzer: SentimentAnalyzer) -> None:
    plain, accented = analyzer.decision_function(["pesima atencion", "pésima atención"])
    assert plain == pytest.approx(accented) and plain < 0
    folded = normalise("Sooooo GOOD @Movistar_ES https://t.co/x 2024").split()
    assert folded == ["soo", "good", "@user", "http", "0"]


def test_char_ngrams_match_scikit_learn() -> None:
    """The cached character n-grams give the rows scikit-learn's char_wb vectorizer gives."""
    corpus = [
        normalise(t) for t in ["no funciona la app", "a b", "gracias!!", "ok", "¿y mi pedido?"]
    ]
    reference = vectorizer("char").fit(corpus)
    vocabulary = sorted(reference.vocabulary_, key=reference.vocabulary_.__getitem__)
    mine = CharNgrams(vocabulary, reference.idf_)
    texts = [*corpus, "funciona   la  app", "x", "", "palabra-desconocida zzz"]
    difference = mine.transform(texts) - reference.transform(texts)
    assert abs(difference).max() < 1e-6 if difference.nnz else True


def test_shipped_model_is_small_plain_data() -> None:
    folder = default_model_path()
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "model.npz"]
    assert sum(p.stat().st_size for p in folder.iterdir()) < 10_000_000
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert meta["labels"] == ["negative", "neutral", "positive"]
    with np.load(folder / "model.npz", allow_pickle=False) as arrays:  # no pickled object
        width = len(meta["vocabulary"]["word"]) + len(meta["vocabulary"]["char"]) + 5 + 3
        assert arrays["coef"].shape == (3, width)


def test_model_from_another_folder_and_bad_folders(tmp_path: Path) -> None:
    copy = tmp_path / "senti"
    shutil.copytree(default_model_path(), copy)
    text = ["the refund never arrived"]
    expected = SentimentAnalyzer().fit().decision_function(text)
    assert SentimentAnalyzer(path=str(copy)).fit().decision_function(text) == pytest.approx(
        expected
    )
    meta = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    meta["format"] = 99
    (copy / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="format 99"):
        SentimentAnalyzer(path=str(copy)).fit()
    with pytest.raises(FileNotFoundError):
        SentimentAnalyzer(path=str(tmp_path / "missing")).fit()


def test_pipeline_labels_with_the_models_band() -> None:
    pipeline = build_pipeline(["sentiment"])
    assert isinstance(pipeline.sentiment, SentimentAnalyzer)
    assert pipeline.neutral_band is None and 0 < pipeline.sentiment.band_ < 1
    assert pipeline.versions() == {"sentiment": "senti-lr-1"}
    lexicon = AnalysisPipeline(sentiment=LexiconSentimentAnalyzer()).fit()
    assert lexicon.versions() == {"sentiment": "senti-lex-1"}


@pytest.mark.parametrize(("lang", "floor"), [("en", 0.66), ("es", 0.55)])
def test_macro_f1_floor_on_public_tweets_val(
    analyzer: SentimentAnalyzer, shared_data: Path, lang: str, floor: float
) -> None:
    """UMSAB val (public tweets, never trained on); the test split stays for the benchmark."""
    from bench._data import tweet_sentiment

    texts, gold = tweet_sentiment(lang, "val")
    ours = f1_score(gold, analyzer.predict(texts).tolist(), average="macro")
    lexicon = f1_score(
        gold, LexiconSentimentAnalyzer().fit().predict(texts).tolist(), average="macro"
    )
    assert ours >= floor
    assert ours > lexicon + 0.05


def test_word_ngrams_match_scikit_learn_exactly(analyzer: SentimentAnalyzer) -> None:
    """The batch word n-grams give the word vectorizer's rows, bit for bit."""
    corpus = [normalise(t) for t in ["no funciona la app", "a b", "gracias!!", "ok ok", "¿y?"]]
    reference = vectorizer("word").fit(corpus)
    vocabulary = sorted(reference.vocabulary_, key=reference.vocabulary_.__getitem__)
    mine = WordNgrams(vocabulary, reference.idf_)
    texts = [*corpus, "la app no funciona la app", "x", "", "zzz ok zzz ok", "b a b", "!!"]
    expected = reference.transform(texts)
    got = mine.transform(texts)
    assert (got != expected).nnz == 0 and got.dtype == expected.dtype
    # The shipped model's vocabulary, on customer-service sentences.
    shipped = vectorizer("word", _shipped_vocabulary())
    shipped.idf_ = analyzer.word_.idf
    sentences = [normalise(t) for t in ["It works, but support is useless!!", "no va, pésimo 😡"]]
    assert (analyzer.word_.transform(sentences) != shipped.transform(sentences)).nnz == 0


def _shipped_vocabulary() -> list[str]:
    meta = json.loads((default_model_path() / "model.json").read_text(encoding="utf-8"))
    return list(meta["vocabulary"]["word"])
