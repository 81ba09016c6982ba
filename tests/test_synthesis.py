"""Synthesis model (portal.synthesis, docs/synthesis.md): hand-computed cases, the edge
cases of issue 12 (identical second facet, disagreeing sources, incomplete test, flagged
protocol, single source, no evidence), invariants (hypothesis) and input errors."""
from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import synthesis as syn
from portal.synthesis import Evidence


def phi(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


levels = st.floats(min_value=1, max_value=5, allow_nan=False)
sds = st.floats(min_value=0.05, max_value=3, allow_nan=False)
ratings = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=4)


# --- probability and the prior ---------------------------------------------------------

def test_meeting_the_target_uses_the_target_itself():
    assert syn.probability_meets(4.0, 0.5, 4) == pytest.approx(0.5)   # at the target: one half
    assert syn.probability_meets(4.5, 0.5, 4) == pytest.approx(phi(1.0))
    # A mean of 3.6 is not a met target of 4 (the old "target - 0.5" rule said 0.58).
    assert syn.probability_meets(3.6, 0.5, 4) == pytest.approx(phi(-0.8)) and phi(-0.8) < 0.25


def test_no_evidence_gives_the_prior():
    a = syn.assess([], 4)
    assert (a.level, a.sd) == (3.0, 1.0) and a.probability == pytest.approx(phi(-1.0))
    assert a.q is None and not a.disagree and a.follow_up is None


# --- test evidence -----------------------------------------------------------------------

def test_scale_score_reads_the_percentile_band_as_an_se():
    z, se = 0.0, 0.3
    low, high = (100 * phi(z + k * syn.Z90 * se) for k in (-1, 1))
    score = syn.scale_score("logic.theta", 50.0, (low, high))
    assert score.z == pytest.approx(0.0) and score.se == pytest.approx(0.3, abs=1e-9)
    # A band end clipped at 99.9 is no estimate: the other end is used alone.
    top = syn.scale_score("logic.theta", 99.9, (97.0, 99.9))
    assert top.se == pytest.approx((top.z - syn._N.inv_cdf(0.97)) / syn.Z90)
    assert syn.scale_score("logic.theta", 50.0, None).se == syn.DEFAULT_PARAMS.se_unknown


def test_one_scale_is_its_score_over_its_validity():
    """One scale: estimate y / rho, SD sqrt(1 - rho^2 + s^2) / rho (level = 3 + z)."""
    e = syn.instrument_evidence([syn.ScaleScore("logic.theta", 1.0, 0.3)])
    assert e.level == pytest.approx(3 + 1.0 / 0.5)
    assert e.sd == pytest.approx(math.sqrt(1 - 0.25 + 0.09) / 0.5)
    assert (e.source, e.instrument, e.scales) == ("test", "logic", ("logic.theta",))


def test_a_test_alone_is_discounted_for_its_validity():
    """The issue's case: a test result alone at the 84th percentile (SE 0.3) gave a 96 %
    probability of level 4. Through a validity of .5 and the prior it is about 27 %."""
    e = syn.instrument_evidence([syn.ScaleScore("logic.theta", 1.0, 0.3)])
    a = syn.assess([e], 4)
    info = 0.25 / (0.75 + 0.09)  # rho^2 / (1 - rho^2 + s^2)
    level, sd = (3 + info * 5.0) / (1 + info), 1 / math.sqrt(1 + info)  # evidence at 3 + 1 / .5
    assert (a.level, a.sd) == (pytest.approx(level), pytest.approx(sd))
    assert a.probability == pytest.approx(phi((level - 4) / sd)) and 0.2 < a.probability < 0.35
    assert syn.alone(e) == (pytest.approx(level), pytest.approx(sd))


