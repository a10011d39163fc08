"""ORM table of the model registry: every trained model of a tenant, and its standing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from criterio.db import Base, BigIntPK, JSONType, UTCDateTime

__all__ = ["FEEDBACK_KINDS", "KINDS", "STATUSES", "FeedbackEvent", "RegisteredModel"]

#: What a model does: intents, topics, and (later) triage calibration and ranking.
KINDS = ("intent", "topics", "triage", "ranking")
#: A candidate is trained; the champion is the one analysis uses; retired ones are kept.
STATUSES = ("candidate", "champion", "retired")


class RegisteredModel(Base):
    """One trained model of a tenant: its files, the data it learned from, its standing."""

    __tablename__ = "models"
    __table_args__ = (
        UniqueConstraint("tenant", "kind", "version"),
        # At most one champion per tenant and kind, whatever the service does: a partial
        # unique index (PostgreSQL and SQLite both have them).
        Index(
            "uq_models_one_champion",
            "tenant",
            "kind",
            unique=True,
            postgresql_where=text("status = 'champion'"),
            sqlite_where=text("status = 'champion'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    #: 1, 2, 3... per tenant and kind.
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What it learned from: counts, labels, source (never the texts).
    training: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Digest of the training examples (ids, texts, labels) in order.
    training_hash: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The model directory (model.skops + model.json), absolute.
    path: Mapped[str] = mapped_column(Text)
    #: SHA-256 of model.skops when registered: a changed file is refused at load.
    sha256: Mapped[str] = mapped_column(String(64))
    promoted_by: Mapped[str | None] = mapped_column(String(200))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


#: What a person decided about a machine output. ``intent``: the intent corrected (or
#: confirmed); ``triage_override``: a person overrode automate/route; ``article_link``:
#: an article reused for the interaction; ``article_created`` / ``article_flagged``:
#: captured or flagged from a case; ``suggestion_accepted`` / ``suggestion_rejected``:
#: a suggested article taken or refused (with a reason); ``reply_sent``: the reply as
#: sent (edited or not); ``resolution`` / ``escalation``: how a case ended or moved up;
#: ``automation_reverted``: the customer came back after an automated answer;
#: ``insight_reviewed``: an insight confirmed or dismissed.
FEEDBACK_KINDS = (
    "intent",
    "triage_override",
    "article_link",
    "article_created",
    "article_flagged",
    "suggestion_accepted",
    "suggestion_rejected",
    "reply_sent",
    "resolution",
    "escalation",
    "automation_reverted",
    "insight_reviewed",
)


class FeedbackEvent(Base):
    """One human decision about a machine output: the learning loop's raw material."""

    __tablename__ = "feedback_events"
    __table_args__ = (
        # Importing the same file twice, or a retried request, records an event once.
        UniqueConstraint("tenant", "event_key"),
        Index("ix_feedback_events_tenant_at", "tenant", "at"),
        Index("ix_feedback_events_tenant_interaction", "tenant", "interaction_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    #: The interaction's id in the data contract (None for an insight's review).
    interaction_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    #: What the machine said (e.g. ``{"intent": "card_arrival", "confidence": 0.71}``).
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: What the person decided (e.g. ``{"intent": "card_not_working"}``).
    after: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    #: Where it was decided: ``page``, ``api``, ``cli``, ``import`` or ``system``.
    source: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(BigIntPK)
    #: The model version whose output was judged, when known.
    model_version: Mapped[str | None] = mapped_column(String(100))
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Digest of (interaction, kind, after, by, at): what makes a repeat a duplicate.
    event_key: Mapped[str] = mapped_column(String(64))
