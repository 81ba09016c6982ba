"""Validity indicators on constructed response patterns."""
from __future__ import annotations

import itertools

import pytest

from item_banks.validity import (
    CODES, indicators, infrequent_answers, longest_run, pair_inconsistency,
    seconds_per_statement,
)

IDS = [f"S{i:02d}" for i in range(40)]
PAIRS = [(f"S{i:02d}", f"S{i + 20:02d}") for i in range(8)]
INFREQ = {"S38": "disagree", "S39": "disagree"}
SCORED = IDS[:38]


def flags(answers, page_times=((60.0, 10),) * 4, order=IDS):
    return {i.code: i for i in indicators(answers=answers, order=order, scored_ids=SCORED,
                                          pairs=PAIRS, infrequency=INFREQ, page_times=page_times)}


def attentive():
    """Varied answers, consistent pairs, expected infrequency answers."""
    cycle = itertools.cycle([2, 4, 3, 5, 1, 4, 2, 3])
    answers = {s: next(cycle) for s in IDS}
    for first, second in PAIRS:
        answers[second] = answers[first]
    answers["S38"], answers["S39"] = 1, 2
    return answers


def test_attentive_protocol_raises_nothing():
    result = flags(attentive())
    assert list(result) == list(CODES)
    assert not any(i.raised for i in result.values()), result


def test_straight_lining_raises_long_string_and_acquiescence():
    answers = {s: 5 for s in IDS}
    result = flags(answers)
    assert result["long_string"].raised and result["long_string"].value == 40
    assert result["acquiescence"].raised and result["acquiescence"].detail == "high"
    assert result["infrequency"].raised  # agreed with what almost everyone disagrees with


def test_nay_saying_is_acquiescence_low():
    answers = attentive()
    for s in SCORED:
        answers[s] = 1 if answers[s] <= 3 else 2
    result = flags(answers)
    assert result["acquiescence"].raised and result["acquiescence"].detail == "low"


def test_inconsistent_pairs():
    answers = attentive()
    for first, second in PAIRS:
        answers[second] = 6 - answers[first] if answers[first] != 3 else 5
    result = flags(answers)
    assert result["inconsistency"].raised and result["inconsistency"].value >= 1.5


def test_inconsistency_needs_enough_pairs():
    answers = attentive()
    for first, second in PAIRS[:5]:
        answers[second] = 1 if answers[first] >= 3 else 5
    for _, second in PAIRS[5:]:
        answers[second] = None
    result = flags(answers)
    assert result["inconsistency"].value is None and not result["inconsistency"].raised


def test_too_fast():
    result = flags(attentive(), page_times=[(12.0, 10)] * 4)
    assert result["too_fast"].raised and result["too_fast"].value == pytest.approx(1.2)
    assert not flags(attentive(), page_times=[(25.0, 10)] * 4)["too_fast"].raised


def test_no_page_times_means_no_speed_flag():
    result = flags(attentive(), page_times=())
    assert result["too_fast"].value is None and not result["too_fast"].raised


@pytest.mark.parametrize("values, run", [([], 0), ([1], 1), ([1, 1, 2, 2, 2], 3), ([3, None, 3], 1),
                                         ([4] * 10 + [2], 10)])
def test_longest_run(values, run):
    assert longest_run(values) == run


def test_pair_inconsistency_aligns_reversed_pairs():
    diff, n = pair_inconsistency({"a": 5, "b": 1}, [("a", "b")], keyed={"a": 1, "b": -1})
    assert (diff, n) == (0.0, 1)


def test_infrequency_neutral_counts_as_neither_side():
    assert infrequent_answers({"x": 3, "y": 3}, {"x": "disagree", "y": "agree"}) == 0
    assert infrequent_answers({"x": 4, "y": 2}, {"x": "disagree", "y": "agree"}) == 2


def test_seconds_per_statement_is_median_of_pages():
    assert seconds_per_statement([(10, 10), (100, 10), (30, 10)]) == 3.0


@pytest.mark.parametrize("total, raised", [(10, False), (11, True)])
def test_inconsistency_cut_off_set_by_simulation(total, raised):
    """1.3 points (item_banks.inventory_sim): 10/8 = 1.25 is not flagged, 11/8 = 1.375 is."""
    answers = attentive()
    diffs = iter([2] * (total - 8) + [1] * (16 - total))  # 8 pairs, summing to total
    for first, second in PAIRS:
        d = next(diffs)
        answers[second] = answers[first] + d if answers[first] + d <= 5 else answers[first] - d
    result = flags(answers)["inconsistency"]
    assert result.value == pytest.approx(total / 8) and result.threshold == 1.3
    assert result.raised is raised
