"""Analysis pipeline benchmark: language + redaction + sentiment, vs the per-document stack.

Run: ``.venv/bin/python bench/analyze.py [--n 1000000] [--workers 2]`` (needs the
``bench`` extra). Prints tables and writes bench/results/analyze.json.

``--dask`` compares the local engine with a local Dask cluster of ``--workers`` worker
processes (``criterio[dask]``) on the same data in the same run, after checking that both
give identical results on a sample (bench/results/analyze-dask.json).

``--with-models`` measures instead what intent and topic models cost: an intent model
trained on the labelled demo interactions (``labels.intent``) and a topic model
discovered in demo texts (training not timed) are added to the pipeline, and the run
with them is compared with the run without them in the same process (written to
bench/results/analyze-models.json; no reference stack, no quality sets). Its
``--intent-encoders`` lists the intent models' representations to compare in that run
(default ``static+use``, the product's default; ``static+use,static+use-static`` adds the
distilled multilingual table).

Speed: ``criterio demo`` interactions (generated once into a Parquet cache, not timed)
streamed in Arrow batches through the local engine; peak RSS is the sum over the main
process and its workers, sampled every 0.2 s. Reference: lingua (7 languages) +
Presidio pattern recognizers on blank spaCy (bench/pii.py's engine) + VADER, one text at
a time, in one process, on a sample of the same interactions.

Quality, on every labelled set at hand: language accuracy on BANKING77 test (en),
multilingual-TOD test (es) and the IBM Twitter customer-care customer tweets (en, taken
as all English), texts of 20+ characters (not counting @handles and links), and on
bench/data/language_eval.tsv and language_eval_fresh.tsv
(fr/pt/it/de/ca, written for Criterio); sentiment accuracy and macro-F1 on
bench/data/sentiment_eval.tsv (es/en, written and labelled for Criterio); redaction
micro precision/recall/F1 on the types both systems report, on presidio_synth_pii (en)
and bench/data/pii_es.jsonl (es).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.metrics import accuracy_score, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from bench.pii import PRESIDIO_TYPES, load_spanish, load_synth, presidio_engine, score
from criterio.analysis.language import LanguageIdentifier
from criterio.analysis.pii import PIIRedactor
from criterio.analysis.pipeline import AnalysisPipeline, build_pipeline
from criterio.analysis.sentiment import SentimentAnalyzer, label_scores
from criterio.engines.local import LocalEngine

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results" / "analyze.json"
LINGUA = {
    "ENGLISH": "en",
    "SPANISH": "es",
    "FRENCH": "fr",
    "PORTUGUESE": "pt",
    "ITALIAN": "it",
    "GERMAN": "de",
    "CATALAN": "ca",
}
COMMON_PII = sorted(set(PRESIDIO_TYPES.values()))


def demo_parquet(n: int, cache: Path) -> Path:
    """The first ``n`` demo interactions as Parquet (generated once, then reused)."""
    from criterio.demo.generator import DemoGenerator
    from criterio.demo.output import write_records

    path = cache / f"demo-{n}.parquet"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.parquet")
        write_records(DemoGenerator(size=n).records(), tmp)
        tmp.rename(path)
    return path


def read_batches(path: Path, n: int, size: int) -> Iterator[pa.RecordBatch]:
    """``id`` and ``turns`` of the first ``n`` rows, ``size`` rows a batch."""
    left = n
    for batch in pq.ParquetFile(path).iter_batches(batch_size=size, columns=["id", "turns"]):
        if left <= 0:
            return
        yield batch.slice(0, left)
        left -= batch.num_rows


class PeakRSS:
    """Samples the summed RSS (and CPU time) of this process and its children in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker may just have exited
                    total += proc.memory_info().rss
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _engine(kind: str, workers: int) -> Any:
    if kind == "dask":
        from criterio.engines.dask import DaskEngine

        return DaskEngine(workers=workers, processes=True)
    return LocalEngine(workers=workers)


