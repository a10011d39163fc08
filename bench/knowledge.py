"""Knowledge-base retrieval on public data: hybrid search vs plain BM25, no_match, latency.

* Bitext customer support (27 intents): one article per intent, built from 5 rows
  (title: the intent; issue: those 5 customer messages; resolution: the first row's
  agent answer); test queries: 40 other customer messages per intent (never used in an
  article); the next 30 per intent are the development split (``--dev``), on which the
  search's weights and the default threshold were chosen.
* BANKING77 (77 intents): one article per intent from 5 training questions; test
  queries: the test split (a seeded sample); development: 12 other training questions
  per intent.
* Cross-lingual, written for this bench (bench/data/kb_crosslingual.json): 81 Spanish
  customer messages (3 per Bitext intent) against the English articles, and the English
  test queries against 27 Spanish articles (one per intent); the 27 Spanish queries
  below (SPANISH) are the development set.
* no_match: 5 Bitext intents' articles removed; the threshold is chosen F1-best on the
  development queries and measured on the test queries; also at the shipped default.
* Latency: 10,000 articles (Bitext and BANKING77 rows as articles) on SQLite and
  PostgreSQL, searched through ``search_articles`` with a warm index.

The reference in the same run is plain BM25 (``bm25s``, its English stop words and
tokenizer) over the same article texts.

    nice -n 5 .venv/bin/python bench/knowledge.py [--pg postgresql+psycopg://...] [--quick]
        [--dev | --latency-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._data import DATA, banking77
from bench._report import write_results
from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.knowledge import search as search_module
from criterio.knowledge.schemas import ArticleEdit
from criterio.knowledge.search import DEFAULT_THRESHOLD, search_articles
from criterio.knowledge.service import edit_article
from criterio.knowledge.transfer import import_articles

SEED = 7
BUILD_ROWS = 5
QUERIES_PER_INTENT = 40
REMOVED = 5
DEV_PER_INTENT = 30
CROSSLINGUAL = Path(__file__).resolve().parent / "data" / "kb_crosslingual.json"

#: Written for this bench: what a Spanish-speaking customer would write, one per intent.
SPANISH = {
    "cancel_order": "quiero cancelar mi pedido",
    "change_order": "necesito cambiar algo de mi pedido",
    "change_shipping_address": "quiero cambiar la dirección de envío",
    "check_cancellation_fee": "cuánto cuesta la penalización por cancelar",
    "check_invoice": "quiero ver mi factura",
    "check_payment_methods": "qué formas de pago aceptan",
    "check_refund_policy": "cuál es la política de reembolsos",
    "complaint": "quiero poner una queja",
    "contact_customer_service": "cómo contacto con atención al cliente",
    "contact_human_agent": "quiero hablar con una persona",
    "create_account": "quiero crear una cuenta nueva",
    "delete_account": "borrar mi cuenta",
    "delivery_options": "qué opciones de entrega tienen",
    "delivery_period": "cuándo llegará mi paquete",
    "edit_account": "modificar los datos de mi cuenta",
    "get_invoice": "necesito descargar la factura",
    "get_refund": "quiero que me devuelvan el dinero",
    "newsletter_subscription": "suscribirme al boletín de noticias",
    "payment_issue": "tengo un problema con el pago",
    "place_order": "quiero hacer un pedido",
    "recover_password": "olvidé mi contraseña",
    "registration_problems": "no consigo registrarme",
    "review": "quiero dejar una opinión",
    "set_up_shipping_address": "configurar una dirección de envío",
    "switch_account": "cambiar a otra cuenta",
    "track_order": "dónde está mi pedido",
    "track_refund": "cómo va mi reembolso",
}


def bitext_rows() -> list[dict[str, str]]:
    """The Bitext sample's rows (instruction, intent, response)."""
    path = DATA / "bitext_customer_support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _title(label: str) -> str:
    return label.replace("_", " ").capitalize()


