"""Realistic personal data for the demo texts: names, phones, emails, DNI/NIE, IBAN.

Check letters and check digits are computed with python-stdnum, so detectors that
validate them (as a real redactor should) see valid identifiers.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from stdnum import iban as std_iban
from stdnum.es import ccc, dni, nie

__all__ = ["FIRST_NAMES", "LAST_NAMES", "PersonalData", "below", "pick", "strip_accents"]

T = TypeVar("T")


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """One of ``options``; faster than ``Random.choice`` (no rejection sampling)."""
    return options[int(rng.random() * len(options))]


def below(rng: random.Random, start: int, stop: int | None = None) -> int:
    """An integer in ``[start, stop)`` (or ``[0, start)``), like ``Random.randrange``."""
    if stop is None:
        start, stop = 0, start
    return start + int(rng.random() * (stop - start))


FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "es": (
        "María", "Carmen", "Lucía", "Ana", "Laura", "Marta", "Sofía", "Paula", "Elena",
        "Antonio", "José", "Manuel", "Francisco", "David", "Javier", "Daniel", "Carlos",
        "Alejandro", "Guadalupe", "Ximena", "Rocío", "Jorge", "Iñaki", "Núria",
    ),
    "en": (
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
        "David", "Elizabeth", "William", "Susan", "Emily", "Daniel", "Olivia", "Chris",
    ),
}  # fmt: skip

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "es": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
        "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno",
        "Muñoz", "Álvarez", "Romero", "Castillo", "Ortega", "Núñez", "Vázquez",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
        "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "White", "Harris",
    ),
}  # fmt: skip

_MAIL_DOMAINS = (
    "gmail.com",
    "hotmail.com",
    "yahoo.es",
    "outlook.com",
    "icloud.com",
    "telefonica.net",
)
_ES_BANKS = ("2100", "0049", "0182", "0081", "2038", "0128", "1465")
_US_AREAS = ("212", "646", "718", "917", "305", "713", "512")


def _accent_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for char in "áéíóúüñàèìòùçÁÉÍÓÚÜÑÀÈÌÒÙÇ":
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn"
        )
        table[ord(char)] = base
    return table


_ACCENTS = _accent_table()


def strip_accents(text: str) -> str:
    """The text without the accents of Spanish, as people often type on a phone ("telefono")."""
    return text.translate(_ACCENTS)


class PersonalData:
    """Draws personal data from one random generator (deterministic for its seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self, language: str) -> str:
        """A full name typical of the language."""
        rng = self.rng
        first = pick(rng, FIRST_NAMES[language])
        last = pick(rng, LAST_NAMES[language])
        if language == "es" and rng.random() < 0.6:
            return f"{first} {last} {pick(rng, LAST_NAMES['es'])}"
        return f"{first} {last}"

    def email(self, name: str) -> str:
        """An email address built from a name."""
        rng = self.rng
        parts = strip_accents(name).lower().split()
        sep = pick(rng, (".", "_", ""))
        local = sep.join(parts[:2]) + (str(below(rng, 10, 99)) if rng.random() < 0.5 else "")
        return f"{local}@{pick(rng, _MAIL_DOMAINS)}"

    def phone(self, region: str) -> str:
        """A phone number in a format people write for the region."""
        rng = self.rng
        if region.startswith("MX"):
            d = f"{below(rng, 10**9, 10**10)}"
            return pick(rng, (f"+52 {d[:2]} {d[2:6]} {d[6:]}", f"{d[:2]} {d[2:6]} {d[6:]}"))
        if region.startswith("US"):
            area = pick(rng, _US_AREAS)
            ex, line = below(rng, 200, 999), below(rng, 1000, 9999)
            return pick(
                rng, (f"({area}) {ex}-{line}", f"+1 {area} {ex} {line}", f"{area}-{ex}-{line}")
            )
        # Spanish mobiles start 6 or 71-74 (the plan has no 70, 75-79 mobiles): the
        # same two draws as before, so the rest of the demo stays as it was.
        prefix = pick(rng, ("6", "71", "6", "72", "6", "73", "6", "74"))
        d = f"{prefix}{below(rng, 10**7, 10**8)}"[:9]
        return pick(
            rng,
            (
                f"+34 {d[:3]} {d[3:6]} {d[6:]}",
                d,
                f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}",
                f"0034{d}",
                f"{d[:3]}-{d[3:6]}-{d[6:]}",
            ),
        )

    def dni_or_nie(self) -> str:
        """A Spanish DNI (or, one in five, a NIE) with a valid check letter."""
        rng = self.rng
        if rng.random() < 0.2:
            body = f"{pick(rng, 'XYZ')}{below(rng, 10**7):07d}"
            return body + nie.calc_check_digit(body)
        body = f"{below(rng, 10**7, 10**8):08d}"
        return body + dni.calc_check_digit(body)

    def iban(self) -> str:
        """A Spanish IBAN with valid bank-account and IBAN check digits, grouped by four."""
        rng = self.rng
        bank, branch = pick(rng, _ES_BANKS), f"{below(rng, 10**4):04d}"
        account = f"{below(rng, 10**10):010d}"
        ccc_number = bank + branch + "00" + account
        bban = bank + branch + ccc.calc_check_digits(ccc_number) + account
        number = "ES" + std_iban.calc_check_digits("ES00" + bban) + bban
        if rng.random() < 0.5:
            return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        return number
