"""Mantel-Haenszel DIF: a hand-computed table, the ETS rules, and simulated adaptive data
with a planted item (MH D-DIF = -2.0) among unbiased ones."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from item_banks import adaptive, calibration_sim as sim, dif, irt, load_logic_bank


def test_mantel_haenszel_by_hand():
    # Two strata, rows reference/focal, columns right/wrong:
    #   k=1: A=10 B=5 | C=6 D=9   (N=30)     k=2: A=8 B=12 | C=4 D=16   (N=40)
    # R_k = A D / N: 90/30 = 3.0, 128/40 = 3.2 -> R = 6.2;  S_k = B C / N: 30/30 = 1.0, 48/40 = 1.2 -> S = 2.2
    # alpha_MH = 6.2 / 2.2 = 2.818182;  D = -2.35 ln(2.818182) = -2.434816
    # E(A_k) = n_R m_1 / N: 15*16/30 = 8, 20*12/40 = 6;  sum A = 18, sum E = 14
    # Var(A_k) = n_R n_F m_1 m_0 / (N^2 (N-1)): 15*15*16*14/(900*29) = 1.931034, 20*20*12*28/(1600*39) = 2.153846
    # chi2 = (|18 - 14| - 0.5)^2 / 4.084880 = 2.998864
    # RBG: P_k = (A+D)/N = 19/30, 24/40; Q_k = 11/30, 16/40
    #   sum P R / (2 R^2) = (1.9 + 1.92) / 76.88 = 0.0496878
    #   sum (P S + Q R) / (2 R S) = (0.633333 + 1.1 + 0.72 + 1.28) / 27.28 = 0.1368524
    #   sum Q S / (2 S^2) = (0.366667 + 0.48) / 9.68 = 0.0874656
    #   Var(ln alpha) = 0.2740058; SE(D) = 2.35 sqrt(0.2740058) = 1.230122
    tables = [[[10, 5], [6, 9]], [[8, 12], [4, 16]]]
    mh = dif.mantel_haenszel(tables)
    assert mh.alpha_mh == pytest.approx(6.2 / 2.2, rel=1e-12)
    assert mh.delta == pytest.approx(-2.434816, abs=2e-6)
    assert mh.chi2 == pytest.approx(2.998864, abs=2e-6)
    assert mh.se_delta == pytest.approx(1.230122, abs=2e-6)
    assert mh.p_value == pytest.approx(0.08333, abs=1e-4)  # chi-square(1) tail at 2.998864
    assert (mh.n_reference, mh.n_focal, mh.strata) == (35, 35, 2)
    # significant at .05? no -> A, although |D| > 1.5
    assert dif.ets_category(mh.delta, mh.se_delta, mh.p_value) == "A"


def test_strata_without_both_groups_carry_no_information():
    base = [[[10, 5], [6, 9]], [[8, 12], [4, 16]]]
    padded = base + [[[7, 3], [0, 0]], [[0, 0], [2, 2]]]
    assert dif.mantel_haenszel(padded) == dif.mantel_haenszel(base)
    with pytest.raises(ValueError):
        dif.mantel_haenszel([[[5, 0], [0, 0]]])


@pytest.mark.parametrize("delta, se, p, expected", [
    (-0.9, 0.1, 1e-6, "A"),      # |D| < 1
    (-1.8, 0.3, 0.2, "A"),       # not significant
    (-1.2, 0.2, 0.001, "B"),     # 1 <= |D| < 1.5
    (-1.6, 0.5, 0.001, "B"),     # |D| >= 1.5 but not significantly > 1: 0.6 / 0.5 = 1.2 < 1.645
    (-1.6, 0.3, 0.001, "C"),     # 0.6 / 0.3 = 2.0 > 1.645
    (2.1, 0.4, 0.001, "C"),      # favouring the focal group
])
def test_ets_rules(delta, se, p, expected):
    assert dif.ets_category(delta, se, p) == expected


PLANTED = 14


@pytest.fixture(scope="module")
def simulated():
    """40 of the shipped bank's items, 20-item adaptive tests, 2,000 simulees (half focal,
    focal ability 0.3 lower: impact, not DIF); item 14 (b near 0) is harder for focal
    candidates of the same ability by the b-shift that gives an expected MH D-DIF of -2.0
    for the candidates who get it (a first run without DIF says who they are: the same
    simulees get the item in both runs, as their answers before it are the same)."""
    cat_bank = adaptive.adaptive_bank(load_logic_bank()).cat_bank
    settings = replace(adaptive.APP_SETTINGS, exposure="randomesque", max_items=20, min_items=20)
    design = sim.sub_design(cat_bank, sim.stratified_subset(cat_bank, 10), settings)
    bank = design.cat_bank
    n, seed = 2000, 20261207
    group = np.where(np.arange(n) % 2 == 0, "sv", "en")
    thetas = np.random.default_rng(seed).standard_normal(n) - 0.3 * (group == "en")
    pilot = sim.adaptive_responses(design, thetas, np.random.default_rng(seed + 1))
    takers = thetas[~np.isnan(pilot.responses[:, PLANTED])]
    shift = sim.shift_for_delta(bank.a[PLANTED], bank.b[PLANTED], bank.c[PLANTED], -2.0, thetas=takers)

    def probability(p, theta):
        prob = irt.p3pl(theta, bank.a, bank.b, bank.c)
        if group[p] == "en":
            prob[PLANTED] = irt.p3pl(theta, bank.a[PLANTED], bank.b[PLANTED] + shift, bank.c[PLANTED])
        return prob

    data = sim.adaptive_responses(design, thetas, np.random.default_rng(seed + 1), probability=probability)
    assert np.array_equal(np.isnan(data.responses[:, PLANTED]), np.isnan(pilot.responses[:, PLANTED]))
    matching = dif.matching_theta(data.responses, bank.a, bank.b, bank.c)
    return data, group, matching, dif.item_dif(data.responses, group, matching, reference="sv", focal="en")


def test_planted_item_is_classified_c(simulated):
    result = simulated[3][PLANTED]
    assert result.status == "classified" and result.category == "C" and result.favours == "reference"
    assert -2.5 < result.mh.delta < -1.5


def test_unbiased_items_are_classified_a(simulated):
    others = [r for r in simulated[3] if r.index != PLANTED and r.status == "classified"]
    assert len(others) >= 30  # the rest had fewer than 100 candidates of a group: no class
    assert np.mean([r.category == "A" for r in others]) >= 0.95


def test_too_few_candidates_gives_no_class(simulated):
    data, group, matching, _ = simulated
    out = dif.item_dif(data.responses, group, matching, reference="sv", focal="en", min_focal=10_000, items=[0, 1])
    assert [r.status for r in out] == ["insufficient_data"] * 2 and all(r.category is None for r in out)


def test_strata_edges():
    assert dif.strata_of([-3.5, -3.0, 0.0, 3.0, 9.0]).tolist() == [0, 1, 13, 25, 25]
