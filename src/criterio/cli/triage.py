"""``criterio triage …``: automate or route, at a precision the client sets; judge the outcomes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from criterio.errors import CriterioError, InvalidInputError

__all__ = ["app"]

app = typer.Typer(
    help="Decide for each interaction: answer automatically (only at the calibrated "
    "precision) or route it to people with a queue, a priority and the reasons.",
    no_args_is_help=True,
)

ModelDir = Annotated[
    Path | None,
    typer.Option("--model", help="Intent model directory (model.skops + model.json)."),
]
Tenant = Annotated[
    str | None, typer.Option(help="Use this tenant's champion intent model (from the registry).")
]
BATCH = 256


def _model_dir(model: Path | None, tenant: str | None) -> Path:
    """--model, or the directory of the tenant's champion intent model."""
    if (model is None) == (tenant is None):
        raise typer.BadParameter("give either --model DIR or --tenant T")
    if model is not None:
        return model
    from criterio.cli._store import unit_of_work
    from criterio.learning.service import champion

    assert tenant is not None
    with unit_of_work() as session:
        row = champion(session, tenant, "intent")
        path = None if row is None else Path(row.path)
    if path is None:
        typer.secho(
            f"tenant {tenant!r} has no intent champion: train one first", fg="red", err=True
        )
        raise typer.Exit(1)
    return path


def _fail(exc: Exception) -> None:
    typer.secho(str(exc), fg="red", err=True)
    raise typer.Exit(1) from exc


@app.command()
def calibrate(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="The model's training data: JSONL or CSV with text and intent (with "
            "--tenant: default the tenant's stored labelled interactions).",
            dir_okay=False,
        ),
    ] = None,
    model: ModelDir = None,
    tenant: Tenant = None,
    label: Annotated[str, typer.Option(help="Column (or labels key) with the intent.")] = "intent",
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
    promote: Annotated[
        bool,
        typer.Option(
            help="With --tenant: make the new calibration the tenant's triage champion "
            "(the previous one can be rolled back to)."
        ),
    ] = True,
    by: Annotated[
        str | None, typer.Option("--by", help="Who calibrates (default: cli:<your user name>).")
    ] = None,
) -> None:
    """Cross-validate the model's settings on its training data and save the evidence
    that triage calibrates thresholds from: with --tenant, a registry entry of kind
    triage (`criterio models list --kind triage`); with --model, triage.json beside it."""
    from criterio.analysis.modelstore import load_model
    from criterio.triage.files import evidence_for_model, save_evidence

    directory = _model_dir(model, tenant)
    texts, labels = _training_rows(file, tenant, label)
    try:
        classifier = load_model(directory, "intents")
        evidence, seconds = evidence_for_model(classifier, texts, labels, folds=folds)
        if tenant is None:
            where = str(save_evidence(directory, evidence, folds=folds, seconds=seconds))
        else:
            where = _register(tenant, evidence, folds, seconds, promote, by)
    except (CriterioError, ValueError, FileNotFoundError) as exc:
        _fail(exc)
    right = sum(evidence.correct)
    typer.echo(
        f"{folds}-fold evidence on {len(evidence.correct)} examples ({right} right), "
        f"{len(evidence.unseen)} unseen-intent scores, in {seconds:.0f}s → {where}",
        err=True,
    )


def _register(
    tenant: str, evidence: Any, folds: int, seconds: float, promote: bool, by: str | None
) -> str:
    """Register the evidence as the tenant's next triage entry; what to tell the user."""
    from criterio.cli._store import unit_of_work
    from criterio.cli.models import who
    from criterio.config import get_settings, model_directory
    from criterio.errors import NotFoundError
    from criterio.learning.service import champion
    from criterio.triage.registry import register_calibration
    from criterio.triage.service import current_policy

    settings = get_settings()
    with unit_of_work(settings) as session:
        intent = champion(session, tenant, "intent")
        if intent is None:
            raise NotFoundError(f"tenant {tenant!r} has no intent champion to calibrate")
        row, promoted = register_calibration(
            session,
            tenant,
            evidence,
            intent_model=intent,
            target=current_policy(session, tenant).target_precision,
            folds=folds,
            seconds=seconds,
            model_dir=model_directory(settings),
            promote=promote,
            by=who(by),
        )
        standing = "champion" if promoted else "candidate"
        return (
            f"triage model {row.id} (version {row.version}, {standing}) for intents "
            f"v{intent.version}: {row.path}"
        )


