"""The reply of an automated decision: the one place that finds an answer's text.

Today the text is the policy's template in the customer's language; when the
knowledge base is wired in, this function looks up the published article named by
the policy entry first (the article id is already passed through).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from criterio.triage.schemas import AutomatedIntent

__all__ = ["answer_for"]


def answer_for(
    session: Session | None, tenant: str, entry: AutomatedIntent | None, language: str | None
) -> dict[str, Any] | None:
    """The answer to send for ``entry`` in ``language`` (None: the policy attaches none).

    The template in the customer's language, else the first one the policy gives (its
    language is said in the answer, so a reviewer sees the mismatch).
    """
    del session, tenant  # used once the knowledge base answers from published articles
    if entry is None:
        return None
    chosen: str | None
    if language and language in entry.templates:
        chosen = language
    else:
        chosen = next(iter(entry.templates), None)
    if chosen is None and entry.article is None:
        return None
    return {
        "article": entry.article,
        "language": chosen,
        "text": entry.templates.get(chosen) if chosen else None,
    }
