"""Saved intent and topic models hold no personal data from the texts they learnt from.

Models are trained the way users train them (``criterio intents train``, ``criterio
topics discover``, and the demo's ``train_models`` on a store) on texts written here
that carry e-mails, phones, IBANs, DNIs, names, dates of birth and invoice numbers. Every
file saved (raw bytes, the members of the ``.skops`` zip archive, the JSON card) is then
searched for each of those values, in UTF-8, UTF-16 and UTF-32 (numpy keeps strings in
UTF-32), in lower case (vectorizers lower-case), and for their digits alone.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from stdnum import iban as std_iban
from stdnum.es import ccc, dni
from typer.testing import CliRunner

from criterio.cli import app
from criterio.demo.runner import train_models
from criterio.interactions import ingest_files
from tests.factories import interaction, write_jsonl


def _dni(body: str) -> str:
    return body + dni.calc_check_digit(body)


def _iban(bank: str, branch: str, account: str) -> str:
    number = bank + branch + "00" + account
    bban = bank + branch + ccc.calc_check_digits(number) + account
    return "ES" + std_iban.calc_check_digits("ES00" + bban) + bban


# Each customer writes several times: character n-grams kept only when they occur in
# five texts or more would otherwise never see the values at all.
CUSTOMERS: list[dict[str, str]] = [
    {
        "name": "Zuriñe Etxeberria",
        "email": "zurine.etxeberria77@gmail.com",
        "phone": "655 123 987",
        "iban": _iban("2100", "0418", "0200051332"),
        "dni": _dni("48291735"),
        "dob": "14/07/1983",
        "invoice": "FAC-2023-884213",
    },
    {
        "name": "Kwame Oyelaran",
        "email": "k.oyelaran@outlook.com",
        "phone": "(212) 736-4410",
        "iban": _iban("0049", "1500", "0512345678"),
        "dni": _dni("39517264"),
        "dob": "02/11/1990",
        "invoice": "INV-77310245",
    },
    {
        "name": "Leocadia Villafranca",
        "email": "leocadia_villafranca@yahoo.es",
        "phone": "+34 678 901 234",
        "iban": _iban("0182", "2370", "0201234567"),
        "dni": _dni("70264819"),
        "dob": "30/01/1975",
        "invoice": "F-2024-0039921",
    },
]
INTENTS = {
    "double_charge": [
        "Me llamo {name}. Me habéis cobrado dos veces la factura {invoice}, mi correo es "
        "{email} y mi teléfono {phone}",
        "My name is {name}, you charged me twice on invoice {invoice}. Email {email}, "
        "phone {phone}",
    ],
    "no_internet": [
        "Me llamo {name}, no tengo internet desde ayer, el router parpadea. DNI {dni}, "
        "fecha de nacimiento {dob}",
        "My name is {name} and the internet is down since yesterday, router blinking. "
        "Date of birth: {dob}, call me on {phone}",
    ],
    "cancel_contract": [
        "Me llamo {name} y quiero dar de baja el contrato. Devolved el dinero al IBAN "
        "{iban}, DNI {dni}",
        "My name is {name}, please cancel my contract and refund to IBAN {iban}, e-mail {email}",
    ],
    "delivery_status": [
        "Me llamo {name}, mi pedido no ha llegado todavía, ¿dónde está el paquete? "
        "Escribidme a {email} o al {phone}",
        "My name is {name}, my order has not arrived yet, where is the parcel? Reach me "
        "at {email}, date of birth {dob}",
    ],
}


def _records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for intent, templates in INTENTS.items():
        for repeat in range(4):
            for template in templates:
                for customer in CUSTOMERS:
                    text = template.format(**customer)
                    if repeat % 2:  # written compactly too: "655123987", no spaces
                        text = text.replace(customer["phone"], re.sub(r"\D", "", customer["phone"]))
                    records.append({"id": f"t{len(records)}", "text": text, "intent": intent})
    return records


def _needles() -> set[str]:
    """Every value in lower case, its digits alone, and the words of names and e-mails."""
    needles: set[str] = set()
    for customer in CUSTOMERS:
        for value in customer.values():
            needles.add(value.lower())
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 5:
                needles.add(digits)
        needles.update(w.lower() for w in customer["name"].split())
        needles.update(w for w in re.split(r"[@._]", customer["email"]) if len(w) > 5)
    return needles


def _decodings(blob: bytes) -> list[str]:
    texts = [blob.decode("utf-8", "ignore")]
    for offset in range(2):
        texts.append(blob[offset:].decode("utf-16-le", "ignore"))
    for offset in range(4):
        texts.append(blob[offset:].decode("utf-32-le", "ignore"))
    return [t.lower() for t in texts]


def _blobs(directory: Path) -> list[tuple[str, bytes]]:
    """Every saved file's bytes, and those of each member of a zip archive (.skops)."""
    found: list[tuple[str, bytes]] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        found.append((str(path), path.read_bytes()))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    found.append((f"{path}!{member}", archive.read(member)))
    return found


