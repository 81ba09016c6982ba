"""The 3PL model and its estimators (item_banks.irt): known values, agreement with
brute-force integration, and monotonicity in the responses."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from item_banks import irt

FAST = settings(database=None, deadline=None, max_examples=60)


def bank(n=30, seed=0, c=0.2):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.8, 2.0, n), rng.normal(size=n), np.full(n, c)


# ----------------------------------------------------------------------------- model


@pytest.mark.parametrize("a, b, c", [(1.0, 0.0, 0.0), (1.7, -1.2, 0.2), (0.6, 2.5, 0.25), (2.4, 0.3, 0.0)])
def test_p3pl_at_difficulty_is_halfway_between_c_and_1(a, b, c):
    assert irt.p3pl(b, a, b, c) == pytest.approx(c + (1 - c) / 2)


@pytest.mark.parametrize("a, b", [(1.0, 0.0), (1.7, -1.2), (0.6, 2.5), (2.4, 0.3)])
def test_2pl_information_at_difficulty_is_a_squared_over_four(a, b):
    assert irt.information(b, a, b, 0.0) == pytest.approx(a * a / 4)


@pytest.mark.parametrize("theta", [-3.0, -0.7, 0.0, 1.1, 3.5])
def test_3pl_information_equals_squared_slope_over_variance(theta):
    a, b, c = np.array([0.9, 1.6, 2.2]), np.array([-1.0, 0.4, 1.5]), np.array([0.2, 0.25, 0.1])
    h = 1e-6
    slope = (irt.p3pl(theta + h, a, b, c) - irt.p3pl(theta - h, a, b, c)) / (2 * h)
    p = irt.p3pl(theta, a, b, c)
    np.testing.assert_allclose(irt.information(theta, a, b, c), slope**2 / (p * (1 - p)), rtol=1e-6)


def test_logistic_metric_has_no_1702_scaling():
    # a = 1, theta - b = 1: P = 1 / (1 + e^-1), not 1 / (1 + e^-1.702).
    assert irt.D == 1.0
    assert irt.p3pl(1.0, 1.0, 0.0, 0.0) == pytest.approx(1 / (1 + math.exp(-1)))


def test_shapes():
    a, b, c = bank(7)
    assert irt.p3pl(0.5, a, b, c).shape == (7,)
    assert irt.p3pl(np.zeros(4), a, b, c).shape == (4, 7)
    assert irt.information(np.zeros(4), a, b, c).shape == (4, 7)
    assert irt.p3pl(np.zeros(4), 1.0, 0.0, 0.2).shape == (4,)


def test_extreme_abilities_stay_finite_and_within_asymptotes():
    a, b, c = bank(5)
    p = irt.p3pl(np.array([-1e6, 1e6]), a, b, c)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[0], c)
    np.testing.assert_allclose(p[1], 1.0)
    assert np.all(np.isfinite(irt.information(np.array([-1e6, 1e6]), a, b, c)))


@pytest.mark.parametrize("a, c", [(0.0, 0.2), (-1.0, 0.2), (1.0, 1.0), (1.0, -0.1), (np.nan, 0.2)])
def test_invalid_parameters_are_rejected(a, c):
    with pytest.raises(ValueError):
        irt.p3pl(0.0, [a], [0.0], [c])


# ----------------------------------------------------------------------------- likelihood


def test_log_likelihood_known_value():
    a, b, c = np.array([1.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.2, 0.0])
    # At theta = 0: P = 0.5, 0.6, 0.5. Pattern 1, 0, not administered.
    value = irt.log_likelihood(0.0, [1, 0, np.nan], a, b, c)
    assert value == pytest.approx(math.log(0.5) + math.log(0.4))


def test_log_likelihood_mask_equals_nan_and_is_per_person():
    a, b, c = bank(4)
    x = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], dtype=float)
    mask = np.array([[True, True, False, True], [True, True, True, True]])
    with_nan = np.where(mask, x, np.nan)
    theta = np.array([0.3, -1.0])
    np.testing.assert_allclose(irt.log_likelihood(theta, x, a, b, c, mask=mask),
                               irt.log_likelihood(theta, with_nan, a, b, c))
    single = irt.log_likelihood(theta[1], x[1], a, b, c)
    assert irt.log_likelihood(theta, with_nan, a, b, c)[1] == pytest.approx(single)


def test_missing_items_are_not_counted_as_wrong():
    a, b, c = bank(3)
    assert irt.log_likelihood(0.0, [np.nan, np.nan, np.nan], a, b, c) == 0.0
    assert irt.eap([1, np.nan, np.nan], a, b, c)[0] > irt.eap([1, 0, 0], a, b, c)[0]


@pytest.mark.parametrize("bad", [[2, 0, 1], [0.5, 0, 1], [-1, 0, 1]])
def test_responses_must_be_zero_one_or_missing(bad):
    a, b, c = bank(3)
    with pytest.raises(ValueError, match="responses"):
        irt.eap(bad, a, b, c)


def test_log_likelihood_grid_matches_pointwise():
    a, b, c = bank(10, seed=3)
    rng = np.random.default_rng(3)
    x = np.where(rng.random((5, 10)) < 0.3, np.nan, (rng.random((5, 10)) < 0.5).astype(float))
    nodes = np.array([-2.0, 0.1, 1.7])
    grid = irt.log_likelihood_grid(x, a, b, c, nodes)
    for q, t in enumerate(nodes):
        np.testing.assert_allclose(grid[:, q], irt.log_likelihood(np.full(5, t), x, a, b, c))


# ----------------------------------------------------------------------------- EAP


def test_quadrature_is_normalised_symmetric_standard_normal():
    nodes, w = irt.quadrature()
    assert nodes.shape == w.shape == (61,)
    assert (nodes[0], nodes[-1]) == (-6.0, 6.0)
    assert w.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(w, w[::-1])
    assert w @ nodes == pytest.approx(0.0, abs=1e-12)
    assert math.sqrt(w @ nodes**2) == pytest.approx(1.0, abs=1e-6)


def test_eap_without_responses_is_the_prior():
    a, b, c = bank(5)
    theta, se = irt.eap(np.full((3, 5), np.nan), a, b, c)
    np.testing.assert_allclose(theta, 0.0, atol=1e-12)
    np.testing.assert_allclose(se, 1.0, atol=1e-6)


def test_eap_matches_fine_integration():
    a, b, c = bank(40, seed=5)
    rng = np.random.default_rng(5)
    # Low scorers included: their 3PL posterior has a long lower tail.
    x = (rng.random((200, 40)) < irt.p3pl(rng.normal(scale=1.5, size=200), a, b, c)).astype(float)
    theta, se = irt.eap(x, a, b, c)
    fine = np.linspace(-8, 8, 4001)
    ll = irt.log_likelihood_grid(x, a, b, c, fine) - 0.5 * fine**2
    w = np.exp(ll - ll.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    mean = w @ fine
    np.testing.assert_allclose(theta, mean, atol=1e-5)
    np.testing.assert_allclose(se, np.sqrt(w @ fine**2 - mean**2), atol=1e-5)


def test_eap_is_vectorised_over_persons():
    a, b, c = bank(12, seed=8)
    rng = np.random.default_rng(8)
    x = np.where(rng.random((7, 12)) < 0.4, np.nan, (rng.random((7, 12)) < 0.6).astype(float))
    theta, se = irt.eap(x, a, b, c)
    for p in range(7):
        t1, s1 = irt.eap(x[p], a, b, c)
        assert (theta[p], se[p]) == pytest.approx((float(t1), float(s1)))


def test_posterior_updates_incrementally_to_the_eap():
    a, b, c = bank(15, seed=2)
    x = np.random.default_rng(2).integers(0, 2, 15)
    post = irt.Posterior()
    for j in range(15):
        post.update(a[j], b[j], c[j], int(x[j]))
    theta, se = irt.eap(x.astype(float), a, b, c)
    assert (post.mean, post.sd) == pytest.approx((float(theta), float(se)), abs=1e-12)


def test_eap_sd_shrinks_with_more_items():
    a, b, c = bank(40, seed=4)
    x = (np.random.default_rng(4).random(40) < irt.p3pl(0.0, a, b, c)).astype(float)
    short = np.where(np.arange(40) < 5, x, np.nan)
    assert irt.eap(x, a, b, c)[1] < irt.eap(short, a, b, c)[1] < 1.0


# ----------------------------------------------------------------------------- MAP / WLE


def test_map_is_the_posterior_mode():
    a, b, c = bank(20, seed=6)
    rng = np.random.default_rng(6)
    x = (rng.random((5, 20)) < irt.p3pl(rng.normal(size=5), a, b, c)).astype(float)
    theta, se = irt.map_estimate(x, a, b, c)
    fine = np.linspace(-4, 4, 80001)
    logpost = irt.log_likelihood_grid(x, a, b, c, fine) - 0.5 * fine**2
    np.testing.assert_allclose(theta, fine[logpost.argmax(axis=1)], atol=2e-4)
    info = irt.information(theta, a, b, c).sum(axis=1)
    np.testing.assert_allclose(se, 1 / np.sqrt(info + 1))


def test_map_without_responses_is_the_prior_mode():
    a, b, c = bank(4)
    theta, se = irt.map_estimate([np.nan] * 4, a, b, c, prior_mean=0.5, prior_sd=2.0)
    assert (float(theta), float(se)) == pytest.approx((0.5, 2.0))


def test_wle_solves_warms_equation():
    a, b, c = bank(25, seed=9)
    rng = np.random.default_rng(9)
    x = (rng.random((5, 25)) < irt.p3pl(rng.normal(size=5), a, b, c)).astype(float)
    theta, se = irt.wle(x, a, b, c)
    h = 1e-6
    for p in range(5):
        t = theta[p]
        up, down = irt.log_likelihood(t + h, x[p], a, b, c), irt.log_likelihood(t - h, x[p], a, b, c)
        score = (up - down) / (2 * h)
        pr = irt.p3pl(t, a, b, c)
        d1 = (irt.p3pl(t + h, a, b, c) - irt.p3pl(t - h, a, b, c)) / (2 * h)
        d2 = (irt.p3pl(t + 1e-4, a, b, c) - 2 * pr + irt.p3pl(t - 1e-4, a, b, c)) / 1e-8
        info, j = np.sum(d1**2 / (pr * (1 - pr))), np.sum(d1 * d2 / (pr * (1 - pr)))
        assert score + j / (2 * info) == pytest.approx(0.0, abs=1e-4)
        assert se[p] == pytest.approx(1 / math.sqrt(info), rel=1e-5)


def test_wle_perfect_patterns():
    a, b = np.full(20, 1.2), np.linspace(-1.5, 1.5, 20)
    # 2PL: the Warm correction keeps perfect patterns finite, inside the bounds (and
    # symmetric for a symmetric test).
    hi, _ = irt.wle(np.ones(20), a, b, 0.0)
    lo, _ = irt.wle(np.zeros(20), a, b, 0.0)
    assert 1.5 < hi < 4.0
    assert lo == pytest.approx(-hi, abs=1e-9)
    # Known values for one item: +-ln 3 for the 2PL; b - ln 3 / a after a wrong 3PL answer.
    assert float(irt.wle([1.0], [1.0], [0.0], [0.0])[0]) == pytest.approx(math.log(3), abs=1e-9)
    assert float(irt.wle([0.0], [1.0], [0.0], [0.0])[0]) == pytest.approx(-math.log(3), abs=1e-9)
    assert float(irt.wle([0.0], [2.0], [0.5], [0.2])[0]) == pytest.approx(0.5 - math.log(3) / 2, abs=1e-9)
    # Beyond the bounds (root at 3.5 + ln 3), the bound is returned, with a large SE.
    top, se_top = irt.wle([1.0], [1.0], [3.5], [0.0])
    assert float(top) == 4.0 and se_top > 2


def test_wle_without_responses_is_undefined():
    a, b, c = bank(3)
    theta, se = irt.wle([np.nan] * 3, a, b, c)
    assert math.isnan(theta) and se == math.inf


# ----------------------------------------------------------------------------- monotonicity


@st.composite
def pattern_and_flip(draw):
    n = draw(st.integers(1, 12))
    floats = st.floats(allow_nan=False, allow_infinity=False)
    a = np.array(draw(st.lists(floats.filter(lambda v: 0.3 <= v <= 3.0), min_size=n, max_size=n)))
    b = np.array(draw(st.lists(floats.filter(lambda v: -3.5 <= v <= 3.5), min_size=n, max_size=n)))
    c = np.array(draw(st.lists(floats.filter(lambda v: 0.0 <= v <= 0.35), min_size=n, max_size=n)))
    x = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=n, max_size=n)))
    wrong = np.flatnonzero(x == 0)
    assume(wrong.size > 0)
    flip = int(wrong[draw(st.integers(0, wrong.size - 1))])
    better = x.copy()
    better[flip] = 1.0
    return a, b, c, x, better


@FAST
@given(pattern_and_flip())
def test_more_correct_answers_never_lower_eap(case):
    a, b, c, x, better = case
    assert irt.eap(better, a, b, c)[0] >= irt.eap(x, a, b, c)[0] - 1e-12


@FAST
@given(pattern_and_flip())
def test_more_correct_answers_never_lower_map(case):
    a, b, c, x, better = case
    assert irt.map_estimate(better, a, b, c)[0] >= irt.map_estimate(x, a, b, c)[0] - 1e-7


@FAST
@given(pattern_and_flip())
def test_more_correct_answers_never_lower_wle(case):
    a, b, c, x, better = case
    assert irt.wle(better, a, b, c)[0] >= irt.wle(x, a, b, c)[0] - 1e-7
