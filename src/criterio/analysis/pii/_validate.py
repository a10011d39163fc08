"""Checksum and numbering-plan validators, run only on regex candidates.

Each validator takes the candidate string and returns the canonical value used to
give equal values the same placeholder, or ``None`` when the candidate is not that
kind of personal data. The checks themselves come from python-stdnum and
phonenumbers, the field's reference implementations.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.es import ccc as _ccc
from stdnum.es import cif as _cif
from stdnum.es import dni as _dni
from stdnum.es import nie as _nie
from stdnum.iso7064 import mod_97_10

__all__ = [
    "canonical_card",
    "canonical_ccc",
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
_EXTENSION = re.compile(r"[ ]?(?:x|ext\.?|extensi[óo]n)[ ]?\d{1,6}$")
# A North American number with its groups marked: "(977) 625-2661", "977-625-2661",
# "977.625.2661", "+1 977 625 2661" (area code and exchange never start with 0 or 1).
# Nine digits from 6-9 grouped 3-3-3 or 3-2-2-2 with one kind of separator.
_SPANISH_GROUPS = re.compile(r"[6-9]\d\d([ .\-])(?:\d{3}\1\d{3}|\d\d\1\d\d\1\d\d)$")
_NANP = re.compile(
    r"(?:\+?1[ .\-]?)?(?:\(([2-9]\d\d)\)[ ]?|([2-9]\d\d)[ .\-])([2-9]\d\d)[ .\-](\d{4})$"
)


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
    if len(compact) < 15 or not mod_97_10.is_valid(compact[4:] + compact[:4]):
        return None  # the ISO 7064 check alone first: cheaper than the country formats
    return compact if _iban.is_valid(compact) else None


def canonical_ccc(value: str) -> str | None:
    """Return the IBAN of a Spanish account number (CCC, 20 digits) or None if either of
    its two control digits is wrong; the IBAN as key, so the account written either way
    gets one placeholder."""
    compact = _compact(value)
    return _ccc.to_iban(compact).replace(" ", "") if _ccc.is_valid(compact) else None


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
    """Return the normalised IPv4/IPv6 address (an IPv6 zone "%eth0" kept), or None if it
    does not parse or is a loopback or unspecified address."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and value.count(":") < 2:
        return None
    if address.is_loopback or address.is_unspecified:
        # "::1", "127.0.0.1", "::": the machine itself or no address, the same for
        # everyone, so nothing about a person.
        return None
    return str(address)


@lru_cache(maxsize=256)
def _national_lengths(region: str) -> frozenset[int]:
    """Digit counts a national number of ``region`` can have, with its trunk prefix."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.general_desc is None:
        return frozenset(range(4, 18))
    lengths = set(meta.general_desc.possible_length or range(4, 18))
    prefix = len(meta.national_prefix or "")
    # Mobile prefixes dialled inside the country (MX 044/045, AR 15) add up to 3 digits.
    return frozenset(n + extra for n in lengths for extra in range(0, max(prefix, 0) + 3))


def canonical_phone(
    value: str,
    regions: tuple[str, ...],
    *,
    context: bool,
    labelled: bool = False,
    home: int = 1,
) -> str | None:
    """Return the E.164 form of a phone number, or None.

    A number in international form (``+`` or ``00``) must be valid in its country.
    A national number must be valid in one of the first ``home`` regions (the text
    language's, then the default region, last of them): written as bare digits, in the
    default region only, since a run of ten digits is as often an order number as a
    North American phone. A North American number with its groups marked is taken
    as such. With phone context nearby ("tel.", "call me at"...) a number may be valid
    in any of ``regions``, or merely have a plausible length.
    """
    raw = _EXTENSION.sub("", value.strip())
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
        national = number.national_number or 0
        if number.country_code == 52 and 10**10 <= national < 2 * 10**10:
            # "+52 1 55 1234 5678": the mobile "1" Mexico dropped in 2019, still written.
            number.national_number = national - 10**10
        # "+34 793 668 177": the country code and the groups make it a phone even
        # where the plan lists no such number; run together it needs context.
        grouped = " " in raw.strip() or "-" in raw
        if phonenumbers.is_valid_number(number) or (
            (context or grouped) and phonenumbers.is_possible_number(number)
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return None
    for i, region in enumerate(regions[:home]):
        if len(digits) in _national_lengths(region) and (digits != raw or i == home - 1):
            key = _valid_in(raw, region)
            if key is not None:
                return key
    if _SPANISH_GROUPS.match(raw):
        # "766 318 197", "770 86 67 58": a Spanish number in the groups people write it
        # in, although the plan has no such mobile (the demo's "7xx" numbers).
        return "+34" + digits
    nanp = _NANP.match(raw)
    if nanp is not None:
        # "(977) 625-2661", "977-625-2661": the North American shape, whose area code
        # and exchange start with 2-9, is a phone number even where no plan lists it
        # (an area code not yet in use, a number made up for a test).
        return "+1" + "".join(g for g in nanp.groups() if g)
    if not context:
        return None
    if digits != raw or labelled:
        # Announced and written like a phone number (with separators), though not from
        # the default region's plan: keep it as personal data rather than leak it. The
        # key is only for placeholders, hence not an E.164 form.
        return "~" + digits
    for region in regions[home:]:
        if len(digits) in _national_lengths(region):
            key = _valid_in(raw, region)
            if key is not None:
                return key
    if any(_possible_in(raw, region) for region in regions):
        # Announced ("call me on 770650119") with a length a phone of these regions
        # has, though no plan lists it: a phone the customer gave, to be kept out.
        return "~" + digits
    return None


def _possible_in(raw: str, region: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return False


def _valid_in(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
