"""The demo's triage: a knowledge base, a policy, calibrated evidence, then the month decided.

What a team would do after training its intent model: import its articles, say which
reasons a machine may answer (and with which article) and which queue takes the rest,
calibrate the model on its labelled interactions (``criterio triage calibrate``), and
triage the stored month (``criterio triage run``). Routed and escalated interactions
open cases in their queues.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from criterio.demo._catalog import INTENTS
from criterio.demo.knowledge import AUTOMATED, ENGLISH_REPLIES, article_records
from criterio.demo.runner import AnalysisRun

__all__ = ["demo_policy", "triage_demo"]

#: Labelled interactions the calibration cross-validates on (a seeded sample beyond it).
EVIDENCE_SAMPLE = 4000
#: Interactions decided per batch.
BATCH = 1000


def demo_policy() -> dict[str, Any]:
    """The demo tenant's triage policy: five reasons automated, the rest to their queues."""
    queues = sorted({spec.queue for spec in INTENTS.values()} | {"general", "tier2"})
    return {
        "target_precision": 0.95,
        "automate": [
            {
                "intent": intent,
                "article": f"demo-{intent}",
                "templates": {"en": ENGLISH_REPLIES[intent]},
            }
            for intent in AUTOMATED
        ],
        # A voice call is answered by a person whatever the reason.
        "channels": ["chat", "messaging", "web", "email", "social", "sms"],
        "queues": [{"name": name, "languages": ["es", "en"]} for name in queues],
        "intent_queues": {intent: spec.queue for intent, spec in INTENTS.items()},
        "fallback_queue": "general",
        "escalation_queue": "tier2",
        "priority": {
            "channels": {"voice": "high"},
            "attributes": {"customer_type=business": "high"},
        },
    }


def triage_demo(factory: sessionmaker[Session], tenant: str, *, seed: int = 7) -> AnalysisRun:
    """Import the demo's articles, set its policy, calibrate the champion and triage the month."""
    from criterio.db import session_scope
    from criterio.knowledge.transfer import import_articles
    from criterio.learning.service import champion
    from criterio.learning.training import training_examples
    from criterio.triage.service import set_policy

    with session_scope(factory) as session:
        model = champion(session, tenant, "intent")
        if model is None:
            return AnalysisRun("triage", "not run: the tenant has no intent model to triage with")
        records = ((f"article {n}", r) for n, r in enumerate(article_records(), start=1))
        imported = import_articles(session, tenant, records, source="demo", actor="demo")
        set_policy(session, tenant, demo_policy(), by="demo")
        _, texts, labels = training_examples(session, tenant).labelled()
        directory = Path(model.path)
    _calibrate(directory, texts, labels, seed)
    with session_scope(factory) as session:
        counts, automated, queues, why_routed = _triage_month(session, tenant)
    total = sum(counts.values())
    summary = (
        f"{total:,} interactions triaged at a 0.95 target: {counts['automate']:,} answered "
        f"automatically ({counts['automate'] / max(total, 1):.0%}), {counts['route']:,} routed, "
        f"{counts['escalate']:,} escalated; knowledge base: {imported.created} articles"
    )
    details = [
        "automated by reason: "
        + (
            ", ".join(f"{intent} {share:.0%}" for intent, share in automated.most_common(6))
            or "none"
        ),
        "cases by queue: " + ", ".join(f"{q} {n:,}" for q, n in queues.most_common()),
        "why people get them: "
        + "; ".join(f"{why} ({n:,})" for why, n in why_routed.most_common(3)),
    ]
    return AnalysisRun("triage", summary, tuple(details))


def _calibrate(directory: Path, texts: list[str], labels: list[str], seed: int) -> None:
    """Cross-validated evidence for the champion (on a seeded sample when there are many)."""
    from criterio.analysis.modelstore import load_model
    from criterio.triage.files import evidence_for_model, save_evidence

    rows = list(zip(texts, labels, strict=True))
    if len(rows) > EVIDENCE_SAMPLE:
        rows = random.Random(seed).sample(rows, EVIDENCE_SAMPLE)  # noqa: S311 - a sample
    classifier = load_model(directory, "intents")
    evidence, seconds = evidence_for_model(
        classifier, [t for t, _ in rows], [lab for _, lab in rows], folds=3
    )
    save_evidence(directory, evidence, folds=3, seconds=seconds)


def _triage_month(
    session: Session, tenant: str
) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Decide the stored month: actions, automated share by intent, cases by queue."""
    from criterio.triage.service import record_decisions, stored_records, tenant_triager

    triager = tenant_triager(session, tenant)
    records = [r for r in stored_records(session, tenant) if r["turns"]]
    actions: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    why: Counter[str] = Counter()
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        decisions = triager.decide_batch(batch, tenant=tenant, session=session)
        record_decisions(session, tenant, decisions, triager.policy.version, batch)
        for decision in decisions:
            actions[decision.action] += 1
            seen[decision.intent] += 1
            if decision.action == "automate":
                answered[decision.intent] += 1
            else:
                queues[decision.queue or "general"] += 1
                why[_kind_of_reason(decision.reasons[0] if decision.reasons else "")] += 1
    shares = Counter({intent: answered[intent] / seen[intent] for intent in answered})
    return actions, shares, queues, why


def _kind_of_reason(reason: str) -> str:
    """A reason without its figures and intent name, so alike reasons count together."""
    reason = re.sub(r"intent \S+", "intent …", reason)
    return re.sub(r"\d+(\.\d+)?", "…", reason).split(" (")[0]
