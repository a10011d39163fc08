"""Preparing a table of interactions for the detectors: canonical columns and segments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from criterio.patterns._families import merge_topics
from criterio.patterns._window import active_window

__all__ = ["PreparedFrame", "Segment", "prepare_frame", "segment_key"]

#: Where each canonical column may come from, in order of preference: a prediction of
#: the analysis pipeline first, the known label (``labels.*``) when none exists yet.
SOURCES: dict[str, tuple[str, ...]] = {
    "intent": ("intent", "analysis.intent", "labels.intent"),
    "topic": ("topic", "analysis.topic", "labels.topic"),
    "sentiment": ("sentiment", "sentiment_score", "analysis.sentiment", "labels.sentiment"),
}
#: Words some sources use for sentiment, mapped to a score in -1..1.
SENTIMENT_WORDS = {"negative": -1.0, "neutral": 0.0, "positive": 1.0, "mixed": 0.0}
#: Columns that are never segment dimensions.
NON_DIMENSIONS = {"id", "started_at", "customer_id", "csat", "resolved", "escalated", "sentiment"}
#: The dimension of term segments (contacts whose text mentions a word: see ``terms``).
TERM = "term"
#: Contacts a term must be mentioned by to become a segment.
TERM_MIN_COUNT = 30
#: A segment: sorted (dimension, value) pairs; () is every interaction.
Segment = tuple[tuple[str, str], ...]


def segment_key(segment: dict[str, str] | Segment) -> Segment:
    """The canonical (sorted) form of a segment."""
    items = segment.items() if isinstance(segment, dict) else segment
    return tuple(sorted((str(k), str(v)) for k, v in items))


@dataclass
class PreparedFrame:
    """Interactions with canonical columns, a day index and the dimensions to cut by."""

    data: pd.DataFrame
    days: pd.DatetimeIndex
    dimensions: list[str]
    #: Interactions left out before and after the active window (stray old records, the
    #: ramp-up and the wind-down of collection: see :mod:`criterio.patterns._window`).
    left_out: tuple[int, int] = (0, 0)
    #: Topic labels that near-duplicates were merged into, with the merged labels.
    merged_topics: dict[str, list[str]] = field(default_factory=dict)
    #: Row masks of the terms the contacts' texts mention (overlapping segments).
    terms: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = field(default_factory=dict)

    @property
    def n_days(self) -> int:
        """Length of the observed window in days."""
        return len(self.days)

    def day_coverage(self) -> tuple[float, float]:
        """Share of a usual day's contacts that the first and the last day can hold (0..1).

        An export or a stream cut mid-day leaves its edge days partial, and their volume
        is not comparable with full days. The share is measured against the data's own
        time-of-day profile, so an operation open 08:00-20:00 has full days ending at 20:00.
        """
        if self.data.empty:
            return 0.0, 0.0
        stamps = self.data["started_at"]
        time_of_day = (stamps - stamps.dt.floor("D")).to_numpy()
        first = float((time_of_day >= time_of_day[stamps.to_numpy().argmin()]).mean())
        last = float((time_of_day <= time_of_day[stamps.to_numpy().argmax()]).mean())
        return first, last

    def has(self, column: str) -> bool:
        """Whether the column exists and holds at least one value."""
        return column in self.data and bool(self.data[column].notna().any())

    def mask(self, segment: Segment) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Boolean row mask of a segment."""
        mask = np.ones(len(self.data), dtype=bool)
        for dim, value in segment:
            if dim == TERM:
                mask &= self.terms.get(value, np.zeros(len(self.data), dtype=bool))
                continue
            mask &= (self.data[dim] == value).fillna(False).to_numpy(dtype=bool)
        return mask

    def segments(
        self, *, min_count: int, pairs_with: tuple[str, ...] = ("intent", "topic")
    ) -> Iterator[tuple[Segment, np.ndarray[Any, np.dtype[np.bool_]]]]:
        """Every segment with at least ``min_count`` interactions: all, single values, and
        pairs of an attribute with intent or topic (where "contacts about X in Y" live)."""
        yield (), np.ones(len(self.data), dtype=bool)
        singles: dict[str, list[tuple[str, np.ndarray[Any, np.dtype[np.bool_]]]]] = {}
        for dim in self.dimensions:
            codes, uniques = pd.factorize(self.data[dim], use_na_sentinel=True)
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            singles[dim] = []
            for code, value in enumerate(uniques):
                if counts[code] >= min_count:
                    mask = codes == code
                    singles[dim].append((str(value), mask))
                    yield ((dim, str(value)),), mask
        for inner in pairs_with:
            for dim in self.dimensions:
                if dim in pairs_with or inner not in singles:
                    continue
                for value, mask in singles[dim]:
                    for inner_value, inner_mask in singles[inner]:
                        both = mask & inner_mask
                        if int(both.sum()) >= min_count:
                            yield segment_key({dim: value, inner: inner_value}), both

    def term_segments(
        self, *, min_count: int
    ) -> list[tuple[Segment, np.ndarray[Any, np.dtype[np.bool_]]]]:
        """The term segments with at least ``min_count`` interactions."""
        return [
            (((TERM, term),), mask)
            for term, mask in self.terms.items()
            if int(mask.sum()) >= min_count
        ]


