"""The verification test (issue 17): verdict maths on hand-computed cases, item exclusion,
and the false-alarm rate and power on a small seeded simulation."""
from __future__ import annotations

import math

import numpy as np
import pytest

from item_banks import adaptive, load_logic_bank
from item_banks.families import family_key
from item_banks.verification import (
    CONSISTENT,
    LOWER,
    VERIFICATION_LENGTH,
    eligible_item_ids,
    run_verification,
    simulate_verification,
    verdict,
    verification_settings,
    verification_test,
)


@pytest.fixture(scope="module")
def bank():
    return load_logic_bank()


# ----------------------------------------------------------------------------- verdict


def test_verdict_hand_computed_lower():
    # d = 0.2 - 1.0 = -0.8; se = sqrt(0.3^2 + 0.35^2) = sqrt(0.2125) = 0.46098;
    # z = -0.8 / 0.46098 = -1.7354; p = Phi(-1.7354) = 0.0413 (normal table: Phi(-1.73) =
    # 0.0418, Phi(-1.74) = 0.0409); -1.7354 < -1.645, so lower at alpha 0.05.
    v = verdict(1.0, 0.3, 0.2, 0.35)
    assert v.difference == pytest.approx(-0.8)
    assert v.se == pytest.approx(0.460977, abs=1e-6)
    assert v.z == pytest.approx(-1.735444, abs=1e-6)
    assert v.p_value == pytest.approx(0.0413, abs=2e-4)
    assert v.code == LOWER and v.lower_than_expected and v.alpha == 0.05


def test_verdict_small_difference_is_consistent():
    # d = -0.2, se = sqrt(0.09 + 0.16) = 0.5, z = -0.4, p = Phi(-0.4) = 0.3446
    v = verdict(0.5, 0.3, 0.3, 0.4)
    assert (v.difference, v.se, v.z) == pytest.approx((-0.2, 0.5, -0.4))
    assert v.p_value == pytest.approx(0.3446, abs=1e-4)
    assert v.code == CONSISTENT and not v.lower_than_expected


def test_a_higher_verification_result_is_consistent():
    v = verdict(0.0, 0.3, 2.0, 0.4)
    assert v.z == pytest.approx(4.0) and v.p_value > 0.99 and v.code == CONSISTENT


@pytest.mark.parametrize(("z", "alpha", "code"), [
    (-1.60, 0.05, CONSISTENT), (-1.70, 0.05, LOWER),      # critical z 1.645 at 0.05
    (-1.50, 0.10, LOWER), (-1.20, 0.10, CONSISTENT),      # critical z 1.2816 at 0.10
    (-2.30, 0.01, CONSISTENT), (-2.40, 0.01, LOWER),      # critical z 2.326 at 0.01
])
def test_verdict_level(z, alpha, code):
    # se = 0.5 (0.3 and 0.4), so theta_v = z * 0.5
    v = verdict(0.0, 0.3, z * 0.5, 0.4, alpha=alpha)
    assert v.z == pytest.approx(z)
    assert v.code == code
    assert (v.p_value < alpha) == (code == LOWER)


@pytest.mark.parametrize("args", [
    (1.0, -0.3, 0.2, 0.35), (1.0, 0.3, 0.2, -0.35), (1.0, 0.0, 0.2, 0.35),
    (float("nan"), 0.3, 0.2, 0.35), (1.0, 0.3, float("inf"), 0.35), (1.0, float("inf"), 0.2, 0.35),
])
def test_verdict_refuses_bad_input(args):
    with pytest.raises(ValueError):
        verdict(*args)


@pytest.mark.parametrize("alpha", [0.0, 0.5, -0.1, 1.0])
def test_verdict_refuses_bad_level(alpha):
    with pytest.raises(ValueError):
        verdict(1.0, 0.3, 0.2, 0.35, alpha=alpha)


# ----------------------------------------------------------------------------- exclusion


@pytest.mark.parametrize("seed", range(5))
def test_exclusion_never_returns_a_seen_item_or_family(bank, seed):
    rng = np.random.default_rng(seed)
    ops = [i.id for i in bank.items]
    seen = list(rng.choice(ops, size=36, replace=False)) + [i.id for i in bank.practice]
    eligible = eligible_item_ids(bank, seen)
    assert not set(eligible) & set(seen)
    by_id = {i.id: i for i in bank.practice + bank.items}
    seen_families = {family_key(by_id[i]) for i in seen}
    # 520 items, 130 per type: every type keeps enough items, so no family rule is relaxed
    assert not {family_key(by_id[i]) for i in eligible} & seen_families
    assert len(eligible) >= 4 * VERIFICATION_LENGTH


