"""Adverse impact: hand-computed cases, suppression of small groups, Fisher's exact test."""
from __future__ import annotations

import math

import pytest

from norms import fairness


def test_250_of_1000_against_270_of_1000_is_not_flagged():
    result = fairness.adverse_impact({"women": (250, 1000), "men": (270, 1000)})
    women = result.group("women")
    assert result.comparison == "men"
    assert women.selection_rate == 0.25 and women.impact_ratio == pytest.approx(0.25 / 0.27)
    # pooled p = 0.26; SE = sqrt(0.26 * 0.74 * 2 / 1000) = 0.019616; z = -0.02 / 0.019616 = -1.0196
    assert women.test == "z" and women.p_value == pytest.approx(0.30794, abs=1e-4)
    assert not women.four_fifths and not women.significant and not women.flagged and not result.flagged
    # Katz log CI: ln(0.9259) +- 1.96 sqrt(1/250 - 1/1000 + 1/270 - 1/1000)
    half = 1.959964 * math.sqrt(1 / 250 - 1 / 1000 + 1 / 270 - 1 / 1000)
    assert women.ci_low == pytest.approx(0.25 / 0.27 * math.exp(-half), rel=1e-5)
    assert women.ci_high == pytest.approx(0.25 / 0.27 * math.exp(half), rel=1e-5)


def test_an_impact_ratio_of_070_is_flagged():
    result = fairness.adverse_impact({"a": (140, 1000), "b": (200, 1000)})
    a = result.group("a")
    assert a.impact_ratio == pytest.approx(0.70)
    assert a.four_fifths and a.significant and a.flagged and result.flagged
    assert a.ci_high < 1.0


def test_a_four_fifths_shortfall_in_small_groups_is_shown_but_not_confirmed():
    result = fairness.adverse_impact({"a": (6, 40), "b": (10, 40)})
    a = result.group("a")
    assert a.impact_ratio == pytest.approx(0.6) and a.four_fifths and not a.significant and not a.flagged


def test_groups_under_30_are_suppressed():
    result = fairness.adverse_impact({"a": (100, 400), "b": (120, 400), "tiny": (29, 29)})
    tiny = result.group("tiny")
    assert tiny.suppressed
    assert all(getattr(tiny, f) is None for f in ("n", "selected", "selection_rate", "impact_ratio", "p_value",
                                                  "flagged"))
    # the suppressed group, though its rate is highest, is not the comparison group
    assert result.comparison == "b"
    assert not fairness.adverse_impact({"a": (10, 30), "b": (10, 30)}, min_group=31).groups[0].selection_rate
    only_one = fairness.adverse_impact({"a": (10, 40), "b": (3, 20)})
    assert only_one.comparison is None and only_one.group("b").suppressed


@pytest.mark.parametrize("table, p", [
    ([[8, 2], [1, 5]], 0.034965),    # Agresti's and SciPy's textbook example
    ([[3, 1], [1, 3]], 0.485714),    # Fisher's tea-tasting experiment, two-sided (34/70)
    ([[0, 10], [10, 0]], 2 / 184756),  # two extreme tables of C(20, 10)
])
def test_fisher_exact_known_values(table, p):
    assert fairness.fisher_exact(table) == pytest.approx(p, rel=1e-5)


def test_small_cells_use_fisher():
    result = fairness.adverse_impact({"a": (1, 30), "b": (5, 40)})
    assert result.group("a").test == "fisher"
    assert result.group("a").p_value == pytest.approx(fairness.fisher_exact([[1, 29], [5, 35]]))


def test_zero_selected_has_a_finite_interval():
    low, high = fairness.impact_ratio_ci(0, 100, 30, 100)
    assert 0 < low < high < 1


def test_selection_counts():
    counts = fairness.selection_counts([1.0, -0.5, 0.2, 0.3, 2.0], ["a", "a", "b", None, "b"], 0.2)
    assert counts == {"a": (1, 2), "b": (2, 2)}


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        fairness.adverse_impact({"a": (12, 10), "b": (1, 40)})
