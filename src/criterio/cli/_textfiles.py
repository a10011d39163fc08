"""Reading ``id``/``text``/label rows from a JSONL or CSV file for the model commands.

A row's text is its ``text`` field, or its customer turns joined (the data contract);
its id is ``id`` or its line number. A row without usable text is reported with its
line and skipped; the good rows go on. Texts come back with personal data replaced by
``[TYPE]`` placeholders (``model_texts``): models never see, keep or show it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from criterio.analysis.text import interaction_text, model_texts

__all__ = ["TextRows", "read_text_rows"]


@dataclass
class TextRows:
    """Rows read from a file: ids, texts, the requested label column, and problems."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _label(record: dict[str, Any], column: str | None) -> str | None:
    if column is None:
        return None
    value: Any = record
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None and "." not in column:
        labels = record.get("labels")
        value = labels.get(column) if isinstance(labels, dict) else None
    return None if value is None or str(value).strip() == "" else str(value).strip()


def read_text_rows(path: Path, label: str | None = None, require_label: bool = False) -> TextRows:
    """Rows of a JSONL or CSV file (by extension; ``.csv`` is CSV, anything else JSONL)."""
    rows = TextRows()
    for line, record in _records(path, rows):
        ident = str(record.get("id") or f"{path.name}:{line}")
        text = interaction_text(record)
        if not text:
            rows.errors.append(f"{path}:{line} (id {ident}): field 'text': no text to analyse")
            continue
        value = _label(record, label)
        if require_label and value is None:
            rows.errors.append(f"{path}:{line} (id {ident}): field {label!r}: missing")
            continue
        rows.ids.append(ident)
        rows.texts.append(text)
        rows.labels.append(value)
    rows.texts = model_texts(rows.texts)
    return rows


def _records(path: Path, rows: TextRows) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                record: dict[str, Any] = {}
                for key, value in row.items():
                    if key is None:
                        continue
                    target = record
                    *parents, leaf = key.split(".")
                    for part in parents:
                        target = target.setdefault(part, {})
                    target[leaf] = value
                out.append((number, record))
        return out
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                rows.errors.append(f"{path}:{number}: not JSON ({exc.msg})")
                continue
            if not isinstance(value, dict):
                rows.errors.append(f"{path}:{number}: not a JSON object")
                continue
            out.append((number, value))
    return out
