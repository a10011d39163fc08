"""Compiled regular expressions: candidates for every entity type, and their contexts.

Patterns are built once, on first use (``patterns()`` is cached), never at import.
Everything here runs over a whole batch joined with NUL separators, so no pattern may
match a NUL (no ``.``, no negated classes without ``\\x00``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["Patterns", "lower_class", "patterns", "upper_class"]


@cache
def upper_class() -> str:
    """Regex class body with the Latin upper-case letters (ASCII to Latin Extended-B)."""
    return "".join(re.escape(chr(c)) for c in range(0x41, 0x250) if chr(c).isupper())


@cache
def lower_class() -> str:
    """Regex class body with the Latin lower-case letters (ASCII to Latin Extended-B)."""
    return "".join(re.escape(chr(c)) for c in range(0x41, 0x250) if chr(c).islower())


_EMAIL_LOCAL = r"[\w.+\-]{1,64}$"
_EMAIL_DOMAIN = r"@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
# Most patterns start with the first character they consume, a digit where they can:
# the engine then skips ahead to candidate characters. What a leading lookbehind would
# check (the country letters of an IBAN, the letter of a NIE/CIF, word boundaries) is
# checked in lookbehinds after that character or in Python.
# Groups of any size: fours ("ES91 2100 0418 4502 0005 1332") or the Spanish
# account-book grouping, entity-office-DC-account ("ES91 2100 0418 45 0200051332").
# Possessive runs: a long run of letters and digits never backtracks into partitions.
# The lookahead asks for the 11 characters the shortest IBAN (Norway, 15) has after its
# check digits, so words such as "COVID19" are not candidates.
_IBAN = (
    r"\d(?<=[A-Za-z]{2}\d)\d(?=(?:[ \-]?[A-Za-z0-9]){11})[A-Za-z0-9]*+(?:[ \-][A-Za-z0-9]++){0,8}"
)
# A Spanish account number (CCC) without its IBAN prefix: 4-4-2-10 digits, one kind
# of separator or none.
_CCC = r"\d(?<![\w\-.,]\d)\d{3}([ \-]?)\d{4}\1\d{2}\1\d{10}(?![\w\-]|[.,]\d)"
_CARD = r"\d(?<![\w\-.,+]\d)(?:[ \-]?\d){11,18}(?![\w\-]|[.,]\d)"
# "12345678Z", "12.345.678-Z"; grouped with spaces or dashes ("12 345 678 Z") only
# with a capital letter, since "12 345 678 a" is as often a number and a word.
_DNI = (
    r"\d(?<![\w\-.,]\d)(?:\d?\.?\d{3}\.?\d{3}[ \-]?[A-Za-z]"
    r"|\d?([ \-])\d{3}\1\d{3}[ \-]?[A-Z])(?!\w)"
)
_NIE = r"\d(?:(?<=[XYZxyz]\d)|(?<=[XYZxyz][ \-]\d))\d{6}[ \-]?[A-Za-z](?!\w)"
_CIF_LETTERS = "ABCDEFGHJNPQRSUVWabcdefghjnpqrsuvw"
_CIF = rf"\d(?:(?<=[{_CIF_LETTERS}]\d)|(?<=[{_CIF_LETTERS}][ \-]\d))\d{{6}}[0-9A-Ja-j](?!\w)"
# Octet ranges are checked by ipaddress in Python.
_IPV4 = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\w|\.\d)"
# Anchored on ":hex:" (rare in text); the address around it is taken in Python.
_IPV6 = r":[0-9A-Fa-f]{0,4}:"
# Starts on a digit; a "+" or "(" just before it is added in Python.
_PHONE = (
    r"\d(?<![\w/.\-]\d)(?<!\d,\d)\d{0,4}\)?(?:[ .\-]?\(?\d{1,5}\)?){1,7}"
    r"(?:[ ]?(?:x|ext\.?|extensi[óo]n)[ ]?\d{1,6})?(?![\w/]|[.,\-]\d)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"
    # "28 de febrero de 1963", "3 de marzo del 85", "28th of February, 1963"
    r"|\d{1,2}(?:st|nd|rd|th)?(?:\s+(?:de|of))?\s+[A-Za-zé]{3,10}\.?"
    r"(?:\s+(?:de|del|of))?,?\s+(?:\d{4}|'?\d{2}(?!\w))"
    r"|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:\d{4}|'\d{2}(?!\w)))"
)
# Keyword triggers run over the lower-cased batch (case-sensitive literals scan far
# faster than case-insensitive alternations; a trigger starting inside a word is
# dropped in Python, and a leading \b is kept only where it measured faster); the
# value pattern then runs with ``.match`` on the original text
# right after the trigger.
_DOB_TRIGGER = (
    r"(?:fecha\s+de\s+nacimiento|f\.\s?nac\.?|nacimiento|nac[ií]\s+el|nacid[oa]\s+el"
    r"|date\s+of\s+birth|birth\s?date|d\.?o\.?b\.?|born\s+on|born|birthday|cumplea[ñn]os)"
    r"(?!\w)"
)
_DOB_VALUE = (
    r"\s*(?::|(?i:es|is|el|on|was|fue)\b)?\s*(?::\s*)?(?i:el\s+|on\s+|the\s+)?"
    rf"(?P<v>{_DATE})"
)
_CUSTOMER_ID_TRIGGER = (
    r"\b(?:n[º°o]\.?\s*de\s*(?:cliente|contrato|socio|abonado|p[óo]liza|cuenta)"
    r"|n[úu]mero\s+de\s+(?:cliente|contrato|socio|abonado|p[óo]liza|cuenta|usuario)"
    r"|(?:id|c[óo]digo|identificador)\s+de\s+(?:cliente|contrato|socio|usuario|abonado)"
    r"|n[º°]\.?\s*(?:cliente|contrato|socio|abonado|p[óo]liza)"
    r"|(?:cliente|contrato|socio|abonado|p[óo]liza)\s+(?:n[º°o]\.?|n[úu]m\.?|#)"
    r"|(?:customer|client|contract|account|membership|member|policy|subscriber)"
    r"\s*(?:id|number|no\.?|num\.?|#|code)"
    # A login is a customer's identifier too ("Username: cminh730").
    r"|user\s?name|nombre\s+de\s+usuario"
    # The cue word alone ("socio 00412", "member 55123"), tried last: the value must
    # hold a digit, and a year after it ("contrato 2024") is left alone in Python.
    r"|socio|abonado|p[óo]liza|contrato|policy|member|membership)(?!\w)"
)
_CUSTOMER_ID_VALUE = (
    r"\s*(?::|#|(?i:es|is|el|será)\b)?\s*(?::\s*)?"
    r"(?P<v>(?=[A-Za-z0-9/\-]*\d)[A-Za-z0-9][A-Za-z0-9/\-]{2,}[A-Za-z0-9])(?![\w@])"
)

# Spanish postal codes (01000-52999) announced as such; in a street address they are
# part of the ADDRESS span.
_POSTAL_TRIGGER = (
    r"(?:c\.\s?p\.?|cp|c[óo]digo\s+postal|c[óo]d\.\s*postal|postal\s+code|postcode)(?!\w)"
)
_POSTAL_VALUE = (
    r"\s*(?::|(?i:es|is|el)\b)?\s*(?::\s*)?(?P<v>(?:0[1-9]|[1-4]\d|5[0-2])\d{3})(?![\w\-]|[.,]\d)"
)

# Words that announce an order number, a tracking code, an amount or an invoice: the
# number after them is not personal data (the explicit negatives).
_NOT_PII_CONTEXT = (
    r"(?i:pedido|order|orden|tracking|seguimiento|env[íi]o|paquete|package|parcel|reference"
    r"|pnr|locator|claim|reclamaci[óo]n|flight|vuelo"
    r"|shipment|referencia|ref|factura|invoice|albar[áa]n|localizador|importe|amount"
    r"|total|ticket|incidencia|incidence|case|caso|reserva|booking|confirmation"
    r"|confirmaci[óo]n|transacci[óo]n|transaction|recibo|receipt)"
    r"\s*(?:n[º°o]\.?|n[úu]m(?:ero)?\.?|number|no\.?|#|id|code|c[óo]digo)?"
    r"\s*(?::|(?i:es|is|de|del|el))?\s*(?::\s*)?$"
)
_AMOUNT_AFTER = r"^\s?(?:€|\$|£|(?i:eur|euros?|usd|d[óo]lares|dollars?|pesos?|mxn|ars|cop)\b)"
_AMOUNT_BEFORE = r"(?:€|\$|£|(?i:eur|usd|mxn))\s?$"
_PHONE_CONTEXT = (
    r"(?i:tel[ée]fono|tel[ée]f|tel\.?|tfno\.?|tlf\.?|m[óo]vil|celular|cel\.?|whats?app|fijo"
    r"|ll[áa]m\w*|llamada|ring|contacto|sms|mensajes?|phone|mobile|cell|call\w*|fax"
    r"|contact|reach|text|messages?|answering|registered|n[úu]mero|number|desk)"
)
# A label right after the number ("... 966-Fax", "612 345 678 (móvil)").
_PHONE_AFTER = (
    r"^[ \t]*[\-(]?[ \t]*(?i:office|fax|mobile|cell|home|work|m[óo]vil|fijo|tel[ée]fono|tel)\b"
)
_CARD_CONTEXT = r"(?i:tarjeta|card|visa|mastercard|amex|cc)"


@dataclass(frozen=True)
class Patterns:
    """Every compiled pattern the redactor uses."""

    email_local: re.Pattern[str]
    email_domain: re.Pattern[str]
    iban: re.Pattern[str]
    ccc: re.Pattern[str]
    card: re.Pattern[str]
    dni: re.Pattern[str]
    nie: re.Pattern[str]
    cif: re.Pattern[str]
    ipv4: re.Pattern[str]
    ipv6: re.Pattern[str]
    phone: re.Pattern[str]
    dob_trigger: re.Pattern[str]
    dob_value: re.Pattern[str]
    customer_id_trigger: re.Pattern[str]
    customer_id_value: re.Pattern[str]
    postal_trigger: re.Pattern[str]
    postal_value: re.Pattern[str]
    date: re.Pattern[str]
    not_pii_context: re.Pattern[str]
    amount_after: re.Pattern[str]
    amount_before: re.Pattern[str]
    phone_context: re.Pattern[str]
    phone_after: re.Pattern[str]
    card_context: re.Pattern[str]


@cache
def patterns() -> Patterns:
    """Compile (once) and return every pattern."""
    return Patterns(
        email_local=re.compile(_EMAIL_LOCAL),
        email_domain=re.compile(_EMAIL_DOMAIN),
        iban=re.compile(_IBAN),
        ccc=re.compile(_CCC),
        card=re.compile(_CARD),
        dni=re.compile(_DNI),
        nie=re.compile(_NIE),
        cif=re.compile(_CIF),
        ipv4=re.compile(_IPV4),
        ipv6=re.compile(_IPV6),
        phone=re.compile(_PHONE),
        dob_trigger=re.compile(_DOB_TRIGGER),
        dob_value=re.compile(_DOB_VALUE),
        customer_id_trigger=re.compile(_CUSTOMER_ID_TRIGGER),
        customer_id_value=re.compile(_CUSTOMER_ID_VALUE),
        postal_trigger=re.compile(_POSTAL_TRIGGER),
        postal_value=re.compile(_POSTAL_VALUE),
        date=re.compile(rf"^{_DATE}$"),
        not_pii_context=re.compile(_NOT_PII_CONTEXT),
        amount_after=re.compile(_AMOUNT_AFTER),
        amount_before=re.compile(_AMOUNT_BEFORE),
        phone_context=re.compile(_PHONE_CONTEXT),
        phone_after=re.compile(_PHONE_AFTER),
        card_context=re.compile(_CARD_CONTEXT),
    )
