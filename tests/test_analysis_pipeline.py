"""The per-batch pipeline function on Arrow batches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pyarrow as pa
import pytest

from criterio.analysis.pipeline import (
    AnalysisPipeline,
    analyze_batch,
    build_pipeline,
    interactions_to_batch,
)

RECORDS = [
    {
        "id": "c-1",
        "turns": [
            {"role": "customer", "text": "No funciona el router, estoy harto"},
            {"role": "agent", "text": "Lo reviso ahora mismo"},
            {"role": "customer", "text": "Genial, ya va. Muchas gracias!"},
        ],
    },
    {"id": "c-2", "text": "I was charged twice, this is unacceptable"},
    {"id": "c-3", "turns": [{"role": "agent", "text": "Hello, how can I help?"}]},
]


def test_results_per_interaction() -> None:
    pipeline = build_pipeline(["language", "sentiment"])
    result = analyze_batch(interactions_to_batch(RECORDS), pipeline).to_pylist()
    assert [r["id"] for r in result] == ["c-1", "c-2", "c-3"]
    assert [r["language"] for r in result] == ["es", "en", "en"]
    first, second, third = result
    assert first["trajectory"] == "recovered"
    assert first["sentiment_first"] < 0 < first["sentiment_last"]
    assert second["sentiment_label"] == "negative"
    assert third["sentiment_score"] is None  # the customer said nothing
    assert json.loads(first["versions"]) == pipeline.versions()
    # No redactor configured: no text leaves the pipeline.
    assert first["redacted_turns"] is None


def test_unknown_analyzer() -> None:
    with pytest.raises(ValueError, match="unknown analyzers"):
        build_pipeline(["language", "mood"])


@dataclass(frozen=True)
class _Span:
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class _Redaction:
    text: str
    spans: list[_Span]


class _DigitsRedactor:
    """A real (tiny) redactor of the PIIRedactor interface: digits runs become <NUM>."""

    version: ClassVar[str] = "digits-1"

    def fit(self) -> _DigitsRedactor:
        return self

    def redact(self, texts: Sequence[str], groups: Sequence[str] | None = None) -> list[_Redaction]:
        import re

        out = []
        for text in texts:
            spans = [_Span("NUM", m.start(), m.end()) for m in re.finditer(r"\d+", text)]
            out.append(_Redaction(re.sub(r"\d+", "<NUM>", text), spans))
        return out


def test_injected_redactor_runs_first_and_maps_spans() -> None:
    pipeline = AnalysisPipeline(redactor=_DigitsRedactor()).fit()
    records = [
        {
            "id": "a",
            "turns": [
                {"role": "customer", "text": "my number is 600123123"},
                {"role": "agent", "text": "thanks"},
                {"role": "customer", "text": "and 42"},
            ],
        },
        {"id": "b", "text": "nothing here"},
    ]
    result = analyze_batch(interactions_to_batch(records), pipeline).to_pylist()
    assert result[0]["redacted_turns"][0]["text"] == "my number is <NUM>"
    assert result[0]["pii"] == [
        {"turn": 0, "type": "NUM", "start": 13, "end": 22},
        {"turn": 2, "type": "NUM", "start": 4, "end": 6},
    ]
    assert result[1]["pii"] == []
    assert json.loads(result[0]["versions"]) == {"pii": "digits-1"}
    assert result[0]["language"] is None


def test_passthrough_and_empty_batch() -> None:
    batch = interactions_to_batch(
        [{"id": "x", "text": "hola", "pk": 7, "tenant": "t", "content_hash": "h"}]
    )
    row = analyze_batch(batch, build_pipeline(["sentiment"])).to_pylist()[0]
    assert (row["pk"], row["tenant"], row["content_hash"]) == (7, "t", "h")
    empty = interactions_to_batch([])
    assert analyze_batch(empty, build_pipeline(["language", "sentiment"])).num_rows == 0


def test_sliced_batch_is_handled() -> None:
    batch = interactions_to_batch(RECORDS).slice(1, 2)
    result = analyze_batch(batch, build_pipeline(["language", "sentiment"]))
    assert result.column("id").to_pylist() == ["c-2", "c-3"]
    assert result.column("sentiment_label").to_pylist() == ["negative", None]
    assert isinstance(result, pa.RecordBatch)


def test_repeated_texts_give_the_same_results_as_alone() -> None:
    """A batch analyses each distinct text once; repeats get exactly the lone results."""
    from criterio.analysis.base import unique_texts

    pipeline = build_pipeline()
    texts = [
        "Hola, soy Juan Pérez y mi teléfono es 612 345 678, no funciona nada",
        "Thanks, that works great!",
        "Hola, soy Juan Pérez y mi teléfono es 612 345 678, no funciona nada",
        "",
        "Thanks, that works great!",
    ]
    assert unique_texts(texts) == ([texts[0], texts[1], ""], [0, 1, 0, 2, 1])
    alone_sentiment = [float(pipeline.sentiment.decision_function([t])[0]) for t in texts]
    assert pipeline.sentiment.decision_function(texts).tolist() == alone_sentiment
    alone_language = [str(pipeline.language.predict([t])[0]) for t in texts]
    assert pipeline.language.predict(texts).tolist() == alone_language
    assert alone_language[:2] == ["es", "en"]
    together = pipeline.redactor.redact(texts, groups=["a", "a", "b", "b", "b"])
    alone = [pipeline.redactor.redact([t])[0] for t in texts]
    assert [r.spans for r in together] == [r.spans for r in alone]
    assert together[2].text == alone[0].text  # numbering restarts in the new group
    assert "612 345 678" not in together[2].text
