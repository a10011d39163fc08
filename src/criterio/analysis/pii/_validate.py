"""Checksum and numbering-plan validators, run only on regex candidates.

Each validator takes the candidate string and returns the canonical value used to
give equal values the same placeholder, or ``None`` when the candidate is not that
kind of personal data. The checks themselves come from python-stdnum and
phonenumbers, the field's reference implementations.
"""

from __future__ import annotations

import ipaddress
import re

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.es import cif as _cif
from stdnum.es import dni as _dni
from stdnum.es import nie as _nie

__all__ = [
    "canonical_card",
    "canonical_cif",
    "canonical_dni",
    "canonical_iban",
    "canonical_ip",
    "canonical_nie",
    "canonical_phone",
    "digits_only",
]

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NON_DIGIT = re.compile(r"\D")


def digits_only(value: str) -> str:
    """Return the digits of ``value``."""
    return _NON_DIGIT.sub("", value)


def _compact(value: str) -> str:
    return _NON_ALNUM.sub("", value).upper()


def canonical_dni(value: str) -> str | None:
    """Return the compact DNI (8 digits + check letter) or None if the letter is wrong."""
    compact = _compact(value)
    if len(compact) < 8:
        return None
    compact = compact.zfill(9)
    return compact if _dni.is_valid(compact) else None


def canonical_nie(value: str) -> str | None:
    """Return the compact NIE or None if its check letter is wrong."""
    compact = _compact(value)
    return compact if _nie.is_valid(compact) else None


def canonical_cif(value: str) -> str | None:
    """Return the compact CIF or None if its control character is wrong."""
    compact = _compact(value)
    if compact[:1] in ("X", "Y", "Z", "K", "L", "M"):
        return None  # NIE and special NIF prefixes, reported by their own detectors
    return compact if _cif.is_valid(compact) else None


def canonical_iban(value: str) -> str | None:
    """Return the compact IBAN or None if its country format or check digits are wrong."""
    compact = _compact(value)
    return compact if _iban.is_valid(compact) else None


def canonical_card(value: str) -> str | None:
    """Return the card number's digits if it has a card length, issuer prefix and Luhn."""
    digits = digits_only(value)
    if not 12 <= len(digits) <= 19 or digits[0] in "0789":
        return None
    if not _luhn.is_valid(digits):
        return None
    # Grouped numbers must look like card groups (4-4-4-4, 4-6-5...), not like
    # several short numbers written one after the other.
    groups = [g for g in re.split(r"[ -]", value) if g]
    if len(groups) > 1 and min(len(g) for g in groups[:-1]) < 4:
        return None
    return digits


def canonical_ip(value: str) -> str | None:
    """Return the normalised IPv4/IPv6 address, or None if it does not parse."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and value.count(":") < 2:
        return None
    return str(address)


def canonical_phone(value: str, regions: tuple[str, ...], *, context: bool) -> str | None:
    """Return the E.164 form of a phone number, or None.

    A number in international form (``+`` or ``00``) must be valid in its country.
    A national number must be valid in the first (default) region; with phone
    context nearby ("tel.", "call me at"...) it may be valid in any of ``regions``,
    or merely have a plausible length when it was written with separators.
    """
    raw = value.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    digits = digits_only(raw)
    if not 7 <= len(digits) <= 15:
        return None
    if raw.startswith("+"):
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number) or (
            context and phonenumbers.is_possible_number(number)
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return None
    candidates = regions if context else regions[:1]
    for region in candidates:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if context and digits != raw:
        # Announced and written like a phone number, but from a plan we do not
        # validate against: keep it as personal data rather than leak it.
        return "+" + digits
    return None
