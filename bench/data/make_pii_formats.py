"""Write pii_formats.jsonl: structured personal data in the many ways it is written.

Deterministic (fixed seed): ``python bench/data/make_pii_formats.py`` rewrites the file.
Spanish and English customer messages (each row carries its ``lang``) holding IBANs and
Spanish account numbers in every grouping, DNIs/NIEs with spaces, dots and dashes, dates
of birth in figures and in words, contract/policy/member numbers after cue words, Spanish
postal codes, IPv4 and IPv6 addresses in all their forms, and phones of many countries
in international and national formats. Values are generated valid (python-stdnum check
digits and letters; phonenumbers' example numbers of each country, their last digits
redrawn until the plan still accepts them). Slots in lower case are look-alike negatives
the redactor must leave alone (IBANs and DNIs with a wrong check, order and tracking
numbers, amounts, times, loopback addresses, plain 5-digit numbers) and are not annotated.

Written by the engineer who changed these detectors (issue #13, item 8), after the
change: read its figures as "these formats work", not as an estimate on unseen traffic.
"""

from __future__ import annotations

import ipaddress
import json
import random
import re
from pathlib import Path

import phonenumbers
from stdnum import iban as std_iban
from stdnum.es import ccc

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
MESES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
MONTHS = "January February March April May June July August September October November December"
TEMPLATES: dict[str, list[str]] = {
    "es": [
        "Quiero domiciliar el recibo en {IBAN}, gracias.",
        "Mi cuenta es {IBAN} y el titular soy yo.",
        "Para la devolución: {IBAN}.",
        "Mi DNI es {DNI} y no me deja entrar.",
        "Adjunto mi NIE {NIE}, ¿qué más necesitan?",
        "El DNI {bad_dni} no es el mío, revisen.",
        "Fecha de nacimiento: {DOB}.",
        "Nací el {DOB} y la web dice que soy menor.",
        "Mi número de contrato es {CUSTOMER_ID} y quiero darlo de baja.",
        "La póliza nº {CUSTOMER_ID} vence este mes.",
        "Soy socio {CUSTOMER_ID} y no me llega la revista.",
        "Envíenlo al CP {POSTAL_CODE}, por favor.",
        "El código postal es {POSTAL_CODE} y no sale en el buscador.",
        "Me conecto desde {IP} y me bloquea el acceso.",
        "El router dice {IP}, ¿es normal?",
        "Llámeme al {PHONE} cuando pueda.",
        "Mi teléfono es {PHONE}, a partir de las 17:30.",
        "El pedido {order} no ha llegado y pagué {amount}.",
        "El seguimiento {tracking} no se actualiza desde el {date}.",
        "La cuenta {bad_iban} me la rechazan, ¿por qué?",
        "Tengo {points} puntos acumulados y quiero canjearlos a las {time}.",
        "En la app sale ::1 y también 127.0.0.1, no sé qué significa.",
    ],
    "en": [
        "Please refund to {IBAN}.",
        "My account is {IBAN}, thanks.",
        "My ID card says {DNI}.",
        "Date of birth: {DOB}.",
        "I was born on {DOB} so I should qualify.",
        "My policy number is {CUSTOMER_ID} and it expired.",
        "Member ID {CUSTOMER_ID}, the app will not let me in.",
        "The postal code is {POSTAL_CODE}, Madrid.",
        "I'm connecting from {IP} and it keeps failing.",
        "The device shows {IP} on the status page.",
        "Call me on {PHONE} after 5pm.",
        "My number is {PHONE}.",
        "Order {order} never arrived and I paid {amount}.",
        "Tracking {tracking} has not moved since {date}.",
        "Why was {bad_iban} rejected?",
        "I have {points} points and the store opens at {time}.",
        "The localhost address ::1 works but nothing else does.",
    ],
}
# Countries whose phones appear, with the language their customers write in here.
PHONE_REGIONS = {
    "es": ["ES", "MX", "AR", "CO", "CL", "PE"],
    "en": ["GB", "US", "FR", "DE", "IT", "IE", "AU"],
}


def _account(r: random.Random) -> str:
    body = "".join(r.choice("0123456789") for _ in range(18))
    return body[:8] + ccc.calc_check_digits(body[:8] + "00" + body[8:]) + body[8:]


def iban(r: random.Random, valid: bool = True) -> str:
    """A Spanish IBAN (or its bare account number) in one of the ways people write it."""
    account = _account(r)
    check = std_iban.calc_check_digits("ES00" + account)
    if not valid:  # a wrong IBAN check and a wrong account check
        check = f"{(int(check) + 1 + r.randrange(97)) % 100:02d}"
        dc = f"{(int(account[8:10]) + 1 + r.randrange(98)) % 100:02d}"
        account = account[:8] + dc + account[10:]
    compact = f"ES{check}{account}"
    book = (account[:4], account[4:8], account[8:10], account[10:])
    shapes = [
        compact,
        " ".join(compact[i : i + 4] for i in range(0, 24, 4)),
        f"ES{check} " + " ".join(book),
        f"ES{check}-" + "-".join(book),
        " ".join(book),
        "-".join(book),
    ]
    if not valid:
        shapes = shapes[:4]  # a bare wrong account is just digits
    return r.choice(shapes)


