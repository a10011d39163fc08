"""IBM Twitter customer-care conversations (EMNLP 2020 document-prediction data set).

A JSON array, one conversation an element::

    {"dialogHeader": {"company", "conversationDateTime", "duration", "messageCount",
                      "sessionID"},
     "dialogContent": [{"client"|"client1"|"agent": handle, "datetime", "message",
                        "tweet_ID"}, ...],
     "agentURL": {"doc_id", "turn", "tweet_ID", "url", "url_utterance"}}

Messages keyed ``client``/``client1``/... are the customers' (the first is the
conversation's customer, the others joined the thread); ``agent`` messages are the
company's. The resolving agent tweet (``agentURL.url_utterance``) is *not* part of
``dialogContent`` in the data set (predicting its document is the task), so it is left
out by default; the option ``include_resolution=true`` appends it as the last agent turn.
Texts come from Twitter's API, which escaped ``&``, ``<`` and ``>`` as HTML entities;
they are unescaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from criterio.interactions.readers._json import (
    MappingError,
    map_items,
    parse_time,
    require,
    stream_items,
    text_of,
)
from criterio.interactions.readers.base import RawRecord, RecordError

__all__ = ["OPTIONS", "read_ibm_cdp"]

#: Reader options (``--format ibm-cdp:include_resolution=true``).
OPTIONS = ("include_resolution",)

_DURATION = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.\d*)?$")


def read_ibm_cdp(
    path: Path, encoding: str = "utf-8", options: Mapping[str, str] | None = None
) -> Iterator[RawRecord | RecordError]:
    """Stream the conversations of an IBM customer-care JSON file as contract records."""
    include_resolution = (options or {}).get("include_resolution", "false").lower() == "true"
    return map_items(
        path,
        stream_items(path, "conversation", encoding),
        lambda element, _key: _to_record(element, include_resolution),
        _session_id,
    )


def _session_id(element: Any) -> str | None:
    header = element.get("dialogHeader") if isinstance(element, dict) else None
    value = header.get("sessionID") if isinstance(header, dict) else None
    return str(value) if value is not None else None


def _to_record(element: Any, include_resolution: bool) -> dict[str, Any]:
    header = require(element, "dialogHeader")
    session = text_of(require(header, "sessionID", "dialogHeader."), "dialogHeader.sessionID")
    content = require(element, "dialogContent")
    if not isinstance(content, list) or not content:
        raise MappingError("dialogContent", "expected a non-empty list of messages")
    turns: list[dict[str, Any]] = []
    customer: str | None = None
    for index, message in enumerate(content):
        where = f"dialogContent[{index}]"
        if not isinstance(message, dict):
            raise MappingError(where, "expected a JSON object")
        speaker = [k for k in message if k == "agent" or k.startswith("client")]
        if len(speaker) != 1:
            raise MappingError(where, "expected exactly one 'client…' or 'agent' key")
        role = "agent" if speaker[0] == "agent" else "customer"
        if role == "customer" and customer is None:
            customer = text_of(message[speaker[0]], f"{where}.{speaker[0]}")
        text = message.get("message")
        if not isinstance(text, str):
            raise MappingError(f"{where}.message", "missing or not text")
        at = parse_time(require(message, "datetime", f"{where}."), f"{where}.datetime")
        turns.append({"role": role, "text": html.unescape(text), "at": at})
    started = parse_time(
        header.get("conversationDateTime") or turns[0]["at"].isoformat(),
        "dialogHeader.conversationDateTime",
    )
    started = min(started, *(t["at"] for t in turns))
    ended = max(t["at"] for t in turns)
    duration = _duration(header.get("duration"))
    if duration is not None:
        ended = max(ended, started + duration)
    record: dict[str, Any] = {
        "id": session,
        "channel": "social",
        "started_at": started,
        "ended_at": ended,
        "turns": turns,
    }
    if customer:
        record["customer_id"] = customer
    company = header.get("company")
    if company:
        record["attributes"] = {"company": text_of(company, "dialogHeader.company")}
    resolution = element.get("agentURL")
    if isinstance(resolution, dict):
        labels = {
            key: text_of(resolution[key], f"agentURL.{key}")
            for key in ("doc_id", "url")
            if resolution.get(key) not in (None, "")
        }
        if labels:
            record["labels"] = labels
        utterance = resolution.get("url_utterance")
        if include_resolution and isinstance(utterance, str) and utterance:
            turns.append({"role": "agent", "text": html.unescape(utterance)})
    return record


def _duration(value: Any) -> timedelta | None:
    # "01:26:55.0"; the data also holds negative or clipped values ("-00:00:19."),
    # which say nothing reliable about the end, so they are ignored.
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    hours, minutes, seconds = (int(g) for g in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)
