"""Personal-data redaction: what a user sees, offsets, placeholders, validators."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.es import ccc as std_ccc
from stdnum.es import dni as std_dni
from stdnum.es import nie as std_nie

from criterio.analysis.pii import ENTITY_TYPES, PIIRedactor, PIISpan, Redaction

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@pytest.fixture(scope="module")
def redactor() -> PIIRedactor:
    return PIIRedactor().fit()


def redact_one(redactor: PIIRedactor, text: str) -> str:
    return redactor.redact([text])[0].text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hola, me llamo Juan Pérez, mi DNI es 12345678Z y mi móvil 612 345 678.",
            "Hola, me llamo [PERSON_1], mi DNI es [DNI_1] y mi móvil [PHONE_1].",
        ),
        (
            "Mi IBAN es ES91 2100 0418 4502 0005 1332 y mi correo ana.gil@correo.es",
            "Mi IBAN es [IBAN_1] y mi correo [EMAIL_1]",
        ),
        ("Pago con la tarjeta 4111 1111 1111 1111", "Pago con la tarjeta [CARD_1]"),
        ("Mi NIE es X1234567L", "Mi NIE es [NIE_1]"),
        ("CIF de la empresa: B12345674", "CIF de la empresa: [CIF_1]"),
        ("Llámame al +52 55 1234 5678 por favor", "Llámame al [PHONE_1] por favor"),
        (
            "My name is John Smith, call me at +1 415 555 2671",
            "My name is [PERSON_1], call me at [PHONE_1]",
        ),
        ("My IP is 192.168.1.10.", "My IP is [IP_1]."),
        ("Nací el 12/05/1980", "Nací el [DOB_1]"),
        ("Mi número de cliente es CL-88231", "Mi número de cliente es [CUSTOMER_ID_1]"),
        ("Saludos,\nMaría López", "Saludos,\n[PERSON_1]"),
    ],
)
def test_redacts_what_a_user_expects(redactor: PIIRedactor, text: str, expected: str) -> None:
    assert redact_one(redactor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "El pedido 123456789 llegará el 12/05/2025",
        "Importe cobrado: 1.234,56 € el 03/11/2026",
        "Número de seguimiento 1Z999AA10123456784",
        "Order number 4111111111111111 was shipped",
        "El DNI 12345678A no es correcto",  # wrong check letter: not a DNI
        "Tengo 3 productos y pagué 45 euros",
    ],
)
def test_leaves_non_personal_numbers(redactor: PIIRedactor, text: str) -> None:
    assert redactor.redact([text])[0] == Redaction(text, [])


def test_same_value_same_placeholder_within_group(redactor: PIIRedactor) -> None:
    texts = [
        "Mi móvil es 612 345 678",
        "Otro número: 698 765 432",
        "Repito, el 612345678",
        "Y desde otra conversación, 612 345 678",
    ]
    out = redactor.redact(texts, groups=["c1", "c1", "c1", "c2"])
    assert [r.text for r in out] == [
        "Mi móvil es [PHONE_1]",
        "Otro número: [PHONE_2]",
        "Repito, el [PHONE_1]",
        "Y desde otra conversación, [PHONE_1]",
    ]


def test_a_person_named_in_part_keeps_one_placeholder(redactor: PIIRedactor) -> None:
    texts = [
        "Hola, soy María García y llamo por la factura",
        "Gracias María, lo reviso",
        "Le atiende Pedro López",
        "Pedro, ¿sigue ahí?",
    ]
    out = redactor.redact(texts, groups=["c1", "c1", "c1", "c1"])
    assert [r.text for r in out] == [
        "Hola, soy [PERSON_1] y llamo por la factura",
        "Gracias [PERSON_1], lo reviso",
        "Le atiende [PERSON_2]",
        "[PERSON_2], ¿sigue ahí?",
    ]


def test_a_part_that_fits_two_people_gets_its_own_placeholder(redactor: PIIRedactor) -> None:
    text = "Soy María García, mi hermana es María López. María no está."
    assert redactor.redact([text])[0].text == (
        "Soy [PERSON_1], mi hermana es [PERSON_2]. [PERSON_3] no está."
    )


def test_without_groups_each_text_is_its_own_group(redactor: PIIRedactor) -> None:
    out = redactor.redact(["a@b.com y c@d.com", "c@d.com"])
    assert [r.text for r in out] == ["[EMAIL_1] y [EMAIL_2]", "[EMAIL_1]"]


def test_offsets_refer_to_the_original_text(redactor: PIIRedactor) -> None:
    text = "Soy Lucía, DNI 12.345.678-Z, tlf 612-345-678, lucia@x.es"
    spans = redactor.detect([text])[0]
    assert [(s.type, text[s.start : s.end]) for s in spans] == [
        ("PERSON", "Lucía"),
        ("DNI", "12.345.678-Z"),
        ("PHONE", "612-345-678"),
        ("EMAIL", "lucia@x.es"),
    ]
    assert redactor.redact([text])[0].spans == spans


def test_entities_parameter_limits_types() -> None:
    r = PIIRedactor(entities=["EMAIL"]).fit()
    assert r.detect(["a@b.com 612345678"]) == [[PIISpan("EMAIL", 0, 7)]]


def test_bad_parameters_and_input_are_named() -> None:
    with pytest.raises(ValueError, match="entities"):
        PIIRedactor(entities=["SSN"]).fit()
    with pytest.raises(ValueError, match="region"):
        PIIRedactor(default_region="XX").fit()
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        PIIRedactor().fit().detect(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="groups"):
        PIIRedactor().fit().redact(["a", "b"], groups=["g"])


def test_estimator_contract() -> None:
    r = PIIRedactor(entities=["EMAIL", "PHONE"], default_region="MX")
    assert r.get_params() == {
        "entities": ["EMAIL", "PHONE"],
        "default_region": "MX",
        "extra_regions": r.extra_regions,
    }
    c = clone(r)
    assert c.get_params() == r.get_params() and c is not r
    with pytest.raises(NotFittedError):
        c.detect(["x"])
    assert r.fit() is r
    texts = ["llama al 55 1234 5678, correo x@y.mx", "nada"]
    assert r.detect(texts) == clone(r).fit().detect(texts) == r.fit().detect(texts)
    assert set(ENTITY_TYPES) >= {"EMAIL", "PHONE", "PERSON"}


dni_numbers = st.integers(min_value=0, max_value=99_999_999)


@settings(max_examples=60, deadline=None)
@given(dni_numbers)
def test_generated_valid_dni_is_found(number: int) -> None:
    dni = f"{number:08d}{DNI_LETTERS[number % 23]}"
    assert std_dni.is_valid(dni)
    text = f"Mi DNI es {dni}, gracias"
    spans = PIIRedactor(entities=["DNI"]).fit().detect([text])[0]
    assert [text[s.start : s.end] for s in spans] == [dni]


@settings(max_examples=60, deadline=None)
@given(dni_numbers, st.integers(min_value=1, max_value=22))
def test_dni_with_a_changed_letter_is_not_found(number: int, shift: int) -> None:
    letter = DNI_LETTERS[(number % 23 + shift) % 23]
    text = f"Mi DNI es {number:08d}{letter}, gracias"
    assert PIIRedactor().fit().detect([text]) == [[]]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=20, max_size=20))
def test_generated_spanish_iban_is_found(digits: str) -> None:
    # A Spanish BBAN carries its own CCC check digits (positions 9-10).
    ccc = digits[:8] + "00" + digits[10:]
    bban = digits[:8] + std_ccc.calc_check_digits(ccc) + digits[10:]
    check = std_iban.calc_check_digits("ES00" + bban)
    iban = f"ES{check}{bban}"
    assert std_iban.is_valid(iban)
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    for written in (iban, grouped):
        text = f"Mi cuenta: {written} y nada más"
        spans = PIIRedactor(entities=["IBAN"]).fit().detect([text])[0]
        assert [text[s.start : s.end] for s in spans] == [written]
    wrong = f"ES{(int(check) + 1) % 100:02d}{bban}"
    assert PIIRedactor(entities=["IBAN"]).fit().detect([f"Mi cuenta: {wrong}"]) == [[]]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from("3456"), st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_generated_card_is_found_and_a_changed_digit_is_not(first: str, body: str) -> None:
    partial = first + body
    card = partial + luhn.calc_check_digit(partial)
    r = PIIRedactor(entities=["CARD"]).fit()
    text = f"Pagué con la tarjeta {card} ayer"
    assert [text[s.start : s.end] for s in r.detect([text])[0]] == [card]
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert r.detect([f"Pagué con la tarjeta {wrong} ayer"]) == [[]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola Marta, tu pedido ya ha salido.", "Hola [PERSON_1], tu pedido ya ha salido."),
        ("Buenas, soy Pilar, la titular.", "Buenas, soy [PERSON_1], la titular."),
        ("Atentamente, Carmen Ruiz Gómez", "Atentamente, [PERSON_1]"),
        (
            "Le atiende Santiago, ¿en qué puedo ayudarle?",
            "Le atiende [PERSON_1], ¿en qué puedo ayudarle?",
        ),
        ("Hi Sarah, thanks for waiting.", "Hi [PERSON_1], thanks for waiting."),
        ("This is Michael from billing.", "This is [PERSON_1] from billing."),
        ("Kind regards,\nEmily Johnson", "Kind regards,\n[PERSON_1]"),
        ("Please ask Mr. O'Brien to call back.", "Please ask Mr. [PERSON_1] to call back."),
        ("La factura está a nombre de Rocío Moreno.", "La factura está a nombre de [PERSON_1]."),
        ("@115897 Hi David, could you DM us?", "@115897 Hi [PERSON_1], could you DM us?"),
        ("Sorry for the wait. Thanks - Kirsty", "Sorry for the wait. Thanks - [PERSON_1]"),
    ],
)
def test_person_names_in_context(redactor: PIIRedactor, text: str, expected: str) -> None:
    assert redact_one(redactor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hola, buenos días. Quiero cambiar mi tarifa.",
        "Mi pedido llegó a Madrid el lunes.",
        "Thanks for the quick answer!",
        "Rosa es mi color favorito.",
        "@AcmeHelp Glad to help! Call us any time.",
        "@115712 I would like to assist you. We would need a private link.",
    ],
)
def test_no_person_without_a_name(redactor: PIIRedactor, text: str) -> None:
    assert [s.type for s in redactor.detect([text])[0]] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Envíenlo a Calle Mayor 12, 3ºB, 28013 Madrid, por favor.",
            "Envíenlo a [ADDRESS_1], por favor.",
        ),
        ("Vivo en Avda. de la Constitución 45.", "Vivo en [ADDRESS_1]."),
        ("Ship it to 221 Baker Street Apt. 4 please", "Ship it to [ADDRESS_1] please"),
    ],
)
def test_postal_addresses(redactor: PIIRedactor, text: str, expected: str) -> None:
    assert redact_one(redactor, text) == expected


@pytest.mark.parametrize(
    "phone",
    ["+54 9 11 2345-6789", "+57 310 123 4567", "+56 9 8765 4321", "+52 55 1234 5678"],
)
def test_latin_american_phones(redactor: PIIRedactor, phone: str) -> None:
    text = f"Mi número es {phone}, gracias"
    assert redact_one(redactor, text) == "Mi número es [PHONE_1], gracias"


def test_ip_addresses_v4_and_v6(redactor: PIIRedactor) -> None:
    text = "Acceso desde 10.0.0.25 y desde 2001:db8::8a2e:370:7334 hoy"
    assert redact_one(redactor, text) == "Acceso desde [IP_1] y desde [IP_2] hoy"
    assert redactor.detect(["Versión 300.1.2.3 de la app"]) == [[]]


def test_several_types_numbered_per_type(redactor: PIIRedactor) -> None:
    out = redactor.redact(
        ["Escribid a ana@x.es o a luis@y.es, o llamad al 612345678", "De nuevo: luis@y.es"],
        groups=["g", "g"],
    )
    assert [r.text for r in out] == [
        "Escribid a [EMAIL_1] o a [EMAIL_2], o llamad al [PHONE_1]",
        "De nuevo: [EMAIL_2]",
    ]


def test_public_surface() -> None:
    import criterio.analysis.pii as pii

    assert sorted(pii.__all__) == [
        "DEFAULT_REGIONS", "ENTITY_TYPES", "LANGUAGE_REGIONS", "PIIRedactor", "PIISpan",
        "Redaction", "mask_spans",
    ]  # fmt: skip
    assert PIIRedactor.version


@settings(max_examples=60, deadline=None)
@given(st.sampled_from("XYZ"), st.integers(min_value=0, max_value=9_999_999), st.integers(1, 22))
def test_generated_nie_is_found_and_a_changed_letter_is_not(
    prefix: str, number: int, shift: int
) -> None:
    letter = DNI_LETTERS[int(f"{'XYZ'.index(prefix)}{number:07d}") % 23]
    nie = f"{prefix}{number:07d}{letter}"
    assert std_nie.is_valid(nie)
    r = PIIRedactor(entities=["NIE"]).fit()
    text = f"NIE: {nie}."
    assert [text[s.start : s.end] for s in r.detect([text])[0]] == [nie]
    wrong = nie[:-1] + DNI_LETTERS[(DNI_LETTERS.index(letter) + shift) % 23]
    assert r.detect([f"NIE: {wrong}."]) == [[]]


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_arbitrary_text_gives_spans_inside_the_text(text: str) -> None:
    out = PIIRedactor().fit().redact([text, "x"], groups=["a", "a"])[0]
    for span in out.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.type in ENTITY_TYPES
    if not out.spans:
        assert out.text == text


def test_fitted_redactor_round_trips_through_skops() -> None:
    import skops.io as sio

    r = PIIRedactor(entities=["EMAIL", "PHONE", "PERSON"]).fit()
    data = sio.dumps(r)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    texts = ["Soy Marta, escribe a marta@x.es o llama al 612 345 678"]
    assert loaded.redact(texts) == r.redact(texts)
    assert loaded.get_params() == r.get_params()
