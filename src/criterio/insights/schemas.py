"""Wire formats of insights: what `criterio insights list --json` and the API return."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "TRANSITIONS",
    "DetectResult",
    "Evidence",
    "ExampleRead",
    "InsightDetail",
    "InsightPage",
    "InsightRead",
    "InsightStatus",
    "Period",
    "ReviewIn",
    "TurnText",
]


class InsightStatus(StrEnum):
    """Where an insight is in its review."""

    new = "new"
    in_review = "in_review"
    confirmed = "confirmed"
    dismissed = "dismissed"
    actioned = "actioned"


#: The review workflow: new → in_review → confirmed | dismissed; confirmed → actioned.
TRANSITIONS: dict[InsightStatus, tuple[InsightStatus, ...]] = {
    InsightStatus.new: (InsightStatus.in_review,),
    InsightStatus.in_review: (InsightStatus.confirmed, InsightStatus.dismissed),
    InsightStatus.confirmed: (InsightStatus.actioned,),
    InsightStatus.dismissed: (),
    InsightStatus.actioned: (),
}


class Period(BaseModel):
    """First and last day of the pattern."""

    start: date
    end: date


class Evidence(BaseModel):
    """What backs the statement: figures, the data of its chart, example interaction ids."""

    figures: dict[str, Any] = Field(default_factory=dict)
    chart: dict[str, Any] = Field(default_factory=dict)
    examples: list[str] = Field(default_factory=list)


class InsightRead(BaseModel):
    """One insight as shown to people and integrations."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tenant: str
    type: str
    segment: dict[str, str]
    period: Period
    severity: float
    statement: str
    language: str
    status: InsightStatus
    evidence: Evidence
    interpretation: str | None = None
    proposal: str | None = None
    owner: str | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    detections: int = 1
    #: False once the pattern is over: not found by the latest detection run, or found
    #: with a period that ends before the latest data (a past spike).
    ongoing: bool = True
    last_detected_at: datetime
    created_at: datetime
    updated_at: datetime


class ReviewIn(BaseModel):
    """A reviewer's change: a new status and/or interpretation, proposal, owner."""

    model_config = ConfigDict(extra="forbid")

    status: InsightStatus | None = None
    interpretation: str | None = Field(default=None, max_length=10_000)
    proposal: str | None = Field(default=None, max_length=10_000)
    owner: str | None = Field(default=None, max_length=200)


class InsightPage(BaseModel):
    """A page of insights in the requested order, and how many match the filters in all."""

    items: list[InsightRead]
    total: int
    limit: int
    offset: int


class TurnText(BaseModel):
    """One turn of an example, its personal data redacted."""

    role: str
    text: str


class ExampleRead(BaseModel):
    """An example interaction: ``redacted`` turns, or ``unavailable`` / ``erased`` and no text."""

    id: str
    state: Literal["redacted", "unavailable", "erased"]
    turns: list[TurnText]


class InsightDetail(InsightRead):
    """One insight, its examples (redacted text only) and the statuses it may move to."""

    examples_redacted: list[ExampleRead]
    next_statuses: list[InsightStatus]


class DetectResult(BaseModel):
    """What a detection run did in the caller's tenant."""

    created: int
    updated: int
    insights: int
    notes: list[str] = Field(
        default_factory=list,
        description="What the run left out and, when it found nothing, why.",
    )
