"""Evaluation data sets read from ../shared/data (never copied into the project)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

__all__ = ["DATA", "banking77", "fb_tod_es", "tweet_sentiment"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def banking77(split: str) -> tuple[list[str], list[str]]:
    """BANKING77 ``train`` or ``test``: texts and intent labels."""
    with (DATA / "banking77" / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def fb_tod_es(split: str) -> tuple[list[str], list[str]]:
    """Facebook multilingual task-oriented dialogue, Spanish: ``train``, ``eval`` or ``test``."""
    texts, labels = [], []
    path = DATA / "fb_multilingual_tod_es" / f"{split}-es.tsv"
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                labels.append(cols[0])
                texts.append(cols[2].strip())
    return texts, labels


def _escaped(line: str) -> str:
    # The XLM-T files keep JSON-style escapes as text ("I\u2019m", "\u002c"): undo them
    # so the texts read as customers typed them.
    if "\\u" not in line:
        return line
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), line)


def tweet_sentiment(corpus: str, split: str) -> tuple[list[str], list[str]]:
    """Tweets and labels (negative / neutral / positive) of one split.

    ``corpus``: ``en`` or ``es`` (UMSAB, splits train / val / test) or ``tweeteval``
    (splits val / test; its test holds the whole UMSAB English test).
    """
    root = DATA / "tweet_sentiment"
    folder = {"en": root / "xlm_t_umsab" / "english", "es": root / "xlm_t_umsab" / "spanish"}
    base = folder.get(corpus, root / "tweeteval")
    texts = (base / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (base / f"{split}_labels.txt").read_text(encoding="utf-8").splitlines()
    if len(texts) != len(labels):
        raise ValueError(f"{base}/{split}: {len(texts)} texts but {len(labels)} labels")
    names = ("negative", "neutral", "positive")
    return [_escaped(t).strip() for t in texts], [names[int(v)] for v in labels]
