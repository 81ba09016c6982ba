"""`flask norms build`: a local norm table from stored results."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import sqlalchemy as sa

from helpers import Candidate
from item_banks import load_logic_bank
from norms import load_norm_table
from portal.models import LogicResponse, Result


def _complete(app, db, link, value):
    """Candidate ``value`` (2-5) answers the logic items right with a different pattern,
    so abilities differ by construction."""
    rng = np.random.default_rng(value)
    bank = load_logic_bank()
    c = Candidate(app.test_client(), link).through_practice()
    c.start_test()
    n = 0
    while c.step == "item":
        response_id, options = c.item_form()
        row = db.get(LogicResponse, int(response_id))
        key_id = row.option_ids[row.option_order.index(bank.get(row.item_id).key)]
        right = (n % value) != 0 if value < 5 else True
        wrong = next(o for o in options if o != key_id)
        c.post("/test/item", {"response": response_id, "option": key_id if right else wrong})
        n += 1
    while c.step == "inventory":
        ids = re.findall(r'<input type="radio" name="([^"]+)" value="1"', c.html)
        page = re.search(r'name="page" value="(\d+)"', c.html).group(1)
        c.post("/test/inventory", {"page": page, **{sid: str(rng.integers(1, 6)) for sid in ids}})


def test_build_from_stored_results(app, db, runner, make_assignment, make_invitation, tmp_path):
    aid = make_assignment()
    for i, value in enumerate((2, 3, 4, 5)):
        _, _, link = make_invitation(aid, name=f"C{i}", email=f"c{i}@example.com")
        _complete(app, db, link, value)
    # The test client answers at machine speed: every protocol is rapid-guessed and
    # flagged too fast, so the gates would leave nothing; here they are relaxed.
    gated = runner.invoke(args=["norms", "build", "--group", "local", "--assignment", str(aid),
                                "--label-sv", "Lokal grupp", "--label-en", "Local group",
                                "--output-dir", str(tmp_path)])
    assert gated.exit_code != 0 and "Nothing was written" in gated.output
    result = runner.invoke(args=["norms", "build", "--group", "local", "--assignment", str(aid),
                                 "--label-sv", "Lokal grupp", "--label-en", "Local group",
                                 "--max-rapid-share", "1", "--include-flagged",
                                 "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Warning" in result.output and "PROVISIONAL: N = 4 is below 200" in result.output
    path = tmp_path / "local.v1.json"
    assert path.exists()
    table = load_norm_table("local", directory=tmp_path)
    assert table.provisional and table.n == 4
    assert table.population["scope"] == "assignments" and list(table.population["assignments"]) == [aid]
    assert table.scales["logic.theta"].latent
    # The stored scores are WLEs: the norm's SD is their SD less the measurement error.
    rows = db.execute(sa.select(Result.theta, Result.se, Result.details)
                      .where(Result.scale == "logic.theta")).all()
    assert {row.details["estimator"] for row in rows} == {"wle"}
    thetas, ses = np.array([r.theta for r in rows]), np.array([r.se for r in rows])
    expected = np.sqrt(thetas.var(ddof=1) - np.mean(ses**2))
    assert table.scales["logic.theta"].sd == pytest.approx(expected, abs=1e-4)
    assert table.has_scale("personality.ES") and table.has_scale("personality.CO.order")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["warnings"] and "4 candidates" in document["method"]["en"]
    # a second build is the next version; nothing is overwritten
    before = path.read_bytes()
    again = runner.invoke(args=["norms", "build", "--group", "local", "--label-sv", "L", "--label-en", "L",
                                "--max-rapid-share", "1", "--include-flagged", "--output-dir", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "local.v2.json").exists() and path.read_bytes() == before


def test_scales_without_spread_are_left_out_with_a_warning(app, runner, make_assignment, make_invitation,
                                                          tmp_path):
    aid = make_assignment()
    for i in range(2):
        _, _, link = make_invitation(aid, name=f"C{i}", email=f"c{i}@example.com")
        c = Candidate(app.test_client(), link).through_practice()
        c.start_test()
        c.answer_all_items()
        c.finish_inventory(value=2)  # every domain mean is exactly 3: no spread
    result = runner.invoke(args=["norms", "build", "--group", "flat", "--label-sv", "F", "--label-en", "F",
                                 "--max-rapid-share", "1", "--include-flagged", "--output-dir", str(tmp_path)])
    assert "personality.ES left out" in result.output


def test_build_without_results_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["norms", "build", "--group", "empty", "--label-sv", "T", "--label-en", "T",
                                 "--output-dir", str(tmp_path)])
    assert result.exit_code != 0 and "No completed results" in result.output
    assert not list(tmp_path.iterdir())
