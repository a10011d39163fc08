"""Wire and file formats of triage: the per-tenant policy (YAML or JSON) and its parts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["AutomatedIntent", "DecisionRead", "NeverAutomate", "Policy", "PriorityRules", "Queue"]

PRIORITIES = ("low", "normal", "high", "urgent")
Priority = Literal["low", "normal", "high", "urgent"]

#: Words that signal a legal threat or a cancellation: never answered by a machine.
DEFAULT_WORDS: dict[str, list[str]] = {
    "en": [
        "lawyer",
        "attorney",
        "lawsuit",
        "sue",
        "legal action",
        "court",
        "ombudsman",
        "cancel my account",
        "cancel my contract",
        "close my account",
        "terminate",
    ],
    "es": [
        "abogado",
        "demanda",
        "denuncia",
        "juzgado",
        "tribunal",
        "acciones legales",
        "consumo",
        "darme de baja",
        "dar de baja",
        "cancelar mi contrato",
        "cancelar mi cuenta",
        "cerrar mi cuenta",
    ],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AutomatedIntent(_Strict):
    """An intent that may be answered automatically, and the answer."""

    intent: str = Field(min_length=1)
    #: External id of the published article that answers it.
    article: str | None = None
    #: The reply per language (``{"es": "...", "en": "..."}``) until articles are wired.
    templates: dict[str, str] = Field(default_factory=dict)


class Queue(_Strict):
    """A human queue: the languages and skills of the people who work it."""

    name: str = Field(min_length=1)
    languages: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)


class NeverAutomate(_Strict):
    """Rules that send an interaction to people whatever the model says (escalate)."""

    negative_repeat: bool = True
    #: attribute → values, e.g. ``{"tier": ["vip"]}``.
    attributes: dict[str, list[str]] = Field(default_factory=dict)
    #: language → words or phrases (lower case); the defaults cover legal and cancellation.
    words: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_WORDS))


class PriorityRules(_Strict):
    """How the priority of a routed interaction is raised from ``normal``."""

    negative_sentiment: Priority = "high"
    repeat_contact: Priority = "high"
    repeat_days: int = Field(default=7, ge=1, le=365)
    #: channel → the priority its SLA needs at least (``{"voice": "high"}``).
    channels: dict[str, Priority] = Field(default_factory=dict)
    #: ``"attribute=value"`` → priority (``{"tier=vip": "urgent"}``).
    attributes: dict[str, Priority] = Field(default_factory=dict)


class Policy(_Strict):
    """A tenant's triage policy; the defaults are the evaluation setting of `triage decide`."""

    version: int | None = None
    target_precision: float = Field(default=0.95, gt=0.0, lt=1.0)
    #: None: every intent of the model may be automated (no answer attached).
    automate: list[AutomatedIntent] | None = None
    #: Channels where automation is allowed; None: all.
    channels: list[str] | None = None
    never_automate: NeverAutomate = Field(default_factory=NeverAutomate)
    queues: list[Queue] = Field(default_factory=lambda: [Queue(name="general")])
    #: intent → queue name.
    intent_queues: dict[str, str] = Field(default_factory=dict)
    fallback_queue: str = "general"
    escalation_queue: str = "general"
    priority: PriorityRules = Field(default_factory=PriorityRules)
    mode: Literal["live", "shadow"] = "live"
    #: intent → why its automation is suspended (set by `criterio triage outcomes` when
    #: its realised precision fell below the target; a lead lifts it by removing it).
    suspended: dict[str, str] = Field(default_factory=dict)

    @field_validator("never_automate")
    @classmethod
    def _lower_words(cls, value: NeverAutomate) -> NeverAutomate:
        value.words = {k: [w.lower() for w in v] for k, v in value.words.items()}
        return value

    def may_automate(self, intent: str) -> bool:
        """Whether the policy lets ``intent`` be automated at all."""
        return self.automate is None or any(a.intent == intent for a in self.automate)

    def entry(self, intent: str) -> AutomatedIntent | None:
        """The policy's automation entry of ``intent`` (None without one)."""
        return next((a for a in self.automate or [] if a.intent == intent), None)


class DecisionRead(BaseModel):
    """A triage decision as the API returns it."""

    id: str
    action: Literal["automate", "route", "escalate"]
    intent: str
    confidence: float
    threshold: float | None
    expected_precision: float | None
    queue: str | None
    priority: Priority
    reasons: list[str]
    answer: dict[str, str | None] | None
    mode: Literal["live", "shadow"]
    model_version: str | None
    latency_ms: float | None
