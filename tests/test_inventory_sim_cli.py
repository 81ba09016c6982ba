"""``flask --app wsgi banks simulate-inventory``: the validity-flag simulation from the app."""
from __future__ import annotations

import json

import pytest

from item_banks import load_inventory
from item_banks.inventory_sim import KEYS, run
from portal import create_app

from conftest import TEST_CONFIG


@pytest.fixture
def cli(tmp_path):
    # The command reads no database; the app only supplies the configured inventory.
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})
    yield app.test_cli_runner()
    app.extensions["portal.engine"].dispose()


def test_json_has_every_documented_key_and_the_library_figures(cli):
    result = cli.invoke(args=["banks", "simulate-inventory", "--n", "40", "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert tuple(report) == KEYS
    assert report["n"] == 40 and report["seed"] == 3
    expected = run(load_inventory(), n=40, seed=3)
    report.pop("seconds"), expected.pop("seconds")
    assert report == json.loads(json.dumps(expected))


def test_table(cli):
    result = cli.invoke(args=["banks", "simulate-inventory", "--n", "20"])
    assert result.exit_code == 0, result.output
    assert "seed 20261111, n = 20 protocols per responder type" in result.output
    for row in ("honest", "random", "straight_line", "acquiescent", "half_random", "too_fast"):
        assert f"\n{row} " in result.output


def test_too_small_n_is_refused(cli):
    result = cli.invoke(args=["banks", "simulate-inventory", "--n", "1"])
    assert result.exit_code == 2 and "--n" in result.output


def test_broken_inventory_is_reported(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                      "INVENTORY_PATH": str(broken)})
    result = app.test_cli_runner().invoke(args=["banks", "simulate-inventory", "--n", "5"])
    app.extensions["portal.engine"].dispose()
    assert result.exit_code == 1 and "broken.json" in result.output
