"""Intent classification benchmark: BANKING77 accuracy, out-of-scope detection, Spanish, curves.

    nice -n 5 .venv/bin/python bench/intents.py          # everything (a few minutes on 2 cores)
    nice -n 5 .venv/bin/python bench/intents.py --quick  # the learning curves and Spanish only
    ... --parts full,oos   # some of full, oos, spanish, curves: results/intents-full-oos.json
    ... --encoders static,static+use --seeds 3           # curves of several encoders side by side

The learning curves train on 5, 10 and 20 examples per intent (drawn with ``--seeds``
seeds from the training split) and score on the whole test split: BANKING77 (77
English intents) and the Spanish Facebook task-oriented dialogue set (12 intents).

The reference in the same run is scikit-learn's TF-IDF word+char n-grams with a linear
SVM (no meaning, only words); the issue's LR/MiniLM figures are quoted, not re-run.
``train_s`` is wall time, ``train_cpu_s`` the CPU time of this process over the same
fit (on a shared machine the wall time grows with the load; the CPU time much less).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77, fb_tod_es
from bench._report import write_results
from criterio.analysis.intents import OOS_LABELS, UNKNOWN, IntentClassifier, evaluate_intents


def _ours(
    name: str,
    train: tuple[list[str], list[str]],
    test: tuple[list[str], list[str]],
    encoder: str = "static",
) -> dict[str, Any]:
    start, cpu = time.perf_counter(), time.process_time()
    model = IntentClassifier(encoder=encoder).fit(*train)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    figures = evaluate_intents(model, *test)
    in_scope = [label not in OOS_LABELS for label in test[1]]
    rejected, _ = model.predict_with_confidence(
        [t for t, k in zip(test[0], in_scope, strict=True) if k]
    )
    return {
        "setting": name,
        "system": f"criterio ({encoder})",
        "train_s": round(seconds, 1),
        "train_cpu_s": round(cpu, 1),
        "accuracy": figures["in_scope_accuracy_no_rejection"]
        if "n_oos" not in figures
        else figures["in_scope_accuracy"],
        "accuracy_with_rejection": figures["accuracy"],
        "macro_f1": figures["macro_f1"],
        "oos_auroc": figures.get("oos_auroc"),
        "oos_recall": figures.get("oos_recall"),
        "oos_precision": figures.get("oos_precision"),
        "in_scope_rejected": float(np.mean(rejected == UNKNOWN)),
        "calibrated": bool(model.calibrated_),
    }


def _curve(
    name: str,
    train: tuple[list[str], list[str]],
    test: tuple[list[str], list[str]],
    encoder: str,
    seeds: int,
) -> list[dict[str, object]]:
    """Closed-set accuracy at 5, 10, 20 examples per intent: mean and range over seeds."""
    rows: list[dict[str, object]] = []
    for n in (5, 10, 20):
        runs = [_ours(name, _per_intent(*train, n, seed), test, encoder) for seed in range(seeds)]
        accuracy = [float(r["accuracy"]) for r in runs]
        rows.append(
            {
                "setting": f"{name} {n}/intent ({seeds} seeds)",
                "system": f"criterio ({encoder})",
                "train_s": round(float(np.mean([r["train_s"] for r in runs])), 1),
                "train_cpu_s": round(float(np.mean([r["train_cpu_s"] for r in runs])), 1),
                "accuracy": float(np.mean(accuracy)),
                "accuracy_min": min(accuracy),
                "accuracy_max": max(accuracy),
                "accuracy_with_rejection": float(
                    np.mean([r["accuracy_with_rejection"] for r in runs])
                ),
            }
        )
    return rows


def _reference(
    name: str, train: tuple[list[str], list[str]], test: tuple[list[str], list[str]]
) -> dict[str, object]:
    start, cpu = time.perf_counter(), time.process_time()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(train[0])
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
    ).fit(train[0])
    feats = lambda t: sparse.hstack([words.transform(t), chars.transform(t)], "csr")  # noqa: E731
    model = LinearSVC(C=0.5).fit(feats(train[0]), train[1])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    accuracy = float(np.mean(model.predict(feats(test[0])) == np.asarray(test[1])))
    return {
        "setting": name,
        "system": "reference: TF-IDF word+char, LinearSVC",
        "train_s": round(seconds, 1),
        "train_cpu_s": round(cpu, 1),
        "accuracy": accuracy,
    }


def _per_intent(
    texts: list[str], labels: list[str], n: int, seed: int = 0
) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    for label in sorted(set(labels)):
        idx = [i for i, v in enumerate(labels) if v == label]
        keep += rng.choice(idx, min(n, len(idx)), replace=False).tolist()
    keep.sort()
    return [texts[i] for i in keep], [labels[i] for i in keep]


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the same as --parts spanish,curves")
    parser.add_argument("--parts", default="full,oos,spanish,curves")
    parser.add_argument(
        "--encoders", default="static+use", help="comma-separated; the first runs the full sets"
    )
    parser.add_argument("--seeds", type=int, default=3, help="draws per learning-curve point")
    args = parser.parse_args()
    encoders = args.encoders.split(",")
    load_before = os.getloadavg()
    train, test = banking77("train"), banking77("test")
    spanish = fb_tod_es("train"), fb_tod_es("test")
    rows = []
    parts = ["spanish", "curves"] if args.quick else args.parts.split(",")
    if "full" in parts:
        for encoder in encoders:
            rows.append(_ours("banking77 full", train, test, encoder))
        rows.append(_reference("banking77 full", train, test))
    if "oos" in parts:
        # Out of scope: 20% of the intents are never trained; their test texts must be rejected.
        intents = sorted(set(train[1]))
        held = set(np.random.default_rng(0).choice(intents, len(intents) // 5, replace=False))
        known = [(t, v) for t, v in zip(*train, strict=True) if v not in held]
        oos_test = [t for t in test[0]], ["oos" if v in held else v for v in test[1]]
        for encoder in encoders:
            rows.append(
                _ours(
                    f"banking77 OOS ({len(held)} intents held out)",
                    ([t for t, _ in known], [v for _, v in known]),
                    oos_test,
                    encoder,
                )
            )
    if "spanish" in parts:
        for encoder in encoders:
            rows.append(_ours("spanish fb-tod", *spanish, encoder))
        rows.append(_reference("spanish fb-tod", *spanish))
    if "curves" in parts:
        for encoder in encoders:
            rows += _curve("spanish fb-tod", *spanish, encoder, args.seeds)
            rows += _curve("banking77", train, test, encoder, args.seeds)
    extra = {
        "command": " ".join(sys.argv),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "process_cpu_s": round(time.process_time(), 1),
    }
    everything = set(parts) == {"full", "oos", "spanish", "curves"}
    write_results("intents" if everything else "-".join(["intents", *parts]), rows, extra)
    print(f"load average {extra['load_average_start']} -> {extra['load_average_end']}")


if __name__ == "__main__":
    main()
