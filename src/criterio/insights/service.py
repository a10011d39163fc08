"""Insight logic: detect patterns and keep one insight per ongoing pattern; the review."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.insights.browse import lock_insight
from criterio.insights.models import Insight
from criterio.insights.repository import InsightRepository, InteractionTableRepository
from criterio.insights.schemas import TRANSITIONS, InsightRead, InsightStatus, ReviewIn
from criterio.languages import LANGUAGE_CHOICES, LANGUAGES
from criterio.patterns import (
    DetectConfig,
    Detection,
    detect_patterns,
    explain,
    prepare_frame,
    segment_key,
    statement,
)

__all__ = [
    "DetectSummary",
    "Reviewed",
    "apply_review",
    "detect_insights",
    "fingerprint",
    "forget_examples",
    "get_insight",
    "list_insights",
    "review_insight",
    "statement_in",
    "tenant_language",
    "to_read",
    "upsert_detections",
]

#: Episodes (spikes, drops) more than this apart are different patterns of one segment.
EPISODE_GAP = timedelta(days=2)
EPISODIC = {"spike", "drop"}
#: A pattern whose period ends this close to the latest data is still going on.
ONGOING_SLACK = timedelta(days=1)


@dataclass
class DetectSummary:
    """What a detection run did."""

    created: int = 0
    updated: int = 0
    insights: list[Insight] = field(default_factory=list)
    #: What the run left out and, when it found nothing, why (plain English).
    notes: list[str] = field(default_factory=list)


def fingerprint(detection: Detection) -> str:
    """Digest of type, segment and measure: the identity of an ongoing pattern."""
    key = {
        "type": detection.type,
        "segment": detection.segment_dict,
        "measure": detection.figures.get("measure"),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]


def tenant_language(session: Session, tenant: str) -> str:
    """The tenant's language for statements: the majority of es/en in its interactions."""
    table = InteractionTableRepository(session, tenant).table()
    return _majority_language(table["language"].dropna().tolist() if len(table) else [])


def _majority_language(languages: list[str]) -> str:
    counts = Counter(str(lang).lower()[:2] for lang in languages)
    return "es" if counts.get("es", 0) > counts.get("en", 0) else "en"


def detect_insights(
    session: Session,
    tenant: str,
    *,
    language: str | None = None,
    config: DetectConfig | None = None,
    now: datetime | None = None,
) -> DetectSummary:
    """Run every detector on the tenant's interactions and upsert the insights."""
    table = InteractionTableRepository(session, tenant).table()
    if table.empty:
        return DetectSummary(notes=[f"No interactions stored for tenant {tenant!r}."])
    if language is None:
        language = _majority_language(table["language"].dropna().tolist())
    prepared = prepare_frame(table)
    detections = detect_patterns(prepared, config)
    # The latest day analysed (a wind-down after it is left out): patterns reaching it
    # are still going on.
    data_end = prepared.days[-1].date() if prepared.n_days else None
    summary = upsert_detections(
        session, tenant, detections, language=language, now=now, data_end=data_end
    )
    summary.notes = explain(prepared, detections, config)
    return summary


