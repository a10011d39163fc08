"""A small tenant for the learning pages: labelled and unlabelled interactions, "other"
decisions that group into a proposed intent, and two intent models (v1 retired, v2 champion)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.training import fit_intent_model, register_fitted

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WORDS = {
    "card_lost": ["lost my card", "card was stolen", "cannot find my card", "card missing"],
    "refund": ["want my money back", "refund the charge", "return and refund", "reimburse me"],
    "password": ["reset my password", "forgot the password", "password does not work", "pin"],
}
#: Routed interactions people marked "other": one proposed intent.
CRYPTO = [
    "buy bitcoin with my card",
    "bitcoin wallet transfer",
    "sell my bitcoin today",
    "bitcoin purchase failed",
]
#: Interactions nobody labelled (the teach queue offers them).
UNLABELLED = [
    "my card is lost and I want my money back",
    "forgot the pin of the card",
    "refund please, the password does not work",
    "where is my card, reimburse me",
    "stolen card and a charge to refund",
    "cannot log in, reset the pin",
]


def _text(intent: str, i: int) -> str:
    phrases = WORDS[intent]
    return f"hello, {phrases[i % 4]} please, {phrases[(i + 1) % 4]} (ref {i})"


def seed_learning(session: Session, tenant: str, model_dir: Path) -> dict[str, int]:
    """Store the interactions and decisions and register two models; their ids by version."""
    records = [
        {"id": f"l-{k}-{i}", "text": _text(k, i), "labels": {"intent": k}}
        for k in WORDS
        for i in range(6)
    ]
    records += [{"id": f"c-{i}", "text": t} for i, t in enumerate(CRYPTO)]
    records += [{"id": f"u-{i}", "text": t} for i, t in enumerate(UNLABELLED)]
    store_interactions(
        session,
        [
            InteractionIn.model_validate(
                {"tenant": tenant, "started_at": (T0 + timedelta(minutes=n)).isoformat(), **r}
            )
            for n, r in enumerate(records)
        ],
    )
    record_many(
        session,
        tenant,
        [
            Feedback("intent", "agnes", {"intent": "other"}, interaction_id=f"c-{i}", at=T0)
            for i in range(len(CRYPTO))
        ],
    )
    texts = [r["text"] for r in records[: 6 * len(WORDS)]]
    intents = [r["labels"]["intent"] for r in records[: 6 * len(WORDS)]]
    ids = {}
    fitted = fit_intent_model(texts, intents)
    for version, accuracy in ((1, 0.82), (2, 0.91)):
        trained = register_fitted(
            session,
            tenant,
            "intent",
            fitted,
            training={"source": "test", "n_examples": len(texts)},
            training_hash=f"h{version}",
            metrics={"heldout_accuracy": accuracy, "heldout_n": 40, "reason": f"run {version}"},
            model_dir=model_dir,
            promote=True,
            by="leo",
        )
        ids[f"v{version}"] = trained.model.id
    return ids