def _pick(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    for name in names:
        if name in frame and frame[name].notna().any():
            return frame[name]
    return None


def _sentiment(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    mapped = values.astype("string").str.lower().map(SENTIMENT_WORDS)
    numeric = pd.to_numeric(values, errors="coerce")
    return mapped.fillna(numeric).astype(float)


def prepare_frame(frame: pd.DataFrame, dimensions: list[str] | None = None) -> PreparedFrame:
    """Canonical columns from a table of interactions (whatever optional columns it has).

    ``attributes.<name>`` columns become the dimension ``<name>``; ``channel``,
    ``language``, ``intent`` and ``topic`` are dimensions too when present.
    """
    if "started_at" not in frame or "id" not in frame:
        raise ValueError("the interactions table needs the columns id and started_at")
    out = pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "started_at": pd.to_datetime(frame["started_at"], utc=True),
        }
    )
    for column in ("customer_id", "channel", "language", "handled_by", "resolution_code"):
        if column in frame:
            out[column] = frame[column].astype("string")
    for column in ("csat",):
        if column in frame:
            out[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in ("resolved", "escalated"):
        if column in frame:
            out[column] = frame[column].astype("boolean")
    for canonical, names in SOURCES.items():
        picked = _pick(frame, names)
        if picked is not None:
            out[canonical] = _sentiment(picked) if canonical == "sentiment" else picked
    for column in frame.columns:
        if str(column).startswith("attributes."):
            out[str(column).removeprefix("attributes.")] = frame[column].astype("string")
    if "intent" in out:
        out["intent"] = out["intent"].astype("string")
    merged: dict[str, list[str]] = {}
    if "topic" in out:
        out["topic"], merged = merge_topics(out["topic"].astype("string"))
    out["day"] = out["started_at"].dt.floor("D")
    if dimensions is None:
        dimensions = [
            c
            for c in out.columns
            if c not in NON_DIMENSIONS
            and c not in ("day", "handled_by", "resolution_code")
            and out[c].nunique(dropna=True) > 1  # one value cuts nothing
        ]
    if not len(out):
        return PreparedFrame(out, pd.DatetimeIndex([], tz="UTC"), dimensions, (0, 0), merged)
    texts = frame["text"].astype("string") if "text" in frame else None
    days = pd.date_range(out["day"].min(), out["day"].max(), freq="D")
    counts = np.bincount((out["day"] - days[0]).dt.days.to_numpy(), minlength=len(days))
    first, last = active_window(counts, days.day_of_week.to_numpy())
    inside = out["day"].between(days[first], days[last]).to_numpy()
    left_out = (int(counts[:first].sum()), int(counts[last + 1 :].sum()))
    terms: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {}
    if texts is not None:
        # Imported here: scikit-learn's text module is only needed when there is text.
        from criterio.patterns.terms import term_masks

        terms = term_masks(texts[inside].reset_index(drop=True), min_count=TERM_MIN_COUNT)
    return PreparedFrame(
        out[inside].reset_index(drop=True),
        days[first : last + 1],
        dimensions,
        left_out,
        merged,
        terms,
    )