def bitext_task(dev: bool = False) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Articles (one per intent) and (query, intent) pairs not used to build them
    (``dev``: the development queries, disjoint from the test ones)."""
    by_intent: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in bitext_rows():
        by_intent[row["intent"]].append(row)
    rng = random.Random(SEED)
    articles, queries = [], []
    for intent, rows in sorted(by_intent.items()):
        rng.shuffle(rows)
        build, rest = rows[:BUILD_ROWS], rows[BUILD_ROWS:]
        articles.append(
            {
                "external_id": intent,
                "title": _title(intent),
                "issue": "\n".join(r["instruction"] for r in build),
                "resolution": build[0]["response"],
                "language": "en",
                "state": "validated",
                "audience": "public",
            }
        )
        chosen = rest[QUERIES_PER_INTENT : QUERIES_PER_INTENT + DEV_PER_INTENT] if dev else rest
        queries += [(r["instruction"], intent) for r in chosen[:QUERIES_PER_INTENT]]
    return articles, queries


def banking_task(
    sample: int, dev: bool = False
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Articles from 5 training questions per intent; queries sampled from the test split
    (``dev``: from 12 other training questions per intent)."""
    texts, labels = banking77("train")
    by_intent: dict[str, list[str]] = defaultdict(list)
    for t, label in zip(texts, labels, strict=True):
        by_intent[label].append(t)
    rng = random.Random(SEED)
    articles = []
    dev_queries = []
    for intent, rows in sorted(by_intent.items()):
        rng.shuffle(rows)
        dev_queries += [(t, intent) for t in rows[BUILD_ROWS : BUILD_ROWS + 12]]
        articles.append(
            {
                "external_id": intent,
                "title": _title(intent),
                "issue": "\n".join(rows[:BUILD_ROWS]),
                "language": "en",
                "state": "validated",
                "audience": "public",
            }
        )
    test = dev_queries if dev else list(zip(*banking77("test"), strict=True))
    rng.shuffle(test)
    return articles, [(t, label) for t, label in test[:sample]]


def crosslingual() -> dict[str, Any]:
    """The Spanish articles and test queries written for this bench, by Bitext intent."""
    intents: dict[str, Any] = json.loads(CROSSLINGUAL.read_text(encoding="utf-8"))["intents"]
    return intents


def spanish_articles() -> list[dict[str, Any]]:
    """One Spanish article per Bitext intent (written for this bench)."""
    return [
        {
            "external_id": intent,
            **entry["article"],
            "language": "es",
            "state": "validated",
            "audience": "public",
        }
        for intent, entry in sorted(crosslingual().items())
    ]


def _store(url: str, articles: list[dict[str, Any]], tenant: str) -> Any:
    engine = make_engine(url)
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        summary = import_articles(
            session,
            tenant,
            iter([(str(i), a) for i, a in enumerate(articles)]),
            source="bench",
            actor="bench",
        )
        assert not summary.errors, summary.errors[:3]
    return engine, factory


def _ranks(
    session: Session, tenant: str, queries: list[tuple[str, str]], k: int = 5
) -> tuple[list[int | None], list[float], list[float]]:
    """Rank (1-based) of the right article in the top k, top confidence, latency (ms)."""
    ranks: list[int | None] = []
    tops, times = [], []
    for query, expected in queries:
        start = time.perf_counter()
        hits = search_articles(session, tenant, query, limit=k)
        times.append((time.perf_counter() - start) * 1000)
        found = [h.article_id for h in hits]
        ranks.append(found.index(expected) + 1 if expected in found else None)
        tops.append(hits[0].score if hits else 0.0)
    return ranks, tops, times


def _metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "recall@1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
        "mrr@5": round(sum(1 / r for r in ranks if r) / n, 4),
    }


def bm25_reference(
    articles: list[dict[str, Any]], queries: list[tuple[str, str]]
) -> dict[str, float]:
    """Plain BM25 (bm25s defaults, English stop words) over title + issue + resolution."""
    import bm25s

    corpus = [f"{a['title']} {a.get('issue', '')} {a.get('resolution', '')}" for a in articles]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )
    tokens = bm25s.tokenize([q for q, _ in queries], stopwords="en", show_progress=False)
    results, _ = retriever.retrieve(tokens, k=min(5, len(corpus)), show_progress=False)
    ids = [a["external_id"] for a in articles]
    ranks: list[int | None] = []
    for row, (_, expected) in zip(results, queries, strict=True):
        found = [ids[int(i)] for i in row]
        ranks.append(found.index(expected) + 1 if expected in found else None)
    return _metrics(ranks)


