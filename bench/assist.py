"""The agents' workspace: are the article and resolution an agent used among the top 3
suggestions, and how long does the case page take beside the plain insight page?

* The demo month (``criterio demo``'s generator and analysis, ``--size`` contacts over
  30 days): models trained on its labelled contacts, analysed, insights detected, its
  knowledge base imported (one article per contact reason), the month triaged: routed
  contacts open cases with the intent the champion read. The article the agent used is
  the knowledge base's article of the contact's true reason (the emerging
  ``esim_activation`` has none); the resolution used is its outcome's resolution code.
* IBM Twitter customer care (document prediction, EMNLP 2020): each help document an
  agent sent in the dev split becomes an article (issue: up to 5 dev customer tweets
  that got it; resolution: the agent's tweet); the dev conversations are the solved
  contacts (resolution code: the document); each test conversation whose document
  has an article is a case. The article and resolution used are that document.
* Hit rate: share of cases whose used article is among the case page's top 3 articles
  (and whose resolution code is among the top 3 similar solved cases'), against the
  reference in the same run: the 3 most used articles (codes) for everyone.
* Latency (generated month): ``GET /cases/{id}`` (the case page, suggestions included)
  and ``GET /api/v1/cases/{id}`` against ``GET /insights/{id}`` (the plain insight
  page, the floor) through the real app and a signed-in session, alternating, on SQLite.

    nice -n 5 .venv/bin/python bench/assist.py [--size 3000] [--cases 300] [--requests 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._data import DATA
from bench._report import write_results
from criterio.assist import open_cases
from criterio.assist.repository import CaseRepository
from criterio.assist.workspace import case_detail
from criterio.db import make_engine, make_session_factory, session_scope, upgrade_database
from criterio.demo.generator import DemoGenerator
from criterio.interactions.ingest import ingest_records
from criterio.interactions.readers.base import RawRecord
from criterio.knowledge import ArticleIn, ArticleState, create_article

SEED = 7
TENANT = "bench"
_URL = re.compile(r"https?://\S+")


class _TruthGenerator(DemoGenerator):
    """The demo generator, keeping each contact's true intent for the evaluation."""

    def _one(self, day: int, pool: Any, *, spike: bool) -> Any:
        started, record = super()._one(day, pool, spike=spike)
        record["_truth"] = record["_intent"]
        return started, record


def _store(folder: Path) -> sessionmaker[Session]:
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade_database(engine)
    return make_session_factory(engine)


def _ingest(factory: sessionmaker[Session], records: list[dict[str, Any]]) -> None:
    raw = (RawRecord("bench", f"record {n}", r) for n, r in enumerate(records, start=1))
    report = ingest_records(factory, raw, tenant=TENANT, chunk_size=5000)
    assert not report.errors, report.errors[:3]


def _evaluate(
    factory: sessionmaker[Session],
    cases: list[tuple[int, int | None, str | None]],
    popular: list[int],
    popular_codes: list[str],
) -> dict[str, Any]:
    """Hit rates over ``cases`` (case id, used article id, used resolution code)."""
    hits = {"article": 0, "article_ref": 0, "code": 0, "code_ref": 0}
    counts = {"article": 0, "code": 0}
    seconds: list[float] = []
    for case_id, used, code in cases:
        with session_scope(factory) as session:
            case = CaseRepository(session, TENANT).get(case_id)
            assert case is not None
            started = time.perf_counter()
            detail = case_detail(session, TENANT, case)
            seconds.append(time.perf_counter() - started)
        if used is not None:
            counts["article"] += 1
            hits["article"] += used in [a.id for a in detail.suggestions.articles[:3]]
            hits["article_ref"] += used in popular[:3]
        if code is not None:
            counts["code"] += 1
            similar = detail.suggestions.similar_cases[:3]
            hits["code"] += code in [s.resolution_code for s in similar]
            hits["code_ref"] += code in popular_codes[:3]
    return {
        "cases": len(cases),
        "with_article": counts["article"],
        "article_top3": hits["article"] / max(counts["article"], 1),
        "article_top3_reference": hits["article_ref"] / max(counts["article"], 1),
        "with_resolution": counts["code"],
        "resolution_top3": hits["code"] / max(counts["code"], 1),
        "resolution_top3_reference": hits["code_ref"] / max(counts["code"], 1),
        "case_detail_p50_ms": 1000 * statistics.median(seconds),
    }


