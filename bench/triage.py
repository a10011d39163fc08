"""Triage benchmark: precision of automated decisions at a target, with unseen intents.

    nice -n 5 .venv/bin/python bench/triage.py            # BANKING77 and Spanish (minutes)
    nice -n 5 .venv/bin/python bench/triage.py --quick    # Spanish only

A fifth of each set's intents (chosen with a seeded generator) is held out of
training: their test messages arrive as out-of-scope traffic and any automation of
them counts as wrong. The model is trained on the rest; its per-intent thresholds come
from 5-fold cross-validated predictions on the training data (the same code as
`criterio triage calibrate` / `decide`, through ``Triager``). The reference in the same
run is one fixed confidence threshold, the lowest at which the cross-validated
precision of all predictions reaches the target. Criterio's rows: the default (pooled
Clopper–Pearson bound with the out-of-scope floor), the same without the out-of-scope
floor (what the floor costs), and one bound per intent (the earlier rule). Figures on
the test split: ``precision`` of automated decisions (with its count), ``coverage`` of
in-scope messages, ``oos_automated`` share of out-of-scope messages automated.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77, fb_tod_es
from bench._report import write_results
from criterio.analysis.intents import IntentClassifier
from criterio.analysis.text import model_texts
from criterio.triage.calibration import Evidence, calibrate, cross_validated_evidence
from criterio.triage.engine import Triager
from criterio.triage.schemas import Policy

TARGETS = (0.90, 0.95, 0.98)


def _split_out(
    train: tuple[list[str], list[str]], test: tuple[list[str], list[str]], seed: int
) -> tuple[tuple[list[str], list[str]], list[str], list[str | None], list[str]]:
    """Known-intent training rows; test texts with their label (None: out of scope)."""
    intents = sorted(set(train[1]))
    held = sorted(np.random.default_rng(seed).choice(intents, round(len(intents) / 5), False))
    known = [(t, v) for t, v in zip(*train, strict=True) if v not in held]
    truth = [None if v in held else v for v in test[1]]
    return ([t for t, _ in known], [v for _, v in known]), test[0], truth, [str(h) for h in held]


def _global_threshold(evidence: Evidence, target: float) -> float:
    """The reference: the lowest confidence whose cross-validated precision reaches target."""
    conf = np.asarray(evidence.confidence)
    ok = np.asarray(evidence.correct, dtype=float)
    order = np.argsort(-conf, kind="stable")
    precision = np.cumsum(ok[order]) / np.arange(1, len(conf) + 1)
    valid = np.flatnonzero(precision >= target)
    return float(conf[order][valid[-1]]) if len(valid) else 1.0


def _figures(
    automated: np.ndarray[Any, Any], right: np.ndarray[Any, Any], oos: np.ndarray[Any, Any]
) -> dict[str, Any]:
    n_auto = int(automated.sum())
    return {
        "automated": n_auto,
        "precision": float(right[automated].mean()) if n_auto else None,
        "coverage": float(automated[~oos].mean()),
        "oos_automated": float(automated[oos].mean()) if oos.any() else None,
    }


def _run(
    name: str, train: tuple[list[str], list[str]], test: tuple[list[str], list[str]], seed: int
) -> list[dict[str, Any]]:
    (texts, labels), test_texts, truth, held = _split_out(train, test, seed)
    texts, test_texts = model_texts(texts), model_texts(test_texts)
    start = time.perf_counter()
    model = IntentClassifier().fit(texts, labels)
    evidence = cross_validated_evidence(
        lambda: IntentClassifier(), texts, labels, folds=5, random_state=0
    )
    seconds = time.perf_counter() - start
    print(f"{name}: held out {held}; trained and cross-validated in {seconds:.0f}s", flush=True)
    oos = np.asarray([t is None for t in truth])
    records = [{"id": str(i), "text": t} for i, t in enumerate(test_texts)]
    best = model.predict_proba(test_texts)
    argmax = np.asarray(model.classes_, dtype=object)[best.argmax(axis=1)]
    top = best.max(axis=1)
    rows = []
    systems: tuple[tuple[str, dict[str, Any]], ...] = (
        ("criterio pooled (default)", {}),
        ("criterio pooled, no out-of-scope floor", {"max_oos_share": None}),
        ("criterio per-intent bound", {"pooling": "per_intent"}),
    )
    for target in TARGETS:
        for system, options in systems:
            calibration = calibrate(evidence, target=target, **options)
            triager = Triager(model, calibration, Policy(target_precision=target))
            decisions = triager.decide_batch(records, tenant="bench")
            automated = np.asarray([d.action == "automate" for d in decisions])
            right = np.asarray([d.intent == t for d, t in zip(decisions, truth, strict=True)])
            rows.append(
                {
                    "set": name,
                    "target": target,
                    "system": system,
                    "intents_automated": (
                        f"{len(calibration.automatable())}/{len(calibration.intents)}"
                    ),
                    "floor": round(calibration.floor, 4),
                    **_figures(automated, right, oos),
                }
            )
        cut = _global_threshold(evidence, target)
        ref_auto = top >= cut
        ref_right = np.asarray([p == t for p, t in zip(argmax, truth, strict=True)])
        rows.append(
            {
                "set": name,
                "target": target,
                "system": f"reference: one threshold {cut:.3f} (CV)",
                "intents_automated": "",
                **_figures(ref_auto, ref_right, oos),
            }
        )
    return rows


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="Spanish set only")
    parser.add_argument("--seed", type=int, default=0, help="which intents are held out")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []
    if not args.quick:
        rows += _run("banking77", banking77("train"), banking77("test"), args.seed)
    rows += _run("fb-tod es", fb_tod_es("train"), fb_tod_es("test"), args.seed)
    extra = {
        "command": " ".join(sys.argv),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "process_cpu_s": round(time.process_time(), 1),
    }
    write_results("triage" if not args.quick else "triage-quick", rows, extra)
    print(f"load average {extra['load_average_start']} -> {extra['load_average_end']}")


if __name__ == "__main__":
    main()
