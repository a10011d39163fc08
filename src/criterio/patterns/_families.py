"""Keeping one kind of finding from flooding the list.

Topic models (more so refreshed ones) give near-duplicate topics ("premium · family ·
plan · account" and "family · plan · premium · price"): they are one reason, merged at
detection time by the overlap of their labels' words. Drivers of one outcome in one
family of segments (every topic that goes with repeat contacts) are one insight: the
strongest, with the others listed. And a family (a type and measure over the same
dimensions) places at most ``FAMILY_CAP`` insights in the top ``TOP``; the rest follow.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # _frame imports merge_topics, and _types imports _frame
    from criterio.patterns._types import Detection

__all__ = ["FAMILY_CAP", "TOP", "cap_families", "group_drivers", "merge_topics"]

#: Share of words two topic labels must have in common (Jaccard) to be one topic.
SAME_TOPIC = 0.5
TOP = 10
FAMILY_CAP = 3
#: Words shorter than this carry no topic ("my", "de", "la").
MIN_WORD = 3
_WORDS = re.compile(r"\w+")


def _terms(label: str) -> frozenset[str]:
    return frozenset(w for w in _WORDS.findall(label.lower()) if len(w) >= MIN_WORD)


def merge_topics(topics: pd.Series) -> tuple[pd.Series, dict[str, list[str]]]:
    """Topic labels with near duplicates replaced by the most frequent label of their
    group, and each kept label's merged labels.

    A label joins the first (more frequent) kept label sharing at least ``SAME_TOPIC``
    of their words; kept labels are compared with each other, never chained.
    """
    counts = topics.value_counts(dropna=True)
    kept: list[tuple[str, frozenset[str]]] = []
    rename: dict[str, str] = {}
    merged: dict[str, list[str]] = {}
    for label in counts.index.astype(str):
        terms = _terms(label)
        for main, main_terms in kept:
            union = terms | main_terms
            if union and len(terms & main_terms) / len(union) >= SAME_TOPIC:
                rename[label] = main
                merged.setdefault(main, []).append(label)
                break
        else:
            kept.append((label, terms))
    if not rename:
        return topics, {}
    return topics.replace(rename), merged


def _family(detection: Detection) -> tuple[str, str | None, tuple[str, ...]]:
    return (
        detection.type,
        detection.figures.get("measure"),
        tuple(dim for dim, _ in detection.segment),
    )


def group_drivers(found: list[Detection]) -> list[Detection]:
    """Drivers of one outcome in one family of segments merged into the most severe, the
    others in its ``similar_segments`` figure (segment, rates, contacts)."""
    lead: dict[tuple[str, str | None, tuple[str, ...]], Detection] = {}
    for d in sorted((d for d in found if d.type == "driver"), key=lambda d: -d.severity):
        family = _family(d)
        if family not in lead:
            lead[family] = d
            continue
        lead[family].figures.setdefault("similar_segments", []).append(
            {
                "segment": d.segment_dict,
                "rate": d.figures["rate"],
                "rate_rest": d.figures["rate_rest"],
                "contacts": d.figures["contacts"],
            }
        )
    return [d for d in found if d.type != "driver" or lead[_family(d)] is d]


def cap_families(ranked: list[Detection]) -> list[Detection]:
    """``ranked`` (most severe first) with each family's insights beyond ``FAMILY_CAP``
    in the top ``TOP`` moved after it, their severity lowered to just below it.

    Slots that no other family can fill go to the capped ones, in their order.
    """
    top: list[Detection] = []
    seen: Counter[tuple[str, str | None, tuple[str, ...]]] = Counter()
    for d in ranked:
        if len(top) < TOP and seen[_family(d)] < FAMILY_CAP:
            seen[_family(d)] += 1
            top.append(d)
    chosen = {id(d) for d in top}
    rest = [d for d in ranked if id(d) not in chosen]
    extra = rest[: max(TOP - len(top), 0)]
    top, rest = top + extra, rest[len(extra) :]
    if not rest or not top:
        return sorted(top, key=lambda d: -d.severity) + rest
    floor = min(d.severity for d in top)
    for d in rest:
        d.severity = round(max(0.0, min(d.severity, floor - 0.1)), 1)
    return sorted(top, key=lambda d: -d.severity) + sorted(rest, key=lambda d: -d.severity)
