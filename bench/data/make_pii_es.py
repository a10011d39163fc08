"""Write pii_es.jsonl: Spanish customer-service messages with annotated personal data.

Deterministic (fixed seed): ``python bench/data/make_pii_es.py`` rewrites the same file.
Values are generated valid (DNI/NIE/CIF check letters, IBAN and CCC check digits, Luhn,
phone numbers valid for their country per phonenumbers). Slots in lower case are
negatives the redactor must leave alone (order numbers, amounts, tracking codes,
delivery dates, DNIs with a wrong letter) and are not annotated. The postal code
announced in one template was a negative until redactor version 4 and is annotated as
POSTAL_CODE since (the same text).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.es import ccc, cif

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
FIRST = [
    "Lucía",
    "Sofía",
    "Martina",
    "María",
    "Paula",
    "Julia",
    "Daniela",
    "Valeria",
    "Alba",
    "Emma",
    "Carmen",
    "Laura",
    "Ana",
    "Marta",
    "Elena",
    "Cristina",
    "Pilar",
    "Rocío",
    "Nerea",
    "Aitana",
    "Hugo",
    "Martín",
    "Lucas",
    "Mateo",
    "Leo",
    "Daniel",
    "Alejandro",
    "Pablo",
    "Manuel",
    "Álvaro",
    "Javier",
    "José",
    "Antonio",
    "Francisco",
    "David",
    "Juan",
    "Carlos",
    "Jorge",
    "Sergio",
    "Iker",
    "Raúl",
    "Andrés",
    "Guadalupe",
    "Ximena",
    "Santiago",
    "Valentina",
    "Camila",
]
LAST = [
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Núñez",
    "Medina",
    "Garrido",
    "Cortés",
]
STREETS = [
    "Calle Mayor",
    "Calle de Alcalá",
    "C/ Gran Vía",
    "Avenida de la Constitución",
    "Avda. de América",
    "Plaza de España",
    "Paseo de la Castellana",
    "Calle San Vicente",
    "Calle del Carmen",
    "Ronda de Segovia",
    "Calle Real",
    "Avenida Diagonal",
    "Calle de la Paz",
    "Camino de Ronda",
]
CITIES = [
    "Madrid",
    "Barcelona",
    "Valencia",
    "Sevilla",
    "Zaragoza",
    "Málaga",
    "Murcia",
    "Bilbao",
    "Granada",
    "Alicante",
]
DOMAINS = [
    "gmail.com",
    "hotmail.com",
    "yahoo.es",
    "outlook.es",
    "telefonica.net",
    "correo.mx",
    "live.com",
]
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]

TEMPLATES = [
    "Hola, me llamo {PERSON} y mi DNI es {DNI}. Quiero darme de baja.",
    "Buenos días, soy {PERSON}, mi teléfono es {PHONE} por si necesitan llamarme.",
    "Mi número de cliente es {CUSTOMER_ID} y el pedido {order} no ha llegado.",
    "Les escribo porque me han cobrado {amount} dos veces en la tarjeta {CARD}.",
    "Para la domiciliación usen este IBAN: {IBAN}. Gracias.",
    "Mi correo es {EMAIL}, mándenme ahí la factura {invoice} por favor.",
    "El paquete con número de seguimiento {tracking} iba a llegar el {date} y nada.",
    "Hola {FIRST}, te confirmo que tu pedido {order} sale hoy.",
    "Le atiende {PERSON}, ¿en qué puedo ayudarle?",
    "NIE {NIE}, fecha de nacimiento {DOB}. Necesito cambiar la titularidad.",
    "La dirección de envío es {ADDRESS}.",
    "Por favor, enviad la tarjeta nueva a {ADDRESS}, a nombre de {PERSON}.",
    "Mi móvil es el {PHONE} y el fijo {PHONE}.",
    "Llámenme al {PHONE_LATAM}, estoy en el extranjero.",
    "Soy cliente desde hace años, DNI {DNI}, y nunca me había pasado esto.",
    "El DNI que me piden es {bad_dni}? No me deja registrarme.",
    "Facturar a la empresa con CIF {CIF}, dirección {ADDRESS}.",
    "No reconozco el cargo de {amount} del día {date}.",
    "Saludos,\n{PERSON}",
    "Un saludo,\n{PERSON}\nTel. {PHONE}",
    "Atentamente, {PERSON}",
    "Gracias {FIRST}, ya me ha llegado el reembolso de {amount}.",
    "Mi email es {EMAIL} y mi teléfono {PHONE}.",
    "He intentado entrar desde la IP {IP} y me bloquea la cuenta.",
    "Nací el {DOB} y la web dice que soy menor de edad.",
    "Número de contrato {CUSTOMER_ID}. Quiero cambiar de tarifa.",
    "Quiero que me devuelvan {amount} a la cuenta {IBAN}.",
    "El pedido {order} de {amount} llegó roto, adjunto fotos.",
    "¿Pueden decirme cuándo llega el envío {tracking}? Me dijeron que el {date}.",
    "Tengo un problema con la tarjeta acabada en {last4}, me la han bloqueado.",
    "Hola, buenas tardes. Mi nombre es {PERSON} y escribo por la incidencia {ticket}.",
    "Whatsapp {PHONE_LATAM}. Escríbanme por ahí mejor.",
    "Mi código de cliente: {CUSTOMER_ID}. Mi NIE: {NIE}.",
    "Le paso mis datos: {PERSON}, {DNI}, {ADDRESS}.",
    "El repartidor vino el {date} a las 10:30 y no había nadie.",
    "Compré 3 unidades por {amount} con el pedido {order}.",
    "Mi hija {PERSON} usará la línea {PHONE}.",
    "Cambien el correo de contacto a {EMAIL}, el antiguo ya no lo uso.",
    "Tarjeta {CARD}, caducidad 08/27. ¿Por qué me rechazan el pago?",
    "Buenas, soy {FIRST} otra vez, ¿han revisado lo del pedido {order}?",
    "Sr. {LASTNAME}, le confirmamos la devolución de {amount}.",
    "Por favor, contacte con {PERSON} en el {PHONE} o en {EMAIL}.",
    "El DNI {bad_dni} no es el mío, el bueno es {DNI}.",
    "Código postal {POSTAL_CODE}, ¿hacen envíos ahí?",
    "Versión de la app 4.12.3, móvil Android 14.",
    "Mi cuenta IBAN {IBAN} y el titular es {PERSON}.",
    "Reserva {booking} para el {date}, a nombre de {PERSON}.",
    "Dirección: {ADDRESS}. Teléfono: {PHONE}.",
    "Estimada {FIRST}: su incidencia {ticket} está resuelta.",
    "Pagué {amount} el {date} y me cobraron {amount} más.",
]


def dni(r: random.Random) -> str:
    n = r.randrange(10**6, 10**8)
    body, letter = f"{n:08d}", LETTERS[n % 23]
    return r.choice(
        [f"{body}{letter}", f"{body}-{letter}", f"{body[:2]}.{body[2:5]}.{body[5:]}-{letter}"]
    )


def bad_dni(r: random.Random) -> str:
    n = r.randrange(10**6, 10**8)
    return f"{n:08d}{LETTERS[(n % 23 + r.randrange(1, 23)) % 23]}"


def nie(r: random.Random) -> str:
    prefix, n = r.choice("XYZ"), r.randrange(10**7)
    letter = LETTERS[int(f"{'XYZ'.index(prefix)}{n:07d}") % 23]
    return r.choice([f"{prefix}{n:07d}{letter}", f"{prefix}-{n:07d}-{letter}"])


def cif_(r: random.Random) -> str:
    body = r.choice("ABG") + f"{r.randrange(10**7):07d}"
    return body + cif.calc_check_digits(body)[0]


def phone_es(r: random.Random) -> str:
    while True:
        first = r.choice("679")
        n = first + "".join(str(r.randrange(10)) for _ in range(8))
        if phonenumbers.is_valid_number(phonenumbers.parse(n, "ES")):
            break
    return r.choice(
        [
            n,
            f"{n[:3]} {n[3:6]} {n[6:]}",
            f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}",
            f"+34 {n[:3]} {n[3:6]} {n[6:]}",
            f"+34{n}",
            f"0034 {n}",
            f"{n[:3]}-{n[3:6]}-{n[6:]}",
        ]
    )


LATAM = [
    ("MX", "+52 55 {4} {4}"),
    ("AR", "+54 9 11 {4}-{4}"),
    ("CO", "+57 3{2} {3} {4}"),
    ("CL", "+56 9 {4} {4}"),
    ("PE", "+51 9{2} {3} {3}"),
    ("MX", "55 {4} {4}"),
    ("CO", "3{2} {3} {4}"),
]


def phone_latam(r: random.Random) -> str:
    while True:
        region, fmt = r.choice(LATAM)
        s = re.sub(
            r"\{(\d)\}",
            lambda m: "".join(str(r.randrange(10)) for _ in range(int(m.group(1)))),
            fmt,
        )
        if phonenumbers.is_valid_number(phonenumbers.parse(s, region)):
            return s


def iban(r: random.Random) -> str:
    d = "".join(str(r.randrange(10)) for _ in range(20))
    bban = d[:8] + ccc.calc_check_digits(d[:8] + "00" + d[10:]) + d[10:]
    value = f"ES{std_iban.calc_check_digits('ES00' + bban)}{bban}"
    return r.choice([value, " ".join(value[i : i + 4] for i in range(0, 24, 4))])


def card(r: random.Random) -> str:
    prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("37", 15)])
    body = prefix + "".join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
    n = body + luhn.calc_check_digit(body)
    if length == 15:
        return r.choice([n, f"{n[:4]} {n[4:10]} {n[10:]}"])
    return r.choice(
        [
            n,
            " ".join(n[i : i + 4] for i in range(0, 16, 4)),
            "-".join(n[i : i + 4] for i in range(0, 16, 4)),
        ]
    )


def person(r: random.Random) -> str:
    names = [r.choice(FIRST), r.choice(LAST)] + ([r.choice(LAST)] if r.random() < 0.5 else [])
    return " ".join(names)


def address(r: random.Random) -> str:
    street = f"{r.choice(STREETS)} {r.randrange(1, 200)}"
    extra = r.choice(
        ["", f", {r.randrange(1, 9)}º{r.choice('ABCD')}", f", {r.randrange(1, 9)}º izq."]
    )
    city = r.choice(["", f", {r.randrange(1, 52):02d}{r.randrange(1000):03d} {r.choice(CITIES)}"])
    return street + extra + city


def dob(r: random.Random) -> str:
    d, m, y = r.randrange(1, 29), r.randrange(1, 13), r.randrange(1940, 2006)
    return r.choice([f"{d:02d}/{m:02d}/{y}", f"{d} de {MONTHS[m - 1]} de {y}", f"{d}-{m}-{y}"])


def fill(r: random.Random, slot: str) -> str:
    """Return a value for ``slot``."""
    makers = {
        "PERSON": lambda: person(r),
        "FIRST": lambda: r.choice(FIRST),
        "LASTNAME": lambda: r.choice(LAST),
        "DNI": lambda: dni(r),
        "NIE": lambda: nie(r),
        "CIF": lambda: cif_(r),
        "PHONE": lambda: phone_es(r),
        "PHONE_LATAM": lambda: phone_latam(r),
        "IBAN": lambda: iban(r),
        "CARD": lambda: card(r),
        "ADDRESS": lambda: address(r),
        "DOB": lambda: dob(r),
        # A fixed code (the template's literal until redactor version 4, a negative then):
        # no draw, so every other value of the set stays the same.
        "POSTAL_CODE": lambda: "28013",
        "IP": lambda: ".".join(str(r.randrange(1, 255)) for _ in range(4)),
        "EMAIL": lambda: (
            f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{r.randrange(100)}@{r.choice(DOMAINS)}".translate(
                str.maketrans("áéíóúñ", "aeioun")
            )
        ),
        "CUSTOMER_ID": lambda: r.choice(
            [
                f"CL-{r.randrange(10**5)}",
                f"{r.randrange(10**7)}",
                f"ABO-2024-{r.randrange(10**4):04d}",
            ]
        ),
        "order": lambda: r.choice(
            [
                f"{r.randrange(10**8, 10**9)}",
                f"{r.randrange(1000, 9999)}-{r.randrange(1000, 9999)}",
                f"PED-{r.randrange(10**6)}",
            ]
        ),
        "amount": lambda: r.choice(
            [
                f"{r.randrange(1, 999)},{r.randrange(100):02d} €",
                f"{r.randrange(1, 9)}.{r.randrange(1000):03d},00 euros",
                f"${r.randrange(10, 999)}.00",
            ]
        ),
        "tracking": lambda: r.choice(
            [
                f"PK{r.randrange(10**10)}ES",
                f"1Z999AA1{r.randrange(10**10):010d}",
                f"{r.randrange(10**13, 10**14)}",
            ]
        ),
        "date": lambda: r.choice(
            [
                f"{r.randrange(1, 29)}/{r.randrange(1, 13)}/2026",
                f"{r.randrange(1, 29)} de {r.choice(MONTHS)}",
            ]
        ),
        "invoice": lambda: f"F{r.randrange(2024, 2027)}-{r.randrange(10**5):05d}",
        "ticket": lambda: f"INC-{r.randrange(10**6)}",
        "booking": lambda: f"{r.randrange(10**6):06d}",
        "last4": lambda: f"{r.randrange(10**4):04d}",
        "bad_dni": lambda: bad_dni(r),
    }
    return makers[slot]()


TYPE_OF = {"FIRST": "PERSON", "LASTNAME": "PERSON", "PHONE_LATAM": "PHONE"}


def main() -> None:
    """Write bench/data/pii_es.jsonl (deterministic)."""
    r = random.Random(20261123)
    out = Path(__file__).with_name("pii_es.jsonl")
    rows = []
    for i in range(300):
        template = TEMPLATES[i % len(TEMPLATES)]
        text, spans, last = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[last : m.start()]
            value = fill(r, m.group(1))
            if m.group(1).isupper():
                spans.append(
                    {
                        "type": TYPE_OF.get(m.group(1), m.group(1)),
                        "start": len(text),
                        "end": len(text) + len(value),
                    }
                )
            text += value
            last = m.end()
        text += template[last:]
        rows.append({"id": f"es-{i:03d}", "text": text, "spans": spans})
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} texts, {sum(len(x['spans']) for x in rows)} spans to {out}")


if __name__ == "__main__":
    main()
