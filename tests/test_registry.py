"""The model registry: each tenant's champion is what its analysis uses, and no one else's.

Models are trained the way a user trains them (`criterio intents train --tenant`), on
interactions stored from a small fixture written for these tests.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from criterio.annotations.models import AnalysisResult
from criterio.cli import app
from criterio.config import get_settings
from criterio.db import make_engine, make_session_factory, session_scope
from criterio.errors import ConflictError
from criterio.interactions import ingest_files
from criterio.interactions.models import Interaction
from criterio.learning.models import RegisteredModel
from criterio.learning.service import champion, list_models, promote, retire
from criterio.learning.training import train_intents, training_examples
from tests.factories import interaction, write_jsonl
from tests.model_support import FIXTURE, INTENTS, REQUESTS
from tests.scope_guard import scope_guard


def _fixture_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()]


def _records(tenant: str, labelled: bool) -> list[dict[str, Any]]:
    """The fixture's requests as stored interactions of ``tenant`` (labels when asked)."""
    out = []
    for i, row in enumerate(_fixture_rows()):
        turns = [
            {"role": "agent", "text": "Hello, how can I help?"},
            {"role": "customer", "text": row["text"]},
        ]
        labels = {"intent": row["intent"]} if labelled else {}
        out.append(interaction(i, tenant=tenant, id=f"{tenant}-{i}", turns=turns, labels=labels))
    return out


