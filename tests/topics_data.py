"""Unlabelled interactions with clear contact reasons in Spanish and English (written here).

Each reason has its own key phrase, said in a few ways around it, so a topic model
finds the reasons and the key phrase is what a person would call them.
"""

from __future__ import annotations

import random
from typing import Any

from tests.factories import interaction

#: reason -> (language, the phrase the reason is about, ways of saying it)
REASONS: dict[str, tuple[str, str, list[str]]] = {
    "card": (
        "en",
        "debit card blocked",
        [
            "hi, my debit card blocked at the supermarket, what happened",
            "why is my debit card blocked since this morning",
            "debit card blocked again when paying online",
            "hello, debit card blocked and I cannot pay anything",
            "my debit card blocked after entering the pin",
        ],
    ),
    "parcel": (
        "en",
        "parcel never arrived",
        [
            "the parcel never arrived and tracking says delivered",
            "my parcel never arrived, I ordered two weeks ago",
            "hello, parcel never arrived at my address",
            "parcel never arrived, can you send it again",
            "still waiting, the parcel never arrived",
        ],
    ),
    "password": (
        "en",
        "reset my password",
        [
            "how do I reset my password for the app",
            "I need to reset my password, the link expired",
            "cannot reset my password on the website",
            "please help me reset my password",
            "reset my password email never comes",
        ],
    ),
    "factura": (
        "es",
        "cobrado dos veces la factura",
        [
            "hola, me han cobrado dos veces la factura de este mes",
            "me habéis cobrado dos veces la factura de la luz",
            "otra vez cobrado dos veces la factura, quiero la devolución",
            "buenas, aparece cobrado dos veces la factura en el banco",
            "revisad el cargo, cobrado dos veces la factura de octubre",
        ],
    ),
    "baja": (
        "es",
        "dar de baja el contrato",
        [
            "quiero dar de baja el contrato de internet",
            "cómo puedo dar de baja el contrato del móvil",
            "buenas tardes, necesito dar de baja el contrato cuanto antes",
            "para dar de baja el contrato qué tengo que hacer",
            "deseo dar de baja el contrato por mudanza",
        ],
    ),
    "cobertura": (
        "es",
        "sin cobertura en casa",
        [
            "llevo tres días sin cobertura en casa",
            "el móvil está sin cobertura en casa desde ayer",
            "hola, sigo sin cobertura en casa y no puedo llamar",
            "otra vez sin cobertura en casa, arreglad la antena",
            "estoy sin cobertura en casa por las tardes",
        ],
    ),
}


def month(
    tenant: str, per_day: int = 2, spike: str | None = None, spike_day: int = 20
) -> list[dict[str, Any]]:
    """November 2026: ``per_day`` contacts a day for each reason; ``spike`` ×8 on one day."""
    rng = random.Random(7)
    out: list[dict[str, Any]] = []
    for day in range(1, 31):
        for reason, (language, _, ways) in REASONS.items():
            n = per_day * (8 if reason == spike and day == spike_day else 1)
            for _ in range(n):
                i = len(out)
                out.append(
                    interaction(
                        i,
                        id=f"{tenant}-{i}",
                        tenant=tenant,
                        language=language,
                        started_at=f"2026-11-{day:02d}T{9 + i % 9:02d}:{i % 60:02d}:00Z",
                        turns=[
                            {"role": "customer", "text": rng.choice(ways)},
                            {"role": "agent", "text": "Gracias / thank you, checking now."},
                        ],
                        attributes={"queue": "general"},
                        labels={},
                        outcome={"handled_by": "human", "resolved": True},
                    )
                )
    return out
