"""Where the time of analysis with intent and topic models goes, stage by stage.

Run: ``.venv/bin/python bench/analyze_stages.py [--n 4000] [--train-size 20000]``.
Trains (not timed) the intent and topic models of ``bench/analyze.py --with-models`` on
the first ``--train-size`` demo interactions, then, in one process and in batches of
``--batch-size``, measures the CPU seconds of: the default pipeline (language +
redaction + sentiment, ``analyze_batch``); the masked customer texts the model stages
read; the intent stage and each of its parts (word TF-IDF, character TF-IDF, each
sentence encoder, the SVM and calibration); the topic stage and its encoder. Each timed
step runs ``--repeat`` times and the lowest is kept (the machine is shared). ``--profile``
adds cProfile's top functions of the intent + topic stages; ``--only a,b`` times only the
steps whose names hold ``a`` or ``b``. Models already in ``--cache`` are reused. Writes
bench/results/analyze-stages.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from bench.analyze import demo_parquet, train_models
from criterio.analysis.annotations import intent_annotations, topic_annotations
from criterio.analysis.embeddings import CombinedEncoder
from criterio.analysis.embeddings.static import _LAST_MEAN
from criterio.analysis.pipeline import analyze_batch, build_pipeline
from criterio.analysis.text import model_texts

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "analyze-stages.json"


def cpu(step: Callable[[], Any], repeat: int) -> float:
    """Lowest CPU seconds of ``repeat`` runs of ``step``."""
    best = float("inf")
    for _ in range(repeat):
        begin = time.process_time()
        step()
        best = min(best, time.process_time() - begin)
    return best


def customer_texts(rows: list[dict[str, Any]]) -> list[str]:
    """Each interaction's customer turns joined, masked as the model stages see them."""
    joined = ["\n".join(t["text"] for t in r["turns"] if t["role"] == "customer") for r in rows]
    return model_texts(joined)


def main() -> None:
    """Train, time every stage, print the table and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="interactions timed")
    ap.add_argument("--train-size", type=int, default=20000)
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/criterio-bench-an"))
    ap.add_argument("--profile", action="store_true", help="cProfile the model stages")
    ap.add_argument("--only", default="", help="time only steps whose name holds one of these")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    path = demo_parquet(max(args.n, args.train_size), args.cache)
    intent_dir = args.cache / f"intent-model-{args.train_size}-static+use"
    topic_dir = args.cache / f"topic-model-{args.train_size}"
    if not (intent_dir.is_dir() and topic_dir.is_dir()):  # trained once per cache
        intent_dirs, topic_dir = train_models(path, args.cache, args.train_size, ["static+use"])
        intent_dir = intent_dirs["static+use"]
    pipeline = build_pipeline(intent_model=intent_dir, topic_model=topic_dir).fit()
    plain = build_pipeline().fit()
    table = pq.read_table(path).slice(0, args.n)
    batches = table.to_batches(max_chunksize=args.batch_size)
    texts = customer_texts(table.select(["turns"]).to_pylist())
    chunks = [texts[i : i + args.batch_size] for i in range(0, len(texts), args.batch_size)]
    intents, topics = pipeline.intents.model, pipeline.topics.model
    encoders = intents.encoder_.parts_ if isinstance(intents.encoder_, CombinedEncoder) else []
    features = [intents._features(c) for c in chunks]
    load = os.getloadavg()

    def each(fn: Callable[[list[str]], Any]) -> Callable[[], None]:
        def run() -> None:
            for c in chunks:
                # Measured alone: not helped by vectors kept from the step before.
                _LAST_MEAN[:] = [None, None, None]
                fn(c)

        return run

    steps: dict[str, Callable[[], Any]] = {
        "default pipeline (language + redaction + sentiment)": lambda: [
            analyze_batch(b, plain) for b in batches
        ],
        "full pipeline with intent + topic": lambda: [analyze_batch(b, pipeline) for b in batches],
        "masked customer texts (model_texts)": lambda: customer_texts(
            table.select(["turns"]).to_pylist()
        ),
        "intent stage (intent_annotations)": each(lambda c: intent_annotations(intents, c)),
        "  intent: word 1-2-gram TF-IDF": each(intents.words_.transform),
        "  intent: char 1-5-gram TF-IDF": each(intents.chars_.transform),
        **{
            f"  intent: encoder {type(e).__name__}": each(e.transform)
            for e in (encoders or [intents.encoder_])
        },
        "  intent: features stacked (all of the above)": each(intents._features),
        "  intent: SVM scores on ready features": lambda: [
            intents.model_.decision_function(f) for f in features
        ],
        "topic stage (topic_annotations)": each(lambda c: topic_annotations(topics, c)),
        f"  topic: encoder {type(topics.encoder_).__name__}": each(topics.encoder_.transform),
    }
    results: dict[str, Any] = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "load_average_before": [round(x, 2) for x in load],
        "char_ngrams": len(intents.chars_.vocabulary_),
        "word_ngrams": len(intents.words_.vocabulary_),
        "feature_nnz_per_text": sum(f.nnz for f in features) / len(texts),
        "cpu_seconds": {},
    }
    print(f"{'step':<56} {'CPU s':>7} {'per CPU-s':>10}")
    wanted = [w for w in args.only.split(",") if w]
    for name, step in steps.items():
        if wanted and not any(w in name for w in wanted):
            continue
        seconds = cpu(step, args.repeat)
        results["cpu_seconds"][name] = round(seconds, 3)
        print(f"{name:<56} {seconds:>7.2f} {args.n / seconds:>10,.0f}")
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"load average before {results['load_average_before']}, "
        f"after {results['load_average_after']}; {results['char_ngrams']:,} char n-grams, "
        f"{results['word_ngrams']:,} word n-grams, "
        f"{results['feature_nnz_per_text']:.0f} non-zero features per text"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for c in chunks:
            intent_annotations(intents, c)
            topic_annotations(topics, c)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        results["profile"] = out.getvalue()
        print(out.getvalue())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