def test_an_identical_second_facet_adds_almost_nothing():
    """Two facets measuring the same thing (r = 1) with the same score: the composite's
    information grows only by the second measurement error's share,
    2 (1 - rho^2 + s^2) / ((1 - rho^2 + s^2) + (1 - rho^2)), not 2x (it was .57 -> .83)."""
    rho, s = 0.25, 0.55
    one = syn.ScaleScore("personality.CO.order", 1.0, s)
    two = syn.ScaleScore("personality.CO.dependability", 1.0, s)
    single = syn.instrument_evidence([one])
    double = syn.instrument_evidence([one, two], correlation=lambda a, b: 1.0)
    unique = 1 - rho ** 2 + s ** 2
    assert (single.sd / double.sd) ** 2 == pytest.approx(2 * unique / (unique + 1 - rho ** 2))
    assert double.level == pytest.approx(single.level)
    p1, p2 = syn.assess([single], 4).probability, syn.assess([double], 4).probability
    assert 0 < p2 - p1 < 0.03


def test_two_facets_of_one_domain_count_with_their_correlation():
    """Facets of one domain correlate .55: the pair is worth 2 / (1 + r') of one facet,
    r' their error correlation, less than two independent facets."""
    rho, s, r = 0.25, 0.55, 0.55
    a = syn.ScaleScore("personality.CO.order", 1.0, s)
    b = syn.ScaleScore("personality.CO.dependability", 1.0, s)
    pair = syn.instrument_evidence([a, b])
    diag, off = 1 - rho ** 2 + s ** 2, r - rho ** 2
    info = 2 * rho ** 2 / (diag + off)
    assert pair.sd == pytest.approx(1 / math.sqrt(info))
    independent = syn.instrument_evidence([a, b], correlation=lambda x, y: rho ** 2)
    assert independent.sd < pair.sd


def test_a_reversed_link_mirrors_the_score():
    up = syn.instrument_evidence([syn.ScaleScore("personality.ES", 1.0, 0.35, direction=1)])
    down = syn.instrument_evidence([syn.ScaleScore("personality.ES", -1.0, 0.35, direction=-1)])
    assert up.level == pytest.approx(down.level) and up.sd == pytest.approx(down.sd)


@pytest.mark.parametrize(("discount", "factor"), [("incomplete", 0.5), ("flagged", 0.5)])
def test_incomplete_test_and_flagged_protocol_count_at_half_weight(discount, factor):
    scale = "logic.theta" if discount == "incomplete" else "personality.CO"
    full = syn.instrument_evidence([syn.ScaleScore(scale, 1.0, 0.4)])
    cut = syn.instrument_evidence([syn.ScaleScore(scale, 1.0, 0.4, discount=discount)])
    assert cut.level == pytest.approx(full.level)
    assert (full.sd / cut.sd) ** 2 == pytest.approx(factor)
    assert cut.discounts == (discount,) and full.discounts == ()


def test_validity_of_a_link_overrides_the_instruments_default():
    e = syn.instrument_evidence([syn.ScaleScore("personality.CO", 1.0, 0.35, validity=0.4)])
    assert e.level == pytest.approx(3 + 1.0 / 0.4)


# --- raters ----------------------------------------------------------------------------

def test_interview_evidence_known_values():
    """[4, 4]: rater variance (4 x 0.36 + 1 x 0) / 5 = 0.288; variance 0.5^2 + 0.288 / 2."""
    e = syn.interview_evidence([4, 4])
    assert e.level == 4.0 and e.sd == pytest.approx(math.sqrt(0.25 + 0.144)) and e.n == 2
    assert e.discounts == () and not e.raters_disagree
    wide = syn.interview_evidence([3, 5])  # s^2 = 2: (1.44 + 2) / 5 = 0.688
    assert wide.sd == pytest.approx(math.sqrt(0.25 + 0.688 / 2)) and wide.raters_disagree


def test_single_interviewer_counts_less_than_two_and_says_so():
    one, two = syn.interview_evidence([4]), syn.interview_evidence([4, 4])
    assert one.sd == pytest.approx(math.sqrt(0.25 + 0.36)) and one.sd > two.sd
    assert one.discounts == ("single_rater",)


