"""Export-format readers: throughput and peak memory against the obvious in-memory way.

* TWCS: ``read_twcs`` (two passes, compact per-tweet arrays) against pandas
  ``read_csv`` of the whole file plus a dict-based threading of the same conversations.
* Zendesk: ``read_zendesk`` (ijson streaming) against ``json.load`` of the whole page.

Each measurement runs in a fresh process, so its peak resident memory is its own.
Synthetic files (no real data): threads of 1-8 tweets interleaved as in TWCS.

    python bench/readers.py --tweets 200000 --tickets 20000
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
WORDS = tuple(
    [
        "my",
        "order",
        "is",
        "late",
        "again",
        "the",
        "app",
        "crashes",
        "when",
        "I",
        "log",
        "in",
        "please",
        "help",
        "refund",
        "invoice",
        "router",
        "signal",
        "billing",
        "account",
        "password",
        "delivery",
        "store",
        "card",
        "charged",
        "twice",
    ]
)


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))


def make_twcs(path: Path, tweets: int, seed: int = 7) -> None:
    """Write a TWCS-shaped CSV whose threads interleave through the file."""
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    next_id = 1
    open_threads: list[tuple[int, int, str, int]] = []  # last id, remaining, customer, time
    clock = 1_506_000_000
    while next_id <= tweets:
        if not open_threads or rng.random() < 0.3:
            customer = str(100_000 + next_id)
            open_threads.append((0, rng.randint(0, 7), customer, clock))
        index = rng.randrange(len(open_threads))
        last, remaining, customer, at = open_threads[index]
        inbound = last == 0 or rng.random() < 0.5
        at += rng.randint(30, 3600)
        stamp = time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(at))
        author = customer if inbound else "AcmeSupport"
        rows.append([next_id, author, inbound, stamp, f"@x {_sentence(rng)}", "", last or ""])
        if remaining == 0:
            open_threads.pop(index)
        else:
            open_threads[index] = (next_id, remaining - 1, customer, at)
        next_id += 1
        clock += 5
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "tweet_id",
                "author_id",
                "inbound",
                "created_at",
                "text",
                "response_tweet_id",
                "in_response_to_tweet_id",
            ]
        )
        writer.writerows(rows)


def make_zendesk(path: Path, tickets: int, seed: int = 7) -> None:
    """Write a ``{"tickets": [...]}`` page of tickets with embedded comments."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"tickets": [')
        for i in range(tickets):
            requester = 5000 + i
            comments = [
                {
                    "id": i * 10 + j,
                    "author_id": requester if j % 2 == 0 else 9001,
                    "plain_body": _sentence(rng),
                    "public": True,
                    "created_at": f"2026-10-{1 + i % 28:02d}T{8 + j:02d}:00:00Z",
                }
                for j in range(rng.randint(1, 6))
            ]
            ticket = {
                "id": i + 1,
                "created_at": f"2026-10-{1 + i % 28:02d}T08:00:00Z",
                "updated_at": f"2026-10-{1 + i % 28:02d}T18:00:00Z",
                "status": rng.choice(["open", "solved", "closed", "pending"]),
                "via": {"channel": rng.choice(["email", "web", "chat"])},
                "requester_id": requester,
                "assignee_id": 9001,
                "subject": _sentence(rng)[:60],
                "tags": ["billing", "vip"],
                "satisfaction_rating": {"score": rng.choice(["good", "bad", "unoffered"])},
                "comments": comments,
            }
            handle.write(("," if i else "") + json.dumps(ticket))
        handle.write(f'], "next_page": null, "count": {tickets}}}')


def _criterio(fmt: str, path: str) -> int:
    from criterio.interactions.readers import read_file

    return sum(1 for _ in read_file(Path(path), fmt))


def _pandas_twcs(path: str) -> int:
    import pandas as pd

    frame = pd.read_csv(path, dtype={"author_id": str})
    parents = dict(zip(frame["tweet_id"], frame["in_response_to_tweet_id"], strict=True))

    def root(tweet: int) -> int:
        while True:
            parent = parents.get(tweet)
            if parent is None or parent != parent or int(parent) not in parents:
                return tweet
            tweet = int(parent)

    frame["root"] = [root(t) for t in frame["tweet_id"]]
    frame["at"] = pd.to_datetime(frame["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    frame = frame.sort_values(["root", "at"], kind="stable")
    conversations = frame.groupby("root", sort=False)["text"].agg(list)
    return len(conversations)


def _json_load(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        return len(json.load(handle)["tickets"])


def _measure(kind: str, path: str) -> dict[str, float]:
    """Run one reader in a fresh process: seconds and peak memory above the baseline."""
    code = (
        "import resource, sys, time\n"
        "sys.path.insert(0, {root!r})\n"
        "import bench.readers as b\n"
        "import pandas, criterio.interactions.readers\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "n = {call}\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(n, s, (peak - base) / 1024)\n"
    ).format(root=str(Path(__file__).resolve().parents[1]), call=kind.replace("PATH", repr(path)))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {"records": int(out[0]), "seconds": float(out[1]), "peak_mb": float(out[2])}


def main() -> None:
    """Build the synthetic files, measure each reader, print and save the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--tickets", type=int, default=20_000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        twcs, zendesk = Path(tmp) / "twcs.csv", Path(tmp) / "tickets.json"
        make_twcs(twcs, args.tweets)
        make_zendesk(zendesk, args.tickets)
        for label, path, kind, units in (
            ("twcs: criterio read_twcs", twcs, "b._criterio('twcs', PATH)", args.tweets),
            ("twcs: pandas read_csv + dict threading", twcs, "b._pandas_twcs(PATH)", args.tweets),
            (
                "zendesk: criterio read_zendesk",
                zendesk,
                "b._criterio('zendesk', PATH)",
                args.tickets,
            ),
            ("zendesk: json.load", zendesk, "b._json_load(PATH)", args.tickets),
        ):
            result = _measure(kind, str(path))
            rows.append(
                {
                    "reader": label,
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "input_records": units,
                    "output_records": result["records"],
                    "seconds": round(result["seconds"], 2),
                    "per_second": round(units / result["seconds"]),
                    "peak_mb": round(result["peak_mb"], 1),
                }
            )
    print(f"{'reader':42} {'file MB':>8} {'in':>8} {'out':>8} {'s':>7} {'in/s':>9} {'peak MB':>8}")
    for r in rows:
        print(
            f"{r['reader']:42} {r['file_mb']:>8} {r['input_records']:>8} "
            f"{r['output_records']:>8} {r['seconds']:>7} {r['per_second']:>9} {r['peak_mb']:>8}"
        )
    RESULTS.mkdir(exist_ok=True)
    payload = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    (RESULTS / "readers.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
