"""The decision for one interaction: rules, priority, queue and the reasons people read."""

from __future__ import annotations

from dataclasses import replace

import pytest

from criterio.errors import InvalidInputError
from criterio.triage.calibration import Calibration, IntentThreshold
from criterio.triage.decision import Decision, decide
from criterio.triage.policy import Context, parse_policy

CALIBRATION = Calibration(
    target=0.95,
    confidence_level=0.95,
    floor=0.6,
    min_support=30,
    intents={
        "card_arrival": IntentThreshold(
            "card_arrival", 0.93, 300, 250, 249, 0.996, 0.98, "249 of 250 right"
        ),
        "refund": IntentThreshold("refund", None, 12, 0, 0, None, 0.0, "only 12 verified"),
    },
)


def _decide(intent: str, confidence: float, policy: object = None, **context: object) -> Decision:
    return decide(
        "c-1",
        intent,
        confidence,
        calibration=CALIBRATION,
        model_floor=0.3,
        policy=parse_policy(policy or {}),
        context=Context(**context),  # type: ignore[arg-type]
    )


def test_above_its_threshold_is_automated_and_says_so() -> None:
    d = _decide("card_arrival", 0.97)
    assert d.action == "automate" and d.expected_precision == 0.996
    assert d.reasons[0].startswith("intent card_arrival at 0.97, above its threshold 0.93")


def test_under_its_threshold_is_routed_with_the_threshold_named() -> None:
    d = _decide("card_arrival", 0.80)
    assert (d.action, d.queue) == ("route", "general")
    assert d.reasons == ["intent card_arrival at 0.80, under its threshold 0.93"]


def test_under_the_floor_is_out_of_scope() -> None:
    d = _decide("card_arrival", 0.55)
    assert "no known intent fits" in d.reasons[0] and "floor 0.60" in d.reasons[0]


def test_an_intent_without_evidence_is_routed_with_its_reason() -> None:
    d = _decide("refund", 0.99)
    assert (
        d.action == "route" and d.reasons[0] == "intent refund is not automated: only 12 verified"
    )


def test_negative_sentiment_on_a_repeat_contact_escalates_with_high_priority() -> None:
    d = _decide("card_arrival", 0.99, sentiment="negative", days_since_previous=3.0)
    assert (d.action, d.priority) == ("escalate", "high")
    assert "negative sentiment on a repeat contact (3 days after the previous one)" in d.reasons
    assert "negative sentiment and a repeat contact within 3 days: priority high" in d.reasons


def test_a_repeat_after_the_window_is_not_a_repeat() -> None:
    d = _decide("card_arrival", 0.99, sentiment="negative", days_since_previous=9.0)
    assert d.action == "automate" and d.priority == "high"


@pytest.mark.parametrize(
    "text", ["Voy a poner una DEMANDA", "I will sue you", "quiero darme de baja ya"]
)
def test_legal_and_cancellation_words_escalate_in_either_language(text: str) -> None:
    assert _decide("card_arrival", 0.99, text=text).action == "escalate"


def test_words_inside_other_words_do_not_count() -> None:
    assert _decide("card_arrival", 0.99, text="the issue is pseudocourtesy").action == "automate"


def test_channels_outside_the_policy_are_not_automated() -> None:
    d = _decide("card_arrival", 0.99, {"channels": ["chat"]}, channel="email")
    assert d.action == "route" and "not allowed on channel email" in d.reasons[0]


def test_the_queue_follows_the_map_then_the_language_then_the_fallback() -> None:
    policy = {
        "queues": [{"name": "general"}, {"name": "es", "languages": ["es"]}, {"name": "cards"}],
        "intent_queues": {"card_arrival": "cards"},
    }
    assert _decide("card_arrival", 0.5, policy).queue == "cards"
    assert _decide("refund", 0.99, policy, language="es").queue == "es"
    assert _decide("refund", 0.99, policy, language="fr").queue == "general"


def test_priority_rules_for_channel_and_attribute() -> None:
    policy = {"priority": {"channels": {"voice": "high"}, "attributes": {"tier=gold": "urgent"}}}
    d = _decide("refund", 0.9, policy, channel="voice", attributes={"tier": "gold"})
    assert d.priority == "urgent"
    assert d.reasons[1:] == [
        "channel voice SLA: priority high",
        "attribute tier=gold: priority urgent",
    ]


def test_shadow_mode_is_carried_on_every_decision() -> None:
    assert _decide("card_arrival", 0.99, {"mode": "shadow"}).mode == "shadow"


def test_unknown_policy_fields_are_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match="field target: Extra inputs"):
        parse_policy({"target": 0.9})


def test_contact_times_read_from_strings_or_datetimes_and_naive_only_when_asked() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from criterio.triage.engine import when

    aware = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert when("2026-03-02T09:30:00+01:00") == aware
    assert when("2026-03-02T08:30:00Z") == aware
    assert when(aware) == aware
    # Without an offset the time is ambiguous: refused unless the caller says it is UTC.
    assert when("2026-03-02T08:30:00") is None
    assert when(datetime(2026, 3, 2, 8, 30)) is None
    assert when("2026-03-02T08:30:00", assume_utc=True) == aware
    assert when(datetime(2026, 3, 2, 8, 30), assume_utc=True) == datetime(
        2026, 3, 2, 8, 30, tzinfo=UTC
    )
    assert when("yesterday") is None and when(None) is None and when(1700000000) is None


def test_a_best_intent_not_far_enough_ahead_of_the_next_is_out_of_scope() -> None:
    calibration = replace(CALIBRATION, margin_floor=0.9)

    def decide_with(margin: float | None) -> Decision:
        return decide(
            "c-2",
            "card_arrival",
            0.97,
            calibration=calibration,
            model_floor=0.3,
            policy=parse_policy({}),
            context=Context(),
            margin=margin,
        )

    assert decide_with(0.95).action == "automate"
    close = decide_with(0.896)
    assert close.action == "route"
    assert close.reasons[0] == (
        "no known intent stands out: best card_arrival at 0.97 but only 0.896 ahead of the "
        "next best, under the out-of-scope margin 0.900"
    )
    assert decide_with(None).action == "route"  # no margin given: not shown to stand out


def test_numbers_in_reasons_keep_the_digits_that_tell_them_apart() -> None:
    calibration = replace(
        CALIBRATION,
        intents={"card_arrival": replace(CALIBRATION.intents["card_arrival"], threshold=0.9964)},
    )
    d = decide(
        "c-3",
        "card_arrival",
        0.9958,
        calibration=calibration,
        model_floor=0.3,
        policy=parse_policy({}),
        context=Context(),
    )
    assert d.reasons == ["intent card_arrival at 0.9958, under its threshold 0.9964"]