def _leaks(directory: Path) -> list[str]:
    leaks: list[str] = []
    blobs = _blobs(directory)
    assert any(name.endswith(".skops") for name, _ in blobs), blobs
    assert any(name.endswith("model.json") for name, _ in blobs), blobs
    for name, blob in blobs:
        texts = _decodings(blob)
        digits = re.sub(r"\D", "", blob.decode("utf-8", "ignore"))
        for needle in _needles():
            if any(needle in t for t in texts) or (needle.isdigit() and needle in digits):
                leaks.append(f"{needle!r} in {name}")
    return leaks


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("privacy") / "texts.jsonl"
    return write_jsonl(path, _records())


def test_the_texts_do_hold_the_personal_data(corpus: Path) -> None:
    # The check below is only worth something if the values are in the training texts.
    text = corpus.read_text(encoding="utf-8").lower()
    assert all(n in text or n in re.sub(r"\D", "", text) for n in _needles())


def test_cli_intent_model_holds_no_personal_data(corpus: Path, tmp_path: Path) -> None:
    model = tmp_path / "intent-model"
    result = CliRunner().invoke(app, ["intents", "train", str(corpus), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert _leaks(model) == []
    card = json.loads((model / "model.json").read_text("utf-8"))
    assert sorted(card["intents"]) == sorted(INTENTS)
    assert "masked" in card["personal_data"]


def test_cli_topic_model_and_topics_show_hold_no_personal_data(
    corpus: Path, tmp_path: Path
) -> None:
    model = tmp_path / "topic-model"
    runner = CliRunner()
    result = runner.invoke(
        app, ["topics", "discover", str(corpus), "--model", str(model), "--n-topics", "4"]
    )
    assert result.exit_code == 0, result.output
    assert _leaks(model) == []
    shown = runner.invoke(app, ["topics", "show", "--model", str(model)], env={"COLUMNS": "400"})
    as_json = runner.invoke(app, ["topics", "show", "--model", str(model), "--json"])
    assert shown.exit_code == 0 and as_json.exit_code == 0, shown.output + as_json.output
    card = json.loads(as_json.stdout)
    examples = [e for t in card["topics"] for e in t["examples"]]
    assert examples and any("[EMAIL]" in e or "[PERSON]" in e for e in examples), examples
    for output in (shown.output, as_json.output):
        flat = output.lower()
        assert [n for n in _needles() if n in flat] == []


def test_demo_training_on_a_store_holds_no_personal_data(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = [
        interaction(
            i,
            turns=[
                {"role": "customer", "text": r["text"]},
                {"role": "agent", "text": "Lo reviso ahora mismo."},
            ],
            labels={"intent": r["intent"]},
        )
        for i, r in enumerate(_records())
    ]
    report = ingest_files(session_factory, [write_jsonl(tmp_path / "in.jsonl", records)])
    assert report.inserted == len(records), report
    trained = train_models(session_factory, "acme", tmp_path / "models")
    assert "champions of tenant acme" in trained.summary, trained.summary
    # The intent and the topic model, both registered with their files under the folder.
    assert len(list((tmp_path / "models").rglob("model.skops"))) == 2
    assert _leaks(tmp_path / "models") == []


def test_the_pipeline_gives_models_the_masked_text(corpus: Path, tmp_path: Path) -> None:
    from criterio.analysis.modelstore import load_model
    from criterio.analysis.pipeline import analyze_batch, build_pipeline, interactions_to_batch
    from criterio.analysis.text import model_texts

    runner = CliRunner()
    intents, topics = tmp_path / "intents", tmp_path / "topics"
    assert (
        runner.invoke(app, ["intents", "train", str(corpus), "--model", str(intents)]).exit_code
        == 0
    )
    discover = ["topics", "discover", str(corpus), "--model", str(topics), "--n-topics", "4"]
    assert runner.invoke(app, discover).exit_code == 0
    texts = [r["text"] for r in _records()[::7]]
    records = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    for analyzers in (["pii"], []):  # with the run's redactor, and with the models' own
        pipeline = build_pipeline(analyzers, intent_model=intents, topic_model=topics)
        out = analyze_batch(interactions_to_batch(records), pipeline)
        masked = model_texts(texts)
        expected_topics, _ = load_model(topics, "topics").assign(masked)
        expected_intents = load_model(intents, "intents").predict(masked)
        assert out.column("topic_id").to_pylist() == expected_topics.tolist()
        assert out.column("intent_label").to_pylist() == [str(i) for i in expected_intents]
