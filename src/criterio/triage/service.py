"""Triage as a service: the tenant's policy versions, a triager, decisions stored.

Services flush and never commit: the CLI command or the request owns the transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.triage.decision import Decision
from criterio.triage.models import TriageDecision, TriagePolicy
from criterio.triage.policy import parse_policy
from criterio.triage.repository import ContactRepository, DecisionRepository, PolicyRepository
from criterio.triage.schemas import Policy

if TYPE_CHECKING:
    from criterio.interactions.schemas import InteractionIn
    from criterio.triage.engine import Triager
    from criterio.triage.registry import EvidenceSource

__all__ = [
    "as_record",
    "current_policy",
    "decisions_since",
    "previous_contacts",
    "record_decisions",
    "row_record",
    "set_policy",
    "stored_records",
    "tenant_triager",
    "triage_one",
    "triage_records",
]


def set_policy(session: Session, tenant: str, data: Any, *, by: str) -> TriagePolicy:
    """Validate ``data`` as a policy and store it as the tenant's next version."""
    policy = parse_policy(data)
    repo = PolicyRepository(session, tenant)
    row = TriagePolicy(
        tenant=tenant,
        version=repo.next_version(),
        body=policy.model_dump(mode="json", exclude={"version"}),
        created_at=datetime.now(UTC),
        created_by=by,
    )
    session.add(row)
    session.flush()
    return row


#: Held while a triager is built (see :func:`_cached_triager`).
_BUILDING = threading.Lock()

#: Parsed policies by (tenant, version, body): a request reads the latest row and
#: validates it only the first time. Callers treat the policy as read-only.
_PARSED: dict[tuple[str, int, bytes], Policy] = {}


def current_policy(session: Session, tenant: str) -> Policy:
    """The tenant's policy in force (its version set), or the defaults (version None)."""
    row = PolicyRepository(session, tenant).latest()
    if row is None:
        return Policy()
    key = (tenant, row.version, orjson.dumps(row.body, option=orjson.OPT_SORT_KEYS))
    policy = _PARSED.get(key)
    if policy is None:
        if len(_PARSED) > 1024:
            _PARSED.clear()
        policy = parse_policy({**row.body, "version": row.version}, f"policy v{row.version}")
        _PARSED[key] = policy
    return policy


def tenant_triager(
    session: Session,
    tenant: str,
    *,
    target: float | None = None,
    source: EvidenceSource | None = None,
) -> Triager:
    """A triager of the tenant's champion intent model, its calibration and policy.

    The calibration is the tenant's ``triage`` champion computed for that model, else
    the evidence file beside it (``criterio.triage.registry``); ``source`` when the caller
    already looked it up. NotFoundError when the tenant has no champion;
    InvalidInputError when it was never calibrated or was retrained since.
    """
    from criterio.analysis.model_stages import ModelStageError
    from criterio.learning.service import champion, champion_stage
    from criterio.triage.calibration import calibrate
    from criterio.triage.engine import Triager
    from criterio.triage.registry import tenant_evidence

    row = champion(session, tenant, "intent")
    if row is None:
        raise NotFoundError(f"tenant {tenant!r} has no intent champion to triage with")
    if source is None:
        source = tenant_evidence(session, tenant, row)
    try:
        stage = champion_stage(session, tenant, "intent")
    except ModelStageError as error:
        raise InvalidInputError(str(error)) from None
    assert stage is not None
    policy = current_policy(session, tenant)
    calibration = calibrate(
        source.load(), target=target if target is not None else policy.target_precision
    )
    return Triager(stage.model, calibration, policy, model_version=f"intents v{row.version}")


