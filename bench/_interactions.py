"""Generated bilingual contact-centre interactions for bench/analyze.py (stand-in data).

Deterministic (seeded), streamed a batch at a time: chats of 2 to 6 turns, Spanish and
English (60/40), informal spelling, emojis, caps, and personal data in about one
interaction in five. Used until ``criterio demo``'s generator is available.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from criterio.analysis.pipeline import interactions_to_batch

__all__ = ["batches"]

OPEN = {
    "es": [
        "Hola, me han cobrado dos veces la factura de {month}",
        "Buenas, no me funciona internet desde {day}",
        "Quiero dar de baja la linea, estoy harto de los cortes",
        "¿Cómo cambio la dirección de entrega del pedido {order}?",
        "El router no va y ya he llamado {n} veces 😡",
        "hola q tal, necesito el duplicado de la tarjeta",
        "ESTO ES UNA VERGÜENZA, LLEVO {n} DIAS SIN LINEA",
        "Me llegó el paquete roto, quiero que me lo cambien",
        "¿Por qué me ha subido la tarifa sin avisar?",
        "No puedo entrar en la app, me da error al pagar",
    ],
    "en": [
        "Hi, I was charged twice on my {month} bill",
        "My internet has been down since {day}",
        "I want to cancel, I'm fed up with the outages",
        "How do I change the delivery address for order {order}?",
        "The router is not working and I've called {n} times 😡",
        "hey, need a replacement card pls",
        "THIS IS RIDICULOUS, NO SERVICE FOR {n} DAYS",
        "My parcel arrived broken, I want a replacement",
        "Why did my plan go up without any notice?",
        "I can't log in to the app, it errors when I pay",
    ],
}
PII = {
    "es": [
        "Mi DNI es {dni} y mi correo {email}",
        "Podéis llamarme al {phone_es}",
        "Soy {name}, cliente {customer}",
        "El IBAN es {iban}",
    ],
    "en": [
        "My email is {email}, call me on {phone_en}",
        "I'm {name}, account {customer}",
        "card ending 4242, full number {card}",
    ],
}
AGENT = {
    "es": [
        "Lo reviso ahora mismo.",
        "Disculpa las molestias, ya lo he corregido.",
        "¿Me confirmas tu número de cliente?",
    ],
    "en": [
        "Let me check that for you.",
        "Sorry about that, it's fixed now.",
        "Could you confirm your account number?",
    ],
}
CLOSE = {
    "es": [
        "Genial, muchas gracias!",
        "vale, gracias",
        "Sigue sin funcionar, esto es inaceptable",
        "ok",
        "Perfecto, ya funciona 👍",
    ],
    "en": [
        "Great, thanks a lot!",
        "ok thanks",
        "Still not working, this is unacceptable",
        "ok",
        "Perfect, it works now 👍",
    ],
}
NAMES = ["María García", "John Smith", "Lucía Fernández", "David Brown", "Carmen López"]
MONTHS = ["enero", "octubre", "March", "November"]
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def _fill(template: str, rng: random.Random) -> str:
    number = rng.randrange(10_000_000, 99_999_999)
    values: dict[str, Any] = {
        "month": rng.choice(MONTHS),
        "day": rng.choice(["ayer", "el lunes", "yesterday", "Monday"]),
        "order": f"{rng.randrange(10**6, 10**7)}",
        "n": rng.randrange(2, 9),
        "dni": f"{number}{DNI_LETTERS[number % 23]}",
        "email": f"user{rng.randrange(10**5)}@example.com",
        "phone_es": f"6{rng.randrange(10**7, 10**8)}",
        "phone_en": f"+44 7700 900{rng.randrange(100, 999)}",
        "name": rng.choice(NAMES),
        "customer": f"k-{rng.randrange(10**6)}",
        "iban": "ES91 2100 0418 4502 0005 1332",
        "card": "4111 1111 1111 1111",
    }
    return template.format(**values)


def _interaction(i: int, rng: random.Random) -> dict[str, Any]:
    lang = "es" if rng.random() < 0.6 else "en"
    turns = [{"role": "customer", "text": _fill(rng.choice(OPEN[lang]), rng)}]
    for _ in range(rng.randrange(0, 2)):
        turns.append({"role": "agent", "text": rng.choice(AGENT[lang])})
        if rng.random() < 0.2:
            turns.append({"role": "customer", "text": _fill(rng.choice(PII[lang]), rng)})
        else:
            turns.append({"role": "customer", "text": _fill(rng.choice(OPEN[lang]), rng)})
    turns.append({"role": "agent", "text": rng.choice(AGENT[lang])})
    turns.append({"role": "customer", "text": rng.choice(CLOSE[lang])})
    return {"id": f"g-{i:07d}", "turns": turns}


def batches(total: int, size: int, seed: int = 7) -> Iterator[pa.RecordBatch]:
    """``total`` interactions in Arrow batches of ``size``, generated lazily."""
    rng = random.Random(seed)
    for start in range(0, total, size):
        stop = min(total, start + size)
        yield interactions_to_batch([_interaction(i, rng) for i in range(start, stop)])
