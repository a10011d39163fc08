"""Finding insights for the pages and the API: filters, order, pages, redacted examples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError, excerpt
from criterio.insights.models import Insight
from criterio.insights.repository import ExampleRepository, InsightRepository
from criterio.insights.schemas import TRANSITIONS, InsightStatus
from criterio.interactions.repository import InteractionRepository
from criterio.interactions.schemas import check_attribute_name
from criterio.languages import supported

__all__ = [
    "Example",
    "InsightQuery",
    "InsightSort",
    "customer_text",
    "lock_insight",
    "next_statuses",
    "parse_segment",
    "redacted_examples",
    "search_insights",
    "tenant_page_language",
]


class InsightSort(StrEnum):
    """Orders of an insight list; a leading ``-`` is descending."""

    severity_desc = "-severity"
    severity_asc = "severity"
    period_desc = "-period"
    period_asc = "period"
    detected_desc = "-detected"


_ORDER: dict[InsightSort, tuple[Any, ...]] = {
    InsightSort.severity_desc: (Insight.severity.desc(),),
    InsightSort.severity_asc: (Insight.severity.asc(),),
    InsightSort.period_desc: (Insight.period_start.desc(), Insight.severity.desc()),
    InsightSort.period_asc: (Insight.period_start.asc(), Insight.severity.desc()),
    InsightSort.detected_desc: (Insight.last_detected_at.desc(), Insight.severity.desc()),
}


@dataclass(frozen=True)
class InsightQuery:
    """Which insights to list: every filter given must hold."""

    statuses: tuple[InsightStatus, ...] = ()
    types: tuple[str, ...] = ()
    min_severity: float | None = None
    period_from: date | None = None
    period_to: date | None = None
    segment: tuple[tuple[str, str], ...] = ()
    sort: InsightSort = InsightSort.severity_desc
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Example:
    """One example interaction of an insight, as people may see it.

    ``state`` is ``redacted`` (``turns`` hold the analysis' redacted text), ``unavailable``
    (no redacted text of its current content is stored, so nothing is shown) or
    ``erased`` (the interaction is gone).
    """

    id: str
    state: Literal["redacted", "unavailable", "erased"]
    turns: list[dict[str, str]] = field(default_factory=list)


def parse_segment(items: list[str]) -> tuple[tuple[str, str], ...]:
    """``["queue=billing", ...]`` as pairs; a malformed item is a clear 422."""
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"segment: {excerpt(item)} is not ATTRIBUTE=VALUE")
        pairs.append((check_attribute_name(key, "segment"), value))
    return tuple(pairs)


def search_insights(
    session: Session, tenant: str, query: InsightQuery
) -> tuple[list[Insight], int]:
    """A page of the tenant's insights matching ``query``, and the number matching in all."""
    if (
        query.period_from is not None
        and query.period_to is not None
        and query.period_from > query.period_to
    ):
        raise InvalidInputError("period_from: it is after period_to")
    return InsightRepository(session, tenant).search(
        statuses=[s.value for s in query.statuses],
        types=query.types,
        min_severity=query.min_severity,
        period_from=query.period_from,
        period_to=query.period_to,
        segment=query.segment,
        order=_ORDER[query.sort],
        limit=query.limit,
        offset=query.offset,
    )


def redacted_examples(
    session: Session,
    tenant: str,
    insight: Insight,
    *,
    limit: int | None = None,
    redact_unanalysed: bool = False,
) -> list[Example]:
    """The insight's examples with the redacted text the analysis stored, never the raw text.

    The one way API, pages, CLI and report get examples. ``redact_unanalysed`` (the CLI,
    run by an operator on the store itself) redacts, there and then, the current text of
    examples with no stored redaction instead of showing them as ``unavailable``.
    """
    ids = [str(i) for i in insight.evidence.get("examples", [])][:limit]
    stored = ExampleRepository(session, tenant).redacted(ids)
    examples = []
    for external_id in ids:
        if external_id not in stored:
            examples.append(Example(external_id, "erased"))
            continue
        turns = stored[external_id]
        if turns is None:
            examples.append(Example(external_id, "unavailable"))
            continue
        examples.append(
            Example(
                external_id,
                "redacted",
                [{"role": str(t.get("role", "")), "text": str(t.get("text", ""))} for t in turns],
            )
        )
    if redact_unanalysed:
        examples = _redact_now(session, tenant, examples)
    return examples


def customer_text(example: Example) -> str:
    """What the customer said in a redacted example (every turn's text if no customer turn)."""
    said = [t["text"] for t in example.turns if t["role"] == "customer"]
    return " ".join(said or [t["text"] for t in example.turns]).strip()


def _redact_now(session: Session, tenant: str, examples: list[Example]) -> list[Example]:
    missing = [e.id for e in examples if e.state == "unavailable"]
    if not missing:
        return examples
    from criterio.analysis.pii import PIIRedactor  # scikit-learn: only when needed

    rows = [InteractionRepository(session, tenant).get(i) for i in missing]
    found = [r for r in rows if r is not None]
    # The interaction's language puts its phone numbering plans first (US for English).
    redactions = (
        PIIRedactor()
        .fit()
        .redact(
            [
                " ".join(str(t.get("text", "")) for t in r.turns if t.get("role") == "customer")
                or " ".join(str(t.get("text", "")) for t in r.turns)
                for r in found
            ],
            languages=[r.language for r in found],
        )
    )
    now = {
        r.external_id: Example(r.external_id, "redacted", [{"role": "customer", "text": d.text}])
        for r, d in zip(found, redactions, strict=True)
    }
    return [now.get(e.id, e) if e.state == "unavailable" else e for e in examples]


def lock_insight(session: Session, tenant: str, insight_id: int) -> Insight:
    """The insight, locked for this transaction: a review that waited sees the status the
    other review left, so the workflow is checked against it (no lost or doubled change)."""
    insight = InsightRepository(session, tenant).get_for_update(insight_id)
    if insight is None:
        raise NotFoundError(f"insight {insight_id} not found for tenant {tenant!r}")
    return insight


def next_statuses(status: str) -> tuple[InsightStatus, ...]:
    """The statuses an insight in ``status`` may move to."""
    return TRANSITIONS[InsightStatus(status)]


def tenant_page_language(session: Session, tenant: str) -> str:
    """The tenant's language for pages: that of its insights' statements (English if none)."""
    language = InsightRepository(session, tenant).latest_language()
    return supported(language)