def record_decisions(
    session: Session,
    tenant: str,
    decisions: Sequence[Decision],
    policy_version: int | None,
    records: Sequence[dict[str, Any]] | None = None,
) -> list[TriageDecision]:
    """Store decisions (one row each) and return the rows.

    A live decision to route or escalate opens the interaction's case in its queue
    (an interaction that has a case keeps it); ``records``, the interactions decided
    in the same order, give the case its language, channel and start (the contact's
    ``started_at``: its service-level clock runs from the customer's first message).
    Each decision is also queued for the tenant's webhook endpoints (``webhooks``).
    """
    now = datetime.now(UTC)
    rows = [
        TriageDecision(
            tenant=tenant,
            interaction_id=d.id,
            action=d.action,
            mode=d.mode,
            intent=d.intent,
            confidence=d.confidence,
            threshold=d.threshold,
            expected_precision=d.expected_precision,
            queue=d.queue,
            priority=d.priority,
            reasons=list(d.reasons),
            answer=d.answer,
            model_version=d.model_version,
            policy_version=policy_version,
            latency_ms=d.latency_ms,
            decided_at=now,
        )
        for d in decisions
    ]
    session.add_all(rows)
    session.flush()
    _open_cases(session, tenant, rows, records)
    _queue_webhooks(session, tenant, decisions, rows)
    return rows


def _queue_webhooks(
    session: Session, tenant: str, decisions: Sequence[Decision], rows: Sequence[TriageDecision]
) -> None:
    """Queue a ``triage.decision`` delivery per decision for the tenant's endpoints."""
    from criterio.webhooks.service import enqueue

    payloads = [
        {
            **decision.to_dict(),
            "decision_id": row.id,
            "policy_version": row.policy_version,
            "decided_at": row.decided_at.isoformat(),
        }
        for decision, row in zip(decisions, rows, strict=True)
    ]
    enqueue(session, tenant, "triage.decision", payloads)


def _open_cases(
    session: Session,
    tenant: str,
    rows: Sequence[TriageDecision],
    records: Sequence[dict[str, Any]] | None,
) -> None:
    from criterio.assist.service import open_cases

    fallback: str | None = None
    specs = []
    for index, row in enumerate(rows):
        if row.mode != "live" or row.action == "automate":
            continue
        record = records[index] if records is not None else {}
        if row.queue is None and fallback is None:
            fallback = current_policy(session, tenant).fallback_queue
        specs.append(
            {
                "interaction_id": row.interaction_id,
                "queue": row.queue or fallback,
                "priority": row.priority,
                "intent": row.intent,
                "language": record.get("language"),
                "channel": record.get("channel"),
                "decision_id": row.id,
                "opened_at": _contact_time(record.get("started_at"), row.decided_at),
            }
        )
    open_cases(session, tenant, specs)


def _contact_time(started_at: Any, decided_at: datetime) -> datetime:
    """When the customer's contact began (a case's clock starts then), at the latest now."""
    from criterio.triage.engine import when

    started = when(started_at, assume_utc=True)
    return decided_at if started is None else min(started, decided_at)


