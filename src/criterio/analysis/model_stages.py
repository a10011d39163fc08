"""Saved intent and topic models as analysis-pipeline stages.

A stage carries its model directory and the model's version, never the model: when an
engine ships the pipeline to worker processes (the local pool, Dask workers) only the
path and the version travel, and each process loads the model from its own directory
once (skops with only Criterio/scikit-learn types trusted; no pickle of model files)
and keeps it for later batches. The version is the card's training counter plus a
digest of ``model.skops`` plus the version of the redactor that masks the model's
input, so a retrained model makes earlier results stale, and a worker that finds a
different file than the run started with refuses to label with it. A model from the
registry also carries the full SHA-256 stored when it was registered, and every process
checks the file against it before loading.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Self

from criterio.analysis.annotations import intent_annotations, topic_annotations
from criterio.digest import file_sha256

__all__ = ["IntentStage", "ModelStageError", "TopicStage", "model_version"]

#: Longest intent label the store keeps (``analysis_results.intent_label``).
MAX_INTENT_LABEL = 200


class ModelStageError(ValueError):
    """A model directory that cannot serve as a pipeline stage (missing, wrong kind, corrupt)."""


def model_version(directory: Path, kind: str, sha256: str | None = None) -> str:
    """``<card version>:<first 16 hex of sha256(model.skops)>:m<redactor version>``.

    The last part is the version of the redactor that masks the texts the model is
    given (``criterio.analysis.text.model_texts``): a change there changes what the
    model sees, so earlier results go stale too. With ``sha256`` (the digest the model
    registry stored), a ``model.skops`` whose bytes differ is refused: the file changed
    after the model was registered.
    """
    from criterio.analysis.modelstore import read_card
    from criterio.analysis.pii import PIIRedactor

    try:
        card = read_card(directory)
    except FileNotFoundError as error:
        raise ModelStageError(str(error)) from None
    except ValueError as error:  # JSON that does not parse
        raise ModelStageError(f"{directory}: model.json is not valid JSON ({error})") from None
    if card.get("kind") != kind:
        raise ModelStageError(f"{directory}: holds a {card.get('kind')!r} model, not {kind!r}")
    file = directory / "model.skops"
    if not file.is_file():
        raise ModelStageError(f"{directory}: no model.skops (train the model again)")
    digest = file_sha256(file)
    if sha256 is not None and digest != sha256:
        raise ModelStageError(
            f"{directory}: model.skops does not match the SHA-256 the registry stored "
            "(the file changed after the model was registered)"
        )
    return f"{card.get('version', 0)}:{digest[:16]}:m{PIIRedactor.version}"


@lru_cache(maxsize=8)
def _load(directory: str, kind: str, version: str, sha256: str | None) -> Any:
    """The model of ``directory`` at ``version``, loaded once per process."""
    from criterio.analysis.modelstore import load_model

    path = Path(directory)
    if model_version(path, kind, sha256) != version:
        raise ModelStageError(f"{directory}: the {kind} model changed since this run started")
    try:
        model = load_model(path, kind)
    except Exception as error:  # skops raises many types for a damaged file
        raise ModelStageError(f"{directory}: cannot load the {kind} model ({error})") from None
    if model_version(path, kind, sha256) != version:  # rewritten while it was being read
        raise ModelStageError(f"{directory}: the {kind} model changed since this run started")
    return model


class _ModelStage:
    """A model directory and its version; the model itself is loaded per process."""

    kind: ClassVar[str]

    def __init__(self, directory: str | Path, sha256: str | None = None) -> None:
        self.directory = Path(directory).expanduser().resolve()
        #: The registry's digest of model.skops, checked in every process that loads it.
        self.sha256 = sha256
        self.version = ""

    def fit(self) -> Self:
        """Check the directory and load its model (errors here, not in a worker)."""
        if not self.directory.is_dir():
            raise ModelStageError(f"{self.directory}: no such model directory")
        self.version = model_version(self.directory, self.kind, self.sha256)
        self._check(self.model)
        return self

    @property
    def model(self) -> Any:
        """The loaded model (this process's copy)."""
        if not self.version:
            raise ModelStageError(f"{self.directory}: stage used before fit()")
        return _load(str(self.directory), self.kind, self.version, self.sha256)

    def _check(self, model: Any) -> None:
        """Further checks of a loaded model (none by default)."""

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "version": self.version, "sha256": self.sha256}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.directory = state["directory"]
        self.version = state["version"]
        self.sha256 = state.get("sha256")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r}, version={self.version!r})"


class IntentStage(_ModelStage):
    """An intent model (``criterio intents train``): label and confidence per text."""

    kind = "intents"

    def _check(self, model: Any) -> None:
        long = [str(c) for c in model.classes_ if len(str(c)) > MAX_INTENT_LABEL]
        if long:
            raise ModelStageError(
                f"{self.directory}: intent labels longer than {MAX_INTENT_LABEL} characters "
                f"cannot be stored ({long[0][:40]}...)"
            )

    def annotate(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """``{"label", "confidence"}`` per text (``unknown`` when no intent fits)."""
        return intent_annotations(self.model, texts)


class TopicStage(_ModelStage):
    """A topic model (``criterio topics discover``): topic id and label per text."""

    kind = "topics"

    def annotate(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """``{"id", "label"}`` per text (id -1 when no topic fits)."""
        return topic_annotations(self.model, texts)
