"""Every query metrics makes on other domains' records (tenant-scoped, read only).

Contacts and what happened to them are read by joining the interactions of a range of
start times to their analysis, case, triage decisions, feedback and article links; the
knowledge, learning and insight events by their own times. The aggregate tables'
queries are in ``metrics.repository``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from criterio.annotations.models import AnalysisResult
from criterio.assist.models import Case
from criterio.db import is_postgres
from criterio.insights.models import Insight
from criterio.interactions.models import Interaction
from criterio.knowledge.models import Article, ArticleLink, ArticleReview, ArticleVersion
from criterio.learning.models import FeedbackEvent, RegisteredModel
from criterio.tenancy import TenantScopedRepository
from criterio.triage.models import TriageDecision

__all__ = ["ContactRecords", "EventRecords"]


def utc_day(session: Session, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column, in SQL (both stores keep UTC)."""
    if is_postgres(session.get_bind().dialect):
        return func.date(func.timezone("UTC", column))
    return func.date(column)


class ContactRecords(TenantScopedRepository):
    """Interactions of a range of start times and what happened to each."""

    model = Interaction

    def _range(self, lo: datetime, hi: datetime) -> Any:
        return self._select(Interaction.external_id).where(
            Interaction.started_at >= lo, Interaction.started_at < hi
        )

    def contacts(self, lo: datetime, hi: datetime) -> list[Any]:
        """Each interaction started in [lo, hi) with its analysis and its case."""
        i, a, c = Interaction, AnalysisResult, Case
        stmt = (
            self._select(
                i.external_id,
                i.started_at,
                i.ended_at,
                i.customer_id,
                i.channel,
                i.language,
                i.attributes,
                i.handled_by,
                i.agent_id,
                i.resolved,
                i.csat,
                i.escalated,
                i.labels,
                a.language.label("analysed_language"),
                a.intent_label,
                a.trajectory,
                c.queue,
                c.intent.label("case_intent"),
                c.status,
                c.assignee,
                c.opened_at,
                c.resolved_at,
                c.escalated_at,
            )
            .outerjoin(a, a.interaction_pk == i.pk)
            .outerjoin(c, and_(c.tenant == i.tenant, c.interaction_id == i.external_id))
            .where(i.started_at >= lo, i.started_at < hi)
        )
        return list(self.session.execute(stmt))

    def decisions(self, lo: datetime, hi: datetime) -> list[Any]:
        """Live triage decisions about those interactions, oldest first."""
        d = TriageDecision
        stmt = (
            self._scoped(
                select(d.interaction_id, d.action, d.intent, d.queue).select_from(Interaction)
            )
            .join(
                d, and_(d.tenant == Interaction.tenant, d.interaction_id == Interaction.external_id)
            )
            .where(Interaction.started_at >= lo, Interaction.started_at < hi, d.mode == "live")
            .order_by(d.decided_at, d.id)
        )
        return list(self.session.execute(stmt))

    def feedback(self, lo: datetime, hi: datetime, kinds: Sequence[str]) -> list[Any]:
        """Feedback events of those kinds about those interactions."""
        f = FeedbackEvent
        stmt = (
            self._scoped(select(f.interaction_id, f.kind, f.after).select_from(Interaction))
            .join(
                f, and_(f.tenant == Interaction.tenant, f.interaction_id == Interaction.external_id)
            )
            .where(Interaction.started_at >= lo, Interaction.started_at < hi, f.kind.in_(kinds))
        )
        return list(self.session.execute(stmt))

    def links(self, lo: datetime, hi: datetime) -> list[Any]:
        """Article links of those interactions (reused, created, improved, flagged)."""
        k = ArticleLink
        stmt = (
            self._scoped(select(k.interaction_id, k.kind).select_from(Interaction))
            .join(
                k, and_(k.tenant == Interaction.tenant, k.interaction_id == Interaction.external_id)
            )
            .where(Interaction.started_at >= lo, Interaction.started_at < hi)
        )
        return list(self.session.execute(stmt))

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The first and last start time of the tenant's interactions."""
        row = self.session.execute(
            self._select(func.min(Interaction.started_at), func.max(Interaction.started_at))
        ).one()
        return _aware(row[0]), _aware(row[1])

    def changed_days(self, since: datetime) -> set[date]:
        """Start days of interactions imported, analysed or worked on since ``since``."""
        i, a, c, d = Interaction, AnalysisResult, Case, TriageDecision
        day = utc_day(self.session, i.started_at)
        queries = [
            self._select(day).where(i.updated_at > since),
            self._select(day).join(a, a.interaction_pk == i.pk).where(a.analyzed_at > since),
            self._select(day)
            .join(c, and_(c.tenant == i.tenant, c.interaction_id == i.external_id))
            .where(
                or_(
                    *(
                        col > since
                        for col in (
                            c.opened_at,
                            c.assigned_at,
                            c.resolved_at,
                            c.escalated_at,
                            c.reopened_at,
                        )
                    )
                )
            ),
            self._select(day)
            .join(d, and_(d.tenant == i.tenant, d.interaction_id == i.external_id))
            .where(d.decided_at > since),
        ]
        return {_as_date(v) for q in queries for v in self.session.scalars(q.distinct())}

    def count_on(self, days: Iterable[date]) -> int:
        """How many interactions started on these (UTC) days."""
        total = 0
        for day in set(days):
            lo = datetime(day.year, day.month, day.day, tzinfo=UTC)
            stmt = self._scoped(select(func.count()).select_from(Interaction)).where(
                Interaction.started_at >= lo, Interaction.started_at < lo + timedelta(days=1)
            )
            total += int(self.session.scalar(stmt) or 0)
        return total

    def days_of(self, interaction_ids: Sequence[str]) -> set[date]:
        """Start days of these interactions."""
        day = utc_day(self.session, Interaction.started_at)
        found: set[date] = set()
        ids = list(interaction_ids)
        for k in range(0, len(ids), 500):
            stmt = self._select(day).where(Interaction.external_id.in_(ids[k : k + 500]))
            found |= {_as_date(v) for v in self.session.scalars(stmt.distinct())}
        return found

    def human_agents(self, lo: datetime, hi: datetime) -> list[Any]:
        """(start, agent id) of contacts handled by a person in [lo, hi) (imported history)."""
        i = Interaction
        stmt = self._select(i.started_at, i.agent_id).where(
            i.started_at >= lo, i.started_at < hi, i.handled_by == "human", i.agent_id.is_not(None)
        )
        return list(self.session.execute(stmt))


