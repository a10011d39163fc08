"""New intents: what people marked "other" (or named an intent the model does not know),
grouped into proposed intents a lead accepts by naming them.

The interactions set apart by :func:`~criterio.learning.decisions.human_labels` are
clustered (average-linkage on cosine distances, scikit-learn; sentence vectors
beside word TF-IDF); each
cluster of at least ``min_size`` is a proposal with its examples (masked texts), the
names people gave and a suggested name. A proposal's key is a digest of its members,
so it is stable while its members are. Accepting records, for each member, the lead's
decision as an ``intent`` event with reason ``new_intent``: that decision outranks the
earlier "other", the name becomes a known intent, and the next ``learn`` trains on it.
Merging is accepting with the name of an existing intent, or the same name for two
proposals. No new table: the decisions are feedback events like any other.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.learning.decisions import NEW_INTENT_REASON, OTHER_LABELS, human_labels
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.service import champion_stage

__all__ = ["Proposal", "accept_proposal", "cluster_rows", "propose_intents"]


@dataclass(frozen=True)
class Proposal:
    """A group of interactions no known intent fits, and what people called them."""

    key: str
    members: list[str]
    examples: list[str]
    names_given: dict[str, int] = field(default_factory=dict)
    suggested_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**self.__dict__, "size": len(self.members)}


def cluster_rows(
    texts: list[str], *, min_size: int = 3, encoder: Any = None, max_distance: float = 0.75
) -> np.ndarray[Any, Any]:
    """A cluster number per text (-1: in none of at least ``min_size``).

    Average-linkage clustering on cosine distances of word TF-IDF beside the sentence
    vectors (``encoder``; the shipped static table when None): groups stop merging when
    their mean distance passes ``max_distance``, so their number is not fixed in advance.
    """
    from scipy import sparse
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    if len(texts) < max(min_size, 2):
        return np.full(len(texts), -1)
    if encoder is None:
        from criterio.analysis.embeddings import make_encoder

        encoder = make_encoder("static", 0).fit(texts)
    words = normalize(TfidfVectorizer(sublinear_tf=True).fit_transform(texts))
    vectors = normalize(np.asarray(encoder.transform(texts), dtype=float))
    features = normalize(sparse.hstack([words, sparse.csr_matrix(vectors)], "csr")).toarray()
    labels: np.ndarray[Any, Any] = AgglomerativeClustering(
        n_clusters=None, distance_threshold=max_distance, metric="cosine", linkage="average"
    ).fit_predict(features)
    sizes = np.bincount(labels)
    return np.where(sizes[labels] >= min_size, labels, -1)


def _name(texts: list[str], given: Counter[str]) -> str:
    named = [(n, c) for n, c in given.most_common() if n.lower() not in OTHER_LABELS]
    if named:
        return named[0][0]
    words = Counter(
        w for t in texts for w in {w.strip(".,!?¿¡").lower() for w in t.split()} if len(w) > 3
    )
    return "_".join(w for w, _ in words.most_common(2)) or "new_intent"


def propose_intents(
    session: Session, tenant: str, *, min_size: int = 3, examples: int = 5, model: Any = None
) -> list[Proposal]:
    """The tenant's proposed intents, largest first (``model``: the champion intent model
    when the caller has loaded it already)."""
    if model is None:
        stage = champion_stage(session, tenant, "intent")
        model = None if stage is None else stage.model
    known = None if model is None else {str(c) for c in model.classes_}
    rows = human_labels(session, tenant, known_intents=known).unknown
    if not rows:
        return []
    texts = [r.text for r in rows]
    clusters = cluster_rows(
        texts, min_size=min_size, encoder=None if model is None else model.encoder_
    )
    proposals = []
    for number in sorted(set(clusters) - {-1}):
        members = [rows[i] for i in np.flatnonzero(clusters == number)]
        ids = sorted(r.interaction_id for r in members)
        given = Counter(r.intent for r in members)
        key = "p-" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:10]
        proposals.append(
            Proposal(
                key,
                ids,
                [r.text for r in members[:examples]],
                dict(given.most_common()),
                _name([r.text for r in members], given),
            )
        )
    return sorted(proposals, key=lambda p: (-len(p.members), p.key))


def accept_proposal(
    session: Session, tenant: str, key: str, *, name: str, by: str, source: str = "cli"
) -> int:
    """Name a proposal (a new intent, or an existing one to merge into); its members'
    decisions are recorded and enter training. Returns how many were recorded."""
    name = name.strip()
    if not name or name.lower() in OTHER_LABELS:
        raise InvalidInputError(f"name: {name!r} cannot name an intent")
    proposal = next((p for p in propose_intents(session, tenant) if p.key == key), None)
    if proposal is None:
        raise NotFoundError(f"proposal {key}: none now (its members changed): list them again")
    rows, _ = record_many(
        session,
        tenant,
        [
            Feedback(
                kind="intent",
                by=by,
                after={"intent": name},
                interaction_id=member,
                reason=NEW_INTENT_REASON,
                source=source,
            )
            for member in proposal.members
        ],
    )
    return len(rows)
