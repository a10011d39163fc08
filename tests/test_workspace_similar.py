"""Similar solved cases: the index's own scoring gives scikit-learn's TF-IDF cosines."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from criterio.assist.suggestions import _rows_by_intent, _SolvedIndex

SOLVED = [
    "I forgot my password and cannot log in",
    "my password reset link never arrived, I cannot log in",
    "I was charged twice for the same order",
    "double charge on my card, please refund the order",
    "¿Cómo cambio la dirección de envío de mi pedido?",
]


def test_scores_are_the_cosines_of_scikit_learns_tfidf_vectors() -> None:
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    matrix = vectorizer.fit_transform(SOLVED)
    index = _SolvedIndex(
        ids=[f"s-{n}" for n in range(len(SOLVED))],
        case_ids=[None] * len(SOLVED),
        codes=[None] * len(SOLVED),
        by_intent=_rows_by_intent(["login", "login", "billing", "billing", None]),
        analyzer=vectorizer.build_analyzer(),
        vocabulary=dict(vectorizer.vocabulary_),
        idf=np.asarray(vectorizer.idf_),
        columns=matrix.tocsc(),
    )
    for text in (
        "I cannot log in, I forgot my password password",
        "charged twice, refund please",
        "dirección de envío",
        "nothing in common here",
    ):
        expected = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        assert np.allclose(index.scores(text), expected, atol=1e-12)
    assert index.scores("charged twice").argmax() == 2
    assert not index.scores("zzz qqq").any()
    assert [list(r) for r in index.by_intent.values()] == [[0, 1], [2, 3]]
