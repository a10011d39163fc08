"""The retrieval index itself: folding, updates in place, filters, passages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from criterio.knowledge.retrieval import IndexDoc, RetrievalIndex, fold


def _doc(
    key: int, title: str, body: str, state: str = "validated", language: str = "en"
) -> IndexDoc:
    return IndexDoc(key, title, body, (title, *body.split(". ")), state, "public", language)


DOCS = [
    _doc(1, "Reset a forgotten password", "Click forgot password. Follow the email link"),
    _doc(2, "Cobro duplicado", "Me han cobrado dos veces. Pida la devolución", language="es"),
    _doc(3, "Track a parcel", "Open My orders. The tracking number is there"),
]


def test_fold_removes_accents_repeats_and_chat_spelling() -> None:
    assert fold("¿Qué pasó con mi PEDIDOOO, xq?") == "que paso con mi pedido porque"


@settings(max_examples=80, deadline=None)
@given(st.text())
def test_fold_is_idempotent_and_plain(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.lower() and "  " not in folded


def test_update_replaces_changed_documents_and_appends_new_ones() -> None:
    index = RetrievalIndex().fit(DOCS)
    assert index.search("parcel tracking number")[0].key == 3
    index.update(
        [
            _doc(3, "Zeppelin delivery", "Deliveries by airship. Ask the captain"),
            _doc(4, "Printer jams", "Open tray two. Pull the sheet out"),
        ]
    )
    assert len(index) == 4
    assert index.search("zeppelin delivery airship")[0].key == 3
    assert index.search("printer tray jam")[0].key == 4
    # The old content is gone: no passage of it is left to match.
    assert all("tracking" not in h.passage for h in index.search("parcel tracking number"))
    hit = index.search("my printer jams", limit=1)[0]
    assert hit.passage in ("Printer jams", "Pull the sheet out", "Open tray two")


def test_filters_and_excluded_states() -> None:
    docs = [*DOCS, _doc(5, "Old password page", "Use the old page", state="archived")]
    index = RetrievalIndex().fit(docs)
    keys = {h.key for h in index.search("password", exclude_states=("archived",))}
    assert 5 not in keys and 1 in keys
    assert {h.key for h in index.search("password", languages=("es",))} <= {2}
    assert index.search("password", states=("wip",)) == []
    assert index.search("   ") == []
    # A query with no word in it (it once made BM25 fail with IndexError: a 500).
    assert index.search("¿¡!! 😀") == []
    assert RetrievalIndex().fit([]).search("password") == []