def stored_records(
    session: Session, tenant: str, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The tenant's stored interactions as data-contract records (oldest first)."""
    from criterio.interactions.repository import InteractionRepository

    items = [
        item
        for item in InteractionRepository(session, tenant).iter_all()
        if since is None or item.started_at >= since
    ]
    items.sort(key=lambda i: (i.started_at, i.external_id))
    for item in items:
        yield {
            "id": item.external_id,
            "channel": item.channel,
            "started_at": item.started_at.isoformat(),
            "customer_id": item.customer_id,
            "language": item.language,
            "attributes": item.attributes or {},
            "turns": item.turns or [],
            "labels": getattr(item, "labels", None) or {},
        }


def decisions_since(
    session: Session, tenant: str, since: datetime | None = None
) -> list[TriageDecision]:
    """The tenant's stored decisions, newest first."""
    return DecisionRepository(session, tenant).newest(since)


def as_record(item: InteractionIn) -> dict[str, Any]:
    """A validated interaction as the plain data-contract record triage reads."""
    record = item.model_dump(mode="json")
    if not record.get("turns") and item.text:
        record["turns"] = [{"role": "customer", "text": item.text}]
    return record


def row_record(row: dict[str, Any]) -> dict[str, Any]:
    """An interaction's table row (``interactions.service.to_row``) as a data-contract record."""
    from criterio.interactions._fast import TURNS_JSON

    started = row["started_at"]
    raw_turns = row.get(TURNS_JSON)  # a row decoded on the fast path keeps its turns as JSON
    turns = orjson.loads(raw_turns) if raw_turns is not None else row.get("turns")
    return {
        "id": row["external_id"],
        "channel": row.get("channel"),
        "started_at": started.isoformat() if isinstance(started, datetime) else started,
        "customer_id": row.get("customer_id"),
        "language": row.get("language"),
        "attributes": row.get("attributes") or {},
        "turns": turns or [],
        "labels": row.get("labels") or {},
    }


def previous_contacts(
    session: Session, tenant: str, records: Sequence[dict[str, Any]]
) -> list[datetime | None]:
    """Each record's customer's latest stored contact strictly before it (None: none known).

    One query for the whole batch; a record without ``customer_id`` or ``started_at`` has
    no previous contact.
    """
    from criterio.triage.engine import when

    customers = {str(r["customer_id"]) for r in records if r.get("customer_id") is not None}
    seen: dict[str, list[datetime]] = {}
    for customer, at in ContactRepository(session, tenant).customer_contacts(sorted(customers)):
        seen.setdefault(customer, []).append(
            at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        )
    found: list[datetime | None] = []
    for record in records:
        started = when(record.get("started_at"))
        who = record.get("customer_id")
        earlier = [t for t in seen.get(str(who), []) if started is not None and t < started]
        found.append(max(earlier) if earlier and who is not None else None)
    return found


def _cached_triager(
    session: Session, tenant: str, policy: Policy, cache: dict[tuple[Any, ...], Triager]
) -> tuple[Triager | None, str]:
    """The tenant's triager from ``cache`` (built once per key), or None and why not.

    The key is the tenant, its champion (id and hash), the policy version and the
    calibration's (registry entry, or the file's modification time): a request loads
    and calibrates nothing when none changed.
    """
    from criterio.learning.repository import ModelRepository
    from criterio.triage.registry import KIND, evidence_source

    # Both champions in one query: this runs on every real-time request.
    champions = ModelRepository(session, tenant).champions(("intent", KIND))
    row = champions.get("intent")
    if row is None:
        return None, "the tenant has no intent model: nothing is automated"
    try:
        source = evidence_source(tenant, row, champions.get(KIND))
    except InvalidInputError as error:
        return None, f"{error}: nothing is automated"
    key = (tenant, row.id, row.sha256, policy.version, source.key)
    triager = cache.get(key)
    if triager is None:
        # One build at a time: concurrent first requests wait for it instead of each
        # loading the model and calibrating (which starved the server under load).
        with _BUILDING:
            triager = cache.get(key)
            if triager is None:
                for old in [k for k in cache if k[0] == tenant]:
                    del cache[old]
                triager = cache[key] = tenant_triager(session, tenant, source=source)
    return triager, ""


def triage_records(
    session: Session,
    tenant: str,
    records: Sequence[dict[str, Any]],
    cache: dict[tuple[Any, ...], Triager],
) -> tuple[list[Decision], int | None]:
    """Decide interactions (validated data-contract records) and store the decisions.

    ``cache`` keeps one triager per tenant, champion, policy version and evidence file
    (see :func:`_cached_triager`). Without a calibrated champion every interaction is
    routed (never automated), saying why. A repeat contact is the customer's latest
    stored interaction before this one. Returns the decisions, in the records' order,
    and the policy version used.
    """
    from criterio.triage.decision import without_model
    from criterio.triage.engine import context_of

    policy = current_policy(session, tenant)
    triager, reason = _cached_triager(session, tenant, policy, cache)
    previous = previous_contacts(session, tenant, records)
    if triager is None:
        decisions = [
            without_model(str(r["id"]), reason, policy=policy, context=context_of(r, before))
            for r, before in zip(records, previous, strict=True)
        ]
    else:
        decisions = triager.decide_batch(records, tenant=tenant, session=session, previous=previous)
    record_decisions(session, tenant, decisions, policy.version, records)
    return decisions, policy.version


def triage_one(
    session: Session, tenant: str, record: dict[str, Any], cache: dict[tuple[Any, ...], Triager]
) -> tuple[Decision, int | None]:
    """Decide one interaction and store the decision (:func:`triage_records` of one)."""
    decisions, version = triage_records(session, tenant, [record], cache)
    return decisions[0], version
