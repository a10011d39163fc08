"""Every query on the knowledge base, each scoped to one tenant."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from criterio.interactions.models import Interaction
from criterio.knowledge.models import (
    Article,
    ArticleLink,
    ArticleReview,
    ArticleVector,
    ArticleVersion,
)
from criterio.tenancy import TenantScopedRepository

__all__ = [
    "ArticleRepository",
    "LinkRepository",
    "RecentInteractions",
    "ReviewRepository",
    "VectorRepository",
    "VersionRepository",
]


class ArticleRepository(TenantScopedRepository):
    """Reads and writes one tenant's articles."""

    model = Article

    def get(self, article_id: int) -> Article | None:
        """One article by id, or None (also when it belongs to another tenant)."""
        return self.session.scalars(self._select().where(Article.id == article_id)).one_or_none()

    def by_ids(self, article_ids: Sequence[int]) -> dict[int, Article]:
        """The articles with these ids, by id (those of other tenants are left out)."""
        if not article_ids:
            return {}
        stmt = self._select().where(Article.id.in_(list(article_ids)))
        return {a.id: a for a in self.session.scalars(stmt)}

    def get_for_update(self, article_id: int) -> Article | None:
        """One article, its row locked until the transaction ends (two edits queue)."""
        stmt = self._select().where(Article.id == article_id).with_for_update()
        return self.session.scalars(stmt).one_or_none()

    def by_external_id(self, external_id: str) -> Article | None:
        """The article imported with this external id, or None."""
        stmt = self._select().where(Article.external_id == external_id)
        return self.session.scalars(stmt).one_or_none()

    def by_external_ids(self, external_ids: Sequence[str]) -> dict[str, Article]:
        """The articles with these external ids, by external id."""
        if not external_ids:
            return {}
        stmt = self._select().where(Article.external_id.in_(list(external_ids)))
        return {a.external_id or "": a for a in self.session.scalars(stmt)}

    def list(
        self,
        *,
        states: Sequence[str] = (),
        audiences: Sequence[str] = (),
        languages: Sequence[str] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Article]:
        """Articles matching every filter, most recently updated first."""
        stmt = self._select()
        if states:
            stmt = stmt.where(Article.state.in_(list(states)))
        if audiences:
            stmt = stmt.where(Article.audience.in_(list(audiences)))
        if languages:
            stmt = stmt.where(Article.language.in_(list(languages)))
        stmt = stmt.order_by(Article.updated_at.desc(), Article.id.desc()).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def stamp(self) -> tuple[int, int, datetime | None]:
        """Count, highest id and latest update: changes whenever an article does."""
        stmt = self._select(
            func.count(Article.id), func.max(Article.id), func.max(Article.updated_at)
        )
        count, top, latest = self.session.execute(stmt).one()
        return int(count or 0), int(top or 0), latest

    def update(self, article: Article, values: dict[str, Any]) -> None:
        """Write ``values`` to the article's row (a scoped UPDATE; the object follows)."""
        stmt = self._scoped(update(Article).where(Article.id == article.id).values(**values))
        self.session.execute(stmt, execution_options={"synchronize_session": "evaluate"})

    def changed_since(self, top_id: int, latest: datetime | None) -> builtins.list[Article]:
        """Articles created after ``top_id`` or updated after ``latest``."""
        stmt = self._select().where(Article.id > top_id)
        if latest is not None:
            stmt = self._select().where((Article.id > top_id) | (Article.updated_at > latest))
        return list(self.session.scalars(stmt))

    def add(self, article: Article) -> Article:
        """Store a new article of this tenant."""
        if article.tenant != self.tenant:
            raise ValueError("article of another tenant")
        self.session.add(article)
        self.session.flush()
        return article


class VersionRepository(TenantScopedRepository):
    """The versions of one tenant's articles."""

    model = ArticleVersion

    def history(self, article_id: int) -> list[ArticleVersion]:
        """Every version of an article, newest first."""
        stmt = (
            self._select()
            .where(ArticleVersion.article_id == article_id)
            .order_by(ArticleVersion.version.desc())
        )
        return list(self.session.scalars(stmt))

    def get(self, article_id: int, version: int) -> ArticleVersion | None:
        """One version of an article, or None."""
        stmt = self._select().where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == version
        )
        return self.session.scalars(stmt).one_or_none()

    def add(self, version: ArticleVersion) -> ArticleVersion:
        """Store a version of this tenant's article."""
        if version.tenant != self.tenant:
            raise ValueError("version of another tenant")
        self.session.add(version)
        return version


