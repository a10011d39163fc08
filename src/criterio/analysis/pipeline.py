"""The per-batch analysis function: Arrow batch of interactions in, batch of results out.

Stages are injected objects (any redactor with ``redact``, language identifier with
``predict``, sentiment analyzer with ``decision_function``, intent and topic stages with
``annotate``, see ``criterio.analysis.model_stages``); a stage left as ``None`` is not
run and its columns come back null. Language, intent and topic read the customer's
turns of each interaction joined (every turn when the customer said nothing). The
function is pure (no store; the only state is the per-process cache of intent and topic
models, keyed by directory and version), so the local process pool and Dask run exactly
the same code.

Redaction runs first: the only text that leaves this function is the redacted one, and
when no redactor is configured no text leaves it at all. Intent and topic models are
given the customer's text with personal data masked (``[EMAIL]``), as they were trained.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from criterio.analysis.model_stages import IntentStage, TopicStage
from criterio.analysis.names import ANALYZER_NAMES
from criterio.analysis.sentiment import label_scores, trajectory

__all__ = [
    "ANALYZER_NAMES",
    "INPUT_SCHEMA",
    "PASSTHROUGH",
    "RESULT_FIELDS",
    "AnalysisPipeline",
    "RedactorLike",
    "analyze_batch",
    "available_analyzers",
    "build_pipeline",
    "interactions_to_batch",
]

TURN_TYPE = pa.struct([("role", pa.string()), ("text", pa.string())])
SPAN_TYPE = pa.struct(
    [("turn", pa.int32()), ("type", pa.string()), ("start", pa.int32()), ("end", pa.int32())]
)
INPUT_SCHEMA = pa.schema([("id", pa.string()), ("turns", pa.list_(TURN_TYPE))])
#: Input columns copied unchanged into the result when present (keys for the store).
PASSTHROUGH = ("pk", "tenant", "content_hash")
RESULT_FIELDS = [
    pa.field("id", pa.string()),
    pa.field("language", pa.string()),
    pa.field("sentiment_score", pa.float64()),
    pa.field("sentiment_label", pa.string()),
    pa.field("sentiment_first", pa.float64()),
    pa.field("sentiment_last", pa.float64()),
    pa.field("trajectory", pa.string()),
    pa.field("intent_label", pa.string()),
    pa.field("intent_confidence", pa.float64()),
    pa.field("topic_id", pa.int64()),
    pa.field("topic_label", pa.string()),
    pa.field("redacted_turns", pa.list_(TURN_TYPE)),
    pa.field("pii", pa.list_(SPAN_TYPE)),
    pa.field("versions", pa.string()),
]


class RedactorLike(Protocol):
    """What the pipeline needs from a redactor (``criterio.analysis.pii.PIIRedactor``)."""

    version: str

    def redact(
        self,
        texts: Sequence[str],
        groups: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
    ) -> list[Any]:
        """One redaction (``.text``, ``.spans``) per text; ``languages`` one code per text."""
        ...


@dataclass
class AnalysisPipeline:
    """The stages one run applies; ``None`` skips a stage."""

    language: Any = None
    redactor: Any = None
    sentiment: Any = None
    intents: Any = None
    topics: Any = None
    #: Mean scores within ±band are neutral; ``None`` takes the sentiment analyzer's own
    #: band (the learned model's was chosen on validation data), else 0.05.
    neutral_band: float | None = None

    def _stages(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "pii": self.redactor,
            "sentiment": self.sentiment,
            "intents": self.intents,
            "topics": self.topics,
        }

    def fit(self) -> AnalysisPipeline:
        """Fit (load) every configured stage; returns the pipeline."""
        for stage in self._stages().values():
            if stage is not None:
                stage.fit()
        return self

    def versions(self) -> dict[str, str]:
        """Version of each configured stage, keyed by analyzer name."""
        return {name: str(s.version) for name, s in self._stages().items() if s is not None}


def available_analyzers() -> list[str]:
    """The analyzers this installation can run (every one of ANALYZER_NAMES once pii ships)."""
    import importlib.util

    has_pii = importlib.util.find_spec("criterio.analysis.pii") is not None
    return [n for n in ANALYZER_NAMES if n != "pii" or has_pii]


def build_pipeline(
    analyzers: Sequence[str] | None = None,
    *,
    intent_model: str | Path | None = None,
    topic_model: str | Path | None = None,
) -> AnalysisPipeline:
    """A fitted pipeline with the named analyzers (default: every available one).

    ``intent_model`` and ``topic_model`` are directories saved by ``criterio intents
    train`` and ``criterio topics discover``; a bad one raises ``ModelStageError``.
    """
    if analyzers is None:
        analyzers = available_analyzers()
    unknown = sorted(set(analyzers) - set(ANALYZER_NAMES))
    if unknown:
        raise ValueError(f"unknown analyzers {unknown}; choose from {', '.join(ANALYZER_NAMES)}")
    pipeline = AnalysisPipeline()
    if "language" in analyzers:
        from criterio.analysis.language import LanguageIdentifier

        pipeline.language = LanguageIdentifier()
    if "pii" in analyzers:
        pipeline.redactor = _default_redactor()
    if "sentiment" in analyzers:
        from criterio.analysis.sentiment import SentimentAnalyzer

        pipeline.sentiment = SentimentAnalyzer()
    if intent_model is not None:
        pipeline.intents = IntentStage(intent_model)
    if topic_model is not None:
        pipeline.topics = TopicStage(topic_model)
    return pipeline.fit()


def _default_redactor() -> Any:
    try:
        from criterio.analysis.pii import PIIRedactor
    except ImportError as error:  # the redaction stage ships in its own module
        raise ValueError("the pii analyzer is not available in this installation") from error
    return PIIRedactor()


def interactions_to_batch(records: Sequence[dict[str, Any]]) -> pa.RecordBatch:
    """An input batch from dicts with ``id`` and ``turns`` (or a flat customer ``text``)."""
    ids: list[str] = []
    turns: list[list[dict[str, str]]] = []
    extra: dict[str, list[Any]] = {k: [] for k in PASSTHROUGH if records and k in records[0]}
    for record in records:
        ids.append(str(record["id"]))
        if record.get("turns") is not None:
            turns.append([{"role": t["role"], "text": t["text"]} for t in record["turns"]])
        else:
            turns.append([{"role": "customer", "text": record.get("text") or ""}])
        for key, values in extra.items():
            values.append(record.get(key))
    columns = {"id": pa.array(ids, pa.string()), "turns": pa.array(turns, pa.list_(TURN_TYPE))}
    columns.update({k: pa.array(v) for k, v in extra.items()})
    return pa.RecordBatch.from_pydict(columns)


def analyze_batch(batch: pa.RecordBatch, pipeline: AnalysisPipeline) -> pa.RecordBatch:
    """Analyse one batch of interactions; one result row per input row, in order."""
    n = batch.num_rows
    turns = batch.column("turns")
    lengths = pc.fill_null(pc.list_value_length(turns), 0).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(turns)
    parents = pc.list_parent_indices(turns).to_numpy(zero_copy_only=False)
    texts: list[str] = [t or "" for t in flat.field("text").to_pylist()]
    is_customer = pc.fill_null(pc.equal(flat.field("role"), "customer"), False)
    customer = is_customer.to_numpy(zero_copy_only=False)
    ids = batch.column("id")
    out: dict[str, pa.Array] = {"id": ids}
    for key in PASSTHROUGH:
        if key in batch.schema.names:
            out[key] = batch.column(key)

    # Redaction first: language and sentiment read the original text in memory, but
    # only the redacted text is ever returned.
    # The language comes first: it picks the phone numbering plans the redactor tries
    # first for each turn (US and GB numbers in an English conversation).
    joined = _customer_text(texts, parents, customer, n) if pipeline.language is not None else []
    out["language"] = _language(pipeline.language, joined, n)
    languages = out["language"].to_pylist() if pipeline.language is not None else None
    redactions = _redactions(pipeline.redactor, ids, texts, parents, languages)
    out["redacted_turns"], out["pii"] = _redacted_columns(redactions, flat, parents, n)
    band = pipeline.neutral_band
    if band is None:
        band = float(getattr(pipeline.sentiment, "band_", 0.05))
    out.update(_sentiment(pipeline, texts, parents, customer, n, band))
    if pipeline.intents is not None or pipeline.topics is not None:
        # Models were trained on masked texts ([EMAIL] for an e-mail): they are given the
        # same form (criterio.analysis.text.model_texts), never the personal data.
        masked = _masked(redactions, texts)
        joined = _customer_text(masked, parents, customer, n)
    out.update(_intents(pipeline.intents, joined, n))
    out.update(_topics(pipeline.topics, joined, n))
    out["versions"] = pa.array([json.dumps(pipeline.versions(), sort_keys=True)] * n)
    del lengths
    fields = [pa.field(k, out[k].type) for k in out]
    order = ["id", *(k for k in PASSTHROUGH if k in out)]
    order += [f.name for f in RESULT_FIELDS if f.name != "id"]
    by_name = {f.name: f for f in fields}
    return pa.RecordBatch.from_arrays(
        [out[k] for k in order], schema=pa.schema([by_name[k] for k in order])
    )


def _redactions(
    redactor: Any, ids: pa.Array, texts: list[str], parents: Any, languages: list[Any] | None
) -> list[Any] | None:
    """One redaction per turn, numbered per interaction; ``None`` without a redactor."""
    if redactor is None:
        return None
    id_list = ids.to_pylist()
    owners = parents.tolist()
    groups = [str(id_list[p]) for p in owners]
    if languages is None:
        redactions: list[Any] = redactor.redact(texts, groups=groups)
    else:
        turn_languages = [languages[p] for p in owners]
        redactions = redactor.redact(texts, groups=groups, languages=turn_languages)
    return redactions


def _masked(redactions: list[Any] | None, texts: list[str]) -> list[str]:
    """Each turn with personal data replaced by ``[TYPE]``, from the redaction's spans
    (or, when the run has no redaction stage, from the models' own redactor)."""
    from criterio.analysis.text import masked_text, model_texts

    if redactions is None:
        return model_texts(texts)
    return [masked_text(t, r.spans) for t, r in zip(texts, redactions, strict=True)]


def _redacted_columns(
    redactions: list[Any] | None, flat: pa.StructArray, parents: Any, n: int
) -> tuple[pa.Array, pa.Array]:
    if redactions is None:
        return pa.nulls(n, pa.list_(TURN_TYPE)), pa.nulls(n, pa.list_(SPAN_TYPE))
    # Build the Arrow columns directly (no per-turn dicts): turns keep their roles and
    # their grouping; spans are flattened, then grouped by interaction.
    count = np.bincount(parents, minlength=n) if len(parents) else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(count, out=offsets[1:])
    values = pa.StructArray.from_arrays(
        [flat.field("role"), pa.array([r.text for r in redactions], pa.string())],
        fields=list(TURN_TYPE),
    )
    turns = pa.ListArray.from_arrays(pa.array(offsets), values)
    turn_of: list[int] = []
    kinds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    owners: list[int] = []
    for k, redaction in enumerate(redactions):
        if redaction.spans:
            parent = int(parents[k])
            for span in redaction.spans:
                owners.append(parent)
                turn_of.append(k - int(offsets[parent]))
                kinds.append(span.type)
                starts.append(span.start)
                ends.append(span.end)
    span_offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(np.asarray(owners, dtype=np.int64), minlength=n), out=span_offsets[1:])
    span_values = pa.StructArray.from_arrays(
        [
            pa.array(turn_of, pa.int32()),
            pa.array(kinds, pa.string()),
            pa.array(starts, pa.int32()),
            pa.array(ends, pa.int32()),
        ],
        fields=list(SPAN_TYPE),
    )
    return turns, pa.ListArray.from_arrays(pa.array(span_offsets), span_values)


