"""Per-intent thresholds: the precision's lower bound on the calibration data meets the target."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta

from criterio.triage.calibration import (
    Evidence,
    calibrate,
    clopper_pearson_lower,
    intent_threshold,
    oos_floor,
)
from criterio.triage.evidence import cross_validated_evidence

rows = st.lists(
    st.tuples(st.floats(0.0, 1.0, allow_nan=False), st.booleans()), min_size=0, max_size=300
)


@settings(max_examples=150, deadline=None)
@given(rows, st.sampled_from([0.8, 0.9, 0.95]), st.integers(1, 40))
def test_the_chosen_threshold_shows_the_target_on_the_calibration_data(
    data: list[tuple[float, bool]], target: float, min_support: int
) -> None:
    conf = [c for c, _ in data]
    ok = [k for _, k in data]
    threshold, n, right, bound = intent_threshold(conf, ok, target=target, min_support=min_support)
    if threshold is None:
        # No cut shows the target: every possible cut's lower bound falls short (or too few rows).
        for cut in set(conf):
            chosen = [k for c, k in data if c >= cut]
            if len(chosen) >= min_support:
                assert clopper_pearson_lower(sum(chosen), len(chosen)) < target
        return
    chosen = [k for c, k in data if c >= threshold]
    assert len(chosen) == n >= min_support
    assert sum(chosen) == right
    assert clopper_pearson_lower(right, n) == pytest.approx(bound)
    assert bound >= target
    # The lowest such cut: any lower observed confidence would fail.
    for cut in {c for c in conf if c < threshold}:
        lower = [k for c, k in data if c >= cut]
        assert len(lower) < min_support or clopper_pearson_lower(sum(lower), len(lower)) < target


def test_clopper_pearson_matches_the_beta_quantile_and_its_edges() -> None:
    assert clopper_pearson_lower(0, 10) == 0.0
    assert clopper_pearson_lower(30, 30) == pytest.approx(0.05 ** (1 / 30))
    assert clopper_pearson_lower(90, 100) == pytest.approx(beta.ppf(0.05, 90, 11))


def test_thirty_right_of_thirty_does_not_show_095_but_sixty_do() -> None:
    assert intent_threshold([0.99] * 30, [True] * 30, target=0.95)[0] is None
    threshold, n, right, bound = intent_threshold([0.99] * 60, [True] * 60, target=0.95)
    assert (threshold, n, right) == (0.99, 60, 60) and bound >= 0.95


def test_an_intent_with_too_little_verified_data_is_never_automated() -> None:
    evidence = Evidence(
        predicted=["a"] * 200 + ["b"] * 10,
        confidence=[0.99] * 210,
        correct=[True] * 210,
        intents=["a", "b", "c"],
    )
    result = calibrate(evidence, target=0.95, min_support=30)
    assert result.automatable() == ["a"]
    assert "only 10 verified predictions" in result.intents["b"].reason
    assert result.intents["c"].threshold is None and result.intents["c"].n_verified == 0


def test_the_threshold_rises_above_the_confident_mistakes() -> None:
    # Right at 0.9-1.0, wrong between 0.6 and 0.8: the threshold leaves all but a few
    # of the mistakes out (200 right of 203 still shows 0.95; 200 of 206 does not).
    conf = [0.9 + i / 2000 for i in range(200)] + [0.6 + i / 500 for i in range(100)]
    ok = [True] * 200 + [False] * 100
    threshold, n, right, bound = intent_threshold(conf, ok, target=0.95, floor=0.5)
    assert threshold is not None and 0.79 < threshold < 0.9
    assert right == 200 and 200 < n <= 205 and bound >= 0.95


def test_the_floor_keeps_low_confidences_out_even_when_right() -> None:
    threshold, n, _, _ = intent_threshold([0.3] * 500, [True] * 500, target=0.9, floor=0.5)
    assert threshold is None and n == 0


def test_calibrate_refuses_a_target_outside_zero_one() -> None:
    evidence = Evidence(["a"], [0.9], [True], ["a"])
    with pytest.raises(ValueError, match=r"target precision 1\.2"):
        calibrate(evidence, target=1.2)


def test_evidence_round_trips_and_names_a_bad_field() -> None:
    evidence = Evidence(["a", "b"], [0.91, 0.4], [True, False], ["a", "b"])
    assert Evidence.from_dict(evidence.to_dict()) == evidence
    with pytest.raises(ValueError, match="predicted"):
        Evidence.from_dict({"intents": [], "confidence": [], "correct": []})


class _Majority:
    """A tiny classifier: predicts by the first word seen for each label (for CV plumbing)."""

    def fit(self, texts: list[str], labels: list[str]) -> _Majority:
        self.words_ = {t.split()[0]: y for t, y in zip(texts, labels, strict=True)}
        self.classes_ = sorted(set(labels))
        return self

    def predict_proba(self, texts: list[str]) -> object:
        import numpy as np

        out = np.full((len(texts), len(self.classes_)), 0.1)
        for i, t in enumerate(texts):
            label = self.words_.get(t.split()[0])
            if label is not None:
                out[i, self.classes_.index(label)] = 0.9
        return out / out.sum(axis=1, keepdims=True)


def test_cross_validated_evidence_predicts_each_example_from_a_model_that_never_saw_it() -> None:
    texts = [f"card {i}" for i in range(20)] + [f"loan {i}" for i in range(20)] + ["odd 1"] * 5
    labels = ["card"] * 20 + ["loan"] * 20 + ["odd"] * 5
    evidence = cross_validated_evidence(_Majority, texts, labels, folds=5)
    assert evidence.intents == ["card", "loan", "odd"]
    assert evidence.predicted[:40] == labels[:40]
    assert all(evidence.correct[:40])
    assert len(evidence.predicted) == len(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=400))
def test_the_oos_floor_lets_through_a_share_whose_upper_bound_is_under_the_limit(
    unseen: list[float],
) -> None:
    floor = oos_floor(unseen, 0.05)
    passed = sum(c >= floor for c in unseen)
    n = len(unseen)
    upper = 1.0 if passed >= n else float(beta.ppf(0.95, passed + 1, n - passed))
    assert upper <= 0.05 or passed == 0


def test_the_oos_floor_raises_the_floor_of_every_intent() -> None:
    evidence = Evidence(
        predicted=["a"] * 300,
        confidence=[0.6 + i / 1000 for i in range(300)],
        correct=[True] * 300,
        intents=["a"],
        unseen=[0.5 + i / 2000 for i in range(1000)],  # unseen traffic up to 0.9995
    )
    loose = calibrate(evidence, target=0.9, max_oos_share=None)
    strict = calibrate(evidence, target=0.9, max_oos_share=0.02)
    assert loose.floor == 0.5 and loose.intents["a"].threshold == pytest.approx(0.6)
    assert strict.oos_floor is not None and 0.98 < strict.oos_floor < 0.999
    assert strict.floor == strict.oos_floor
    assert strict.intents["a"].threshold is None  # nothing of "a" reaches 0.98 and up
    assert "clears the out-of-scope floor" in strict.intents["a"].reason
    assert sum(c >= strict.floor for c in evidence.unseen) / 1000 < 0.02


def test_a_per_intent_budget_raises_only_the_intent_that_takes_unseen_traffic() -> None:
    # Both intents are right at 0.6-0.9; unseen traffic is taken for "a" only, at 0.7-0.8.
    conf = [0.6 + i / 1000 for i in range(300)]
    evidence = Evidence(
        predicted=["a"] * 300 + ["b"] * 300,
        confidence=conf + conf,
        correct=[True] * 600,
        intents=["a", "b"],
        unseen=[0.7 + i / 5000 for i in range(500)],
        unseen_predicted=["a"] * 500,
    )
    shared = calibrate(evidence, target=0.9, oos_budget="global", pooling="per_intent")
    split = calibrate(evidence, target=0.9, oos_budget="per_intent", pooling="per_intent")
    # One floor for all: "b" pays for "a"'s confusions.
    assert shared.intents["b"].threshold is not None and shared.intents["b"].threshold > 0.79
    # Per intent: "b" keeps its lowest cut, "a" rises above the unseen rows it takes.
    assert split.intents["b"].threshold == pytest.approx(0.6)
    threshold_a = split.intents["a"].threshold
    assert threshold_a is not None and threshold_a > 0.79
    passed = sum(c >= threshold_a for c in evidence.unseen)
    assert float(beta.ppf(0.95, passed + 1, 500 - passed)) <= 0.02


def test_pooled_per_intent_floors_hold_back_only_the_intent_unseen_traffic_is_taken_for() -> None:
    # As above, pooled: "b" keeps all its rows; "a" gets a floor above the unseen rows.
    conf = [0.6 + i / 1000 for i in range(300)]
    evidence = Evidence(
        predicted=["a"] * 300 + ["b"] * 300,
        confidence=conf + conf,
        correct=[True] * 600,
        intents=["a", "b"],
        unseen=[0.7 + i / 5000 for i in range(500)],
        unseen_predicted=["a"] * 500,
    )
    one = calibrate(evidence, target=0.9, oos_budget="global")
    mondrian = calibrate(evidence, target=0.9, oos_budget="per_intent")
    assert mondrian.pooling == "pooled" and mondrian.oos_floor is None
    assert one.intents["b"].threshold is not None and one.intents["b"].threshold > 0.79
    assert mondrian.intents["b"].threshold == pytest.approx(0.6)
    threshold_a = mondrian.intents["a"].threshold
    assert threshold_a is not None and threshold_a > 0.79
    # More of the verified traffic is automated than under one floor for all.
    assert sum(v.n_selected for v in mondrian.intents.values()) > sum(
        v.n_selected for v in one.intents.values()
    )
    passed = sum(c >= threshold_a for c in evidence.unseen)
    assert float(beta.ppf(0.95, passed + 1, 500 - passed)) <= 0.02


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.5, 1.0), st.sampled_from(["a", "b", "c"])), min_size=0, max_size=300
    )
)
def test_the_per_intent_budget_is_never_exceeded(unseen: list[tuple[float, str]]) -> None:
    for pooling in ("per_intent", "pooled"):
        _check_budget(unseen, pooling)


def _check_budget(unseen: list[tuple[float, str]], pooling: str) -> None:
    conf = [0.5 + i / 400 for i in range(200)]
    evidence = Evidence(
        predicted=["a"] * 200 + ["b"] * 200 + ["c"] * 200,
        confidence=conf * 3,
        correct=[True] * 600,
        intents=["a", "b", "c"],
        unseen=[c for c, _ in unseen],
        unseen_predicted=[k for _, k in unseen],
    )
    result = calibrate(evidence, target=0.9, oos_budget="per_intent", pooling=pooling)
    passed = sum(
        1
        for c, k in unseen
        if result.intents[k].threshold is not None and c >= result.intents[k].threshold
    )
    n = len(unseen)
    if n == 0:
        return
    if passed:
        assert float(beta.ppf(0.95, passed + 1, n - passed)) <= 0.02
    for entry in result.intents.values():
        assert entry.threshold is None or entry.lower_bound >= 0.9


def _intents(rows: dict[str, tuple[int, int]], confidence: float = 0.97) -> Evidence:
    """Evidence where intent k has rows[k] = (right, wrong) predictions, all at ``confidence``."""
    predicted, correct = [], []
    for intent, (right, wrong) in rows.items():
        predicted += [intent] * (right + wrong)
        correct += [True] * right + [False] * wrong
    return Evidence(predicted, [confidence] * len(predicted), correct, sorted(rows))


def test_pooled_evidence_shows_the_target_where_no_intent_alone_can() -> None:
    # Ten intents of 45 right answers each: 45 of 45 cannot show 0.95 alone (bound 0.936),
    # 450 of 450 together can.
    evidence = _intents({f"i{k}": (45, 0) for k in range(10)})
    alone = calibrate(evidence, target=0.95, pooling="per_intent")
    pooled = calibrate(evidence, target=0.95)
    assert alone.automatable() == []
    assert len(pooled.automatable()) == 10 and pooled.pooling == "pooled"
    assert pooled.pooled is not None and pooled.pooled["n_selected"] == 450
    assert pooled.pooled["lower_bound"] >= 0.95
    assert "all automated intents: 450 of 450" in pooled.intents["i0"].reason


def test_pooling_never_automates_an_intent_whose_own_evidence_contradicts_the_target() -> None:
    # "bad" is right 30 times of 45 (upper bound 0.78 < 0.95): the good ones must not carry
    # it; "thin" has too few verified predictions; the pool without them still shows 0.95.
    rows = {f"i{k}": (60, 0) for k in range(8)} | {"bad": (30, 15), "thin": (12, 0)}
    result = calibrate(_intents(rows), target=0.95, min_support=30)
    assert "bad" not in result.automatable() and "thin" not in result.automatable()
    assert "precision under 0.95 (30 of 45 right" in result.intents["bad"].reason
    assert "only 12 verified predictions" in result.intents["thin"].reason
    assert result.pooled is not None and result.pooled["n_selected"] == 480


def test_a_contradicted_intent_gets_a_higher_threshold_of_its_own() -> None:
    # "mixed" is wrong at 0.90 and right at 0.99, the others right at 0.85: "mixed" rises
    # above its mistakes and does not drag the others' threshold up with it.
    good = _intents({f"i{k}": (60, 0) for k in range(5)}, confidence=0.85)
    evidence = Evidence(
        good.predicted + ["mixed"] * 80,
        good.confidence + [0.90] * 40 + [0.99] * 40,
        good.correct + [False] * 40 + [True] * 40,
        [*good.intents, "mixed"],
    )
    result = calibrate(evidence, target=0.95, floor=0.5, max_oos_share=None)
    assert result.intents["i0"].threshold == pytest.approx(0.85)
    assert result.intents["mixed"].threshold == pytest.approx(0.99)
    assert result.intents["mixed"].n_correct == result.intents["mixed"].n_selected == 40


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.5, 1.0), st.booleans(), st.sampled_from("abc")), max_size=400)
)
def test_the_pooled_selection_shows_the_target(data: list[tuple[float, bool, str]]) -> None:
    evidence = Evidence(
        [k for *_, k in data], [c for c, *_ in data], [o for _, o, _ in data], ["a", "b", "c"]
    )
    result = calibrate(evidence, target=0.9, min_support=10, max_oos_share=None)
    chosen = [
        o
        for c, o, k in data
        if (t := result.intents[k].threshold) is not None and c >= t and c >= result.floor
    ]
    if chosen:
        assert len(chosen) >= 10 and clopper_pearson_lower(sum(chosen), len(chosen)) >= 0.9
        for intent in result.automatable():
            entry = result.intents[intent]
            assert entry.n_correct / entry.n_selected >= 0.9 or entry.n_selected >= 10


def test_the_real_time_tfidf_matches_scikit_learns() -> None:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from criterio.analysis.intents.classifier import _tfidf

    texts = ["my card has not arrived", "I want a refund, my card", "hola tarjeta", "zzz"]
    for vectorizer in (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2),
    ):
        vectorizer.fit(texts)
        new = ["my card card arrived?", "", "nothing known here qq", "refund refund refund"]
        expected = vectorizer.transform(new).toarray()
        assert np.allclose(_tfidf(vectorizer, new).toarray(), expected, atol=1e-12)


@pytest.mark.parametrize("intents", [2, 3])
def test_the_real_time_scores_match_the_sparse_features(intents: int) -> None:
    import numpy as np

    from criterio.analysis.intents.classifier import FEW, IntentClassifier, _scores

    examples = {
        "card_arrival": ["my card has not arrived", "where is my new card", "card not here yet"],
        "refund": ["I want a refund", "give me my money back", "refund my order please"],
        "pin": ["I forgot my pin", "change the pin of my card", "pin blocked"],
    }
    chosen = sorted(examples)[:intents]
    texts = [t for k in chosen for t in examples[k]]
    labels = [k for k in chosen for _ in examples[k]]
    model = IntentClassifier(encoder="static", calibration_folds=2).fit(texts, labels)
    new = ["my card card arrived?", "", "refund for the pin", "zzz qq"]
    expected = _scores(model.model_, model._features(new))
    assert len(new) <= FEW and expected.shape == (len(new), intents)
    assert np.allclose(model._few_scores(new), expected, atol=1e-9)
    # predict_proba takes the real-time path for a few texts: the same probabilities.
    many = new * (FEW // len(new) + 1)
    assert np.allclose(model.predict_proba(new), model.predict_proba(many)[: len(new)])


def _grouped(taken: list[str]) -> Evidence:
    """Intents a and b right at 0.6-0.9; 400 unseen rows at 0.7-0.8 in two groups of
    intents left out, each group taken for the intents in ``taken`` (one per group)."""
    conf = [0.6 + i / 1000 for i in range(300)]
    return Evidence(
        predicted=["a"] * 300 + ["b"] * 300,
        confidence=conf + conf,
        correct=[True] * 600,
        intents=["a", "b"],
        unseen=[0.7 + (i % 200) / 2000 for i in range(400)],
        unseen_predicted=[taken[0]] * 200 + [taken[1]] * 200,
        unseen_group=[0] * 200 + [1] * 200,
    )


def test_per_intent_floors_that_hold_on_left_out_unseen_intents_are_kept() -> None:
    # Both groups of unseen intents are taken for "a": floors chosen on one group keep
    # the other out too, so "b" keeps all its traffic.
    result = calibrate(_grouped(["a", "a"]), target=0.9, oos_budget="per_intent")
    assert result.oos_check is not None and result.oos_check["budget"] is not None
    assert result.intents["b"].threshold == pytest.approx(0.6)
    assert result.oos_floor is None


def test_per_intent_floors_that_fail_on_left_out_unseen_intents_fall_back_to_one_floor() -> None:
    # One group is taken for "a", the other for "b": floors chosen without a group leave
    # its intent open, so the allocation does not hold and one floor applies to both.
    result = calibrate(_grouped(["a", "b"]), target=0.9, oos_budget="per_intent")
    assert result.oos_check == {"budget": None, "checked": True, "held_out_passed": 400, "n": 400}
    assert result.oos_floor is not None and result.floor == result.oos_floor
    for entry in result.intents.values():
        assert entry.threshold is None or entry.threshold >= result.oos_floor


def _margin_evidence() -> Evidence:
    """Intent "a": 300 right predictions, sure of themselves (0.999) but with margins from
    0.70 up; unseen traffic also at 0.999 confidence, but never far ahead of a second
    intent (margins up to 0.9)."""
    margins = [round(0.7 + i / 1000, 3) for i in range(300)]
    return Evidence(
        predicted=["a"] * 300,
        confidence=[0.999] * 300,
        correct=[True] * 300,
        intents=["a"],
        unseen=[0.999] * 1000,
        unseen_predicted=["a"] * 1000,
        unseen_group=[i % 5 for i in range(1000)],
        margin=margins,
        unseen_margin=[round(0.4 + i / 2000, 4) for i in range(1000)],
    )


def test_the_oos_floor_is_on_the_margin_when_the_evidence_has_margins() -> None:
    evidence = _margin_evidence()
    assert Evidence.from_dict(evidence.to_dict()) == evidence
    by_margin = calibrate(evidence, target=0.9)
    assert by_margin.oos_floor is None and by_margin.margin_floor is not None
    assert 0.88 < by_margin.margin_floor < 0.9
    passed = sum(m >= by_margin.margin_floor for m in evidence.unseen_margin)
    assert beta.ppf(0.95, passed + 1, 1000 - passed) <= 0.02
    # Only the rows at or above the margin floor count for the threshold.
    entry = by_margin.intents["a"]
    assert entry.threshold == 0.999
    assert entry.n_selected == sum(m >= by_margin.margin_floor for m in evidence.margin)
    # On the confidence, unseen traffic is as sure as the intent's own rows: nothing.
    by_confidence = calibrate(evidence, target=0.9, oos_score="confidence")
    assert by_confidence.margin_floor is None and by_confidence.automatable() == []
    assert by_margin.to_dict()["margin_floor"] == by_margin.margin_floor


def test_the_margin_is_asked_for_only_where_the_evidence_has_it() -> None:
    old = Evidence(["a"] * 40, [0.9] * 40, [True] * 40, ["a"], unseen=[0.5] * 200)
    assert not old.has_margins()
    assert calibrate(old, target=0.9).margin_floor is None  # the confidence, as before
    with pytest.raises(ValueError, match="no margins"):
        calibrate(old, target=0.9, oos_score="margin")
    with pytest.raises(ValueError, match="oos_score"):
        calibrate(_margin_evidence(), target=0.9, oos_score="entropy")


def test_evidence_keeps_the_margin_of_every_row() -> None:
    texts = [f"card {i}" for i in range(20)] + [f"loan {i}" for i in range(20)]
    texts += [f"fee {i}" for i in range(20)] + [f"odd {i}" for i in range(20)]
    labels = ["card"] * 20 + ["loan"] * 20 + ["fee"] * 20 + ["odd"] * 20
    evidence = cross_validated_evidence(_Majority, texts, labels, folds=5)
    assert evidence.has_margins()
    # _Majority: 0.9 against 0.1 for each other label, normalised; unseen words: all even.
    assert evidence.margin[0] == pytest.approx((0.9 - 0.1) / 1.2)
    assert set(evidence.unseen_margin) == {0.0}
    # Four intents, ten groups asked for: one intent left out at a time.
    assert sorted(set(evidence.unseen_group)) == [0, 1, 2, 3]
