"""Knowledge gaps: clusters of recent interactions that no article answers.

Each recent interaction is searched against the tenant's articles like a suggestion;
those below the ``no_match`` threshold are grouped by meaning (the multilingual
``use-static`` vectors, so a Spanish and an English question about the same thing can
meet; average-linkage clustering on cosine distance), and every group of ``min_size`` or
more becomes (or updates) an insight of type ``knowledge_gap``, which people review in
the existing flow and turn into an article (``criterio kb draft --gap ID``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from criterio.insights.models import Insight
from criterio.insights.repository import InsightRepository
from criterio.knowledge.folding import STOP_WORDS, fold
from criterio.knowledge.repository import RecentInteractions
from criterio.knowledge.search import interaction_query, no_match_threshold, search_articles
from criterio.languages import supported

__all__ = ["GAP_TYPE", "Gap", "find_gaps"]

GAP_TYPE = "knowledge_gap"
#: Interactions closer than this (cosine distance, average linkage) ask the same thing;
#: chosen on public questions' train splits (``bench/gaps.py --split train``).
DISTANCE = 0.5
#: The vectors questions are grouped by (``analysis.embeddings.make_encoder``).
ENCODER = "use-static"
#: At most this many unanswered interactions are clustered (pairwise distances: n²).
MAX_CLUSTERED = 2000
EXAMPLES = 10


@dataclass
class Gap:
    """A group of unanswered interactions: the insight it is stored as, and its figures."""

    id: int
    size: int
    language: str
    label: str
    trend: str
    earlier: int
    later: int
    examples: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The gap as ``criterio kb gaps --json`` prints it."""
        return dict(self.__dict__)


def _label(texts: list[str]) -> str:
    words = Counter(
        w for t in texts for w in set(fold(t).split()) if w not in STOP_WORDS and len(w) > 2
    )
    return " ".join(w for w, _ in words.most_common(3)) or "unlabelled"


def find_gaps(
    session: Session,
    tenant: str,
    *,
    days: int = 30,
    min_size: int = 3,
    limit: int = 5000,
    now: datetime | None = None,
) -> list[Gap]:
    """Cluster the recent interactions no article fits; store each cluster as an insight."""
    rows = RecentInteractions(session, tenant).recent(days, limit)
    threshold, _ = no_match_threshold(session, tenant)
    unanswered = []
    for external_id, started_at, language, turns, labels in rows:
        query = interaction_query({"turns": turns, "labels": labels or {}})
        if not query:
            continue
        hits = search_articles(session, tenant, query, limit=1)
        if not hits or hits[0].score < threshold:
            unanswered.append((external_id, started_at, language or "", query))
    unanswered = unanswered[:MAX_CLUSTERED]
    if len(unanswered) < min_size:
        return []
    groups = _cluster([u[3] for u in unanswered])
    gaps = []
    for members in groups:
        if len(members) < min_size:
            continue
        picked = [unanswered[i] for i in members]
        gaps.append(_record(session, tenant, picked, rows, now=now or datetime.now(UTC)))
    return sorted(gaps, key=lambda g: -g.size)


def _cluster(texts: list[str]) -> list[list[int]]:
    from sklearn.cluster import AgglomerativeClustering

    from criterio.knowledge.retrieval import shared_encoder

    vectors = shared_encoder(ENCODER).transform(texts)
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=DISTANCE, metric="cosine", linkage="average"
    ).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(position)
    return list(groups.values())


def _record(
    session: Session,
    tenant: str,
    picked: list[tuple[str, datetime, str, str]],
    rows: list[Any],
    *,
    now: datetime,
) -> Gap:
    """Create or update the insight of one gap (keyed by its label) and return the gap."""
    label = _label([p[3] for p in picked])
    language = Counter(p[2][:2] or "en" for p in picked).most_common(1)[0][0]
    language = supported(language)
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    middle = first + (last - first) / 2
    earlier = sum(p[1] < middle for p in picked)
    later = len(picked) - earlier
    trend = "rising" if later > 1.5 * earlier else "falling" if earlier > 1.5 * later else "steady"
    examples = [p[0] for p in picked[:EXAMPLES]]
    figures = {"size": len(picked), "earlier": earlier, "later": later, "trend": trend}
    # The same sentence pages and reports write in their own language (statement_in).
    statement = gap_statement(label, figures, first, last, language)
    fingerprint = hashlib.sha256(f"{GAP_TYPE}:{label}".encode()).hexdigest()[:32]
    repo = InsightRepository(session, tenant)
    evidence = {
        "figures": figures,
        "chart": {},
        "examples": examples,
    }
    existing = next(iter(repo.by_fingerprint(fingerprint)), None)
    if existing is None:
        insight = repo.add(
            Insight(
                tenant=tenant,
                fingerprint=fingerprint,
                type=GAP_TYPE,
                segment={"gap": label},
                period_start=first.date(),
                period_end=last.date(),
                severity=float(min(100, 10 * len(picked))),
                statement=statement,
                language=language,
                evidence=evidence,
                status="new",
                history=[],
                detections=1,
                ongoing=True,
                last_detected_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        insight = existing
        # The insights domain updates its rows through the unit of work; so does this.
        insight.statement = statement
        insight.evidence = evidence
        insight.severity = float(min(100, 10 * len(picked)))
        insight.period_end = max(insight.period_end, last.date())
        insight.detections += 1
        insight.last_detected_at = now
        insight.updated_at = now
        session.flush()
    return Gap(insight.id, len(picked), language, label, trend, earlier, later, examples)


def gap_statement(
    label: str, figures: dict[str, Any], first: datetime, last: datetime, language: str
) -> str:
    """The gap's one-sentence statement in ``language``, as detections' statements are made."""
    from criterio.patterns import Detection, segment_key, statement

    detection = Detection(
        type=GAP_TYPE,
        segment=segment_key({"gap": label}),
        start=first.date(),
        end=last.date(),
        impact=0.0,
        strength=0.0,
        magnitude=0.0,
        figures=figures,
    )
    return statement(detection, language)
