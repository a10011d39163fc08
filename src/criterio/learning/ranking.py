"""Article ranking learned from what people did with suggestions: a per-(intent, article) prior.

Agents link articles to cases (``article_link``) and accept or reject suggested ones
(``suggestion_accepted`` / ``suggestion_rejected``). Each such decision is a vote for
or against an article for the intent of its interaction. The ranking is, per intent
(and over all intents, for interactions of no known intent), each article's smoothed
log-odds ``log((for + 1) / (against + 1))``, clipped to ``±CLIP``; a suggestion's
order is by ``search score + WEIGHT × prior`` (the score people see, and the no-match
threshold, stay the search's own).

:func:`learn_ranking` (part of ``criterio learn``) fits a candidate on all but the
most recent decisions and evaluates it on those: for each held-out positive decision,
is its article in the top 3 of the search's order (before), of the candidate's order
(after), and of the current champion's? The candidate is promoted only when its top-3
hit rate is higher than both. The model is a JSON file (``ranking.json``) in the
registry as kind ``ranking``, checked against its SHA-256 when loaded.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from criterio.digest import content_digest, file_sha256
from criterio.learning.repository import FeedbackRepository, ModelRepository
from criterio.learning.service import model_directory_for, register_model

__all__ = [
    "Ranking",
    "RankingReport",
    "Vote",
    "fit_ranking",
    "learn_ranking",
    "ranking_for",
    "votes_of",
]

log = logging.getLogger("criterio.learning")
T = TypeVar("T")
#: How far one unit of prior moves a search score (scores are confidences in 0–1):
#: the default, and the choices a fit picks from on its training decisions.
WEIGHT = 0.1
WEIGHTS = (0.05, 0.1, 0.2, 0.4)
#: Most recent training decisions searched to choose the weight.
WEIGHT_SAMPLE = 200
#: Largest prior, either way: a dozen votes say as much as a hundred.
CLIP = 2.0
#: Articles searched for each held-out decision; the re-ranking reorders these.
POOL = 10
TOP = 3
_POSITIVE = ("article_link", "suggestion_accepted")
_NEGATIVE = ("suggestion_rejected",)
_cache: dict[tuple[int, str, int, int], Ranking] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Vote:
    """One decision about an article for an interaction: +1 linked or accepted, -1 rejected."""

    interaction_id: str
    article: str
    sign: int
    at: datetime


@dataclass
class Ranking:
    """Priors by intent ("" for any intent) and article id, and how much they weigh."""

    priors: dict[str, dict[str, float]] = field(default_factory=dict)
    weight: float = WEIGHT

    def adjustment(self, intent: str | None, article: str) -> float:
        """What the prior adds to an article's search score for a case of ``intent``."""
        prior = self.priors.get(intent or "", {}).get(article)
        if prior is None:
            prior = self.priors.get("", {}).get(article, 0.0)
        return self.weight * prior

    def rerank(
        self,
        items: Sequence[T],
        intent: str | None,
        article: Callable[[T], str],
        score: Callable[[T], float],
    ) -> list[T]:
        """``items`` by score plus prior, best first (ties keep the search's order)."""
        keyed = [
            (-(score(x) + self.adjustment(intent, article(x))), i) for i, x in enumerate(items)
        ]
        return [items[i] for _, i in sorted(keyed)]

    def to_json(self) -> dict[str, Any]:
        """What ``ranking.json`` holds."""
        return {"format": "criterio-ranking/1", "weight": self.weight, "priors": self.priors}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ranking:
        """A ranking from ``ranking.json``; ValueError when it is not one."""
        if data.get("format") != "criterio-ranking/1":
            raise ValueError("not a criterio ranking file")
        priors = {
            str(intent): {str(a): float(v) for a, v in dict(values).items()}
            for intent, values in dict(data["priors"]).items()
        }
        return cls(priors, float(data["weight"]))


def _article_of(kind: str, after: dict[str, Any]) -> str | None:
    if kind == "article_link":
        found = after.get("article_id")
    elif after.get("suggestion", "article") != "article":
        return None  # a similar case or a reply draft, not an article
    else:
        found = after.get("target", after.get("article_id"))
    return None if found is None else str(found)


def votes_of(session: Session, tenant: str) -> list[Vote]:
    """The tenant's decisions about articles, oldest first."""
    events = FeedbackRepository(session, tenant).list(kinds=[*_POSITIVE, *_NEGATIVE])
    votes = []
    for e in events:
        article = _article_of(e.kind, e.after or {})
        if article is None or e.interaction_id is None:
            continue
        at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
        votes.append(Vote(e.interaction_id, article, 1 if e.kind in _POSITIVE else -1, at))
    return votes