def _evidence(directory: Path, tenant: str | None) -> Any:
    """The evidence for the model: the tenant's triage calibration, or the file beside it."""
    from criterio.triage.files import load_evidence

    if tenant is None:
        return load_evidence(directory)
    from criterio.cli._store import unit_of_work
    from criterio.learning.service import champion
    from criterio.triage.registry import tenant_evidence

    with unit_of_work() as session:
        intent = champion(session, tenant, "intent")
        if intent is None or Path(intent.path) != directory:
            raise InvalidInputError(f"tenant {tenant!r}: its intent champion changed; try again")
        source = tenant_evidence(session, tenant, intent)
    return source.load()


def _training_rows(
    file: Path | None, tenant: str | None, label: str
) -> tuple[list[str], list[str]]:
    """Texts and intents from FILE, or from the tenant's stored labelled interactions."""
    if file is not None:
        from criterio.cli.intents import _file_rows

        rows = _file_rows(file, label, require=True)
        return rows.texts, [str(v) for v in rows.labels]
    if tenant is None:
        raise typer.BadParameter("give FILE (the model's training data)")
    from criterio.cli._store import unit_of_work
    from criterio.learning.training import training_examples

    with unit_of_work() as session:
        _, texts, labels = training_examples(session, tenant, label=label).labelled()
    return texts, [str(v) for v in labels]


def _lines(file: Path, errors: list[str]) -> Iterator[dict[str, Any]]:
    """Data-contract records of a JSONL file; a bad line is reported and skipped."""
    from criterio.analysis.text import interaction_text

    handle = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
    try:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                errors.append(f"{file}:{number}: not JSON ({exc.msg})")
                continue
            if not isinstance(record, dict):
                errors.append(f"{file}:{number}: not a JSON object")
                continue
            if not interaction_text(record):
                ident = record.get("id", "?")
                errors.append(f"{file}:{number} (id {ident}): field 'text': no text to decide on")
                continue
            record.setdefault("id", f"{file.name}:{number}")
            yield record
    finally:
        if handle is not sys.stdin:
            handle.close()


@app.command()
def decide(
    file: Annotated[
        Path, typer.Argument(help="JSONL of interactions (data contract); - for stdin.")
    ],
    model: ModelDir = None,
    tenant: Tenant = None,
    target_precision: Annotated[
        float | None,
        typer.Option(help="Precision automation must show (default: the policy's, else 0.95)."),
    ] = None,
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="Policy file (JSON or YAML). Without it every intent of the model may be "
            "automated and no answer is attached.",
        ),
    ] = None,
    confidence_level: Annotated[
        float, typer.Option(help="Confidence of the precision's lower bound.")
    ] = 0.95,
    min_support: Annotated[
        int, typer.Option(help="Fewest verified predictions an automated intent needs.")
    ] = 30,
    floor: Annotated[
        float, typer.Option(help="Lowest best-intent probability ever automated.")
    ] = 0.5,
    max_oos_share: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Most of the unseen-intent traffic (simulated at calibration) that may be "
            "automated; raises the floor. 1 turns it off.",
        ),
    ] = 0.02,
    oos_budget: Annotated[
        str,
        typer.Option(
            help="How that share is kept: global (one floor for every intent) or per_intent "
            "(Mondrian floors: raise only the intents unseen traffic is taken for; more "
            "coverage, less safe on many intents: see docs/benchmarks.md)."
        ),
    ] = "global",
    oos_score: Annotated[
        str | None,
        typer.Option(
            help="What the one out-of-scope floor is set on: margin (best minus next-best "
            "probability) or confidence; default: the margin where the model's calibration "
            "evidence has it."
        ),
    ] = None,
    pooling: Annotated[
        str,
        typer.Option(
            help="pooled: one precision bound over all automated intents, each intent held "
            "to its own evidence; per_intent: each intent's own bound must reach the target."
        ),
    ] = "pooled",
) -> None:
    """Write one JSON decision per input line: id, action (automate | route | escalate),
    intent, confidence, threshold, expected_precision, queue, priority, reasons, answer."""
    from criterio.analysis.modelstore import load_model, read_card
    from criterio.triage.calibration import calibrate as calibrate_thresholds
    from criterio.triage.engine import Triager
    from criterio.triage.policy import load_policy
    from criterio.triage.schemas import Policy

    if str(file) != "-" and not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    directory = _model_dir(model, tenant)
    try:
        policy = load_policy(policy_file) if policy_file else Policy()
        target = target_precision if target_precision is not None else policy.target_precision
        calibration = calibrate_thresholds(
            _evidence(directory, tenant),
            target=target,
            confidence_level=confidence_level,
            floor=floor,
            min_support=min_support,
            max_oos_share=None if max_oos_share >= 1.0 else max_oos_share,
            oos_budget=oos_budget,
            pooling=pooling,
            oos_score=oos_score,
        )
        classifier = load_model(directory, "intents")
        version = f"intents v{read_card(directory).get('version', '?')}"
    except (CriterioError, ValueError, FileNotFoundError) as exc:
        _fail(exc)
    triager = Triager(classifier, calibration, policy, model_version=version)
    margin = calibration.margin_floor
    typer.echo(
        f"target {target}: {len(calibration.automatable())} of {len(calibration.intents)} "
        f"intents may be automated, none under confidence {calibration.floor:.3f}"
        + ("" if margin is None else f" or under margin {margin:.3f} to the next best intent"),
        err=True,
    )
    errors: list[str] = []
    out = sys.stdout
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        for decision in triager.decide_batch(batch, tenant=tenant or "default"):
            out.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
        out.flush()
        batch.clear()

    for record in _lines(file, errors):
        batch.append(record)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    for error in errors:
        typer.echo(f"skipped {error}", err=True)


