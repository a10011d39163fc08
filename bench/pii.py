"""Personal-data redaction: Criterio vs Presidio's pattern recognizers, quality and speed.

Run: ``.venv/bin/python bench/pii.py [--throughput-texts N] [--presidio-texts M]``
(needs the ``bench`` extra: ``pip install -e '.[bench]'``). Prints a table and writes
bench/results/pii.json.

Data: ../shared/data/presidio_synth_pii (English, 1,500 sentences),
bench/data/pii_es.jsonl (Spanish, written for Criterio by bench/data/make_pii_es.py) and
bench/data/pii_en.jsonl (English chat turns and tweets, written for Criterio by
bench/data/make_pii_en.py: names, phones, e-mails and negatives in real chats' shapes)
and bench/data/pii_es_chats.jsonl (its Spanish counterpart, bench/data/make_pii_es_chats.py),
and bench/data/pii_formats.jsonl (structured data in the many ways it is written, Spanish
and English rows, each with its language: bench/data/make_pii_formats.py).
"Structured" sums every type but PERSON and ADDRESS (micro-averaged precision/recall).
A prediction is correct when its type matches and its offsets are exactly those of a
gold span ("exact"); "overlap" also accepts any overlap of the same type. Predictions
overlapping a gold span of a type Criterio does not report (SSN, GPE, DATE_TIME...)
are left out of the precision count, since they are not claims about our types.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from criterio.analysis.pii import ENTITY_TYPES, PIIRedactor

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT.parent / "shared" / "data" / "presidio_synth_pii" / "synth_dataset_v2.json"
SPANISH = ROOT / "bench" / "data" / "pii_es.jsonl"
ENGLISH_CHATS = ROOT / "bench" / "data" / "pii_en.jsonl"
SPANISH_CHATS = ROOT / "bench" / "data" / "pii_es_chats.jsonl"
FORMATS = ROOT / "bench" / "data" / "pii_formats.jsonl"
RESULTS = ROOT / "bench" / "results" / "pii.json"
TWCS = ROOT.parent / "shared" / "data" / "twcs_subsets" / "twcs_first5000_monalisapatra26.csv"
TOD_ES = ROOT.parent / "shared" / "data" / "fb_multilingual_tod_es" / "test-es.tsv"
SYNTH_TYPES = {
    "PERSON": "PERSON", "STREET_ADDRESS": "ADDRESS", "CREDIT_CARD": "CARD",
    "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
}  # fmt: skip
PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN", "IP_ADDRESS": "IP", "ES_NIF": "DNI", "ES_NIE": "NIE",
}  # fmt: skip
Span = tuple[str, int, int]
Doc = tuple[str, list[Span], list[tuple[int, int]]]  # text, gold spans, ignored regions


def load_synth() -> list[Doc]:
    """Presidio's synthetic sentences with gold spans mapped to Criterio's types."""
    docs: list[Doc] = []
    for row in json.loads(SYNTH.read_text(encoding="utf-8")):
        gold, ignored = [], []
        for s in row["spans"]:
            ours = SYNTH_TYPES.get(s["entity_type"])
            region = (s["start_position"], s["end_position"])
            if ours is None:
                ignored.append(region)
            else:
                gold.append((ours, *region))
        docs.append((row["full_text"], gold, ignored))
    return docs


def load_spanish(path: Path = SPANISH) -> list[Doc]:
    """The Spanish customer-service set written for Criterio (or another set like it)."""
    docs: list[Doc] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs.append((row["text"], [(s["type"], s["start"], s["end"]) for s in row["spans"]], []))
    return docs


def load_languages(path: Path) -> list[str]:
    """The ``lang`` of every row of a set whose rows carry one (pii_formats)."""
    return [json.loads(line)["lang"] for line in path.read_text(encoding="utf-8").splitlines()]


def load_real_texts() -> list[str]:
    """Real customer messages without labels, for throughput: TWCS tweets (en) and
    the Spanish task-oriented utterances (es)."""
    import csv

    with TWCS.open(encoding="utf-8", newline="") as f:
        texts = [row["text"] or "" for row in csv.DictReader(f)]
    for line in TOD_ES.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) > 2:
            texts.append(parts[2])
    return texts


def criterio_predict(texts: Sequence[str], lang: str | None = None) -> list[list[Span]]:
    """Criterio's spans for every text (one batch), told the set's language if given."""
    languages = None if lang is None else [lang] * len(texts)
    found = PIIRedactor().fit().detect(texts, languages=languages)
    return [[(s.type, s.start, s.end) for s in spans] for spans in found]


def criterio_predictor(
    lang: str, by_text: dict[str, str] | None = None
) -> Callable[[Sequence[str]], list[list[Span]]]:
    """Criterio told each text's language, as the analysis pipeline tells it: ``lang``
    for every text, or the text's own from ``by_text`` (sets of mixed languages)."""
    if by_text is None:
        return lambda texts: criterio_predict(texts, lang)

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        found = PIIRedactor().fit().detect(texts, languages=[by_text[t] for t in texts])
        return [[(s.type, s.start, s.end) for s in spans] for spans in found]

    return predict