def retrieval(
    name: str, articles: list[dict[str, Any]], queries: list[tuple[str, str]], tmp: Path
) -> dict[str, Any]:
    """Hybrid and BM25 on one task (SQLite store)."""
    tenant = "_".join(name.replace(",", "").split())
    engine, factory = _store(f"sqlite:///{tmp / (tenant + '.db')}", articles, tenant)
    with factory() as session:
        search_articles(session, tenant, "warm up")
        ranks, _, times = _ranks(session, tenant, queries)
    engine.dispose()
    return {
        "task": name,
        "articles": len(articles),
        "queries": len(queries),
        **{f"hybrid {k}": v for k, v in _metrics(ranks).items()},
        **{f"bm25 {k}": v for k, v in bm25_reference(articles, queries).items()},
        "p50 ms": round(statistics.median(times), 2),
    }


def _f1(
    threshold: float, scores: list[float], unanswerable: list[bool]
) -> tuple[float, float, float]:
    flagged = [s < threshold for s in scores]
    tp = sum(f and u for f, u in zip(flagged, unanswerable, strict=True))
    precision = tp / max(sum(flagged), 1)
    recall = tp / max(sum(unanswerable), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def no_match(
    articles: list[dict[str, Any]],
    dev: list[tuple[str, str]],
    test: list[tuple[str, str]],
    tmp: Path,
) -> dict[str, Any]:
    """Remove 5 intents' articles; threshold F1-best on ``dev``, measured on ``test``."""
    rng = random.Random(SEED)
    removed = set(rng.sample([a["external_id"] for a in articles], REMOVED))
    kept = [a for a in articles if a["external_id"] not in removed]
    engine, factory = _store(f"sqlite:///{tmp / 'nomatch.db'}", kept, "nm")
    with factory() as session:
        _, dev_tops, _ = _ranks(session, "nm", dev)
        _, tops, _ = _ranks(session, "nm", test)
    engine.dispose()
    dev_unanswerable = [intent in removed for _, intent in dev]
    unanswerable = [intent in removed for _, intent in test]
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    best = max(grid, key=lambda t: _f1(float(t), dev_tops, dev_unanswerable)[2])
    p, r, f = _f1(float(best), tops, unanswerable)
    dp, dr, df = _f1(DEFAULT_THRESHOLD, tops, unanswerable)
    return {
        "task": "bitext no_match",
        "removed intents": len(removed),
        "unanswerable share": round(sum(unanswerable) / len(unanswerable), 3),
        "threshold on dev": float(best),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        f"f1 at default {DEFAULT_THRESHOLD}": round(df, 4),
        "precision at default": round(dp, 4),
        "recall at default": round(dr, 4),
    }


def latency_corpus(size: int) -> list[dict[str, Any]]:
    """``size`` articles from Bitext and BANKING77 rows (one row, one article)."""
    articles = [
        {
            "external_id": f"bx-{i}",
            "title": r["instruction"][:300],
            "issue": r["instruction"],
            "resolution": r["response"],
            "language": "en",
            "state": "validated",
            "audience": "public",
        }
        for i, r in enumerate(bitext_rows())
    ]
    texts, labels = banking77("train")
    articles += [
        {
            "external_id": f"bk-{i}",
            "title": t[:300],
            "issue": t,
            "resolution": _title(label),
            "language": "en",
        }
        for i, (t, label) in enumerate(zip(texts, labels, strict=True))
    ]
    return articles[:size]


def latency(
    url: str, store: str, articles: list[dict[str, Any]], queries: list[str]
) -> dict[str, Any]:
    """Import ``articles``, build the index once, then time each search."""
    start = time.perf_counter()
    engine, factory = _store(url, articles, "lat")
    imported = time.perf_counter() - start
    with factory() as session:
        start = time.perf_counter()
        search_articles(session, "lat", "warm up")
        build = time.perf_counter() - start
        session.commit()  # the vectors it encoded are stored
        # A new process (a `criterio kb search`, a server start) has no index in memory:
        # it builds one again, taking the stored vectors instead of encoding.
        search_module._cache.clear()
        start = time.perf_counter()
        search_articles(session, "lat", "warm up")
        stored_build = time.perf_counter() - start
        times = []
        for q in queries:
            t0 = time.perf_counter()
            search_articles(session, "lat", q, limit=5)
            times.append((time.perf_counter() - t0) * 1000)
        # The index follows an edit: the next search re-indexes the changed article.
        edit_article(session, "lat", 1, ArticleEdit(title="Zeppelin delivery"), actor="bench")
        session.flush()
        t0 = time.perf_counter()
        found = [h.id for h in search_articles(session, "lat", "zeppelin delivery", limit=5)]
        after_edit = time.perf_counter() - t0
        session.rollback()
    engine.dispose()
    return {
        "task": f"latency {store}",
        "articles": len(articles),
        "queries": len(queries),
        "import s": round(imported, 1),
        "index build s": round(build, 1),
        "build, vectors stored s": round(stored_build, 1),
        "p50 ms": round(float(np.percentile(times, 50)), 2),
        "p95 ms": round(float(np.percentile(times, 95)), 2),
        "search after an edit s": round(after_edit, 2),
        "edited article's rank": found.index(1) + 1 if 1 in found else None,
    }


def _pg_database(server: str) -> tuple[str, Any]:
    name = f"criterio_kbbench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{server}/{name}", drop


def latencies(
    args: argparse.Namespace, queries: list[tuple[str, str]], tmp: Path
) -> list[dict[str, Any]]:
    """The latency part on SQLite then PostgreSQL (a database made and dropped here)."""
    corpus = latency_corpus(1000 if args.quick else args.size)
    sample = [q for q, _ in random.Random(SEED).sample(queries, 200)]
    rows = [latency(f"sqlite:///{tmp / 'latency.db'}", "sqlite", corpus, sample)]
    url, drop = _pg_database(args.pg)
    try:
        rows.append(latency(url, "postgresql", corpus, sample))
    finally:
        drop()
    return rows


def main() -> None:
    """Run every part and write bench/results/knowledge.json (``--dev``: knowledge-dev.json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--quick", action="store_true", help="1,000 latency articles, fewer queries"
    )
    parser.add_argument(
        "--dev", action="store_true", help="the development queries only (no latency)"
    )
    parser.add_argument(
        "--latency-only",
        action="store_true",
        help="only the latency part (knowledge-latency[-quick].json)",
    )
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        articles, queries = bitext_task(dev=args.dev)
        if args.latency_only:
            rows += latencies(args, queries, tmp)
            name = "knowledge-latency-quick" if args.quick else "knowledge-latency"
            write_results(name, rows, {"command": " ".join(sys.argv)})
            return
        rows.append(retrieval("bitext", articles, queries, tmp))
        if args.dev:
            spanish = [(q, intent) for intent, q in SPANISH.items()]
        else:
            spanish = [(q, i) for i, e in sorted(crosslingual().items()) for q in e["queries"]]
        rows.append(retrieval("spanish queries, english articles", articles, spanish, tmp))
        rows.append(
            retrieval("english queries, spanish articles", spanish_articles(), queries, tmp)
        )
        b_articles, b_queries = banking_task(300 if args.quick else 1000, dev=args.dev)
        rows.append(retrieval("banking77", b_articles, b_queries, tmp))
        _, dev_queries = bitext_task(dev=True)
        rows.append(no_match(articles, dev_queries, queries, tmp))
        if not args.dev:
            rows += latencies(args, queries, tmp)
    name = "knowledge-dev" if args.dev else "knowledge"
    write_results(name, rows, {"command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
