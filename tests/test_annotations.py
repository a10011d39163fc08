"""Stored analysis results: incremental, resumable, tenant-scoped, erased with interactions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from criterio.analysis.pipeline import AnalysisPipeline, build_pipeline
from criterio.analysis.sentiment import SentimentAnalyzer
from criterio.annotations.models import AnalysisResult
from criterio.annotations.runner import analyze_store, pending_total
from criterio.annotations.service import get_result, result_counts
from criterio.cli import app
from criterio.db import session_scope
from criterio.engines import LocalEngine
from criterio.insights.repository import InteractionTableRepository
from criterio.interactions import ingest_files
from criterio.interactions.repository import InteractionRepository
from tests.factories import interaction, write_jsonl


def _records(n: int, tenant: str = "acme") -> list[dict[str, object]]:
    out = []
    for i in range(n):
        text = ["No funciona el router, estoy harto", "Thanks, it works now!"][i % 2]
        out.append(
            interaction(
                i,
                tenant=tenant,
                turns=[
                    {"role": "customer", "text": f"{text} ({i})"},
                    {"role": "agent", "text": "Lo reviso."},
                ],
            )
        )
    return out


def _count(factory: sessionmaker[Session]) -> int:
    with session_scope(factory) as session:
        return int(session.scalar(select(func.count()).select_from(AnalysisResult)) or 0)


def _run(factory: sessionmaker[Session], pipeline: AnalysisPipeline, **kw: object) -> int:
    with LocalEngine(workers=1) as engine:
        report = analyze_store(
            factory,
            ["acme"],
            engine=engine,
            pipeline=pipeline,
            batch_size=7,
            **kw,  # type: ignore[arg-type]
        )
    return report.total


def test_incremental_and_stale(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", _records(20))
    ingest_files(session_factory, [path])
    pipeline = build_pipeline(["language", "sentiment"])
    assert pending_total(session_factory, ["acme"], pipeline) == 20
    assert _run(session_factory, pipeline) == 20
    assert _count(session_factory) == 20
    assert _run(session_factory, pipeline) == 0  # nothing new

    with session_scope(session_factory) as session:
        first = get_result(session, "acme", external_id="c-000000")
        second = get_result(session, "acme", external_id="c-000001")
        counts = result_counts(session, "acme")
    assert first is not None and second is not None
    assert (first.language, first.sentiment_label) == ("es", "negative")
    assert (second.language, second.sentiment_label) == ("en", "positive")
    assert first.versions == pipeline.versions()
    assert first.redacted_turns is None  # no redactor in this pipeline: no text kept
    assert counts["language"] == {"es": 10, "en": 10}

    changed = _records(20)
    changed[3]["turns"] = [{"role": "customer", "text": "Everything is great, thank you"}]
    ingest_files(session_factory, [write_jsonl(tmp_path / "b.jsonl", changed)])
    assert _run(session_factory, pipeline) == 1  # only the changed interaction
    with session_scope(session_factory) as session:
        third = get_result(session, "acme", external_id="c-000003")
    assert third is not None and third.sentiment_label == "positive"
    assert _count(session_factory) == 20

    class NewerSentiment(SentimentAnalyzer):
        version: ClassVar[str] = "senti-test-2"

    newer = AnalysisPipeline(language=pipeline.language, sentiment=NewerSentiment()).fit()
    assert _run(session_factory, newer) == 20  # a changed analyzer makes all stale
    with session_scope(session_factory) as session:
        again = get_result(session, "acme", external_id="c-000000")
    assert again is not None and again.versions["sentiment"] == "senti-test-2"


def test_since_and_tenant_scope(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    records = _records(10) + _records(5, tenant="other")
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    pipeline = build_pipeline(["sentiment"])
    since = datetime(2026, 11, 6, tzinfo=UTC)
    assert _run(session_factory, pipeline, since=since) == 5  # days 6..10
    assert _run(session_factory, pipeline) == 5  # the rest of acme, never "other"
    with session_scope(session_factory) as session:
        assert get_result(session, "other", external_id="c-000000") is None
        assert get_result(session, "acme", external_id="c-000000") is not None
        tenants = set(session.scalars(select(AnalysisResult.tenant)))
    assert tenants == {"acme"}


class _FailAfterFirst:
    """A local engine whose run breaks after the first batch (a crash mid-run)."""

    def __init__(self) -> None:
        self.inner = LocalEngine(workers=1)

    def map(
        self, pipeline: AnalysisPipeline, batches: Iterable[pa.RecordBatch]
    ) -> Iterator[pa.RecordBatch]:
        for i, result in enumerate(self.inner.map(pipeline, batches)):
            if i == 1:
                raise RuntimeError("worker lost")
            yield result

    def close(self) -> None:
        self.inner.close()


def test_interrupted_run_resumes(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records(20))])
    pipeline = build_pipeline(["sentiment"])
    with pytest.raises(RuntimeError, match="worker lost"):
        analyze_store(
            session_factory, ["acme"], engine=_FailAfterFirst(), pipeline=pipeline, batch_size=7
        )
    assert _count(session_factory) == 7  # the finished batch is kept
    assert _run(session_factory, pipeline) == 13


def test_erasing_interactions_erases_results(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", _records(4))])
    _run(session_factory, build_pipeline(["sentiment"]))
    with session_scope(session_factory) as session:
        InteractionRepository(session, "acme").delete_ids(["c-000000", "c-000001"])
    assert _count(session_factory) == 2


def test_cli_analyze_and_rerun(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from criterio.config import get_settings

    monkeypatch.setenv("CRITERIO_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    path = write_jsonl(tmp_path / "a.jsonl", _records(6))
    assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
    result = runner.invoke(app, ["analyze", "--tenant", "acme", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "6 analysed" in result.output
    again = runner.invoke(app, ["analyze", "--workers", "1"])
    assert "Nothing to analyse" in again.output
    bad = runner.invoke(app, ["analyze", "--since", "yesterday"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    get_settings.cache_clear()


def test_cli_annotate_streams_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "No funciona nada 😡"}),
                "{broken",
                json.dumps({"id": "b", "turns": [{"role": "customer", "text": 5}]}),
                json.dumps(
                    {
                        "id": "c",
                        "turns": [
                            {"role": "customer", "text": "my card was declined"},
                            {"role": "agent", "text": "Sorry, fixed."},
                            {"role": "customer", "text": "great, thanks!"},
                        ],
                    }
                ),
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["annotate", str(source), "--analyzers", "language,sentiment"])
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "c"]
    assert lines[0]["language"] == "es" and lines[0]["sentiment"]["label"] == "negative"
    assert lines[1]["sentiment"]["trajectory"] == "recovered"
    assert "line 2: not valid JSON" in result.stderr
    assert "line 3 (id b): field 'turns[0].text'" in result.stderr
    unknown = CliRunner().invoke(app, ["annotate", str(source), "--analyzers", "mood"])
    assert unknown.exit_code == 2


PII_RECORD = {
    "turns": [
        {
            "role": "customer",
            "text": "Soy Lucía Fernández, DNI 12345678Z, correo lucia@example.com",
        },
        {"role": "agent", "text": "Gracias, Lucía. Lo reviso."},
        {"role": "customer", "text": "Llamadme al 612 345 678, estoy harta"},
    ]
}
RAW_PII = ("12345678Z", "lucia@example.com", "612 345 678")


def test_stored_results_hold_only_redacted_text(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    records = [interaction(0, **PII_RECORD), *_records(3)[1:]]
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    assert _run(session_factory, build_pipeline()) == 3
    with session_scope(session_factory) as session:
        result = get_result(session, "acme", external_id="c-000000")
    assert result is not None and result.redacted_turns is not None
    stored = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    for value in RAW_PII:
        assert value not in stored
    assert {span["type"] for span in result.pii or []} >= {"DNI", "EMAIL", "PHONE"}
    assert result.versions.keys() == {"language", "pii", "sentiment"}
    # "estoy harta" is the customer's last word; the introduction before it is neutral.
    assert result.sentiment_last is not None and result.sentiment_last < 0
    assert result.sentiment_label in {"negative", "neutral"}
    # The detectors' table cuts term segments from the customer's redacted words only.
    with session_scope(session_factory) as session:
        table = InteractionTableRepository(session, "acme").table().set_index("id")
    text = str(table.loc["c-000000", "text"])
    assert "harta" in text and "Lo reviso" not in text
    for value in RAW_PII:
        assert value not in text


def test_cli_annotate_default_redacts_before_printing(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    text = "Mi correo es lucia@example.com y mi DNI 12345678Z, no funciona nada"
    source.write_text(
        json.dumps({"id": "f", "text": text}) + "\n" + json.dumps({"id": "t", **PII_RECORD}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["annotate", str(source)])
    assert result.exit_code == 0, result.output
    for value in RAW_PII:
        assert value not in result.stdout
    flat, turns = (json.loads(x) for x in result.stdout.splitlines())
    assert set(flat) == {"id", "language", "redacted_text", "pii", "sentiment"}
    spans = {s["type"]: text[s["start"] : s["end"]] for s in flat["pii"]}
    assert spans["EMAIL"] == "lucia@example.com" and spans["DNI"] == "12345678Z"
    assert flat["sentiment"]["label"] == "negative" and flat["language"] == "es"
    assert len(turns["redacted_turns"]) == 3 and all("turn" in s for s in turns["pii"])


def test_detectors_read_the_analysis(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    from criterio.insights.repository import InteractionTableRepository

    records = _records(10)
    for record in records:
        del record["language"]  # the analysis must fill it in
    ingest_files(session_factory, [write_jsonl(tmp_path / "a.jsonl", records)])
    with session_scope(session_factory) as session:
        before = InteractionTableRepository(session, "acme").table()
    assert before["language"].isna().all() and "sentiment_score" not in before
    _run(session_factory, build_pipeline(["language", "sentiment"]))
    with session_scope(session_factory) as session:
        table = InteractionTableRepository(session, "acme").table().set_index("id")
    assert len(table) == 10
    assert table.loc["c-000000", "language"] == "es"
    assert table.loc["c-000001", "language"] == "en"
    assert table.loc["c-000000", "sentiment_score"] < 0 < table.loc["c-000001", "sentiment_score"]
