"""Multilingual sentence vectors (issue #13 item 6): USE multilingual v3, no torch, offline."""

from __future__ import annotations

import numpy as np
import pytest

from criterio.analysis.embeddings import (
    CombinedEncoder,
    StaticEncoder,
    UseEncoder,
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
