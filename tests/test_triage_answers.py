"""An automated answer comes from the published article the policy names, else its template.

Only a validated article for customers or the public may answer a customer (the
knowledge base's rule); an internal or archived one never does.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from criterio.knowledge.schemas import ArticleIn
from criterio.knowledge.service import create_article
from criterio.triage.answers import answer_for
from criterio.triage.schemas import AutomatedIntent

ENTRY = AutomatedIntent(
    intent="card_arrival",
    article="KB-12",
    templates={"es": "Tu tarjeta llega en 5 días.", "en": "Your card arrives in 5 days."},
)


def _article(session: Session, state: str, audience: str, external_id: str = "KB-12") -> None:
    data = ArticleIn(
        external_id=external_id,
        title="When does my card arrive?",
        issue="my card has not arrived",
        resolution="Cards arrive within 3 working days; track it under Cards > Delivery.",
        state=state,
        audience=audience,
    )
    create_article(session, "acme", data, actor="lead")


def test_a_published_customer_article_answers_in_its_language(session: Session) -> None:
    _article(session, "validated", "customer")
    answer = answer_for(session, "acme", ENTRY, "en")
    assert answer == {
        "article": "KB-12",
        "language": "en",
        "text": "Cards arrive within 3 working days; track it under Cards > Delivery.",
        "source": "article",
    }
    # A Spanish customer gets the policy's Spanish reply rather than an English article;
    # without a Spanish template the article still answers, its language said.
    spanish = answer_for(session, "acme", ENTRY, "es")
    assert spanish is not None and (spanish["source"], spanish["language"]) == ("template", "es")
    only_en = ENTRY.model_copy(update={"templates": {"en": "Your card arrives in 5 days."}})
    fallback = answer_for(session, "acme", only_en, "es")
    assert fallback is not None and (fallback["source"], fallback["language"]) == ("article", "en")


def test_an_internal_or_unvalidated_article_never_answers(session: Session) -> None:
    _article(session, "validated", "internal")
    _article(session, "not_validated", "customer", external_id="KB-13")
    for entry in (ENTRY, ENTRY.model_copy(update={"article": "KB-13"})):
        answer = answer_for(session, "acme", entry, "es")
        assert answer is not None
        assert answer["source"] == "template" and answer["text"] == "Tu tarjeta llega en 5 días."


def test_another_tenants_article_is_not_used(session: Session) -> None:
    _article(session, "validated", "public")
    answer = answer_for(session, "globex", ENTRY, "en")
    assert answer is not None
    assert answer["source"] == "template" and answer["text"] == "Your card arrives in 5 days."
