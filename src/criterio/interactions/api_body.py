"""The interactions API's request bodies: read raw, each record decoded once to its row.

The common record goes through the ingest's compiled decoder (``_fast.decode_row``:
msgspec, straight to the table row, no pydantic model, no ``json.loads`` of the body
first). Whatever it refuses goes through pydantic's ``InteractionIn``, which accepts it
(the lax cases) or names the record and field; the rows are the same either way (the
fast decoder is tested against ``to_row``). Bodies that are not JSON, or not the
expected shape, get FastAPI's own 422 answer, as when FastAPI parsed them.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError

from criterio.interactions._fast import decode_row
from criterio.interactions.readers.base import RawRecord, RecordError
from criterio.interactions.service import to_row, validate_record

__all__ = ["RawBody", "RecordProblem", "batch_items", "batch_rows", "one_row", "raw_json_body"]

#: The body's records as raw JSON texts: one pass that only finds their bounds.
_RAW_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_LIST = TypeAdapter(list[Any])
_OBJECT = TypeAdapter(dict[str, Any])


class RecordProblem(BaseModel):
    """Why one record was refused: its place in the batch, its id, the field and why."""

    index: int
    record_id: str | None
    field: str
    message: str


@dataclass(frozen=True)
class RawBody:
    """A request's body as received (None when empty) and whether it is declared JSON."""

    data: bytes | None
    is_json: bool


async def raw_json_body(request: Request) -> RawBody:
    """The request's body unparsed, and whether FastAPI would have parsed it as JSON.

    FastAPI parses a body only under a JSON content type; any other body is given to
    validation as bytes and refused (``_checked`` does the same).
    """
    body = await request.body()
    content_type = request.headers.get("content-type")
    if content_type == "application/json":  # what nearly every client sends: no parsing
        return RawBody(body or None, True)
    is_json = False
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        if message.get_content_maintype() == "application":
            subtype = message.get_content_subtype()
            is_json = subtype == "json" or subtype.endswith("+json")
    return RawBody(body or None, is_json)


def _checked(body: RawBody, adapter: TypeAdapter[Any]) -> bytes:
    """The JSON text of a body, or FastAPI's 422 for a missing or non-JSON one."""
    if body.data is None:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    if not body.is_json:
        raise _shape_error(adapter, body.data)
    return body.data


@contextmanager
def _nesting_guard() -> Iterator[None]:
    """FastAPI's 400 for JSON nested too deep to parse (it catches the RecursionError)."""
    try:
        yield
    except RecursionError:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from None


def _loads(body: bytes) -> Any:
    """``json.loads`` as FastAPI calls it, with its 422 for text that is not JSON."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ]
        ) from exc
    except UnicodeDecodeError as exc:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": str(exc), "input": {}}]
        ) from exc


def _shape_error(adapter: TypeAdapter[Any], value: Any) -> RequestValidationError:
    """FastAPI's 422 for a body that is not the declared shape."""
    try:
        adapter.validate_python(value)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors])
    raise AssertionError("a value of the right shape has no shape error")  # pragma: no cover


def batch_items(raw: RawBody) -> list[bytes] | list[Any]:
    """The batch's records: raw JSON texts, or parsed values for JSON only ``json`` reads."""
    body = _checked(raw, _LIST)
    with _nesting_guard():
        try:
            return [bytes(item) for item in _RAW_ARRAY.decode(body)]
        except msgspec.DecodeError:
            # Not an array, or JSON msgspec refuses and Python's json reads (NaN, huge
            # numbers): the same path as before, parsed whole by the standard library.
            value = _loads(body)
    if not isinstance(value, list):
        raise _shape_error(_LIST, value)
    return value


def batch_rows(
    items: list[bytes] | list[Any], tenant: str
) -> tuple[list[dict[str, Any]], list[int], list[RecordProblem]]:
    """Rows of the good records, their positions in the batch, and each bad record's problem."""
    rows: list[dict[str, Any]] = []
    positions: list[int] = []
    problems: list[RecordProblem] = []
    for index, item in enumerate(items):
        with _nesting_guard():
            row = decode_row(item, tenant) if isinstance(item, bytes) else None
            value = json.loads(item) if row is None and isinstance(item, bytes) else item
        if row is None:
            found = _validate_value(index, value, tenant)
            if isinstance(found, RecordProblem):
                problems.append(found)
                continue
            row = found
        rows.append(row)
        positions.append(index)
    return rows, positions, problems


def one_row(raw: RawBody, tenant: str) -> dict[str, Any] | RecordProblem:
    """The row of a single posted record, or why it was refused."""
    body = _checked(raw, _OBJECT)
    with _nesting_guard():
        row = decode_row(body, tenant)
        if row is not None:
            return row
        value = _loads(body)
    if not isinstance(value, dict):
        raise _shape_error(_OBJECT, value)
    return _validate_value(0, value, tenant)


def _validate_value(index: int, item: Any, tenant: str) -> dict[str, Any] | RecordProblem:
    """One parsed record through pydantic: its row, or its problem named by field."""
    if not isinstance(item, dict):
        return RecordProblem(
            index=index, record_id=None, field="(record)", message="a record must be a JSON object"
        )
    nul_at = _nul_field(item)
    if nul_at is not None:
        # PostgreSQL cannot store NUL in text or JSONB; refuse it with the field named.
        return RecordProblem(
            index=index, record_id=_text_id(item), field=nul_at, message="contains a NUL character"
        )
    result = validate_record(RawRecord("api", f"record {index}", item), tenant)
    if isinstance(result, RecordError):
        return RecordProblem(
            index=index, record_id=result.record_id, field=result.field, message=result.message
        )
    return to_row(result, now=datetime.now(UTC), import_id=None)


def _nul_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character, if any."""
    if isinstance(value, str):
        return (path or "(record)") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_field(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_field(item, f"{path}.{i}")
            if found is not None:
                return found
    return None


def _text_id(item: dict[str, Any]) -> str | None:
    value = item.get("id")
    return str(value).replace("\x00", "") if value is not None else None
