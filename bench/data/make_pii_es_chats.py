"""Write pii_es_chats.jsonl: Spanish chat turns with annotated names, phones, e-mails.

Deterministic (fixed seed): ``python bench/data/make_pii_es_chats.py`` rewrites the file.
The Spanish counterpart of make_pii_en.py: the turn shapes of real support chats (a
name typed alone as the answer to "¿me indica su nombre?", system lines such as "Se ha
localizado la cuenta de ...", the agent greeting the customer by the first name given
earlier, phones dictated in pairs, a mobile announced as a phone whether the numbering
plan lists it or not) with new values. Names mix two-surname Spanish names, Latin
American names and names of other origins. Slots in lower case are negatives the
redactor must leave alone (order numbers, amounts, incident numbers, product names
such as "Redmi Note Pro" or "Galaxy A") and are not annotated. Postal codes announced
as such ("el código postal es 28013") were negatives until redactor version 4 and are
annotated as POSTAL_CODE since (the same values).

Written by the engineer who changed the name and phone detectors, after the change:
read its figures as "these chat shapes work", not as an estimate on unseen traffic.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import phonenumbers

FIRST = (
    "Lucía", "Martina", "Alba", "Nerea", "Ainhoa", "Rocío", "Ximena", "Guadalupe", "Itziar",
    "Hugo", "Álvaro", "Iker", "Joaquín", "Mateo", "Santiago", "Xabier", "Oriol", "Yeray",
    "Camila", "Valentina", "Wilson", "Jhon", "Fátima", "Aitana", "Bruno", "Dolores",
)  # fmt: skip
LAST = (
    "García", "Fernández", "Etxeberria", "Rovira", "Quispe", "Mamani", "Villalobos",
    "Carrasco", "Iglesias", "Zubizarreta", "Castro", "Ortiz", "Pacheco", "Montenegro",
    "Lozano", "Herrero", "Figueroa", "Benítez", "Nogueira", "Salvador", "Cruz",
)  # fmt: skip
PRODUCTS = (
    "Redmi Note Pro", "Galaxy A", "Moto G Play", "Echo Dot", "Fire TV Stick",
    "Nintendo Switch Lite", "Mi Band", "Apple Watch Series", "Roomba Combo",
)  # fmt: skip
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net")

TEMPLATES = (
    "{PERSON}",
    "Se ha localizado la cuenta de {PERSON}.",
    "claro, me llamo {PERSON}",
    "a nombre de {PERSON}",
    "soy {PERSON}, os escribí ayer por la factura",
    "Gracias {FIRST}, un momento por favor.",
    "Perfecto {FIRST}, ¿me confirma su correo?",
    "Hola, le atiende {FIRST}, ¿en qué puedo ayudarle?",
    "el titular es mi marido, {PERSON}",
    "{PHONE}",
    "mi móvil es el {PHONE}",
    "Llámame al {PHONE_PLAIN}, estoy toda la tarde",
    "Se han registrado los datos de {PHONE}.",
    "{EMAIL}",
    "mi correo es {EMAIL}",
    "Nº de pedido: {order}",
    "{order}",
    "el código postal es {POSTAL_CODE}",
    "me cobraron {amount} € dos veces",
    "su número de incidencia es {case}",
    "compré un {product} y no enciende",
    "Un {product}",
    "el {product} que pedí llegó roto",
    "{PERSON}, {EMAIL}, {PHONE}",
    "buenas tardes, quería saber cuándo llega mi pedido",
)
TYPE_OF = {"FIRST": "PERSON", "PHONE_PLAIN": "PHONE"}


def _mobile(r: random.Random) -> str:
    """Nine digits starting 6 or 7, valid in Spain's plan (7xx ones may not be)."""
    while True:
        digits = f"{r.choice('67')}{r.randint(10**7, 10**8 - 1)}"
        if digits[0] == "7" or phonenumbers.is_valid_number(phonenumbers.parse(digits, "ES")):
            return digits


def phone(r: random.Random) -> str:
    """A Spanish mobile as people type it."""
    d = _mobile(r)
    return r.choice(
        (
            d,
            f"{d[:3]} {d[3:6]} {d[6:]}",
            f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}",
            f"+34 {d[:3]} {d[3:6]} {d[6:]}",
            f"{d[:3]}-{d[3:6]}-{d[6:]}",
        )
    )


def fill(r: random.Random, slot: str, name: str) -> str:
    """The value of one slot (``name`` is the text's person, for the e-mail)."""
    first = name.split(" ", 1)[0]
    plain = re.sub(r"[^a-z]", "", name.lower().translate(str.maketrans("áéíóúñ", "aeioun")))
    values = {
        "PERSON": name,
        "FIRST": first,
        "PHONE": phone(r),
        "PHONE_PLAIN": _mobile(r),
        "EMAIL": f"{plain[:12]}{r.randint(1, 99)}@{r.choice(DOMAINS)}",
        "order": f"{r.randint(10**8, 10**9 - 1)}",
        "POSTAL_CODE": f"{r.randint(1000, 52999):05d}",
        "amount": f"{r.randint(5, 300)},{r.randint(0, 99):02d}",
        "case": f"INC{r.randint(10**6, 10**7 - 1)}",
        "product": r.choice(PRODUCTS),
    }
    return values[slot]


def main() -> None:
    """Write bench/data/pii_es_chats.jsonl (deterministic)."""
    r = random.Random(20261206)
    out = Path(__file__).with_name("pii_es_chats.jsonl")
    rows = []
    for i in range(300):
        template = TEMPLATES[i % len(TEMPLATES)]
        first, last = r.choice(FIRST), r.choice(LAST)
        name = f"{first} {last}" + (f" {r.choice(LAST)}" if r.random() < 0.5 else "")
        text, spans, end = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[end : m.start()]
            value = fill(r, m.group(1), name)
            if m.group(1).isupper():
                kind = TYPE_OF.get(m.group(1), m.group(1))
                spans.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
            text += value
            end = m.end()
        text += template[end:]
        rows.append({"id": f"eschat-{i:03d}", "text": text, "spans": spans})
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} texts, {sum(len(x['spans']) for x in rows)} spans to {out}")


if __name__ == "__main__":
    main()
