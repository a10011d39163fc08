"""Intent and topic models on disk: a skops file plus a JSON card, never pickle.

A model directory holds ``model.skops`` (the fitted estimator, loaded with only the
types it needs trusted) and ``model.json`` (kind, version, training date, classes or
topics, figures): enough for a person to see what was trained, and for a retrain to
write the next version beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["load_model", "read_card", "save_model"]

_TRUSTED_PREFIXES = ("criterio.", "sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


def save_model(
    model: Any,
    directory: str | Path,
    kind: str,
    card: dict[str, Any],
    *,
    version: int | None = None,
) -> Path:
    """Write ``model.skops`` and ``model.json`` into ``directory``.

    The card's version is ``version`` when given (the registry's), else the previous
    card's plus one: a retrain into the same directory writes the next version.
    """
    import skops.io as sio

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    if version is None:
        previous = read_card(path) if (path / "model.json").is_file() else {}
        version = int(previous.get("version", 0)) + 1
    full = {
        "kind": kind,
        "version": version,
        "estimator": f"{type(model).__module__}.{type(model).__name__}",
        "estimator_version": getattr(type(model), "version", "0"),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "params": {k: v for k, v in model.get_params().items() if _jsonable(v)},
        **card,
    }
    sio.dump(model, path / "model.skops")
    (path / "model.json").write_text(json.dumps(full, indent=2, ensure_ascii=False), "utf-8")
    return path


def read_card(directory: str | Path) -> dict[str, Any]:
    """The JSON card of a saved model."""
    path = Path(directory) / "model.json"
    if not path.is_file():
        raise FileNotFoundError(f"{directory}: no model.json (train a model there first)")
    card: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return card


def load_model(directory: str | Path, kind: str) -> Any:
    """Load the estimator saved in ``directory``, trusting only Criterio/scikit-learn types."""
    import skops.io as sio

    card = read_card(directory)
    if card.get("kind") != kind:
        raise ValueError(f"{directory}: holds a {card.get('kind')!r} model, not {kind!r}")
    file = Path(directory) / "model.skops"
    untrusted = sio.get_untrusted_types(file=file)
    refused = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
    if refused:
        raise ValueError(f"{file}: refusing to load untrusted types {refused}")
    return sio.load(file, trusted=untrusted)


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
