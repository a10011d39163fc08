"""Every query of cases and queue memberships (tenant-scoped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from criterio.annotations.models import AnalysisResult
from criterio.assist.models import Case, QueueMember
from criterio.db import is_sqlite
from criterio.interactions.models import Interaction
from criterio.knowledge.models import Article, ArticleLink
from criterio.tenancy import TenantScopedRepository
from criterio.triage.models import TriageDecision

__all__ = ["CaseLinkRepository", "CaseRepository", "QueueMemberRepository", "WorkspaceRepository"]


class CaseRepository(TenantScopedRepository):
    """The cases of one tenant."""

    model = Case

    def get(self, case_id: int, *, fresh: bool = False) -> Case | None:
        """One case by id, or None (``fresh``: reloaded from the row, e.g. after a claim)."""
        stmt = self._select().where(Case.id == case_id)
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return self.session.scalars(stmt).one_or_none()

    def insert_new(self, rows: Sequence[dict[str, Any]]) -> list[Case]:
        """Insert cases of the tenant (table rows), skipping every interaction that already
        has one, in one ``INSERT … ON CONFLICT DO NOTHING``; returns the inserted cases.

        Two transactions opening a case for the same interaction at once cannot both
        insert it: the second waits for the first and then skips it (a plain insert
        failed there on the unique key, a 500).
        """
        assert all(row["tenant"] == self.tenant for row in rows)
        dialect = self.session.get_bind().dialect
        insert = sqlite_insert if is_sqlite(dialect) else pg_insert
        stmt = (
            insert(Case)
            .on_conflict_do_nothing(index_elements=[Case.tenant, Case.interaction_id])
            .returning(Case)
        )
        return list(self.session.scalars(stmt, list(rows)))

    def by_interaction(self, interaction_id: str) -> Case | None:
        """The case of an interaction, or None."""
        stmt = self._select().where(Case.interaction_id == interaction_id)
        return self.session.scalars(stmt).one_or_none()

    def by_interactions(self, interaction_ids: Sequence[str]) -> dict[str, Case]:
        """The cases of these interactions, by interaction id."""
        if not interaction_ids:
            return {}
        stmt = self._select().where(Case.interaction_id.in_(list(interaction_ids)))
        return {case.interaction_id: case for case in self.session.scalars(stmt)}

    def find(
        self,
        *,
        queues: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        assignee: str | None = None,
        languages: Sequence[str] | None = None,
        intents: Sequence[str] | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[Case]:
        """Cases in working order: priority rank, then oldest first."""
        stmt = self._select()
        if languages is not None:
            stmt = stmt.where(Case.language.in_(list(languages)))
        if intents is not None:
            stmt = stmt.where(Case.intent.in_(list(intents)))
        if queues is not None:
            stmt = stmt.where(Case.queue.in_(list(queues)))
        if statuses is not None:
            stmt = stmt.where(Case.status.in_(list(statuses)))
        if assignee is not None:
            stmt = stmt.where(Case.assignee == assignee)
        stmt = stmt.order_by(Case.priority_rank, Case.opened_at, Case.id)
        return list(self.session.scalars(stmt.offset(offset).limit(limit)))

    def queue_names(self) -> list[str]:
        """Every queue that has or had a case."""
        return list(self.session.scalars(self._select(Case.queue).distinct().order_by(Case.queue)))

    def open_candidates(self, queues: Sequence[str], limit: int) -> list[int]:
        """Ids of the open cases at the head of these queues, in working order."""
        stmt = (
            self._select(Case.id)
            .where(Case.queue.in_(list(queues)), Case.status == "open")
            .order_by(Case.priority_rank, Case.opened_at, Case.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def claim(self, case_id: int, username: str, at: datetime) -> bool:
        """Assign an open case to ``username`` if it is still open: True when this call won.

        The condition on ``status`` makes the update the lock: of two agents claiming
        the same case, the database lets exactly one update match (PostgreSQL re-checks
        the condition after waiting for the other's row lock; SQLite serialises writes).
        """
        stmt = self._scoped(
            update(Case)
            .where(Case.id == case_id, Case.status == "open")
            .values(status="assigned", assignee=username, assigned_at=at)
        )
        result: Any = self.session.execute(stmt.execution_options(synchronize_session=False))
        return bool(result.rowcount == 1)


class QueueMemberRepository(TenantScopedRepository):
    """Who works which queue, in one tenant."""

    model = QueueMember

    def queues_of(self, username: str) -> list[str]:
        """The queues ``username`` works, by name."""
        stmt = (
            self._select(QueueMember.queue)
            .where(QueueMember.username == username)
            .order_by(QueueMember.queue)
        )
        return list(self.session.scalars(stmt))

    def all(self) -> list[QueueMember]:
        """Every membership, by queue then user."""
        stmt = self._select().order_by(QueueMember.queue, QueueMember.username)
        return list(self.session.scalars(stmt))

    def clear_queue(self, queue: str) -> None:
        """Remove every member of ``queue``."""
        self.session.execute(self._scoped(delete(QueueMember).where(QueueMember.queue == queue)))


class WorkspaceRepository(TenantScopedRepository):
    """What the case page reads beside the case: the customer's contacts, what the
    analysis found, solved cases like it and the articles linked to them."""

    model = Interaction

    def _analysis(self) -> Any:
        return (AnalysisResult.interaction_pk == Interaction.pk) & (
            AnalysisResult.tenant == self.tenant
        )

    def _case(self) -> Any:
        return (Case.interaction_id == Interaction.external_id) & (Case.tenant == self.tenant)

    def case_sources(
        self, external_id: str, decision_id: int | None
    ) -> tuple[Interaction | None, AnalysisResult | None, TriageDecision | None]:
        """A case's interaction, its analysis result and the triage decision that opened
        it, in one query (each None when missing)."""
        decision = (TriageDecision.id == decision_id) & (TriageDecision.tenant == self.tenant)
        stmt = (
            self._select(Interaction, AnalysisResult, TriageDecision)
            .outerjoin(AnalysisResult, self._analysis())
            .outerjoin(TriageDecision, decision)
            .where(Interaction.external_id == external_id)
        )
        row = self.session.execute(stmt).first()
        return (row[0], row[1], row[2]) if row is not None else (None, None, None)

    def analysis_of(self, external_ids: Sequence[str]) -> dict[str, AnalysisResult]:
        """The analysis result of each of these interactions that has one."""
        if not external_ids:
            return {}
        stmt = (
            self._select(Interaction.external_id, AnalysisResult)
            .join(AnalysisResult, self._analysis())
            .where(Interaction.external_id.in_(list(external_ids)))
        )
        return {external_id: result for external_id, result in self.session.execute(stmt)}

    def contacts_between(
        self, customer_id: str, start: datetime, end: datetime, exclude: str
    ) -> list[Any]:
        """The customer's other contacts started in [start, end), newest first, with the
        intent the analysis read and the status of their case."""
        stmt = (
            self._select(
                Interaction.external_id,
                Interaction.started_at,
                Interaction.channel,
                Interaction.labels,
                Interaction.resolved,
                Interaction.escalated,
                Interaction.resolution_code,
                AnalysisResult.intent_label,
                Case.id.label("case_id"),
                Case.status.label("case_status"),
                Case.intent.label("case_intent"),
                Case.resolution_code.label("case_resolution"),
            )
            .outerjoin(AnalysisResult, self._analysis())
            .outerjoin(Case, self._case())
            .where(
                Interaction.customer_id == customer_id,
                Interaction.started_at >= start,
                Interaction.started_at < end,
                Interaction.external_id != exclude,
            )
            .order_by(Interaction.started_at.desc())
            .limit(50)
        )
        return list(self.session.execute(stmt))

    def open_cases_of_customer(self, customer_id: str, exclude_case: int) -> list[Case]:
        """The customer's other cases not resolved yet."""
        stmt = (
            self._select(Case)
            .select_from(Interaction)
            .join(Case, self._case())
            .where(
                Interaction.customer_id == customer_id,
                Case.status != "resolved",
                Case.id != exclude_case,
            )
            .order_by(Case.opened_at)
        )
        return list(self.session.scalars(stmt))

    def _solved(self) -> Any:
        by_case = Case.status == "resolved"
        by_outcome = Interaction.resolved.is_(True) & Interaction.resolution_code.is_not(None)
        return by_case | by_outcome

    def solved_stamp(self) -> tuple[Any, ...]:
        """What changes when a contact is solved or edited: count, highest pk, latest times."""
        stmt = (
            self._select(
                func.count(),
                func.max(Interaction.pk),
                func.max(Interaction.updated_at),
                func.max(Case.resolved_at),
            )
            .outerjoin(Case, self._case())
            .where(self._solved())
        )
        return tuple(self.session.execute(stmt).one())

    def solved(self, limit: int) -> list[Any]:
        """Solved contacts (a resolved case, or a resolved interaction with a resolution
        code), newest first, with the intent read or set and how each was resolved."""
        stmt = (
            self._select(
                Interaction.external_id,
                Interaction.turns,
                Interaction.labels,
                Interaction.resolution_code,
                Case.id.label("case_id"),
                Case.intent.label("case_intent"),
                Case.resolution_code.label("case_resolution"),
                AnalysisResult.intent_label,
            )
            .outerjoin(AnalysisResult, self._analysis())
            .outerjoin(Case, self._case())
            .where(self._solved())
            .order_by(Interaction.started_at.desc())
            .limit(limit)
        )
        return list(self.session.execute(stmt))

    def excerpts(self, external_ids: Sequence[str]) -> list[Any]:
        """The turns, language and stored redaction of these interactions, one row per
        article reused or created from each (oldest link first; one row with no article
        when none was)."""
        link = (
            (ArticleLink.interaction_id == Interaction.external_id)
            & (ArticleLink.tenant == self.tenant)
            & ArticleLink.kind.in_(("reused", "created"))
        )
        article = (Article.id == ArticleLink.article_id) & (Article.tenant == self.tenant)
        stmt = (
            self._select(
                Interaction.external_id,
                Interaction.turns,
                Interaction.language,
                Interaction.content_hash,
                AnalysisResult.input_hash,
                AnalysisResult.redacted_turns,
                Article.id.label("article_id"),
                Article.title.label("article_title"),
            )
            .outerjoin(AnalysisResult, self._analysis())
            .outerjoin(ArticleLink, link)
            .outerjoin(Article, article)
            .where(Interaction.external_id.in_(list(external_ids)))
            .order_by(ArticleLink.at, ArticleLink.id)
        )
        return list(self.session.execute(stmt))


class CaseLinkRepository(TenantScopedRepository):
    """The articles people linked to interactions (reused or created from them)."""

    model = ArticleLink

    def for_interaction(self, interaction_id: str) -> list[ArticleLink]:
        """The KCS links recorded for one interaction, oldest first."""
        stmt = (
            self._select()
            .where(ArticleLink.interaction_id == interaction_id)
            .order_by(ArticleLink.at, ArticleLink.id)
        )
        return list(self.session.scalars(stmt))