@pytest.mark.parametrize(("values", "flag"), [([3, 5], True), ([3, 4], False), ([4], False),
                                              ([2, 3, 4], False), ([1, 3, 5], True)])
def test_rater_disagreement_is_a_chi_square_test(values, flag):
    assert syn.raters_disagree(values) is flag


def test_reference_evidence_removes_leniency():
    e = syn.reference_evidence([4])
    assert e.level == pytest.approx(3.5) and e.sd == pytest.approx(math.sqrt(1.0 + 0.64))
    assert e.discounts == ("single_referee",)


# --- combining ----------------------------------------------------------------------------

def test_single_source_posterior_known_values():
    e = syn.interview_evidence([4, 4])
    a = syn.assess([e], 4)
    v = 0.25 + 0.144
    precision = 1 + 1 / v
    assert a.level == pytest.approx((3 + 4 / v) / precision) and a.sd == pytest.approx(precision ** -0.5)
    assert a.probability == pytest.approx(phi((a.level - 4) / a.sd))
    assert a.shares == {"interview": pytest.approx((1 / v) / precision)}


def test_coherent_sources_are_not_flagged_and_not_inflated():
    a = syn.assess([syn.interview_evidence([4, 4]), syn.reference_evidence([4, 5])], 4)
    assert not a.disagree and a.birge == 1.0 and a.p_value > 0.05 and a.df == 1


def test_disagreeing_sources_are_flagged_and_widen_the_uncertainty():
    interview, reference = syn.interview_evidence([5, 5]), syn.reference_evidence([1, 1])
    a = syn.assess([interview, reference], 3)
    q = (interview.level - reference.level) ** 2 / (interview.sd ** 2 + reference.sd ** 2)
    assert a.q == pytest.approx(q) and a.p_value == pytest.approx(syn.chi2_sf(q, 1)) and a.p_value < 0.001
    assert a.disagree and a.birge == pytest.approx(q)
    assert a.follow_up == ("interview", "reference") and a.discrepant == ("interview", "reference")
    naive = 1 / math.sqrt(1 + 1 / interview.sd ** 2 + 1 / reference.sd ** 2)
    assert a.sd == pytest.approx(1 / math.sqrt(1 + (1 / interview.sd ** 2 + 1 / reference.sd ** 2) / q))
    assert a.sd > naive


def test_the_issues_planning_example():
    """Facets at percentiles 40 and 3, interview 3.0 (two raters), one referee at 4: the
    old synthesis said 2.7 +/- 0.3, 0 % for target 4 and "the sources disagree". Now the
    weak tests count little, nothing is flagged, and the probability is small but not 0."""
    tests = syn.instrument_evidence([syn.scale_score("personality.CO.order", 40, (22, 60)),
                                     syn.scale_score("personality.CO.dependability", 3, (1, 9))])
    a = syn.assess([tests, syn.interview_evidence([3, 3]), syn.reference_evidence([4])], 4)
    assert not a.disagree
    assert 2.8 < a.level < 3.3 and a.sd > 0.4
    assert 0.01 < a.probability < 0.1


@pytest.mark.parametrize(("x", "df", "expected"), [(3.841458820694124, 1, 0.05), (5.991464547107979, 2, 0.05),
                                                  (1.0, 1, 0.31731050786291415), (5.0, 3, 0.17179714429673354),
                                                  (0.0, 2, 1.0), (30.0, 2, math.exp(-15))])
def test_chi2_survival_known_values(x, df, expected):
    assert syn.chi2_sf(x, df) == pytest.approx(expected, rel=1e-9)


# --- the profile as a whole ---------------------------------------------------------------

