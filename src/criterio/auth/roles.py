"""Roles and the role-by-permission matrix: the one place that says who may do what.

docs/security.md prints this matrix; a test checks that every endpoint declares one of
these permissions and that the documented table matches this dictionary.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MATRIX", "Permission", "Role", "allowed"]


class Role(StrEnum):
    """What a user (or machine account) is in a tenant."""

    admin = "admin"
    lead = "lead"
    analyst = "analyst"
    agent = "agent"
    integration = "integration"


class Permission(StrEnum):
    """One kind of action an endpoint performs."""

    read_self = "read_self"
    read_interactions = "read_interactions"
    write_interactions = "write_interactions"
    erase_customer = "erase_customer"
    read_audit = "read_audit"
    read_insights = "read_insights"
    review_insights = "review_insights"
    detect_insights = "detect_insights"
    read_articles = "read_articles"
    read_published_articles = "read_published_articles"
    write_articles = "write_articles"
    publish_articles = "publish_articles"
    link_articles = "link_articles"
    triage = "triage"
    record_feedback = "record_feedback"
    work_cases = "work_cases"
    manage_queues = "manage_queues"
    view_personal_data = "view_personal_data"
    grant_personal_data = "grant_personal_data"
    read_metrics = "read_metrics"
    read_agent_metrics = "read_agent_metrics"
    read_models = "read_models"
    manage_models = "manage_models"


MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.read_self: frozenset(Role),
    Permission.read_interactions: frozenset(
        {Role.admin, Role.lead, Role.analyst, Role.agent, Role.integration}
    ),
    Permission.write_interactions: frozenset({Role.admin, Role.integration}),
    Permission.erase_customer: frozenset({Role.admin}),
    Permission.read_audit: frozenset({Role.admin}),
    # Agents see the patterns in their own work; integrations only move interactions.
    Permission.read_insights: frozenset({Role.admin, Role.lead, Role.analyst, Role.agent}),
    Permission.review_insights: frozenset({Role.admin, Role.lead, Role.analyst}),
    Permission.detect_insights: frozenset({Role.admin, Role.lead}),
    # Knowledge (KCS): agents capture and improve (wip, not_validated); leads and admins
    # validate, publish and archive; analysts read; integrations read published articles
    # only (validated, for customers or public: what may answer automatically).
    Permission.read_articles: frozenset({Role.admin, Role.lead, Role.analyst, Role.agent}),
    Permission.read_published_articles: frozenset(Role),
    Permission.write_articles: frozenset({Role.admin, Role.lead, Role.agent}),
    Permission.publish_articles: frozenset({Role.admin, Role.lead}),
    Permission.link_articles: frozenset({Role.admin, Role.lead, Role.agent}),
    # A real-time decision is what a helpdesk integration asks for; it is stored.
    Permission.triage: frozenset({Role.admin, Role.lead, Role.integration}),
    # Every person who decides about a machine output records it; integrations bring in
    # decisions made in another tool. Analysts review insights through their own endpoint.
    Permission.record_feedback: frozenset({Role.admin, Role.lead, Role.agent, Role.integration}),
    # The agents' workspace: agents work the cases of their queues; leads and admins see
    # every queue, reassign cases and say who works which queue.
    Permission.work_cases: frozenset({Role.admin, Role.lead, Role.agent}),
    Permission.manage_queues: frozenset({Role.admin, Role.lead}),
    # A case's conversation unredacted (to verify a caller's identity): asked for
    # explicitly, never by default, and every such view is in the audit log. Least
    # privilege: agents work on the redacted text, unless a lead or an admin grants one
    # of them this permission personally (criterio.assist.grants), with a reason.
    Permission.view_personal_data: frozenset({Role.admin, Role.lead}),
    Permission.grant_personal_data: frozenset({Role.admin, Role.lead}),
    # Impact figures are for everyone who works in the tenant; each agent's knowledge
    # contribution only for that agent (read_metrics) and for leads and admins.
    Permission.read_metrics: frozenset({Role.admin, Role.lead, Role.analyst, Role.agent}),
    Permission.read_agent_metrics: frozenset({Role.admin, Role.lead}),
    # The learning loop: the model history and proposed intents are for those who look
    # after the models; rolling back and naming new intents changes what the machine
    # does, so leads and admins. Labelling the teach queue is recording feedback.
    Permission.read_models: frozenset({Role.admin, Role.lead, Role.analyst}),
    Permission.manage_models: frozenset({Role.admin, Role.lead}),
}


def allowed(role: str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold nothing)."""
    try:
        return Role(role) in MATRIX[permission]
    except ValueError:
        return False
