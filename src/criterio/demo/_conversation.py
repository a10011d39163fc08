"""One conversation of the demo: customer, bot and agent turns, and how it ended."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from criterio.demo import _texts as tx
from criterio.demo._catalog import CHANNELS, INTENTS, PRODUCTS, Region
from criterio.demo._pii import PersonalData, below, pick, strip_accents

__all__ = ["Conversation", "build_conversation", "noisy"]

_COMPETITORS = ("Movistar", "Vodafone", "Orange", "Digi", "Telcel", "AT&T", "Verizon")
_PLANS = {
    "es": ("fibra 1Gb", "pack familia", "móvil ilimitado"),
    "en": ("1Gb fibre", "family bundle", "unlimited mobile"),
}
_QUEUE_AGENTS = {
    "billing": 1,
    "tech_support": 21,
    "sales": 41,
    "retention": 61,
    "deliveries": 81,
    "mobile": 101,
}
_CSAT_GOOD = (3, 5, 12, 35, 45)
_CSAT_BAD = (35, 30, 20, 10, 5)
_ABBREVIATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "es": ((" que ", " q "), ("porque", "xq"), ("por favor", "porfa"), (" para ", " pa ")),
    "en": ((" you ", " u "), ("please", "pls"), (" are ", " r "), ("thanks", "thx")),
}
_MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre")  # fmt: skip


@dataclass(slots=True)
class Conversation:
    """Turns (contract dicts), outcome, and when it ended."""

    turns: list[dict[str, str]]
    outcome: dict[str, Any]
    ended: datetime


def noisy(rng: random.Random, text: str, language: str, *, angry: bool) -> str:
    """Informal spelling: no accents, lower case, shouting, chat abbreviations, typos."""
    if rng.random() < 0.35:
        text = strip_accents(text)
    roll = rng.random()
    if angry and roll < 0.3:
        text = text.upper()
    elif roll < 0.25:
        text = text.lower()
    if rng.random() < 0.15:
        for full, short in _ABBREVIATIONS[language]:
            text = text.replace(full, short)
    if rng.random() < 0.12 and len(text) > 12:
        i = below(rng, 1, len(text) - 2)
        if text[i].isalpha() and text[i + 1].isalpha():
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # two letters swapped
    return text


def _slots(rng: random.Random, language: str, product: str, started: datetime) -> dict[str, str]:
    # Amounts, order numbers and dates are business data, not personal data.
    euros = below(rng, 900, 25000) / 100
    if language == "es":
        amount = pick(
            rng,
            (
                f"{euros:.2f} €".replace(".", ","),
                f"{euros:.2f}€".replace(".", ","),
                f"{round(euros)} euros",
            ),
        )
    else:
        amount = pick(rng, (f"${euros:.2f}", f"{euros:.2f} USD", f"${round(euros)}"))
    when = started - timedelta(days=below(rng, 1, 6))
    date_text = (
        f"{when.day} de {_MONTHS_ES[when.month - 1]}"
        if language == "es"
        else when.strftime("%B %d")
    )
    return {
        "product": PRODUCTS[product][0 if language == "es" else 1],
        "amount": amount,
        "order": pick(rng, ("PED-2026-", "#A", "nº ", "")) + str(below(rng, 100000, 9999999)),
        "days": str(below(rng, 2, 12)),
        "date": date_text,
        "competitor": pick(rng, _COMPETITORS),
        "plan": pick(rng, _PLANS[language]),
    }


def _customer_text(
    rng: random.Random,
    pii: PersonalData,
    *,
    intent: str,
    language: str,
    region: Region,
    slots: dict[str, str],
    repeat: bool,
    angry: bool,
    channel: str,
) -> str:
    parts: list[str] = []
    if repeat and rng.random() < 0.7:
        parts.append(pick(rng, tx.REPEAT_PREFIX[language]))
    elif channel != "social" and rng.random() < 0.6:
        parts.append(pick(rng, tx.GREETINGS[language]) + ",")
    core = pick(rng, tx.INTENT_TEXTS[intent][language]).format_map(slots)
    parts.append(core + pick(rng, (".", "", "!", "..", "?")) if not core.endswith("?") else core)
    if rng.random() < 0.35:
        parts.append(pick(rng, tx.CUSTOMER_FOLLOWUPS[language]))
    if angry:
        parts.append(pick(rng, tx.ANGRY[language]) + pick(rng, ("", "!", "!!!")))
    has_pii = channel != "social" and rng.random() < 0.22
    name = pii.name(language)
    if has_pii:
        pii_language = language if region.code.startswith("ES") or language == "en" else "es"
        template = pick(rng, tx.PII_SENTENCES[pii_language])
        parts.append(
            template.format(
                name=name,
                phone=pii.phone(region.code),
                email=pii.email(name),
                dni=pii.dni_or_nie() if "{dni}" in template else "",
                iban=pii.iban() if "{iban}" in template else "",
            )
        )
    elif channel != "voice" and rng.random() < 0.3:
        parts.append(pick(rng, tx.CLOSINGS[language]))
    text = noisy(rng, " ".join(parts), language, angry=angry)
    if angry and rng.random() < 0.5:
        text += " " + pick(rng, tx.EMOJIS_ANGRY) * below(rng, 1, 4)
    elif channel in ("chat", "messaging", "social") and rng.random() < 0.1:
        text += " " + pick(rng, tx.EMOJIS_HAPPY)
    if channel == "email":
        subject = pick(rng, tx.SUBJECTS[language])
        signoff = pick(rng, tx.EMAIL_SIGNOFF[language]).format(name=name)
        text = f"{subject}\n\n{text}\n\n{signoff}"
    elif channel == "social":
        text = pick(rng, ("@Criterio_Telco ", "@criteriotelco ", "")) + text
    elif channel == "voice":
        filler = pick(rng, tx.VOICE_FILLERS[language])
        text = f"{filler}, {text[:1].lower()}{text[1:]}"
    return text


def build_conversation(
    rng: random.Random,
    pii: PersonalData,
    *,
    started: datetime,
    channel: str,
    intent: str,
    language: str,
    region: Region,
    product: str,
    repeat: bool,
    upset: bool,
    csat_drop: bool,
) -> Conversation:
    """Turns and outcome of one interaction; the clock advances turn by turn."""
    spec = INTENTS[intent]
    angry = rng.random() < (0.35 if (repeat or upset or csat_drop) else 0.1)
    slots = _slots(rng, language, product, started)
    customer = _customer_text(
        rng, pii, intent=intent, language=language, region=region, slots=slots,
        repeat=repeat, angry=angry, channel=channel,
    )  # fmt: skip
    turns: list[dict[str, str]] = []
    clock = started.astimezone(UTC).replace(tzinfo=None)

    def say(role: str, text: str, gap: tuple[int, int]) -> None:
        nonlocal clock
        clock += timedelta(seconds=below(rng, *gap))
        turns.append({"role": role, "text": text, "at": _utc(clock)})

    slow = (3600, 86400) if channel == "email" else (20, 240)
    bot_first = rng.random() < CHANNELS[channel][1]
    handled_by, resolved = "human", False
    if bot_first:
        say("bot", pick(rng, tx.BOT_OPENERS[language]), (0, 2))
        say("customer", customer, (5, 60))
        if rng.random() < spec.bot_solves and not upset:
            say("bot", pick(rng, tx.BOT_SOLVED[language]), (1, 5))
            handled_by, resolved = "bot", True
        else:
            say("bot", pick(rng, tx.BOT_HANDOFF[language]), (1, 5))
    else:
        turns.append({"role": "customer", "text": customer, "at": _utc(clock)})
    outcome: dict[str, Any] = {"handled_by": handled_by}
    if handled_by == "human":
        replies = tx.AGENT_REPLIES[spec.queue][language]
        first, second = rng.sample(replies, 2)
        say("agent", first, slow)
        if rng.random() < 0.5:
            follow = pick(rng, tx.CUSTOMER_FOLLOWUPS[language])
            say("customer", noisy(rng, follow, language, angry=angry), (10, 120))
            say("agent", second, (20, 300))
        say("agent", pick(rng, tx.AGENT_CLOSINGS[language]), (5, 60))
        outcome["agent_id"] = f"a-{_QUEUE_AGENTS[spec.queue] + below(rng, 18)}"
        resolved = rng.random() < spec.resolves * (0.7 if (csat_drop or upset) else 1.0)
        outcome["escalated"] = rng.random() < (0.3 if upset else 0.06 if resolved else 0.25)
    outcome["resolved"] = resolved
    if resolved:
        outcome["resolution_code"] = pick(rng, spec.codes)
    elif handled_by == "human":
        outcome["resolution_code"] = pick(rng, ("pending", "escalated_tier2", "callback"))
    if rng.random() < 0.45:
        weights = _CSAT_BAD if (csat_drop or not resolved) else _CSAT_GOOD
        if repeat and not csat_drop:
            weights = (15, 20, 25, 25, 15)
        outcome["csat"] = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
    ended = (clock + timedelta(seconds=below(rng, 5, 90))).replace(tzinfo=UTC)
    return Conversation(turns, outcome, ended)


def _utc(moment: datetime) -> str:
    # `moment` is naive UTC: isoformat is several times faster than strftime.
    return moment.isoformat() + "Z"