def run_criterio(
    path: Path,
    n: int,
    workers: int,
    batch_size: int,
    pipeline: AnalysisPipeline | None = None,
    engine_kind: str = "local",
) -> dict[str, Any]:
    """Interactions/s and peak RSS of one engine (local or a local Dask cluster)."""
    pipeline = pipeline or build_pipeline()
    done = 0
    with PeakRSS() as rss, _engine(engine_kind, workers) as engine:
        # Warm the pool (worker start-up and model load are not per-interaction work).
        list(engine.map(pipeline, read_batches(path, workers * 10, 10)))
        time.sleep(0.5)
        cpu_before = sum(rss.cpu.values())
        begin = time.perf_counter()
        for result in engine.map(pipeline, read_batches(path, n, batch_size)):
            done += result.num_rows
        seconds = time.perf_counter() - begin
        time.sleep(0.5)
        # CPU seconds the main process and the workers used: on a shared machine this
        # says how much of the cores the run actually got.
        cpu = sum(rss.cpu.values()) - cpu_before
    return {
        "interactions": done,
        "seconds": seconds,
        "per_s": done / seconds,
        "cpu_seconds": cpu,
        "per_cpu_s": done / cpu if cpu else None,
        "peak_rss_mb": rss.peak / 2**20,
    }


def run_reference(path: Path, sample: int) -> dict[str, Any]:
    """The per-document stack on ``sample`` interactions, one text at a time."""
    from lingua import Language, LanguageDetectorBuilder
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lingua = LanguageDetectorBuilder.from_languages(
        *(getattr(Language, name) for name in LINGUA)
    ).build()
    presidio = presidio_engine()
    vader = SentimentIntensityAnalyzer()
    rows = pa.Table.from_batches(list(read_batches(path, sample, 1000))).to_pylist()
    begin = time.perf_counter()
    cpu_begin = time.process_time()
    for row in rows:
        customer = [t["text"] for t in row["turns"] if t["role"] == "customer"]
        detected = lingua.detect_language_of("\n".join(customer))
        lang = LINGUA.get(detected.name, "en") if detected else "en"
        for turn in row["turns"]:
            text = turn["text"]
            found = presidio.analyze(text=text, language="es" if lang == "es" else "en")
            for r in sorted(found, key=lambda r: r.start, reverse=True):
                text = text[: r.start] + f"<{r.entity_type}>" + text[r.end :]
        for text in customer:
            vader.polarity_scores(text)
    seconds = time.perf_counter() - begin
    cpu = time.process_time() - cpu_begin
    return {
        "interactions": len(rows),
        "seconds": seconds,
        "per_s": len(rows) / seconds,
        "cpu_seconds": cpu,
        "per_cpu_s": len(rows) / cpu if cpu else None,
    }


