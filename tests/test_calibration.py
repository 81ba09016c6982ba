"""Item calibration (MML-EM) and item fit on simulated adaptive data from the shipped bank.

Small N so the suite stays fast: 60 of the shipped bank's items (15 per type, spread over
b) in a 20-item adaptive test with the production rules (content balance, progressive
selection; randomesque exposure, as the sub-bank has no Sympson-Hetter parameters), about
270 responses per item. The full study (the whole bank, N = 500-2,000 per item, beside
girth) is bench/calibration.py.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from item_banks import adaptive, calibration, calibration_sim as sim, fit, irt, load_logic_bank

SEED = 20261206
SETTINGS = replace(adaptive.APP_SETTINGS, exposure="randomesque", max_items=20, min_items=20)
MIN_N = 50


@pytest.fixture(scope="module")
def design():
    cat_bank = adaptive.adaptive_bank(load_logic_bank()).cat_bank
    return sim.sub_design(cat_bank, sim.stratified_subset(cat_bank, 15), SETTINGS)


@pytest.fixture(scope="module")
def data(design):
    rng = np.random.default_rng(SEED)
    return sim.adaptive_responses(design, rng.standard_normal(800), rng)


@pytest.fixture(scope="module")
def start(design):
    """Deliberately wrong starting values: a = 1 and b = 0 for every item."""
    bank = design.cat_bank
    return np.ones(bank.n_items), np.zeros(bank.n_items), bank.c.copy()


@pytest.fixture(scope="module")
def result(data, start):
    return calibration.calibrate(data.responses, *start, min_n=MIN_N)


def rmse(x, y):
    return float(np.sqrt(np.mean((np.asarray(x) - np.asarray(y)) ** 2)))


def test_the_data_are_sparse_and_adaptive(data, design):
    administered = ~np.isnan(data.responses)
    assert (administered.sum(axis=1) == 20).all()
    # adaptive: each item is answered correctly by far more than chance among those who saw it
    assert 200 < administered.sum(axis=0).mean() < 300


def test_parameter_recovery_from_wrong_starting_values(result, design, start):
    bank, est = design.cat_bank, result.estimated
    assert result.converged and est.sum() >= 50
    assert rmse(result.b[est], bank.b[est]) < 0.35 < rmse(start[1][est], bank.b[est]) / 3
    assert rmse(result.a[est], bank.a[est]) < 0.35
    assert abs(np.mean(result.b[est] - bank.b[est])) < 0.1
    np.testing.assert_array_equal(result.c, bank.c)  # c fixed at the bank's value (1 / options)


def test_standard_errors_match_the_estimation_error(result, design):
    bank, est = design.cat_bank, result.estimated
    z_b = (result.b[est] - bank.b[est]) / result.se_b[est]
    z_a = (result.a[est] - bank.a[est]) / result.se_a[est]
    assert 0.7 < np.std(z_b) < 1.4 and 0.6 < np.std(z_a) < 1.4
    assert np.all(result.se_b[est] > 0) and np.all(np.isnan(result.se_c))


def test_anchors_stay_fixed_and_set_the_scale(data, design):
    bank = design.cat_bank
    anchors = np.zeros(bank.n_items, dtype=bool)
    anchors[::4] = True
    a0 = np.where(anchors, bank.a, 1.0)
    # the free items start on a shifted metric: the anchors must pull them back
    b0 = np.where(anchors, bank.b, bank.b + 1.0)
    res = calibration.calibrate(data.responses, a0, b0, bank.c, anchors=anchors, min_n=MIN_N)
    np.testing.assert_array_equal(res.a[anchors], bank.a[anchors])
    np.testing.assert_array_equal(res.b[anchors], bank.b[anchors])
    assert set(res.status[anchors]) == {"anchor"} and np.isnan(res.se_b[anchors]).all()
    est = res.estimated
    assert rmse(res.b[est], bank.b[est]) < 0.4 and abs(np.mean(res.b[est] - bank.b[est])) < 0.15
    assert abs(res.population_mean) < 0.2 and 0.8 < res.population_sd < 1.25


def test_anchors_find_a_shifted_population(design):
    bank = design.cat_bank
    rng = np.random.default_rng(SEED + 1)
    abler = sim.adaptive_responses(design, rng.normal(0.5, 1.0, 500), rng)
    anchors = np.arange(bank.n_items) % 2 == 0
    res = calibration.calibrate(abler.responses, bank.a, bank.b, bank.c, anchors=anchors, min_n=30)
    assert 0.3 < res.population_mean < 0.7  # shows up in the population, not in the free items' b
    est = res.estimated
    assert abs(np.mean(res.b[est] - bank.b[est])) < 0.15


def test_items_below_min_n_are_not_estimated_or_used(data, start):
    n = (~np.isnan(data.responses)).sum(axis=0)
    min_n = int(np.median(n))
    res = calibration.calibrate(data.responses, *start, min_n=min_n)
    few = n < min_n
    assert few.any() and (~few).any()
    assert set(res.status[few]) == {"insufficient_data"} and set(res.status[~few]) == {"estimated"}
    np.testing.assert_array_equal(res.a[few], start[0][few])
    np.testing.assert_array_equal(res.b[few], start[1][few])
    assert np.isnan(res.se_b[few]).all() and not res.item_converged[few].any()
    item = res.items[int(np.flatnonzero(few)[0])]
    assert item.status == "insufficient_data" and item.n < min_n and not item.estimated
    # not used either: the same result as calibrating without those items at all
    dropped = calibration.calibrate(data.responses[:, ~few], start[0][~few], start[1][~few], start[2][~few],
                                    min_n=min_n)
    np.testing.assert_allclose(res.b[~few], dropped.b, atol=1e-12)


def test_calibration_is_deterministic(data, start, result):
    again = calibration.calibrate(data.responses, *start, min_n=MIN_N)
    np.testing.assert_array_equal(again.a, result.a)
    np.testing.assert_array_equal(again.se_b, result.se_b)


def test_item_results(result):
    items = result.items
    assert len(items) == result.a.size
    first = next(i for i in items if i.estimated)
    assert first.converged and first.n >= MIN_N and 0 < first.p_correct < 1
    assert first.a == result.a[first.index] and first.se_b == result.se_b[first.index]


def test_free_guessing_and_2pl_models_run(data, start, design):
    res = calibration.calibrate(data.responses, *start, min_n=MIN_N, estimate_c=True)
    est = res.estimated
    assert np.all((res.c[est] > 0.01) & (res.c[est] < 0.4)) and np.isfinite(res.se_c[est]).all()
    two = calibration.calibrate(data.responses, *start, min_n=MIN_N, model="2PL")
    assert np.all(two.c[two.estimated] == 0.0)


def test_bad_input_is_refused(data, start):
    with pytest.raises(ValueError):
        calibration.calibrate(data.responses[:, :5], *start)
    with pytest.raises(ValueError):
        calibration.calibrate(np.full((3, 60), 2.0), *start)
    with pytest.raises(ValueError):
        calibration.calibrate(data.responses, *start, model="4PL")
    with pytest.raises(ValueError):
        calibration.calibrate(data.responses, *start, min_n=0)


# ----------------------------------------------------------------------------- item fit

MISKEYED = 7


@pytest.fixture(scope="module")
def planted(design):
    """Adaptive data in which item 7 is miskeyed: able candidates get it wrong (its true
    curve is the bank's curve mirrored at b)."""
    bank = design.cat_bank
    rng = np.random.default_rng(SEED + 2)

    def probability(_p, theta):
        p = irt.p3pl(theta, bank.a, bank.b, bank.c)
        p[MISKEYED] = irt.p3pl(2 * bank.b[MISKEYED] - theta, bank.a[MISKEYED], bank.b[MISKEYED], bank.c[MISKEYED])
        return p

    data = sim.adaptive_responses(design, rng.standard_normal(800), rng, probability=probability)
    res = calibration.calibrate(data.responses, bank.a, bank.b, bank.c, min_n=MIN_N)
    return data, res


def fit_of(data, res, seed):
    return fit.item_fit(data.responses, res.a, res.b, res.c, rng=np.random.default_rng(seed),
                        items=res.status != "insufficient_data", population=(res.population_mean, res.population_sd))


def test_fit_false_alarm_rate_is_near_nominal_on_model_data(data, result, planted):
    rates = []
    for seed, (d, r) in enumerate([(data, result), planted]):
        f = fit_of(d, r, seed)
        fitting = ~np.isnan(f.infit) & (np.arange(f.n.size) != (MISKEYED if seed else -1))
        assert f.empirical_null and 0.9 < np.nanmedian(f.infit) < 1.1
        rates.append(f.flagged[fitting].mean())
    # alpha = 0.05; two small replications of ~55 items each
    assert 0.0 <= np.mean(rates) <= 0.12


def test_fit_flags_a_miskeyed_item(planted):
    data, res = planted
    f = fit_of(data, res, 3)
    assert f.flagged[MISKEYED] and f.z[MISKEYED] > 3 and f.infit[MISKEYED] > 1


def test_fit_is_not_assessed_below_min_n(data, result):
    f = fit.item_fit(data.responses, result.a, result.b, result.c, rng=np.random.default_rng(0), min_n=10_000)
    assert np.isnan(f.infit).all() and not f.flagged.any() and not f.empirical_null