def _customer_text(texts: list[str], parents: Any, customer: Any, n: int) -> list[str]:
    """Per interaction: the customer's turns joined (all turns when the customer said nothing)."""
    mine: list[list[str]] = [[] for _ in range(n)]
    every: list[list[str]] = [[] for _ in range(n)]
    for text, parent, is_customer in zip(texts, parents.tolist(), customer.tolist(), strict=True):
        every[parent].append(text)
        if is_customer:
            mine[parent].append(text)
    return ["\n".join(m or e) for m, e in zip(mine, every, strict=True)]


def _language(identifier: Any, joined: list[str], n: int) -> pa.Array:
    if identifier is None:
        return pa.nulls(n, pa.string())
    return pa.array(identifier.predict(joined).tolist(), pa.string())


def _intents(stage: Any, joined: list[str], n: int) -> dict[str, pa.Array]:
    if stage is None:
        return {
            "intent_label": pa.nulls(n, pa.string()),
            "intent_confidence": pa.nulls(n, pa.float64()),
        }
    found = stage.annotate(joined)
    return {
        "intent_label": pa.array([a["label"] for a in found], pa.string()),
        "intent_confidence": pa.array([a["confidence"] for a in found], pa.float64()),
    }


def _topics(stage: Any, joined: list[str], n: int) -> dict[str, pa.Array]:
    if stage is None:
        return {"topic_id": pa.nulls(n, pa.int64()), "topic_label": pa.nulls(n, pa.string())}
    found = stage.annotate(joined)
    return {
        "topic_id": pa.array([a["id"] for a in found], pa.int64()),
        "topic_label": pa.array([a["label"] for a in found], pa.string()),
    }