def test_overall_counts_targets_and_musts():
    half = syn.assess([syn.interview_evidence([4, 4])], 3)
    rows = [syn.FitRow("a", half, 2, True), syn.FitRow("b", half, 1, False)]
    out = syn.overall(rows)
    assert out["n"] == 2 and out["expected_met"] == pytest.approx(2 * half.probability, abs=0.02)
    assert [m["key"] for m in out["musts"]] == ["a"] and out["musts"][0]["status"] == syn.must_status(half.probability)
    assert out["p_all_musts"] == pytest.approx(half.probability, abs=0.01)
    assert syn.overall([syn.FitRow("b", half)])["p_all_musts"] is None


def test_shared_evidence_makes_competencies_move_together():
    """Two must-haves resting on the same logic test: their errors correlate, so the
    chance that both are met is well above the product of the two."""
    test = syn.instrument_evidence([syn.ScaleScore("logic.theta", 0.0, 0.3)])
    a = syn.assess([test], 3)
    shared = syn.overall([syn.FitRow("x", a, must=True), syn.FitRow("y", a, must=True)])
    interview = syn.assess([syn.interview_evidence([3])], 3)
    b = syn.assess([syn.interview_evidence([3])], 3)
    separate = syn.overall([syn.FitRow("x", interview, must=True), syn.FitRow("y", b, must=True)])
    assert syn.error_correlation(a, a) > 0.2
    p = a.probability
    assert shared["p_all_musts"] > p * p + 0.03
    assert separate["p_all_musts"] < shared["p_all_musts"]


@pytest.mark.parametrize(("p", "status"), [(0.9, "likely"), (0.75, "likely"), (0.5, "uncertain"),
                                           (0.25, "unlikely"), (0.1, "unlikely")])
def test_must_status_thresholds(p, status):
    assert syn.must_status(p) == status


# --- invariants ---------------------------------------------------------------------------

@given(levels, levels, sds, st.integers(min_value=1, max_value=5))
def test_probability_monotone_in_level(a, b, sd, target):
    lo, hi = sorted((a, b))
    assert syn.probability_meets(lo, sd, target) <= syn.probability_meets(hi, sd, target) + 1e-12


@settings(max_examples=60)
@given(ratings, ratings)
def test_posterior_is_between_prior_and_evidence_and_narrower_than_the_prior(interview, refs):
    e = [syn.interview_evidence(interview), syn.reference_evidence(refs)]
    a = syn.assess(e, 3)
    assert a.sd < 1.0 and 0 <= a.probability <= 1 and 0 <= a.p_value <= 1
    values = [3.0] + [x.level for x in e]
    assert min(values) - 1e-9 <= a.level <= max(values) + 1e-9


@settings(max_examples=60)
@given(st.floats(min_value=0.1, max_value=99.9), st.floats(min_value=0.1, max_value=99.9))
def test_test_evidence_monotone_in_the_percentile(p1, p2):
    lo, hi = sorted((p1, p2))
    e = [syn.instrument_evidence([syn.scale_score("logic.theta", p, None)]) for p in (lo, hi)]
    assert e[0].level <= e[1].level + 1e-9


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "level", "sd"), [("gut", 3, 0.5), ("test", math.nan, 0.5), ("test", 3, 0)])
def test_evidence_rejects_bad_values(source, level, sd):
    with pytest.raises(ValueError):
        Evidence(source, level, sd)


@pytest.mark.parametrize("kwargs", [{"scale": "other.x"}, {"z": math.inf}, {"se": 0}, {"direction": 2},
                                    {"validity": 1.0}, {"discount": "late"}])
def test_scale_score_rejects_bad_values(kwargs):
    values = {"scale": "logic.theta", "z": 0.0, "se": 0.3, **kwargs}
    with pytest.raises(ValueError):
        syn.ScaleScore(**values)


def test_instrument_evidence_rejects_bad_groups():
    with pytest.raises(ValueError):
        syn.instrument_evidence([])
    with pytest.raises(ValueError):
        syn.instrument_evidence([syn.ScaleScore("logic.theta", 0, 0.3), syn.ScaleScore("personality.ES", 0, 0.3)])
    with pytest.raises(ValueError):
        syn.instrument_evidence([syn.ScaleScore("personality.ES", 0, 0.3)] * 2)


