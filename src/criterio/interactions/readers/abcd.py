"""ABCD, the Action-Based Conversations Dataset (ASAPP, NAACL 2021).

Either the sample's JSON array of conversations or the full corpus's
``{"train": [...], "dev": [...], "test": [...]}`` (gzipped or not); each conversation::

    {"convo_id": 3592,
     "scenario": {"personal": {...}, "order": {...}, "product": {...},
                  "flow": "product_defect", "subflow": "return_size"},
     "original": [["agent", "Hi!"], ["customer", "..."], ["action", "..."]],
     "delexed": [...]}

ABCD has **no timestamps**. Rather than inventing times, every conversation gets the
same fixed ``started_at``, the reader option ``epoch`` (default ``2021-04-01T00:00:00Z``,
the data set's publication), and its turns carry no ``at``:
``--format abcd:epoch=2024-01-01T00:00:00Z``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
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

__all__ = ["DEFAULT_EPOCH", "OPTIONS", "read_abcd"]

#: Reader options (``--format abcd:epoch=...``).
OPTIONS = ("epoch",)
DEFAULT_EPOCH = "2021-04-01T00:00:00Z"
ROLES = {"agent": "agent", "customer": "customer", "action": "system"}
SPLITS = ("train", "dev", "test")


def read_abcd(
    path: Path, encoding: str = "utf-8", options: Mapping[str, str] | None = None
) -> Iterator[RawRecord | RecordError]:
    """Stream ABCD conversations as contract records (a fixed ``started_at``, see module)."""
    epoch_text = (options or {}).get("epoch", DEFAULT_EPOCH)
    try:
        epoch = parse_time(epoch_text, "epoch")
    except MappingError as problem:
        yield RecordError(str(path), "option", "epoch", problem.message)
        return
    yield from map_items(
        path,
        stream_items(path, "conversation", encoding, keys=SPLITS),
        lambda element, split: _to_record(element, epoch, split or None),
        _convo_id,
    )


def _convo_id(element: Any) -> str | None:
    value = element.get("convo_id") if isinstance(element, dict) else None
    return str(value) if value is not None else None


def _to_record(element: Any, epoch: datetime, split: str | None) -> dict[str, Any]:
    convo_id = text_of(require(element, "convo_id"), "convo_id")
    original = require(element, "original")
    if not isinstance(original, list):
        raise MappingError("original", "expected a list of [speaker, text] pairs")
    turns = []
    for index, pair in enumerate(original):
        where = f"original[{index}]"
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str)):
            raise MappingError(where, "expected a [speaker, text] pair")
        role = ROLES.get(pair[0]) if isinstance(pair[0], str) else None
        if role is None:
            raise MappingError(
                f"{where}[0]", f"unknown speaker {pair[0]!r} (expected agent, customer or action)"
            )
        turns.append({"role": role, "text": pair[1]})
    record: dict[str, Any] = {
        "id": convo_id,
        "channel": "chat",
        "started_at": epoch,
        "turns": turns,
    }
    scenario = element.get("scenario")
    if isinstance(scenario, dict):
        labels = {
            name: scenario[key]
            for name, key in (("flow", "flow"), ("intent", "subflow"))
            if isinstance(scenario.get(key), str) and scenario[key]
        }
        if labels:
            record["labels"] = labels
        personal = scenario.get("personal")
        if isinstance(personal, dict):
            if personal.get("username"):
                record["customer_id"] = text_of(personal["username"], "scenario.personal.username")
            if personal.get("member_level"):
                record["attributes"] = {"member_level": str(personal["member_level"])}
    if split is not None:
        record.setdefault("attributes", {})["split"] = split
    return record
