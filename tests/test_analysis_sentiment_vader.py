"""The fast VADER scorer gives ``vaderSentiment``'s own compound, pos and neg, exactly."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from criterio.analysis.sentiment.accents import strip_accents
from criterio.analysis.sentiment.vader import vader_scores

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tweet_sentiment"

# Words that trigger each of VADER's rules (boosters, negations, "no", "but", "least",
# "kind of", idioms, caps), lexicon words of both signs, punctuation and emojis.
_WORDS = [
    "good", "GOOD", "bad", "BAD", "great", "terrible", "love", "hate", "no", "No", "not",
    "isn't", "never", "so", "this", "without", "doubt", "but", "BUT", "least", "at",
    "very", "VERY", "kind", "of", "sort", "kinda", "just", "enough", "the", "shit", "bomb",
    "yeah", "right", "bus", "stop", "to", "die", "for", "or", "nor", "service", "help",
    "thanks", ":)", ":(", ":D", "!", "?", "!!!", "???", "wait", "slow", "happy", "😡",
    "😍", "👍", "good!", "(bad)", "ok...", "n't", "cant", "uh-uh", "fine", "fine", "lol",
    "gracias", "pésimo", "muy", "bien", "😡😡", "ok😍", "\t👍", "\ue000", "👍\ue000🙂",
]  # fmt: skip


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def reference(texts: list[str]) -> np.ndarray:
    scorer = _vader()
    rows = [scorer.polarity_scores(t) for t in texts]
    return np.array([[r["compound"], r["pos"], r["neg"]] for r in rows], np.float32).reshape(-1, 3)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.skipif(not DATA.exists(), reason="shared tweet_sentiment data not staged")
def test_equal_to_vader_on_public_tweets() -> None:
    texts = (
        _lines(DATA / "xlm_t_umsab" / "english" / "train_text.txt")
        + _lines(DATA / "xlm_t_umsab" / "spanish" / "train_text.txt")
        + _lines(DATA / "tweeteval" / "val_text.txt")
    )
    assert len(texts) > 5000
    ours, theirs = vader_scores(texts), reference(texts)
    assert np.array_equal(ours, theirs)
    assert (theirs[:, 0] != 0).mean() > 0.5  # most tweets carry VADER sentiment


def test_rules_on_sentences() -> None:
    texts = [
        "The book was good.",
        "The book was kind of good.",
        "At least it isn't a horrible book.",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "It was good but the service was bad, bad and bad",
        "good good but good",
        "no problem at all, never so happy",
        "Without doubt the best",
        "yeah right, the bomb",
        "Thanks 😍😍 but 😡",
        "   ",
        "",
        "El servicio es pésimo",
        "WHY is nothing working??? help!!!!!",
    ]
    assert np.array_equal(vader_scores(texts), reference(texts))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=14), min_size=1, max_size=8))
def test_equal_to_vader_on_generated_text(messages: list[list[str]]) -> None:
    texts = [" ".join(words) for words in messages]
    assert np.array_equal(vader_scores(texts), reference(texts))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_equal_to_vader_on_any_text(texts: list[str]) -> None:
    assert np.array_equal(vader_scores(texts), reference(texts))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_accents_fold_as_the_whole_text_nfkd(text: str) -> None:
    expected = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    assert strip_accents(text) == expected
    assert strip_accents("Atención, pésimo, ﬁn, ½") == "Atencion, pesimo, fin, 1⁄2"
