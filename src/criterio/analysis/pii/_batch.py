"""The joined batch that every pattern scans once, with offset helpers."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

__all__ = ["SEP", "Batch"]

SEP = "\x00"
_WINDOW = 40


class Batch:
    """The joined batch with helpers to map absolute offsets back to texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.joined = SEP.join(texts)
        lowered = self.joined.lower()
        if len(lowered) != len(self.joined):
            # A few characters (e.g. "İ") lower to two: keep those as they are so
            # offsets in the lower-cased copy stay those of the original.
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.joined)
        self.lowered = lowered
        self.starts = [0, *accumulate(len(t) + 1 for t in texts)][: len(texts)]

    def text_start(self, pos: int) -> int:
        """Offset in the batch where the text holding ``pos`` starts."""
        return self.starts[bisect_right(self.starts, pos) - 1]

    def left(self, pos: int, width: int = _WINDOW) -> str:
        """Up to ``width`` characters before ``pos``, never from the previous text."""
        return self.joined[max(self.text_start(pos), pos - width) : pos]

    def right(self, pos: int, width: int = 8) -> str:
        """Up to ``width`` characters from ``pos``, never into the next text."""
        end = self.joined.find(SEP, pos)
        stop = len(self.joined) if end < 0 else end
        return self.joined[pos : min(stop, pos + width)]
