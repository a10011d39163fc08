"""The demo's agents: a seeded simulation of people working part of the month's cases.

So that a newcomer opens a queue that has been worked: some cases taken, their
suggested articles reused (or searched for, or refused with a reason), a wrong intent
corrected, a reply recorded, an article flagged now and then, articles captured for
the reason the knowledge base lacks, and each case resolved (or escalated) as its
outcome says. Everything goes through the workspace's own services, so it is recorded
as feedback events and KCS links like the work of real people.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.demo.runner import AnalysisRun

__all__ = ["AGENTS", "simulate_agents"]

#: The simulated agents (users of the demo tenant, without a password) and their queues.
AGENTS: dict[str, tuple[str, ...]] = {
    "agent-lucia": ("billing", "general"),
    "agent-marco": ("tech_support", "mobile"),
    "agent-sofia": ("sales", "retention"),
    "agent-david": ("deliveries", "tier2"),
}
#: Share of the month's cases the agents work, and the most they work.
SHARE, MOST = 0.1, 300


def _ensure_agents(session: Session, tenant: str) -> None:
    from criterio.assist.service import set_queue_members
    from criterio.auth import service as auth
    from criterio.auth.repository import UserRepository, get_tenant
    from criterio.auth.roles import Role

    if get_tenant(session, tenant) is None:
        auth.create_tenant(session, tenant)
    users = UserRepository(session, tenant)
    queues: dict[str, list[str]] = {}
    for name, theirs in AGENTS.items():
        if users.by_name(name) is None:
            auth.create_user(session, tenant, username=name, role=Role.agent, password=None)
        for queue in theirs:
            queues.setdefault(queue, []).append(name)
    for queue, names in queues.items():
        set_queue_members(session, tenant, queue, names, by="demo")


def simulate_agents(factory: sessionmaker[Session], tenant: str, *, seed: int = 7) -> AnalysisRun:
    """Let the simulated agents work a seeded share of the tenant's open cases."""
    from criterio.assist.repository import CaseRepository
    from criterio.db import session_scope
    from criterio.metrics.freshness import suspended

    rng = random.Random(seed)  # noqa: S311 - a simulation, not secrets
    with session_scope(factory) as session:
        _ensure_agents(session, tenant)
        repo = CaseRepository(session, tenant)
        if any(repo.find(assignee=name, limit=1) for name in AGENTS):
            # The same demo loaded again: its cases were worked already.
            return AnalysisRun("agents", "the simulated agents had already worked this month")
        open_ids = [c.id for c in repo.find(statuses=["open"], limit=10**9)]
    picked = sorted(rng.sample(open_ids, min(MOST, round(SHARE * len(open_ids)))))
    done: Counter[str] = Counter()
    captured: dict[str, int] = {}
    # The demo rebuilds the metrics once the agents are done (runner._impact_metrics).
    with suspended():
        for case_id in picked:
            with session_scope(factory) as session:
                _work(session, tenant, case_id, rng, done, captured)
    summary = (
        f"{len(picked):,} cases worked by {len(AGENTS)} simulated agents: "
        f"{done['link']:,} articles reused ({done['suggested']:,} from the suggestions), "
        f"{done['intent']:,} intents corrected, {done['create_article']:,} articles created, "
        f"{done['flag']:,} flagged, {done['resolve']:,} resolved, {done['escalate']:,} escalated"
    )
    return AnalysisRun("agents", summary)


def _agent_for(queue: str) -> str:
    return next((name for name, queues in AGENTS.items() if queue in queues), "agent-lucia")


def _work(
    session: Session,
    tenant: str,
    case_id: int,
    rng: random.Random,
    done: Counter[str],
    captured: dict[str, int],
) -> None:
    """One agent works one case: take it, use (or refuse) knowledge, decide."""
    from criterio.assist.actions import apply_feedback
    from criterio.assist.schemas import FeedbackIn
    from criterio.assist.service import assign_case, escalate_case, get_case, resolve_case
    from criterio.assist.suggestions import article_suggestions
    from criterio.interactions.repository import InteractionRepository
    from criterio.knowledge.search import interaction_query

    case = get_case(session, tenant, case_id)
    found = InteractionRepository(session, tenant).get(case.interaction_id)
    if found is None:
        return
    agent = _agent_for(case.queue)
    assign_case(session, tenant, case_id, to=agent, by=agent)

    def act(**body: Any) -> None:
        apply_feedback(session, tenant, case, FeedbackIn(**body), by=agent, source="system")
        done[body["action"]] += 1

    # The reason the agent reads in the conversation: the label where the data has one.
    true = (found.labels or {}).get("intent") or case.intent
    if true and case.intent and true != case.intent:
        act(action="intent", intent=true, reason="the customer asks about something else")
    query = interaction_query({"turns": found.turns, "labels": {"intent": true} if true else {}})
    articles, _ = article_suggestions(session, tenant, query, found.language)
    right = next((a for a in articles[:3] if _answers(session, tenant, a.id, true)), None)
    if right is not None:
        act(action="link", article_id=right.id, via="suggested", rank=right.rank, score=right.score)
        done["suggested"] += 1
        if rng.random() < 0.05:
            act(action="flag", article_id=right.id, reason="a step is out of date")
    else:
        if articles:
            act(
                action="reject",
                suggestion="article",
                target=str(articles[0].id),
                rank=1,
                reason="about another issue",
            )
        known = _article_for(session, tenant, true, captured)
        if known is not None:
            act(action="link", article_id=known, via="searched")
        elif true and rng.random() < 0.5:
            apply_feedback(
                session,
                tenant,
                case,
                FeedbackIn(action="create_article", resolution=_agent_words(found.turns)),
                by=agent,
                source="system",
            )
            done["create_article"] += 1
            created = _newest_created(session, tenant, case.interaction_id)
            if created is not None:
                captured[true] = created
    outcome_code = found.resolution_code
    if found.escalated:
        escalate_case(session, tenant, case_id, reason="needs tier 2", by=agent, source="system")
        done["escalate"] += 1
    else:
        code = outcome_code or ("resolved" if found.resolved else "customer_informed")
        resolve_case(session, tenant, case_id, code=code, by=agent, source="system")
        done["resolve"] += 1


def _answers(session: Session, tenant: str, article_id: int, intent: str | None) -> bool:
    from criterio.knowledge.repository import ArticleRepository

    article = ArticleRepository(session, tenant).get(article_id)
    return bool(article is not None and intent and intent in (article.intents or []))


def _article_for(
    session: Session, tenant: str, intent: str | None, captured: dict[str, int]
) -> int | None:
    from criterio.knowledge.repository import ArticleRepository

    if not intent:
        return None
    if intent in captured:
        return captured[intent]
    for article in ArticleRepository(session, tenant).list(limit=1000):
        if intent in (article.intents or []) and article.state != "archived":
            return article.id
    return None


def _newest_created(session: Session, tenant: str, interaction_id: str) -> int | None:
    from criterio.assist.repository import CaseLinkRepository

    links = CaseLinkRepository(session, tenant).for_interaction(interaction_id)
    created = [link.article_id for link in links if link.kind == "created"]
    return created[-1] if created else None


def _agent_words(turns: list[dict[str, Any]]) -> str:
    said = [str(t.get("text", "")) for t in turns if t.get("role") == "agent"]
    return "\n".join(said[-3:])
