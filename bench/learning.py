"""Learning-loop benchmark: weeks of operation, active learning against random labelling.

    nice -n 5 .venv/bin/python bench/learning.py             # Spanish, 8 weeks of 400 (budget 40)
    nice -n 5 .venv/bin/python bench/learning.py --full      # + BANKING77, 8 weeks of 1,000 (100)
    nice -n 5 .venv/bin/python bench/learning.py --data banking77 --weeks 3 --jobs 2
    nice -n 5 .venv/bin/python bench/learning.py --replot bench/results/learning-es.json \
        --chart docs/learning-curve-es.svg                    # only the chart, from a results file
    nice -n 5 .venv/bin/python bench/learning.py --data banking77 --ceiling-only     # ceilings only

Results: bench/results/learning-<data sets>[-<encoder>][-teach-only|-ceiling][-seedN].json;
``--chart FILE.svg`` draws the curves (accuracy, automation coverage, realised precision
per week).

A real SQLite store in a temporary folder for each arm (``active``, ``random``), the
same interactions in the same order for both. Week 0: 5 labelled examples per
intent are stored and ``learn`` trains the first champion. Each week: ``per_week`` new
interactions arrive and are triaged by the champion at a 0.95 target (``tenant_triager``
→ ``Triager.decide_batch``, as the API does); simulated agents resolve the routed ones
with the true intent, wrong ``--error`` (5%) of the time, uniformly among the other
intents (an ``intent`` feedback event each); they label ``budget`` more from the teach
queue (active arm: ``teach_queue``, uncertainty and diversity; random arm: the same
number drawn at random from the unlabelled interactions; in both, only automated
interactions are unlabelled), also wrong 5% of the time; a lead reviews the week's
decisions that the champion, which never saw them, finds doubtful
(``doubtful_decisions``, confident learning), at most ``--review`` of them (the budget
by default), also wrong 5% of the time; then ``learn`` runs (what `criterio learn` and
the nightly job call), which registers the champion's triage calibration with every
verified decision it never trained on. Per week: automation coverage and realised
precision of that week's traffic (against the true intent), accuracy of the champion
on the fixed test split after learning (a rejected message counts as wrong), the
champion's version, and what the calibration allows (the intents it automates, the
out-of-scope floor on the margin). The
ceiling is the same model trained on every training label of the set (true labels);
its triage ceiling is what that model, calibrated on its own cross-validated evidence
(as `criterio triage calibrate`), automates of the test split at the target: how much
coverage the out-of-scope guard and the precision bound leave when no label is wrong
or missing (a dashed line in the coverage chart).

``--teach-only`` measures the teach queue's choice where it has uncertain interactions
to choose from: agents label none of the routed ones (in the default simulation they
label them all, so triage's routing already hands people every uncertain interaction
and the queue can only choose among automated ones); the weekly budget is all the
labelling there is, from the queue or at random.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import banking77, fb_tod_es
from bench._report import write_results
from criterio.analysis.intents import IntentClassifier, evaluate_intents
from criterio.analysis.modelstore import load_model
from criterio.analysis.text import model_texts
from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.interactions.schemas import InteractionIn
from criterio.interactions.service import store_interactions
from criterio.learning.active import TEACH_REASON, doubtful_decisions, teach_queue
from criterio.learning.decisions import human_labels
from criterio.learning.feedback import Feedback, record_many
from criterio.learning.loop import LearnSettings, learn
from criterio.learning.service import champion, champion_stage, get_model
from criterio.triage.calibration import calibrate
from criterio.triage.engine import Triager
from criterio.triage.evidence import shared_feature_evidence
from criterio.triage.schemas import Policy
from criterio.triage.service import tenant_triager

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ARMS = ("active", "random")
REVIEW_REASON = "review"
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
    when: dict[str, datetime] | None = None,
) -> dict[str, tuple[datetime, str]]:
    """Record a person's decision on each of ``ids``; (when, intent given) by id.

    Decisions fall anywhere in the five working days after ``at``: routed cases and
    taught labels interleave, so the held-out slice (the latest) holds both kinds;
    ``when`` (a review) places each an hour after the decision it reviews.
    """
    offsets = rng.uniform(0, 5 * 86400, len(ids))
    given = {
        i: (
            when[i] + timedelta(hours=1)
            if when is not None
            else at + timedelta(seconds=float(offsets[k])),
            _noisy(truth[i], intents, rng, error),
        )
        for k, i in enumerate(ids)
    }
    items = [
        Feedback(
            kind="intent",
            by="lead" if when is not None else f"agent-{k % 7}",
            after={"intent": given[i][1]},
            interaction_id=i,
            reason=reason,
            source="page",
            at=given[i][0],
        )
        for k, i in enumerate(ids)
    ]
    with session_scope(factory) as session:
        record_many(session, tenant, items)
    return given


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
    text_of: dict[str, str],
    test: tuple[list[str], list[str]],
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
    # --teach-only: nobody labels the routed ones; the budget is all people give.
    agents = [] if args.teach_only else routed
    given = _label(factory, tenant, agents, truth, at, rng, intents, args.error, None)
    teach_at = at + timedelta(hours=1)
    with session_scope(factory) as session:
        pool = human_labels(session, tenant).unlabelled_ids
        if arm == "active":
            chosen = [
                q.interaction_id
                for q in teach_queue(
                    session, tenant, budget=args.budget, now=teach_at, model=triager.classifier
                )
            ]
        else:
            chosen = [pool[i] for i in rng.choice(len(pool), min(args.budget, len(pool)), False)]
    given |= _label(factory, tenant, chosen, truth, at, rng, intents, args.error, TEACH_REASON)
    # A lead reviews the week's decisions the champion (which never saw them) finds
    # doubtful, at most ``review`` of them, also wrong ``error`` of the time.
    decided = sorted(given)
    doubtful = doubtful_decisions(
        triager.classifier,
        decided,
        model_texts([text_of[i] for i in decided]),
        [given[i][1] for i in decided],
    )[: args.review]
    reviewed = [d.interaction_id for d in doubtful]
    review = _label(
        factory,
        tenant,
        reviewed,
        truth,
        at,
        rng,
        intents,
        args.error,
        REVIEW_REASON,
        when={i: given[i][0] for i in reviewed},
    )
    label_errors = sum(given[i][1] != truth[i] for i in decided)
    fixed = sum(given[i][1] != truth[i] and review[i][1] == truth[i] for i in reviewed)
    start = time.perf_counter()
    with session_scope(factory) as session:
        report = learn(
            session,
            tenant,
            model_dir=model_dir,
            by="bench",
            settings=LearnSettings(target=args.target, encoder=args.encoder),
        )
    comparison = report.comparison
    with session_scope(factory) as session:
        triage = champion(session, tenant, "triage")
        calibrated = {} if triage is None else triage.metrics
        # This week's candidate on the test split, promoted or not: what the labels
        # taught, apart from whether the held-out decisions could show it.
        candidate = None
        if report.candidate_id is not None:
            row = get_model(session, tenant, report.candidate_id)
            model = load_model(Path(row.path), "intents")
            candidate = round(float(evaluate_intents(model, *test)["accuracy"]), 4)
    return {
        "week": week,
        "arm": arm,
        "coverage": round(len(automated) / len(batch), 4),
        "precision": round(right / len(automated), 4) if automated else None,
        "automated": len(automated),
        "routed_labelled": len(agents),
        "teach_pool": len(pool),
        "taught": len(chosen),
        "taught_automated": sum(i not in set(routed) for i in chosen),
        "label_errors": label_errors,
        "reviewed": len(reviewed),
        "review_fixed": fixed,
        "triage_version": report.triage_version,
        "intents_automatable": calibrated.get("intents_automated"),
        "margin_floor": None
        if calibrated.get("margin_floor") is None
        else round(calibrated["margin_floor"], 4),
        "automatable": sorted(calibrated.get("thresholds") or {}),
        "evidence_rows": calibrated.get("verified_rows"),
        "learn": report.status,
        "candidate_accuracy": candidate,
        "p_value": None
        if comparison is None or comparison.p_value is None
        else round(comparison.p_value, 4),
        "automation_p": None
        if comparison is None or comparison.automation_p_value is None
        else round(comparison.automation_p_value, 4),
        "learn_s": round(time.perf_counter() - start, 1),
    }


def run(data: str, args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every week of both arms on one data set (side by side with ``--jobs 2``), and the
    ceiling."""
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
    start = time.perf_counter()
    ceiling = IntentClassifier(encoder=args.encoder).fit(texts, labels)
    ceiling_accuracy = float(evaluate_intents(ceiling, *test)["accuracy"])
    coverage = _coverage_ceiling(ceiling, texts, labels, test, args.target)
    print(
        f"{data}: ceiling {ceiling_accuracy:.4f}, {coverage} ({time.perf_counter() - start:.0f}s)",
        flush=True,
    )
    plan = (data, texts, labels, test, seed_rows, stream, weeks, args)
    if args.ceiling_only:
        per_arm: list[list[dict[str, Any]]] = []
    elif args.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(args.jobs, len(ARMS))) as pool:
            per_arm = list(pool.map(_arm, ARMS, [plan] * len(ARMS)))
    else:
        per_arm = [_arm(arm, plan) for arm in ARMS]
    # Week by week, the arms side by side (as a single process writes them).
    rows = sorted((r for arm_rows in per_arm for r in arm_rows), key=lambda r: r["week"])
    extra = {
        "ceiling_accuracy": round(ceiling_accuracy, 4),
        "ceiling_triage": coverage,
        "n_train": len(texts),
        "n_test": len(test[0]),
        "n_intents": len(intents),
        "weeks": weeks,
        "seconds": round(time.perf_counter() - start),
    }
    return rows, extra


