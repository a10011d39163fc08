"""How well knowledge-gap clustering groups unanswered questions, English and Spanish.

``criterio kb gaps`` groups the interactions no article answers by meaning (average-
linkage clustering on cosine distance under ``knowledge.gaps.DISTANCE``) and makes a
gap of every group of 3 or more. This benchmark clusters public customer questions
whose intent is known, the way the gaps code does, with each encoder:

- BANKING77 test (English, 77 intents) and the Spanish task-oriented set's test split
  (12 intents), 25 questions from each of 12 intents per draw;
- ``mixed``: the Spanish draw and the English draw together (a gap should not join
  questions of different sets).

Scores per encoder and distance: adjusted Rand index against the intents, the share of
questions that land in a gap (a group of ≥ 3), and the gaps' purity (the share of a
gap's questions of its commonest intent). Distances are chosen on the train splits
(``--split train``), then read on the test splits.

    python bench/gaps.py                      # test splits (the shipped setting: use-static, 0.5)
    python bench/gaps.py --split train        # to choose the distance
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77, fb_tod_es
from bench._report import write_results

INTENTS = 12
PER_INTENT = 25
MIN_SIZE = 3


def _draw(texts: list[str], labels: list[str], seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    intents = sorted(set(labels))
    chosen = rng.choice(intents, min(INTENTS, len(intents)), replace=False)
    keep: list[int] = []
    for label in chosen:
        idx = [i for i, v in enumerate(labels) if v == label]
        keep += rng.choice(idx, min(PER_INTENT, len(idx)), replace=False).tolist()
    return [texts[i] for i in keep], [labels[i] for i in keep]


def _cluster(vectors: np.ndarray[Any, Any], distance: float) -> np.ndarray[Any, Any]:
    from sklearn.cluster import AgglomerativeClustering

    clustering = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance, metric="cosine", linkage="average"
    )
    return np.asarray(clustering.fit_predict(vectors))


def _scores(found: np.ndarray[Any, Any], truth: list[str]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    sizes = Counter(found.tolist())
    in_gaps = [i for i, c in enumerate(found) if sizes[c] >= MIN_SIZE]
    purity = []
    for cluster in {found[i] for i in in_gaps}:
        members = [truth[i] for i in in_gaps if found[i] == cluster]
        purity.append(Counter(members).most_common(1)[0][1] / len(members))
    return {
        "ari": float(adjusted_rand_score(truth, found)),
        "in_gaps": len(in_gaps) / len(truth),
        "purity": float(np.mean(purity)) if purity else 0.0,
        "gaps": float(len(purity)),
    }


def main() -> None:
    """Cluster each set with each encoder and distance; print and write the table."""
    from criterio.analysis.embeddings import make_encoder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--encoders", default="static,use-static")
    parser.add_argument("--distances", default="0.3,0.35,0.4,0.45,0.5,0.55")
    parser.add_argument("--draws", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    english = banking77(args.split)
    spanish = fb_tod_es(args.split)
    rows = []
    for name in args.encoders.split(","):
        encoder = make_encoder(name).fit()
        for distance in (float(d) for d in args.distances.split(",")):
            for set_name in ("english", "spanish", "mixed"):
                runs = []
                for seed in range(args.draws):
                    en, es = _draw(*english, seed), _draw(*spanish, seed)
                    texts, truth = {
                        "english": en,
                        "spanish": es,
                        "mixed": (en[0] + es[0], [f"en:{v}" for v in en[1]] + es[1]),
                    }[set_name]
                    runs.append(_scores(_cluster(encoder.transform(texts), distance), truth))
                row: dict[str, Any] = {"encoder": name, "distance": distance, "set": set_name}
                row |= {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
                rows.append(row)
    extra = {"split": args.split, "draws": args.draws, "load_before": load_before}
    extra["load_after"] = os.getloadavg()
    write_results(f"gaps-{args.split}", rows, extra)


if __name__ == "__main__":
    main()
