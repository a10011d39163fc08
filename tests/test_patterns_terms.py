"""Term segments: an issue named by the customers' words, wherever the topics cut."""

from __future__ import annotations

import numpy as np
import pandas as pd

from criterio.patterns import detect_patterns, prepare_frame, statement
from criterio.patterns.terms import term_masks
from tests.patterns_data import START, table

PHRASES = {
    "double_charge": ["charged twice on my card", "two payments taken this month"],
    "invoice_copy": ["need a copy of the invoice", "where can I download my bill"],
    "no_internet": ["internet connection is down", "no signal since this morning"],
}
ISSUE_DAY = 28


def _with_texts(issue: bool, seed: int = 5) -> pd.DataFrame:
    """A labelled month with texts; with ``issue``, from day 28 four in ten "no internet"
    contacts are about the router instead (the intent's volume does not change)."""
    frame = table(seed=seed, days=42)
    rng = np.random.default_rng(seed)
    day = (frame["started_at"].dt.floor("D") - pd.Timestamp(START, tz="UTC")).dt.days
    pick = rng.integers(0, 2, len(frame))
    frame["text"] = [PHRASES[i][k] for i, k in zip(frame["labels.intent"], pick, strict=True)]
    if issue:
        router = (frame["labels.intent"] == "no_internet") & (day >= ISSUE_DAY)
        router &= rng.random(len(frame)) < 0.4
        frame.loc[router, "text"] = "the router lights keep blinking red"
    return frame


def test_a_new_issue_inside_an_intent_is_found_by_its_words() -> None:
    found = detect_patterns(prepare_frame(_with_texts(issue=True)))
    terms = [d for d in found if "term" in d.segment_dict]
    assert terms, [statement(d) for d in found]
    first = terms[0]
    assert first.type == "emerging" and first.figures["new"]
    assert first.segment_dict["term"] in {"router", "router lights", "lights", "blinking", "red"}
    assert (first.start - START).days == ISSUE_DAY
    assert "contacts mentioning “" in statement(first)
    assert "los contactos que mencionan «" in statement(first, "es")


def test_the_same_month_without_the_issue_raises_nothing_on_words() -> None:
    found = detect_patterns(prepare_frame(_with_texts(issue=False)))
    assert not [statement(d) for d in found if "term" in d.segment_dict]


def test_terms_leave_out_placeholders_handles_links_numbers_and_words_everyone_uses() -> None:
    texts = pd.Series(
        ["@acme app router <PERSON> https://x.example/a 12345 broken"] * 40
        + ["both routers failed"] * 30
        + ["app works fine today"] * 420
        + [None] * 5
    )
    masks = term_masks(texts, min_count=30)
    assert "router" in masks and "router broken" in masks
    # "routers" is "router" (one segment, named by its most frequent form).
    assert "routers" not in masks
    assert int(masks["router"].sum()) == 70 and not masks["router"][-5:].any()
    # "app" is in every text (over the share that names anything); the rest is noise.
    for left_out in ("app", "acme", "person", "https", "example", "12345", "works"):
        assert left_out not in masks


def test_a_one_day_spike_spread_over_every_intent_is_found_by_its_word() -> None:
    frame = _with_texts(issue=False, seed=6)
    day = (frame["started_at"].dt.floor("D") - pd.Timestamp(START, tz="UTC")).dt.days
    # About 2% of contacts mention an outage every day; on day 30 one in three does,
    # whatever its intent.
    rng = np.random.default_rng(6)
    share = np.where((day == 30).to_numpy(), 0.35, 0.02)
    outage = rng.random(len(frame)) < share
    frame.loc[outage, "text"] = frame.loc[outage, "text"] + " after the outage"
    found = detect_patterns(prepare_frame(frame))
    spikes = [d for d in found if d.type == "spike" and d.segment_dict.get("term") == "outage"]
    assert spikes, [statement(d) for d in found]
    assert (spikes[0].start - START).days == 30
    assert "Contacts mentioning “outage”" in statement(spikes[0])