def _run(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _results(database_url: str) -> dict[str, list[AnalysisResult]]:
    """Each tenant's analysis results in the fixture's order (ids ``<tenant>-<row>``)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(AnalysisResult, Interaction.external_id).join(
                    Interaction, Interaction.pk == AnalysisResult.interaction_pk
                )
            ).all()
            out: dict[str, list[AnalysisResult]] = {}
            for row, _ in sorted(rows, key=lambda r: int(r[1].rsplit("-", 1)[1])):
                out.setdefault(row.tenant, []).append(row)
            return out
    finally:
        engine.dispose()


def _models(cli: CliRunner, *args: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(_run(cli, "models", "list", "--json", *args).stdout)
    return listed


def test_a_tenants_champion_is_its_analysis_and_no_one_elses(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    acme = write_jsonl(tmp_path / "acme.jsonl", _records("acme", labelled=True))
    globex = write_jsonl(tmp_path / "globex.jsonl", _records("globex", labelled=False))
    _run(cli, "ingest", str(acme), str(globex))
    trained = _run(cli, "intents", "train", "--tenant", "acme")
    assert "the tenant's champion" in trained.output
    # No path option anywhere: acme's analysis loads acme's champion.
    _run(cli, "analyze", "--tenant", "acme", "--workers", "1")
    _run(cli, "analyze", "--workers", "1")  # every tenant: globex has no champion
    results = _results(database_url)
    labels = {r.intent_label for r in results["acme"]}
    assert labels <= INTENTS | {"unknown"} and len(labels & INTENTS) == 4
    right = sum(
        r.intent_label == row["intent"]
        for r, row in zip(results["acme"], _fixture_rows(), strict=True)
    )
    assert right >= 40
    assert all(r.intent_label is None and "intents" not in r.versions for r in results["globex"])
    [model] = _models(cli, "--tenant", "acme")
    assert model["kind"] == "intent" and model["status"] == "champion" and model["version"] == 1
    assert results["acme"][0].versions["intents"].startswith("1:")
    assert model["sha256"].startswith(results["acme"][0].versions["intents"].split(":")[1])
    assert model["training"]["n_examples"] == 48 and model["training"]["labels"] == {
        i: 12 for i in INTENTS
    }
    assert _models(cli, "--tenant", "globex") == []

    requests = write_jsonl(
        tmp_path / "requests.jsonl",
        [{"id": f"r{i}", "text": t} for i, (t, _) in enumerate(REQUESTS)],
    )
    predicted = _run(cli, "intents", "predict", str(requests), "--tenant", "acme")
    lines = [json.loads(x) for x in predicted.stdout.splitlines() if x.startswith("{")]
    assert [x["intent"] for x in lines] == [want for _, want in REQUESTS]
    refused = cli.invoke(app, ["intents", "predict", str(requests), "--tenant", "globex"])
    assert refused.exit_code == 1 and "has no intent champion" in refused.output

    _run(cli, "topics", "discover", "--tenant", "acme", "--n-topics", "4")
    assigned = _run(cli, "topics", "assign", str(requests), "--tenant", "acme")
    topics = [json.loads(x)["topic"] for x in assigned.stdout.splitlines()]
    assert len(set(topics)) >= 3  # four different requests, mostly four topics
    assert "topics (version 1)" in _run(cli, "topics", "show", "--tenant", "acme").output


def test_a_candidate_waits_until_promoted_and_the_old_champion_retires(
    cli: CliRunner, database_url: str, tmp_path: Path
) -> None:
    _run(cli, "ingest", str(write_jsonl(tmp_path / "a.jsonl", _records("acme", labelled=True))))
    _run(cli, "intents", "train", "--tenant", "acme")
    _run(cli, "analyze", "--workers", "1")
    first = {r.versions["intents"] for r in _results(database_url)["acme"]}
    again = _run(cli, "intents", "train", "--tenant", "acme", "--random-state", "3")
    [new, old] = _models(cli, "--kind", "intent")
    assert (new["version"], new["status"], old["status"]) == (2, "candidate", "champion")
    assert f"criterio models promote {new['id']}" in again.output
    nothing = _run(cli, "analyze", "--workers", "1")
    assert "Nothing to analyse" in nothing.output  # the champion did not change

    promoted = _run(cli, "models", "promote", str(new["id"]), "--by", "maria")
    assert f"model {new['id']} (intent version 2) of tenant acme is now champion" in promoted.stdout
    [new, old] = _models(cli, "--tenant", "acme", "--kind", "intent")
    assert (new["status"], new["promoted_by"], old["status"]) == ("champion", "maria", "retired")
    assert "48 analysed" in _run(cli, "analyze", "--workers", "1").output
    second = {r.versions["intents"] for r in _results(database_url)["acme"]}
    assert len(second) == 1 and second != first and next(iter(second)).startswith("2:")

    _run(cli, "models", "retire", str(new["id"]))
    assert [m["status"] for m in _models(cli)] == ["retired", "retired"]
    # Without a champion the tenant's analysis has no intent stage: results are stale.
    assert "48 analysed" in _run(cli, "analyze", "--workers", "1").output
    assert all(r.intent_label is None for r in _results(database_url)["acme"])
    missing = cli.invoke(app, ["models", "promote", "999"])
    assert missing.exit_code == 1 and "model 999: no such model" in missing.output


def test_changed_model_files_are_refused(cli: CliRunner, database_url: str, tmp_path: Path) -> None:
    _run(cli, "ingest", str(write_jsonl(tmp_path / "a.jsonl", _records("acme", labelled=True))))
    _run(cli, "intents", "train", "--tenant", "acme")
    _run(cli, "intents", "train", "--tenant", "acme", "--random-state", "5")
    [candidate, champion_] = _models(cli)
    with (Path(champion_["path"]) / "model.skops").open("ab") as handle:
        handle.write(b"tampered")
    broken = cli.invoke(app, ["analyze", "--workers", "1"])
    assert broken.exit_code == 1
    # Rich wraps the message at the width its console was made with: compare words.
    assert "does not match the SHA-256 the registry stored" in " ".join(broken.output.split())
    assert f"model {champion_['id']}" in broken.output and "Traceback" not in broken.output
    assert _results(database_url) == {}  # nothing analysed with a changed file
    (Path(candidate["path"]) / "model.skops").write_bytes(b"not the registered file")
    refused = cli.invoke(app, ["models", "promote", str(candidate["id"])])
    assert refused.exit_code == 1 and "does not match its registered SHA-256" in refused.output
    assert [m["status"] for m in _models(cli)] == ["candidate", "champion"]


def test_one_champion_per_tenant_and_kind_even_without_the_service(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records("acme", True))])
    with session_scope(session_factory) as session:
        row = train_intents(session, "acme", model_dir=tmp_path / "m", by="test").model
        copy = {c: getattr(row, c) for c in ("tenant", "kind", "training", "training_hash")}
        copy |= {
            "metrics": {},
            "path": row.path,
            "sha256": row.sha256,
            "created_at": row.created_at,
        }
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        session.add(RegisteredModel(**copy, version=2, status="champion"))
    with session_scope(session_factory) as session:
        session.add(RegisteredModel(**copy, version=2, status="candidate"))
    with session_scope(session_factory) as session:
        assert [m.status for m in list_models(session, "acme")] == ["candidate", "champion"]


def test_registry_queries_stay_in_their_tenant(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = _records("acme", True) + _records("globex", True)
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    engine = session_factory.kw["bind"]
    with scope_guard(engine) as violations, session_scope(session_factory) as session:
        examples = training_examples(session, "acme")
        assert len(examples.texts) == 48 and set(examples.ids) == {f"acme-{i}" for i in range(48)}
        first = train_intents(session, "acme", model_dir=tmp_path / "m", by="t").model
        second = train_intents(
            session, "acme", model_dir=tmp_path / "m", random_state=2, by="t"
        ).model
        assert second.status == "candidate"
        promote(session, "acme", second.id, by="t")
        assert (
            champion(session, "acme", "intent") is second
            and champion(session, "globex", "intent") is None
        )
        with pytest.raises(Exception, match="no such model of tenant 'globex'"):
            promote(session, "globex", first.id, by="t")
        retire(session, "acme", first.id)
    assert violations == []
    with session_scope(session_factory) as session:
        assert {m.status for m in list_models(session, "acme")} == {"champion", "retired"}
        assert session.execute(text("SELECT count(*) FROM models")).scalar_one() == 2
    with pytest.raises(ConflictError), session_scope(session_factory) as session:
        (Path(first.path) / "model.skops").unlink()
        promote(session, "acme", first.id, by="t")


def test_the_settings_are_only_a_fallback(
    cli: CliRunner, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _records("acme", labelled=True) + _records("globex", labelled=True)
    _run(cli, "ingest", str(write_jsonl(tmp_path / "a.jsonl", records)))
    _run(cli, "intents", "train", str(FIXTURE), "--model", str(tmp_path / "global"))
    _run(cli, "intents", "train", "--tenant", "acme", "--random-state", "7")
    monkeypatch.setenv("CRITERIO_INTENT_MODEL", str(tmp_path / "global"))
    get_settings.cache_clear()
    _run(cli, "analyze", "--workers", "1")
    results = _results(database_url)
    [acme_champion] = _models(cli, "--tenant", "acme")
    # <registry version>:<first 16 hex of the file's SHA-256>:m<redactor version>
    assert {r.versions["intents"].split(":")[1] for r in results["acme"]} == {
        acme_champion["sha256"][:16]
    }
    globex_versions = {r.versions["intents"] for r in results["globex"]}
    assert len(globex_versions) == 1 and globex_versions != {
        r.versions["intents"] for r in results["acme"]
    }
    # An explicit option wins over the champion, for every tenant.
    _run(cli, "analyze", "--workers", "1", "--intent-model", str(tmp_path / "global"))
    assert {r.versions["intents"] for r in _results(database_url)["acme"]} == globex_versions
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        assert champion(session, "acme", "intent") is not None
    engine.dispose()


def test_two_promotions_at_once_leave_one_champion(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records("acme", True))])
    ids = []
    with session_scope(session_factory) as session:
        for seed in (1, 2, 3):
            trained = train_intents(
                session, "acme", model_dir=tmp_path / "m", random_state=seed, by="t"
            )
            ids.append(trained.model.id)
    first_flushed = threading.Event()
    errors: list[BaseException] = []

    def slow_promotion() -> None:
        with session_scope(session_factory) as session:
            promote(session, "acme", ids[1], by="a")
            first_flushed.set()
            time.sleep(1.0)  # the other promotion arrives while this one is open

    def other_promotion() -> None:
        first_flushed.wait(30)
        try:
            with session_scope(session_factory) as session:
                promote(session, "acme", ids[2], by="b")
        except IntegrityError as error:
            errors.append(error)

    threads = [threading.Thread(target=f) for f in (slow_promotion, other_promotion)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with session_scope(session_factory) as session:
        statuses = {m.id: m.status for m in list_models(session, "acme")}
    assert list(statuses.values()).count("champion") == 1
    # The second promotion waited for the first (a row lock on PostgreSQL, the write
    # lock on SQLite), then retired the champion it had made.
    assert errors == []
    assert statuses == {ids[0]: "retired", ids[1]: "retired", ids[2]: "champion"}