def _tsv(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def language_quality() -> dict[str, Any]:
    """Accuracy of Criterio and lingua on each labelled language set."""
    from lingua import Language, LanguageDetectorBuilder

    with (DATA / "banking77" / "test.csv").open(encoding="utf-8") as handle:
        en = [r["text"] for r in csv.DictReader(handle)]
    with (DATA / "fb_multilingual_tod_es" / "test-es.tsv").open(encoding="utf-8") as handle:
        es = [line.split("\t")[2] for line in handle]
    minor = _tsv(ROOT / "bench" / "data" / "language_eval.tsv")
    fresh = _tsv(ROOT / "bench" / "data" / "language_eval_fresh.tsv")
    tweets = [
        message["message"]
        for split in ("dev.json", "test.json")
        for conversation in json.loads(
            (DATA / "ibm_twitter_customer_care_cdp" / split).read_text(encoding="utf-8")
        )
        for message in conversation["dialogContent"]
        if "client" in message
    ]
    # 20+ characters of the customer's own words: @handles and links do not count.
    tweets = [t for t in tweets if len(re.sub(r"@\w+|https?://\S+", "", t).strip()) >= 20]
    sets = {
        "banking77 test (en, 20+ chars)": ([t for t in en if len(t.strip()) >= 20], None, "en"),
        "multilingual-TOD test (es, 20+ chars)": (
            [t for t in es if len(t.strip()) >= 20],
            None,
            "es",
        ),
        "IBM Twitter customer care (en, 20+ chars)": (tweets, None, "en"),
        "language_eval (fr/pt/it/de/ca)": ([r[1] for r in minor], [r[0] for r in minor], None),
        "language_eval_fresh (fr/pt/it/de/ca)": (
            [r[1] for r in fresh],
            [r[0] for r in fresh],
            None,
        ),
    }
    ours = LanguageIdentifier().fit()
    lingua = LanguageDetectorBuilder.from_languages(
        *(getattr(Language, name) for name in LINGUA)
    ).build()
    out: dict[str, Any] = {}
    for name, (texts, gold, lang) in sets.items():
        truth = gold or [lang] * len(texts)
        theirs = [lingua.detect_language_of(t) for t in texts]
        out[name] = {
            "n": len(texts),
            "criterio": accuracy_score(truth, ours.predict(texts).tolist()),
            "lingua": accuracy_score(
                truth, [LINGUA.get(d.name, "und") if d else "und" for d in theirs]
            ),
        }
    return out


def sentiment_quality() -> dict[str, Any]:
    """Accuracy and macro-F1 of Criterio and VADER on the labelled sentiment set."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    rows = _tsv(ROOT / "bench" / "data" / "sentiment_eval.tsv")
    ours = SentimentAnalyzer().fit()
    vader = SentimentIntensityAnalyzer()
    out: dict[str, Any] = {}
    for lang in ("en", "es"):
        texts = [r[2] for r in rows if r[0] == lang]
        gold = [r[1] for r in rows if r[0] == lang]
        compound = np.array([vader.polarity_scores(t)["compound"] for t in texts])
        preds = {"criterio": ours.predict(texts).tolist(), "vader": label_scores(compound).tolist()}
        out[f"sentiment_eval ({lang})"] = {
            "n": len(texts),
            **{
                s: {
                    "accuracy": accuracy_score(gold, p),
                    "macro_f1": f1_score(gold, p, average="macro"),
                }
                for s, p in preds.items()
            },
        }
    return out


def pii_quality() -> dict[str, Any]:
    """Micro P/R/F1 (exact spans) over the types both systems report."""
    out: dict[str, Any] = {}
    engine = presidio_engine()
    redactor = PIIRedactor().fit()
    for name, docs, lang in (
        ("presidio_synth_pii (en)", load_synth(), "en"),
        ("pii_es (es)", load_spanish(), "es"),
    ):
        texts = [d[0] for d in docs]
        ours = [[(s.type, s.start, s.end) for s in spans] for spans in redactor.detect(texts)]
        theirs = [
            sorted(
                {
                    (PRESIDIO_TYPES[r.entity_type], r.start, r.end)
                    for r in engine.analyze(text=t, language=lang)
                    if r.entity_type in PRESIDIO_TYPES
                }
            )
            for t in texts
        ]
        # Only the types both report: keep gold spans of other types as "ignored".
        docs2 = [
            (
                t,
                [g for g in gold if g[0] in COMMON_PII],
                ign + [(g[1], g[2]) for g in gold if g[0] not in COMMON_PII],
            )
            for t, gold, ign in docs
        ]
        entry: dict[str, Any] = {"n": len(docs)}
        for system, preds in (("criterio", ours), ("presidio", theirs)):
            kept = [[p for p in pred if p[0] in COMMON_PII] for pred in preds]
            table = score(docs2, kept, exact=True)
            tp = sum(v["tp"] for v in table.values())
            fp = sum(v["fp"] for v in table.values())
            fn = sum(v["fn"] for v in table.values())
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            entry[system] = {
                "precision": p,
                "recall": r,
                "f1": 2 * p * r / (p + r) if p + r else 0.0,
            }
        out[name] = entry
    return out


def print_tables(results: dict[str, Any], workers: int) -> None:
    """The human-readable summary of ``results``."""
    c, r = results["criterio"], results["reference"]
    print(f"\nmachine: {results['machine']}")
    print(f"{'system':<44} {'interactions':>12} {'seconds':>9} {'per s':>9}")
    for label, e in (
        (f"criterio, local engine, {workers} workers", c),
        ("reference lingua+presidio+vader, 1 process", r),
    ):
        print(f"{label:<44} {e['interactions']:>12,} {e['seconds']:>9.1f} {e['per_s']:>9,.0f}")
    print(f"speed-up {results['speedup']:.1f}x; peak RSS {c['peak_rss_mb']:,.0f} MB")
    for label, e in (("criterio", c), ("reference", r)):
        if e.get("per_cpu_s"):
            print(
                f"{label}: CPU used {e['cpu_seconds']:,.1f} s, "
                f"{e['per_cpu_s']:,.0f} interactions per CPU-second"
            )
    if results.get("speedup_per_cpu_s"):
        print(f"speed-up per CPU-second {results['speedup_per_cpu_s']:.1f}x")
    if "load_average_before" in results:
        print(
            f"load average (1, 5, 15 min): before {results['load_average_before']}, "
            f"after {results['load_average_after']}"
        )
    print("\nlanguage accuracy                          criterio   lingua")
    for name, e in results["language"].items():
        print(f"  {name:<40} {e['criterio']:.4f}   {e['lingua']:.4f}  (n={e['n']})")
    print("\nsentiment             criterio acc/F1   vader acc/F1")
    for name, e in results["sentiment"].items():
        ours, vader = e["criterio"], e["vader"]
        print(
            f"  {name:<20} {ours['accuracy']:.3f}/{ours['macro_f1']:.3f}       "
            f"{vader['accuracy']:.3f}/{vader['macro_f1']:.3f}  (n={e['n']})"
        )
    print(f"\nredaction, micro over {','.join(COMMON_PII)}, exact spans")
    print("                             criterio P/R/F1     presidio P/R/F1")
    for name, e in results["pii"].items():
        a, b = e["criterio"], e["presidio"]
        print(
            f"  {name:<26} {a['precision']:.3f}/{a['recall']:.3f}/{a['f1']:.3f}"
            f"   {b['precision']:.3f}/{b['recall']:.3f}/{b['f1']:.3f}  (n={e['n']})"
        )


def train_models(
    path: Path, cache: Path, n_train: int, encoders: list[str]
) -> tuple[dict[str, Path], Path]:
    """Intent and topic models from the first demo interactions (customer text only)."""
    from criterio.analysis.intents import IntentClassifier
    from criterio.analysis.modelstore import save_model
    from criterio.analysis.text import model_texts
    from criterio.analysis.topics import TopicModel

    table = pq.read_table(path, columns=["turns", "labels"]).slice(0, n_train).to_pylist()
    texts = ["\n".join(t["text"] for t in row["turns"] if t["role"] == "customer") for row in table]
    texts = model_texts(texts)  # masked, as every model the product trains
    labels = [dict(row["labels"] or []).get("intent") for row in table]
    known = [(t, label) for t, label in zip(texts, labels, strict=True) if label]
    intent_dirs = {}
    for encoder in encoders:
        intents = IntentClassifier(encoder=encoder).fit(
            [t for t, _ in known], [label for _, label in known]
        )
        folder = cache / f"intent-model-{n_train}-{encoder}"
        intent_dirs[encoder] = save_model(intents, folder, "intents", {})
    topics = TopicModel().fit(texts)
    topic_dir = save_model(topics, cache / f"topic-model-{n_train}", "topics", {})
    print(
        f"trained {len(intents.classes_)} intents ({', '.join(encoders)}) on {len(known):,} "
        f"labelled and {topics.n_topics_} topics on {len(texts):,} demo interactions"
    )
    return intent_dirs, topic_dir


def run_with_models(args: argparse.Namespace, path: Path) -> None:
    """The pipeline with and without intent + topic models, same run, same data."""
    encoders = args.intent_encoders.split(",")
    intent_dirs, topic_dir = train_models(path, args.cache, args.train_size, encoders)
    without = build_pipeline()
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "args": {k: str(v) for k, v in vars(args).items()},
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "without_models": run_criterio(path, args.n, args.workers, args.batch_size, without),
    }
    labels = [("language + redaction + sentiment", "without_models")]
    for encoder, intent_dir in intent_dirs.items():
        # The first encoder keeps the key earlier runs wrote ("with_models").
        key = "with_models" if encoder == encoders[0] else f"with_models[{encoder}]"
        pipeline = build_pipeline(intent_model=intent_dir, topic_model=topic_dir)
        results[key] = run_criterio(path, args.n, args.workers, args.batch_size, pipeline)
        results[key]["intent_encoder"] = encoder
        labels.append((f"+ intent ({encoder}) + topic", key))
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(f"\nmachine: {results['machine']}")
    print(f"{'pipeline':<48} {'interactions':>12} {'seconds':>9} {'per s':>9} {'per CPU-s':>10}")
    for label, key in labels:
        e = results[key]
        print(
            f"{label:<48} {e['interactions']:>12,} {e['seconds']:>9.1f} {e['per_s']:>9,.0f} "
            f"{e['per_cpu_s'] or 0:>10,.0f}"
        )
    before, after = results["load_average_before"], results["load_average_after"]
    print(f"load average (1, 5, 15 min): before {before}, after {after}")
    out = RESULTS.with_name("analyze-models.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}")


def run_dask(args: argparse.Namespace, path: Path) -> None:
    """The same analysis on the local engine and on a local Dask cluster, same run."""
    pipeline = build_pipeline()
    sample = list(read_batches(path, min(args.n, 5 * args.batch_size), args.batch_size))
    outputs = {}
    for kind in ("local", "dask"):
        with _engine(kind, args.workers) as engine:
            outputs[kind] = [b.to_pylist() for b in engine.map(pipeline, iter(sample))]
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "args": {k: str(v) for k, v in vars(args).items()},
        "identical_on_sample": outputs["local"] == outputs["dask"],
        "sample": sum(len(b) for b in outputs["local"]),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "local": run_criterio(path, args.n, args.workers, args.batch_size, pipeline),
        "dask": run_criterio(path, args.n, args.workers, args.batch_size, pipeline, "dask"),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    results["dask_vs_local"] = results["dask"]["per_s"] / results["local"]["per_s"]
    print(f"\nmachine: {results['machine']}")
    same = results["identical_on_sample"]
    print(f"identical results on {results['sample']:,} interactions: {same}")
    for kind in ("local", "dask"):
        e = results[kind]
        print(
            f"{kind:<6} {args.workers} workers {e['interactions']:>10,} in {e['seconds']:>7.1f} s"
            f" = {e['per_s']:>8,.0f}/s, {e['per_cpu_s'] or 0:>7,.0f} per CPU-s"
        )
    print(f"dask / local: {results['dask_vs_local']:.0%}")
    before, after = results["load_average_before"], results["load_average_after"]
    print(f"load average (1, 5, 15 min): before {before}, after {after}")
    out = RESULTS.with_name("analyze-dask.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}")


def main() -> None:
    """Measure speed and quality, print the tables, save the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--reference-sample", type=int, default=2000)
    ap.add_argument(
        "--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "criterio-bench"
    )
    ap.add_argument(
        "--with-models",
        action="store_true",
        help="Measure the pipeline with intent + topic models against the one without.",
    )
    ap.add_argument(
        "--train-size", type=int, default=20_000, help="Demo interactions the models learn from."
    )
    ap.add_argument(
        "--intent-encoders",
        default="static+use",
        help="With --with-models: the intent models' encoders to compare, comma-separated.",
    )
    ap.add_argument(
        "--dask",
        action="store_true",
        help="Compare the local engine with a local Dask cluster of --workers workers.",
    )
    args = ap.parse_args()
    path = demo_parquet(max(args.n, args.train_size), args.cache)
    if args.dask:
        run_dask(args, path)
        return
    if args.with_models:
        run_with_models(args, path)
        return
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "args": {k: str(v) for k, v in vars(args).items()},
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    results["criterio"] = run_criterio(path, args.n, args.workers, args.batch_size)
    results["reference"] = run_reference(path, args.reference_sample)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["speedup"] = results["criterio"]["per_s"] / results["reference"]["per_s"]
    if results["criterio"]["per_cpu_s"] and results["reference"]["per_cpu_s"]:
        # On a shared machine the wall clock says how much of the cores each side got;
        # per CPU-second says what each costs.
        results["speedup_per_cpu_s"] = (
            results["criterio"]["per_cpu_s"] / results["reference"]["per_cpu_s"]
        )
    results["language"] = language_quality()
    results["sentiment"] = sentiment_quality()
    results["pii"] = pii_quality()
    print_tables(results, args.workers)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
