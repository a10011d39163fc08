"""Triage benchmark: precision of automated decisions at a target, with unseen intents.

    nice -n 5 .venv/bin/python bench/triage.py            # BANKING77 and Spanish (minutes)
    nice -n 5 .venv/bin/python bench/triage.py --quick    # Spanish only
    nice -n 5 .venv/bin/python bench/triage.py --quick --split eval   # choose methods here

The cross-validated evidence (15 fits on the training data: 5 folds and 10 groups of
intents left out, the slow part) is cached under bench/results/cache/,
keyed by the training rows, the folds, the model's settings and version and the
evidence's format: a second run with the same data reuses it and
only fits the model once. ``--split eval`` scores the Spanish set's validation split
instead of its test split, for choosing between methods without looking at the test.
``--evidence``: ``shared`` (the default, what `criterio triage calibrate` and `learn`
use: one SVM per fit on features built once, ``shared_feature_evidence``), ``refit``
(a whole IntentClassifier per fit, ``cross_validated_evidence``, the earlier way) or
``both`` in the same run.

A fifth of each set's intents (chosen with a seeded generator) is held out of
training: their test messages arrive as out-of-scope traffic and any automation of
them counts as wrong. The model is trained on the rest; its per-intent thresholds come
from 5-fold cross-validated predictions on the training data (the same code as
`criterio triage calibrate` / `decide`, through ``Triager``). The reference in the same
run is one fixed confidence threshold, the lowest at which the cross-validated
precision of all predictions reaches the target. Criterio's rows: the default (pooled
Clopper–Pearson bound, out-of-scope floor on the margin between the two best intents),
the same with the floor on the confidence (the earlier default), and without any
out-of-scope floor (what the floor costs). Figures on the test split: ``precision`` of
automated decisions (with its count), ``coverage`` of in-scope messages,
``oos_automated`` share of out-of-scope messages automated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
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
from criterio.triage.calibration import Evidence, calibrate
from criterio.triage.engine import Triager
from criterio.triage.evidence import cross_validated_evidence, shared_feature_evidence
from criterio.triage.schemas import Policy

TARGETS = (0.90, 0.95, 0.98)
CACHE = Path(__file__).resolve().parent / "results" / "cache"
#: Part of the cache key: evidence computed by older code (five unseen-intent groups, no
#: margins) is not reused.
EVIDENCE_FORMAT = "10 unseen groups, margins"


def _evidence(name: str, texts: list[str], labels: list[str], method: str) -> tuple[Evidence, str]:
    """Cross-validated evidence of the training rows, from the cache when it has it."""
    model = IntentClassifier()
    key = hashlib.sha256(
        json.dumps(
            [
                texts,
                labels,
                5,
                IntentClassifier.version,
                sorted(model.get_params().items()),
                EVIDENCE_FORMAT,
                method,
            ],
            default=str,
        ).encode()
    ).hexdigest()[:16]
    path = CACHE / f"triage-evidence-{name}-{key}.json"
    if path.is_file():
        return Evidence.from_dict(json.loads(path.read_text("utf-8"))), "cached"
    start = time.perf_counter()
    if method == "shared":
        evidence = shared_feature_evidence(model, texts, labels, folds=5, random_state=0)
    else:
        evidence = cross_validated_evidence(
            lambda: IntentClassifier(), texts, labels, folds=5, random_state=0
        )
    print(f"{name}: {method} evidence in {time.perf_counter() - start:.0f}s", flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(evidence.to_dict()), "utf-8")
    return evidence, "computed"


def _split_out(
    train: tuple[list[str], list[str]], test: tuple[list[str], list[str]], seed: int
) -> tuple[tuple[list[str], list[str]], list[str], list[str | None], list[str]]:
    """Known-intent training rows; test texts with their label (None: out of scope)."""
    intents = sorted(set(train[1]))
    held = sorted(np.random.default_rng(seed).choice(intents, round(len(intents) / 5), False))
    known = [(t, v) for t, v in zip(*train, strict=True) if v not in held]
    truth = [None if v in held else v for v in test[1]]
    return ([t for t, _ in known], [v for _, v in known]), test[0], truth, [str(h) for h in held]


def _per_intent(
    rows: tuple[list[str], list[str]], n: int, seed: int
) -> tuple[list[str], list[str]]:
    """At most ``n`` training examples of each intent, drawn with a seeded generator."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(rows[1], dtype=object)
    keep: list[int] = []
    for intent in sorted(set(rows[1])):
        where = np.flatnonzero(labels == intent)
        keep += sorted(rng.choice(where, min(n, len(where)), replace=False).tolist())
    keep.sort()
    return [rows[0][i] for i in keep], [rows[1][i] for i in keep]


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
    name: str,
    train: tuple[list[str], list[str]],
    test: tuple[list[str], list[str]],
    seed: int,
    methods: list[str],
) -> list[dict[str, Any]]:
    (texts, labels), test_texts, truth, held = _split_out(train, test, seed)
    texts, test_texts = model_texts(texts), model_texts(test_texts)
    start = time.perf_counter()
    model = IntentClassifier().fit(texts, labels)
    seconds = time.perf_counter() - start
    print(f"{name}: held out {held}; trained in {seconds:.0f}s", flush=True)
    records = [{"id": str(i), "text": t} for i, t in enumerate(test_texts)]
    rows = []
    for method in methods:
        evidence, how = _evidence(name.split()[0], texts, labels, method)
        print(f"{name}: {method} evidence {how}", flush=True)
        rows += _rows(name, model, evidence, records, truth, method)
    return rows


