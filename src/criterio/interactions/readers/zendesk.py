"""Zendesk Support tickets, in the shapes of Zendesk's public API.

Accepted files (JSON, or gzipped JSON):

* a ticket list page or an incremental export: ``{"tickets": [...], "next_page": ...}``
  (``GET /api/v2/tickets.json``, ``/api/v2/incremental/tickets/cursor.json``), or a
  search page ``{"results": [...]}`` (non-ticket results are skipped);
* a JSON array of tickets;
* JSON Lines, one ticket a line;
* one ticket with its comments: ``{"ticket": {...}, "comments": [...]}`` (the
  responses of ``GET /api/v2/tickets/{id}.json`` and ``.../comments.json`` merged).

A ticket's conversation is its ``comments`` list (embedded in the ticket or beside it).
A comment by the requester is a customer turn, any other author's an agent turn;
private comments (internal notes, ``"public": false``) are left out unless the option
``internal_notes=true`` is given (they become agent turns). A ticket without comments
(list endpoints do not embed them) becomes one customer turn: its ``description``,
which Zendesk sets to the first comment's text. Deleted tickets (``"status":
"deleted"`` in incremental exports) are skipped. A bare ``{"comments": [...]}`` page
names no ticket and is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import ijson
import orjson

from criterio.interactions.readers._json import (
    MappingError,
    is_utf8,
    map_items,
    open_bytes,
    parse_time,
    require,
    stream_items,
    text_of,
)
from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = ["CHANNELS", "CSAT", "OPTIONS", "read_zendesk"]

#: Reader options (``--format zendesk:internal_notes=true``).
OPTIONS = ("internal_notes",)

#: Zendesk ``via.channel`` → contract channel; anything else is ``other``.
CHANNELS = {
    "email": "email",
    "web": "web",
    "web_form": "web",
    "web_widget": "web",
    "help_center": "web",
    "chat": "chat",
    "chat_transcript": "chat",
    "voice": "voice",
    "phone": "voice",
    "sms": "sms",
    "twitter": "social",
    "facebook": "social",
    "instagram_dm": "messaging",
    "native_messaging": "messaging",
    "whatsapp": "messaging",
    "mobile_sdk": "messaging",
    "mobile": "messaging",
    "line": "messaging",
    "wechat": "messaging",
    "telegram": "messaging",
}
#: Zendesk's two-point satisfaction score on the contract's 1..5 CSAT scale.
CSAT = {"good": 5, "bad": 1}
RESOLVED = {"solved", "closed"}
SUBJECT_CHARS = 500
NO_TICKET = (
    "a comments page names no ticket; export each ticket with its comments, as "
    '{"ticket": {...}, "comments": [...]} or a "comments" list inside the ticket'
)


def read_zendesk(
    path: Path, encoding: str = "utf-8", options: Mapping[str, str] | None = None
) -> Iterator[RawRecord | RecordError]:
    """Stream the tickets of a Zendesk export as contract records."""
    notes = (options or {}).get("internal_notes", "false").lower() == "true"
    source = str(path)
    try:
        with open_bytes(path, encoding) as handle:
            head = [handle.readline(1 << 20) for _ in range(5)]
    except (OSError, EOFError, LookupError, UnicodeDecodeError) as exc:
        yield RecordError(source, "file", "(file)", f"cannot read the file: {exc}")
        return
    if any(_is_json_line(line) for line in head):
        yield from _read_lines(path, encoding, notes)
        return
    found = False
    for item in map_items(
        path,
        stream_items(path, "ticket", encoding, keys=("tickets", "results")),
        lambda element, _key: _ticket_record(element, None, notes),
        _ticket_id,
    ):
        found = True
        yield item
    if not found:
        yield from _read_single(path, encoding, notes)


def _is_json_line(line: bytes) -> bool:
    # A whole ticket on one unindented line: JSON Lines. (Elements of a pretty-printed
    # document are indented, and a page's first line is the page, not a ticket.)
    if not line.startswith(b"{"):
        return False
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and not ({"tickets", "results"} & value.keys())


def _read_lines(path: Path, encoding: str, notes: bool) -> Iterator[RawRecord | RecordError]:
    source = str(path)
    with open_bytes(path, encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                element = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                problem = "not valid UTF-8" if "utf-8" in str(exc).lower() else "not valid JSON"
                hint = (
                    "; if the file is Latin-1, import it again with --encoding latin-1"
                    if problem.startswith("not valid UTF") and is_utf8(encoding)
                    else ""
                )
                yield RecordError(source, location, "(json)", f"{problem}: {exc}{hint}")
                continue
            try:
                record = _ticket_record(element, None, notes)
            except MappingError as problem:
                yield RecordError(
                    source, location, problem.field, problem.message, _ticket_id(element)
                )
                continue
            if record is not None:
                yield RawRecord(source, location, record)


def _read_single(path: Path, encoding: str, notes: bool) -> Iterator[RawRecord | RecordError]:
    # Only reached for a document without a "tickets"/"results" array: one ticket
    # with its comments, small enough to hold whole.
    source = str(path)
    try:
        with open_bytes(path, encoding) as handle:
            document = next(iter(ijson.items(handle, "", use_float=True)), None)
    except (ijson.JSONError, UnicodeDecodeError, EOFError, OSError) as exc:
        yield RecordError(source, "document", "(json)", f"not valid JSON: {exc}")
        return
    if isinstance(document, dict) and "ticket" in document:
        ticket, comments = document["ticket"], document.get("comments")
        try:
            record = _ticket_record(ticket, comments, notes)
        except MappingError as problem:
            yield RecordError(source, "ticket", problem.field, problem.message, _ticket_id(ticket))
            return
        if record is not None:
            yield RawRecord(source, "ticket", record)
    elif isinstance(document, dict) and "comments" in document:
        yield RecordError(source, "document", "ticket", NO_TICKET)
    elif not (isinstance(document, dict) and document.get("tickets") == []):
        yield RecordError(
            source,
            "document",
            "(json)",
            'expected Zendesk tickets: {"tickets": [...]}, {"ticket": ..., "comments": '
            "[...]}, an array of tickets or one ticket a line",
        )


def _ticket_id(element: Any) -> str | None:
    if isinstance(element, dict) and isinstance(element.get("ticket"), dict):
        element = element["ticket"]
    value = element.get("id") if isinstance(element, dict) else None
    return str(value) if value is not None else None


def _ticket_record(ticket: Any, comments: Any, notes: bool) -> dict[str, Any] | None:
    if isinstance(ticket, dict) and isinstance(ticket.get("ticket"), dict):
        # {"ticket": ..., "comments": ...} as an element of an array or a line
        ticket, comments = ticket["ticket"], ticket.get("comments", comments)
    if isinstance(ticket, dict) and "comments" in ticket and "id" not in ticket:
        raise MappingError("ticket", NO_TICKET)
    if isinstance(ticket, dict) and ticket.get("result_type") not in (None, "ticket"):
        return None  # a user or organisation in search results
    ticket_id = text_of(require(ticket, "id"), "id")
    status = ticket.get("status")
    if status == "deleted":
        return None
    started = parse_time(require(ticket, "created_at"), "created_at")
    requester = ticket.get("requester_id")
    if comments is None:
        comments = ticket.get("comments")
    turns = _turns(comments, requester, notes) if comments else []
    if not turns:
        description = ticket.get("description")
        if not isinstance(description, str) or not description.strip():
            raise MappingError("comments", "the ticket has no public comment and no description")
        turns = [{"role": "customer", "text": description, "at": started}]
    record: dict[str, Any] = {
        "id": ticket_id,
        "started_at": started,
        "channel": _channel(ticket.get("via")),
        "turns": turns,
        "attributes": _attributes(ticket),
    }
    if requester is not None:
        record["customer_id"] = text_of(requester, "requester_id")
    if status in RESOLVED and ticket.get("updated_at"):
        ended = parse_time(ticket["updated_at"], "updated_at")
        if ended < started:
            raise MappingError("updated_at", "before created_at")
        record["ended_at"] = ended
    record["outcome"] = _outcome(ticket, status)
    return record


def _turns(comments: Any, requester: Any, notes: bool) -> list[dict[str, Any]]:
    if not isinstance(comments, list):
        raise MappingError("comments", "expected a list of comments")
    turns: list[dict[str, Any]] = []
    for index, comment in enumerate(comments):
        where = f"comments[{index}]"
        if not isinstance(comment, dict):
            raise MappingError(where, "expected a JSON object")
        if comment.get("public") is False and not notes:
            continue
        text = comment.get("plain_body", comment.get("body"))
        if not isinstance(text, str):
            raise MappingError(f"{where}.body", "missing or not text")
        at = parse_time(require(comment, "created_at", f"{where}."), f"{where}.created_at")
        author = comment.get("author_id")
        role = "customer" if requester is not None and author == requester else "agent"
        turns.append({"role": role, "text": text, "at": at})
    turns.sort(key=lambda t: t["at"])
    return turns


def _channel(via: Any) -> str:
    channel = via.get("channel") if isinstance(via, dict) else None
    return CHANNELS.get(channel, "other") if isinstance(channel, str) else "other"


def _attributes(ticket: dict[str, Any]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for key in ("status", "priority", "type", "group_id", "organization_id", "brand_id"):
        value = ticket.get(key)
        if value not in (None, ""):
            attributes[key] = text_of(value, key)
    via = ticket.get("via")
    if isinstance(via, dict) and isinstance(via.get("channel"), str):
        attributes["via"] = via["channel"]
    subject = ticket.get("subject")
    if isinstance(subject, str) and subject:
        attributes["subject"] = subject[:SUBJECT_CHARS]
    tags = ticket.get("tags")
    if isinstance(tags, list) and tags:
        attributes["tags"] = ",".join(str(t) for t in tags)
    fields = ticket.get("custom_fields")
    for index, field in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(field, dict) or field.get("value") in (None, "", []):
            continue
        name = f"custom_fields[{index}]"
        field_id = text_of(require(field, "id", f"{name}."), f"{name}.id")
        value = field["value"]
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        attributes[f"custom.{field_id}"] = text_of(value, f"{name}.value")
    return attributes


def _outcome(ticket: dict[str, Any], status: Any) -> dict[str, Any]:
    outcome: dict[str, Any] = {}
    if isinstance(status, str) and status:
        outcome["resolved"] = status in RESOLVED
    assignee = ticket.get("assignee_id")
    if assignee is not None:
        outcome["agent_id"] = text_of(assignee, "assignee_id")
    rating = ticket.get("satisfaction_rating")
    score = rating.get("score") if isinstance(rating, dict) else None
    if score in CSAT:
        outcome["csat"] = CSAT[score]
    return outcome
