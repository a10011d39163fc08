"""Article vectors outlive the process: a new process's index encodes only new texts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from criterio.db import session_scope
from criterio.knowledge import retrieval, search
from criterio.knowledge.models import ArticleVector
from criterio.knowledge.schemas import ArticleEdit, ArticleIn
from criterio.knowledge.service import create_article, edit_article

ARTICLES = [
    ("Card not arrived", "My new card has not arrived yet", "Cards arrive in 5 working days."),
    ("Reembolso", "Quiero que me devuelvan el dinero", "Los reembolsos tardan 3 días."),
    ("Change PIN", "How do I change my PIN?", "Go to Settings, then Card, then PIN."),
]


class Counting:
    """The shipped multilingual encoder, counting the texts it is asked to encode."""

    def __init__(self, encoder: Any) -> None:
        self.encoder, self.encoded = encoder, 0
        self.dim, self.version = encoder.dim, encoder.version

    def transform(self, texts: list[str]) -> Any:
        self.encoded += len(texts)
        return self.encoder.transform(texts)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Counting:
    encoder = Counting(retrieval.shared_encoder("use"))
    monkeypatch.setitem(retrieval._encoders, "use", encoder)
    return encoder


def _new_process() -> None:
    """What a new `criterio kb search` starts with: no index in memory."""
    search._cache.clear()


def _stored(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ArticleVector)) or 0)


def test_a_new_process_takes_stored_vectors_and_encodes_only_what_changed(
    session_factory: sessionmaker[Session], counting: Counting
) -> None:
    _new_process()
    with session_scope(session_factory) as session:
        ids = [
            create_article(
                session, "acme", ArticleIn(title=t, issue=i, resolution=r), actor="ana"
            ).id
            for t, i, r in ARTICLES
        ]
    with session_scope(session_factory) as session:
        first = search.search_articles(session, "acme", "my card did not come")
    built = counting.encoded
    assert first[0].id == ids[0]
    with session_scope(session_factory) as session:
        stored = _stored(session)
    assert stored == built - 1, "every article text's vector is kept (the query's is not)"

    _new_process()
    with session_scope(session_factory) as session:
        again = search.search_articles(session, "acme", "my card did not come")
    assert counting.encoded == built + 1, "only the query is encoded"
    assert [h.id for h in again] == [h.id for h in first]
    assert np.allclose([h.score for h in again], [h.score for h in first], atol=1e-5)

    with session_scope(session_factory) as session:
        edit_article(
            session, "acme", ids[2], ArticleEdit(resolution="Use the app's PIN menu."), actor="ana"
        )
    _new_process()
    before = counting.encoded
    with session_scope(session_factory) as session:
        search.search_articles(session, "acme", "PIN")
    assert 2 <= counting.encoded - before <= 3, "the query and the edited texts only"
    with session_scope(session_factory) as session:
        assert _stored(session) == stored, "the old resolution's vector is forgotten"
        assert search.search_articles(session, "globex", "PIN") == []
