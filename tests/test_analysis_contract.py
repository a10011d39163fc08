"""The shared analyzer contract (DESIGN convention 5) on every estimator of the analysis.

Language and sentiment run it in their own test files too; here it also covers the
PII redactor, the intent classifier and the topic model, on small data written here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from criterio.analysis.base import check_analyzer_contract
from criterio.analysis.intents import IntentClassifier
from criterio.analysis.language import LanguageIdentifier
from criterio.analysis.pii import PIIRedactor
from criterio.analysis.topics import TopicModel

_INTENTS = {
    "double_charge": [
        "I was charged twice for my order",
        "you took the payment two times",
        "there is a duplicate charge on my card",
        "my bank shows the same charge twice",
        "me habéis cobrado dos veces",
        "tengo un cargo duplicado en la tarjeta",
        "the invoice was billed twice this month",
        "why did you charge me again for the same thing",
        "double payment taken from my account",
        "cobro repetido en mi cuenta",
        "two identical charges appeared yesterday",
        "I see the payment twice on my statement",
    ],
    "no_internet": [
        "my internet is not working",
        "the router has no connection since this morning",
        "no tengo internet en casa",
        "the wifi keeps dropping every few minutes",
        "se ha caído la fibra",
        "I cannot connect to the internet at all",
        "the broadband light is red",
        "sin conexión desde ayer",
        "the network is down in my street",
        "internet very slow and then nothing",
        "my fibre line stopped working",
        "el router no da señal",
    ],
    "cancel": [
        "I want to cancel my contract",
        "please close my account",
        "quiero darme de baja",
        "how do I end my subscription",
        "cancel the service from next month",
        "deseo cancelar mi línea",
        "I am leaving, terminate the plan",
        "stop my membership please",
        "dar de baja el contrato de fibra",
        "I no longer want this service",
        "cancel everything on my account",
        "quiero anular mi suscripción",
    ],
}
_TEXTS = [text for texts in _INTENTS.values() for text in texts]
_LABELS = [label for label, texts in _INTENTS.items() for _ in texts]
_PII_TEXTS = [
    "Hola, soy Ana García, mi teléfono es 612 345 678",
    "My email is ana.garcia@example.com and my card 4111 1111 1111 1111",
    "nothing personal here",
    "",
]


def _redacted(analyzer: PIIRedactor, texts: Sequence[str]) -> list[str]:
    return [r.text for r in analyzer.redact(texts)]


def _intents(analyzer: IntentClassifier, texts: Sequence[str]) -> Any:
    return analyzer.predict_proba(texts) if len(texts) else analyzer.predict(texts)


Case = tuple[Callable[[], Any], Sequence[str], Callable[[Any, Sequence[str]], Any], Any]
CASES: dict[str, Case] = {
    "language": (LanguageIdentifier, _TEXTS, lambda a, t: a.predict(t), None),
    "pii": (PIIRedactor, _PII_TEXTS, _redacted, None),
    "intent": (
        lambda: IntentClassifier(random_state=3),
        _TEXTS,
        _intents,
        lambda a: a.fit(_TEXTS, _LABELS),
    ),
    "topics": (
        lambda: TopicModel(n_topics=3, outlier_share=0.0, n_examples=2),
        _TEXTS,
        lambda a, t: a.predict(t),
        lambda a: a.fit(_TEXTS),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_analyzer_contract(name: str, tmp_path: Path) -> None:
    make, texts, outputs, fit = CASES[name]
    if fit is None:
        check_analyzer_contract(make, texts, outputs, tmp_path)
    else:
        check_analyzer_contract(make, texts, outputs, tmp_path, fit=fit)