def _coverage_ceiling(
    model: IntentClassifier,
    texts: list[str],
    labels: list[str],
    test: tuple[list[str], list[str]],
    target: float,
) -> dict[str, Any]:
    """What triage allows with every training label true: the ceiling model calibrated
    on its own cross-validated evidence (as `criterio triage calibrate`), the test split
    triaged at ``target`` (coverage, realised precision, intents automatable)."""
    evidence = shared_feature_evidence(model, texts, labels)
    calibration = calibrate(evidence, target=target)
    triager = Triager(model, calibration, Policy(target_precision=target))
    records = [
        {"id": str(i), "turns": [{"role": "customer", "text": t}]} for i, t in enumerate(test[0])
    ]
    decisions = triager.decide_batch(records, tenant="bench")
    automated = [d for d in decisions if d.action == "automate"]
    right = sum(d.intent == test[1][int(d.id)] for d in automated)
    return {
        "coverage": round(len(automated) / len(decisions), 4),
        "precision": round(right / len(automated), 4) if automated else None,
        "intents_automatable": len(calibration.automatable()),
        "margin_floor": None
        if calibration.margin_floor is None
        else round(calibration.margin_floor, 4),
    }


def _arm(arm: str, plan: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Week 0 and every week of one arm, in a store of its own."""
    data, texts, labels, test, seed_rows, stream, weeks, args = plan
    intents = sorted(set(labels))
    truth = {f"x{i}": labels[i] for i in range(len(texts))}
    text_of = {f"x{i}": texts[i] for i in range(len(texts))}
    tenant = f"{data}-{arm}"
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = scratch if args.keep is None else str(args.keep / tenant)
        Path(folder).mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade_database(engine)
        factory = make_session_factory(engine)
        model_dir = Path(folder) / "models"
        _store(factory, tenant, [(f"x{i}", texts[i], labels[i]) for i in seed_rows], START)
        with session_scope(factory) as session:
            learn(
                session,
                tenant,
                model_dir=model_dir,
                by="bench",
                settings=LearnSettings(target=args.target, encoder=args.encoder),
            )
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
            row = _week(
                factory, tenant, arm, week, batch, truth, args, intents, model_dir, text_of, test
            )
            accuracy, version = _accuracy(factory, tenant, test)
            rows.append({"data": data, **row, "accuracy": round(accuracy, 4), "version": version})
            print(rows[-1], flush=True)
        engine.dispose()
    return rows


def _per_week(rows: list[dict[str, Any]], key: str, arm: str, weeks: list[int]) -> list[Any]:
    return [
        next((r.get(key) for r in rows if r["week"] == w and r["arm"] == arm), None) for w in weeks
    ]


def _chart(results: dict[str, Any], path: Path) -> None:
    """The curves as one SVG: per data set, accuracy (both arms, the ceiling), automation
    coverage (the 70% goal) and realised automation precision (the target), week by week."""
    from criterio.charts import Series, line_chart

    parts = []
    for data, block in results.items():
        rows = block["rows"]
        weeks = sorted({r["week"] for r in rows})
        arms = [
            (
                key,
                [
                    Series(f"{arm}", _per_week(rows, key, arm, weeks), arm == "random")
                    for arm in ARMS
                ],
            )
            for key in ("accuracy", "coverage", "precision")
        ]
        lines = {
            "accuracy": ("ceiling", block["ceiling_accuracy"], "Accuracy on the test split"),
            "coverage": ("goal 70%", 0.70, "Automation coverage of the week's traffic"),
            "precision": ("target", block.get("target", 0.95), "Realised automation precision"),
        }
        for key, series in arms:
            name, value, title = lines[key]
            series.append(Series(name, [value] * len(weeks), dashed=True))
            best = (block.get("ceiling_triage") or {}).get("coverage")
            if key == "coverage" and best is not None:
                series.append(Series("every label true", [best] * len(weeks), dashed=True))
            heading = f"{data}: {title} (learning loop)"
            chart = line_chart(
                [f"week {w}" for w in weeks], series, title=heading, percent=True, height=220
            )
            parts.append((heading, chart))
    # Each panel under a visible heading (a chart's own title is its accessible name).
    height, head = 220, 24
    inner = "".join(
        f'<text x="8" y="{k * (height + head) + 17}" font-size="14" '
        f'font-family="system-ui, sans-serif">{escape(title)}</text>'
        + part.replace("<svg ", f'<svg x="0" y="{k * (height + head) + head}" ', 1)
        for k, (title, part) in enumerate(parts)
    )
    total = (height + head) * len(parts)
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{total}" '
        f'viewBox="0 0 640 {total}">{inner}</svg>\n',
        encoding="utf-8",
    )


def main() -> None:
    """Run the simulation and write bench/results/learning-*.json (and the chart)."""
    # cleanlab on a week's decisions: some intents have few of them (it says so each time).
    warnings.filterwarnings("ignore", message="May not flag all label issues")
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
    parser.add_argument(
        "--review",
        type=int,
        default=None,
        help="Doubtful decisions a lead reviews a week (default: the budget; 0: none).",
    )
    parser.add_argument("--error", type=float, default=0.05, help="People's error rate.")
    parser.add_argument("--seed-per-intent", type=int, default=5)
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument(
        "--encoder",
        default="static",
        help="Sentence encoder of every model and of the ceiling (static: the loop's default).",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="Which messages seed the model and arrive each week, and people's errors.",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="2: the two arms side by side in two processes, each with its own store "
        "(the same figures as one process, in about half the time on two free cores).",
    )
    parser.add_argument(
        "--teach-only",
        action="store_true",
        help="Classic pool-based active learning: agents label nothing they are routed; "
        "the budget from the teach queue (or random) is the only labelling each week.",
    )
    parser.add_argument(
        "--ceiling-only",
        action="store_true",
        help="Only the ceilings: accuracy, and what triage automates, with every training "
        "label true (no weeks).",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="Keep each arm's store and models in DIR/<data>-<arm>/ (to inspect them); "
        "default: a temporary folder.",
    )
    parser.add_argument("--chart", type=Path, default=None, help="Write the curves as SVG here.")
    parser.add_argument(
        "--replot",
        type=Path,
        default=None,
        help="Only draw the chart (--chart) from a results file of an earlier run.",
    )
    args = parser.parse_args()
    if args.replot is not None:
        saved = json.loads(args.replot.read_text(encoding="utf-8"))
        blocks = saved["datasets"]
        for data, block in blocks.items():
            block["rows"] = [r for r in saved["rows"] if r["data"] == data]
            # A run from before the coverage ceiling: the one of `--ceiling-only`, when
            # it was measured with the same target and encoder.
            extra = args.replot.parent / f"learning-{data}-ceiling.json"
            if "ceiling_triage" not in block and extra.is_file():
                other = json.loads(extra.read_text(encoding="utf-8"))["datasets"][data]
                if (other["target"], other["encoder"]) == (block["target"], block["encoder"]):
                    block["ceiling_triage"] = other["ceiling_triage"]
        _chart(blocks, args.chart or args.replot.with_suffix(".svg"))
        return
    datasets = args.data or (["banking77", "es"] if args.full else ["es"])
    results: dict[str, Any] = {}
    all_rows: list[dict[str, Any]] = []
    for data in datasets:
        # The Spanish set has 3,616 training messages: 400 a week (budget 40) fits 8 weeks.
        default_week, default_budget = (1000, 100) if data == "banking77" else (400, 40)
        these = argparse.Namespace(**vars(args))
        these.per_week = args.per_week or default_week
        these.budget = args.budget or default_budget
        these.review = these.budget if args.review is None else args.review
        rows, extra = run(data, these)
        results[data] = {
            **extra,
            "per_week": these.per_week,
            "budget": these.budget,
            "review": these.review,
            "target": args.target,
            "error": args.error,
            "encoder": args.encoder,
            "rows": rows,
        }
        all_rows += rows
    load = os.getloadavg()[0]
    write_results(
        "learning-"
        + "-".join(datasets)
        + ("" if args.encoder == "static" else f"-{args.encoder}")
        + ("-teach-only" if args.teach_only else "")
        + ("-ceiling" if args.ceiling_only else "")
        + (f"-seed{args.seed}" if args.seed else ""),
        all_rows,
        {
            "command": " ".join(sys.argv),
            "load_1min": round(load, 1),
            "datasets": {
                k: {kk: vv for kk, vv in v.items() if kk != "rows"} for k, v in results.items()
            },
        },
    )
    if args.chart is not None and not args.ceiling_only:
        _chart(results, args.chart)


if __name__ == "__main__":
    main()
