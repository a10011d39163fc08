"""Article file formats: JSON Lines, Markdown with YAML front matter, Zendesk Help Center JSON.

Readers yield ``(location, record)`` for each article found, or a ``RecordError`` for
what cannot be read (a bad line, a file without front matter); validation against
:class:`~criterio.knowledge.schemas.ArticleIn` happens at import, record by record.
Writers produce the same formats, so an export imports back unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from criterio.interactions.readers.base import RecordError

__all__ = [
    "FORMATS",
    "SECTIONS",
    "Parsed",
    "detect_format",
    "parse_markdown",
    "read_articles",
    "read_jsonl",
    "read_markdown_dir",
    "read_zendesk",
    "to_markdown",
    "write_jsonl",
    "zendesk_record",
]

FORMATS = ("jsonl", "markdown", "zendesk")
#: Markdown body sections, in the order they are written; a body without them is the resolution.
SECTIONS = ("issue", "environment", "resolution", "cause")
_HEADING = re.compile(r"^##\s+(issue|environment|resolution|cause)\s*$", re.I | re.M)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)

Parsed = tuple[str, dict[str, Any]] | RecordError


def detect_format(path: Path) -> str:
    """The format a path is in: a folder is markdown, ``.md`` markdown, ``.json`` zendesk."""
    if path.is_dir() or path.suffix.lower() in (".md", ".markdown"):
        return "markdown"
    if path.suffix.lower() == ".json":
        return "zendesk"
    return "jsonl"


def read_articles(path: Path, fmt: str | None = None) -> Iterator[Parsed]:
    """Every article record in a file or folder, in the given (or detected) format."""
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not path.exists():
        yield RecordError(str(path), "(file)", "(file)", "no such file or folder")
        return
    if fmt == "jsonl":
        yield from read_jsonl(path.read_text(encoding="utf-8", errors="replace"), str(path))
    elif fmt == "markdown":
        yield from read_markdown_dir(path)
    else:
        yield from read_zendesk(path.read_text(encoding="utf-8", errors="replace"), str(path))


def read_jsonl(text: str, source: str) -> Iterator[Parsed]:
    """One article object a line; blank lines are skipped."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"line {number}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield RecordError(source, location, "(json)", f"not valid JSON: {exc}")
            continue
        if not isinstance(record, dict):
            yield RecordError(source, location, "(record)", "a line must hold a JSON object")
            continue
        yield location, record


def read_markdown_dir(path: Path) -> Iterator[Parsed]:
    """Each ``.md`` file (recursively, in name order) is one article."""
    files = [path] if path.is_file() else sorted(path.rglob("*.md"))
    for file in files:
        relative = file.name if path.is_file() else file.relative_to(path).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield RecordError(str(file), relative, "(file)", f"cannot be read: {exc}")
            continue
        yield parse_markdown(text, source=str(file), location=relative)


def parse_markdown(text: str, *, source: str, location: str) -> Parsed:
    """An article from front matter (fields) and body (``## Issue`` ... sections).

    Without ``external_id`` in the front matter, the file's path in the folder is the
    external id, so importing the same folder again updates instead of duplicating.
    """
    match = _FRONT.match(text.lstrip("\ufeff"))
    if match is None:
        return RecordError(source, location, "(front matter)", "no YAML front matter (--- ... ---)")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        return RecordError(source, location, "(front matter)", f"not valid YAML: {exc}")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return RecordError(source, location, "(front matter)", "must be a YAML mapping")
    record: dict[str, Any] = {str(k): v for k, v in meta.items()}
    record.setdefault("external_id", location)
    body = text.lstrip("\ufeff")[match.end() :]
    parts = _HEADING.split(body)
    if len(parts) == 1:
        record.setdefault("resolution", body.strip())
    else:
        for name, content in zip(parts[1::2], parts[2::2], strict=True):
            record.setdefault(name.lower(), content.strip())
    return location, record


def to_markdown(record: dict[str, Any]) -> str:
    """One article as a Markdown file: front matter, then a section per KCS field."""
    meta = {k: v for k, v in record.items() if k not in SECTIONS and v not in (None, [], "")}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    body = "\n\n".join(
        f"## {name.capitalize()}\n\n{record[name]}" for name in SECTIONS if record.get(name)
    )
    return f"---\n{front}\n---\n\n{body}\n"


def read_zendesk(text: str, source: str) -> Iterator[Parsed]:
    """A Help Center export: ``{"articles": [...]}`` (or a bare list); HTML bodies to Markdown."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        yield RecordError(source, "(file)", "(json)", f"not valid JSON: {exc}")
        return
    articles = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(articles, list):
        yield RecordError(source, "(file)", "articles", "expected a list of articles")
        return
    for position, item in enumerate(articles):
        location = f"articles[{position}]"
        if not isinstance(item, dict):
            yield RecordError(source, location, "(record)", "an article must be a JSON object")
            continue
        yield location, zendesk_record(item)


def zendesk_record(item: dict[str, Any]) -> dict[str, Any]:
    """A Zendesk article as an article record (validation names any field that is wrong).

    Published articles visible to everyone (no user segment) become ``validated`` and
    ``public``; drafts ``wip``; articles restricted to a user segment ``internal``.
    """
    from markdownify import markdownify

    body = item.get("body")
    locale = item.get("locale")
    record: dict[str, Any] = {
        "external_id": None if item.get("id") is None else str(item["id"]),
        "source": "zendesk",
        "title": item.get("title"),
        "resolution": markdownify(body, heading_style="ATX").strip()
        if isinstance(body, str)
        else body,
        "language": locale[:2].lower() if isinstance(locale, str) else locale,
        "state": "wip" if item.get("draft") else "validated",
        "audience": "internal" if item.get("user_segment_id") is not None else "public",
        "tags": _strings(item.get("label_names")),
    }
    return {k: v for k, v in record.items() if v is not None or k == "title"}


def _strings(values: Any) -> Any:
    if isinstance(values, list):
        return [str(v) for v in values]
    return values if values is not None else []


def write_jsonl(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON line per article record."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"