def dni(r: random.Random, valid: bool = True) -> str:
    number = r.randrange(1_000_000, 100_000_000)
    letter = LETTERS[(number % 23 + (0 if valid else r.randrange(1, 23))) % 23]
    d = f"{number:08d}"
    return r.choice(
        [
            f"{d}{letter}",
            f"{d}-{letter}",
            f"{d[:2]}.{d[2:5]}.{d[5:]}-{letter}",
            f"{d[:2]} {d[2:5]} {d[5:]} {letter}",
            f"{d[:2]}-{d[2:5]}-{d[5:]}-{letter}",
        ]
    )


def nie(r: random.Random) -> str:
    prefix = r.choice("XYZ")
    number = r.randrange(10**7)
    letter = LETTERS[("XYZ".index(prefix) * 10**7 + number) % 23]
    sep = r.choice(["", "-", " "])
    return f"{prefix}{sep}{number:07d}{sep}{letter}"


def dob(r: random.Random, lang: str) -> str:
    day, month, year = r.randint(1, 28), r.randint(1, 12), r.randint(1940, 2005)
    if lang == "es":
        name = MESES.split()[month - 1]
        return r.choice(
            [
                f"{day:02d}/{month:02d}/{year}",
                f"{day} de {name} de {year}",
                f"{day} de {name} del {year % 100:02d}",
            ]
        )
    name = MONTHS.split()[month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return r.choice(
        [
            f"{month:02d}/{day:02d}/{year}",
            f"{name} {day}, {year}",
            f"{day}{suffix} of {name} {year}",
        ]
    )


def customer_id(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randrange(1000, 9999)}-{r.choice(['AB', 'CX', 'MZ'])}-{r.randrange(10, 99)}",
            f"{r.randrange(10**7, 10**8)}",
            f"{r.randrange(10**4):05d}",
            f"PX-{r.randrange(10**4, 10**5)}",
        ]
    )


def ip(r: random.Random) -> str:
    v6 = ipaddress.IPv6Address(r.getrandbits(128) | (0x2001 << 112))
    zone = ipaddress.IPv6Address((0xFE80 << 112) | r.getrandbits(64))
    v4 = ipaddress.IPv4Address(r.randrange(0x0B000000, 0xDF000000))
    return r.choice(
        [
            str(v4),
            v6.exploded,
            str(ipaddress.IPv6Address(int(v6) & ~((1 << 64) - 1) | r.randrange(1, 255))),
            f"{zone}%{r.choice(['eth0', 'wlan0', '3'])}",
            f"::ffff:{v4}",
        ]
    )


def phone(r: random.Random, lang: str) -> str:
    region = r.choice(PHONE_REGIONS[lang])
    kind = r.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
    example = phonenumbers.example_number_for_type(region, kind)
    assert example is not None
    number = example
    for _ in range(50):  # redraw the last four digits, keeping a number the plan accepts
        candidate = phonenumbers.PhoneNumber()
        candidate.merge_from(example)  # keeps Italy's leading zero
        candidate.national_number = (example.national_number or 0) // 10**4 * 10**4 + r.randrange(
            10**4
        )
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    # International form, or the national form of a country the text's language goes with.
    national = region in ("ES", "GB", "US", "MX", "AR") and r.random() < 0.5
    fmt = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, fmt.NATIONAL if national else fmt.INTERNATIONAL)


def fill(r: random.Random, slot: str, lang: str) -> str:
    """Return a value for ``slot`` in a text of language ``lang``."""
    makers = {
        "IBAN": lambda: iban(r),
        "DNI": lambda: dni(r),
        "NIE": lambda: nie(r),
        "DOB": lambda: dob(r, lang),
        "CUSTOMER_ID": lambda: customer_id(r),
        "POSTAL_CODE": lambda: f"{r.randint(1001, 52999):05d}",
        "IP": lambda: ip(r),
        "PHONE": lambda: phone(r, lang),
        "bad_iban": lambda: iban(r, valid=False),
        "bad_dni": lambda: dni(r, valid=False),
        "order": lambda: r.choice([f"{r.randrange(10**8, 10**9)}", f"#{r.randrange(10**6)}"]),
        "tracking": lambda: r.choice(
            [f"1Z999AA1{r.randrange(10**10):010d}", f"PK{r.randrange(10**10):010d}ES"]
        ),
        "amount": lambda: r.choice(
            [f"{r.randrange(1, 999)},{r.randrange(100):02d} €", f"${r.randrange(10, 9999):,}.00"]
        ),
        "date": lambda: f"{r.randint(1, 28)}/{r.randint(1, 12)}/2026",
        "points": lambda: f"{r.randrange(10000, 99999)}",
        "time": lambda: f"{r.randint(8, 21)}:{r.choice(['00', '15', '30', '45'])}",
    }
    return makers[slot]()


def main() -> None:
    """Write bench/data/pii_formats.jsonl (deterministic)."""
    r = random.Random(20261205)
    out = Path(__file__).with_name("pii_formats.jsonl")
    rows = []
    for i in range(400):
        lang = "es" if i % 5 < 3 else "en"  # 240 Spanish, 160 English
        template = r.choice(TEMPLATES[lang])
        text, spans, last = "", [], 0
        for m in re.finditer(r"\{(\w+)\}", template):
            text += template[last : m.start()]
            value = fill(r, m.group(1), lang)
            if m.group(1).isupper():
                spans.append(
                    {"type": m.group(1), "start": len(text), "end": len(text) + len(value)}
                )
            text += value
            last = m.end()
        text += template[last:]
        rows.append({"id": f"fmt-{i:03d}", "lang": lang, "text": text, "spans": spans})
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} texts, {sum(len(x['spans']) for x in rows)} spans to {out}")


if __name__ == "__main__":
    main()
