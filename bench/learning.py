"""Learning-loop benchmark: weeks of operation, active learning against random labelling.

    nice -n 5 .venv/bin/python bench/learning.py             # short: Spanish 8 weeks of 400
    nice -n 5 .venv/bin/python bench/learning.py --full      # + BANKING77, 8 weeks of 1,000
    nice -n 5 .venv/bin/python bench/learning.py --data banking77 --weeks 3

Results: bench/results/learning-<data sets>.json; ``--chart FILE.svg`` draws the curves.

A real SQLite store in a temporary folder, one tenant per arm (``active``, ``random``),
the same interactions in the same order for both. Week 0: 5 labelled examples per
intent are stored and ``learn`` trains the first champion. Each week: ``per_week`` new
interactions arrive and are triaged by the champion at a 0.95 target (``tenant_triager``
→ ``Triager.decide_batch``, as the API does); simulated agents resolve the routed ones
with the true intent, wrong 5% of the time (an ``intent`` feedback event each); they
label ``budget`` more from the teach queue (active arm: ``teach_queue``; random arm:
the same number drawn at random from the unlabelled interactions), also 5% wrong; then
``learn`` runs (the service `criterio learn` and the nightly job call). Per week:
automation coverage and realised precision of that week's traffic (against the true
intent), accuracy of the champion on the fixed test split after learning (a rejected
message counts as wrong), and the champion's version. The ceiling is the same model
trained on every training label of the set.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77, fb_tod_es
from bench._report import write_results
from criterio.analysis.intents import IntentClassifier, evaluate_intents
from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.learning.active import TEACH_REASON, teach_queue
from criterio.learning.decisions import human_labels
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.loop import LearnSettings, learn
from criterio.learning.service import champion, champion_stage
from criterio.triage.service import tenant_triager

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ARMS = ("active", "random")
LOADERS = {"banking77": (banking77, "train", "test"), "es": (fb_tod_es, "train", "test")}


def _store(
    factory: Any, tenant: str, rows: list[tuple[str, str, str | None]], at: datetime
) -> None:
    records = [
        InteractionIn.model_validate(
            {
                "tenant": tenant,
                "id": ident,
                "started_at": (at + timedelta(seconds=i)).isoformat(),
                "turns": [{"role": "customer", "text": text}],
                **({"labels": {"intent": label}} if label else {}),
            }
        )
        for i, (ident, text, label) in enumerate(rows)
    ]
    with session_scope(factory) as session:
        store_interactions(session, records)


def _noisy(truth: str, intents: list[str], rng: np.random.Generator, error: float) -> str:
    if rng.random() >= error:
        return truth
    others = [i for i in intents if i != truth]
    return str(others[rng.integers(len(others))])


def _label(
    factory: Any,
    tenant: str,
    ids: list[str],
    truth: dict[str, str],
    at: datetime,
    rng: np.random.Generator,
    intents: list[str],
    error: float,
    reason: str | None,
) -> None:
    # Decisions fall anywhere in the five working days after ``at``: routed cases and
    # taught labels interleave, so the held-out slice (the latest) holds both kinds.
    offsets = rng.uniform(0, 5 * 86400, len(ids))
    items = [
        Feedback(
            kind="intent",
            by=f"agent-{k % 7}",
            after={"intent": _noisy(truth[i], intents, rng, error)},
            interaction_id=i,
            reason=reason,
            source="page",
            at=at + timedelta(seconds=float(offsets[k])),
        )
        for k, i in enumerate(ids)
    ]
    with session_scope(factory) as session:
        record_many(session, tenant, items)


def _accuracy(factory: Any, tenant: str, test: tuple[list[str], list[str]]) -> tuple[float, int]:
    with session_scope(factory) as session:
        stage = champion_stage(session, tenant, "intent")
        row = champion(session, tenant, "intent")
    assert stage is not None and row is not None
    return float(evaluate_intents(stage.model, *test)["accuracy"]), row.version


def _week(
    factory: Any,
    tenant: str,
    arm: str,
    week: int,
    batch: list[tuple[str, str]],
    truth: dict[str, str],
    args: argparse.Namespace,
    intents: list[str],
    model_dir: Path,
) -> dict[str, Any]:
    """One simulated week of one arm: triage, agents' decisions, teaching, learning."""
    rng = np.random.default_rng([args.seed, week, ARMS.index(arm)])
    at = START + timedelta(weeks=week)
    _store(factory, tenant, [(i, t, None) for i, t in batch], at)
    records = [{"id": i, "turns": [{"role": "customer", "text": t}]} for i, t in batch]
    with session_scope(factory) as session:
        triager = tenant_triager(session, tenant, target=args.target)
        decisions = triager.decide_batch(records, tenant=tenant, session=session)
    automated = [d for d in decisions if d.action == "automate"]
    right = sum(d.intent == truth[d.id] for d in automated)
    routed = [d.id for d in decisions if d.action != "automate"]
    _label(factory, tenant, routed, truth, at, rng, intents, 0.05, None)
    teach_at = at + timedelta(hours=1)
    with session_scope(factory) as session:
        if arm == "active":
            chosen = [
                q.interaction_id
                for q in teach_queue(session, tenant, budget=args.budget, now=teach_at)
            ]
        else:
            pool = human_labels(session, tenant).unlabelled_ids
            chosen = [pool[i] for i in rng.choice(len(pool), min(args.budget, len(pool)), False)]
    _label(factory, tenant, chosen, truth, at, rng, intents, 0.05, TEACH_REASON)
    start = time.perf_counter()
    with session_scope(factory) as session:
        report = learn(
            session,
            tenant,
            model_dir=model_dir,
            by="bench",
            settings=LearnSettings(target=args.target),
        )
    comparison = report.comparison
    return {
        "week": week,
        "arm": arm,
        "coverage": round(len(automated) / len(batch), 4),
        "precision": round(right / len(automated), 4) if automated else None,
        "automated": len(automated),
        "routed_labelled": len(routed),
        "taught": len(chosen),
        "learn": report.status,
        "p_value": None
        if comparison is None or comparison.p_value is None
        else round(comparison.p_value, 4),
        "learn_s": round(time.perf_counter() - start, 1),
    }


