"""Train the sentiment model shipped in criterio/analysis/sentiment/model.

    .venv/bin/python scripts/train_sentiment.py          # writes the shipped model
    .venv/bin/python scripts/train_sentiment.py --out /tmp/senti

Trains on the UMSAB train splits, English and Spanish together (../shared/data/
tweet_sentiment, public tweets: SemEval-2017 and InterTASS 2017 through the XLM-T
repository, Apache-2.0; research use), and picks the regularisation, the weight of each
feature block and the neutral band on the UMSAB val splits (mean macro-F1 of the two
languages). No test split is read. The output is plain JSON and npz, never a pickle.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._data import tweet_sentiment  # noqa: E402

from criterio.analysis.sentiment.features import (  # noqa: E402
    CharNgrams,
    feature_blocks,
    normalise,
    vectorizer,
)
from criterio.analysis.sentiment.learned import FORMAT, default_model_path  # noqa: E402
from criterio.analysis.sentiment.lexicon import (  # noqa: E402
    LABELS,
    LexiconSentimentAnalyzer,
    label_scores,
)

LANGUAGES = ("en", "es")
GRID_C = (0.5, 1.0, 2.0)
GRID_LEXICON = (1.0, 2.0, 3.0)
GRID_VADER = (1.0, 2.0)
BANDS = tuple(round(b, 2) for b in np.arange(0.05, 0.5, 0.05))


def _stack(blocks: dict[str, sparse.csr_matrix], weights: dict[str, float]) -> sparse.csr_matrix:
    return sparse.hstack([blocks[k] * w for k, w in weights.items()], format="csr")


def _scores(model: LogisticRegression, x: sparse.csr_matrix) -> np.ndarray:
    proba = model.predict_proba(x)
    order = [list(model.classes_).index(label) for label in LABELS]
    return proba[:, order[2]] - proba[:, order[0]]


def main() -> None:
    """Fit the vocabularies, search the small grid on val, write the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_model_path())
    args = parser.parse_args()
    start = time.perf_counter()
    train = {lang: tweet_sentiment(lang, "train") for lang in LANGUAGES}
    val = {lang: tweet_sentiment(lang, "val") for lang in LANGUAGES}
    texts = [t for lang in LANGUAGES for t in train[lang][0]]
    labels = np.array([y for lang in LANGUAGES for y in train[lang][1]], dtype=object)

    norm = [normalise(t) for t in texts]
    word = vectorizer("word", min_df=2).fit(norm)
    char_fit = vectorizer("char", min_df=2).fit(norm)
    char_vocab = sorted(char_fit.vocabulary_, key=char_fit.vocabulary_.__getitem__)
    char = CharNgrams(char_vocab, char_fit.idf_)
    lexicon = LexiconSentimentAnalyzer().fit()
    blocks = feature_blocks(texts, word, char, lexicon)
    val_blocks = {lang: feature_blocks(val[lang][0], word, char, lexicon) for lang in LANGUAGES}

    best: tuple[float, dict[str, object]] | None = None
    for c, lex_w, vader_w in itertools.product(GRID_C, GRID_LEXICON, GRID_VADER):
        weights = {"word": 1.0, "char": 1.0, "lexicon": lex_w, "vader": vader_w}
        model = LogisticRegression(C=c, max_iter=5000).fit(_stack(blocks, weights), labels)
        scores = {lang: _scores(model, _stack(val_blocks[lang], weights)) for lang in LANGUAGES}
        for band in BANDS:
            f1 = {
                lang: f1_score(val[lang][1], label_scores(scores[lang], band), average="macro")
                for lang in LANGUAGES
            }
            mean = float(np.mean(list(f1.values())))
            if best is None or mean > best[0]:
                setting = {"C": c, "weights": weights, "band": band, "model": model, "f1": f1}
                best = (mean, setting)
        print(f"C={c} lexicon={lex_w} vader={vader_w}: best so far {best[0]:.3f}", flush=True)
    assert best is not None
    chosen = best[1]
    model = chosen["model"]
    assert isinstance(model, LogisticRegression)
    order = [list(model.classes_).index(label) for label in LABELS]
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "model.npz",
        coef=model.coef_[order].astype(np.float32),
        intercept=model.intercept_[order].astype(np.float32),
        word_idf=word.idf_.astype(np.float32),
        char_idf=char_fit.idf_.astype(np.float32),
    )
    word_vocab = sorted(word.vocabulary_, key=word.vocabulary_.__getitem__)
    meta = {
        "format": FORMAT,
        "labels": list(LABELS),
        "weights": chosen["weights"],
        "neutral_band": chosen["band"],
        "C": chosen["C"],
        "validation_macro_f1": {k: round(v, 4) for k, v in chosen["f1"].items()},  # type: ignore[attr-defined]
        "trained_on": "UMSAB train, English and Spanish (1,839 + 1,839 tweets); "
        "chosen on UMSAB val; test splits never read",
        "provenance": "github.com/cardiffnlp/xlm-t data/sentiment (Apache-2.0); SemEval-2017 "
        "Task 4 and InterTASS 2017 tweets, research use; see docs/analysis.md",
        "vocabulary": {"word": word_vocab, "char": char_vocab},
    }
    (args.out / "model.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    summary = {k: v for k, v in meta.items() if k != "vocabulary"}
    print(json.dumps(summary, indent=2), f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