def presidio_engine() -> Any:
    """Presidio AnalyzerEngine with pattern recognizers only, on blank spaCy pipelines.

    Blank pipelines (tokenizer only, no model download) keep it offline; its spaCy NER
    recognizer then finds nothing, so PERSON and ADDRESS are out of its reach here.
    """
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        EsNieRecognizer,
        EsNifRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )  # fmt: skip

    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp.nlp = {"en": spacy.blank("en"), "es": spacy.blank("es")}
    registry = RecognizerRegistry(supported_languages=["en", "es"])
    for lang in ("en", "es"):
        for rec in (CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer):
            registry.add_recognizer(rec(supported_language=lang))
        # Spain and Latin America as well as Presidio's default regions, as ours.
        regions = (
            "US",
            "UK",
            "DE",
            "FE",
            "IL",
            "IN",
            "CA",
            "BR",
            "ES",
            "MX",
            "AR",
            "CO",
            "CL",
            "PE",
        )
        registry.add_recognizer(PhoneRecognizer(supported_language=lang, supported_regions=regions))
        registry.add_recognizer(EsNifRecognizer(supported_language=lang))
        registry.add_recognizer(EsNieRecognizer(supported_language=lang))
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en", "es"])


def presidio_predictor(lang: str) -> Callable[[Sequence[str]], list[list[Span]]]:
    """A function running Presidio text by text (its API is per document)."""
    engine = presidio_engine()

    def predict(texts: Sequence[str]) -> list[list[Span]]:
        out: list[list[Span]] = []
        for text in texts:
            spans = {
                (PRESIDIO_TYPES[r.entity_type], r.start, r.end)
                for r in engine.analyze(text=text, language=lang)
                if r.entity_type in PRESIDIO_TYPES
            }
            out.append(sorted(spans, key=lambda s: (s[1], s[2])))
        return out

    return predict


def score(docs: Sequence[Doc], preds: Sequence[list[Span]], exact: bool) -> dict[str, Any]:
    """Per-type precision, recall, F1 and counts."""
    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    for (_, gold, ignored), pred in zip(docs, preds, strict=True):
        unmatched = list(gold)
        for kind, start, end in pred:
            hit = next(
                (g for g in unmatched if g[0] == kind and (
                    (g[1], g[2]) == (start, end) if exact else g[1] < end and start < g[2]
                )),
                None,
            )  # fmt: skip
            if hit is not None:
                unmatched.remove(hit)
                tp[kind] = tp.get(kind, 0) + 1
            elif not any(s < end and start < e for s, e in ignored):
                fp[kind] = fp.get(kind, 0) + 1
        for kind, _, _ in unmatched:
            fn[kind] = fn.get(kind, 0) + 1
    table: dict[str, Any] = {}
    for kind in ENTITY_TYPES:
        t, p, n = tp.get(kind, 0), fp.get(kind, 0), fn.get(kind, 0)
        if t + p + n == 0:
            continue
        precision = t / (t + p) if t + p else None
        recall = t / (t + n) if t + n else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision and recall
            else (0.0 if precision is not None and recall is not None else None)
        )
        table[kind] = {
            "tp": t,
            "fp": p,
            "fn": n,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
    return table


def structured(table: dict[str, Any]) -> dict[str, float | None]:
    """Micro-averaged precision and recall over every type but PERSON and ADDRESS."""
    rows = [v for k, v in table.items() if k not in ("PERSON", "ADDRESS")]
    tp, fp, fn = (sum(r[key] for r in rows) for key in ("tp", "fp", "fn"))
    return {
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }


def throughput(
    predict: Callable[[Sequence[str]], object], texts: Sequence[str], n: int
) -> dict[str, float]:
    """Texts per second over ``n`` texts cycled from ``texts``, in batches of 1,000.

    Both per wall-clock second and per CPU second of this process: on a shared machine
    the CPU figure is the one-core rate, whatever the other processes are doing. A batch
    never holds more texts than the set has, so cycling a small set never puts the same
    text twice in one batch (Criterio analyses each distinct text of a batch once).
    """
    size = min(1000, len(texts))
    work = [texts[i % len(texts)] for i in range(n)]
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, n, size):
        predict(work[i : i + size])
    return {
        "wall": n / (time.perf_counter() - wall),
        "cpu": n / (time.process_time() - cpu),
    }


