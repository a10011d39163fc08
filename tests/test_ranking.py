"""Article ranking learned from links, accepts and rejects: fitted on older decisions,
evaluated on the most recent (top-3 hit rate), promoted only when better, then used by
the case's suggestions; a broken ranking file leaves the search's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from criterio.assist.suggestions import article_suggestions
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.knowledge import ArticleIn, create_article
from criterio.knowledge.search import search_articles
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.ranking import Ranking, Vote, fit_ranking, learn_ranking, ranking_for
from criterio.learning.repository import ModelRepository

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
QUERY = "my card is blocked and I cannot pay"
BLOCKED = [
    ("Card blocked at a cash machine", "My card is blocked at the cash machine, I cannot pay"),
    ("Card blocked after a wrong PIN", "My card is blocked after entering the PIN wrong"),
    ("Card blocked abroad", "The card is blocked abroad and I cannot pay in shops"),
    ("Card blocked by fraud checks", "My card was blocked by a fraud check, I cannot pay"),
    ("Card blocked for online payments", "The card is blocked online, I cannot pay"),
]
#: What the agents link every time: the fix is in the app, in other words.
FAVOURITE = ("Unlock it yourself in the mobile app", "Use the app's security screen to unlock")


def _seed(session: Session) -> dict[str, int]:
    ids = {}
    for n, (title, issue) in enumerate([*BLOCKED, FAVOURITE]):
        article = ArticleIn(
            external_id=f"kb-{n}",
            title=title,
            issue=issue,
            resolution="Follow the steps on the screen.",
            language="en",
            state="validated",
            audience="customer",
        )
        ids[title] = create_article(session, "acme", article, actor="seed").id
    texts = [f"{QUERY} (shop {i})" for i in range(30)]
    store_interactions(
        session,
        [
            InteractionIn.model_validate(
                {"tenant": "acme", "id": f"b-{i}", "started_at": T0.isoformat(), "text": t}
            )
            for i, t in enumerate(texts)
        ],
    )
    favourite, first = str(ids[FAVOURITE[0]]), str(ids[BLOCKED[0][0]])
    decisions = [
        Feedback(
            "article_link",
            "agnes",
            {"article_id": int(favourite), "via": "searched"},
            interaction_id=f"b-{i}",
            at=T0 + timedelta(hours=i),
        )
        for i in range(30)
    ]
    decisions += [
        Feedback(
            "suggestion_rejected",
            "agnes",
            {"suggestion": "article", "target": first, "rank": 1},
            interaction_id=f"b-{i}",
            reason="does not help",
            at=T0 + timedelta(hours=i),
        )
        for i in range(0, 30, 3)
    ]
    record_many(session, "acme", decisions)
    return ids


def test_priors_follow_votes_per_intent_and_overall() -> None:
    votes = [Vote("a", "7", 1, T0), Vote("b", "7", 1, T0), Vote("c", "7", -1, T0)]
    votes += [Vote("c", "9", -1, T0)]
    ranking = fit_ranking(votes, {"a": "x", "b": "x", "c": "y"})
    assert ranking.priors["x"]["7"] > ranking.priors[""]["7"] > 0 > ranking.priors["y"]["7"]
    assert ranking.adjustment("z", "9") == pytest.approx(0.1 * ranking.priors[""]["9"])
    assert Ranking.from_json(ranking.to_json()) == ranking


@SQLITE
def test_learned_ranking_is_promoted_when_better_and_reorders_suggestions(
    session: Session, tmp_path: Path
) -> None:
    ids = _seed(session)
    intents = {f"b-{i}": "card_blocked" for i in range(30)}
    before, _ = article_suggestions(session, "acme", QUERY, "en", intent="card_blocked")
    favourite = ids[FAVOURITE[0]]
    assert favourite not in [a.id for a in before[:3]]  # the search alone ranks it low

    report = learn_ranking(session, "acme", intents=intents, model_dir=tmp_path, by="t")
    assert report.status == "promoted", report.reason
    assert report.n_votes == 40 and report.n_held_out == 10
    assert report.top3_candidate == 1.0 and (report.top3_search or 0) < 1.0
    row = ModelRepository(session, "acme").champion("ranking")
    assert row is not None and row.metrics["top3_candidate"] == 1.0
    assert (Path(row.path) / "ranking.json").is_file() and not list(Path(row.path).glob("*.skops"))

    after, _ = article_suggestions(session, "acme", QUERY, "en", intent="card_blocked")
    assert after[0].id == favourite and [a.rank for a in after] == list(range(1, len(after) + 1))
    # The score shown (and the no-match threshold) stays the search's own.
    raw = {h.id: h.score for h in search_articles(session, "acme", QUERY, limit=10)}
    assert after[0].score == raw[favourite] < max(raw.values())

    # Nothing new: the candidate is no better than the champion, so it stays a candidate.
    again = learn_ranking(session, "acme", intents=intents, model_dir=tmp_path, by="t")
    assert again.status == "kept" and again.top3_champion == 1.0

    # A changed file is never used: the search's own order comes back.
    (Path(row.path) / "ranking.json").write_text('{"format": "criterio-ranking/1"}')
    assert ranking_for(session, "acme") is None
    plain, _ = article_suggestions(session, "acme", QUERY, "en", intent="card_blocked")
    assert [a.id for a in plain] == [a.id for a in before]


@SQLITE
def test_too_few_decisions_train_nothing(session: Session, tmp_path: Path) -> None:
    report = learn_ranking(session, "acme", intents={}, model_dir=tmp_path, by="t")
    assert report.status == "skipped" and "needs at least 20" in report.reason
    assert ModelRepository(session, "acme").list("ranking") == []
