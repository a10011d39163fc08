"""Compiled fast path for the common valid record: msgspec decode straight to a table row.

pydantic's ``InteractionIn`` stays the contract and the reference. The msgspec structs
below mirror it but are *stricter*: no lax coercion (numbers as text, "true" as a
boolean), no whitespace stripping, no U+0000, at most 6 fractional digits in times.
Whatever they refuse goes through pydantic, which then either accepts it (the lax
cases) or names the record and field in its error. So a record accepted here is one
pydantic accepts as well, and the row built here equals ``service.to_row``'s; tests
compare the two on generated records.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
import orjson
from msgspec import UNSET, Meta, Struct, UnsetType

from criterio.digest import content_digest
from criterio.interactions.schemas import (
    MAX_INTERACTION_CHARS,
    MAX_TEXT_CHARS,
    MAX_TURNS,
    YEAR_RANGE,
    check_timestamp,
)

__all__ = ["TURNS_JSON", "decode_row", "mapping_row", "plain_row"]

_Aware = Annotated[datetime, Meta(tz=True)]
_Identifier = Annotated[str, Meta(min_length=1, max_length=200)]
# \Z, not $: Python's $ also matches before a final newline, which pydantic strips.
_Tenant = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")]
_Text = Annotated[str, Meta(max_length=MAX_TEXT_CHARS)]
_Short = Annotated[str, Meta(max_length=500)]
_Key = Annotated[str, Meta(max_length=100)]
_Channel = Literal["chat", "email", "voice", "social", "messaging", "web", "sms", "other"]
_Role = Literal["customer", "agent", "bot", "system"]


class _Turn(Struct, frozen=True):
    role: _Role
    text: _Text
    at: _Aware | None = None


class _Outcome(Struct, frozen=True):
    handled_by: Literal["bot", "human"] | None = None
    agent_id: _Short | None = None
    resolved: bool | None = None
    csat: Annotated[int, Meta(ge=1, le=5)] | None = None
    escalated: bool | None = None
    resolution_code: _Short | None = None


class _Record(Struct, frozen=True):
    id: _Identifier
    started_at: _Aware
    tenant: _Tenant | UnsetType = UNSET
    channel: _Channel | None = None
    ended_at: _Aware | None = None
    customer_id: _Identifier | None = None
    language: Annotated[str, Meta(max_length=16)] | None = None
    attributes: dict[_Key, _Short] = {}
    turns: Annotated[list[_Turn], Meta(max_length=MAX_TURNS)] = []
    text: _Text | None = None
    outcome: _Outcome | None = None
    labels: dict[_Key, _Short] = {}


#: Key of a fast row holding its turns as JSON bytes (``turns`` is the same bytes as an
#: ``orjson.Fragment``, which orjson writes as is but SQLAlchemy cannot serialise).
TURNS_JSON = "_turns_json"
# Sorted keys as in service.to_row's digest; OPT_UTC_Z writes a UTC time as "...Z" and
# its microseconds only when not zero, exactly like to_row's isoformat()[:-6] + "Z".
_TURNS_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z
_DECODER = msgspec.json.Decoder(_Record)
# msgspec rounds a 7th fractional digit of a time, pydantic truncates it: leave such
# records (never seen in practice) to pydantic. A false hit only costs speed.
_LONG_FRACTION = re.compile(rb"\.\d{7}")


def decode_row(data: bytes, tenant: str | None) -> dict[str, Any] | None:
    """The row (as ``to_row`` builds it, without times of writing) or None: ask pydantic."""
    if b"\\u0000" in data or _LONG_FRACTION.search(data) is not None:
        return None
    try:
        record = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return _row(record, tenant)


def mapping_row(data: dict[str, Any], tenant: str | None) -> dict[str, Any] | None:
    """``decode_row`` for an already parsed mapping (Parquet rows); None: ask pydantic."""
    if _unusual(data):
        return None
    try:
        record = msgspec.convert(data, _Record, strict=True)
    except msgspec.ValidationError:
        return None
    return _row(record, tenant)


def _unusual(data: dict[str, Any]) -> bool:
    # Times only as real datetimes (text times, e.g. from a flat file, could be rounded
    # differently; subclasses such as pandas' Timestamp are left to pydantic too), and
    # no U+0000 in any text.
    for key in ("started_at", "ended_at"):
        value = data.get(key)
        if value is not None and type(value) is not datetime:
            return True
    turns = data.get("turns")
    if isinstance(turns, list):
        for turn in turns:
            if isinstance(turn, dict):
                at = turn.get("at")
                if at is not None and type(at) is not datetime:
                    return True
    return _has_nul(data)


def _has_nul(value: dict[str, Any]) -> bool:
    # One C-level pass instead of walking every nested text in Python (that walk cost
    # more than decoding the record): JSON writes U+0000 as the escape \u0000. A text
    # holding those six characters literally also matches; it then only goes through
    # pydantic, which accepts it.
    try:
        encoded = orjson.dumps(value)
    except TypeError:  # a value orjson cannot write (bytes, a huge int): pydantic judges
        return True
    return b"\\u0000" in encoded


#: Local years well inside YEAR_RANGE: no UTC offset (under a day) can move them out,
#: so the common time needs no conversion to check.
_SAFE_YEARS = range(YEAR_RANGE[0] + 1, YEAR_RANGE[1] - 1)


def _in_range(value: datetime) -> bool:
    if value.year in _SAFE_YEARS:
        return True
    try:
        check_timestamp(value)
    except ValueError:
        return False
    return True


def _stripped(value: str | None) -> bool:
    return value is None or value.strip() == value


def _row(record: _Record, tenant: str | None) -> dict[str, Any] | None:
    # Checks pydantic does by stripping or in its model validator: on any doubt, None.
    if not (_stripped(record.id) and _stripped(record.customer_id)):
        return None
    turns_in, text = record.turns, record.text
    if turns_in:
        if text is not None:
            return None
    elif not (text and text.strip()):
        return None
    # Range errors are worded by pydantic's path. One plain loop, not generators: this
    # runs for every record.
    started_at, ended_at = record.started_at, record.ended_at
    if started_at.year not in _SAFE_YEARS and not _in_range(started_at):
        return None
    if ended_at is not None and ended_at.year not in _SAFE_YEARS and not _in_range(ended_at):
        return None
    started = started_at if started_at.tzinfo is UTC else started_at.astimezone(UTC)
    ended = None
    if ended_at is not None:
        ended = ended_at if ended_at.tzinfo is UTC else ended_at.astimezone(UTC)
        if ended < started:
            return None
    if turns_in:
        turns = _turns(turns_in)
        if turns is None:
            return None
    else:
        turns = [{"role": "customer", "text": text or "", "at": started}]
    given = record.tenant
    if tenant is not None:
        if given is not UNSET and given != tenant:
            return None  # pydantic's path words the tenant error
        owner = tenant
    else:
        owner = "default" if isinstance(given, UnsetType) else given
    # Serialised once, with the times written by orjson (as the contract's "...Z"),
    # for both the digest and the stored JSON: no per-turn isoformat().
    turns_json = orjson.dumps(turns, option=_TURNS_OPTIONS)
    outcome = record.outcome
    outcome_values = (
        None
        if outcome is None
        else [
            outcome.handled_by,
            outcome.agent_id,
            outcome.resolved,
            outcome.csat,
            outcome.escalated,
            outcome.resolution_code,
        ]
    )
    return table_row(
        owner,
        record.id,
        record.channel,
        started,
        ended,
        record.customer_id,
        record.language,
        record.attributes,
        turns_json,
        outcome_values,
        record.labels,
    )


def table_row(
    owner: str,
    external_id: str,
    channel: str | None,
    started: datetime,
    ended: datetime | None,
    customer_id: str | None,
    language: str | None,
    attributes: dict[str, str],
    turns_json: bytes,
    outcome: list[Any] | None,
    labels: dict[str, str],
) -> dict[str, Any]:
    """The table row of a checked interaction, with its content digest: the same for a
    decoded record (above) and for Arrow columns (``_arrow``). The turns go in already
    serialised (``turns_json``), for both the digest and the stored JSON."""
    fragment = orjson.Fragment(turns_json)
    digest = content_digest(
        [
            external_id,
            channel,
            started,
            ended,
            customer_id,
            language,
            attributes,
            fragment,
            outcome,
            labels,
        ]
    )
    handled_by, agent_id, resolved, csat, escalated, code = outcome or (None,) * 6
    return {
        "tenant": owner,
        "external_id": external_id,
        "channel": channel,
        "started_at": started,
        "ended_at": ended,
        "customer_id": customer_id,
        "language": language,
        "attributes": attributes,
        "turns": fragment,
        TURNS_JSON: turns_json,
        "handled_by": handled_by,
        "agent_id": agent_id,
        "resolved": resolved,
        "csat": csat,
        "escalated": escalated,
        "resolution_code": code,
        "labels": labels,
        "content_hash": digest,
    }


def _turns(turns_in: list[_Turn]) -> list[dict[str, Any]] | None:
    """The turns as stored (times in UTC), or None: a time out of range, or too long."""
    turns: list[dict[str, Any]] = []
    total = 0
    for turn in turns_in:
        at = turn.at
        total += len(turn.text)
        if at is None:
            turns.append({"role": turn.role, "text": turn.text})
            continue
        if at.year not in _SAFE_YEARS and not _in_range(at):
            return None
        if at.tzinfo is not UTC:
            at = at.astimezone(UTC)
        turns.append({"role": turn.role, "text": turn.text, "at": at})
    return None if total > MAX_INTERACTION_CHARS else turns


def plain_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with ``turns`` as Python objects, for writers going through SQLAlchemy."""
    if TURNS_JSON not in row:
        return row
    plain = {k: v for k, v in row.items() if k != TURNS_JSON}
    plain["turns"] = orjson.loads(row[TURNS_JSON])
    return plain
