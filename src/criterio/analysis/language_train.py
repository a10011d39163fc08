"""Training the shipped language model: ``python -m criterio.analysis.language_train DATA``.

Reads BANKING77 train (English) and the multilingual TOD Spanish train split from the
shared data folder, adds the seed sentences shipped in ``data/language_seed.tsv`` and the
terms of the sentiment lexicons, and writes ``data/language_counts.npz`` (per-language
n-gram counts as plain arrays).
"""

from __future__ import annotations

import csv
import sys
from importlib import resources
from pathlib import Path

import numpy as np

from criterio.analysis.language import count_ngrams

__all__ = ["load_training_texts", "main", "write_counts"]

# Weights of the hand-written material against the thousands of data-set lines: the
# seeds and lexicon terms are customer-service language (where "no funciona" lives),
# the data sets are banking queries and alarm/weather commands.
REPEAT_FIRST = 40  # Spanish and English seed sentences
REPEAT_OTHER = 20  # French, Portuguese, Italian, German and Catalan seed sentences
REPEAT_LEXICON = 5  # sentiment lexicon terms


def load_training_texts(data: Path) -> tuple[list[str], list[str]]:
    """Texts and labels used for the shipped model (train splits only)."""
    texts: list[str] = []
    labels: list[str] = []
    with (data / "banking77" / "train.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"])
            labels.append("en")
    with (data / "fb_multilingual_tod_es" / "train-es.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split("\t")
            if len(parts) >= 3:
                texts.append(parts[2])
                labels.append("es")
    seed = resources.files("criterio.analysis") / "data" / "language_seed.tsv"
    for line in seed.read_text(encoding="utf-8").splitlines():
        lang, _, text = line.partition("\t")
        if text:
            repeat = REPEAT_FIRST if lang in ("en", "es") else REPEAT_OTHER
            texts.extend([text] * repeat)
            labels.extend([lang] * repeat)
    # The sentiment lexicons are Spanish and English customer-service vocabulary the
    # two data sets lack (BANKING77 is banking only, the Spanish set is alarms/weather).
    lexicons = resources.files("criterio.analysis.sentiment") / "lexicons"
    for lang in ("en", "es"):
        for line in (lexicons / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            term = line.partition("\t")[0]
            if term and not line.startswith("#"):
                texts.extend([term] * REPEAT_LEXICON)
                labels.extend([lang] * REPEAT_LEXICON)
    return texts, labels


def write_counts(data: Path, out: Path) -> None:
    """Count n-grams per language and save them as an ``.npz`` of plain arrays."""
    texts, labels = load_training_texts(data)
    counts, classes = count_ngrams(texts, labels)
    np.savez_compressed(
        out,
        data=counts.data.astype(np.float32),
        indices=counts.indices.astype(np.int32),
        indptr=counts.indptr.astype(np.int64),
        shape=np.array(counts.shape),
        classes=classes.astype("U3"),
    )


def main() -> None:
    """Command-line entry: the shared data folder is the only argument."""
    data = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    out = Path(str(resources.files("criterio.analysis") / "data" / "language_counts.npz"))
    write_counts(data, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
