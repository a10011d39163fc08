"""The demo's world: queues, intents, regions, channels, products and their weights."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHANNELS",
    "HOUR_WEIGHTS",
    "INTENTS",
    "PRODUCTS",
    "REGIONS",
    "WEEKDAY_WEIGHTS",
    "IntentSpec",
    "Region",
]


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One contact reason: its queue, weight, how often the bot solves it, and outcomes."""

    queue: str
    weight: float
    bot_solves: float
    resolves: float
    codes: tuple[str, ...]


INTENTS: dict[str, IntentSpec] = {
    "double_charge": IntentSpec(
        "billing", 6, 0.1, 0.85, ("refund", "credit_note", "no_error_found")
    ),
    "invoice_question": IntentSpec("billing", 9, 0.6, 0.9, ("explained", "invoice_copy_sent")),
    "payment_failed": IntentSpec("billing", 5, 0.4, 0.8, ("payment_link_sent", "debt_cleared")),
    "refund_request": IntentSpec("billing", 4, 0.1, 0.75, ("refund", "refund_denied")),
    "no_internet": IntentSpec(
        "tech_support", 8, 0.25, 0.7, ("remote_fix", "technician_visit", "outage_known")
    ),
    "slow_connection": IntentSpec(
        "tech_support", 7, 0.35, 0.65, ("remote_fix", "technician_visit", "router_swap")
    ),
    "router_setup": IntentSpec("tech_support", 5, 0.7, 0.9, ("instructions_sent", "remote_fix")),
    "app_login": IntentSpec("tech_support", 5, 0.65, 0.9, ("password_reset", "account_unlocked")),
    "upgrade_plan": IntentSpec("sales", 5, 0.3, 0.85, ("plan_changed", "offer_sent")),
    "new_contract": IntentSpec("sales", 5, 0.2, 0.8, ("contract_signed", "offer_sent")),
    "price_question": IntentSpec("sales", 4, 0.7, 0.95, ("explained", "offer_sent")),
    "cancel_service": IntentSpec("retention", 5, 0.05, 0.7, ("retained_discount", "cancelled")),
    "competitor_offer": IntentSpec("retention", 3, 0.05, 0.7, ("retained_discount", "cancelled")),
    "delivery_delay": IntentSpec("deliveries", 7, 0.45, 0.75, ("courier_claim", "redelivery")),
    "wrong_item": IntentSpec("deliveries", 3, 0.1, 0.8, ("replacement_sent", "refund")),
    "tracking": IntentSpec("deliveries", 4, 0.8, 0.95, ("tracking_sent", "address_changed")),
    # The injected emerging issue: weight 0, it only appears through the event.
    "esim_activation": IntentSpec("mobile", 0, 0.1, 0.45, ("new_qr_sent", "escalated_tier2")),
}


@dataclass(frozen=True, slots=True)
class Region:
    """A region where customers live: share of customers, UTC offset, Spanish share."""

    code: str
    weight: float
    utc_offset: int
    spanish: float


REGIONS: tuple[Region, ...] = (
    Region("ES-MD", 22, 1, 0.97),
    Region("ES-CT", 16, 1, 0.95),
    Region("ES-AN", 15, 1, 0.98),
    Region("ES-VC", 8, 1, 0.97),
    Region("MX-CMX", 12, -6, 0.97),
    Region("MX-JAL", 5, -6, 0.98),
    Region("US-NY", 10, -5, 0.12),
    Region("US-TX", 6, -6, 0.3),
    Region("US-FL", 6, -5, 0.35),
)

#: channel -> (weight, share handled first by the bot)
CHANNELS: dict[str, tuple[float, float]] = {
    "chat": (30, 0.55),
    "email": (18, 0.0),
    "voice": (25, 0.2),
    "social": (7, 0.1),
    "messaging": (12, 0.6),
    "web": (5, 0.7),
    "sms": (3, 0.5),
}

#: product id -> (Spanish name, English name), as customers write them
PRODUCTS: dict[str, tuple[str, str]] = {
    "fibra-300": ("fibra 300Mb", "300Mb fibre"),
    "fibra-600": ("fibra 600Mb", "600Mb fibre"),
    "fibra-1g": ("fibra 1Gb", "1Gb fibre"),
    "movil-20gb": ("tarifa móvil 20GB", "20GB mobile plan"),
    "movil-ilimitado": ("móvil ilimitado", "unlimited mobile"),
    "pack-familia": ("pack familia", "family bundle"),
    "tv-total": ("TV total", "TV total"),
}

#: Monday first; weekends are quieter.
WEEKDAY_WEIGHTS = (1.18, 1.1, 1.05, 1.0, 0.95, 0.62, 0.45)

#: Local hour of day; peaks mid-morning and after work, almost nothing at night.
HOUR_WEIGHTS = (
    0.3, 0.15, 0.1, 0.08, 0.08, 0.15, 0.5, 1.5, 4.0, 6.5, 7.5, 7.2,
    6.0, 5.0, 4.8, 5.2, 5.8, 6.2, 6.0, 5.0, 3.8, 2.8, 1.6, 0.8,
)  # fmt: skip
