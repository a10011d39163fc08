"""Annotating JSON Lines without a store: one output line per good input line.

Input lines are the interaction contract or simply ``{"id": ..., "text": ...}``; they are
read and written a chunk at a time, so memory stays constant however long the stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from criterio.analysis.pipeline import AnalysisPipeline, analyze_batch, interactions_to_batch

__all__ = ["AnnotateReport", "LineError", "annotate_lines", "parse_line"]

MAX_TEXT_CHARS = 100_000  # the data contract's limit for one turn
ROLES = frozenset({"customer", "agent", "bot", "system"})


@dataclass(frozen=True)
class LineError:
    """A rejected input line: where, which record and field, and why."""

    line: int
    record_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (id {self.record_id})" if self.record_id else "")
        return f"{where}: " + (f"field '{self.field}': " if self.field else "") + self.message


@dataclass
class AnnotateReport:
    """How many lines were annotated and rejected."""

    annotated: int = 0
    rejected: int = 0


class _InvalidLineError(ValueError):
    def __init__(self, field: str | None, message: str, record_id: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.record_id = record_id


def parse_line(text: str | bytes) -> dict[str, Any]:
    """One input record as ``{"id", "turns"|"text"}``; raises ValueError naming the field."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise _InvalidLineError(None, f"not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise _InvalidLineError(None, "a JSON object is expected")
    record_id = value.get("id")
    if not isinstance(record_id, str | int) or isinstance(record_id, bool) or record_id == "":
        raise _InvalidLineError("id", "a non-empty string is required")
    rid = str(record_id)
    turns = value.get("turns")
    flat = value.get("text")
    if turns is not None:
        if not isinstance(turns, list) or not turns:
            raise _InvalidLineError("turns", "a non-empty list of {role, text} is expected", rid)
        clean = []
        for i, turn in enumerate(turns):
            if not isinstance(turn, dict):
                raise _InvalidLineError(
                    f"turns[{i}]", "an object with role and text is expected", rid
                )
            if turn.get("role") not in ROLES:
                raise _InvalidLineError(
                    f"turns[{i}].role", f"one of {', '.join(sorted(ROLES))}", rid
                )
            clean.append(
                {"role": turn["role"], "text": _text(turn.get("text"), f"turns[{i}].text", rid)}
            )
        return {"id": rid, "turns": clean}
    if flat is None:
        raise _InvalidLineError("text", "either 'text' or 'turns' is required", rid)
    return {"id": rid, "text": _text(flat, "text", rid)}


def _text(value: Any, field: str, rid: str) -> str:
    if not isinstance(value, str):
        raise _InvalidLineError(field, "a string is expected", rid)
    if len(value) > MAX_TEXT_CHARS:
        raise _InvalidLineError(field, f"longer than {MAX_TEXT_CHARS:,} characters", rid)
    return value


def annotate_lines(
    lines: Iterable[str | bytes],
    pipeline: AnalysisPipeline,
    out: IO[bytes],
    *,
    chunk_size: int = 1000,
    on_error: Callable[[LineError], None] | None = None,
) -> AnnotateReport:
    """Annotate every good line of ``lines`` into ``out`` (JSON Lines, input order)."""
    report = AnnotateReport()
    for chunk in _chunks(lines, chunk_size, report, on_error):
        result = analyze_batch(interactions_to_batch(chunk), pipeline)
        for record, row in zip(chunk, result.to_pylist(), strict=True):
            out.write(orjson.dumps(_shape(record, row, pipeline)) + b"\n")
        out.flush()
        report.annotated += len(chunk)
    return report


def _chunks(
    lines: Iterable[str | bytes],
    size: int,
    report: AnnotateReport,
    on_error: Callable[[LineError], None] | None,
) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            chunk.append(parse_line(line))
        except _InvalidLineError as error:
            report.rejected += 1
            if on_error is not None:
                on_error(LineError(number, error.record_id, error.field, error.message))
            continue
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _shape(
    record: dict[str, Any], row: dict[str, Any], pipeline: AnalysisPipeline
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record["id"]}
    flat = "turns" not in record
    if pipeline.language is not None:
        out["language"] = row["language"]
    if pipeline.redactor is not None:
        if flat:
            out["redacted_text"] = row["redacted_turns"][0]["text"]
            out["pii"] = [{k: s[k] for k in ("type", "start", "end")} for s in row["pii"]]
        else:
            out["redacted_turns"] = row["redacted_turns"]
            out["pii"] = row["pii"]
    if pipeline.sentiment is not None:
        sentiment: dict[str, Any] = {
            "label": row["sentiment_label"],
            "score": _round(row["sentiment_score"]),
        }
        if not flat:
            sentiment.update(
                first=_round(row["sentiment_first"]),
                last=_round(row["sentiment_last"]),
                trajectory=row["trajectory"],
            )
        out["sentiment"] = sentiment
    if pipeline.intents is not None:
        out["intent"] = {"label": row["intent_label"], "confidence": row["intent_confidence"]}
    if pipeline.topics is not None:
        out["topic"] = {"id": row["topic_id"], "label": row["topic_label"]}
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