def _sentiment(
    pipeline: AnalysisPipeline, texts: list[str], parents: Any, customer: Any, n: int, band: float
) -> dict[str, pa.Array]:
    names = ("sentiment_score", "sentiment_label", "sentiment_first", "sentiment_last")
    if pipeline.sentiment is None:
        out = {k: pa.nulls(n, pa.string() if k.endswith("label") else pa.float64()) for k in names}
        out["trajectory"] = pa.nulls(n, pa.string())
        return out
    index = np.flatnonzero(customer)
    owner = parents[index]
    scores = pipeline.sentiment.decision_function([texts[i] for i in index.tolist()])
    count = np.bincount(owner, minlength=n)
    total = np.bincount(owner, weights=scores, minlength=n)
    has = count > 0
    mean = np.divide(total, count, out=np.zeros(n), where=has)
    # Turns come in conversation order: the first and last customer turn of each
    # interaction are its first and last occurrence in ``owner``.
    first = np.zeros(n)
    last = np.zeros(n)
    first[owner[::-1]] = scores[::-1]
    last[owner] = scores
    labels = label_scores(mean, band)
    paths = [trajectory(f, la) for f, la in zip(first.tolist(), last.tolist(), strict=True)]
    mask = ~has
    return {
        "sentiment_score": pa.array(mean, pa.float64(), mask=mask),
        "sentiment_label": pa.array(labels.tolist(), pa.string(), mask=mask),
        "sentiment_first": pa.array(first, pa.float64(), mask=mask),
        "sentiment_last": pa.array(last, pa.float64(), mask=mask),
        "trajectory": pa.array(paths, pa.string(), mask=mask),
    }