def demo_month(folder: Path, size: int, sample: int) -> tuple[dict[str, Any], Any]:
    """The demo's month as ``criterio demo`` builds it (models trained, analysed, insights
    detected, its knowledge base imported, triaged: routed contacts open cases), then a
    seeded sample of its open cases is looked at through the case page's suggestions."""
    from criterio.demo.runner import run_available_analysis
    from criterio.knowledge.repository import ArticleRepository

    generator = _TruthGenerator(size=size, seed=SEED, tenant=TENANT)
    records = list(generator.records())
    truth = {r["id"]: r.pop("_truth") for r in records}
    outcomes = {r["id"]: r.get("outcome") or {} for r in records}
    factory = _store(folder)
    _ingest(factory, records)
    runs = run_available_analysis(factory, TENANT, folder / "models")
    print("\n".join(f"{run.name}: {run.summary}" for run in runs))
    with session_scope(factory) as session:
        opened = CaseRepository(session, TENANT).find(statuses=["open"], limit=1_000_000)
        articles = {
            str(a.external_id): a.id for a in ArticleRepository(session, TENANT).list(limit=10_000)
        }
    pairs = [(c.id, c.interaction_id) for c in opened]
    random.Random(SEED).shuffle(pairs)
    chosen = pairs[:sample]
    usage = Counter(truth.values())
    popular = [articles[f"demo-{i}"] for i, _ in usage.most_common() if f"demo-{i}" in articles]
    codes = Counter(o.get("resolution_code") for o in outcomes.values() if o.get("resolved"))
    cases = [
        (
            case_id,
            articles.get(f"demo-{truth[iid]}"),
            outcomes[iid].get("resolution_code") if outcomes[iid].get("resolved") else None,
        )
        for case_id, iid in chosen
    ]
    result = _evaluate(factory, cases, popular, [c for c, _ in codes.most_common() if c])
    return {
        "set": f"demo month ({len(records)} contacts, {len(pairs)} open cases)",
        **result,
        "articles": len(articles),
    }, factory


def ibm_twitter(folder: Path) -> dict[str, Any] | None:
    """The IBM Twitter document-prediction set: documents as articles, dev as solved."""
    root = DATA / "ibm_twitter_customer_care_cdp"
    if not root.is_dir():
        return None
    dev = json.loads((root / "dev.json").read_text(encoding="utf-8"))
    test = json.loads((root / "test.json").read_text(encoding="utf-8"))

    def record(prefix: str, n: int, conv: dict[str, Any], solved: bool) -> dict[str, Any]:
        said = [m["message"] for m in conv["dialogContent"] if "client" in m]
        turns = [{"role": "customer", "text": _URL.sub("", t).strip() or t} for t in said]
        doc = conv["agentURL"]
        if solved:
            turns.append({"role": "agent", "text": _URL.sub("", doc["url_utterance"]).strip()})
        out: dict[str, Any] = {
            "id": f"{prefix}-{n}",
            "started_at": conv["dialogHeader"]["conversationDateTime"],
            "channel": "social",
            "language": "en",
            "attributes": {"company": conv["dialogHeader"]["company"]},
            "turns": turns,
        }
        if solved:
            out["outcome"] = {
                "handled_by": "human",
                "resolved": True,
                "resolution_code": doc["doc_id"],
            }
        return out

    solved = [record("dev", n, c, True) for n, c in enumerate(dev)]
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for conv in dev:
        by_doc[conv["agentURL"]["doc_id"]].append(conv)
    open_ = [
        (record("test", n, c, False), c["agentURL"]["doc_id"])
        for n, c in enumerate(test)
        if c["agentURL"]["doc_id"] in by_doc
    ]
    factory = _store(folder)
    _ingest(factory, solved + [r for r, _ in open_])
    articles: dict[str, int] = {}
    with session_scope(factory) as session:
        for doc, convs in sorted(by_doc.items()):
            asks = [
                _URL.sub("", m["message"]).strip()
                for c in convs[:5]
                for m in c["dialogContent"]
                if "client" in m
            ]
            slug = convs[0]["agentURL"]["url"].rstrip("/").rsplit("/", 1)[-1]
            article = create_article(
                session,
                TENANT,
                ArticleIn(
                    external_id=f"doc-{doc}",
                    title=re.sub(r"[-_]+", " ", slug)[:120] or f"document {doc}",
                    issue="\n".join(asks),
                    resolution=_URL.sub("", convs[0]["agentURL"]["url_utterance"]).strip(),
                    language="en",
                    state=ArticleState.validated,
                    audience="public",
                ),
                actor="bench",
            )
            articles[doc] = article.id
        opened = open_cases(
            session,
            TENANT,
            [
                {"interaction_id": r["id"], "queue": r["attributes"]["company"], "language": "en"}
                for r, _ in open_
            ],
        )
        ids = {c.interaction_id: c.id for c in opened}
    usage = Counter(c["agentURL"]["doc_id"] for c in dev)
    popular = [articles[d] for d, _ in usage.most_common()]
    cases = [(ids[r["id"]], articles[doc], doc) for r, doc in open_]
    result = _evaluate(factory, cases, popular, [d for d, _ in usage.most_common()])
    return {"set": f"IBM Twitter CDP (dev {len(dev)} solved, test {len(test)})", **result,
            "articles": len(articles)}  # fmt: skip


