"""Language identification: contract, held-out accuracy, the languages it recognises."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from criterio.analysis.base import check_analyzer_contract
from criterio.analysis.language import LanguageIdentifier, _clean

TEXTS = [
    "Hola, me han cobrado dos veces la factura de este mes",
    "I was charged twice on my last bill, please help",
    "ok",
    "",
    "Bonjour, je voudrais résilier mon abonnement",
]


def test_contract(tmp_path: Path) -> None:
    check_analyzer_contract(LanguageIdentifier, TEXTS, lambda a, t: a.predict(t), tmp_path)


def test_unfitted_raises() -> None:
    with pytest.raises(NotFittedError):
        LanguageIdentifier().predict(["hola"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no me funciona el wifi desde ayer, q pasa", "es"),
        ("genial, muchas gracias!", "es"),
        ("ESTO ES INACEPTABLE", "es"),
        ("my card still hasn't arrived", "en"),
        ("Je ne comprends pas pourquoi ma facture est si élevée", "fr"),
        ("Não consigo aceder à minha conta", "pt"),
        ("Non riesco ad accedere al mio conto", "it"),
        ("Ich kann mich nicht in mein Konto einloggen", "de"),
        ("No puc accedir al meu compte des d'ahir", "ca"),
        ("ok", "und"),
        ("12345 !!!", "und"),
        ("", "und"),
    ],
)
def test_recognises(text: str, expected: str) -> None:
    assert LanguageIdentifier().fit().predict([text])[0] == expected


def test_low_threshold_never_undetermined_for_real_text() -> None:
    model = LanguageIdentifier(threshold=0.0).fit()
    assert "und" not in model.predict(["gracias por todo", "thank you"]).tolist()


def test_fit_on_own_data() -> None:
    model = LanguageIdentifier().fit(
        ["hello there friend"] * 3 + ["hola amigo mío"] * 3, ["en"] * 3 + ["es"] * 3
    )
    assert model.classes_.tolist() == ["en", "es"]
    assert model.predict(["hello friend", "hola amigo"]).tolist() == ["en", "es"]
    with pytest.raises(ValueError, match="language of every text"):
        LanguageIdentifier().fit(["x"])


def _held_out(shared_data: Path) -> tuple[list[str], list[str]]:
    with (shared_data / "banking77" / "test.csv").open(encoding="utf-8") as handle:
        en = [row["text"] for row in csv.DictReader(handle)]
    with (shared_data / "fb_multilingual_tod_es" / "test-es.tsv").open(encoding="utf-8") as h:
        es = [line.split("\t")[2] for line in h]
    return en, es


def test_accuracy_on_held_out_spanish_and_english(shared_data: Path) -> None:
    """The 99% bar on texts of 20+ characters, on test splits the model never saw."""
    en, es = _held_out(shared_data)
    model = LanguageIdentifier().fit()
    for texts, lang in ((en, "en"), (es, "es")):
        long = [t for t in texts if len(t.strip()) >= 20]
        accuracy = float(np.mean(model.predict(long) == lang))
        assert accuracy >= 0.99, (lang, accuracy)


def test_cached_word_path_equals_hashing_vectorizer(shared_data: Path) -> None:
    """The fast per-word path gives scikit-learn's HashingVectorizer likelihoods."""
    en, es = _held_out(shared_data)
    texts = en[:300] + es[:300] + TEXTS + ["l'adreça d'entrega", "  spaced   out  "]
    model = LanguageIdentifier().fit()
    fast = model._joint([t for t in _clean(texts, model.max_chars)])[0]
    np.testing.assert_allclose(fast, model.reference_log_likelihood(texts), rtol=1e-4, atol=0.05)
    probs = model.predict_proba(texts)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
