"""A month of real customer tweets with five injected events: ingest → analyze → detect.

Data: the @SpotifyCares support requests of Customer Support on Twitter
(``../shared/data/twcs_subsets/twcs_spotifycares_support_requests.csv``: 15,096 inbound
tweets, public, unlabelled, written by customers, not by this project). Their texts are
spread over November 2026 (a weekly profile and day-level noise on Poisson counts, each
tweet at its own time of day, each used at most once) with a channel each (social 75%,
chat 15%, email 10%). Contact reasons are found by regular expressions on the text,
only to draw the events' tweets; no label reaches the store.

Two months are built from the same draws: one without events, one with five:

1. **spike**: a reason ("offline / download") gets five times its expected contacts
   on one day;
2. **sentiment drop**: from a day on, 60% of one reason's contacts ("premium /
   account / payment") are negative tweets (VADER compound ≤ −0.05, a public lexicon)
   instead of their natural share (about 25%) — the same number of contacts;
3. **emerging issue**: a reason absent until a day ("shuffle / repeat") then comes in
   every day, rising;
4. **channel shift**: from a day on, chat takes 45% of the contacts instead of 15%
   (from social; the same contacts);
5. **step change**: from a day on, one reason ("playlist") has twice its contacts.

Each month goes through the user's chain with the CLI in a fresh SQLite store:
``criterio db upgrade``, ``criterio ingest FILE``, ``criterio analyze`` (which discovers
the topics itself), ``criterio insights detect``, ``criterio insights list --json``.

Scores: an event is found when one of the top 10 insights has an accepted type, the
event's segment (a topic holding at least 15% of the event's tweets, alone or in a
pair, or a term segment that at least 15% of them mention; the channel for the channel
shift) and a start within a day of the event's.
False alarms: insights other than automation opportunities that no event explains (an
event explains an insight on its segment, or on any segment over its days); the run
without events counts all of them.

    python bench/events.py                 # 300 contacts a day
    python bench/events.py --volume 150    # quicker, for development
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import DATA
from bench._report import write_results

SOURCE = DATA / "twcs_subsets" / "twcs_spotifycares_support_requests.csv"
START = date(2026, 11, 1)
DAYS = 30
TOP = 10
#: Reasons, by the first pattern a tweet matches (only to draw the events' tweets).
REASONS = {
    "shuffle": r"shuffle|repeat",
    "offline": r"offline|download",
    "account": r"premium|account|subscription|charged|payment|card\b",
    "playlist": r"playlist",
}
#: Share of the reason's contacts that are negative after the sentiment drop.
NEGATIVE_AFTER = 0.6
CHANNELS = (("email", 0.10), ("chat", 0.25), ("social", 1.0))
CHANNELS_AFTER = (("email", 0.10), ("chat", 0.55), ("social", 1.0))


@dataclass
class Event:
    """One injected event: its kind, reason or channel, first day and accepted insights."""

    name: str
    day: int
    types: tuple[str, ...]
    reason: str | None = None
    channels: tuple[str, ...] = ()
    lasting: bool = True
    ids: list[str] = field(default_factory=list)


def events() -> list[Event]:
    """The five events (days counted from 1 November: day 9 is 10 November).

    The lasting ones come after the two weeks of history that trends are measured
    against (the emerging detector's ``min_history``); the spike falls in them.
    """
    return [
        Event("spike x5, offline / download", 9, ("spike",), "offline", lasting=False),
        Event("step x2, playlist", 15, ("emerging", "spike"), "playlist"),
        Event("sentiment drop, account / premium", 18, ("sentiment_shift",), "account"),
        Event("emerging issue, shuffle / repeat", 20, ("emerging", "spike"), "shuffle"),
        Event("channel shift to chat", 23, ("spike", "emerging", "drop"), None, ("chat", "social")),
    ]


def read_tweets() -> list[tuple[str, str, str]]:
    """(tweet id, time of day HH:MM:SS, text) of every tweet with text."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("text") or "").strip()]
    out = []
    for r in rows:
        stamp = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
        out.append((r["tweet_id"], stamp.strftime("%H:%M:%S"), r["text"].strip()))
    return out


def reason_of(text: str) -> str | None:
    """The first reason whose pattern the text matches."""
    return next((r for r, p in REASONS.items() if re.search(p, text, re.I)), None)


def negative(texts: list[str]) -> list[bool]:
    """Whether VADER calls each text negative (compound ≤ −0.05, its own cut)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    scorer = SentimentIntensityAnalyzer()
    return [scorer.polarity_scores(t)["compound"] <= -0.05 for t in texts]


def build(
    volume: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Event]]:
    """The month without events and the month with them (same draws), and the events."""
    rng = np.random.default_rng(seed)
    tweets = read_tweets()
    order = rng.permutation(len(tweets))
    pools: dict[str | None, list[int]] = {}
    for i in order:
        pools.setdefault(reason_of(tweets[i][2]), []).append(int(i))
    is_negative = negative([tweets[i][2] for i in pools["account"]])
    pools["account-"] = [i for i, n in zip(pools["account"], is_negative, strict=True) if n]
    pools["account"] = [i for i, n in zip(pools["account"], is_negative, strict=True) if not n]
    natural = len(pools["account-"]) / (len(pools["account-"]) + len(pools["account"]))
    swap_share = (NEGATIVE_AFTER - natural) / (1.0 - natural)
    share = {r: len(pools[r]) / len(tweets) for r in ("offline", "account", "playlist")}
    share["account"] += len(pools["account-"]) / len(tweets)
    weekly = np.array([1.0, 1.0, 0.98, 0.95, 0.9, 0.7, 0.65])  # Monday .. Sunday
    day_factor = rng.gamma(100.0, 0.01, DAYS)  # cv 10%
    used: set[int] = set()

    def take(pool: str | None, n: int) -> list[int]:
        picked = [i for i in pools[pool] if i not in used][:n]
        if len(picked) < n:
            raise SystemExit(f"not enough {pool} tweets: {len(picked)} of {n}; lower --volume")
        used.update(picked)
        return picked

    evs = {e.reason or "channel": e for e in events()}
    base: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    swap: dict[str, dict[str, Any]] = {}  # baseline id -> its replacement in the event month

    def record(i: int, day: int, channel_u: float) -> dict[str, Any]:
        tid, clock, text = tweets[i]
        at = f"{(START + timedelta(days=day)).isoformat()}T{clock}Z"
        return {"id": f"t{tid}", "started_at": at, "text": text, "_u": channel_u, "_day": day}

    for day in range(DAYS):
        mean = volume * weekly[(START + timedelta(days=day)).weekday()] * day_factor[day]
        n = int(rng.poisson(mean))
        counts = {r: int(rng.poisson(mean * s)) for r, s in share.items()}
        rows: list[tuple[int, str]] = []
        for r, c in counts.items():
            if r == "account":
                # Negative tweets in their natural share; the event swaps the others.
                neg = int(rng.binomial(c, natural))
                rows += [(i, "account-") for i in take("account-", neg)]
                rows += [(i, "account") for i in take("account", c - neg)]
            else:
                rows += [(i, r) for i in take(r, c)]
        rows += [(i, "") for i in take(None, max(n - len(rows), 0))]
        for i, r in rows:
            rec = record(i, day, float(rng.random()))
            base.append(rec)
            swapped = rng.random() < swap_share
            if r == "account" and day >= evs["account"].day and swapped:
                swap[rec["id"]] = record(take("account-", 1)[0], day, rec["_u"])
                evs["account"].ids.append(swap[rec["id"]]["id"])
        e = evs["offline"]
        if day == e.day:
            for i in take("offline", 4 * max(round(volume * share["offline"]), 1)):
                extra.append(record(i, day, float(rng.random())))
                e.ids.append(extra[-1]["id"])
        e = evs["shuffle"]
        if day >= e.day:
            rate = 4.0 + 1.0 * (day - e.day)  # rising from 4 a day
            for i in take("shuffle", int(rng.poisson(rate * volume / 300.0))):
                extra.append(record(i, day, float(rng.random())))
                e.ids.append(extra[-1]["id"])
        e = evs["playlist"]
        if day >= e.day:
            for i in take("playlist", counts["playlist"]):
                extra.append(record(i, day, float(rng.random())))
                e.ids.append(extra[-1]["id"])
    channel = evs["channel"]

    def finish(rec: dict[str, Any], shifted: bool) -> dict[str, Any]:
        table = CHANNELS_AFTER if shifted and rec["_day"] >= channel.day else CHANNELS
        name = next(c for c, cut in table if rec["_u"] < cut)
        if shifted and name != next(c for c, cut in CHANNELS if rec["_u"] < cut):
            channel.ids.append(rec["id"])
        return {k: v for k, v in rec.items() if not k.startswith("_")} | {"channel": name}

    without = [finish(r, False) for r in base]
    with_events = [finish(swap.get(r["id"], r), True) for r in base] + [
        finish(r, True) for r in extra
    ]
    return without, with_events, list(evs.values())


def cli(*args: str, env: dict[str, str]) -> str:
    """Run one ``criterio`` command; its standard output."""
    exe = Path(sys.executable).with_name("criterio")
    done = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"criterio {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_chain(records: list[dict[str, Any]], workdir: Path) -> dict[str, Any]:
    """ingest → analyze → detect with the CLI; insights (most severe first), topics, seconds."""
    workdir.mkdir(parents=True)
    path = workdir / "month.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{workdir / 'store.db'}"}
    seconds: dict[str, float] = {}
    cli("db", "upgrade", env=env)
    for step, args in (
        ("ingest", ("ingest", str(path), "--errors", str(workdir / "errors.jsonl"))),
        ("analyze", ("analyze", "--workers", "1")),
        ("detect", ("insights", "detect")),
    ):
        t0 = time.perf_counter()
        cli(*args, env=env)
        seconds[step] = round(time.perf_counter() - t0, 1)
    return read_run(workdir) | {"seconds": seconds}


def read_run(workdir: Path) -> dict[str, Any]:
    """The insights (most severe first) and each interaction's topic of a finished run."""
    env = {**os.environ, "CRITERIO_DATABASE_URL": f"sqlite:///{workdir / 'store.db'}"}
    listed = json.loads(cli("insights", "list", "--json", "--limit", "1000", env=env))
    topics, terms = _segments(workdir / "store.db")
    return {"insights": listed, "topics": topics, "terms": terms, "seconds": {}}


def _segments(store: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each interaction's topic label (as the detectors see it, near-duplicates merged)
    and the terms of its redacted text (as term segments are cut)."""
    import pandas as pd
    from sqlalchemy import select

    from criterio.annotations.models import AnalysisResult
    from criterio.db import make_engine, make_session_factory, session_scope
    from criterio.interactions.models import Interaction
    from criterio.patterns._families import merge_topics
    from criterio.patterns.terms import term_analyzer

    engine = make_engine(f"sqlite:///{store}")
    with session_scope(make_session_factory(engine)) as session:
        rows = session.execute(
            select(
                Interaction.external_id, AnalysisResult.topic_label, AnalysisResult.redacted_turns
            ).join(Interaction, Interaction.pk == AnalysisResult.interaction_pk)
        ).all()
    engine.dispose()
    labels, _ = merge_topics(pd.Series([r[1] for r in rows], dtype="string"))
    topics = {r[0]: str(v) for r, v in zip(rows, labels, strict=True) if not pd.isna(v)}
    analyse = term_analyzer()
    terms = {r[0]: set(analyse(" ".join(str(t.get("text", "")) for t in r[2] or []))) for r in rows}
    return topics, terms


def targets(event: Event, run: dict[str, Any]) -> set[tuple[str, str]]:
    """Topics, and terms, that hold at least 15% of the event's tweets."""
    counts = Counter(("topic", run["topics"][i]) for i in event.ids if i in run["topics"])
    for i in event.ids:
        counts.update(("term", t) for t in run.get("terms", {}).get(i, ()))
    total = sum(1 for i in event.ids if i in run["topics"] or i in run.get("terms", {}))
    return {t for t, c in counts.items() if total and c / total >= 0.15}


def on_segment(insight: dict[str, Any], event: Event, targets: set[tuple[str, str]]) -> bool:
    """Whether the insight's segment is the event's (its topic, alone or paired, or a term
    that at least 15% of them mention; its channel)."""
    segment = insight["segment"]
    if event.reason is None:
        return set(segment) == {"channel"} and segment["channel"] in event.channels
    from criterio.patterns.terms import fold_term

    term = segment.get("term")
    return ("topic", segment.get("topic")) in targets or (
        term is not None and ("term", fold_term(term)) in targets
    )


def starts(insight: dict[str, Any]) -> date:
    """The insight's first day."""
    return date.fromisoformat(str(insight["period"]["start"])[:10])


def score(run: dict[str, Any], evs: list[Event] | None) -> dict[str, Any]:
    """Rank of each event in the top 10, and the alarms no event explains."""
    insights = run["insights"]
    alarms = [i for i in insights if i["type"] != "automation_opportunity"]
    found: list[dict[str, Any]] = []
    explained: set[int] = set()
    for event in evs or []:
        first = START + timedelta(days=event.day)
        topics = targets(event, run)
        rank = None
        for k, insight in enumerate(insights[:TOP], start=1):
            if (
                insight["type"] in event.types
                and on_segment(insight, event, topics)
                and abs((starts(insight) - first).days) <= 1
            ):
                rank = k
                break
        for k, insight in enumerate(alarms):
            near = abs((starts(insight) - first).days) <= 1
            during = event.lasting and starts(insight) >= first - timedelta(days=1)
            touches = insight["segment"].get("channel") in event.channels or on_segment(
                insight, event, topics
            )
            if touches or near or (during and not insight["segment"]):
                explained.add(k)
        found.append({"event": event.name, "rank": rank,
                      "topics": sorted(v for k, v in topics if k == "topic"),
                      "tweets": len(event.ids)})  # fmt: skip
    unexplained = [a for k, a in enumerate(alarms) if k not in explained]
    return {
        "events": found,
        "found": sum(f["rank"] is not None for f in found),
        "alarms": len(alarms),
        "false_alarms": len(unexplained),
        "false_alarm_statements": [a["statement"] for a in unexplained],
        "top10": [
            {
                "type": i["type"],
                "segment": i["segment"],
                "start": str(starts(i)),
                "severity": i["severity"],
                "statement": i["statement"],
            }
            for i in insights[:TOP]
        ],
    }


def main() -> None:
    """Build both months, run the chain on each, print and write the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", type=float, default=300.0, help="contacts a day (mean)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", type=Path, help="keep the stores and files in this folder")
    parser.add_argument(
        "--rescore", action="store_true", help="score the runs kept in --keep again, no run"
    )
    args = parser.parse_args()
    without, with_events, evs = build(args.volume, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        if args.rescore:
            base, after = read_run(root / "without"), read_run(root / "with")
        else:
            base = run_chain(without, root / "without")
            after = run_chain(with_events, root / "with")
    s0, s1 = score(base, None), score(after, evs)
    rows = [
        {"event": e["event"], "tweets": e["tweets"], "rank in top 10": e["rank"],
         "topics": " | ".join(e["topics"])}
        for e in s1["events"]
    ]  # fmt: skip
    print("\n".join(f"{k + 1}. {i['type']} {i['segment']} {i['start']}: {i['statement']}"
                    for k, i in enumerate(s1["top10"])))  # fmt: skip
    path = write_results(
        "events",
        rows,
        {
            "command": "python bench/events.py " + " ".join(sys.argv[1:]),
            "data": str(SOURCE.relative_to(DATA.parent)),
            "volume": args.volume, "seed": args.seed,
            "interactions": {"without": len(without), "with": len(with_events)},
            "seconds": {"without": base["seconds"], "with": after["seconds"]},
            "found": s1["found"], "of": len(evs),
            "false_alarms": {
                "without events": s0["false_alarms"],
                "with events": s1["false_alarms"],
            },
            "with_events": s1, "without_events": s0,
        },
    )  # fmt: skip
    print(f"\nfound {s1['found']} of {len(evs)} in the top {TOP}; false alarms: "
          f"{s1['false_alarms']} with events, {s0['false_alarms']} without "
          f"({s0['alarms']} insights other than automation opportunities)")  # fmt: skip
    print(f"seconds: without {base['seconds']}, with {after['seconds']}; wrote {path}")


if __name__ == "__main__":
    main()