def test_exclusion_relaxes_families_for_a_type_but_never_gives_a_seen_item(bank):
    numbers = [i for i in bank.items if i.type == "number_series"]
    families = {}
    for item in numbers:
        families.setdefault(family_key(item), []).append(item.id)
    # one item of every number-series family seen: the family rule would leave no number series
    seen = [ids[0] for ids in families.values()]
    eligible = eligible_item_ids(bank, seen, min_per_type=5)
    left = [i for i in eligible if i in {x.id for x in numbers}]
    assert left and not set(left) & set(seen)
    assert len(left) == len(numbers) - len(seen)
    strict = eligible_item_ids(bank, seen, min_per_type=0)
    assert not set(strict) & {x.id for x in numbers}


def test_exclusion_ignores_unknown_ids_and_checks_arguments(bank):
    assert eligible_item_ids(bank, ["no-such-item"]) == tuple(i.id for i in bank.items)
    with pytest.raises(ValueError):
        eligible_item_ids(bank, [], min_per_type=-1)


def test_verification_test_gives_unseen_items_one_per_family(bank):
    ab = adaptive.adaptive_bank(bank)
    rng = np.random.default_rng(3)
    seen = list(rng.choice([i.id for i in bank.items], size=30, replace=False))
    test = verification_test(bank, seen, start_theta=0.8)
    score = run_verification(test, 0.5, 11, rng.random(test.cat_bank.n_items))
    assert score.complete and score.n_answered == VERIFICATION_LENGTH and score.reason == "max_items"
    assert math.isfinite(score.theta) and score.se > 0
    assert test.cat_bank.n_items < ab.cat_bank.n_items and not set(test.item_ids) & set(seen)


def test_verification_test_needs_enough_items(bank):
    seen = [i.id for i in bank.items][:-5]
    with pytest.raises(ValueError, match="unseen items"):
        verification_test(bank, seen)


def test_settings_are_a_fixed_length_test():
    s = verification_settings(10)
    assert s.min_items == s.max_items == 10 and s.estimator == "wle" and s.item_families


# ----------------------------------------------------------------------------- simulation


def test_simulation_false_alarms_and_power(bank):
    ab = adaptive.adaptive_bank(bank)
    honest = simulate_verification(ab, 300, np.random.default_rng(20261206))
    # nominal 5 %; binomial upper limit at n = 300: 0.05 + 3.09 * sqrt(0.05 * 0.95 / 300) = 0.089
    assert honest.flagged_rate <= 0.089
    assert honest.length == VERIFICATION_LENGTH and honest.inflation == 0.0
    # the verdict was computed on the estimates that are returned
    z = (honest.theta_verification - honest.theta_unsupervised) / np.hypot(honest.se_unsupervised,
                                                                          honest.se_verification)
    assert np.allclose(z, honest.z) and np.array_equal(honest.lower, honest.z < -1.6448536)
    inflated = simulate_verification(ab, 150, np.random.default_rng(20261207), inflation=1.0)
    # far above the 5 % of honest candidates (about 45 % at 12 items: docs/technical-manual.md)
    assert inflated.flagged_rate >= 0.25
    assert np.mean(inflated.theta_unsupervised - inflated.true_theta) > 0.7


def test_simulation_is_deterministic(bank):
    ab = adaptive.adaptive_bank(bank)
    a = simulate_verification(ab, 5, np.random.default_rng(1), length=8)
    b = simulate_verification(ab, 5, np.random.default_rng(1), length=8)
    assert np.array_equal(a.z, b.z) and a.length == 8


def test_selection_starts_at_the_unsupervised_estimate(bank):
    from item_banks import adaptive as ad
    seen = [i.id for i in bank.practice]
    first_b = {}
    for start in (-1.5, 1.5):
        test = verification_test(bank, seen, start_theta=start)
        state = ad.start_state(test, 7)
        first_b[start] = float(test.cat_bank.b[ad.next_item(test, state, 7)])
    assert first_b[1.5] > first_b[-1.5] + 1.0
    with pytest.raises(ValueError):
        verification_test(bank, seen, start_theta=float("nan"))
