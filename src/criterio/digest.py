"""Content digests: one way to fingerprint a value, one way to fingerprint a file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

__all__ = ["content_digest", "file_sha256"]


def content_digest(value: Any) -> str:
    """32 hex characters of BLAKE2b over ``value`` as canonical JSON (keys sorted).

    Stored interactions keep this digest to tell a changed record from an unchanged
    one, so its definition must not change: every stored hash would turn stale.
    """
    return hashlib.blake2b(
        orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex), read a megabyte at a time."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
