"""The analyzer contract: scikit-learn estimators on batches of texts, plus its shared test.

Every analyzer stores parameters only in ``__init__``, learns in ``fit`` (which returns
``self``) into ``*_`` attributes, works on a whole batch of texts at once, and carries a
``version`` that is stored beside every result it produced, so a re-run can tell which
results are stale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "Analyzer",
    "AnalyzerProtocol",
    "check_analyzer_contract",
    "load_analyzer",
    "save_analyzer",
    "unique_texts",
]


@runtime_checkable
class AnalyzerProtocol(Protocol):
    """What the pipeline needs from an analyzer: a version and ``fit``."""

    version: ClassVar[str]

    def fit(self, X: Any = None, y: Any = None) -> Any:  # noqa: N803
        """Learn (or load) what the analyzer needs; returns the analyzer."""
        ...


class Analyzer(BaseEstimator):  # type: ignore[misc]
    """Base class of Criterio's analyzers (a scikit-learn estimator with a version)."""

    #: Bumped whenever the analyzer's output for the same input may change.
    version: ClassVar[str] = "0"

    def _check_fitted(self) -> None:
        check_is_fitted(self)


def unique_texts(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """The distinct texts in first-seen order, and each text's index among them."""
    # Canned agent and bot replies repeat within a batch: analysing each distinct text
    # once and mapping back gives the same results for less work.
    first: dict[str, int] = {}
    inverse = [first.setdefault(t, len(first)) for t in texts]
    return list(first), inverse


def save_analyzer(analyzer: Any, path: str | Path) -> None:
    """Save a fitted analyzer with skops (no pickle)."""
    import skops.io as sio

    sio.dump(analyzer, Path(path))


def load_analyzer(path: str | Path, trusted: Sequence[str] = ()) -> Any:
    """Load an analyzer saved by :func:`save_analyzer`; only ``trusted`` extra types load."""
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=Path(path))
    refused = [t for t in untrusted if t not in set(trusted)]
    if refused:
        raise ValueError(f"{path}: refusing to load untrusted types {refused}")
    return sio.load(Path(path), trusted=list(untrusted))


def check_analyzer_contract(
    make: Callable[[], Any],
    texts: Sequence[str],
    outputs: Callable[[Any, Sequence[str]], Any],
    tmp_path: Path,
    *,
    fit: Callable[[Any], Any] = lambda analyzer: analyzer.fit(),
) -> None:
    """The shared contract test every analyzer passes (DESIGN convention 5).

    ``make`` builds an unfitted analyzer, ``outputs`` calls it on a batch of texts,
    ``fit`` fits it (on nothing by default; learned analyzers pass their training data).
    Checks: not-fitted error, ``fit`` returns self, clone keeps parameters, refit gives
    the same result, determinism, one output per text, and a skops save/load round trip.
    """
    analyzer = make()
    params = analyzer.get_params()
    try:
        outputs(analyzer, texts)
    except NotFittedError:
        pass
    else:
        raise AssertionError("an unfitted analyzer must raise NotFittedError")
    assert fit(analyzer) is analyzer, "fit must return self"
    assert hasattr(type(analyzer), "version") and isinstance(type(analyzer).version, str)
    first = _as_array(outputs(analyzer, texts))
    assert len(first) == len(texts), "one output per text"
    _assert_same(first, _as_array(outputs(analyzer, texts)), "not deterministic")
    cloned = clone(analyzer)
    assert cloned.get_params() == params, "clone must keep parameters"
    _assert_same(first, _as_array(outputs(fit(cloned), texts)), "clone+fit differs")
    _assert_same(first, _as_array(outputs(fit(analyzer), texts)), "refit differs")
    path = tmp_path / f"{type(analyzer).__name__}.skops"
    save_analyzer(analyzer, path)
    trusted = [f"{type(analyzer).__module__}.{type(analyzer).__name__}"]
    loaded = load_analyzer(path, trusted=[*trusted, *_extra_trusted(path)])
    _assert_same(first, _as_array(outputs(loaded, texts)), "save/load round trip differs")
    assert outputs(analyzer, []) is not None


def _extra_trusted(path: Path) -> list[str]:
    # The round trip trusts the analyzer's own module and scikit-learn/numpy internals
    # (what the test itself saved a moment ago), nothing else.
    import skops.io as sio

    allowed = ("criterio.", "sklearn.", "numpy.", "scipy.", "builtins.")
    return [t for t in sio.get_untrusted_types(file=path) if t.startswith(allowed)]


def _as_array(value: Any) -> np.ndarray[Any, Any]:
    if isinstance(value, tuple):
        return np.array([_as_array(v) for v in value], dtype=object)
    return np.asarray(value, dtype=object)


def _assert_same(a: Any, b: Any, message: str) -> None:
    assert len(a) == len(b), message
    for x, y in zip(a, b, strict=True):
        if isinstance(x, np.ndarray):
            _assert_same(x, y, message)
        elif isinstance(x, float):
            assert abs(x - y) < 1e-9, f"{message}: {x} != {y}"
        else:
            assert x == y, f"{message}: {x!r} != {y!r}"