def fmt(x: float | None) -> str:
    """Format a ratio for the table."""
    return "  –  " if x is None else f"{x:.3f}"


def main() -> None:
    """Evaluate both systems on both sets, measure throughput, print and save."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--throughput-texts", type=int, default=20_000)
    ap.add_argument("--presidio-texts", type=int, default=2_000)
    ap.add_argument("--no-presidio", action="store_true")
    args = ap.parse_args()
    sets = {
        "presidio_synth_pii (en)": (load_synth(), "en"),
        "pii_es (es)": (load_spanish(), "es"),
        "pii_en chats (en)": (load_spanish(ENGLISH_CHATS), "en"),
        "pii_es chats (es)": (load_spanish(SPANISH_CHATS), "es"),
        "pii_formats (es+en)": (load_spanish(FORMATS), "mixed"),
    }
    # Presidio is run as English on the mixed set: its recognizers are the same for both.
    formats_langs = dict(
        zip((d[0] for d in sets["pii_formats (es+en)"][0]), load_languages(FORMATS), strict=True)
    )
    results: dict[str, Any] = {
        "load_average_at_start": os.getloadavg(),
        "machine": f"{platform.machine()} {platform.processor() or ''} Python "
        f"{platform.python_version()}, {os.cpu_count()} cores",
        "command": "python bench/pii.py " + " ".join(sys.argv[1:]),
    }
    for name, (docs, lang) in sets.items():
        texts = [d[0] for d in docs]
        mixed = lang == "mixed"
        systems: dict[str, Callable[[Sequence[str]], list[list[Span]]]] = {
            "criterio": criterio_predictor(lang, formats_langs if mixed else None)
        }
        if not args.no_presidio:
            systems["presidio"] = presidio_predictor("en" if mixed else lang)
        entry: dict[str, Any] = {}
        for system, predict in systems.items():
            preds = predict(texts)
            n = args.presidio_texts if system == "presidio" else args.throughput_texts
            entry[system] = {
                "exact": score(docs, preds, exact=True),
                "overlap": score(docs, preds, exact=False),
                "structured_exact": structured(score(docs, preds, exact=True)),
                "texts_per_s": throughput(predict, texts, n),
            }
        results[name] = entry
        print(f"\n{name}: {len(docs)} texts, {sum(len(d[1]) for d in docs)} gold spans")
        print(f"{'type':<12} {'system':<9} {'P':>6} {'R':>6} {'F1':>6} | overlap {'P':>6} {'R':>6}")
        for kind in ENTITY_TYPES:
            for system, res in entry.items():
                e, o = res["exact"].get(kind), res["overlap"].get(kind)
                if e is None:
                    continue
                print(
                    f"{kind:<12} {system:<9} {fmt(e['precision']):>6} {fmt(e['recall']):>6} "
                    f"{fmt(e['f1']):>6} |         {fmt(o['precision']):>6} {fmt(o['recall']):>6}"
                )
        for system, res in entry.items():
            st = res["structured_exact"]
            print(
                f"structured (all but PERSON, ADDRESS) {system}: "
                f"P {fmt(st['precision'])} R {fmt(st['recall'])}"
            )
        for system, res in entry.items():
            rate = res["texts_per_s"]
            print(
                f"throughput {system}: {rate['cpu']:,.0f} texts per CPU-second "
                f"({rate['wall']:,.0f} per wall-second)"
            )
    real = load_real_texts()
    speed: dict[str, float] = {
        "criterio": throughput(criterio_predict, real, args.throughput_texts)
    }
    if not args.no_presidio:
        speed["presidio"] = throughput(presidio_predictor("en"), real, args.presidio_texts)
    results["real customer messages (TWCS en + TOD es), throughput only"] = {
        "texts": len(real), "texts_per_s": speed,
    }  # fmt: skip
    print(f"\nreal customer messages ({len(real)} texts: TWCS tweets + Spanish TOD utterances)")
    for system, rate in speed.items():
        print(
            f"throughput {system}: {rate['cpu']:,.0f} texts per CPU-second "
            f"({rate['wall']:,.0f} per wall-second)"
        )
    if "presidio" in speed:
        ratio = speed["criterio"]["cpu"] / speed["presidio"]["cpu"]
        results["real customer messages (TWCS en + TOD es), throughput only"]["speedup_cpu"] = ratio
        print(f"speed-up (CPU): {ratio:.1f}x")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