def fit_ranking(votes: Sequence[Vote], intents: dict[str, str]) -> Ranking:
    """Each article's smoothed, clipped log-odds per intent and over all intents."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for v in votes:
        for intent in {intents.get(v.interaction_id, ""), ""}:
            counts[(intent, v.article)][0 if v.sign > 0 else 1] += 1
    priors: dict[str, dict[str, float]] = defaultdict(dict)
    for (intent, article), (pro, con) in sorted(counts.items()):
        value = max(-CLIP, min(CLIP, math.log((pro + 1) / (con + 1))))
        priors[intent][article] = round(value, 4)
    return Ranking(dict(priors))


Searched = list[tuple[Vote, str | None, list[Any]]]


def searched(
    session: Session, tenant: str, votes: Sequence[Vote], intents: dict[str, str]
) -> Searched:
    """The search's best ``POOL`` articles for each positive decision's interaction."""
    from criterio.interactions.repository import InteractionRepository
    from criterio.knowledge.search import interaction_query, search_articles

    repo = InteractionRepository(session, tenant)
    out: Searched = []
    for vote in (v for v in votes if v.sign > 0):
        interaction = repo.get(vote.interaction_id)
        if interaction is None:
            continue
        intent = intents.get(vote.interaction_id)
        labels = {"intent": intent} if intent else {}
        query = interaction_query({"turns": interaction.turns, "labels": labels})
        out.append((vote, intent, search_articles(session, tenant, query, limit=POOL)))
    return out


def top_hit_rate(found: Searched, ranking: Ranking | None) -> float | None:
    """Share of the decisions whose article is in the top 3 of ``ranking``'s order (None:
    the search's own order); None when there is nothing to score."""
    if not found:
        return None
    hits = 0
    for vote, intent, results in found:
        order = results if ranking is None else ranking.rerank(
            results, intent, lambda h: str(h.id), lambda h: h.score
        )  # fmt: skip
        hits += any(str(h.id) == vote.article for h in order[:TOP])
    return round(hits / len(found), 4)


def choose_weight(ranking: Ranking, found: Searched) -> Ranking:
    """The ranking with the smallest of ``WEIGHTS`` that does best on its own training
    decisions (the held-out ones are not looked at)."""
    scored = [(top_hit_rate(found, Ranking(ranking.priors, w)) or 0.0, -w) for w in WEIGHTS]
    return Ranking(ranking.priors, -max(scored)[1])


@dataclass
class RankingReport:
    """What one ranking run did."""

    status: str  # promoted, kept, skipped
    reason: str
    candidate_id: int | None = None
    n_votes: int = 0
    n_held_out: int = 0
    top3_search: float | None = None
    top3_candidate: float | None = None
    top3_champion: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (part of `criterio learn --json`)."""
        return dict(self.__dict__)


def learn_ranking(
    session: Session,
    tenant: str,
    *,
    intents: dict[str, str],
    model_dir: Path,
    by: str,
    holdout_share: float = 0.2,
    min_holdout: int = 10,
) -> RankingReport:
    """Fit, evaluate on the most recent decisions, register, and promote when better."""
    votes = sorted(votes_of(session, tenant), key=lambda v: (v.at, v.interaction_id))
    size = max(min_holdout, round(holdout_share * len(votes)))
    held, train = votes[-size:], votes[:-size]
    report = RankingReport("skipped", "", n_votes=len(votes), n_held_out=len(held))
    if len(votes) < 2 * min_holdout or sum(v.sign > 0 for v in held) < min_holdout // 2:
        report.reason = (
            f"{len(votes)} decisions about articles: a ranking needs at least {2 * min_holdout}"
        )
        return report
    candidate = fit_ranking(train, intents)
    candidate = choose_weight(candidate, searched(session, tenant, train[-WEIGHT_SAMPLE:], intents))
    champion = ranking_for(session, tenant)
    evaluation = searched(session, tenant, held, intents)
    search, mine, theirs = (top_hit_rate(evaluation, r) for r in (None, candidate, champion))
    report.top3_search, report.top3_candidate = search, mine
    report.top3_champion = theirs if champion is not None else None
    bar = max(x for x in (search, report.top3_champion, 0.0) if x is not None)
    better = mine is not None and mine > bar
    report.reason = (
        f"top-3 hit rate on {len(held)} held-out decisions: search {search}, candidate "
        f"{mine}" + ("" if champion is None else f", champion {theirs}")
    )
    repo = ModelRepository(session, tenant)
    repo.lock_kind("ranking")
    version = repo.next_version("ranking")
    directory = model_directory_for(model_dir, tenant, "ranking", version)
    directory.mkdir(parents=True)
    (directory / "ranking.json").write_text(json.dumps(candidate.to_json(), sort_keys=True))
    train_ids = [[v.interaction_id, v.article, v.sign] for v in train]
    row, _ = register_model(
        session,
        tenant,
        kind="ranking",
        version=version,
        directory=directory,
        training={
            "source": "learn: article links, accepted and rejected suggestions",
            "n_examples": len(train),
            "n_held_out": len(held),
        },
        training_hash=content_digest(train_ids),
        metrics={
            "weight": candidate.weight,
            "top3_search": search,
            "top3_candidate": mine,
            "top3_champion": report.top3_champion,
            "heldout_n": len(held),
            "decision": "promoted" if better else "kept as candidate",
            "reason": report.reason,
        },
        promote_to_champion=better,
        by=by,
    )
    report.candidate_id = row.id
    report.status = "promoted" if better else "kept"
    return report


def ranking_for(session: Session, tenant: str) -> Ranking | None:
    """The tenant's champion ranking, or None (none, or its file missing or changed:
    suggestions then keep the search's order, and the problem is logged)."""
    row = ModelRepository(session, tenant).champion("ranking")
    if row is None:
        return None
    file = Path(row.path) / "ranking.json"
    try:
        # A file changed since it was read (its size or time) is checked again.
        stat = file.stat()
        key = (row.id, row.sha256, stat.st_mtime_ns, stat.st_size)
        with _cache_lock:
            cached = _cache.get(key)
        if cached is not None:
            return cached
        if file_sha256(file) != row.sha256:
            raise ValueError("it does not match its registered SHA-256")
        ranking = Ranking.from_json(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning(
            "ranking model unusable", extra={"tenant": tenant, "model": row.id, "error": str(error)}
        )
        return None
    with _cache_lock:
        if len(_cache) >= 64:  # old versions and changed files: start again
            _cache.clear()
        _cache[key] = ranking
    return ranking