def _rows(
    name: str,
    model: IntentClassifier,
    evidence: Evidence,
    records: list[dict[str, str]],
    truth: list[str | None],
    method: str,
) -> list[dict[str, Any]]:
    """Each system's figures at each target, from one kind of evidence."""
    oos = np.asarray([t is None for t in truth])
    best = model.predict_proba([r["text"] for r in records])
    argmax = np.asarray(model.classes_, dtype=object)[best.argmax(axis=1)]
    top = best.max(axis=1)
    rows = []
    systems: tuple[tuple[str, dict[str, Any]], ...] = (
        ("criterio pooled, OOS floor on the margin (default)", {}),
        ("criterio pooled, OOS floor on the confidence", {"oos_score": "confidence"}),
        ("criterio pooled, no OOS floor", {"max_oos_share": None}),
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
                    "evidence": method,
                    "target": target,
                    "system": system,
                    "intents_automated": (
                        f"{len(calibration.automatable())}/{len(calibration.intents)}"
                    ),
                    "floor": round(calibration.floor, 4),
                    "margin_floor": (
                        None
                        if calibration.margin_floor is None
                        else round(calibration.margin_floor, 4)
                    ),
                    **_figures(automated, right, oos),
                }
            )
        cut = _global_threshold(evidence, target)
        ref_auto = top >= cut
        ref_right = np.asarray([p == t for p, t in zip(argmax, truth, strict=True)])
        rows.append(
            {
                "set": name,
                "evidence": method,
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
    parser.add_argument("--banking77-only", action="store_true", help="BANKING77 only")
    parser.add_argument(
        "--split",
        choices=("test", "eval"),
        default="test",
        help="Spanish set: score its test split (report) or its validation split (choose)",
    )
    parser.add_argument("--seed", type=int, default=0, help="which intents are held out")
    parser.add_argument(
        "--banking77-per-intent",
        type=int,
        default=0,
        metavar="N",
        help="train BANKING77 on N seeded examples per intent (0: all, about 130); the "
        "test split is always whole",
    )
    parser.add_argument(
        "--evidence",
        choices=("shared", "refit", "both"),
        default="shared",
        help="how the cross-validated evidence is computed (see above)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []
    methods = ["shared", "refit"] if args.evidence == "both" else [args.evidence]
    if not args.quick:
        train, name = banking77("train"), "banking77"
        if args.banking77_per_intent:
            train = _per_intent(train, args.banking77_per_intent, args.seed)
            name = f"banking77 ({args.banking77_per_intent}/intent)"
        rows += _run(name, train, banking77("test"), args.seed, methods)
    if not args.banking77_only:
        spanish = f"fb-tod es ({args.split})"
        rows += _run(spanish, fb_tod_es("train"), fb_tod_es(args.split), args.seed, methods)
    extra = {
        "command": " ".join(sys.argv),
        "load_average_start": [round(x, 2) for x in load_before],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "process_cpu_s": round(time.process_time(), 1),
    }
    name = "triage" if not args.quick else "triage-quick"
    name = name if not args.banking77_only else "triage-banking77"
    if args.banking77_per_intent and not args.quick:
        name += f"-{args.banking77_per_intent}-per-intent"
    if args.evidence != "shared":
        name += f"-{args.evidence}-evidence"
    write_results(name if args.split == "test" else f"{name}-{args.split}", rows, extra)
    print(f"load average {extra['load_average_start']} -> {extra['load_average_end']}")


if __name__ == "__main__":
    main()
