"""Applying a tenant's policy: never-automate rules, priority, queue; reading policy files.

The policy file is JSON, or YAML when its name ends ``.yaml``/``.yml``; its fields are
:class:`criterio.triage.schemas.Policy`. What an interaction brings to the rules is a
:class:`Context`: channel, language, attributes, sentiment and the days since the
same customer's previous contact (None: none known).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from criterio.errors import InvalidInputError
from criterio.triage.schemas import PRIORITIES, Policy

__all__ = ["Context", "load_policy", "never_automate", "parse_policy", "priority_for", "queue_for"]


@dataclass(frozen=True)
class Context:
    """What the rules see of one interaction besides its intent."""

    text: str = ""
    channel: str | None = None
    language: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    sentiment: str | None = None
    days_since_previous: float | None = None


def parse_policy(data: Any, source: str = "policy") -> Policy:
    """A Policy from parsed JSON/YAML; InvalidInputError naming the field otherwise."""
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InvalidInputError(f"{source}: field {where}: {first['msg']}") from None
    names = {q.name for q in policy.queues}
    used = {policy.fallback_queue, policy.escalation_queue, *policy.intent_queues.values()}
    missing = sorted(used - names)
    if missing:
        raise InvalidInputError(f"{source}: field queues: no queue named {', '.join(missing)}")
    return policy


def load_policy(path: Path) -> Policy:
    """Read a policy file (JSON, or YAML by extension)."""
    if not path.is_file():
        raise InvalidInputError(f"{path}: no such policy file")
    raw = path.read_text("utf-8")
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            import yaml

            data = yaml.safe_load(raw)
        else:
            data = json.loads(raw)
    except ValueError as exc:  # json.JSONDecodeError and yaml.YAMLError's parse errors
        raise InvalidInputError(f"{path}: not valid {path.suffix[1:] or 'JSON'} ({exc})") from None
    return parse_policy(data, str(path))


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def never_automate(policy: Policy, context: Context) -> list[str]:
    """The never-automate rules this interaction meets, as reasons (empty: none)."""
    rules = policy.never_automate
    reasons: list[str] = []
    repeat = context.days_since_previous is not None and (
        context.days_since_previous <= policy.priority.repeat_days
    )
    if rules.negative_repeat and context.sentiment == "negative" and repeat:
        days = context.days_since_previous or 0.0
        reasons.append(
            f"negative sentiment on a repeat contact ({days:.0f} days after the previous one)"
        )
    for key, values in rules.attributes.items():
        if context.attributes.get(key) in values:
            reasons.append(f"attribute {key}={context.attributes[key]} is never automated")
    # Every language's words, not only the stated language's: customers mix languages
    # and a record's language may be missing or wrong; a false alarm only routes.
    text = context.text.lower()
    hits = [w for words in rules.words.values() for w in words if _mentions(text, w)]
    if hits:
        reasons.append(f"the message says {', '.join(repr(h) for h in hits[:3])}")
    return reasons


def _raise(current: str, to: str) -> str:
    return to if PRIORITIES.index(to) > PRIORITIES.index(current) else current


def priority_for(policy: Policy, context: Context) -> tuple[str, list[str]]:
    """The priority of this interaction and the reasons it is above ``normal``."""
    rules = policy.priority
    priority, reasons = "normal", []
    repeat = context.days_since_previous is not None and (
        context.days_since_previous <= rules.repeat_days
    )
    if context.sentiment == "negative":
        priority = _raise(priority, rules.negative_sentiment)
    if repeat:
        priority = _raise(priority, rules.repeat_contact)
    if context.sentiment == "negative" or repeat:
        said = []
        if context.sentiment == "negative":
            said.append("negative sentiment")
        if repeat:
            said.append(f"a repeat contact within {context.days_since_previous:.0f} days")
        reasons.append(f"{' and '.join(said)}: priority {priority}")
    if context.channel in rules.channels:
        before = priority
        priority = _raise(priority, rules.channels[context.channel])
        if priority != before:
            reasons.append(f"channel {context.channel} SLA: priority {priority}")
    for pair, level in rules.attributes.items():
        key, _, value = pair.partition("=")
        if context.attributes.get(key) == value:
            before = priority
            priority = _raise(priority, level)
            if priority != before:
                reasons.append(f"attribute {pair}: priority {priority}")
    return priority, reasons


def queue_for(policy: Policy, intent: str, language: str | None) -> str:
    """The queue of ``intent``: the mapped queue, else one speaking the language, else fallback."""
    if intent in policy.intent_queues:
        return policy.intent_queues[intent]
    if language:
        speaking = [q.name for q in policy.queues if language in q.languages]
        if speaking:
            return speaking[0]
    return policy.fallback_queue
