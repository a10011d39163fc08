"""Impact metrics: outcomes, automation, knowledge (KCS), learning and insights.

Figures for a period come from daily aggregates (``aggregate.refresh`` keeps them
current, ``aggregate.rebuild`` recomputes them); docs/metrics.md defines each figure.
"""

from criterio.metrics.aggregate import Refreshed, rebuild, refresh
from criterio.metrics.service import ALL_AGENTS, figures

__all__ = ["ALL_AGENTS", "Refreshed", "figures", "rebuild", "refresh"]