class EventRecords:
    """Knowledge, learning and insight events of a range of times, read per table."""

    def __init__(self, session: Session, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def _rows(self, model: Any, *columns: Any, where: Sequence[Any] = ()) -> list[Any]:
        repo = _Scoped(self.session, self.tenant, model)
        return list(self.session.execute(repo.select(*columns).where(*where)))

    def versions(self, lo: datetime, hi: datetime) -> list[Any]:
        """Article versions written in [lo, hi), with their article's creation time."""
        v = ArticleVersion
        stmt = (
            _Scoped(self.session, self.tenant, v)
            .select(v.article_id, v.version, v.action, v.content, v.by, v.at, Article.created_at)
            .join(Article, Article.id == v.article_id)
            .where(v.at >= lo, v.at < hi)
        )
        return list(self.session.execute(stmt))

    def state_versions(self, article_ids: Sequence[int]) -> list[Any]:
        """(article, version, state) of every version of these articles."""
        v = ArticleVersion
        return self._rows(
            v, v.article_id, v.version, v.content, where=[v.article_id.in_(list(article_ids))]
        )

    def links(self, lo: datetime, hi: datetime) -> list[Any]:
        """Article links made in [lo, hi), with the article's public id."""
        k = ArticleLink
        stmt = (
            _Scoped(self.session, self.tenant, k)
            .select(k.article_id, Article.external_id, k.kind, k.via, k.by, k.at)
            .join(Article, Article.id == k.article_id)
            .where(k.at >= lo, k.at < hi)
        )
        return list(self.session.execute(stmt))

    def reviews(self, lo: datetime, hi: datetime) -> list[Any]:
        """Content-standard reviews made in [lo, hi)."""
        r = ArticleReview
        return self._rows(r, r.items, r.score, r.at, where=[r.at >= lo, r.at < hi])

    def feedback(self, lo: datetime, hi: datetime, kinds: Sequence[str]) -> list[Any]:
        """Feedback events of those kinds decided in [lo, hi)."""
        f = FeedbackEvent
        return self._rows(
            f,
            f.kind,
            f.before,
            f.after,
            f.by,
            f.at,
            where=[f.at >= lo, f.at < hi, f.kind.in_(kinds)],
        )

    def automated_answers(self, lo: datetime, hi: datetime) -> list[Any]:
        """Live automated triage decisions of [lo, hi) and the article each answered with."""
        d = TriageDecision
        return self._rows(
            d,
            d.answer,
            d.decided_at,
            where=[d.decided_at >= lo, d.decided_at < hi, d.mode == "live", d.action == "automate"],
        )

    def resolved_cases(self, lo: datetime, hi: datetime) -> list[Any]:
        """(resolved at, assignee) of cases resolved in [lo, hi)."""
        c = Case
        return self._rows(
            c, c.resolved_at, c.assignee, where=[c.resolved_at >= lo, c.resolved_at < hi]
        )

    def promotions(self, lo: datetime, hi: datetime) -> list[Any]:
        """Models promoted in [lo, hi)."""
        m = RegisteredModel
        return self._rows(m, m.kind, m.promoted_at, where=[m.promoted_at >= lo, m.promoted_at < hi])

    def champions_over_time(self, until: datetime) -> list[Any]:
        """Every model promoted up to ``until``: kind, version, when, its metrics."""
        m = RegisteredModel
        stmt = _Scoped(self.session, self.tenant, m).select(
            m.kind, m.version, m.promoted_at, m.metrics
        )
        stmt = stmt.where(m.promoted_at.is_not(None), m.promoted_at < until)
        return list(self.session.execute(stmt.order_by(m.promoted_at)))

    def insights_touched(self, since: datetime) -> list[Any]:
        """Insights created or reviewed since ``since``: type, creation, history."""
        n = Insight
        return self._rows(n, n.type, n.created_at, n.history, where=[n.updated_at >= since])

    def article_ages(self) -> list[Any]:
        """(id, title, state, created at) of every article not archived."""
        a = Article
        return self._rows(a, a.id, a.title, a.created_at, where=[a.state != "archived"])

    def titles_by_public_id(self, public_ids: Sequence[str]) -> dict[str, str]:
        """Titles of articles named by public id (external id, else row id)."""
        a = Article
        keys = list(public_ids)
        if not keys:
            return {}
        found = {
            row.external_id: row.title
            for row in self._rows(a, a.external_id, a.title, where=[a.external_id.in_(keys)])
        }
        ids = [int(k) for k in keys if k not in found and k.isdigit() and len(k) < 19]
        if ids:
            rows = self._rows(a, a.id, a.title, where=[a.id.in_(ids), a.external_id.is_(None)])
            found.update({str(row.id): row.title for row in rows})
        return found

    def last_reuse(self, until: datetime) -> dict[int, datetime]:
        """When each article was last reused by a case, before ``until``."""
        k = ArticleLink
        stmt = (
            _Scoped(self.session, self.tenant, k)
            .select(k.article_id, func.max(k.at))
            .where(k.kind == "reused", k.at < until)
            .group_by(k.article_id)
        )
        return {row[0]: _aware(row[1]) for row in self.session.execute(stmt)}  # type: ignore[misc]

    def changed_days(self, since: datetime, since_id: dict[str, int]) -> set[date]:
        """Days of events recorded since the marks (row ids for append-only tables)."""
        days: set[date] = set()
        for name, model, at in (
            ("article_versions", ArticleVersion, ArticleVersion.at),
            ("article_links", ArticleLink, ArticleLink.at),
            ("article_reviews", ArticleReview, ArticleReview.at),
            ("feedback_events", FeedbackEvent, FeedbackEvent.at),
            ("triage_decisions", TriageDecision, TriageDecision.decided_at),
        ):
            day = utc_day(self.session, at)
            stmt = _Scoped(self.session, self.tenant, model).select(day)
            stmt = stmt.where(model.id > since_id.get(name, 0)).distinct()
            days |= {_as_date(v) for v in self.session.scalars(stmt)}
        timed: tuple[tuple[Any, Any], ...] = (
            (Case, Case.resolved_at),
            (RegisteredModel, RegisteredModel.promoted_at),
        )
        for table, at in timed:
            stmt = _Scoped(self.session, self.tenant, table).select(utc_day(self.session, at))
            days |= {_as_date(v) for v in self.session.scalars(stmt.where(at > since).distinct())}
        return days

    def new_event_interactions(self, since_id: dict[str, int]) -> set[str]:
        """Interactions that feedback events or article links written since the marks name."""
        found: set[str] = set()
        for name, model in (("feedback_events", FeedbackEvent), ("article_links", ArticleLink)):
            stmt = _Scoped(self.session, self.tenant, model).select(model.interaction_id)
            stmt = stmt.where(model.id > since_id.get(name, 0), model.interaction_id.is_not(None))
            found |= set(self.session.scalars(stmt.distinct()))
        return found

    def top_ids(self) -> dict[str, int]:
        """The highest row id of each append-only table (the next refresh's marks)."""
        marks = {}
        for name, model in (
            ("article_versions", ArticleVersion),
            ("article_links", ArticleLink),
            ("article_reviews", ArticleReview),
            ("feedback_events", FeedbackEvent),
            ("triage_decisions", TriageDecision),
        ):
            stmt = _Scoped(self.session, self.tenant, model).select(func.max(model.id))
            marks[name] = int(self.session.scalar(stmt) or 0)
        return marks

    def event_span(self) -> tuple[datetime | None, datetime | None]:
        """The first and last time of any knowledge event (versions, links)."""
        lows, highs = [], []
        for model, at in ((ArticleVersion, ArticleVersion.at), (ArticleLink, ArticleLink.at)):
            row = self.session.execute(
                _Scoped(self.session, self.tenant, model).select(func.min(at), func.max(at))
            ).one()
            lows.append(_aware(row[0]))
            highs.append(_aware(row[1]))
        known_lows = [v for v in lows if v is not None]
        known_highs = [v for v in highs if v is not None]
        return min(known_lows, default=None), max(known_highs, default=None)


class _Scoped(TenantScopedRepository):
    """A scoped select on any one tenant-owned table."""

    def __init__(self, session: Session, tenant: str, model: Any) -> None:
        super().__init__(session, tenant)
        self.model = model

    def select(self, *columns: Any) -> Any:
        """``SELECT columns FROM model WHERE model.tenant = :tenant``."""
        return self._scoped(select(*columns))


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_date(value: Any) -> date:
    """A day as SQL returned it (a date, or ISO text on SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
