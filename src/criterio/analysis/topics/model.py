"""Topic discovery on unlabelled interactions: contact reasons nobody has named yet.

Texts are embedded (``criterio.analysis.embeddings``), centred on the corpus mean and
put on the unit sphere; up to ``sample_size`` of them are clustered by spectral
clustering of their k-nearest-neighbour graph (``spectral.py``; k-means below
``_SPECTRAL_MIN`` texts). A multinomial logistic regression learnt on those clusters
then assigns every text, the fitted ones included, so ``labels_`` and ``assign`` agree
and a million texts cost one matrix product each. Each cluster becomes a topic with
c-TF-IDF keywords, representative examples (nearest the centre), a size, and a place
in a hierarchy (Ward linkage of the centres, cut into broader topics). A text whose
cosine to the centre of its topic is under ``threshold_`` is an outlier (-1):
``outlier_share`` sets that share on the training texts, and the same threshold flags
new interactions that fit no topic. Each topic is labelled with a key phrase of its
texts (``labels.key_phrases``), its keywords kept as detail.

Topic ids are stable across refreshes: ``align_with`` matches a newly discovered
model's topics to the previous model's (Hungarian assignment on the cosine of their
centres, both computed in the new model's space), so a topic that is still there keeps
its id and its label, and a new topic gets an id never used before (``next_id_``).

Determinism: the texts are put in a canonical (sorted) order before anything random,
so the same multiset of texts gives the same topics whatever the input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from criterio.analysis.embeddings import Encoder, l2_normalize, make_encoder
from criterio.analysis.topics.labels import class_counts, key_phrases, keywords_from_counts
from criterio.analysis.topics.spectral import spectral_clusters

__all__ = ["MIN_MATCH_SIMILARITY", "OUTLIER", "TopicModel"]

#: Topic id of texts that fit no topic.
OUTLIER = -1

#: Below this many texts the k-NN graph is too thin for spectral clustering: k-means.
_SPECTRAL_MIN = 200

#: Centre cosine under which a new topic is not the continuation of an old one.
MIN_MATCH_SIMILARITY = 0.6


class TopicModel(BaseEstimator):  # type: ignore[misc]
    """Discovers topics, labels them, and assigns new texts (a scikit-learn estimator)."""

    version: ClassVar[str] = "3"

    def __init__(
        self,
        encoder: str = "static",
        n_topics: int | None = None,
        outlier_share: float = 0.02,
        n_keywords: int = 8,
        n_examples: int = 3,
        sample_size: int = 30_000,
        batch_size: int = 50_000,
        random_state: int = 0,
        threads: int | None = 1,
    ) -> None:
        self.encoder = encoder
        self.n_topics = n_topics
        self.outlier_share = outlier_share
        self.n_keywords = n_keywords
        self.n_examples = n_examples
        self.sample_size = sample_size
        self.batch_size = batch_size
        self.random_state = random_state
        self.threads = threads

    def fit(self, X: Sequence[str], y: Any = None) -> TopicModel:  # noqa: N803
        """Discover topics in ``X``; returns self (``labels_`` holds each text's topic).

        The numeric libraries get ``threads`` threads (None: their default, one per core).
        One is the default because their threads spin while waiting: on a machine whose
        cores are busy with other work, two threads took 5× the wall time of one for the
        same k-means (measured, load average 8), and parallel analysis runs in processes.
        """
        with threadpool_limits(self.threads):
            return self._fit(X)

    def _fit(self, X: Sequence[str]) -> TopicModel:  # noqa: N803
        texts = np.asarray([str(t) for t in X], dtype=object)
        if len(texts) < 2:
            raise ValueError("topic discovery needs at least two texts")
        order = np.argsort(texts, kind="stable")  # canonical order: input order is irrelevant
        rng = np.random.default_rng(self.random_state)
        sample = order
        if len(order) > self.sample_size:
            sample = np.sort(rng.choice(order, self.sample_size, replace=False))
            sample = order[np.isin(order, sample)]
        fit_texts = [str(t) for t in texts[sample]]
        self.encoder_ = make_encoder(self.encoder, self.random_state).fit(fit_texts)
        raw = self._encode(fit_texts)
        # Centring removes the direction every text shares (measured: NMI +0.02 on BANKING77).
        self.mean_ = raw.mean(axis=0).astype(np.float32)
        vectors = self._centred(raw)
        k = self._n_clusters(len(texts), len(fit_texts))
        clusters = self._cluster(vectors, k)
        self.centers_ = _centres(vectors, clusters, k)
        self._learn_assignment(vectors, clusters, k)
        topic, score = self._nearest(vectors)
        self.threshold_ = (
            float(np.quantile(score, self.outlier_share)) if self.outlier_share else -1.0
        )
        topic[score < self.threshold_] = OUTLIER
        # Labels and examples come from the (sampled) texts the topics were found in.
        per_class, terms = class_counts(fit_texts, topic, k)
        self.term_counts_ = per_class.astype(np.float32)
        self.terms_ = terms
        self.keywords_ = keywords_from_counts(per_class, terms, self.n_keywords)
        self.phrases_ = key_phrases(fit_texts, topic, score, (per_class, terms))
        self.topic_ids_ = np.arange(k, dtype=np.int64)
        self.next_id_ = k
        self.examples_ = _examples(fit_texts, topic, score, k, self.n_examples)
        self.linkage_ = linkage(self.centers_, method="ward") if k > 1 else np.zeros((0, 4))
        if len(sample) == len(texts):
            labels = np.empty(len(texts), dtype=np.int64)
            labels[sample] = topic
            self.labels_ = labels
        else:
            self.labels_ = self._assign([str(t) for t in texts])[0]
        self.sizes_ = np.bincount(self.labels_[self.labels_ >= 0], minlength=k)
        return self

    def align_with(
        self, previous: TopicModel, min_similarity: float = MIN_MATCH_SIMILARITY
    ) -> dict[int, int]:
        """Renumber this model's topics to continue ``previous``'s ids; {index: id} matched.

        Each previous topic's centre is the mean, in this model's space, of its
        representative examples (its texts nearest its own centre, kept in the model;
        not today's texts, where a new reason that the previous model put in its nearest
        topic would pull that centre away). A one-to-one assignment (Hungarian) of this
        model's centres to those maximises the total cosine, and a pair under
        ``min_similarity`` is no match. A matched topic takes the old id and label (so
        insights keep their segment); the others get ids from ``previous.next_id_`` on.
        """
        check_is_fitted(self, "centers_")
        known = [
            (int(t), ex) for t, ex in zip(previous._ids(), previous.examples_, strict=True) if ex
        ]
        matched: dict[int, int] = {}
        if known:
            with threadpool_limits(self.threads):
                centres = l2_normalize(
                    np.vstack([self._centred(self._encode(ex)).mean(axis=0) for _, ex in known])
                )
            similarity = self.centers_ @ centres.T
            for new, j in zip(*linear_sum_assignment(-similarity), strict=True):
                if similarity[new, j] >= min_similarity:
                    matched[int(new)] = known[j][0]
        labels = list(self.phrases_)
        ids = np.full(self.n_topics_, OUTLIER, dtype=np.int64)
        for new, old in matched.items():
            ids[new] = old
            labels[new] = previous.topic_label(old)
        next_id = max([previous._next_id(), *[i + 1 for i in previous._ids().tolist()]])
        for new in range(self.n_topics_):
            if ids[new] == OUTLIER:
                ids[new] = next_id
                next_id += 1
        internal = self._index_of(self.labels_)
        self.topic_ids_ = ids
        self.next_id_ = next_id
        self.phrases_ = labels
        self.labels_ = self._public(internal)
        return matched

    def fit_predict(self, X: Sequence[str], y: Any = None) -> np.ndarray[Any, Any]:  # noqa: N803
        """Discover topics and return each text's topic id (-1: outlier)."""
        return np.asarray(self.fit(X).labels_)

    # -- assignment ---------------------------------------------------------------
    def assign(
        self,
        X: Sequence[str],  # noqa: N803
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Topic id per text (-1 when it fits none: a candidate new topic) and its cosine."""
        check_is_fitted(self, "centers_")
        with threadpool_limits(self.threads):
            return self._assign([str(t) for t in X])

    def _assign(self, texts: list[str]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        topics = np.empty(len(texts), dtype=np.int64)
        scores = np.empty(len(texts), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start : start + self.batch_size]
            topic, score = self._nearest(self._centred(self.encoder_.transform(chunk)))
            topic[score < self.threshold_] = OUTLIER
            topics[start : start + len(chunk)] = self._public(topic)
            scores[start : start + len(chunk)] = score
        return topics, scores

    def predict(self, X: Sequence[str]) -> np.ndarray[Any, Any]:  # noqa: N803
        """Topic id per text (-1: fits no topic)."""
        return self.assign(X)[0]

    # -- description --------------------------------------------------------------
    @property
    def n_topics_(self) -> int:
        """Number of topics found."""
        check_is_fitted(self, "centers_")
        return int(self.centers_.shape[0])

    @property
    def topic_ids(self) -> list[int]:
        """The id of each topic, in the model's internal order."""
        check_is_fitted(self, "centers_")
        return [int(i) for i in self._ids()]

    def topic_label(self, topic: int, words: int = 4) -> str:
        """A short human-readable label of topic id ``topic``: its key phrase, else keywords."""
        check_is_fitted(self, "centers_")
        if topic == OUTLIER:
            return "(no topic fits)"
        index = int(self._index_of(np.asarray([topic]))[0])
        if index < 0:
            return f"topic {topic}"
        phrase = getattr(self, "phrases_", None)
        if phrase and phrase[index]:
            return str(phrase[index])
        return " · ".join(self.keywords_[index][:words]) or f"topic {topic}"

    def broader(self, n_groups: int) -> np.ndarray[Any, Any]:
        """Parent group (0..n_groups-1) of each topic when merged into ``n_groups``."""
        check_is_fitted(self, "centers_")
        if self.n_topics_ < 2 or n_groups >= self.n_topics_:
            return np.arange(self.n_topics_)
        groups: np.ndarray[Any, Any] = fcluster(self.linkage_, t=n_groups, criterion="maxclust")
        return groups - 1

    def broader_keywords(self, n_groups: int, top: int = 6) -> list[list[str]]:
        """Keywords of each broader group (counts of its topics merged)."""
        groups = self.broader(n_groups)
        merged = np.zeros((int(groups.max()) + 1, self.term_counts_.shape[1]))
        np.add.at(merged, groups, self.term_counts_)
        return keywords_from_counts(merged, self.terms_, top)

    # -- internals ----------------------------------------------------------------
    def _ids(self) -> np.ndarray[Any, Any]:
        # Models saved before ids were stable numbered topics by position.
        ids = getattr(self, "topic_ids_", None)
        return np.arange(self.n_topics_) if ids is None else np.asarray(ids)

    def _next_id(self) -> int:
        return int(getattr(self, "next_id_", self.n_topics_))

    def _public(self, index: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Topic ids of internal positions (-1 stays -1)."""
        ids = self._ids()
        return np.where(index >= 0, ids[np.maximum(index, 0)], OUTLIER).astype(np.int64)

    def _index_of(self, topics: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Internal positions of topic ids (-1 for -1 and for ids this model lacks)."""
        ids = self._ids()
        order = np.argsort(ids)
        topics = np.asarray(topics, dtype=np.int64)
        at = np.clip(np.searchsorted(ids[order], topics), 0, len(ids) - 1)
        found = (ids[order][at] == topics) & (topics >= 0)
        return np.where(found, order[at], OUTLIER).astype(np.int64)

    def _encode(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        encoder: Encoder = self.encoder_
        parts = [
            encoder.transform(texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts).astype(np.float32)

    def _centred(self, vectors: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return l2_normalize(vectors - self.mean_)

    def _n_clusters(self, n_all: int, n_fit: int) -> int:
        if self.n_topics is not None:
            return max(1, min(int(self.n_topics), n_fit))
        # Contact-reason taxonomies grow slowly with volume: ~sqrt(n)/1.2, from 2 to 300.
        return int(np.clip(round(np.sqrt(n_all) / 1.2), 2, min(300, n_fit)))

    def _cluster(self, vectors: np.ndarray[Any, Any], k: int) -> np.ndarray[Any, Any]:
        if k > 1 and len(vectors) >= _SPECTRAL_MIN:
            return spectral_clusters(vectors, k, random_state=self.random_state)
        km = KMeans(k, n_init=3, random_state=self.random_state).fit(vectors)
        return np.asarray(km.labels_, dtype=np.int64)

    def _learn_assignment(
        self, vectors: np.ndarray[Any, Any], clusters: np.ndarray[Any, Any], k: int
    ) -> None:
        """Linear weights that send each text to its cluster (measured: it keeps the
        spectral clusters' NMI, 0.759, where the nearest centre drops it to 0.722)."""
        if k < 2:
            self.assign_weights_ = np.zeros((1, vectors.shape[1]), dtype=np.float32)
            self.assign_bias_ = np.zeros(1, dtype=np.float32)
            return
        clf = LogisticRegression(C=10.0, max_iter=200).fit(vectors, clusters)
        weights = np.zeros((k, vectors.shape[1]), dtype=np.float32)
        bias = np.full(k, -np.inf, dtype=np.float32)
        weights[clf.classes_] = clf.coef_
        bias[clf.classes_] = clf.intercept_
        self.assign_weights_ = weights
        self.assign_bias_ = bias

    def _nearest(
        self, vectors: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Each row's topic (by the learnt weights) and its cosine to that topic's centre."""
        topic = (vectors @ self.assign_weights_.T + self.assign_bias_).argmax(axis=1)
        topic = topic.astype(np.int64)
        score = np.einsum("ij,ij->i", vectors, self.centers_[topic])
        return topic, score.astype(np.float32)


def _centres(
    vectors: np.ndarray[Any, Any], clusters: np.ndarray[Any, Any], k: int
) -> np.ndarray[Any, Any]:
    """Unit-length mean of each cluster's rows."""
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, clusters, vectors)
    return l2_normalize(sums)


def _examples(
    texts: Sequence[str],
    topic: np.ndarray[Any, Any],
    score: np.ndarray[Any, Any],
    k: int,
    n: int,
) -> list[list[str]]:
    """Up to ``n`` distinct texts nearest each topic's centre."""
    order = np.lexsort((np.arange(len(score)), -score))
    result: list[list[str]] = [[] for _ in range(k)]
    for i in order:
        t = int(topic[i])
        if t >= 0 and len(result[t]) < n and texts[i] not in result[t]:
            result[t].append(texts[i])
    return result
