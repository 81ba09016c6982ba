"""Leak monitoring (item_banks.leaks): hand-computed residuals and CUSUM, false alarms on
model data within a binomial band, a planted leak detected after the leak and not before,
an item that gets harder not raising the "easier" alarm, too few responses. Small N (the
full study on the shipped bank is bench/leaks.py)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_banks import adaptive, calibration_sim as sim, irt, leaks, load_logic_bank


# ----------------------------------------------------------------------------- hand-computed

def test_residuals_and_cusum_by_hand():
    x = [1, 0, 1, 1]
    p = [0.5, 0.8, 0.2, 0.5]
    # (1 - .5)/.5 = 1; (0 - .8)/.4 = -2; (1 - .2)/.4 = 2; 1
    np.testing.assert_allclose(leaks.residuals(x, p), [1.0, -2.0, 2.0, 1.0])
    # k = .5: S = .5, max(0, .5 - 2 - .5) = 0, 0 + 2 - .5 = 1.5, 1.5 + 1 - .5 = 2
    path = leaks.cusum(leaks.residuals(x, p), k=0.5)
    np.testing.assert_allclose(path, [0.5, 0.0, 1.5, 2.0])
    assert leaks.first_alarm(path, 1.8) == 3 and leaks.first_alarm(path, 2.0) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0.05, 0.95)), min_size=1, max_size=40), st.data())
def test_a_correct_answer_instead_of_a_wrong_one_never_lowers_the_chart(pairs, data):
    x = np.array([v for v, _ in pairs], dtype=float)
    p = np.array([q for _, q in pairs])
    i = data.draw(st.integers(0, x.size - 1))
    more = x.copy()
    more[i] = 1.0
    before, after = leaks.cusum(leaks.residuals(x, p)), leaks.cusum(leaks.residuals(more, p))
    assert np.all(before >= 0) and np.all(after >= before - 1e-12)


def test_monitor_sorts_by_time_and_reports_the_alarm_time():
    # the same four responses given out of order: the monitor puts them in time order
    times = np.array([30, 10, 40, 20])
    x = np.array([1, 1, 1, 0])
    p = np.array([0.2, 0.5, 0.5, 0.8])
    m = leaks.monitor(times, x, p, k=0.5, h=1.8, min_n=1)
    assert m.status == leaks.ALARM and m.alarm_index == 3 and m.alarm_time == 40
    np.testing.assert_allclose(m.cusum, [0.5, 0.0, 1.5, 2.0])
    assert m.observed == 0.75 and m.expected == pytest.approx(0.5)
    later = leaks.monitor(times, x, p, k=0.5, h=1.8, min_n=1, start=25)  # restarted at time 25
    assert later.n == 2 and later.alarm_index == 1  # S starts again at 0: 2 - .5, then + 1 - .5
    np.testing.assert_allclose(later.cusum, [1.5, 2.0])
    assert leaks.monitor(times, x, p, k=0.5, h=1.8, min_n=1, start=35).status == leaks.NO_ALARM


def test_windows_by_block_and_by_month():
    times = np.array(["2026-01-05", "2026-01-20", "2026-02-01", "2026-02-10", "2026-03-03"], dtype="datetime64[D]")
    x = np.array([1, 0, 1, 1, 0])
    p = np.array([0.5, 0.5, 0.8, 0.2, 0.5])
    by_block = leaks.windows(times, x, p, block=2)
    assert [w.n for w in by_block] == [2, 2, 1]
    assert by_block[0].observed == 0.5 and by_block[0].z == pytest.approx(0.0)
    # (1 - .8) + (1 - .2) = 1.0 over sqrt(.16 + .16)
    assert by_block[1].z == pytest.approx(1.0 / np.sqrt(0.32)) and by_block[1].expected == pytest.approx(0.5)
    months = leaks.windows(times, x, p, by="month")
    assert [str(w.start) for w in months] == ["2026-01", "2026-02", "2026-03"]
    assert [w.n for w in months] == [2, 2, 1] and months[2].z == pytest.approx(-1.0)
    assert leaks.windows([], [], [], block=3) == []
    with pytest.raises(ValueError):
        leaks.windows(times, x, p)


def test_too_few_responses_is_insufficient_data_not_an_alarm():
    # ten correct answers to an item everybody was expected to fail: still no verdict
    m = leaks.monitor(np.arange(10), np.ones(10), np.full(10, 0.2), h=1.0, min_n=leaks.DEFAULT_MIN_N)
    assert m.status == leaks.INSUFFICIENT and m.alarm_index is None and m.n == 10
    empty = leaks.monitor([], [], [])
    assert empty.status == leaks.INSUFFICIENT and empty.n == 0
    with pytest.raises(ValueError):
        leaks.monitor([1, 2], [1, 2], [0.5, 0.5])


def test_expected_correct_excludes_the_item_itself():
    a, b, c = np.array([1.2, 0.8]), np.array([0.0, 1.0]), np.array([0.2, 0.2])
    nodes, w = irt.quadrature()
    pq = irt.p3pl(nodes, a, b, c)  # (Q, 2)
    resp = np.array([[1.0, 0.0], [1.0, np.nan]])
    loo = leaks.expected_correct(resp, a, b, c)
    # person 1, item 0 without item 0: posterior given x_1 = 0 only
    post = w * (1 - pq[:, 1])
    assert loo[0, 0] == pytest.approx((post * pq[:, 0]).sum() / post.sum())
    # person 2 answered item 0 only: without it, the prior predictive
    assert loo[1, 0] == pytest.approx((w * pq[:, 0]).sum()) and np.isnan(loo[1, 1])
    full = leaks.expected_correct(resp, a, b, c, exclude=False)
    assert full[1, 0] > loo[1, 0]  # a correct answer raises its own prediction when it is included


# ----------------------------------------------------------------------------- simulated data

@pytest.fixture(scope="module")
def small_design():
    ab = adaptive.adaptive_bank(load_logic_bank())
    bank = ab.cat_bank
    settings = replace(adaptive.APP_SETTINGS, exposure="randomesque", max_items=15, min_items=15)
    return sim.sub_design(bank, sim.stratified_subset(bank, 6), settings)  # 24 items, 15-item tests


def _run(design, n, seed, probability=None):
    rng = np.random.default_rng(seed)
    thetas = rng.normal(size=n)
    data = sim.adaptive_responses(design, thetas, rng, probability=probability)
    bank = design.cat_bank
    return data, leaks.expected_correct(data.responses, bank.a, bank.b, bank.c)


def _monitor_all(data, p, h, horizon):
    out = []
    for j in range(data.responses.shape[1]):
        who = np.flatnonzero(~np.isnan(data.responses[:, j]))[:horizon]
        out.append(leaks.monitor(who, data.responses[who, j], p[who, j], h=h))
    return out


def test_loo_residuals_have_unit_variance_on_model_data_and_end_of_test_ones_do_not(small_design):
    data, p = _run(small_design, 300, 11)
    bank = small_design.cat_bank
    seen = ~np.isnan(data.responses)
    r_loo = leaks.residuals(data.responses[seen], p[seen])
    full = leaks.expected_correct(data.responses, bank.a, bank.b, bank.c, exclude=False)
    r_full = leaks.residuals(data.responses[seen], full[seen])
    assert abs(r_loo.mean()) < 0.05 and 0.92 < r_loo.var() < 1.08
    assert r_full.var() < 0.92  # the answer pulls its own prediction towards it


def test_calibrated_threshold_holds_its_false_alarm_rate_on_model_sequences():
    rng = np.random.default_rng(2026)
    pool = rng.uniform(0.3, 0.85, size=5000)
    h = leaks.calibrate_threshold(pool, rng, horizon=200, alpha=0.05, n_sim=4000)
    # 600 fresh null items: alarms ~ Binomial(600, 0.05), mean 30, 99.9 % band 13-50
    maxima = leaks.null_max_cusum(pool, np.random.default_rng(7), horizon=200, n_sim=600)
    assert 13 <= int((maxima > h).sum()) <= 50
    assert h < leaks.calibrate_threshold(pool, rng, horizon=800, alpha=0.05, n_sim=4000)  # longer horizon, higher h


def test_model_data_through_the_cat_gives_few_false_alarms(small_design):
    data, p = _run(small_design, 600, 12)  # 9,000 responses on 24 items, ~375 each
    seen = ~np.isnan(p)
    h = leaks.calibrate_threshold(p[seen], np.random.default_rng(1), horizon=300, alpha=0.05, n_sim=4000)
    results = _monitor_all(data, p, h, 300)
    assessed = [m for m in results if m.status != leaks.INSUFFICIENT]
    assert len(assessed) >= 20
    # Binomial(24, 0.05): mean 1.2; P(X >= 7) < 0.001
    assert sum(m.status == leaks.ALARM for m in assessed) <= 6


def test_planted_leak_alarms_after_the_leak_and_a_harder_item_does_not(small_design):
    null, _ = _run(small_design, 600, 13)
    counts = (~np.isnan(null.responses)).sum(axis=0)
    leaked, harder = np.argsort(-counts)[[0, 1]]  # the two most used items, ~400+ responses each
    start_leak = np.flatnonzero(~np.isnan(null.responses[:, leaked]))[150]  # from its 151st response on
    start_hard = np.flatnonzero(~np.isnan(null.responses[:, harder]))[150]
    bank = small_design.cat_bank
    b_hard = bank.b.copy()
    b_hard[harder] += 1.0

    def probability(person, theta):
        prob = irt.p3pl(float(theta), bank.a, bank.b, bank.c)
        if person >= start_leak:  # 60 % of test takers know the key
            prob[leaked] = 0.6 + 0.4 * prob[leaked]
        if person >= start_hard:
            prob[harder] = irt.p3pl(float(theta), bank.a, b_hard, bank.c)[harder]
        return prob

    data, p = _run(small_design, 600, 13, probability)
    # the same draws as the null run until the leak: the paths agree before it
    np.testing.assert_array_equal(np.isnan(data.responses[:start_leak]), np.isnan(null.responses[:start_leak]))
    seen = ~np.isnan(p)
    h = leaks.calibrate_threshold(p[seen], np.random.default_rng(1), horizon=400, alpha=0.05, n_sim=4000)
    results = _monitor_all(data, p, h, 400)
    leak = results[leaked]
    assert leak.status == leaks.ALARM and 150 <= leak.alarm_index < 300, leak.alarm_index
    assert leak.cusum[:150].max() <= h
    assert results[harder].status == leaks.NO_ALARM
    # the windowed chart shows the jump: blocks after the leak are above expectation
    xs, ps = _item_x(data, leaked, 400), _item_x(p, leaked, 400)
    w = leaks.windows(np.arange(xs.size), xs, ps, block=50)
    assert np.mean([x.z for x in w[3:]]) > 1.5 > np.mean([x.z for x in w[:3]])


def _item_x(arr, j, horizon):
    arr = arr.responses if hasattr(arr, "responses") else arr
    col = arr[:, j]
    return col[~np.isnan(col)][:horizon]
