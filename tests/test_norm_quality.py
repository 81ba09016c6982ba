"""Norm quality gates on constructed protocols."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from norms import build_norm_table
from norms.quality import GATES, Protocol, apply_gates

T0 = datetime(2026, 12, 1, 9, 0)


def logic(person, day, theta=0.0, **kw):
    return Protocol(person, "logic", T0 + timedelta(days=day) if day is not None else None,
                    scores={"logic.theta": theta}, se={"logic.theta": 0.33}, estimator={"logic.theta": "wle"},
                    n_answers=kw.pop("n_answers", 30), **kw)


def test_each_gate_removes_what_it_should_and_counts_it():
    protocols = [
        logic("p1", 0, 0.1),
        logic("p2", None),                      # not finished
        logic("p3", 1, timed_out=True),         # ended by the time limit
        logic("p4", 2, 0.4), logic("p4", 5, 0.9),  # retest: the first completed one is kept
        logic("p5", 3, n_rapid=4),              # 4/30 = 13 % rapid guesses
        logic("p6", 3, 0.2, n_rapid=3),         # 10 %: kept
        Protocol("p7", "personality", T0, scores={"personality.ES": 3.2}, validity_flags=("long_string",)),
        Protocol("p7", "personality", T0 + timedelta(days=1), scores={"personality.ES": 3.9}),  # retest of a flagged one
        Protocol("p1", "personality", T0, scores={"personality.ES": 3.5}),  # other test of p1: not a duplicate
    ]
    sample = apply_gates(protocols)
    assert list(sample.removed) == list(GATES)
    assert sample.removed == {"incomplete": 2, "duplicate": 2, "rapid_guessing": 1, "validity_flagged": 1}
    assert sample.scores == {"logic.theta": [0.1, 0.4, 0.2], "personality.ES": [3.5]}
    assert sample.latent_se == {"logic.theta": [0.33] * 3} and sample.latent_estimator["logic.theta"] == ["wle"] * 3
    assert sample.persons == 3 and sample.n == 1 and sample.provisional
    record = sample.record()
    assert record["removed"]["duplicate"] == 2 and record["provisional"] and record["settings"]["max_rapid_share"] == 0.1


def test_the_first_completed_protocol_wins_whatever_the_order_given():
    sample = apply_gates([logic("p", 5, 0.9), logic("p", None), logic("p", 2, 0.4)])
    assert sample.scores["logic.theta"] == [0.4]
    assert sample.removed["incomplete"] == 1 and sample.removed["duplicate"] == 1


def test_options():
    protocols = [logic("a", 0, timed_out=True), logic("b", 0, n_rapid=30),
                 Protocol("c", "personality", T0, scores={"personality.ES": 3.0}, validity_flags=("too_fast",))]
    sample = apply_gates(protocols, include_timeouts=True, max_rapid_share=1.0, exclude_flagged=False)
    assert sum(sample.removed.values()) == 0 and len(sample.kept) == 3


def test_provisional_below_200_and_not_from_200():
    protocols = [logic(f"p{i}", 0, (i % 7) / 7) for i in range(200)]
    assert not apply_gates(protocols).provisional
    assert apply_gates(protocols[:199]).provisional
    assert apply_gates([]).provisional and apply_gates([]).n == 0


def test_the_sample_feeds_the_norm_builder():
    sample = apply_gates([logic(f"p{i}", 0, (i % 9) / 4 - 1) for i in range(50)])
    document, warnings = build_norm_table(
        "local_test", version="1", label={"sv": "Test", "en": "Test"}, scores=sample.scores,
        latent_se=sample.latent_se, latent_estimator=sample.latent_estimator,
        method={"sv": "Test.", "en": "Test."}, source="tests", built_on=T0.date())
    assert document["scales"]["logic.theta"]["n"] == 50 and any("below" in w for w in warnings)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        apply_gates([], max_rapid_share=1.5)
    with pytest.raises(ValueError):
        apply_gates([], min_n=1)
