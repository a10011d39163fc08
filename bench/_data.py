"""Evaluation data sets read from ../shared/data (never copied into the project)."""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["DATA", "banking77", "fb_tod_es"]

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
