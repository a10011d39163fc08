"""The read the report adds to the interaction table: sentiment labels.

Redacted examples come from :func:`criterio.insights.browse.redacted_examples`, as
for the API, the pages and the CLI.

Volumes, reasons and languages come from
:class:`~criterio.insights.repository.InteractionTableRepository`; these queries fetch
what that table does not carry, each scoped to the tenant on both joined tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from criterio.annotations.models import AnalysisResult
from criterio.interactions.models import Interaction
from criterio.tenancy import TenantScopedRepository

__all__ = ["ReportRepository"]


class ReportRepository(TenantScopedRepository):
    """Reads of one tenant's analysis results for the client report."""

    model = Interaction

    def _with_analysis(self, *entities: Any) -> Any:
        return self._select(*entities).join(
            AnalysisResult,
            (AnalysisResult.interaction_pk == Interaction.pk)
            & (AnalysisResult.tenant == self.tenant),
        )

    def sentiment(
        self, since: datetime, until: datetime
    ) -> list[tuple[datetime, str | None, float | None]]:
        """(started_at, sentiment label, score) of the analysed contacts in [since, until)."""
        stmt = self._with_analysis(
            Interaction.started_at, AnalysisResult.sentiment_label, AnalysisResult.sentiment_score
        ).where(Interaction.started_at >= since, Interaction.started_at < until)
        return [(started, label, score) for started, label, score in self.session.execute(stmt)]
