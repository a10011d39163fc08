"""Import and export of articles: idempotent by external id, errors per record, round trips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from criterio.interactions.readers.base import RecordError
from criterio.knowledge import get_article, history
from criterio.knowledge.formats import (
    parse_markdown,
    read_articles,
    read_jsonl,
    read_zendesk,
    to_markdown,
)
from criterio.knowledge.repository import ArticleRepository
from criterio.knowledge.schemas import ArticleIn
from criterio.knowledge.transfer import export_records, import_articles
from tests.knowledge_data import ARTICLES
from tests.scope_guard import scope_guard

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
LINE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x00"),
    max_size=60,
).map(str.strip)


@pytest.fixture
def guarded(engine: Engine) -> Iterator[None]:
    """Every query of the test under the tenant scope guard."""
    with scope_guard(engine) as violations:
        yield
    assert violations == []


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _import(session: Session, path: Path, fmt: str | None = None, tenant: str = "acme") -> Any:
    return import_articles(
        session, tenant, read_articles(path, fmt), source=str(path), actor="importer"
    )


@pytest.mark.usefixtures("guarded")
def test_jsonl_import_is_idempotent_and_updates_make_versions(
    session: Session, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "kb.jsonl", ARTICLES)
    first = _import(session, path)
    assert (first.created, first.updated, first.unchanged, first.errors) == (4, 0, 0, [])
    again = _import(session, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = [dict(ARTICLES[0], resolution="Use the new reset page."), *ARTICLES[1:]]
    third = _import(session, _jsonl(tmp_path / "kb2.jsonl", changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    article = ArticleRepository(session, "acme").by_external_id("kb-password")
    assert article is not None and article.resolution == "Use the new reset page."
    latest = history(session, "acme", article.id)[0]
    assert (latest.version, latest.action, latest.changed) == (2, "import", ["resolution"])
    assert len(ArticleRepository(session, "acme").list()) == 4


@pytest.mark.usefixtures("guarded")
def test_bad_records_are_reported_by_record_and_field_and_the_rest_imported(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "kb.jsonl"
    lines = [
        json.dumps(ARTICLES[0]),
        json.dumps({"external_id": "x-1", "title": "t", "language": "fr"}),
        "{not json",
        json.dumps({"external_id": "x-2", "title": ""}),
        json.dumps({"external_id": "x-3", "title": "t", "colour": "red"}),
        json.dumps([1, 2]),
        json.dumps(ARTICLES[0]),
        json.dumps(ARTICLES[1]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = _import(session, path)
    assert summary.created == 2
    found = [(e.location, e.field, e.record_id) for e in summary.errors]
    assert found == [
        ("line 2", "language", "x-1"),
        ("line 3", "(json)", None),
        ("line 4", "title", "x-2"),
        ("line 5", "colour", "x-3"),
        ("line 6", "(record)", None),
        ("line 7", "external_id", "kb-password"),
    ]
    assert "twice" in summary.errors[-1].message


@pytest.mark.usefixtures("guarded")
def test_markdown_folder_round_trip(session: Session, tmp_path: Path) -> None:
    _import(session, _jsonl(tmp_path / "kb.jsonl", ARTICLES))
    folder = tmp_path / "md"
    folder.mkdir()
    for i, record in enumerate(export_records(session, "acme")):
        (folder / f"{i}.md").write_text(to_markdown(record), encoding="utf-8")
    (folder / "broken.md").write_text("no front matter here", encoding="utf-8")
    summary = _import(session, folder, tenant="globex")
    assert summary.created == 4
    assert [(e.location, e.field) for e in summary.errors] == [("broken.md", "(front matter)")]
    exported = {r["external_id"]: r for r in export_records(session, "acme")}
    imported = {r["external_id"]: r for r in export_records(session, "globex")}
    assert imported == exported
    assert _import(session, folder, tenant="globex").unchanged == 4


def test_markdown_without_sections_or_external_id(tmp_path: Path) -> None:
    parsed = parse_markdown(
        "---\ntitle: Wifi drops\nlanguage: es\n---\nReinicie el router.\n",
        source="x",
        location="red/wifi.md",
    )
    assert parsed == (
        "red/wifi.md",
        {
            "title": "Wifi drops",
            "language": "es",
            "external_id": "red/wifi.md",
            "resolution": "Reinicie el router.",
        },
    )


@pytest.mark.usefixtures("guarded")
def test_zendesk_export_converts_html_bodies(session: Session, tmp_path: Path) -> None:
    export = {
        "articles": [
            {
                "id": 360001,
                "title": "How to reset your password",
                "body": "<h2>Steps</h2><ol><li>Open <b>Settings</b></li><li>Click "
                "<a href='/reset'>Reset</a></li></ol>",
                "locale": "en-us",
                "draft": False,
                "user_segment_id": None,
                "label_names": ["login", "password"],
            },
            {
                "id": 360002,
                "title": "Borrador",
                "body": "<p>Hola</p>",
                "locale": "es",
                "draft": True,
            },
            {"id": 360003, "title": "Interne", "body": "<p>x</p>", "locale": "fr"},
            "not an article",
        ]
    }
    path = tmp_path / "zendesk.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    summary = _import(session, path)
    assert summary.created == 2
    assert [(e.location, e.field) for e in summary.errors] == [
        ("articles[2]", "language"),
        ("articles[3]", "(record)"),
    ]
    repo = ArticleRepository(session, "acme")
    article = repo.by_external_id("360001")
    assert article is not None
    assert (article.source, article.state, article.audience) == ("zendesk", "validated", "public")
    assert "## Steps" in article.resolution and "1. Open **Settings**" in article.resolution
    assert article.tags == ["login", "password"]
    draft = repo.by_external_id("360002")
    assert draft is not None and get_article(session, "acme", draft.id).state == "wip"


@SETTINGS
@given(TEXT)
def test_readers_never_crash_on_arbitrary_text(text: str) -> None:
    for item in [*read_jsonl(text, "f"), *read_zendesk(text, "f")]:
        assert isinstance(item, RecordError) or isinstance(item[1], dict)
    item = parse_markdown(text, source="f", location="a.md")
    assert isinstance(item, RecordError) or isinstance(item[1], dict)


ARTICLE = st.builds(
    ArticleIn,
    external_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,30}", fullmatch=True),
    title=LINE.filter(bool),
    issue=TEXT.map(str.strip),
    resolution=TEXT.map(str.strip),
    cause=LINE,
    language=st.sampled_from(["es", "en"]),
    tags=st.lists(LINE.filter(bool), max_size=3),
)


@SETTINGS
@given(ARTICLE)
def test_markdown_round_trip_keeps_every_field(article: ArticleIn) -> None:
    record = article.model_dump(mode="json")
    parsed = parse_markdown(to_markdown(record), source="f", location="x.md")
    assert not isinstance(parsed, RecordError)
    again = ArticleIn.model_validate(parsed[1])
    # Sections are stripped; text that looks like a section heading is the known limit.
    if not any("## " in (record[k] or "") for k in ("issue", "resolution", "cause")):
        assert again == article
