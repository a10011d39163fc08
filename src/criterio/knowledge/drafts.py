"""Drafts from solved cases: a ``wip`` article prefilled from an interaction or a gap.

Extractive and offline: the issue is the customer's own words, the environment the
interaction's attributes, the resolution the agent's turns, all redacted of personal
data before they are stored. A person then edits, validates and publishes it.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from criterio.errors import InvalidInputError, NotFoundError
from criterio.interactions.repository import InteractionRepository
from criterio.knowledge.models import Article
from criterio.knowledge.schemas import ArticleIn, LinkIn, LinkKind, LinkVia
from criterio.knowledge.service import create_article, link_article
from criterio.languages import supported

__all__ = ["draft_from_gap", "draft_from_interaction"]

_SENTENCE = re.compile(r"(?<=[.!?¿¡])\s+")
#: Agent turns that only greet or close carry no step of the resolution.
_POLITE = re.compile(
    r"^(hola|hello|hi|buenos d[ií]as|buenas tardes|gracias|thanks?|thank you|de nada|"
    r"you'?re welcome|adi[oó]s|bye)\b[^.!?]*[.!?]?$",
    re.I,
)


def draft_from_interaction(
    session: Session, tenant: str, interaction_id: str, *, actor: str | None
) -> Article:
    """A ``wip`` article from a resolved interaction, linked to it as ``created``."""
    from criterio.analysis.pii import PIIRedactor

    found = InteractionRepository(session, tenant).get(interaction_id)
    if found is None:
        raise NotFoundError(f"interaction {interaction_id!r} not found for tenant {tenant!r}")
    customer = [str(t.get("text", "")) for t in found.turns if t.get("role") == "customer"]
    agent = [
        str(t.get("text", ""))
        for t in found.turns
        if t.get("role") == "agent" and not _POLITE.match(str(t.get("text", "")).strip())
    ]
    if not customer or not agent:
        raise InvalidInputError(
            f"interaction {interaction_id!r}: a draft needs customer and agent turns"
        )
    redactor = PIIRedactor().fit()
    issue, resolution = (r.text for r in redactor.redact([" ".join(customer), "\n".join(agent)]))
    title = _SENTENCE.split(issue.strip())[0][:120] or "Draft"
    environment = "\n".join(f"{k}: {v}" for k, v in sorted((found.attributes or {}).items()))
    language = (found.language or "en")[:2]
    article = create_article(
        session,
        tenant,
        ArticleIn(
            title=title,
            issue=issue,
            environment=environment,
            resolution=resolution,
            language=supported(language),
            source="interaction",
            owner=actor,
        ),
        actor=actor,
        can_publish=False,
    )
    link_article(
        session,
        tenant,
        article.id,
        LinkIn(interaction_id=interaction_id, kind=LinkKind.created, via=LinkVia.searched),
        actor=actor,
    )
    return article


def draft_from_gap(session: Session, tenant: str, gap_id: int, *, actor: str | None) -> Article:
    """A ``wip`` article from a knowledge gap: the issue in its examples' words, the
    resolution from the agent turns of the first example that has them (redacted)."""
    from criterio.analysis.pii import PIIRedactor
    from criterio.insights.service import get_insight

    insight = get_insight(session, tenant, gap_id)
    if insight.type != "knowledge_gap":
        raise InvalidInputError(f"insight {gap_id} is a {insight.type}, not a knowledge_gap")
    repo = InteractionRepository(session, tenant)
    found = [repo.get(str(i)) for i in insight.evidence.get("examples", [])]
    cases = [f for f in found if f is not None]
    if not cases:
        raise InvalidInputError(f"gap {gap_id}: none of its example interactions is stored")
    asked = [
        next((str(t.get("text", "")) for t in c.turns if t.get("role") == "customer"), "")
        for c in cases
    ]
    answers = next(
        (
            "\n".join(
                str(t.get("text", ""))
                for t in c.turns
                if t.get("role") == "agent" and not _POLITE.match(str(t.get("text", "")).strip())
            )
            for c in cases
            if any(t.get("role") == "agent" for t in c.turns)
        ),
        "",
    )
    redacted = [r.text for r in PIIRedactor().fit().redact([*asked, answers])]
    label = str(insight.segment.get("gap", "")) or "Knowledge gap"
    article = create_article(
        session,
        tenant,
        ArticleIn(
            title=label[:1].upper() + label[1:],
            issue="\n".join(t for t in redacted[:-1] if t),
            resolution=redacted[-1],
            language=supported(insight.language),
            source="gap",
            owner=actor,
        ),
        actor=actor,
        can_publish=False,
    )
    link_article(
        session,
        tenant,
        article.id,
        LinkIn(interaction_id=cases[0].external_id, kind=LinkKind.created, via=LinkVia.searched),
        actor=actor,
    )
    return article
