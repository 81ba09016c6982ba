"""Adaptive testing (item_banks.cat): recovery of simulated abilities, exposure control,
content balancing, stopping rules, determinism, the incomplete-test policy and rapid
guessing flags."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_banks import cat, irt

FAST = settings(database=None, deadline=None, max_examples=40)
TYPES = ("deductive", "letter_series", "number_series")
FIXED_20 = cat.CatSettings(se_target=0.0, min_items=20, max_items=20, exposure="none",
                           content_balance=False)


def make_bank(n=300, seed=20261126):
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(0.8, 2.0, n), rng.normal(size=n), np.full(n, 0.2)
    types = np.array(TYPES)[rng.integers(3, size=n)]
    return cat.CatBank(a, b, c, types)


@pytest.fixture(scope="module")
def bank():
    return make_bank()


@pytest.fixture(scope="module")
def calibrated(bank):
    """Sympson-Hetter parameters for 20-item tests, calibrated on simulees of their own."""
    rules = replace(FIXED_20, exposure="sympson_hetter", content_balance=True)
    result = cat.calibrate_exposure(bank, rules, np.random.default_rng(7), n_simulees=500, iterations=6)
    return result.bank, rules


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(99)
    return rng.normal(size=500)


# ----------------------------------------------------------------------------- recovery


def test_fixed_length_max_information_recovers_abilities(bank, population):
    # 20 items of a ~ U(0.8, 2) give a posterior SD of about 0.31, so the expected RMSE is
    # about 0.31 and its sampling SD over 500 simulees about 0.01; |bias| has SD ~0.014.
    # Bounds: RMSE <= 0.35, |bias| <= 0.05 (more than 3 SD away).
    result = cat.simulate(population, bank, FIXED_20, np.random.default_rng(1))
    assert np.all(result.n_items == 20)
    assert result.rmse <= 0.35
    assert abs(result.bias) <= 0.05
    assert np.mean(result.se) == pytest.approx(result.rmse, abs=0.04)  # SEs are honest


def test_exposure_control_caps_exposure_at_small_cost(bank, calibrated, population):
    sh_bank, rules = calibrated
    pure = cat.simulate(population, bank, FIXED_20, np.random.default_rng(2))
    controlled = cat.simulate(population, sh_bank, rules, np.random.default_rng(2))
    assert pure.max_exposure > 0.6  # the problem exposure control solves
    assert controlled.max_exposure <= 0.30
    assert controlled.rmse <= 0.36
    assert controlled.unused_share < pure.unused_share


def test_randomesque_spreads_items_but_does_not_cap_them(bank, population):
    rules = replace(FIXED_20, exposure="randomesque", randomesque_k=5)
    spread = cat.simulate(population[:200], bank, rules, np.random.default_rng(3))
    pure = cat.simulate(population[:200], bank, FIXED_20, np.random.default_rng(3))
    assert spread.max_exposure < pure.max_exposure
    assert spread.unused_share < pure.unused_share


def test_calibration_refuses_an_infeasible_target(bank):
    small = cat.CatBank(bank.a[:60], bank.b[:60], bank.c[:60], bank.types[:60])
    with pytest.raises(ValueError, match="cannot keep"):
        cat.calibrate_exposure(small, FIXED_20, np.random.default_rng(0))


def test_sympson_hetter_needs_a_calibrated_bank_and_its_lottery(bank, calibrated):
    with pytest.raises(ValueError, match="calibrate_exposure"):
        cat.start(bank, cat.CatSettings(), np.random.default_rng(0))
    sh_bank, rules = calibrated
    # A state started without the rules drew no lottery: no silent fall-back to no control.
    with pytest.raises(ValueError, match="start"):
        cat.select_next(cat.start(sh_bank), rules, np.random.default_rng(0))


# ----------------------------------------------------------------------------- content balancing


@FAST
@given(shares=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3), theta=st.floats(-3, 3),
       seed=st.integers(0, 2**32 - 1))
def test_type_counts_stay_within_one_of_their_targets(bank, shares, theta, seed):
    targets = dict(zip(TYPES, shares))
    rules = replace(FIXED_20, max_items=24, min_items=24, content_balance=True, exposure="randomesque",
                    type_targets=targets)
    share = np.array(shares) / sum(shares)
    result = cat.run_cat(theta, bank, rules, np.random.default_rng(seed))
    codes = bank.type_codes[result.administered]
    for n in range(1, result.administered.size + 1):
        counts = np.bincount(codes[:n], minlength=3)
        assert np.all(np.abs(counts - share * n) < 1), (n, counts, share * n)


def test_unknown_type_in_targets_is_rejected(bank):
    rules = replace(FIXED_20, content_balance=True, type_targets={"matrix": 1.0})
    with pytest.raises(ValueError, match="not in the bank"):
        cat.select_next(cat.start(bank), rules, np.random.default_rng(0))


# ----------------------------------------------------------------------------- stopping


def test_stops_at_the_se_target_but_not_before_min_items(bank):
    rules = cat.CatSettings(se_target=0.95, min_items=6, max_items=24, exposure="none")
    result = cat.run_cat(0.3, bank, rules, np.random.default_rng(0))
    # SD < 0.95 after the first item already; the test still runs to min_items.
    assert result.se_history[0] < 0.95
    assert result.administered.size == 6 and result.reason == "se_target"


def test_stops_when_the_se_target_is_reached(bank):
    rules = cat.CatSettings(se_target=0.40, min_items=2, max_items=24, exposure="none")
    result = cat.run_cat(0.0, bank, rules, np.random.default_rng(0))
    n = result.administered.size
    assert result.reason == "se_target" and result.se <= 0.40
    assert n == 2 or result.se_history[n - 2] > 0.40  # not one item later than needed


def test_stops_at_max_items(bank):
    rules = cat.CatSettings(se_target=0.0, min_items=1, max_items=13, exposure="none")
    result = cat.run_cat(1.0, bank, rules, np.random.default_rng(0))
    assert result.administered.size == 13 and result.reason == "max_items"
    assert len(set(result.administered.tolist())) == 13


def test_stops_when_the_bank_is_exhausted():
    tiny = make_bank(n=5)
    rules = cat.CatSettings(se_target=0.0, min_items=1, max_items=24, exposure="none")
    result = cat.run_cat(0.0, tiny, rules, np.random.default_rng(0))
    assert sorted(result.administered.tolist()) == [0, 1, 2, 3, 4]
    assert result.reason == "bank_exhausted"


def test_select_next_returns_none_once_stopped(bank):
    rules = cat.CatSettings(se_target=0.0, min_items=1, max_items=3, exposure="none")
    state = cat.start(bank)
    for response in (1, 0, 1):
        state = cat.update(state, cat.select_next(state, rules, np.random.default_rng(0)), response)
    assert cat.should_stop(state, rules) == (True, "max_items")
    assert cat.select_next(state, rules, np.random.default_rng(0)) is None


def test_first_item_is_the_most_informative_at_zero(bank):
    item = cat.select_next(cat.start(bank), FIXED_20, np.random.default_rng(0))
    assert item == int(np.argmax(irt.information(0.0, bank.a, bank.b, bank.c)))


# ----------------------------------------------------------------------------- state


def test_update_is_the_eap_of_the_responses(bank):
    result = cat.run_cat(-0.5, bank, FIXED_20, np.random.default_rng(4))
    x = np.full(bank.n_items, np.nan)
    x[result.administered] = result.responses
    theta, se = irt.eap(x, bank.a, bank.b, bank.c)
    assert (result.theta, result.se) == pytest.approx((float(theta), float(se)), abs=1e-12)


def test_state_is_immutable_and_rejects_bad_input(bank):
    state = cat.start(bank)
    after = cat.update(state, 3, 1)
    assert state.administered == () and after.administered == (3,)
    assert after.theta > state.theta
    with pytest.raises(ValueError, match="already"):
        cat.update(after, 3, 0)
    with pytest.raises(ValueError, match="response"):
        cat.update(after, 4, 2)
    with pytest.raises(ValueError, match="out of range"):
        cat.update(after, bank.n_items, 1)
    with pytest.raises(ValueError):
        after.log_posterior[0] = 0.0


# ----------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("exposure", ["randomesque", "sympson_hetter"])
def test_same_seed_same_sequence(bank, calibrated, exposure):
    sh_bank, _ = calibrated
    rules = replace(FIXED_20, exposure=exposure, content_balance=True)
    runs = [cat.run_cat(0.4, sh_bank, rules, np.random.default_rng(seed)) for seed in (11, 11, 12)]
    assert runs[0].administered.tolist() == runs[1].administered.tolist()
    assert runs[0].responses.tolist() == runs[1].responses.tolist()
    assert runs[0].administered.tolist() != runs[2].administered.tolist()


def test_replay_rebuilds_the_state(calibrated):
    sh_bank, rules = calibrated
    result = cat.run_cat(-1.2, sh_bank, rules, np.random.default_rng(21))
    # run_cat drew the lottery first, from the fresh generator; replay does the same.
    state = cat.replay(sh_bank, result.administered, result.responses, rules, np.random.default_rng(21))
    assert (state.theta, state.se) == (result.theta, result.se)
    fresh = cat.start(sh_bank, rules, np.random.default_rng(21))
    assert np.array_equal(state.exposure_ok, fresh.exposure_ok)


def _same_state(a: cat.CatState, b: cat.CatState) -> None:
    assert a.administered == b.administered and a.responses == b.responses
    assert (a.theta, a.se) == (b.theta, b.se)  # exactly: not approximately
    assert np.array_equal(a.log_posterior, b.log_posterior)
    assert np.array_equal(a.available, b.available) and a.type_counts == b.type_counts
    for x, y in ((a.exposure_ok, b.exposure_ok), (a.family_ok, b.family_ok)):
        assert (x is None and y is None) or np.array_equal(x, y)


@FAST
@given(theta=st.floats(-3, 3), seed=st.integers(0, 2**32 - 1), cut=st.integers(0, 20))
def test_restore_gives_the_replayed_state_and_the_same_next_item(theta, seed, cut):
    families = [f"f{i // 3}" for i in range(120)]  # items in threes of one family
    rng = np.random.default_rng(5)
    plain = cat.CatBank(rng.uniform(0.8, 2.0, 120), rng.normal(size=120), np.full(120, 0.2),
                        np.array(TYPES)[rng.integers(3, size=120)], families=families)
    fam_bank = plain.with_exposure_k(rng.uniform(0.3, 1.0, 120))
    rules = replace(FIXED_20, exposure="sympson_hetter", content_balance=True, overlap="progressive",
                    progressive_horizon=10)
    result = cat.run_cat(theta, fam_bank, rules, np.random.default_rng(seed))
    items, responses = result.administered[:cut], result.responses[:cut]
    replayed = cat.replay(fam_bank, items, responses, rules, np.random.default_rng([seed, 0]))
    restored = cat.restore(fam_bank, items, responses, replayed.log_posterior.tolist(), replayed.theta,
                           replayed.se, rules, np.random.default_rng([seed, 0]))
    _same_state(restored, replayed)
    pick = [cat.select_next(s, rules, np.random.default_rng([seed, cut + 1])) for s in (restored, replayed)]
    assert pick[0] == pick[1]
    if pick[0] is not None:  # and the state goes on the same
        _same_state(cat.update(restored, pick[0], 1), cat.update(replayed, pick[0], 1))


def test_restore_rejects_a_record_that_cannot_be_a_state(bank):
    state = cat.replay(bank, [3, 40], [1, 0])
    post = state.log_posterior.tolist()
    with pytest.raises(ValueError):
        cat.restore(bank, [3, 40], [1], post, state.theta, state.se)
    with pytest.raises(ValueError):
        cat.restore(bank, [3, 3], [1, 0], post, state.theta, state.se)
    with pytest.raises(ValueError):
        cat.restore(bank, [3, 40], [1, 0], post[:-1], state.theta, state.se)
    with pytest.raises(ValueError):
        cat.restore(bank, [3, bank.n_items], [1, 0], post, state.theta, state.se)


def test_simulate_equals_run_cat_per_simulee(bank):
    rules = replace(FIXED_20, exposure="randomesque")
    thetas = np.array([-1.0, 0.5, 2.0])
    result = cat.simulate(thetas, bank, rules, np.random.default_rng(5))
    children = np.random.default_rng(5).spawn(3)
    for i, theta in enumerate(thetas):
        one = cat.run_cat(theta, bank, rules, children[i])
        assert result.administered[i].tolist() == one.administered.tolist()
        assert result.theta[i] == one.theta


def test_common_random_numbers_fix_the_answers(bank):
    thetas = np.zeros(2)
    uniforms = np.random.default_rng(0).random((2, bank.n_items))
    uniforms[1] = uniforms[0]
    result = cat.simulate(thetas, bank, FIXED_20, np.random.default_rng(9), uniforms=uniforms)
    assert result.administered[0].tolist() == result.administered[1].tolist()
    p = irt.p3pl(0.0, bank.a, bank.b, bank.c)
    items = result.administered[0]
    assert result.responses[0].tolist() == (uniforms[0, items] < p[items]).astype(int).tolist()


# ----------------------------------------------------------------------------- incomplete tests


@pytest.mark.parametrize("exposure", ["none", "sympson_hetter"])
def test_stopping_early_never_raises_the_score(calibrated, exposure):
    """For simulees over the whole ability range, cut off after every possible number of
    items, the incomplete score is not above the score of the same attempt completed."""
    sh_bank, _ = calibrated
    rules = cat.CatSettings(exposure=exposure)  # SE target 0.32, 8 to 24 items
    rng = np.random.default_rng(31)
    checked = 0
    for i, theta in enumerate(rng.normal(scale=1.5, size=60)):
        full = cat.run_cat(theta, sh_bank, rules, np.random.default_rng(i))
        state = cat.start(sh_bank, rules, np.random.default_rng(i))
        for item, response in zip(full.administered, full.responses, strict=True):
            score, se, note = cat.score_incomplete(state, rules)
            assert note.startswith("incomplete")
            assert score <= full.theta + 1e-12
            assert score <= state.theta and se == state.se
            state = cat.update(state, item, int(response))
            checked += 1
        assert cat.score_incomplete(state, rules)[:2] == (full.theta, full.se)
    assert checked > 60 * 8


def test_incomplete_score_is_the_all_wrong_continuation(bank):
    rules = cat.CatSettings(exposure="none", se_target=0.0, min_items=4, max_items=12)
    state = cat.replay(bank, [10, 20, 30], [1, 1, 0])
    score, se, _ = cat.score_incomplete(state, rules)
    wrong = state
    while (item := cat.select_next(wrong, rules, None)) is not None:
        wrong = cat.update(wrong, item, 0)
    assert wrong.n_items == 12
    assert score == wrong.theta and se == state.se


def test_eap_of_answered_items_alone_would_reward_weak_candidates_for_stopping(bank):
    # Why the policy exists: after few items the EAP is shrunk towards 0.
    rules = cat.CatSettings(exposure="none")
    early, full, penalised = [], [], []
    for i in range(40):
        result = cat.run_cat(-2.0, bank, rules, np.random.default_rng(100 + i))
        state = cat.replay(bank, result.administered[:4], result.responses[:4])
        early.append(state.theta)
        penalised.append(cat.score_incomplete(state, rules)[0])
        full.append(result.theta)
    assert np.mean(early) > np.mean(full) + 0.3
    assert np.mean(penalised) < np.mean(full)


# ----------------------------------------------------------------------------- rapid guessing


def test_rapid_guess_flags_use_ten_percent_of_typical_time():
    typical = np.array([45_000.0, 45_000.0, 45_000.0, 60_000.0, 60_000.0, 45_000.0])
    times = np.array([1_000.0, 4_499.0, 4_500.0, 5_999.0, 6_000.0, np.nan])
    assert cat.rapid_guess_flags(times, typical).tolist() == [True, True, False, True, False, False]


def test_rapid_guess_threshold_is_capped_at_ten_seconds():
    typical = np.full(3, 200_000.0)  # 10 % would be 20 s
    times = np.array([9_999.0, 10_000.0, 15_000.0])
    assert cat.rapid_guess_flags(times, typical).tolist() == [True, False, False]


def test_rapid_guess_flags_broadcast_over_persons_and_use_type_defaults():
    typical = cat.a_priori_typical_ms(["deductive", "number_series", "unknown"])
    assert typical.tolist() == [60_000.0, 45_000.0, cat.DEFAULT_TYPICAL_MS]
    times = np.array([[5_000.0, 5_000.0, 5_000.0], [7_000.0, 4_000.0, 40_000.0]])
    flags = cat.rapid_guess_flags(times, typical)
    assert flags.tolist() == [[True, False, False], [False, True, False]]
    with pytest.raises(ValueError):
        cat.rapid_guess_flags([-1.0], [45_000.0])


# ----------------------------------------------------------------------------- settings


@pytest.mark.parametrize("kwargs", [{"min_items": 0}, {"min_items": 30, "max_items": 20},
                                    {"exposure": "fade"}, {"randomesque_k": 0},
                                    {"se_target": -0.1}, {"type_targets": {"deductive": -1.0}},
                                    {"max_exposure_target": 0.0}])
def test_invalid_settings_are_rejected(kwargs):
    with pytest.raises(ValueError):
        cat.CatSettings(**kwargs)


# ----------------------------------------------------------------------------- item families


def family_bank(n=120, size=4, seed=5):
    """A bank whose items come in families of ``size`` near-identical items."""
    rng = np.random.default_rng(seed)
    base_b = rng.normal(size=n // size)
    b = np.repeat(base_b, size) + rng.normal(scale=0.02, size=n)
    a = np.full(n, 1.4)
    families = np.repeat([f"model.{k}" for k in range(n // size)], size)
    types = np.array(TYPES)[np.arange(n) % 3]
    return cat.CatBank(a, b, np.full(n, 0.125), types, families=families)


@pytest.mark.parametrize("theta", [-2.0, 0.0, 1.5])
def test_no_two_items_of_one_family_in_a_test(theta):
    fb = family_bank()
    rules = cat.CatSettings(se_target=0.0, min_items=20, max_items=20, exposure="none")
    result = cat.run_cat(theta, fb, rules, np.random.default_rng(1))
    families = fb.families[result.administered]
    assert len(set(families)) == 20
    # Without the rule, maximum information takes the near-identical twins.
    loose = cat.run_cat(theta, fb, replace(rules, item_families=False), np.random.default_rng(1))
    assert len(set(fb.families[loose.administered])) < 20


def test_family_rule_is_relaxed_only_when_a_type_has_no_new_family():
    fb = family_bank(n=24, size=4)  # 6 families, 8 items per type
    rules = cat.CatSettings(se_target=0.0, min_items=12, max_items=12, exposure="none")
    result = cat.run_cat(0.0, fb, rules, np.random.default_rng(2))
    families = list(fb.families[result.administered])
    first_repeat = next(n for n, f in enumerate(families) if f in families[:n])
    # every family was used once before any is repeated
    assert len(set(families[:first_repeat])) == 6


def test_update_tracks_the_families_given():
    fb = family_bank()
    state = cat.update(cat.start(fb), 0, 1)
    assert not state.family_ok[:4].any() and state.family_ok[4:].all()


# ----------------------------------------------------------------------------- progressive selection


def test_progressive_first_item_varies_and_later_items_are_most_informative(bank):
    rules = cat.CatSettings(se_target=0.0, min_items=12, max_items=12, exposure="none",
                            overlap="progressive", progressive_horizon=5)
    firsts = {cat.select_next(cat.start(bank), rules, np.random.default_rng(s)) for s in range(20)}
    assert len(firsts) >= 10  # the first item is a random eligible item
    result = cat.run_cat(0.5, bank, rules, np.random.default_rng(3))
    state = cat.replay(bank, result.administered[:8], result.responses[:8])
    pure = replace(rules, overlap="none")
    # after the horizon, selection is maximum information whatever the rng says
    assert cat.select_next(state, rules, np.random.default_rng(4)) == cat.select_next(state, pure, None)


def test_progressive_selection_lowers_overlap_of_similar_candidates(bank):
    base = cat.CatSettings(se_target=0.0, min_items=20, max_items=20, exposure="none")
    thetas = np.full(40, 0.3)

    def mean_overlap(rules):
        res = cat.simulate(thetas, bank, rules, np.random.default_rng(8))
        x = np.zeros((40, bank.n_items))
        for i, row in enumerate(res.administered):
            x[i, row] = 1
        common = (x @ x.T)[np.triu_indices(40, 1)]
        return common.mean() / 20, res.rmse

    pure_overlap, pure_rmse = mean_overlap(base)
    prog_overlap, prog_rmse = mean_overlap(replace(base, overlap="progressive", progressive_horizon=15))
    assert prog_overlap < pure_overlap - 0.08  # measured: 0.49 against 0.62
    assert prog_rmse < pure_rmse + 0.08


# ----------------------------------------------------------------------------- information SE, WLE score


def test_information_se_is_one_over_root_test_information(bank):
    state = cat.replay(bank, [3, 40, 77], [1, 0, 1])
    info = irt.information(state.theta, bank.a[[3, 40, 77]], bank.b[[3, 40, 77]], bank.c[[3, 40, 77]]).sum()
    assert cat.information_se(state) == pytest.approx(1 / np.sqrt(info), rel=1e-3)
    assert cat.information_se(cat.start(bank)) == np.inf


def test_information_stopping_reaches_the_target_on_the_score_se(bank):
    posterior = cat.CatSettings(se_target=0.35, min_items=1, max_items=60, exposure="none")
    information = replace(posterior, stop_se="information")
    thetas = np.linspace(-1.5, 1.5, 30)
    short = cat.simulate(thetas, bank, posterior, np.random.default_rng(5))
    longer = cat.simulate(thetas, bank, information, np.random.default_rng(5))
    assert set(short.reasons) == set(longer.reasons) == {"se_target"}
    # 1 / sqrt(I) ignores the prior's precision, so on average it needs more items
    assert longer.n_items.mean() > short.n_items.mean()
    for row, responses, k in zip(longer.administered, longer.responses, longer.n_items):
        state = cat.replay(bank, row[:k], responses[:k])
        assert cat.information_se(state) <= 0.35


def test_wle_score_is_less_shrunk_than_eap_for_strong_candidates(bank):
    eap_rules = cat.CatSettings(se_target=0.0, min_items=15, max_items=15, exposure="none")
    wle_rules = replace(eap_rules, estimator="wle")
    thetas = np.full(150, 2.0)
    eap = cat.simulate(thetas, bank, eap_rules, np.random.default_rng(6))
    wle = cat.simulate(thetas, bank, wle_rules, np.random.default_rng(6))
    assert np.array_equal(eap.administered, wle.administered)  # the estimator does not steer
    assert eap.bias < -0.1  # EAP shrinks towards the prior mean by about SE^2 * theta
    assert abs(wle.bias) < abs(eap.bias) / 2


def test_final_score_of_a_complete_and_an_incomplete_test(bank):
    rules = cat.CatSettings(se_target=0.0, min_items=10, max_items=10, exposure="none", estimator="wle")
    full = cat.run_cat(1.0, bank, rules, np.random.default_rng(9))
    complete = cat.final_score(cat.replay(bank, full.administered, full.responses), rules)
    assert complete.complete and complete.reason == "max_items" and complete.n_unreached == 0
    assert complete.theta == complete.answered_theta == pytest.approx(full.theta)
    cut = cat.replay(bank, full.administered[:4], full.responses[:4])
    timed = cat.final_score(cut, rules)
    assert not timed.complete and timed.reason == "incomplete"
    assert timed.n_answered == 4 and timed.n_unreached == 6
    wle, wle_se = irt.wle(full.responses[:4].astype(float), bank.a[full.administered[:4]],
                          bank.b[full.administered[:4]], bank.c[full.administered[:4]])
    assert timed.answered_theta == pytest.approx(float(wle)) and timed.se == timed.answered_se
    assert timed.theta <= timed.answered_theta


@pytest.mark.parametrize("estimator", ["eap", "wle"])
def test_stopping_early_never_raises_the_production_style_score(bank, estimator):
    """As test_stopping_early_never_raises_the_score, with families, progressive selection,
    information stopping and both estimators (the penalty path is deterministic)."""
    fb = family_bank(n=240, size=3)
    rules = cat.CatSettings(se_target=0.32, min_items=8, max_items=24, exposure="none",
                            overlap="progressive", progressive_horizon=10, stop_se="information",
                            estimator=estimator)
    rng = np.random.default_rng(17)
    for i, theta in enumerate(rng.normal(scale=1.5, size=25)):
        full = cat.run_cat(theta, fb, rules, np.random.default_rng(i))
        state = cat.start(fb, rules)
        for item, response in zip(full.administered, full.responses, strict=True):
            assert cat.final_score(state, rules).theta <= full.theta + 1e-9
            state = cat.update(state, item, int(response))