def upsert_detections(
    session: Session,
    tenant: str,
    detections: list[Detection],
    *,
    language: str = "en",
    now: datetime | None = None,
    data_end: date | None = None,
) -> DetectSummary:
    """One insight per pattern: a known one is updated (its review kept), a new one added.

    The detections are taken as the whole of a run: an insight is ``ongoing`` when its
    pattern reaches ``data_end`` (the latest day of data; by default the latest end of
    the detections), and every insight of the tenant not found again has ended.
    """
    if language not in LANGUAGES:
        raise InvalidInputError(f"language must be {LANGUAGE_CHOICES}, not {language!r}")
    now = now or datetime.now(UTC)
    repo = InsightRepository(session, tenant)
    summary = DetectSummary()
    if data_end is None and detections:
        data_end = max(d.end for d in detections)
    for detection in detections:
        digest = fingerprint(detection)
        existing = next(
            (i for i in repo.by_fingerprint(digest) if _same_episode(i, detection)), None
        )
        evidence = {
            "figures": detection.figures,
            "chart": detection.chart,
            "examples": detection.examples,
        }
        text = statement(detection, language)
        ongoing = data_end is not None and detection.end >= data_end - ONGOING_SLACK
        if existing is None:
            insight = repo.add(
                Insight(
                    tenant=tenant,
                    fingerprint=digest,
                    type=detection.type,
                    segment=detection.segment_dict,
                    period_start=detection.start,
                    period_end=detection.end,
                    severity=detection.severity,
                    statement=text,
                    language=language,
                    evidence=evidence,
                    status=InsightStatus.new.value,
                    history=[],
                    detections=1,
                    ongoing=ongoing,
                    last_detected_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            summary.created += 1
        else:
            insight = existing
            insight.period_start = min(insight.period_start, detection.start)
            insight.period_end = max(insight.period_end, detection.end)
            insight.severity = detection.severity
            insight.statement = text
            insight.language = language
            insight.evidence = evidence
            insight.detections += 1
            insight.ongoing = ongoing
            insight.last_detected_at = now
            insight.updated_at = now
            summary.updated += 1
        summary.insights.append(insight)
    found = {i.id for i in summary.insights}
    for insight in repo.list():
        if insight.id not in found:
            insight.ongoing = False
    session.flush()
    return summary


def _same_episode(insight: Insight, detection: Detection) -> bool:
    if detection.type not in EPISODIC:
        return True
    return (
        detection.start <= insight.period_end + EPISODE_GAP
        and insight.period_start <= detection.end + EPISODE_GAP
    )


def statement_in(insight: Insight, language: str) -> tuple[str, str]:
    """The insight's statement in ``language`` (``es`` or ``en``), written from its type,
    segment, period and figures, and the language it is in.

    The stored statement (in the language detection ran with) is what the API returns;
    pages and reports write it again in their own language. Figures of an older
    detector version that lack a field the sentence needs give the stored statement.
    """
    detection = Detection(
        type=insight.type,
        segment=segment_key(insight.segment or {}),
        start=insight.period_start,
        end=insight.period_end,
        impact=0.0,
        strength=0.0,
        magnitude=0.0,
        figures=dict(insight.evidence.get("figures", {})),
    )
    try:
        return statement(detection, language), language
    except (KeyError, TypeError, ValueError):
        return insight.statement, insight.language


def forget_examples(session: Session, tenant: str, external_ids: list[str]) -> int:
    """Remove erased interactions from the tenant's insight examples; how many insights changed."""
    gone = set(external_ids)
    changed = InsightRepository(session, tenant).citing(gone)
    for insight in changed:
        evidence = dict(insight.evidence)
        evidence["examples"] = [i for i in evidence.get("examples", []) if i not in gone]
        insight.evidence = evidence
    session.flush()
    return len(changed)


def list_insights(
    session: Session,
    tenant: str,
    *,
    status: InsightStatus | None = None,
    type_: str | None = None,
    limit: int | None = None,
    ongoing: bool | None = None,
) -> list[Insight]:
    """The tenant's insights, most severe first (``ongoing``: only those going on, or ended)."""
    return InsightRepository(session, tenant).list(
        status=status.value if status else None, type_=type_, limit=limit, ongoing=ongoing
    )


def get_insight(session: Session, tenant: str, insight_id: int) -> Insight:
    """One insight of the tenant; NotFoundError when there is none with that id."""
    insight = InsightRepository(session, tenant).get(insight_id)
    if insight is None:
        raise NotFoundError(f"insight {insight_id} not found for tenant {tenant!r}")
    return insight


@dataclass(frozen=True)
class Reviewed:
    """A review applied: the insight as it is now, and the status it had before."""

    insight: Insight
    before: str


def review_insight(
    session: Session,
    tenant: str,
    insight_id: int,
    review: ReviewIn,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> Insight:
    """Apply a review: a legal status change and/or interpretation, proposal, owner."""
    return apply_review(session, tenant, insight_id, review, actor=actor, now=now).insight


def apply_review(
    session: Session,
    tenant: str,
    insight_id: int,
    review: ReviewIn,
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> Reviewed:
    """Apply a review with the insight's row locked; the insight and its status before.

    The lock is taken here, for every caller (API, pages, CLI): a review that waited
    for another sees the status the other left, so the workflow is checked against it
    (no lost or doubled change).
    """
    insight = lock_insight(session, tenant, insight_id)
    now = now or datetime.now(UTC)
    current = InsightStatus(insight.status)
    interpretation = review.interpretation or insight.interpretation
    proposal = review.proposal or insight.proposal
    owner = review.owner or insight.owner
    if review.status is not None and review.status != current:
        allowed = TRANSITIONS[current]
        if review.status not in allowed:
            options = ", ".join(s.value for s in allowed) or "none (it is final)"
            raise InvalidInputError(
                f"insight {insight_id} is {current.value}: it cannot become "
                f"{review.status.value}; allowed next: {options}"
            )
        if review.status in (InsightStatus.confirmed, InsightStatus.dismissed) and not (
            interpretation
        ):
            raise InvalidInputError(
                f"insight {insight_id}: an interpretation is required to mark it "
                f"{review.status.value} (--interpretation)"
            )
        if review.status == InsightStatus.actioned and not (proposal and owner):
            raise InvalidInputError(
                f"insight {insight_id}: a proposal and an owner are required to mark it "
                "actioned (--proposal, --owner)"
            )
        insight.history = [
            *insight.history,
            {"at": now.isoformat(), "from": current.value, "to": review.status.value, "by": actor},
        ]
        insight.status = review.status.value
    insight.interpretation = interpretation
    insight.proposal = proposal
    insight.owner = owner
    insight.updated_at = now
    session.flush()
    return Reviewed(insight, current.value)


def to_read(insight: Insight) -> InsightRead:
    """The wire form of an insight."""
    return InsightRead.model_validate(
        {
            "id": insight.id,
            "tenant": insight.tenant,
            "type": insight.type,
            "segment": insight.segment,
            "period": {"start": insight.period_start, "end": insight.period_end},
            "severity": insight.severity,
            "statement": insight.statement,
            "language": insight.language,
            "status": insight.status,
            "evidence": insight.evidence,
            "interpretation": insight.interpretation,
            "proposal": insight.proposal,
            "owner": insight.owner,
            "history": insight.history,
            "detections": insight.detections,
            "ongoing": insight.ongoing,
            "last_detected_at": insight.last_detected_at,
            "created_at": insight.created_at,
            "updated_at": insight.updated_at,
        }
    )
