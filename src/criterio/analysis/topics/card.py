"""The JSON card of a saved topic model: what `criterio topics show` prints."""

from __future__ import annotations

from typing import Any

__all__ = ["topics_card"]


def topics_card(model: Any, n_groups: int) -> dict[str, Any]:
    """What ``topics show`` prints: each topic's id, label (its key phrase), size,
    keywords (the detail), examples and parent."""
    parents = model.broader(n_groups)
    parent_words = model.broader_keywords(n_groups)
    ids = model.topic_ids
    return {
        "n_topics": model.n_topics_,
        "outlier_threshold": model.threshold_,
        "topics": [
            {
                "id": ids[t],
                "label": model.topic_label(ids[t]),
                "size": int(model.sizes_[t]),
                "keywords": model.keywords_[t],
                "examples": model.examples_[t],
                "parent": int(parents[t]),
            }
            for t in range(model.n_topics_)
        ],
        "broader": [
            {
                "id": g,
                "label": " · ".join(words[:4]),
                "topics": [ids[int(t)] for t in (parents == g).nonzero()[0]],
            }
            for g, words in enumerate(parent_words)
        ],
    }