class LinkRepository(TenantScopedRepository):
    """KCS events (article links) of one tenant."""

    model = ArticleLink

    def for_article(self, article_id: int) -> list[ArticleLink]:
        """An article's links, newest first."""
        stmt = (
            self._select()
            .where(ArticleLink.article_id == article_id)
            .order_by(ArticleLink.at.desc(), ArticleLink.id.desc())
        )
        return list(self.session.scalars(stmt))

    def confirmed_scores(self) -> list[float]:
        """Match scores of suggestions people reused: the data the threshold is calibrated on."""
        stmt = self._select(ArticleLink.score).where(
            ArticleLink.kind == "reused", ArticleLink.score.is_not(None)
        )
        return [float(s) for s in self.session.scalars(stmt)]

    def add(self, link: ArticleLink) -> ArticleLink:
        """Store a link of this tenant."""
        if link.tenant != self.tenant:
            raise ValueError("link of another tenant")
        self.session.add(link)
        self.session.flush()
        return link


class ReviewRepository(TenantScopedRepository):
    """Content standard reviews of one tenant's articles."""

    model = ArticleReview

    def for_article(self, article_id: int) -> list[ArticleReview]:
        """An article's quality reviews, newest first."""
        stmt = (
            self._select()
            .where(ArticleReview.article_id == article_id)
            .order_by(ArticleReview.at.desc(), ArticleReview.id.desc())
        )
        return list(self.session.scalars(stmt))

    def add(self, review: ArticleReview) -> ArticleReview:
        """Store a review of this tenant's article."""
        if review.tenant != self.tenant:
            raise ValueError("review of another tenant")
        self.session.add(review)
        self.session.flush()
        return review


class RecentInteractions(TenantScopedRepository):
    """The tenant's latest interactions, as knowledge-gap detection reads them."""

    model = Interaction

    def recent(self, days: int, limit: int) -> list[Any]:
        """Rows (external_id, started_at, language, turns, labels) of the ``days`` before
        the newest interaction, newest first, at most ``limit``."""
        newest = self.session.scalar(self._select(func.max(Interaction.started_at)))
        if newest is None:
            return []
        stmt = (
            self._select(
                Interaction.external_id,
                Interaction.started_at,
                Interaction.language,
                Interaction.turns,
                Interaction.labels,
            )
            .where(Interaction.started_at >= newest - timedelta(days=days))
            .order_by(Interaction.started_at.desc())
            .limit(limit)
        )
        return list(self.session.execute(stmt))


class VectorRepository(TenantScopedRepository):
    """The tenant's stored article-text vectors, by digest (see :class:`ArticleVector`)."""

    model = ArticleVector

    def get(self, digests: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors among ``digests``, by digest."""
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(digests))
        for start in range(0, len(wanted), 1000):  # bounded IN lists
            stmt = self._select(ArticleVector.digest, ArticleVector.vector).where(
                ArticleVector.digest.in_(wanted[start : start + 1000])
            )
            found.update((d, bytes(v)) for d, v in self.session.execute(stmt))
        return found

    def add(self, vectors: dict[str, bytes]) -> None:
        """Store vectors; one another process stored meanwhile is kept, not an error."""
        if not vectors:
            return
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        rows = [{"tenant": self.tenant, "digest": d, "vector": v} for d, v in vectors.items()]
        stmt = insert(ArticleVector).on_conflict_do_nothing(index_elements=["tenant", "digest"])
        self.session.execute(stmt, rows)

    def keep_only(self, digests: builtins.set[str]) -> int:
        """Delete the vectors of texts no article has any more; how many went."""
        stored = set(self.session.scalars(self._select(ArticleVector.digest)))
        gone = list(stored - digests)
        for start in range(0, len(gone), 1000):
            self.session.execute(
                self._scoped(delete(ArticleVector)).where(
                    ArticleVector.digest.in_(gone[start : start + 1000])
                )
            )
        return len(gone)