policy_app = typer.Typer(help="Each tenant's triage policy, versioned.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("show")
def policy_show(
    tenant: Annotated[str, typer.Option(help="Whose policy.")] = "default",
) -> None:
    """Print the tenant's policy in force as JSON (the defaults, version null, when none set)."""
    from criterio.cli._store import unit_of_work
    from criterio.triage.service import current_policy

    with unit_of_work() as session:
        policy = current_policy(session, tenant)
    typer.echo(policy.model_dump_json(indent=2))


@policy_app.command("set")
def policy_set(
    file: Annotated[Path, typer.Argument(help="Policy file: JSON, or YAML (.yaml/.yml).")],
    tenant: Annotated[str, typer.Option(help="Whose policy.")] = "default",
    by: Annotated[str | None, typer.Option(help="Who sets it (default cli:<user>).")] = None,
) -> None:
    """Validate FILE and store it as the tenant's next policy version."""
    from criterio.cli._store import unit_of_work
    from criterio.cli.models import who
    from criterio.triage.policy import load_policy
    from criterio.triage.service import set_policy

    try:
        policy = load_policy(file)
    except CriterioError as exc:
        _fail(exc)
    with unit_of_work() as session:
        row = set_policy(
            session, tenant, policy.model_dump(mode="json", exclude={"version"}), by=who(by)
        )
        version = row.version
    typer.echo(f"policy version {version} of tenant {tenant} is in force", err=True)


@app.command()
def run(
    tenant: Annotated[str, typer.Option(help="Whose stored interactions.")] = "default",
    since: Annotated[
        str | None, typer.Option(help="Only interactions started on or after this ISO date.")
    ] = None,
    target_precision: Annotated[
        float | None, typer.Option(help="Override the policy's target precision.")
    ] = None,
) -> None:
    """Triage the tenant's stored interactions with its champion intent model and policy;
    store each decision (triage_decisions) and print a summary by action."""
    from collections import Counter
    from datetime import UTC, datetime

    from criterio.cli._store import open_store, session_scope
    from criterio.metrics.freshness import interaction_days, touch
    from criterio.triage.service import record_decisions, stored_records, tenant_triager

    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            raise typer.BadParameter(f"--since {since!r}: not an ISO date") from None
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
    counts: Counter[str] = Counter()
    store = open_store()
    try:
        with session_scope(store.factory) as session:
            triager = tenant_triager(session, tenant, target=target_precision)
            batch: list[dict[str, Any]] = []
            records = list(stored_records(session, tenant, start))
            for i in range(0, len(records), BATCH):
                batch = [r for r in records[i : i + BATCH] if r["turns"]]
                decisions = triager.decide_batch(batch, tenant=tenant, session=session)
                record_decisions(session, tenant, decisions, triager.policy.version, batch)
                counts.update(d.action for d in decisions)
            # The metrics of the days decided are recomputed as this commits.
            decided = [str(r["id"]) for r in records if r["turns"]]
            touch(session, tenant, contact_days=interaction_days(session, tenant, decided))
    except CriterioError as exc:
        _fail(exc)
    finally:
        store.close()
    summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to triage"
    typer.echo(f"tenant {tenant}: {summary}", err=True)


@app.command()
def outcomes(
    tenant: Annotated[str, typer.Option(help="Whose automated answers.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    now: Annotated[
        str | None, typer.Option(help="Judge as of this ISO date or time (default: now).")
    ] = None,
) -> None:
    """Judge the automated answers of the last 4 weeks: record reverts (the customer back
    about the same intent within 72 hours, a case reopened or escalated), print realised
    precision per intent and week, and suspend the automation of intents under target."""
    from datetime import UTC, datetime

    from criterio.cli._store import run_in_store
    from criterio.triage.outcomes import review_outcomes

    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            raise typer.BadParameter(f"--now {now!r}: not an ISO date") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        report = run_in_store(lambda session: review_outcomes(session, tenant, now=moment))
    except CriterioError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    for week in report.weeks:
        figures = week.as_dict()
        typer.echo(
            f"{week.intent}\t{week.week}\t{week.answered} answered\t{week.reverted} reverted\t"
            f"{week.reviewed_wrong} reviewed wrong\trealised {figures['realised_precision']:.3f}"
        )
    typer.echo(f"tenant {tenant}: {report.new_reverts} new reverted answers", err=True)
    for intent, why in report.suspended.items():
        typer.echo(
            f"automation of {intent} suspended ({why}); policy version {report.policy_version}",
            err=True,
        )


@app.command()
def sample(
    tenant: Annotated[str, typer.Option(help="Whose automated answers.")] = "default",
    size: Annotated[int, typer.Option(min=1, max=10_000, help="How many to review.")] = 50,
    seed: Annotated[int, typer.Option(help="Random seed (the same seed, the same sample).")] = 0,
) -> None:
    """Print a random sample of the last 4 weeks' automated answers nobody reviewed yet,
    one JSON object a line, for a person to check (`criterio triage review`)."""
    from criterio.cli._store import run_in_store
    from criterio.triage.outcomes import review_sample

    def work(session: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": row.interaction_id,
                "intent": row.intent,
                "confidence": round(row.confidence, 4),
                "answer": row.answer,
                "decided_at": row.decided_at.isoformat(),
            }
            for row in review_sample(session, tenant, size=size, seed=seed)
        ]

    for item in run_in_store(work):
        typer.echo(json.dumps(item, ensure_ascii=False))


@app.command()
def review(
    interaction_id: Annotated[str, typer.Argument(help="The answered interaction's id.")],
    right: Annotated[bool, typer.Option("--right/--wrong", help="Was the automated answer right?")],
    tenant: Annotated[str, typer.Option(help="Whose answer.")] = "default",
    intent: Annotated[
        str | None, typer.Option(help="With --wrong: the intent it really was.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept with the review).")] = None,
    by: Annotated[str | None, typer.Option(help="Who reviewed (default: cli:<user>).")] = None,
) -> None:
    """Record a person's verdict on an automated answer; it counts in realised precision."""
    from criterio.cli._store import run_in_store
    from criterio.cli.models import who
    from criterio.triage.outcomes import record_review

    try:
        event = run_in_store(
            lambda session: record_review(
                session, tenant, interaction_id, right=right, by=who(by), intent=intent, note=note
            )
        )
    except CriterioError as exc:
        _fail(exc)
    verdict = "right" if right else "wrong"
    said = "recorded" if event is not None else "already recorded"
    typer.echo(f"{interaction_id}: answer {verdict}, {said}", err=True)
