"""VADER's compound, positive and negative scores, computed as ``vaderSentiment`` does, faster.

The learned sentiment model reads VADER's scores as a feature block, and
``SentimentIntensityAnalyzer.polarity_scores`` was the largest part of its cost: for
every lexicon word it lower-cases the whole message again, up to four times (in its
negation and idiom checks), so a message costs about the square of its length. This
scorer applies the same rules, in the same order and with the same arithmetic, to words
lower-cased once; messages with no VADER lexicon word skip the rules (their scores are
0, as VADER's are). It reads VADER's own lexicon, emoji descriptions and rule constants
from the installed package, and ``tests/test_analysis_sentiment_vader.py`` holds its
scores equal to ``polarity_scores`` on public tweets and generated text.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["VaderScorer", "vader_scores"]

_PUNCTUATION = string.punctuation
_MARK = "\ue000"  # a private-use character: where an emoji's description starts
_MARK_AT_START_OR_AFTER_SPACE = re.compile("(?:^|(?<= ))" + _MARK)


class VaderScorer:
    """``polarity_scores``'s compound, pos and neg of each text, with its lexicon and rules."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import (
            BOOSTER_DICT,
            C_INCR,
            N_SCALAR,
            NEGATE,
            SPECIAL_CASES,
            SentimentIntensityAnalyzer,
        )

        analyzer = SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = analyzer.lexicon
        self.emojis: dict[str, str] = analyzer.emojis
        self.emoji_chars = frozenset(self.emojis)
        # VADER looks emojis up one character at a time: only 1-character keys can match.
        self.emoji_table = {ord(k): _MARK + v for k, v in self.emojis.items() if len(k) == 1}
        if not all(v and v[-1] != " " and _MARK not in v for v in self.emojis.values()):
            raise ValueError("VADER's emoji descriptions changed: check _describe_emojis")
        self.boosters: dict[str, float] = BOOSTER_DICT
        self.special: dict[str, float] = SPECIAL_CASES
        self.negate = frozenset(NEGATE)
        self.n_scalar: float = N_SCALAR
        self.c_incr: float = C_INCR
        # Every word of an idiom or a multi-word booster: the idiom check can only
        # change a valence when the words around it include some of them.
        self.idiom_words = frozenset(
            w for key in [*SPECIAL_CASES, *BOOSTER_DICT] if " " in key for w in key.split()
        )

    def scores(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """One row of (compound, pos, neg) per text, rounded as VADER rounds them."""
        out = np.zeros((len(texts), 3), np.float32)
        for row, text in enumerate(texts):
            result = self.score(text)
            if result is not None:
                out[row] = result
        return out

    def score(self, text: str) -> tuple[float, float, float] | None:
        """(compound, pos, neg) of one text; ``None`` when all three are 0."""
        if not text.isascii():
            text = self._describe_emojis(text)
        pairs = [_word(w) for w in text.split()]
        lower = [low for _, low in pairs]
        if self.lexicon.keys().isdisjoint(lower):
            return None  # every valence is 0: VADER's scores are all 0
        words = [word for word, _ in pairs]
        sentiments = self._valences(words, lower)
        if "but" in lower:
            sentiments = _but_check(lower.index("but"), sentiments)
        return self._score_valence(sentiments, text)

    def _describe_emojis(self, text: str) -> str:
        """Each emoji replaced by its description, as ``polarity_scores`` does first.

        VADER puts a space before a description unless it starts the text or follows a
        space character, and none after it. Here each emoji becomes a marker and its
        description in one ``str.translate``; then a marker at the start or after a
        space is dropped and any other becomes the space. (Descriptions are never empty
        and never end in a space, so the character before a marker is the one VADER
        looks at; a text that holds the marker itself takes VADER's own loop.)
        """
        if self.emoji_chars.isdisjoint(text):
            return text
        if _MARK in text:
            return self._describe_emojis_slowly(text)
        marked = text.translate(self.emoji_table)
        return _MARK_AT_START_OR_AFTER_SPACE.sub("", marked).replace(_MARK, " ").strip()

    def _describe_emojis_slowly(self, text: str) -> str:
        parts: list[str] = []
        prev_space = True
        for char in text:
            description = self.emojis.get(char)
            if description is not None:
                if not prev_space:
                    parts.append(" ")
                parts.append(description)
                prev_space = False
            else:
                parts.append(char)
                prev_space = char == " "
        return "".join(parts).strip()

    def _valences(self, words: list[str], lower: list[str]) -> list[float]:
        lexicon, boosters = self.lexicon, self.boosters
        n = len(words)
        upper = sum(map(str.isupper, words))
        is_cap_diff = 0 < n - upper < n
        # A word outside the lexicon, a booster and the "kind" of "kind of" score 0 (an
        # int, as in VADER, which keeps the sum of the list the same).
        sentiments: list[float] = [0] * n
        for i, item in enumerate(lower):
            base = lexicon.get(item)
            if base is None or item in boosters:
                continue
            if item == "kind" and i < n - 1 and lower[i + 1] == "of":
                continue
            valence = base
            if item == "no" and i != n - 1 and lower[i + 1] in lexicon:
                valence = 0.0
            if (
                (i > 0 and lower[i - 1] == "no")
                or (i > 1 and lower[i - 2] == "no")
                or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ("or", "nor"))
            ):
                valence = base * self.n_scalar
            if is_cap_diff and words[i].isupper():
                valence = valence + self.c_incr if valence > 0 else valence - self.c_incr
            for start_i in range(3):
                back = i - (start_i + 1)
                if i > start_i and lower[back] not in lexicon:
                    s = self._scalar(words[back], lower[back], valence, is_cap_diff)
                    if start_i == 1 and s != 0:
                        s = s * 0.95
                    if start_i == 2 and s != 0:
                        s = s * 0.9
                    valence = valence + s
                    valence = self._negation(valence, lower, start_i, i)
                    if start_i == 2 and not self.idiom_words.isdisjoint(lower[i - 3 : i + 3]):
                        valence = self._idioms(valence, lower, i)
            sentiments[i] = self._least(valence, lower, i)
        return sentiments

    def _scalar(self, word: str, low: str, valence: float, is_cap_diff: bool) -> float:
        scalar = self.boosters.get(low)
        if scalar is None:
            return 0.0
        if valence < 0:
            scalar *= -1
        if word.isupper() and is_cap_diff:
            scalar = scalar + self.c_incr if valence > 0 else scalar - self.c_incr
        return scalar

    def _negated(self, word: str) -> bool:
        return word in self.negate or "n't" in word

    def _negation(self, valence: float, lower: list[str], start_i: int, i: int) -> float:
        if start_i == 0:
            if self._negated(lower[i - 1]):
                valence = valence * self.n_scalar
        elif start_i == 1:
            if lower[i - 2] == "never" and lower[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
                pass
            elif self._negated(lower[i - 2]):
                valence = valence * self.n_scalar
        else:
            if (lower[i - 3] == "never" and lower[i - 2] in ("so", "this")) or lower[i - 1] in (
                "so",
                "this",
            ):
                valence = valence * 1.25
            elif lower[i - 3] == "without" and "doubt" in (lower[i - 2], lower[i - 1]):
                pass
            elif self._negated(lower[i - 3]):
                valence = valence * self.n_scalar
        return valence

    def _idioms(self, valence: float, lower: list[str], i: int) -> float:
        special, boosters = self.special, self.boosters
        onezero = f"{lower[i - 1]} {lower[i]}"
        twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
        twoone = f"{lower[i - 2]} {lower[i - 1]}"
        threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
        threetwo = f"{lower[i - 3]} {lower[i - 2]}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in special:
                valence = special[seq]
                break
        if len(lower) - 1 > i:
            zeroone = f"{lower[i]} {lower[i + 1]}"
            if zeroone in special:
                valence = special[zeroone]
        if len(lower) - 1 > i + 1:
            zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
            if zeroonetwo in special:
                valence = special[zeroonetwo]
        for n_gram in (threetwoone, threetwo, twoone):
            if n_gram in boosters:
                valence = valence + boosters[n_gram]
        return valence

    def _least(self, valence: float, lower: list[str], i: int) -> float:
        lexicon = self.lexicon
        if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            if lower[i - 2] != "at" and lower[i - 2] != "very":
                valence = valence * self.n_scalar
        elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
            valence = valence * self.n_scalar
        return valence

    @staticmethod
    def _score_valence(sentiments: list[float], text: str) -> tuple[float, float, float]:
        sum_s = float(sum(sentiments))
        ep_count = min(text.count("!"), 4)
        qm_count = text.count("?")
        qm = 0.0
        if qm_count > 1:
            qm = qm_count * 0.18 if qm_count <= 3 else 0.96
        punct = ep_count * 0.292 + qm
        if sum_s > 0:
            sum_s += punct
        elif sum_s < 0:
            sum_s -= punct
        compound = max(-1.0, min(1.0, sum_s / math.sqrt(sum_s * sum_s + 15)))
        pos_sum = 0.0
        neg_sum = 0.0
        neu_count = 0
        for s in sentiments:
            if s > 0:
                pos_sum += float(s) + 1
            if s < 0:
                neg_sum += float(s) - 1
            if s == 0:
                neu_count += 1
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct
        total = pos_sum + math.fabs(neg_sum) + neu_count
        pos = math.fabs(pos_sum / total)
        neg = math.fabs(neg_sum / total)
        return round(compound, 4), round(pos, 3), round(neg, 3)


@lru_cache(maxsize=200_000)
def _word(token: str) -> tuple[str, str]:
    """VADER's word for a token (punctuation off its ends unless 2 characters or fewer
    remain) and its lower case; tokens repeat across messages, so each is done once."""
    stripped = token.strip(_PUNCTUATION)
    word = token if len(stripped) <= 2 else stripped
    return word, word.lower()


def _but_check(but_at: int, sentiments: list[float]) -> list[float]:
    """VADER's contrast rule, with its quirk kept: each value is found by ``list.index``.

    So a value equal to an earlier one (two words of the same valence) is looked up at
    the earlier position, as ``SentimentIntensityAnalyzer._but_check`` does.
    """
    for sentiment in list(sentiments):
        si = sentiments.index(sentiment)
        if si < but_at:
            sentiments.pop(si)
            sentiments.insert(si, sentiment * 0.5)
        elif si > but_at:
            sentiments.pop(si)
            sentiments.insert(si, sentiment * 1.5)
    return sentiments


@lru_cache(maxsize=1)
def _scorer() -> VaderScorer:
    # Reading VADER's lexicon files takes a moment: once per process.
    return VaderScorer()


def vader_scores(texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """(compound, pos, neg) of each text, as ``polarity_scores`` gives them."""
    return _scorer().scores(texts)
