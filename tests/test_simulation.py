"""The production simulation (item_banks.simulation, `flask --app wsgi banks simulate`):
it runs what candidates get, and it prints every documented figure."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from item_banks import adaptive, irt, load_logic_bank, simulation
from portal.db import get_session
from portal.models import Candidate, Stage
from portal.services import journey


@pytest.fixture(scope="module")
def ab():
    return adaptive.adaptive_bank(load_logic_bank())


def test_overlap_rate_known_values():
    # tests {0,1,2,3}, {0,1,4,5}, {6,7,8,9}: pairwise overlaps 2/4, 0, 0
    administered = np.array([[0, 1, 2, 3], [0, 1, 4, 5], [6, 7, 8, 9]])
    lengths = np.array([4, 4, 4])
    overall, similar = simulation.overlap_rates(administered, lengths, 10, np.array([0.0, 0.2, 2.0]))
    assert overall == pytest.approx((0.5 + 0 + 0) / 3)
    assert similar == pytest.approx(0.5)  # only the first pair is of similar ability
    # different lengths: 2 common items, lengths 4 and 2 -> 2 / 3
    padded = np.array([[0, 1, 2, 3], [0, 1, -1, -1]])
    assert simulation.overlap_rates(padded, np.array([4, 2]), 10, np.zeros(2))[0] == pytest.approx(2 / 3)


def test_small_run_prints_every_documented_key(ab):
    doc = simulation.simulate(ab, 40, 3)
    assert set(simulation.KEYS) <= set(doc)
    assert doc["n_candidates"] == 40 and len(doc["by_decile"]) == 10
    assert sum(d["n"] for d in doc["by_decile"]) == 40
    assert 0 < doc["rmse"] < 1.5 and 0 <= doc["unused_share"] <= 1
    assert ab.settings.min_items <= doc["length"]["median"] <= doc["length"]["max"] <= ab.settings.max_items
    assert set(doc["items_per_type"]) == set(ab.cat_bank.type_names.tolist())
    assert doc["rmse_max_information_same_length"] is not None
    assert doc["time_limit_minutes"] == adaptive.time_limit_minutes()
    # the same seed gives the same figures (but for the measured time)
    again = simulation.simulate(ab, 40, 3)
    for key in simulation.KEYS:
        if key != "seconds_per_step":
            assert again[key] == doc[key], key


def test_every_key_is_documented_in_the_technical_manual():
    manual = (Path(__file__).resolve().parents[1] / "docs" / "technical-manual.md").read_text(encoding="utf-8")
    section = manual.split("## 6. Output of `banks simulate --json`", 1)[1].split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", section, flags=re.M)  # the key column
    documented = {name for cell in first_cells for name in re.findall(r"`([^`]+)`", cell)}
    assert set(simulation.KEYS) | {"command"} <= documented, set(simulation.KEYS) - documented


def test_uniform_abilities_cover_the_range(ab):
    doc = simulation.simulate(ab, 30, 4, theta_distribution="uniform", compare=False)
    assert doc["by_decile"][0]["theta_low"] >= -3 and doc["by_decile"][-1]["theta_high"] <= 3
    assert doc["rmse_max_information_same_length"] is None
    with pytest.raises(ValueError, match="theta distribution"):
        simulation.draw_thetas(3, "bimodal", np.random.default_rng(0))


def test_cli_json_has_the_documented_keys(runner):
    result = runner.invoke(args=["banks", "simulate", "--candidates", "12", "--seed", "5", "--json",
                                 "--no-compare"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(simulation.KEYS) <= set(doc)
    assert doc["command"] == ("flask --app wsgi banks simulate --candidates 12 --seed 5 "
                              "--theta-dist normal --no-compare")
    text = runner.invoke(args=["banks", "simulate", "--candidates", "12", "--seed", "5", "--no-compare"])
    assert text.exit_code == 0 and "RMSE" in text.stdout and "overlap" in text.stdout


def test_cli_refuses_bad_arguments(runner):
    result = runner.invoke(args=["banks", "simulate", "--candidates", "0"])
    assert result.exit_code != 0 and "--candidates" in result.output
    result = runner.invoke(args=["banks", "simulate", "--theta-dist", "bimodal"])
    assert result.exit_code != 0 and "bimodal" in result.output


def test_a_candidate_gets_the_items_the_simulation_gives(app, make_invitation, clock, ab):
    """The simulation is the candidate's code path: the same seed and the same answers give
    the same items in the same order, the same stop and the same score."""
    theta, seed = 0.8, 123456789
    uniforms = np.random.default_rng(11).random(ab.cat_bank.n_items)
    state, score, _, _ = simulation.run_one(ab, theta, seed, uniforms)
    p_true = irt.p3pl(theta, ab.cat_bank.a, ab.cat_bank.b, ab.cat_bank.c)
    cid, _, _ = make_invitation()
    from portal import resources as res

    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        candidate.stage = Stage.PRACTICE
        bank, norms = res.logic_bank(), res.norm_table(candidate.assignment.norm_group)
        attempt = journey.start_logic(session, candidate, bank, now=clock(), seed=seed)
        given = []
        while (shown := journey.present_logic_item(session, attempt, bank, now=clock())) is not None:
            position = ab.position_of(shown.item.id)
            given.append(position)
            correct = uniforms[position] < p_true[position]
            chosen = shown.item.key if correct else (shown.item.key + 1) % len(shown.item.options)
            option_id = shown.response.option_ids[shown.response.option_order.index(chosen)]
            outcome = journey.answer_logic_item(session, attempt, response_id=shown.response.id,
                                                option_id=option_id, now=clock(), bank=bank, norms=norms)
            assert outcome is journey.AnswerOutcome.ACCEPTED
            clock.advance(seconds=20)
        result = attempt.results[0]
        session.commit()
        assert given == list(state.administered)
        assert result.theta == pytest.approx(score.theta) and result.se == pytest.approx(score.se)
        assert result.details["stop_reason"] == score.reason
