"""Topic labels: a readable key phrase of the topic's own (masked) texts, in their language."""

from __future__ import annotations

import random
import re

from criterio.analysis.text import model_texts
from criterio.analysis.topics import TopicModel
from criterio.analysis.topics.labels import STOP_WORDS
from tests.topics_data import REASONS


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]{2,}", text.lower()))


def test_a_topic_label_is_a_phrase_of_its_texts_in_their_language() -> None:
    rng = random.Random(3)
    texts, reasons = [], []
    for reason, (_, _, ways) in REASONS.items():
        for _ in range(40):
            texts.append(rng.choice(ways))
            reasons.append(reason)
    # One topic per reason, so each topic's texts have one language.
    model = TopicModel(n_topics=len(REASONS)).fit(model_texts(texts))
    topics, _ = model.assign(model_texts(texts))
    for topic in model.topic_ids:
        members = [i for i, t in enumerate(topics) if t == topic]
        label = model.topic_label(topic)
        words = label.split()
        assert 2 <= len(words) <= 4, label
        assert words[0] not in STOP_WORDS and words[-1] not in STOP_WORDS, label
        # Extractive: the words of one of its own texts, in that order.
        assert any(label in _words(texts[i]) for i in members), (label, members[:3])
        # In its texts' language: the language of the reason most of its texts are about.
        language = REASONS[
            max({reasons[i] for i in members}, key=[reasons[i] for i in members].count)
        ][0]
        other = {
            w
            for r, (lang, _, ways) in REASONS.items()
            if lang != language
            for t in ways
            for w in _words(t).split()
        }
        assert set(words) - other, (label, language)
        # The filler words of the old labels ("trying", "got", "hola") are gone from both.
        assert not {"trying", "got", "hola", "hi", "please"} & set(
            model.keywords_[model.topic_ids.index(topic)]
        )


def test_labels_never_hold_masked_personal_data() -> None:
    texts = [
        f"please refund order for {name} at {mail}, the refund never arrived"
        for name, mail in [("Ana", "ana@example.com"), ("John Smith", "john@example.org")] * 30
    ] + ["my debit card blocked at the shop again"] * 60
    model = TopicModel(n_topics=2).fit(model_texts(texts))
    for topic in model.topic_ids:
        label = model.topic_label(topic).lower()
        assert "example" not in label and "ana" not in label.split() and "john" not in label
        assert "email" not in label and "person" not in label  # no placeholder either