def run(data: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every week of both arms on one data set, and the ceiling."""
    loader, train_split, test_split = LOADERS[data]
    texts, labels = loader(train_split)
    test = loader(test_split)
    intents = sorted(set(labels))
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(texts))
    seed_rows: list[int] = []
    for intent in intents:
        seed_rows += [int(i) for i in order if labels[i] == intent][: args.seed_per_intent]
    taken = set(seed_rows)
    stream = [int(i) for i in order if i not in taken]
    weeks = min(args.weeks, len(stream) // args.per_week)
    truth = {f"x{i}": labels[i] for i in range(len(texts))}
    start = time.perf_counter()
    ceiling = IntentClassifier(encoder="static").fit(texts, labels)
    ceiling_accuracy = float(evaluate_intents(ceiling, *test)["accuracy"])
    print(
        f"{data}: ceiling {ceiling_accuracy:.4f} ({time.perf_counter() - start:.0f}s)", flush=True
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade_database(engine)
        factory = make_session_factory(engine)
        model_dir = Path(folder) / "models"
        for arm in ARMS:
            tenant = f"{data}-{arm}"
            _store(factory, tenant, [(f"x{i}", texts[i], labels[i]) for i in seed_rows], START)
            with session_scope(factory) as session:
                learn(session, tenant, model_dir=model_dir, by="bench")
            accuracy, version = _accuracy(factory, tenant, test)
            rows.append(
                {
                    "data": data,
                    "week": 0,
                    "arm": arm,
                    "accuracy": round(accuracy, 4),
                    "version": version,
                }
            )
        for week in range(1, weeks + 1):
            batch = [
                (f"x{i}", texts[i])
                for i in stream[(week - 1) * args.per_week : week * args.per_week]
            ]
            for arm in ARMS:
                tenant = f"{data}-{arm}"
                row = _week(factory, tenant, arm, week, batch, truth, args, intents, model_dir)
                accuracy, version = _accuracy(factory, tenant, test)
                rows.append(
                    {"data": data, **row, "accuracy": round(accuracy, 4), "version": version}
                )
                print(rows[-1], flush=True)
        engine.dispose()
    extra = {
        "ceiling_accuracy": round(ceiling_accuracy, 4),
        "n_train": len(texts),
        "n_test": len(test[0]),
        "n_intents": len(intents),
        "weeks": weeks,
        "seconds": round(time.perf_counter() - start),
    }
    return rows, extra


def _chart(results: dict[str, Any], path: Path) -> None:
    """The learning curves (accuracy per week, both arms, the ceiling) as an SVG."""
    from criterio.charts import Series, line_chart

    parts = []
    for data, block in results.items():
        rows = block["rows"]
        weeks = sorted({r["week"] for r in rows})
        series = [
            Series(
                f"{data} {arm}",
                [
                    next((r["accuracy"] for r in rows if r["week"] == w and r["arm"] == arm), None)
                    for w in weeks
                ],
                dashed=arm == "random",
            )
            for arm in ARMS
        ]
        series.append(
            Series(f"{data} ceiling", [block["ceiling_accuracy"]] * len(weeks), dashed=True)
        )
        parts.append(
            line_chart(
                [f"week {w}" for w in weeks],
                series,
                title=f"Accuracy on the {data} test split, week by week (learning loop)",
                percent=True,
            )
        )
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def main() -> None:
    """Run the simulation and write bench/results/learning-*.json (and the chart)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", choices=sorted(LOADERS), action="append")
    parser.add_argument(
        "--full", action="store_true", help="BANKING77 (8 × 1,000, budget 100) and Spanish"
    )
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--per-week", type=int, default=None)
    parser.add_argument("--budget", type=int, default=None)
    parser.add_argument("--seed-per-intent", type=int, default=5)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chart", type=Path, default=None, help="Write the curves as SVG here.")
    args = parser.parse_args()
    datasets = args.data or (["banking77", "es"] if args.full else ["es"])
    results: dict[str, Any] = {}
    all_rows: list[dict[str, Any]] = []
    for data in datasets:
        # The Spanish set has 3,616 training messages: 400 a week (budget 40) fits 8 weeks.
        default_week, default_budget = (1000, 100) if data == "banking77" else (400, 40)
        these = argparse.Namespace(**vars(args))
        these.per_week = args.per_week or default_week
        these.budget = args.budget or default_budget
        rows, extra = run(data, these)
        results[data] = {**extra, "per_week": these.per_week, "budget": these.budget, "rows": rows}
        all_rows += rows
    load = os.getloadavg()[0]
    write_results(
        "learning-" + "-".join(datasets),
        all_rows,
        {
            "command": " ".join(sys.argv),
            "load_1min": round(load, 1),
            "datasets": {
                k: {kk: vv for kk, vv in v.items() if kk != "rows"} for k, v in results.items()
            },
        },
    )
    if args.chart is not None:
        _chart(results, args.chart)


if __name__ == "__main__":
    main()
