"""Redaction on the shapes of real support chats, English and Spanish (issue 10, item 3).

Names given alone or in system lines ("Account has been pulled up for Crystal Minh."),
surnames that are also city names, North American phones whose area code no plan lists,
a Spanish mobile announced as a phone, product names that look like "First I. Last",
and a conversation's first name repeated later. The examples are written here, in the
shapes of ABCD's chats and of the demo's texts.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.analysis.pii import LANGUAGE_REGIONS, PIIRedactor
from criterio.analysis.pipeline import analyze_batch, build_pipeline, interactions_to_batch
from criterio.cli import app
from criterio.config import get_settings
from criterio.db import session_scope
from criterio.insights.service import upsert_detections
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.patterns import Detection
from tests.factories import interaction


@pytest.fixture(scope="module")
def redactor() -> PIIRedactor:
    return PIIRedactor().fit()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Account has been pulled up for Crystal Minh.",
            "Account has been pulled up for [PERSON_1].",
        ),
        ("Crystal Minh", "[PERSON_1]"),
        ("Alessandro Phoenix", "[PERSON_1]"),
        (
            "Account has been pulled up for Alessandro Phoenix.",
            "Account has been pulled up for [PERSON_1].",
        ),
        ("(977) 625-2661", "[PHONE_1]"),
        ("Details of (977) 625-2661 have been entered.", "Details of [PHONE_1] have been entered."),
        ("call me at 977-625-2661 or 977.625.2661", "call me at [PHONE_1] or [PHONE_1]"),
        ("You can call me on 770650119.", "You can call me on [PHONE_1]."),
        ("A Moto G Play", "A Moto G Play"),
        ("The Moto G Power I ordered arrived broken", "The Moto G Power I ordered arrived broken"),
        ("Faina D. Yefremova lives here", "[PERSON_1] lives here"),
        ("Order ID: 3348917502", "Order ID: 3348917502"),
        ("Username: cminh730", "Username: [CUSTOMER_ID_1]"),
        # Spanish chats: a mobile the plan does not list, in the groups people type.
        ("766 318 197", "[PHONE_1]"),
        (
            "Se han registrado los datos de +34 793 668 177.",
            "Se han registrado los datos de [PHONE_1].",
        ),
        ("612 345 678 es mi móvil", "[PHONE_1] es mi móvil"),  # first text, first character
        ("Perfecto Iker, ¿me confirma su correo?", "Perfecto [PERSON_1], ¿me confirma su correo?"),
        ("El pedido 612 345 678 llegó", "El pedido 612 345 678 llegó"),
        ("(mi móvil es 612345678)", "(mi móvil es [PHONE_1])"),  # the bracket stays
        ("I flew to Phoenix yesterday", "I flew to Phoenix yesterday"),
    ],
)
def test_chat_lines_from_the_issue(redactor: PIIRedactor, text: str, expected: str) -> None:
    assert redactor.redact([text])[0].text == expected


def test_a_first_name_said_again_in_the_conversation_keeps_its_placeholder(
    redactor: PIIRedactor,
) -> None:
    turns = [
        "sure, may I have your name please?",
        "Crystal Minh",
        "Account has been pulled up for Crystal Minh.",
        "thanks so much! What is your membership level Crystal?",
        "Crystal is my favourite gemstone",  # another conversation: not her
    ]
    groups = ["c1", "c1", "c1", "c1", "c2"]
    out = [r.text for r in redactor.redact(turns, groups=groups)]
    assert out == [
        "sure, may I have your name please?",
        "[PERSON_1]",
        "Account has been pulled up for [PERSON_1].",
        "thanks so much! What is your membership level [PERSON_1]?",
        "Crystal is my favourite gemstone",
    ]


def test_the_text_language_puts_its_numbering_plans_first(redactor: PIIRedactor) -> None:
    text = "I'm on 020 7946 0018 all afternoon"  # a London number, no phone word before it
    assert redactor.detect([text]) == [[]]
    (spans,) = redactor.detect([text], languages=["en"])
    assert [(s.type, text[s.start : s.end]) for s in spans] == [("PHONE", "020 7946 0018")]
    assert LANGUAGE_REGIONS["en"][0] == "US" and LANGUAGE_REGIONS["es"] == ("ES",)
    # Ten bare digits in an English chat are as often an order id: left alone.
    assert redactor.detect(["3348917502"], languages=["en"]) == [[]]
    with pytest.raises(ValueError, match="languages has 2 items for 1 texts"):
        redactor.detect([text], languages=["en", "es"])


def test_the_pipeline_redacts_with_the_interaction_language() -> None:
    pipeline = build_pipeline(["language", "pii"])
    turns = [
        {"role": "customer", "text": "Hello, my internet stopped working this morning."},
        {"role": "customer", "text": "I'm on 020 7946 0018 all afternoon, thank you."},
    ]
    out = analyze_batch(interactions_to_batch([{"id": "x", "turns": turns}]), pipeline)
    assert out.column("language").to_pylist() == ["en"]
    redacted = out.column("redacted_turns").to_pylist()[0]
    assert redacted[1]["text"] == "I'm on [PHONE_1] all afternoon, thank you."


def test_insights_show_redacts_the_demo_phone(
    database_url: str, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "My internet keeps dropping. You can call me on 770650119."
    record = interaction(1, id="c-1", language="en", turns=[{"role": "customer", "text": text}])
    ingest_records(session_factory, [RawRecord("test", "1", record)], tenant=None)
    detection = Detection(
        type="spike",
        segment=(("intent", "no_internet"),),
        start=date(2026, 11, 12),
        end=date(2026, 11, 12),
        impact=60,
        strength=8.0,
        magnitude=0.8,
        severity=70.0,
        figures={"ratio": 3.0, "observed": 90, "expected": 30.0, "days": 1},
        examples=["c-1"],
    )
    with session_scope(session_factory) as s:
        (insight,) = upsert_detections(s, "acme", [detection]).insights
        insight_id = insight.id
    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        shown = CliRunner().invoke(app, ["insights", "show", str(insight_id)])
    finally:
        get_settings.cache_clear()
    assert shown.exit_code == 0, shown.output
    assert "You can call me on [PHONE_1]." in shown.output
    assert "770650119" not in shown.output


FIRST = ["Crystal", "Alessandro", "Joyce", "María", "James", "Lucía", "Kevin", "Hannah"]
LAST = ["Minh", "Phoenix", "Johnson", "García", "Nguyen", "Okafor", "Kowalski", "Brooks"]
TEMPLATES = [
    "{}",
    "Account has been pulled up for {}.",
    "sure, my name is {}",
    "The account is under {}.",
    "Hola, me llamo {} y no tengo internet",
    "Kind regards,\n{}",
    "Please ask for {} when you call back.",
]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.sampled_from(TEMPLATES))
def test_a_full_name_in_chat_sentences_is_always_redacted(
    first: str, last: str, template: str
) -> None:
    name = f"{first} {last}"
    text = template.format(name)
    (redaction,) = PIIRedactor().fit().redact([text])
    assert name not in redaction.text and last not in redaction.text
    assert redaction.text == template.format("[PERSON_1]")


PRODUCTS = [
    "Moto G Play", "Moto G Power", "Galaxy Z Flip", "Galaxy Tab S", "Echo Dot",
    "Fire TV Stick", "Kindle Paperwhite", "Nintendo Switch Lite", "Surface Pro",
    "Pixel Buds Pro", "Xbox Series X", "Google Nest Mini", "Ring Video Doorbell",
    "Roku Ultra", "Instant Pot Duo", "Apple Watch Series", "Beats Studio Buds",
]  # fmt: skip
PRODUCT_TEMPLATES = [
    "A {}",
    "I bought a {} last week and it stopped working",
    "The {} I ordered arrived broken, can I get a replacement?",
    "Is the {} back in stock?",
    "Mi {} no enciende desde ayer",
]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(PRODUCTS), st.sampled_from(PRODUCT_TEMPLATES))
def test_product_names_are_never_redacted(product: str, template: str) -> None:
    text = template.format(product)
    assert PIIRedactor().fit().detect([text], languages=["en"]) == [[]]
