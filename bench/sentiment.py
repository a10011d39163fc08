"""Sentiment benchmark: macro-F1 of the learned model, the lexicon analyzer and VADER.

    nice -n 5 .venv/bin/python bench/sentiment.py
    nice -n 5 .venv/bin/python bench/sentiment.py --pipeline-speed 20000

The second compares what sentiment costs in the analysis: ``analyze_batch`` with
language, redaction and sentiment on that many ``criterio demo`` interactions (batches
of 2,000, bench/analyze.py's Parquet cache), with the lexicon and with the learned
model, alternately twice, in CPU time (written to bench/results/sentiment-speed.json).
With ``--workers W`` it runs them instead through ``LocalEngine(workers=W)`` as
bench/analyze.py does (wall-clock, CPU time of all processes, peak RSS; written to
bench/results/sentiment-speed-engine.json).

Sets (three classes, public tweets nobody on the project wrote; ../shared/data/
tweet_sentiment): UMSAB English and Spanish test (870 each), TweetEval test (12,284;
it holds the whole UMSAB English test), and the UMSAB val splits, which chose the
model's settings (so they are not an unseen figure). The project's own
bench/data/sentiment_eval.tsv (100 + 100, written by the team that wrote the lexicon)
is listed last for continuity. VADER is English-only; it is run on every set as the
reference the earlier benchmarks used. Published figures (XLM-T README, UMSAB test):
FastText 50.9 en / 50.1 es, XLM-R 68.2 / 65.9.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import tweet_sentiment
from bench._report import write_results
from criterio.analysis.sentiment import LexiconSentimentAnalyzer, SentimentAnalyzer, label_scores

EVAL = Path(__file__).resolve().parent / "data" / "sentiment_eval.tsv"
PUBLISHED = {
    "umsab-en test": {"FastText": 0.509, "XLM-R": 0.682, "XLM-Tw multilingual": 0.706},
    "umsab-es test": {"FastText": 0.501, "XLM-R": 0.659, "XLM-Tw multilingual": 0.679},
}


def _own_set(lang: str) -> tuple[list[str], list[str]]:
    rows = [
        line.split("\t")
        for line in EVAL.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [r[2] for r in rows if r[0] == lang], [r[1] for r in rows if r[0] == lang]


def _sets() -> list[tuple[str, tuple[list[str], list[str]]]]:
    return [
        ("umsab-en test", tweet_sentiment("en", "test")),
        ("umsab-es test", tweet_sentiment("es", "test")),
        ("tweeteval test", tweet_sentiment("tweeteval", "test")),
        ("umsab-en val (chose the settings)", tweet_sentiment("en", "val")),
        ("umsab-es val (chose the settings)", tweet_sentiment("es", "val")),
        ("sentiment_eval en (own, lexicon tuned on it)", _own_set("en")),
        ("sentiment_eval es (own, lexicon tuned on it)", _own_set("es")),
    ]


def pipeline_speed(n: int, cache: Path, workers: int) -> None:
    """Interactions per CPU-second of analyze_batch with each sentiment analyzer."""
    import pyarrow.parquet as pq

    from bench.analyze import demo_parquet, run_criterio
    from criterio.analysis.pipeline import analyze_batch, build_pipeline

    path = demo_parquet(n, cache)
    model = build_pipeline(["language", "pii", "sentiment"])
    lexicon = build_pipeline(["language", "pii", "sentiment"])
    lexicon.sentiment = LexiconSentimentAnalyzer().fit()
    rows: list[dict[str, Any]] = []
    if workers:
        for name, pipeline in (("lexicon", lexicon), ("learned model", model)):
            found = run_criterio(path, n, workers, 2000, pipeline)
            rows.append({"sentiment": f"{name} ({pipeline.sentiment.version})", **found})
        extra = {"workers": workers, "load_average_after": list(os.getloadavg())}
        write_results("sentiment-speed-engine", rows, extra)
        return
    batches = list(pq.ParquetFile(path).iter_batches(batch_size=2000))
    for run in (1, 2):
        for name, pipeline in (("lexicon", lexicon), ("learned model", model)):
            start = time.process_time()
            for batch in batches:
                analyze_batch(batch, pipeline)
            seconds = time.process_time() - start
            rows.append(
                {
                    "run": run,
                    "sentiment": f"{name} ({pipeline.sentiment.version})",
                    "interactions": n,
                    "cpu_s": round(seconds, 2),
                    "interactions_per_cpu_s": round(n / seconds),
                }
            )
    write_results("sentiment-speed", rows, {"load_average_after": list(os.getloadavg())})


def main() -> None:
    """Score every system on every set; print the table and write bench/results/sentiment.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline-speed", type=int, default=0, metavar="N")
    parser.add_argument("--workers", type=int, default=0, help="with --pipeline-speed")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/criterio-bench"))
    args = parser.parse_args()
    if args.pipeline_speed:
        pipeline_speed(args.pipeline_speed, args.cache, args.workers)
        return
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    systems: dict[str, Any] = {
        f"criterio model ({SentimentAnalyzer.version})": SentimentAnalyzer().fit().predict,
        f"criterio lexicon ({LexiconSentimentAnalyzer.version})": (
            LexiconSentimentAnalyzer().fit().predict
        ),
        "VADER (compound, ±0.05)": lambda texts: label_scores(
            np.array([vader.polarity_scores(t)["compound"] for t in texts])
        ),
    }
    rows: list[dict[str, Any]] = []
    for name, (texts, gold) in _sets():
        for system, predict in systems.items():
            start = time.process_time()
            predicted = list(predict(texts))
            seconds = time.process_time() - start
            rows.append(
                {
                    "set": name,
                    "n": len(texts),
                    "system": system,
                    "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
                    "accuracy": round(float(accuracy_score(gold, predicted)), 4),
                    "texts_per_cpu_s": round(len(texts) / max(seconds, 1e-9)),
                }
            )
    path = write_results("sentiment", rows, {"published_macro_f1": PUBLISHED})
    print(f"written {path}")


if __name__ == "__main__":
    main()
