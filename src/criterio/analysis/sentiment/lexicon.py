"""Lexicon-and-rules sentiment for customer-service text, Spanish and English.

In the spirit of VADER (Hutto & Gilbert 2014) but with lexicons written for contact
centres in both languages, accent- and case-insensitive matching (customers rarely type
accents), multi-word entries ("no funciona", "still waiting"), negation scope, boosters
and dampeners, contrast ("pero", "but"), emojis and emoticons, exclamation marks, and
all-caps messages read as anger.

Since ``senti-lr-1`` the pipeline's default is the learned model (``learned.py``), which
reads this analyzer's scores as features; this one stays available on its own.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, ClassVar, Self

import numpy as np

from criterio.analysis.base import Analyzer, unique_texts
from criterio.analysis.sentiment.accents import strip_accents

__all__ = ["LABELS", "LexiconSentimentAnalyzer", "label_scores", "trajectory"]

LABELS = ("negative", "neutral", "positive")
_NEGATION_SCALAR = -0.74  # VADER's: a negated word keeps part of its strength, reversed
_BOOST = 0.293
_CAPS_BOOST = 0.733
_EXCLAMATION = 0.292
_SHOUT = 1.5  # an all-caps message with no positive word is an angry one
_ALPHA = 15.0  # VADER's normalisation constant
_WINDOW = 3  # how many words back a negation reaches

_EMOTICON = r"(?:>:\(|:'\(|:-?[()D]|;\)|<3)"
_EMOJI = (
    "[\U0001f300-\U0001faff\u2600-\u27bf]"
    "(?:\ufe0f|\u200d[\u2640\u2642]\ufe0f?|[\U0001f3fb-\U0001f3ff])*"
)
_TOKEN = re.compile(rf"{_EMOTICON}|{_EMOJI}|[^\W\d_]+(?:'[^\W\d_]+)?|!|[.,;:?¿¡]")
_BREAKS = frozenset(".,;:?¿¡")  # a negation does not reach across a clause break


def _fold(text: str) -> str:
    """Lower case without accents (``Atención`` -> ``atencion``); ñ and ü fold too."""
    return strip_accents(text.lower())


# Tokens repeat endlessly across messages: fold each distinct one once.
_fold_token = lru_cache(maxsize=200_000)(_fold)


@lru_cache(maxsize=1)
def _resources() -> tuple[dict[str, float], dict[str, float], frozenset[str], dict[str, float]]:
    base = resources.files("criterio.analysis.sentiment") / "lexicons"
    words: dict[str, float] = {}
    phrases: dict[str, float] = {}
    for name in ("en.tsv", "es.tsv", "emoji.tsv"):
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            term, _, value = line.partition("\t")
            key = term if name == "emoji.tsv" else _fold(term)
            (phrases if " " in key else words)[key] = float(value)
    rules = json.loads((base / "rules.json").read_text(encoding="utf-8"))
    negators = frozenset(_fold(w) for ws in rules["negators"].values() for w in ws)
    boosters = {_fold(w): float(v) for bs in rules["boosters"].values() for w, v in bs.items()}
    for ws in rules["contrast"].values():
        for w in ws:
            # Contrast words get a marker value the scorer recognises (never a valence).
            (phrases if " " in w else words)[_fold(w)] = math.inf
    return words, phrases, negators, boosters


class LexiconSentimentAnalyzer(Analyzer):
    """Scores each text in [-1, 1] and labels it negative / neutral / positive.

    ``neutral_band``: scores within ±band are neutral. ``fit()`` loads the lexicons
    shipped with Criterio (both languages at once, so mixed or undetermined texts work).
    """

    version: ClassVar[str] = "senti-lex-1"

    def __init__(self, *, neutral_band: float = 0.05) -> None:
        self.neutral_band = neutral_band

    def fit(self, X: Any = None, y: Any = None) -> Self:  # noqa: N803 (scikit-learn naming)
        """Load the lexicons and rules (no training data needed)."""
        words, phrases, negators, boosters = _resources()
        self.words_ = words
        self.phrases_ = phrases
        self.negators_ = negators
        self.boosters_ = boosters
        self.phrase_starts_ = frozenset(k.split(" ", 1)[0] for k in phrases)
        self.max_phrase_ = max((k.count(" ") + 1 for k in phrases), default=1)
        return self

    def decision_function(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Sentiment score of each text in [-1, 1]."""
        self._check_fitted()
        distinct, inverse = unique_texts(texts)
        scores = np.fromiter((self._score(t) for t in distinct), np.float64, len(distinct))
        return scores[np.asarray(inverse, dtype=np.intp)]

    def predict(self, texts: Sequence[str]) -> np.ndarray[Any, Any]:
        """Label of each text: negative, neutral or positive."""
        return label_scores(self.decision_function(texts), self.neutral_band)

    def components(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Per text: score, summed positive and negative valence, shouting (0/1), ``!`` count.

        The learned analyzer reads these as features beside its n-grams and vectors.
        """
        self._check_fitted()
        distinct, inverse = unique_texts(texts)
        rows = np.array([self._parts(t) for t in distinct], np.float64).reshape(-1, 5)
        return rows[np.asarray(inverse, dtype=np.intp)]

    def _score(self, text: str) -> float:
        return self._parts(text)[0]

    def _parts(self, text: str) -> tuple[float, float, float, float, float]:
        raw = _TOKEN.findall(text)
        if not raw:
            return 0.0, 0.0, 0.0, 0.0, 0.0
        shouting = False
        if text.lower() != text:  # some capital letter: is the whole message shouted?
            upper = sum(map(str.isupper, text))
            cased = upper + sum(map(str.islower, text))
            shouting = cased >= 8 and upper >= 0.7 * cased
        folded = [_fold_token(t) for t in raw]
        exclamations = folded.count("!")
        keep = [i for i, t in enumerate(folded) if t != "!"]
        tokens = [folded[i] for i in keep]
        original = [raw[i] for i in keep]
        valences = self._valences(tokens, original, shouting)
        total = float(sum(valences))
        if total:
            total += math.copysign(min(exclamations, 4) * _EXCLAMATION, total)
        if shouting and total <= 0.5:
            total -= _SHOUT
        positive = float(sum(v for v in valences if v > 0))
        negative = float(sum(v for v in valences if v < 0))
        score = total / math.sqrt(total * total + _ALPHA)
        return score, positive, negative, float(shouting), float(exclamations)

    def _valences(self, tokens: list[str], original: list[str], shouting: bool) -> list[float]:
        words, phrases, starts = self.words_, self.phrases_, self.phrase_starts_
        out: list[float] = []
        contrast_at = -1
        i = 0
        n = len(tokens)
        while i < n:
            value: float | None = None
            width = 1
            if tokens[i] in starts:
                for size in range(min(self.max_phrase_, n - i), 1, -1):
                    value = phrases.get(" ".join(tokens[i : i + size]))
                    if value is not None:
                        width = size
                        break
            if value is None:
                value = words.get(tokens[i])
            if value is None:
                i += 1
                continue
            if math.isinf(value):
                contrast_at = len(out)
                i += width
                continue
            value = self._modify(value, tokens, original, i, width, shouting)
            out.append(value)
            i += width
        if contrast_at >= 0:
            # "It works, but the app is useless": what follows the contrast counts more.
            out = [v * (0.5 if k < contrast_at else 1.5) for k, v in enumerate(out)]
        return out

    def _modify(
        self,
        value: float,
        tokens: list[str],
        original: list[str],
        i: int,
        width: int,
        shouting: bool,
    ) -> float:
        sign = 1.0 if value > 0 else -1.0
        word = original[i]
        if not shouting and width == 1 and len(word) > 1 and word.isupper():
            value += sign * _CAPS_BOOST
        for back in (1, 2):
            if i - back >= 0:
                boost = self.boosters_.get(tokens[i - back])
                if boost is not None:
                    value += sign * _BOOST * boost / back
        # A multi-word entry that starts with a negator ("no funciona") already says it,
        # and an emoji says what the customer feels whatever words came before it.
        starts_negated = width > 1 and tokens[i] in self.negators_
        emoji = not word[0].isalpha()
        if not starts_negated and not emoji and self._negated(tokens, i):
            value *= _NEGATION_SCALAR
        return value

    def _negated(self, tokens: list[str], i: int) -> bool:
        for j in range(i - 1, max(-1, i - 1 - _WINDOW), -1):
            if tokens[j] in _BREAKS:
                return False
            if tokens[j] in self.negators_:
                return True
        return False


def label_scores(scores: np.ndarray[Any, Any], band: float = 0.05) -> np.ndarray[Any, Any]:
    """negative / neutral / positive for each score, neutral within ±band."""
    labels = np.full(len(scores), "neutral", dtype=object)
    labels[scores > band] = "positive"
    labels[scores < -band] = "negative"
    return labels


def trajectory(first: float, last: float, *, threshold: float = 0.3) -> str:
    """recovered / worsened / steady, from the first to the last customer turn."""
    if last - first >= threshold:
        return "recovered"
    if first - last >= threshold:
        return "worsened"
    return "steady"