def latency(factory: sessionmaker[Session], requests: int) -> dict[str, Any]:
    """Case page and case API against the insight page, alternating, through the real app."""
    from fastapi.testclient import TestClient

    from criterio.auth import service as auth
    from criterio.auth.roles import Role
    from criterio.config import Settings
    from criterio.insights import detect_insights, list_insights
    from criterio.web import create_app

    with session_scope(factory) as session:
        auth.create_user(session, TENANT, username="lead", role=Role.lead, password="x" * 16)
        token = auth.create_token(session, TENANT, username="lead", name="bench").token
        if not list_insights(session, TENANT):
            detect_insights(session, TENANT)
        insight = list_insights(session, TENANT)[0].id
        case_ids = [c.id for c in CaseRepository(session, TENANT).find(limit=requests)]
        _user, cookie = auth.login(session, username="lead", password="x" * 16, address="bench")
    url = str(factory.kw["bind"].url)
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    timings: dict[str, list[float]] = {"insight_page": [], "case_page": [], "case_api": []}
    with TestClient(app) as client:
        client.cookies.set("criterio_session", cookie)
        bearer = {"Authorization": f"Bearer {token}"}
        # Warm up: the search index, the redactor, the templates.
        client.get(f"/insights/{insight}")
        client.get(f"/cases/{case_ids[0]}")
        for n in range(requests):
            case = case_ids[n % len(case_ids)]
            for name, path, headers in (
                ("insight_page", f"/insights/{insight}", {}),
                ("case_page", f"/cases/{case}", {}),
                ("case_api", f"/api/v1/cases/{case}", bearer),
            ):
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                timings[name].append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
    out: dict[str, Any] = {"requests": requests}
    for name, values in timings.items():
        values.sort()
        out[f"{name}_p50_ms"] = 1000 * values[len(values) // 2]
        out[f"{name}_p95_ms"] = 1000 * values[int(0.95 * (len(values) - 1))]
    out["case_page_p95_over_floor"] = out["case_page_p95_ms"] / out["insight_page_p95_ms"]
    return out


def main() -> None:
    """Run the benchmark and write bench/results/assist.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=3000, help="contacts in the generated month")
    parser.add_argument("--cases", type=int, default=300, help="cases evaluated per data set")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        month, factory = demo_month(Path(tmp) / "month", args.size, args.cases)
        rows.append(month)
        timing = latency(factory, args.requests)
        public = ibm_twitter(Path(tmp) / "ibm")
        if public is not None:
            rows.append(public)
        elapsed = time.perf_counter() - started
    print()
    write_results(
        "assist",
        rows,
        {
            "args": vars(args),
            "load_at_start": round(load, 2),
            "load_at_end": round(os.getloadavg()[0], 2),
            "seconds": round(elapsed, 1),
            "latency": timing,
        },
    )
    print()
    for key, value in timing.items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
