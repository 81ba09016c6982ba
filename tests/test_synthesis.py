"""Synthesis maths: known values, invariants (hypothesis) and input errors."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import synthesis as syn
from portal.synthesis import Evidence

PHI_2 = 0.5 * math.erfc(-2 / math.sqrt(2))  # Phi(2) = 0.97725

levels = st.floats(min_value=1, max_value=5, allow_nan=False)
sds = st.floats(min_value=0.05, max_value=3, allow_nan=False)
sources = st.sampled_from(syn.SOURCES)
evidence_lists = st.lists(st.builds(Evidence, sources, levels, sds), min_size=1, max_size=6)


# --- known values -----------------------------------------------------------------

def test_probability_meets_known_value():
    assert syn.probability_meets(3.5, 0.5, 3) == pytest.approx(PHI_2)
    assert PHI_2 == pytest.approx(0.97725, abs=1e-5)


@pytest.mark.parametrize(("level", "sd", "target", "expected"), [
    (2.5, 1.0, 3, 0.5),          # exactly at the lower edge of the target band
    (3.0, 0.5, 3, 0.5 * math.erfc(-1 / math.sqrt(2))),   # at the target: Phi(1)
    (1.0, 0.1, 5, 0.0),          # far below: rounds to 0
    (5.0, 0.1, 1, 1.0),          # far above
])
def test_probability_meets_values(level, sd, target, expected):
    assert syn.probability_meets(level, sd, target) == pytest.approx(expected, abs=1e-12)


def test_combine_two_equal_sources_gives_mean_and_sd_over_root_two():
    level, sd = syn.combine([Evidence("interview", 2.0, 0.6), Evidence("interview", 4.0, 0.6)])
    assert level == pytest.approx(3.0)
    assert sd == pytest.approx(0.6 / math.sqrt(2))


def test_combine_equal_custom_weights_across_sources():
    ev = [Evidence("test", 2.0, 0.6), Evidence("reference", 4.0, 0.6)]
    level, sd = syn.combine(ev, weights={"test": 1.0, "reference": 1.0})
    assert (level, sd) == pytest.approx((3.0, 0.6 / math.sqrt(2)))


def test_combine_default_weights_favour_interview():
    # interview weight 1 / 0.25 = 4, test weight 0.5 / 0.25 = 2 -> (4*4 + 2*1) / 6 = 3
    level, sd = syn.combine([Evidence("interview", 4.0, 0.5), Evidence("test", 1.0, 0.5)])
    assert level == pytest.approx(3.0)
    assert sd == pytest.approx(math.sqrt(16 * 0.25 + 4 * 0.25) / 6)


def test_combine_inverse_variance_favours_precise_evidence():
    level, sd = syn.combine([Evidence("interview", 2.0, 0.5), Evidence("interview", 5.0, 1.0)],
                            weights={"interview": 1})
    # weights 4 and 1 -> (8 + 5) / 5; sd = 1 / sqrt(4 + 1)
    assert level == pytest.approx(13 / 5)
    assert sd == pytest.approx(1 / math.sqrt(5))


def test_combine_weight_zero_leaves_source_out():
    level, sd = syn.combine([Evidence("interview", 4.0, 0.5), Evidence("reference", 1.0, 0.2)],
                            weights={"interview": 1, "reference": 0})
    assert (level, sd) == pytest.approx((4.0, 0.5))


def test_percentile_evidence_median_is_middle_anchor():
    ev = syn.percentile_evidence(50, None)
    assert ev.source == "test"
    assert ev.level == pytest.approx(3.0)
    assert ev.sd == pytest.approx(syn.TEST_SD_UNKNOWN)


@pytest.mark.parametrize(("p", "direction", "level"), [
    (0, 1, 1.0), (100, 1, 5.0), (75, 1, 4.0), (75, -1, 2.0), (10, -1, 4.6),
])
def test_percentile_evidence_levels(p, direction, level):
    assert syn.percentile_evidence(p, None, direction=direction).level == pytest.approx(level)


def test_percentile_evidence_sd_from_wide_band():
    # band 20..80 = 2.4 level units wide = 2 * 1.645 sd
    ev = syn.percentile_evidence(50, (20, 80))
    assert ev.sd == pytest.approx(2.4 / (2 * 1.6448536269514722))
    assert ev.sd > syn.TEST_SD_FLOOR


def test_percentile_evidence_narrow_band_hits_validity_floor():
    assert syn.percentile_evidence(50, (45, 55)).sd == syn.TEST_SD_FLOOR
    assert syn.percentile_evidence(50, (45, 55), sd_floor=0.1).sd == pytest.approx(
        0.4 / (2 * 1.6448536269514722))


def test_rating_evidence_known_mean_and_sd_with_spread_above_floor():
    ev = syn.rating_evidence([2, 3, 5])  # sample variance 7/3 > 0.36
    assert ev.source == "interview"
    assert ev.level == pytest.approx(10 / 3)
    assert ev.sd == pytest.approx(math.sqrt((7 / 3) / 3))


def test_rating_evidence_agreeing_raters_use_rater_sd_floor():
    ev = syn.rating_evidence([4, 4])
    assert ev.level == 4
    assert ev.sd == pytest.approx(0.6 / math.sqrt(2))
    assert syn.rating_evidence([3]).sd == pytest.approx(0.6)
    assert syn.rating_evidence([3], rater_sd=0.5).sd == pytest.approx(0.5)


@pytest.mark.parametrize(("ratings", "flag"), [
    ([3, 3, 3], False), ([2, 3, 3.5], False), ([1.1, 3], False),
    ([2, 4], True), ([3, 1, 2], True), ([1, 5], True),
    ([3.3, 1.3], True),  # 3.3 - 1.3 == 1.9999999999999998 in floating point
])
def test_disagreement_at_two_points(ratings, flag):
    assert syn.disagreement(ratings) is flag


def test_overall_fit_known_values():
    result = syn.overall_fit([(2, 0.9, True), (1, 0.3, False), (1, 0.4, True)])
    assert result["fit"] == pytest.approx((1.8 + 0.3 + 0.4) / 4)
    assert result["sd"] == pytest.approx(math.sqrt(4 * 0.09 + 0.21 + 0.24) / 4)
    assert result["musts_met"] is False
    assert result["unmet_musts"] == [2]


def test_overall_fit_all_musts_met_at_exactly_half():
    result = syn.overall_fit([(1, 0.5, True), (1, 1.0, True)])
    assert result["musts_met"] is True and result["unmet_musts"] == []
    assert result["fit"] == pytest.approx(0.75)


def test_agreement_known_values():
    # threshold 1.96 * sqrt(0.5) = 1.386
    assert syn.agreement([Evidence("test", 2.0, 0.5), Evidence("interview", 3.3, 0.5)]) == "agree"
    assert syn.agreement([Evidence("test", 2.0, 0.5), Evidence("interview", 3.5, 0.5)]) == "discrepant"
    assert syn.agreement([Evidence("reference", 1.0, 0.1)]) == "agree"
    three = [Evidence("test", 3.0, 0.3), Evidence("interview", 3.2, 0.3), Evidence("reference", 4.5, 0.3)]
    assert syn.agreement(three) == "discrepant"


def test_bands_overlap_known_values():
    # 90 % half-widths 1.645 * 0.3 = 0.49 each: separated by more than 0.99 -> no overlap
    assert syn.bands_overlap((3.0, 0.3), (3.9, 0.3)) is True
    assert syn.bands_overlap((3.0, 0.3), (4.1, 0.3)) is False
    assert syn.bands_overlap((3.0, 0.3), (4.1, 0.3), z=2) is True


# --- properties -------------------------------------------------------------------

@given(evidence_lists)
def test_combined_sd_not_above_smallest_input_sd_for_unit_weights(evidence):
    level, sd = syn.combine(evidence, weights=dict.fromkeys(syn.SOURCES, 1.0))
    assert sd <= min(e.sd for e in evidence) * (1 + 1e-9)
    assert min(e.level for e in evidence) - 1e-9 <= level <= max(e.level for e in evidence) + 1e-9


@given(evidence_lists)
def test_combined_level_on_scale_with_default_weights(evidence):
    level, sd = syn.combine(evidence)
    assert 1 <= level <= 5
    assert sd > 0


@given(levels, levels, sds, levels)
def test_probability_monotone_in_level(a, b, sd, target):
    lo, hi = sorted((a, b))
    assert syn.probability_meets(lo, sd, target) <= syn.probability_meets(hi, sd, target)


@given(levels, sds, levels, levels)
def test_probability_decreasing_in_target_and_in_unit_interval(level, sd, t1, t2):
    lo, hi = sorted((t1, t2))
    p_lo, p_hi = syn.probability_meets(level, sd, lo), syn.probability_meets(level, sd, hi)
    assert 0 <= p_hi <= p_lo <= 1


@given(st.lists(st.tuples(st.floats(min_value=0.01, max_value=10),
                          st.floats(min_value=0, max_value=1), st.booleans()),
                min_size=1, max_size=10))
def test_overall_fit_in_unit_interval(items):
    result = syn.overall_fit(items)
    assert 0 <= result["fit"] <= 1
    assert 0 <= result["sd"] <= 0.5 + 1e-12
    assert result["unmet_musts"] == [i for i, (_, p, must) in enumerate(items) if must and p < 0.5]
    assert result["musts_met"] is (not result["unmet_musts"])


@given(st.lists(levels, min_size=1, max_size=8))
def test_rating_evidence_sd_at_least_floor_over_root_n(ratings):
    ev = syn.rating_evidence(ratings)
    assert ev.sd >= 0.6 / math.sqrt(len(ratings)) * (1 - 1e-12)
    assert syn.disagreement(ratings) is (max(ratings) - min(ratings) >= 2 - 1e-9)


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_percentile_evidence_monotone_and_mirrored(p1, p2):
    lo, hi = sorted((p1, p2))
    assert syn.percentile_evidence(lo, None).level <= syn.percentile_evidence(hi, None).level
    up, down = syn.percentile_evidence(p1, None), syn.percentile_evidence(p1, None, direction=-1)
    assert up.level + down.level == pytest.approx(6.0)


@settings(max_examples=50)
@given(levels, sds, levels, sds)
def test_bands_overlap_symmetric(l1, s1, l2, s2):
    assert syn.bands_overlap((l1, s1), (l2, s2)) is syn.bands_overlap((l2, s2), (l1, s1))
    assert syn.bands_overlap((l1, s1), (l1, s2)) is True


# --- errors -----------------------------------------------------------------------

@pytest.mark.parametrize(("source", "level", "sd"), [
    ("interview", 0.9, 0.5), ("interview", 5.1, 0.5), ("interview", math.nan, 0.5),
    ("test", 3, 0), ("test", 3, -0.1), ("test", 3, math.inf), ("gut feeling", 3, 0.5),
])
def test_evidence_rejects_bad_values(source, level, sd):
    with pytest.raises(ValueError):
        Evidence(source, level, sd)


def test_combine_rejects_empty_and_bad_weights():
    with pytest.raises(ValueError, match="no evidence"):
        syn.combine([])
    ev = [Evidence("reference", 3, 0.5)]
    with pytest.raises(ValueError, match="no weight"):
        syn.combine(ev, weights={"interview": 1})
    with pytest.raises(ValueError):
        syn.combine(ev, weights={"reference": -1})
    with pytest.raises(ValueError, match="weight 0"):
        syn.combine(ev, weights={"reference": 0})


@pytest.mark.parametrize("ratings", [[], [0], [3, 6], [math.nan]])
def test_ratings_rejected(ratings):
    with pytest.raises(ValueError):
        syn.rating_evidence(ratings)
    with pytest.raises(ValueError):
        syn.disagreement(ratings)


def test_rating_evidence_rejects_bad_rater_sd():
    with pytest.raises(ValueError):
        syn.rating_evidence([3], rater_sd=0)


@pytest.mark.parametrize(("p", "band", "direction"), [
    (-1, None, 1), (101, None, 1), (50, (60, 40), 1), (50, (-5, 40), 1), (50, None, 0),
])
def test_percentile_evidence_rejects_bad_input(p, band, direction):
    with pytest.raises(ValueError):
        syn.percentile_evidence(p, band, direction=direction)


@pytest.mark.parametrize(("level", "sd", "target"), [(0, 0.5, 3), (3, 0, 3), (3, -1, 3), (3, 0.5, 6)])
def test_probability_meets_rejects_bad_input(level, sd, target):
    with pytest.raises(ValueError):
        syn.probability_meets(level, sd, target)


@pytest.mark.parametrize("items", [[], [(1, 1.2, False)], [(-1, 0.5, False)], [(0, 0.5, True)]])
def test_overall_fit_rejects_bad_input(items):
    with pytest.raises(ValueError):
        syn.overall_fit(items)


def test_discrepant_pairs_name_the_higher_source_first():
    test, interview, reference = (Evidence("test", 4.5, 0.4), Evidence("interview", 2.0, 0.4),
                                  Evidence("reference", 2.2, 0.4))
    pairs = syn.discrepant_pairs([interview, test, reference])
    assert [(hi.source, lo.source) for hi, lo in pairs] == [("test", "interview"), ("test", "reference")]
    assert syn.discrepant_pairs([interview, reference]) == []


def test_agreement_and_bands_reject_bad_input():
    with pytest.raises(ValueError):
        syn.agreement([])
    with pytest.raises(ValueError):
        syn.bands_overlap((3, 0), (3, 0.5))


def test_combine_rejects_non_evidence():
    with pytest.raises(TypeError):
        syn.combine([(3.0, 0.5)])
