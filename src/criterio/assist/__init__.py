"""The agents' work: cases opened by triage, queues and who works them, and the actions
taken on a case (each one also a feedback event for the learning loop)."""

from criterio.assist.models import CASE_STATUSES, Case, QueueMember
from criterio.assist.service import (
    SLA_HOURS,
    assign_case,
    escalate_case,
    get_case,
    list_cases,
    next_case,
    open_case,
    open_cases,
    queue_members,
    queues_of,
    reopen_case,
    resolve_case,
    set_queue_members,
)

__all__ = [
    "CASE_STATUSES",
    "SLA_HOURS",
    "Case",
    "QueueMember",
    "assign_case",
    "escalate_case",
    "get_case",
    "list_cases",
    "next_case",
    "open_case",
    "open_cases",
    "queue_members",
    "queues_of",
    "reopen_case",
    "resolve_case",
    "set_queue_members",
]
