"""Multilingual sentence vectors (issue #13 item 6): USE multilingual v3, no torch, offline."""

from __future__ import annotations

import numpy as np
import pytest

from criterio.analysis.embeddings import (
    CombinedEncoder,
    StaticEncoder,
    UseEncoder,
    UseStaticEncoder,
    make_encoder,
)


@pytest.fixture(scope="module")
def use() -> UseEncoder:
    return UseEncoder().fit()


def test_spanish_and_english_paraphrases_meet(use: UseEncoder) -> None:
    spanish = ["quiero cancelar mi tarjeta de crédito", "¿a qué hora sale mi vuelo?"]
    english = ["I want to cancel my credit card", "what time does my flight leave?"]
    vectors = use.transform([*spanish, *english])
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    similarity = vectors[:2] @ vectors[2:].T
    # Each Spanish sentence is nearest to its English translation, not to the other one.
    assert similarity[0, 0] > similarity[0, 1] + 0.2
    assert similarity[1, 1] > similarity[1, 0] + 0.2


def test_static_english_table_does_not_match_spanish_the_same_way() -> None:
    # Why the multilingual part is needed: the shipped static table is English-only.
    static = StaticEncoder().fit()
    use = UseEncoder().fit()
    pair = ["quiero cancelar mi tarjeta de crédito", "I want to cancel my credit card"]
    s, u = static.transform(pair), use.transform(pair)
    assert float(u[0] @ u[1]) > float(s[0] @ s[1])


def test_combined_encoder_puts_parts_side_by_side(use: UseEncoder) -> None:
    combined = make_encoder("static+use")
    assert isinstance(combined, CombinedEncoder)
    combined.fit()
    texts = ["mi pedido no ha llegado", ""]
    vectors = combined.transform(texts)
    assert combined.dim == StaticEncoder().fit().dim + 512 == vectors.shape[1]
    np.testing.assert_allclose(vectors[:, -512:] * np.sqrt(2), use.transform(texts), atol=1e-6)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match="unknown encoder 'nope'"):
        make_encoder("static+nope")
    assert use.transform([]).shape == (0, 512)


def test_distilled_use_static_is_multilingual_and_cheap_to_batch() -> None:
    distilled = make_encoder("use-static").fit()
    assert isinstance(distilled, UseStaticEncoder) and distilled.dim == 256
    spanish = ["quiero cancelar mi tarjeta de crédito", "¿a qué hora sale mi vuelo?"]
    english = ["I want to cancel my credit card", "what time does my flight leave?"]
    vectors = distilled.transform([*spanish, *english, ""])
    assert vectors.shape == (5, 256) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:4], axis=1), 1.0, rtol=1e-5)
    assert not vectors[4].any()  # a text without pieces has no direction
    similarity = vectors[:2] @ vectors[2:4].T
    assert similarity[0, 0] > similarity[0, 1] + 0.2
    assert similarity[1, 1] > similarity[1, 0] + 0.2
    # A text's vector does not depend on the batch it came in.
    np.testing.assert_allclose(distilled.transform([english[1]])[0], vectors[3], atol=1e-6)
    assert distilled.transform([]).shape == (0, 256)


def test_distilled_vectors_rank_like_the_full_network() -> None:
    # Distillation keeps what the network says is near: for each query, the sentence
    # the full USE network finds nearest is the distilled table's nearest too.
    queries = ["mi paquete no ha llegado", "how do I reset my password", "la app se cierra sola"]
    candidates = [
        "my parcel has not arrived yet",
        "I forgot my password and cannot log in",
        "the app keeps crashing when I open it",
        "quiero cambiar mi dirección de envío",
    ]
    use, distilled = UseEncoder().fit(), UseStaticEncoder().fit()
    full = use.transform(queries) @ use.transform(candidates).T
    cheap = distilled.transform(queries) @ distilled.transform(candidates).T
    assert list(full.argmax(axis=1)) == list(cheap.argmax(axis=1)) == [0, 1, 2]