@pytest.mark.parametrize("values", [[], [0], [3, 6], [math.nan]])
def test_ratings_rejected(values):
    with pytest.raises(ValueError):
        syn.interview_evidence(values)


@pytest.mark.parametrize(("p", "band"), [(-1, None), (101, None), (50, (60, 40)), (50, (-1, 60))])
def test_scale_score_rejects_bad_percentiles(p, band):
    with pytest.raises(ValueError):
        syn.scale_score("logic.theta", p, band)


@pytest.mark.parametrize("change", [{"prior_sd": 0}, {"discount_flagged": 0}, {"alpha": 1.0},
                                    {"validity": {"logic": 1.2, "personality": 0.25}}])
def test_params_reject_bad_values(change):
    with pytest.raises(ValueError):
        replace(syn.DEFAULT_PARAMS, **change)


def test_assess_and_overall_reject_bad_input():
    with pytest.raises(ValueError):
        syn.assess([], 6)
    with pytest.raises(TypeError):
        syn.assess([(3, 0.5)], 3)
    with pytest.raises(ValueError):
        syn.overall([])
    with pytest.raises(ValueError):
        syn.overall([syn.FitRow("a", syn.assess([], 3), weight=-1)])
    with pytest.raises(ValueError):
        syn.chi2_sf(-1, 1)


# --- between candidates and the client's view (unchanged rules) ----------------------------

def test_bands_overlap_known_values():
    assert syn.bands_overlap((3.0, 0.3), (3.9, 0.3))          # 0.9 <= 1.645 * 0.6
    assert not syn.bands_overlap((3.0, 0.2), (4.0, 0.2))      # 1.0 > 0.66
    with pytest.raises(ValueError):
        syn.bands_overlap((3.0, 0), (3.0, 0.2))


@settings(max_examples=50)
@given(levels, sds, levels, sds)
def test_bands_overlap_symmetric(l1, s1, l2, s2):
    assert syn.bands_overlap((l1, s1), (l2, s2)) == syn.bands_overlap((l2, s2), (l1, s1))


def test_inseparable_groups_known_values():
    # 1 and 2 overlap, 2 and 3 overlap, 1 and 3 do not: one group through the chain;
    # 4 is far from everyone; 5 and 6 overlap. Groups in input order, never by level.
    bands = [(3.0, 0.2), (3.5, 0.2), (4.0, 0.2), (1.0, 0.1), (4.9, 0.1), (4.8, 0.1)]
    assert not syn.bands_overlap(bands[0], bands[2])
    assert syn.inseparable_groups(bands) == [[0, 1, 2], [4, 5]]
    assert syn.inseparable_groups([(2.0, 0.2), (4.0, 0.2)]) == []
    assert syn.inseparable_groups([]) == []
    with pytest.raises(ValueError):
        syn.inseparable_groups([(3.0, 0.0), (3.0, 0.2)])


@settings(max_examples=100)
@given(st.lists(st.tuples(levels, sds), max_size=25))
def test_inseparable_groups_are_the_components_of_overlap(bands):
    groups = syn.inseparable_groups(bands)
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    # every overlapping pair is in one group (or the pairwise rule would be contradicted)
    for i in range(len(bands)):
        for j in range(i + 1, len(bands)):
            if syn.bands_overlap(bands[i], bands[j]):
                assert i in group_of and group_of.get(i) == group_of.get(j), (i, j)
    # and each group is connected by overlaps (no two separate clusters merged)
    for g in groups:
        reached, frontier = {g[0]}, [g[0]]
        while frontier:
            k = frontier.pop()
            for m in g:
                if m not in reached and syn.bands_overlap(bands[k], bands[m]):
                    reached.add(m)
                    frontier.append(m)
        assert reached == set(g)
    assert all(len(g) >= 2 and g == sorted(g) for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)
