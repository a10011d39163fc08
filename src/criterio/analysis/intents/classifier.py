"""Intent classification learned from the tenant's labelled examples, with "I don't know".

Features are word (1-2) and character (1-5) n-gram TF-IDF (what the tenant's wording
says) beside a sentence representation (what it means, from
``criterio.analysis.embeddings``; by default ``static+use``: the shipped English
static table, its token vectors pooled by mean and by maximum, beside the multilingual
USE v3 sentence vector, which carries meaning across Spanish and English). A linear
SVM (one-vs-rest, liblinear: seconds where a multinomial logistic regression took
minutes on 2 cores) scores each intent, and a
softmax with a temperature turns the scores into calibrated probabilities. An
interaction whose best calibrated probability falls under ``threshold_`` is
``unknown`` (out of scope).

Temperature and threshold come from cross-validation on the training examples
(``calibration_folds``, stratified): every example of an intent with at least two
examples is scored once by an SVM that did not see it; the temperature minimises the
negative log-likelihood of those out-of-fold scores and the threshold is their
``false_rejection``-quantile of the best probability, so about that share of
known-intent interactions is rejected. The folds adapt to few-shot data (an intent with
two examples lends one to each of two folds; one with a single example always stays in
training). When no intent has two examples nothing can be held out: the model is then
uncalibrated (``calibrated_`` is False), uses ``DEFAULT_TEMPERATURE`` and rejects
nothing (threshold 0). The n-gram vocabulary and the sentence vectors are computed
once, on all training texts (no labels are involved in them); the SVM is refitted on
all examples for the model kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from criterio.analysis.embeddings import (
    CombinedEncoder,
    Encoder,
    StaticEncoder,
    make_encoder,
)
from criterio.analysis.names import UNKNOWN

__all__ = ["DEFAULT_TEMPERATURE", "UNKNOWN", "IntentClassifier", "SubsetFits", "fit_temperature"]

#: Softmax temperature of a model trained on one example per intent (nothing to
#: calibrate on): the SVM scores as they are.
DEFAULT_TEMPERATURE = 1.0


class IntentClassifier(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Calibrated intent classifier with out-of-scope detection (a scikit-learn estimator)."""

    version: ClassVar[str] = "3"

    def __init__(
        self,
        encoder: str = "static+use",
        C: float = 0.5,  # noqa: N803
        embedding_weight: float = 2.8,
        pooling: str = "mean+max",
        false_rejection: float = 0.05,
        calibration_folds: int = 3,
        max_iter: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.encoder = encoder
        self.C = C
        self.embedding_weight = embedding_weight
        self.pooling = pooling
        self.false_rejection = false_rejection
        self.calibration_folds = calibration_folds
        self.max_iter = max_iter
        self.random_state = random_state

    # -- training -----------------------------------------------------------------
    def fit(self, X: Sequence[str], y: Sequence[str]) -> IntentClassifier:  # noqa: N803
        """Learn intents from texts ``X`` and labels ``y``; returns self."""
        texts, labels = _clean(X, y)
        if len(set(labels)) < 2:
            raise ValueError("intent training needs at least two distinct intents")
        if UNKNOWN in labels:
            raise ValueError(f"{UNKNOWN!r} is reserved for out-of-scope; rename that intent")
        features = self._fit_features(texts)
        logits, truth = self._out_of_fold_scores(features, labels)
        self.calibrated_ = len(truth) > 0
        if self.calibrated_:
            self.temperature_ = fit_temperature([(logits, truth)])
            best = softmax(logits / self.temperature_, axis=1).max(axis=1)
            self.threshold_ = float(np.quantile(best, self.false_rejection))
        else:
            self.temperature_, self.threshold_ = DEFAULT_TEMPERATURE, 0.0
        self.model_ = self._svm(features, labels)
        self.classes_ = self.model_.classes_
        self.n_examples_ = len(texts)
        return self

    def _fit_features(self, texts: list[str]) -> sparse.csr_matrix:
        """Fit the sentence encoder and the n-gram vocabularies on ``texts`` (no labels
        are involved) and return the texts' features."""
        encoder = make_encoder(self.encoder, self.random_state)
        parts = encoder.parts if isinstance(encoder, CombinedEncoder) else [encoder]
        for part in parts:
            if isinstance(part, StaticEncoder):
                part.set_params(pooling=self.pooling)
        self.encoder_ = encoder.fit(texts)
        self.words_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        # min_df 5 (not 2): half the n-grams, so half the saved model, same accuracy.
        self.chars_ = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=min(5, len(texts))
        ).fit(texts)
        return self._features(texts)

    def subset_fits(self, texts: Sequence[str]) -> SubsetFits:
        """This model's settings, ready to fit many SVMs on subsets of ``texts``.

        The features are built once, as :meth:`fit` builds them (encoder and n-gram
        vocabularies fitted on all of ``texts``, without labels, as the out-of-fold
        scores of :meth:`fit` are computed); each subset then costs one SVM fit instead
        of a whole :meth:`fit` (four SVM fits and the features). What cross-validated
        triage evidence uses (``criterio.triage.evidence``). ``self`` is left unchanged.
        """
        from sklearn.base import clone

        settings: IntentClassifier = clone(self)
        features = settings._fit_features([str(t) for t in texts])
        return SubsetFits(settings, features)

    def _out_of_fold_scores(
        self, features: sparse.csr_matrix, labels: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """SVM scores of each example of a repeated intent by a model that did not see it."""
        if self.calibration_folds < 2:
            raise ValueError(f"calibration_folds={self.calibration_folds}: need at least 2")
        classes, counts = np.unique(labels, return_counts=True)
        pool = np.flatnonzero(np.isin(labels, classes[counts >= 2]))
        empty = np.zeros((0, len(classes))), np.zeros(0, dtype=int)
        if len(pool) == 0:
            return empty
        # As many folds as the largest intent allows; smaller intents spread over fewer
        # folds (scikit-learn warns about them; stratification still keeps one of their
        # examples in every fold's training part).
        folds = min(self.calibration_folds, int(counts.max()))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            splits = [held for _, held in splitter.split(pool, labels[pool])]
        logits, truth = [], []
        for held in splits:
            rows = pool[held]
            keep = np.ones(len(labels), dtype=bool)
            keep[rows] = False
            model = self._svm(features[keep], labels[keep])
            if len(model.classes_) == len(classes):
                logits.append(_scores(model, features[rows]))
                truth.append(np.searchsorted(classes, labels[rows]))
        if not logits:
            return empty
        return np.vstack(logits), np.concatenate(truth)

    def _svm(self, features: sparse.csr_matrix, labels: np.ndarray[Any, Any]) -> LinearSVC:
        """A fitted SVM (few-shot data, one or two examples per intent, is expected here)."""
        # tol 1e-3 (not 1e-4): a third fewer passes, the same test accuracy on BANKING77.
        svm = LinearSVC(C=self.C, tol=1e-3, max_iter=self.max_iter, random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
            return svm.fit(features, labels)

    def _features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        encoder: Encoder = self.encoder_
        dense = sparse.csr_matrix(encoder.transform(texts) * self.embedding_weight)
        if len(texts) <= FEW:
            words, chars = _tfidf(self.words_, texts), _tfidf(self.chars_, texts)
        else:
            words, chars = self.words_.transform(texts), self.chars_.transform(texts)
        return sparse.hstack([words, chars, dense], "csr")

    # -- prediction ---------------------------------------------------------------
    def predict_proba(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """Calibrated probabilities, one column per known intent (``classes_``)."""
        check_is_fitted(self, "model_")
        texts = [str(t) for t in X]
        if not texts:
            return np.zeros((0, len(self.classes_)))
        # The inputs are this model's own features: scikit-learn's checks of them (run on
        # every call, as costly as the work for the one text of a real-time request) add
        # nothing.
        with config_context(skip_parameter_validation=True, assume_finite=True):
            if len(texts) <= FEW:
                scores = self._few_scores(texts)
            else:
                scores = _scores(self.model_, self._features(texts))
        proba: np.ndarray[Any, Any] = softmax(scores / self.temperature_, axis=1)
        return proba

    def _few_scores(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        """``_scores(self.model_, self._features(texts))`` for a few texts (a real-time
        request), without building the sparse feature matrix: each text's n-gram weights
        are multiplied with the SVM's coefficients of just those columns."""
        coef, intercept = self.model_.coef_, self.model_.intercept_
        encoder: Encoder = self.encoder_
        dense = encoder.transform(texts) * self.embedding_weight
        first_dense = coef.shape[1] - dense.shape[1]
        raw = np.asarray(dense @ coef[:, first_dense:].T, dtype=np.float64) + intercept
        offset = 0
        for vectorizer in (self.words_, self.chars_):
            for row, (columns, weights) in enumerate(_tfidf_rows(vectorizer, texts)):
                raw[row] += coef[:, offset + columns] @ weights
            offset += len(vectorizer.vocabulary_)
        return _class_scores(raw)

    def predict_with_confidence(
        self,
        X: Sequence[str],  # noqa: N803
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Labels (``unknown`` under the threshold) and the calibrated confidence of the best."""
        proba = self.predict_proba(X)
        if len(proba) == 0:
            return np.array([], dtype=object), np.array([], dtype=float)
        best = proba.argmax(axis=1)
        confidence = proba[np.arange(len(proba)), best]
        labels = np.asarray(self.classes_, dtype=object)[best]
        labels[confidence < self.threshold_] = UNKNOWN
        return labels, confidence

    def predict(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """Best intent per text, or ``unknown`` when none fits."""
        return self.predict_with_confidence(X)[0]

    def scope_score(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """How in-scope each text looks (higher: a known intent); the OOS detector's score."""
        proba = self.predict_proba(X)
        return proba.max(axis=1) if len(proba) else np.array([], dtype=float)


class SubsetFits:
    """Features of a fixed list of texts and the SVM settings of an IntentClassifier
    (:meth:`IntentClassifier.subset_fits`): fit on some rows, score others."""

    def __init__(self, settings: IntentClassifier, features: sparse.csr_matrix) -> None:
        self.settings = settings
        self.features = features

    def scores(
        self,
        fit_rows: np.ndarray[Any, Any],
        labels: Sequence[str],
        score_rows: np.ndarray[Any, Any],
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(classes, SVM scores): an SVM fitted on ``fit_rows`` (with their ``labels``)
        scores ``score_rows``, one column per class it learned. Scores, not
        probabilities: the softmax temperature belongs to the caller (it is fitted on
        out-of-fold scores, as :meth:`IntentClassifier.fit` fits its own)."""
        svm = self.settings._svm(
            self.features[fit_rows], np.asarray([str(v) for v in labels], dtype=object)
        )
        return np.asarray(svm.classes_, dtype=object), _scores(svm, self.features[score_rows])


def fit_temperature(scores: Sequence[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]) -> float:
    """The softmax temperature minimising the negative log-likelihood of out-of-fold
    ``scores``: pairs of (score rows, column of each row's true class), one pair per
    fitted model (their columns may differ)."""
    pairs = [(s, t) for s, t in scores if len(t)]
    if not pairs:
        return DEFAULT_TEMPERATURE
    total = sum(len(t) for _, t in pairs)

    def nll(log_t: float) -> float:
        loss = 0.0
        for logits, truth in pairs:
            scaled = log_softmax(logits / np.exp(log_t), axis=1)
            loss -= float(scaled[np.arange(len(truth)), truth].sum())
        return loss / total

    result = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def _clean(X: Sequence[str], y: Sequence[str]) -> tuple[list[str], np.ndarray[Any, Any]]:  # noqa: N803
    if len(X) != len(y):
        raise ValueError(f"{len(X)} texts but {len(y)} labels")
    texts = [str(t) for t in X]
    labels = np.asarray([str(v) for v in y], dtype=object)
    return texts, labels


def _scores(model: LinearSVC, features: sparse.csr_matrix) -> np.ndarray[Any, Any]:
    """One score column per class (two intents: scikit-learn gives one signed column).

    The SVM's decision function computed directly (features × coefficients + intercept):
    what ``decision_function`` does, without its input checks, which cost more than the
    product itself on the one text of a real-time request.
    """
    return _class_scores(np.asarray(features @ model.coef_.T) + model.intercept_)


def _class_scores(scores: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The SVM's raw scores as one column per class (two classes: one signed column)."""
    if scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores])
    return scores


#: Batches up to this size are vectorised by :func:`_tfidf` (a real-time request).
FEW = 16


def _tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """``vectorizer.transform(texts)`` for a few texts, without scikit-learn's per-call checks.

    The same steps as TfidfVectorizer's (``sublinear_tf``, idf weights, L2 norm), from its
    public analyser, vocabulary and idf; on one text scikit-learn's input checks cost
    several times the work itself.
    """
    indptr, indices, values = [0], [], []
    for columns, weights in _tfidf_rows(vectorizer, texts):
        indices.append(columns)
        values.append(weights)
        indptr.append(indptr[-1] + len(columns))
    return sparse.csr_matrix(
        (
            np.concatenate([np.zeros(0), *values]),
            np.concatenate([np.zeros(0, dtype=np.int64), *indices]),
            np.asarray(indptr),
        ),
        shape=(len(texts), len(vectorizer.vocabulary_)),
    )


def _tfidf_rows(
    vectorizer: TfidfVectorizer, texts: Sequence[str]
) -> Iterator[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """Each text's TF-IDF row as its (sorted) columns and their weights."""
    analyse = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    idf = vectorizer.idf_
    for text in texts:
        counts: dict[int, int] = {}
        for token in analyse(text):
            j = vocabulary.get(token)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        columns = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
        tf = np.asarray([counts[j] for j in columns], dtype=np.float64)
        if vectorizer.sublinear_tf:
            tf = np.log(tf) + 1.0
        weights = tf * idf[columns]
        norm = np.sqrt((weights**2).sum())
        yield columns, (weights / norm if norm > 0 else weights)
