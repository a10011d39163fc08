"""Every query on insights (and the interaction columns the detectors read), tenant-scoped."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from criterio.analysis.names import UNKNOWN
from criterio.annotations.models import AnalysisResult
from criterio.insights.models import Insight
from criterio.interactions.models import Interaction
from criterio.tenancy import TenantScopedRepository

__all__ = [
    "ExampleRepository",
    "InsightRepository",
    "InteractionTableRepository",
    "list_insight_tenants",
]

#: Interaction columns the detectors read (texts are not needed and not loaded).
TABLE_COLUMNS = (
    "external_id",
    "started_at",
    "channel",
    "language",
    "customer_id",
    "handled_by",
    "resolved",
    "csat",
    "escalated",
    "resolution_code",
    "attributes",
    "labels",
)


def list_insight_tenants(session: Session) -> list[str]:
    """Tenants that have insights (an operator's view, deliberately unscoped)."""
    return list(session.scalars(select(Insight.tenant).distinct().order_by(Insight.tenant)))


class InsightRepository(TenantScopedRepository):
    """Reads and writes one tenant's insights."""

    model = Insight

    def get(self, insight_id: int) -> Insight | None:
        """One insight by id, or None (also when it belongs to another tenant)."""
        return self.session.scalars(self._select().where(Insight.id == insight_id)).one_or_none()

    def citing(self, external_ids: set[str]) -> list[Insight]:
        """Insights whose evidence names any of these interactions as an example."""
        if not external_ids:
            return []
        insights = self.session.scalars(self._select())
        return [i for i in insights if external_ids & set((i.evidence or {}).get("examples", []))]

    def get_for_update(self, insight_id: int) -> Insight | None:
        """One insight, its row locked until the transaction ends (PostgreSQL; SQLite
        serialises writers anyway), so two reviews of it apply one after the other."""
        stmt = self._select().where(Insight.id == insight_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def by_fingerprint(self, fingerprint: str) -> list[Insight]:
        """Insights of one pattern, newest first."""
        stmt = self._select().where(Insight.fingerprint == fingerprint).order_by(Insight.id.desc())
        return list(self.session.scalars(stmt))

    def list(
        self,
        *,
        status: str | None = None,
        type_: str | None = None,
        limit: int | None = None,
        ongoing: bool | None = None,
    ) -> list[Insight]:
        """Insights, most severe first, optionally filtered by status, type and ongoing."""
        stmt = self._select()
        if ongoing is not None:
            stmt = stmt.where(Insight.ongoing.is_(ongoing))
        if status is not None:
            stmt = stmt.where(Insight.status == status)
        if type_ is not None:
            stmt = stmt.where(Insight.type == type_)
        stmt = stmt.order_by(Insight.severity.desc(), Insight.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def add(self, insight: Insight) -> Insight:
        """Store a new insight of this tenant."""
        if insight.tenant != self.tenant:
            raise ValueError("insight of another tenant")
        self.session.add(insight)
        self.session.flush()
        return insight

    def search(
        self,
        *,
        statuses: Sequence[str] = (),
        types: Sequence[str] = (),
        min_severity: float | None = None,
        period_from: date | None = None,
        period_to: date | None = None,
        segment: Sequence[tuple[str, str]] = (),
        order: Sequence[Any] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[builtins.list[Insight], int]:
        """One page of the insights matching every filter, and how many match in all.

        The period filter keeps insights whose period overlaps ``[period_from, period_to]``;
        ``segment`` pairs must all be in the insight's segment.
        """
        stmt = self._select()
        if statuses:
            stmt = stmt.where(Insight.status.in_(list(statuses)))
        if types:
            stmt = stmt.where(Insight.type.in_(list(types)))
        if min_severity is not None:
            stmt = stmt.where(Insight.severity >= min_severity)
        if period_from is not None:
            stmt = stmt.where(Insight.period_end >= period_from)
        if period_to is not None:
            stmt = stmt.where(Insight.period_start <= period_to)
        for key, value in segment:
            stmt = stmt.where(Insight.segment[key].as_string() == value)
        total = self.session.scalar(stmt.with_only_columns(func.count(Insight.id)))
        page = stmt.order_by(*order, Insight.id).limit(limit).offset(offset)
        return list(self.session.scalars(page)), int(total or 0)

    def latest_language(self) -> str | None:
        """The language of the tenant's newest insight (its statements' language)."""
        stmt = self._select(Insight.language).order_by(Insight.id.desc()).limit(1)
        language = self.session.scalar(stmt)
        return None if language is None else str(language)


class ExampleRepository(TenantScopedRepository):
    """Example interactions of insights: their ids and redacted turns, never their texts."""

    model = Interaction

    def redacted(self, external_ids: Sequence[str]) -> dict[str, list[dict[str, Any]] | None]:
        """For each id still stored: its analysis' redacted turns, or None.

        None when no redactor ran on it, or when the interaction changed after its
        analysis (the redaction would be of an older text).
        """
        if not external_ids:
            return {}
        stmt = self._select(
            Interaction.external_id,
            Interaction.content_hash,
            AnalysisResult.input_hash,
            AnalysisResult.redacted_turns,
        ).outerjoin(
            AnalysisResult,
            (AnalysisResult.interaction_pk == Interaction.pk)
            & (AnalysisResult.tenant == self.tenant),
        )
        stmt = stmt.where(Interaction.external_id.in_(list(external_ids)))
        return {
            external_id: turns if turns is not None and analysed == current else None
            for external_id, current, analysed, turns in self.session.execute(stmt)
        }


class InteractionTableRepository(TenantScopedRepository):
    """The tenant's interactions as the detectors' table (one row each; the customer's
    redacted words where the analysis is current, never the raw text)."""

    model = Interaction

    def table(self) -> pd.DataFrame:
        """id, started_at, outcome columns, ``attributes.*``, ``labels.*`` and analysis.

        Where ``criterio analyze`` has run, its sentiment score comes along as
        ``sentiment_score``, its language fills the interactions that name none, its
        predicted intent fills ``intent`` where ``labels.intent`` is missing (``unknown``
        stays empty), the label of its assigned topic is ``topic`` (none for outliers), and
        what the customer wrote, redacted, is ``text`` (term segments are cut from it).
        """
        columns = [getattr(Interaction, c) for c in TABLE_COLUMNS]
        stmt = self._select(
            *columns,
            AnalysisResult.language,
            AnalysisResult.sentiment_score,
            AnalysisResult.intent_label,
            AnalysisResult.topic_id,
            AnalysisResult.topic_label,
            Interaction.content_hash,
            AnalysisResult.input_hash,
            AnalysisResult.redacted_turns,
        ).outerjoin(
            AnalysisResult,
            (AnalysisResult.interaction_pk == Interaction.pk)
            & (AnalysisResult.tenant == self.tenant),
        )
        rows = self.session.execute(stmt).all()
        width = len(TABLE_COLUMNS)
        base = pd.DataFrame.from_records(
            [r[: width - 2] for r in rows], columns=["id", *TABLE_COLUMNS[1:-2]]
        )
        parts: list[pd.DataFrame] = [base]
        for position, prefix in ((width - 2, "attributes."), (width - 1, "labels.")):
            values: list[dict[str, Any]] = [r[position] or {} for r in rows]
            parts.append(pd.DataFrame.from_records(values, index=base.index).add_prefix(prefix))
        table = pd.concat(parts, axis=1)

        def analysed(offset: int, dtype: str = "object") -> pd.Series:
            return pd.Series([r[width + offset] for r in rows], index=base.index, dtype=dtype)

        table["language"] = table["language"].where(table["language"].notna(), analysed(0))
        scores = analysed(1, "float64")
        if scores.notna().any():
            table["sentiment_score"] = scores
        intents = analysed(2)
        intents = intents.where(intents != UNKNOWN)
        if intents.notna().any():
            known = table.get("labels.intent")
            table["intent"] = intents if known is None else known.where(known.notna(), intents)
        topics = analysed(4).where(analysed(3, "float64") >= 0)
        if topics.notna().any():
            table["topic"] = topics
        texts = [_customer_words(r[width + 7]) if r[width + 5] == r[width + 6] else None
                 for r in rows]  # fmt: skip
        if any(t is not None for t in texts):
            table["text"] = pd.Series(texts, index=base.index, dtype="object")
        return table


def _customer_words(turns: list[dict[str, Any]] | None) -> str | None:
    """What the customer wrote, redacted (every turn when no turn is the customer's)."""
    if not turns:
        return None
    said = [str(t.get("text", "")) for t in turns if t.get("role", "customer") == "customer"]
    return " ".join(said or [str(t.get("text", "")) for t in turns])
