"""Personal data in the many ways people write it (issue #13, item 8): account numbers in
other groupings, spaced identity numbers, dates of birth in words, contract and policy
numbers, postal codes, every IPv6 form, phones of other countries; and the look-alike
numbers that must stay as written."""

from __future__ import annotations

import ipaddress
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum.es import ccc as std_ccc

from criterio.analysis.pii import PIIRedactor, Redaction

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
NIE_PREFIX = {"X": 0, "Y": 1, "Z": 2}


@pytest.fixture(scope="module")
def redactor() -> PIIRedactor:
    return PIIRedactor().fit()


def found(redactor: PIIRedactor, text: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(type, written value) of every span, as a reader of the redaction sees them."""
    languages = None if lang is None else [lang]
    spans = redactor.detect([text], languages=languages)[0]
    return [(s.type, text[s.start : s.end]) for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # IBANs and Spanish account numbers in the account-book grouping.
        ("Mi IBAN es ES91 2100 0418 45 0200051332, gracias", "Mi IBAN es [IBAN_1], gracias"),
        ("IBAN: ES91-2100-0418-45-0200051332.", "IBAN: [IBAN_1]."),
        ("la cuenta 2100 0418 45 0200051332 es mía", "la cuenta [IBAN_1] es mía"),
        ("la cuenta 2100-0418-45-0200051332", "la cuenta [IBAN_1]"),
        ("cuenta 21000418450200051332", "cuenta [IBAN_1]"),
        # DNIs and NIEs with spaces, dots and dashes.
        ("Mi DNI es 12 345 678 Z", "Mi DNI es [DNI_1]"),
        ("DNI 12.345.678-Z", "DNI [DNI_1]"),
        ("DNI 12-345-678-Z", "DNI [DNI_1]"),
        ("NIE X-1234567-L por favor", "NIE [NIE_1] por favor"),
        ("NIE X 1234567 L", "NIE [NIE_1]"),
        # Dates of birth in words.
        ("Nací el 28 de febrero de 1963.", "Nací el [DOB_1]."),
        ("nací el 3 de marzo del 85 y vivo aquí", "nací el [DOB_1] y vivo aquí"),
        ("Fecha de nacimiento: 3 de marzo de 1985", "Fecha de nacimiento: [DOB_1]"),
        ("I was born on February 28, 1963.", "I was born on [DOB_1]."),
        ("My date of birth is 28th of February 1963", "My date of birth is [DOB_1]"),
        ("born on the 3rd of March, 1985", "born on the [DOB_1]"),
        ("DOB: 28/02/1963", "DOB: [DOB_1]"),
        # Contract, policy and member numbers after cue words.
        ("número de contrato 4711-AB-22", "número de contrato [CUSTOMER_ID_1]"),
        ("la póliza nº 88213345 está pagada", "la póliza nº [CUSTOMER_ID_1] está pagada"),
        ("soy socio 00412 desde 2010", "soy socio [CUSTOMER_ID_1] desde 2010"),
        ("nº socio: 00412", "nº socio: [CUSTOMER_ID_1]"),
        ("My policy number PX-99812 expired", "My policy number [CUSTOMER_ID_1] expired"),
        ("member ID 55123", "member ID [CUSTOMER_ID_1]"),
        # Postal codes announced, or inside a street address.
        ("CP 08001", "CP [POSTAL_CODE_1]"),
        ("C.P. 41001 Sevilla", "C.P. [POSTAL_CODE_1] Sevilla"),
        ("el código postal es 28013", "el código postal es [POSTAL_CODE_1]"),
        ("Vivo en C/ Mayor 3, 28013 Madrid", "Vivo en [ADDRESS_1]"),
    ],
)
def test_written_forms_are_redacted(redactor: PIIRedactor, text: str, expected: str) -> None:
    assert redactor.redact([text])[0].text == expected


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("from 2001:db8::1 today", "2001:db8::1"),
        (
            "full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 here",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        ),
        ("link-local fe80::1%eth0 is mine", "fe80::1%eth0"),
        ("zone fe80::1ff:fe23:4567:890a%25eth0 down", "fe80::1ff:fe23:4567:890a%25eth0"),
        ("mapped ::ffff:192.0.2.1 ok", "::ffff:192.0.2.1"),
        ("NAT64 64:ff9b::192.0.2.33.", "64:ff9b::192.0.2.33"),
        ("ends a sentence: 2001:db8:0:0:1:0:0:1.", "2001:db8:0:0:1:0:0:1"),
    ],
)
def test_ipv6_in_every_written_form(redactor: PIIRedactor, text: str, address: str) -> None:
    assert found(redactor, text) == [("IP", address)]


def test_loopback_and_unspecified_addresses_are_not_personal(redactor: PIIRedactor) -> None:
    # The machine itself, the same for everyone: nothing about a person.
    text = "ping ::1 or 127.0.0.1, bind to :: and then 10.1.2.3"
    assert found(redactor, text) == [("IP", "10.1.2.3")]


@pytest.mark.parametrize(
    ("text", "lang", "phone"),
    [
        ("call +44 20 7946 0958 now", "en", "+44 20 7946 0958"),
        ("call 020 7946 0958 now", "en", "020 7946 0958"),
        ("ring me on 07700 900123", "en", "07700 900123"),
        ("appelez le +33 1 23 45 67 89", "fr", "+33 1 23 45 67 89"),
        ("ruf +49 30 123456 an", "de", "+49 30 123456"),
        ("llámame al +52 55 1234 5678", "es", "+52 55 1234 5678"),
        ("teléfono +52 1 55 1234 5678", "es", "+52 1 55 1234 5678"),
        ("mi celular es 55 1234 5678", "es", "55 1234 5678"),
        ("mi móvil es 044 55 1234 5678", "es", "044 55 1234 5678"),
        ("mi teléfono es (011) 4123-4567", "es", "(011) 4123-4567"),
        ("llámame al 15 2345-6789", "es", "15 2345-6789"),
        ("mi móvil argentino +54 9 11 2345-6789", "es", "+54 9 11 2345-6789"),
    ],
)
def test_phones_of_other_countries(redactor: PIIRedactor, text: str, lang: str, phone: str) -> None:
    assert found(redactor, text, lang) == [("PHONE", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN ES92 2101 0418 45 0200051332",  # wrong IBAN and account check digits
        "cuenta 2100 0418 46 0200051332",  # wrong account check digits
        "DNI 12 345 678 A",  # wrong check letter
        "NIE X-1234567-A",  # wrong check letter
        "somos 12 345 678 a la espera",  # a number and a word
        "pedido 123456789",
        "pedido 21000418450200051332",  # a valid account number's digits, announced as an order
        "tracking 1Z999AA10123456784",
        "el paquete 1Z999AA10123456784 no llega",
        "me cobraron 1.250,00 euros el 12/03/2024 a las 14:35",
        "a las 10:30:45 pagué 28013 €",
        "tengo 28013 puntos y el CP 60001 no existe",
        "el contrato 2024 vence y firmé el contrato 12 meses",
        "the time is 12:30, ratio 3:2:1",
        "Nací en 1985",
    ],
)
def test_look_alike_numbers_stay(redactor: PIIRedactor, text: str) -> None:
    assert redactor.redact([text])[0] == Redaction(text, [])


def _spanish_account(digits: str) -> str:
    """A valid CCC built from 18 free digits (its two control digits computed)."""
    return digits[:8] + std_ccc.calc_check_digits(digits[:8] + "00" + digits[8:]) + digits[8:]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=18, max_size=18), st.sampled_from([" ", "-"]))
def test_account_book_grouping_found_with_its_checks(digits: str, sep: str) -> None:
    account = _spanish_account(digits)
    iban = f"ES{std_iban.calc_check_digits('ES00' + account)}{account}"
    book = sep.join((account[:4], account[4:8], account[8:10], account[10:]))
    r = PIIRedactor(entities=["IBAN"]).fit()
    for written in (f"{iban[:4]}{sep}{book}", book):
        text = f"Mi cuenta: {written} y nada más"
        assert found(r, text) == [("IBAN", written)]
    # Both ways of writing the account get one placeholder.
    both = r.redact([f"{iban[:4]} {book.replace(sep, ' ')} o sea {book}"])[0].text
    assert both == "[IBAN_1] o sea [IBAN_1]"
    wrong_dc = str((int(account[8]) + 1) % 10)
    broken = f"{book[:10]}{wrong_dc}{book[11:]}"
    assert r.detect([f"Mi cuenta: {broken} y nada más"]) == [[]]


dni_numbers = st.integers(min_value=1_000_000, max_value=99_999_999)


@settings(max_examples=60, deadline=None)
@given(dni_numbers, st.sampled_from(["{} {} {} {}", "{}.{}.{}-{}", "{}-{}-{}-{}", "{}.{}.{}{}"]))
def test_grouped_dni_found_and_a_changed_letter_is_not(number: int, shape: str) -> None:
    digits = f"{number:08d}"
    letter = DNI_LETTERS[number % 23]
    written = shape.format(digits[:2], digits[2:5], digits[5:], letter)
    r = PIIRedactor(entities=["DNI"]).fit()
    assert found(r, f"Mi DNI es {written}, gracias") == [("DNI", written)]
    wrong = shape.format(digits[:2], digits[2:5], digits[5:], DNI_LETTERS[(number + 1) % 23])
    assert r.detect([f"Mi DNI es {wrong}, gracias"]) == [[]]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from("XYZ"), st.integers(0, 9_999_999), st.sampled_from(["-", " ", ""]))
def test_nie_with_separators(prefix: str, number: int, sep: str) -> None:
    letter = DNI_LETTERS[(NIE_PREFIX[prefix] * 10**7 + number) % 23]
    written = f"{prefix}{sep}{number:07d}{sep}{letter}"
    assert found(PIIRedactor(entities=["NIE"]).fit(), f"NIE {written}.") == [("NIE", written)]


@settings(max_examples=80, deadline=None)
@given(st.ip_addresses(v=6), st.booleans(), st.sampled_from(["", "%eth0", "%3"]))
def test_generated_ipv6_found_whole(address: ipaddress.IPv6Address, full: bool, zone: str) -> None:
    assume(not (address.is_loopback or address.is_unspecified))
    written = (address.exploded if full else str(address)) + zone
    assert found(PIIRedactor(entities=["IP"]).fit(), f"la IP {written} falla") == [("IP", written)]


@settings(max_examples=40, deadline=None)
@given(st.ip_addresses(v=4))
def test_generated_ipv4_mapped_found_whole(address: ipaddress.IPv4Address) -> None:
    written = f"::ffff:{address}"
    assert found(PIIRedactor(entities=["IP"]).fit(), f"from {written} today") == [("IP", written)]


@pytest.mark.parametrize("lang", ["en", "es", None])
def test_groups_of_a_wrong_iban_are_not_a_phone(redactor: PIIRedactor, lang: str | None) -> None:
    # "4155 4716 56" is a valid US number: inside an IBAN with wrong check digits it is
    # still part of the IBAN, not a phone.
    text = "Why was ES77 4155 4716 56 7558891061 rejected?"
    assert found(redactor, text, lang) == []


def test_a_long_run_of_colons_is_scanned_in_linear_time(redactor: PIIRedactor) -> None:
    # A log line of "1:2:1:2:..." used to be walked again from every ":hex:" inside it
    # (about 20 s for these 40,000 characters); it is one candidate, not an address.
    text = "1:2:" * 10_000
    start = time.process_time()
    assert redactor.detect([text]) == [[]]
    assert time.process_time() - start < 2.0


MESES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
MONTHS = "January February March April May June July August September October November December"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 28),
    st.integers(0, 11),
    st.integers(1930, 2010),
    st.sampled_from(
        [
            ("es", "Nací el {d} de {mes} de {y}."),
            ("es", "Fecha de nacimiento: {d} de {mes} del {yy}."),
            ("en", "I was born on {month} {d}, {y}."),
            ("en", "Date of birth: {d}th of {month} {y}."),
        ]
    ),
)
def test_dates_of_birth_in_words(day: int, month: int, year: int, shape: tuple[str, str]) -> None:
    lang, template = shape
    text = template.format(
        d=day, mes=MESES.split()[month], month=MONTHS.split()[month], y=year, yy=f"{year % 100:02d}"
    )
    spans = found(PIIRedactor(entities=["DOB"]).fit(), text, lang)
    assert len(spans) == 1 and spans[0][0] == "DOB"
    assert text.endswith(spans[0][1] + ".") and str(day) in spans[0][1]
