"""The interaction data contract (DESIGN.md) as pydantic models: the wire and file format."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from criterio.errors import InvalidInputError, excerpt

__all__ = [
    "MAX_INTERACTION_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_TURNS",
    "Channel",
    "ErasureResult",
    "InteractionIn",
    "InteractionRead",
    "Outcome",
    "Role",
    "Timestamp",
    "Turn",
    "check_attribute_name",
    "check_timestamp",
]

#: Longest text accepted in one turn. A longer one is almost always a broken export
#: (a whole mailbox in one field) and would slow every analyzer down.
MAX_TEXT_CHARS = 100_000
#: Longest conversation accepted: the characters of all its turns together, and its turns.
#: Bigger records would be stored, listed and analysed whole (a 100 MB record once was).
MAX_INTERACTION_CHARS = 200_000
MAX_TURNS = 1000


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text or JSON; refusing it here names the field,
    # where letting it through would fail the whole chunk at insert time.
    if "\x00" in value:
        raise ValueError("contains a NUL character (U+0000), which cannot be stored")
    return value


NoNul = AfterValidator(_no_nul)

#: Interactions happen between these years; anything outside is a broken export (and
#: year 1 with a positive offset cannot even be converted to UTC for storage).
YEAR_RANGE = (1900, 2200)


def check_timestamp(value: datetime) -> datetime:
    """Refuse a timestamp that cannot be an interaction's (out of YEAR_RANGE in UTC)."""
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not YEAR_RANGE[0] <= year < YEAR_RANGE[1]:
        raise ValueError(f"timestamp out of range (years {YEAR_RANGE[0]}-{YEAR_RANGE[1] - 1})")
    return value


#: Characters an attribute name in a filter may not hold: a JSON path (SQLite's filter
#: on a JSON column) cannot quote them.
_PATH_UNSAFE = frozenset('"\\') | {chr(c) for c in range(32)} | {chr(127)}
#: Longest attribute (or label) name, as in the contract's ``Key``.
MAX_KEY_CHARS = 100


def check_attribute_name(name: str, field: str) -> str:
    """An attribute name for a filter (``field`` names the parameter in the error)."""
    if not name or len(name) > MAX_KEY_CHARS:
        raise InvalidInputError(
            f"{field}: an attribute name has 1 to {MAX_KEY_CHARS} characters, not {len(name)}"
        )
    if not _PATH_UNSAFE.isdisjoint(name):
        raise InvalidInputError(
            f"{field}: the attribute name {excerpt(name)} holds a double quote, a "
            "backslash or a control character, which no attribute filter accepts"
        )
    return name


#: An ISO 8601 timestamp with a zone, within YEAR_RANGE.
Timestamp = Annotated[AwareDatetime, AfterValidator(check_timestamp)]
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul
]
TenantName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS), NoNul]
ShortString = Annotated[str, StringConstraints(max_length=500), NoNul]
Key = Annotated[str, StringConstraints(max_length=MAX_KEY_CHARS), NoNul]


class Channel(StrEnum):
    """Where the interaction happened."""

    chat = "chat"
    email = "email"
    voice = "voice"
    social = "social"
    messaging = "messaging"
    web = "web"
    sms = "sms"
    other = "other"


class Role(StrEnum):
    """Who wrote a turn."""

    customer = "customer"
    agent = "agent"
    bot = "bot"
    system = "system"


class Turn(BaseModel):
    """One message in a conversation."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    role: Role
    text: Text
    at: Timestamp | None = None


class Outcome(BaseModel):
    """How the interaction ended."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    handled_by: Literal["bot", "human"] | None = None
    agent_id: ShortString | None = None
    resolved: bool | None = None
    csat: int | None = Field(default=None, ge=1, le=5)
    escalated: bool | None = None
    resolution_code: ShortString | None = None


class InteractionIn(BaseModel):
    """One interaction as it arrives in a file or through the API.

    Either ``turns`` or a flat ``text`` (one customer message) is required; a flat
    text is kept as a single customer turn, so the rest of Criterio sees one shape.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Identifier
    tenant: TenantName = "default"
    channel: Channel | None = None
    started_at: Timestamp
    ended_at: Timestamp | None = None
    customer_id: Identifier | None = None
    language: Annotated[str, StringConstraints(max_length=16), NoNul] | None = None
    attributes: dict[Key, ShortString] = Field(default_factory=dict)
    turns: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS)
    text: Text | None = None
    outcome: Outcome | None = None
    labels: dict[Key, ShortString] = Field(default_factory=dict)

    @field_validator("attributes", "labels", mode="before")
    @classmethod
    def _stringify_values(cls, value: Any) -> Any:
        # Exports often carry numbers or booleans as segment values ("region": 28);
        # segments are compared as text, so keep them as text.
        if isinstance(value, dict):
            for v in value.values():
                if type(v) is not str:  # rare: only then build a new dict (hot path)
                    return {
                        k: v if isinstance(v, str) else _scalar_text(v) for k, v in value.items()
                    }
        return value

    @field_validator("turns")
    @classmethod
    def _check_total_text(cls, turns: list[Turn]) -> list[Turn]:
        total = sum(len(turn.text) for turn in turns)
        if total > MAX_INTERACTION_CHARS:
            raise ValueError(
                f"the turns hold {total:,} characters in all; at most "
                f"{MAX_INTERACTION_CHARS:,} are accepted"
            )
        return turns

    @model_validator(mode="after")
    def _check_consistency(self) -> InteractionIn:
        if not self.turns and not (self.text and self.text.strip()):
            raise ValueError("either 'turns' or a non-empty 'text' is required")
        if self.turns and self.text is not None:
            raise ValueError("give 'turns' or 'text', not both")
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("'ended_at' is before 'started_at'")
        return self

    def normalized_turns(self) -> list[Turn]:
        """The conversation as turns (a flat text becomes one customer turn)."""
        if self.turns:
            return self.turns
        return [Turn(role=Role.customer, text=self.text or "", at=self.started_at)]

    def customer_text(self) -> str:
        """Everything the customer wrote, one turn a line."""
        return "\n".join(t.text for t in self.normalized_turns() if t.role is Role.customer)


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value  # left for the string validator to reject with a clear message


class InteractionRead(BaseModel):
    """An interaction as Criterio returns it (API, export)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant: str
    channel: Channel | None
    started_at: datetime
    ended_at: datetime | None
    customer_id: str | None
    language: str | None
    attributes: dict[str, str]
    turns: list[Turn]
    outcome: Outcome | None
    labels: dict[str, str]


class ErasureResult(BaseModel):
    """How many interactions were erased, and the reference the audit log keeps instead."""

    deleted: int
    reference: str
