"""Telling a file's format from its name and, where the name does not tell, its content."""

from __future__ import annotations

import itertools
from pathlib import Path

import ijson

from criterio.interactions.readers._json import open_bytes

__all__ = ["detect_format", "json_shape"]

NAMES = "abcd, csv, ibm-cdp, jsonl, parquet, twcs, zendesk"
#: Parse events looked at to sniff a JSON file: enough for a first element, bounded.
SNIFF_EVENTS = 20_000
TWCS_HEADER = ("tweet_id", "inbound", "in_response_to_tweet_id")
TICKET_KEYS = {"requester_id", "via", "subject", "status", "description"}


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first bytes (see the data contract)."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if ".parquet" in suffixes or ".pq" in suffixes:
        return "parquet"
    try:
        with open_bytes(path) as handle:
            head = handle.read(4096).lstrip()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: cannot read the file: {exc}") from None
    if head.startswith(b"PAR1"):
        return "parquet"
    is_csv = bool(suffixes) and suffixes[-1] == ".csv"
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson") and not head.startswith(b"{"):
        return "jsonl"  # named so, and damaged at its start: the reader says where
    if is_csv or not head.startswith((b"{", b"[")):
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
        header = {cell.strip().strip('"') for cell in first.split(",")}
        if all(column in header for column in TWCS_HEADER):
            return "twcs"
        if is_csv or {"id", "started_at"} <= header:
            return "csv"
        raise ValueError(f"{path}: cannot tell the format; pass --format ({NAMES})")
    kind, top, element = json_shape(path)
    if kind == "array":
        if {"convo_id", "original"} <= element:
            return "abcd"
        if {"dialogHeader", "dialogContent"} & element:
            return "ibm-cdp"
        if "ticket" in element or len(TICKET_KEYS & element) >= 2:
            return "zendesk"
        raise ValueError(
            f"{path}: a JSON array of unknown records; pass --format ({NAMES}); "
            "Criterio's own format is JSON Lines, one object a line"
        )
    if {"tickets", "results", "ticket", "comments"} & top:
        return "zendesk"
    if {"train", "dev", "test"} & top and "convo_id" in element:
        return "abcd"
    if "requester_id" in top and len(TICKET_KEYS & top) >= 2:
        return "zendesk"  # JSON Lines of tickets
    return "jsonl"


def json_shape(path: Path) -> tuple[str, set[str], set[str]]:
    """Sniff a JSON document: top-level kind, top-level keys, keys of the first element.

    The first element is the first item of a top-level array, or of the first array
    under a top-level key. Reads a bounded number of parse events; a document broken
    early simply tells less.
    """
    kind = "object"
    top: set[str] = set()
    element: set[str] = set()
    element_prefix: str | None = None
    try:
        with open_bytes(path) as handle:
            events = ijson.parse(handle, multiple_values=True)
            for prefix, event, value in itertools.islice(events, SNIFF_EVENTS):
                if prefix == "" and event == "start_array":
                    kind, element_prefix = "array", "item"
                elif prefix == "" and event == "map_key":
                    top.add(value)
                elif prefix == "" and event == "end_map":
                    break  # the first (or only) top-level object is done
                elif event == "start_array" and element_prefix is None and "." not in prefix:
                    element_prefix = f"{prefix}.item"
                elif prefix == element_prefix and event == "map_key":
                    element.add(value)
                elif prefix == element_prefix and event == "end_map":
                    if kind == "array":
                        break
                    element_prefix = "-"  # the first element is known; keep reading keys
    except (ijson.JSONError, UnicodeDecodeError, EOFError, OSError):
        pass  # a broken document: the reader will say where
    return kind, top, element
