"""Immutable bank versions (issue 16): stored once, never changed; one is active for new
attempts; an attempt and its result keep the version that gave and scored them;
``banks calibrate`` writes a new version with a diff from stored responses; activation
from the admin page (admin-only, CSRF, confirmation, audit) and the CLI. SQLite and
PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bank_version_helpers import SHIPPED_VERSION as SHIPPED
from bank_version_helpers import derived, insert_responses, store
from conftest import csrf_from, sign_in
from helpers import Candidate
from item_banks import adaptive, calibration_sim, irt, load_logic_bank
from portal.db import get_session
from portal.models import (Attempt, AuditEvent, BankActivation, BankVersion, LogicResponse, Result, Role, TestKind,
                           User)
from portal.services import bank_versions, scoring


def _active(app) -> str:
    from portal import resources as res

    with app.test_request_context():
        return res.logic_bank().version


def test_a_version_can_be_added_and_activated_but_never_changed(app, db):
    row = store(db, derived("3.1.0", shift_b=0.2))
    row.document = row.document.replace("3.1.0", "3.1.1")
    with pytest.raises(bank_versions.BankVersionIsImmutable):
        db.flush()
    db.rollback()
    with pytest.raises(bank_versions.BankVersionIsImmutable):
        db.execute(sa.update(BankVersion).values(sha256="0" * 64))
    db.rollback()
    with pytest.raises(bank_versions.BankVersionIsImmutable):
        db.delete(db.get(BankVersion, row.id))
        db.flush()
    db.rollback()
    with app.app_context():
        session = get_session()
        assert bank_versions.activate(session, load_logic_bank(), "3.1.0", user_id=None,
                                      now=datetime(2026, 12, 1, tzinfo=timezone.utc))
        session.commit()
    activation = db.scalar(sa.select(BankActivation))
    activation.version = SHIPPED
    with pytest.raises(bank_versions.BankVersionIsImmutable):
        db.flush()
    db.rollback()
    assert _active(app) == "3.1.0"
    # The stored document is the one that loads, byte for byte: a tampered one is refused.
    stored = db.scalar(sa.select(BankVersion).where(BankVersion.version == "3.1.0"))
    assert bank_versions.sha256(stored.document) == stored.sha256


def test_cli_lists_and_activates_versions(runner, app, db):
    result = runner.invoke(args=["banks", "versions"])
    assert result.exit_code == 0 and f"* logic-aig {SHIPPED}" in result.output
    result = runner.invoke(args=["banks", "activate", "9.9.9", "--yes"])
    assert result.exit_code != 0 and "No version 9.9.9" in result.output
    store(db, derived("3.1.0", shift_b=0.2))
    result = runner.invoke(args=["banks", "activate", "3.1.0"], input="n\n")
    assert result.exit_code != 0 and _active(app) == SHIPPED  # not confirmed: nothing changes
    result = runner.invoke(args=["banks", "activate", "3.1.0", "--yes"])
    assert result.exit_code == 0, result.output
    assert "3.1.0 is now active" in result.output and _active(app) == "3.1.0"
    listing = runner.invoke(args=["banks", "versions"]).output
    assert "* logic-aig 3.1.0" in listing and f"  logic-aig {SHIPPED}" in listing
    # The shipped version is stored too now, so attempts stamped with it outlive the file.
    assert db.scalar(sa.select(BankVersion.source).where(BankVersion.version == SHIPPED)) == "shipped"
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bank.activate")
                       .order_by(AuditEvent.id.desc())).first()
    assert event.detail == {"bank_id": "logic-aig", "version": "3.1.0", "previous": SHIPPED}


def _answer(c: Candidate, db, n: int | None = None) -> int:
    """Answer items on the candidate's pages, right and wrong in turn (so the estimate
    stays inside the scale), until the test ends or ``n`` are answered."""
    bank = load_logic_bank()
    done = 0
    while c.step == "item" and (n is None or done < n):
        response_id, options = c.item_form()
        db.expire_all()
        row = db.get(LogicResponse, int(response_id))
        key_at = row.option_order.index(bank.get(row.item_id).key)
        chosen = key_at if done % 2 == 0 else (key_at + 1) % len(options)
        c.post("/test/item", {"response": response_id, "option": row.option_ids[chosen]})
        done += 1
    return done


def test_attempts_and_results_keep_their_version_and_regenerate_identically(app, client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    _answer(c, db, 4)
    # A new version is activated while the candidate is in the middle of the test.
    store(db, derived("3.1.0", shift_b=0.6))
    with app.app_context():
        session = get_session()
        bank_versions.activate(session, load_logic_bank(), "3.1.0", user_id=None,
                               now=datetime(2026, 12, 1, tzinfo=timezone.utc))
        session.commit()
    assert _answer(c, db) > 0 and c.step != "item"
    attempt = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))
    result = db.scalar(sa.select(Result).where(Result.attempt_id == attempt.id))
    assert attempt.bank_version == result.bank_version == SHIPPED
    from portal import resources as res

    with app.test_request_context():
        session = get_session()
        attempt = session.get(Attempt, attempt.id)
        norms = res.norm_table(attempt.candidate.assignment.norm_group)
        stamped = res.logic_bank_for(attempt)
        assert stamped.version == SHIPPED and res.logic_bank().version == "3.1.0"
        again = scoring.regenerate_logic_result(session, attempt, stamped, norms)
        assert (again.theta, again.se, again.percentile, again.percentile_low, again.percentile_high) == \
            (result.theta, result.se, result.percentile, result.percentile_low, result.percentile_high)
        assert again.details == result.details
        # The new version's parameters would give other numbers: the stamp matters.
        other = scoring.score_logic_attempt(session, attempt, res.logic_bank(), norms, store=False)
        assert abs(other.theta - result.theta) > 0.1
        with pytest.raises(ValueError):
            scoring.regenerate_logic_result(session, attempt, res.logic_bank(), norms)
        session.rollback()
    # A candidate who starts now gets the active version.
    _, _, link2 = make_invitation(email="second@example.com")
    c2 = Candidate(app.test_client(), link2).through_practice()
    c2.start_test()
    _answer(c2, db, 2)
    versions = db.scalars(sa.select(Attempt.bank_version).where(Attempt.kind == TestKind.LOGIC)
                          .order_by(Attempt.id)).all()
    assert versions == [SHIPPED, "3.1.0"]


def _simulated(n: int, seed: int):
    """Simulated adaptive data from the shipped bank with one item whose real difficulty
    is 1.0 above its parameter and one whose curve is not monotone (misfit)."""
    ab = adaptive.adaptive_bank(load_logic_bank())
    first = calibration_sim.adaptive_responses(ab, np.random.default_rng(seed).normal(size=n),
                                               np.random.default_rng(seed + 1))
    order = [int(j) for j in np.argsort(-first.n_per_item, kind="stable")]
    shifted, broken, pretest = order[0], order[1], order[2:4]
    cb = ab.cat_bank

    def probability(_p, theta):
        p = irt.p3pl(theta, cb.a, cb.b, cb.c).copy()
        p[shifted] = irt.p3pl(theta, cb.a[shifted], cb.b[shifted] + 1.0, cb.c[shifted])
        p[broken] = 0.95 if theta < cb.b[broken] - 0.3 else 0.05
        return p

    data = calibration_sim.adaptive_responses(ab, np.random.default_rng(seed).normal(size=n),
                                              np.random.default_rng(seed + 1), probability=probability)
    ids = list(ab.item_ids)
    return ids, data.responses, ids[shifted], ids[broken], [ids[j] for j in pretest]


def test_calibrate_writes_a_new_inactive_version_with_a_sensible_diff(runner, app, db, make_invitation):
    ids, responses, shifted, broken, pretest = _simulated(1200, 11)
    # The active version collects data on two pretest items.
    store(db, derived("3.1.0", pretest=pretest))
    assert runner.invoke(args=["banks", "activate", "3.1.0", "--yes"]).exit_code == 0
    cid, _, _ = make_invitation()
    answered = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    insert_responses(db, cid, "logic-aig", "3.1.0", ids, responses, answered_at=answered, pretest=set(pretest))
    # Older responses than --since are not used.
    insert_responses(db, cid, "logic-aig", SHIPPED, ids, np.ones((1, len(ids))), answered_at=datetime(
        2026, 9, 1, tzinfo=timezone.utc))
    result = runner.invoke(args=["banks", "calibrate", "--since", "2026-11-01", "--min-n", "40", "--no-exposure"])
    assert result.exit_code == 0, result.output
    assert "New version logic-aig 3.2.0 (parent 3.1.0), not active." in result.output
    assert "1200 attempts" in result.output and "Estimating item parameters" in result.output
    assert _active(app) == "3.1.0"  # for a person to review first
    row = db.scalar(sa.select(BankVersion).where(BankVersion.version == "3.2.0"))
    assert row.parent_version == "3.1.0" and row.source == "calibrated"
    cal = row.diff["calibration"]
    assert cal["min_n"] == 40 and cal["n_persons"] == 1200 and cal["since"].startswith("2026-11-01")
    assert cal["linking"]["n_items"] >= 100
    actions = {r["item_id"]: r for r in row.diff["items"]}
    assert actions[shifted]["action"] == "changed" and actions[shifted]["new_b"] > actions[shifted]["old_b"] + 0.4
    assert actions[broken]["action"] == "retired"
    assert all(actions[i]["action"] == "promoted" for i in pretest)
    summary = row.diff["summary"]
    estimated = summary["changed"] + summary["unchanged"]
    assert summary["unchanged"] >= 0.8 * estimated  # most sound items stay within their SEs
    assert summary["retired"] <= 6
    # The new version loads: the misfit item is gone, the pretest items are operational.
    with app.test_request_context():
        from portal import resources as res

        bank = res.logic_bank_version("logic-aig", "3.2.0")
    assert bank.irt_source == "calibrated" and not bank.pretest
    assert set(pretest) <= {i.id for i in bank.items}
    with pytest.raises(KeyError):
        bank.get(broken)
    assert bank.get(shifted).irt["b"] == pytest.approx(actions[shifted]["new_b"], abs=1e-3)
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bank.calibrate")
                       .order_by(AuditEvent.id.desc())).first()
    assert event.detail["version"] == "3.2.0"


def test_calibrate_without_enough_data_stores_nothing(runner, db):
    result = runner.invoke(args=["banks", "calibrate", "--since", "2026-11-01", "--no-exposure"])
    assert result.exit_code != 0 and "No new version" in result.output
    assert db.scalar(sa.select(sa.func.count()).select_from(BankVersion)) == 0
    result = runner.invoke(args=["banks", "calibrate", "--since", "1 Nov"])
    assert result.exit_code == 2 and "--since" in result.output


@pytest.fixture
def users(db):
    for email, role in (("admin@example.com", Role.ADMIN), ("c@example.com", Role.CONSULTANT)):
        db.add(User(email=email, role=role, password_hash=generate_password_hash("long enough password")))
    db.commit()


def test_admin_reviews_and_activates_a_version(app, db, users):
    store(db, derived("3.1.0", shift_b=0.2))
    consultant = app.test_client()
    sign_in(consultant, "c@example.com", "long enough password")
    assert consultant.get("/admin/banks/versions").status_code == 403
    assert consultant.get("/admin/banks/versions/3.1.0").status_code == 403
    assert consultant.post("/admin/banks/versions/3.1.0/activate", data={"confirm": "y"}).status_code in (400, 403)
    assert "Versions and calibration" not in consultant.get("/admin/banks").get_data(as_text=True)

    admin = app.test_client()
    sign_in(admin, "admin@example.com", "long enough password")
    listing = admin.get("/admin/banks/versions", headers={"Accept-Language": "en"})
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and 'data-version="3.1.0"' in html and f'data-version="{SHIPPED}"' in html
    page = admin.get("/admin/banks/versions/3.1.0", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Activate version 3.1.0" in page.get_data(as_text=True)
    assert admin.get("/admin/banks/versions/7.7.7").status_code == 404
    # Without the CSRF token, or without the confirmation: refused, nothing changes.
    assert admin.post("/admin/banks/versions/3.1.0/activate", data={"confirm": "y"}).status_code == 400
    refused = admin.post("/admin/banks/versions/3.1.0/activate", data={"csrf_token": csrf_from(page)},
                         headers={"Accept-Language": "en"})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    assert _active(app) == SHIPPED
    done = admin.post("/admin/banks/versions/3.1.0/activate",
                      data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert done.status_code == 302 and _active(app) == "3.1.0"
    html = admin.get("/admin/banks/versions").get_data(as_text=True)
    assert html.index('data-version="3.1.0"') < html.index('data-active="1"') < html.index(f'data-version="{SHIPPED}"')
    admin_id = db.scalar(sa.select(User.id).where(User.email == "admin@example.com"))
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bank.activate")
                       .order_by(AuditEvent.id.desc())).first()
    assert event.user_id == admin_id and event.detail["version"] == "3.1.0"
    # The Item banks page now shows the active version.
    assert "version 3.1.0" in admin.get("/admin/banks", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_stored_version_runs_with_its_own_exposure_parameters(app, db):
    doc = derived("3.1.0", shift_b=0.2)
    row = store(db, doc)
    ids = [i["id"] for i in doc["items"] if not i["practice"]]
    exposure = {"format": adaptive.EXPOSURE_FORMAT, "bank_id": "logic-aig", "bank_version": "3.1.0",
                "settings": adaptive._settings_doc(adaptive.APP_SETTINGS), "exposure_k": {i: 0.5 for i in ids}}
    # Stored with the version, as `banks calibrate` does (a new row: versions are never updated).
    text = row.document
    db.add(BankVersion(bank_id="logic-aig", version="3.2.0", parent_version="3.1.0", source="calibrated",
                       document=text.replace('"version": "3.1.0"', '"version": "3.2.0"'),
                       sha256=bank_versions.sha256(text.replace('"version": "3.1.0"', '"version": "3.2.0"')),
                       exposure={**exposure, "bank_version": "3.2.0"}))
    db.commit()
    from portal import resources as res

    with app.test_request_context():
        with_k = adaptive.adaptive_bank(res.logic_bank_version("logic-aig", "3.2.0"))
        without = adaptive.adaptive_bank(res.logic_bank_version("logic-aig", "3.1.0"))
    assert with_k.settings.exposure == "sympson_hetter" and np.all(with_k.cat_bank.exposure_k == 0.5)
    assert without.settings.exposure == "randomesque"


def test_a_release_keeps_the_version_it_replaces_in_the_archive():
    """3.0.1 replaced the shipped 3.0.0 only to name teams in English in the English texts:
    the archive keeps 3.0.0 byte for byte (checked by its SHA-256), with the same items,
    keys, structures and parameters, and its exposure-control parameters."""
    import hashlib

    from item_banks import archive
    from item_banks.generators.deductive import TEAMS

    old, new = archive.load_archived("logic-aig", "3.0.0"), load_logic_bank()
    assert (old.version, new.version) == ("3.0.0", SHIPPED) and SHIPPED != "3.0.0"
    assert hashlib.sha256(archive.document_text("logic-aig", "3.0.0").encode()).hexdigest() == \
        archive._index()[("logic-aig", "3.0.0")]["sha256"]
    assert [i.id for i in old.items + old.practice] == [i.id for i in new.items + new.practice]
    changed = []
    for a, b in zip(old.items + old.practice, new.items + new.practice):
        assert (a.key, a.structure, a.irt, a.features, a.stem["sv"]) == (b.key, b.structure, b.irt, b.features,
                                                                        b.stem["sv"])
        assert [o.get("sv") for o in a.options] == [o.get("sv") for o in b.options]
        if a != b:
            changed.append(a.id)
            assert a.type == "deductive" and any(team in a.stem["en"] for team in TEAMS)
            assert not any(team in b.stem["en"] for team in TEAMS)
    assert len(changed) == 11  # ten operational items and the practice item
    assert old.exposure["bank_version"] == "3.0.0"
    assert adaptive.adaptive_bank(old).settings.exposure == "sympson_hetter"
    # A tampered archive is refused, not loaded.
    entry = archive._index()[("logic-aig", "3.0.0")]
    archive._index()[("logic-aig", "3.0.0")] = {**entry, "sha256": "0" * 64}
    try:
        with pytest.raises(bank_versions.BankError):
            archive.document_text("logic-aig", "3.0.0")
    finally:
        archive._index()[("logic-aig", "3.0.0")] = entry


def test_an_attempt_started_before_a_release_continues_from_the_archive(app, client, db, make_invitation, tmp_path):
    """A candidate starts the test on the release that shipped 3.0.0; the portal is upgraded
    to 3.0.1 (the file replaced) before they finish, on a database that never stored 3.0.0.
    The attempt continues on 3.0.0, with its exposure control, and its result is stamped
    with and regenerates from 3.0.0."""
    from item_banks import archive
    from portal import resources as res

    old_file = tmp_path / "logic_bank.json"
    old_file.write_text(archive.document_text("logic-aig", "3.0.0"), encoding="utf-8")
    (tmp_path / "logic_bank.exposure.json").write_text(
        (archive.ARCHIVE_DIR / "logic-aig-3.0.0.exposure.json").read_text(encoding="utf-8"), encoding="utf-8")
    app.config["LOGIC_BANK_PATH"] = str(old_file)  # the release that shipped 3.0.0
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    assert _answer(c, db, 3) == 3  # keys and ids are the same in both versions
    app.config["LOGIC_BANK_PATH"] = None  # the upgraded release: the shipped file is 3.0.1
    assert db.scalar(sa.select(sa.func.count()).select_from(BankVersion)) == 0
    assert _answer(c, db) > 0 and c.step != "item"
    attempt = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))
    result = db.scalar(sa.select(Result).where(Result.attempt_id == attempt.id))
    assert attempt.bank_version == result.bank_version == "3.0.0"
    with app.test_request_context():
        session = get_session()
        attempt = session.get(Attempt, attempt.id)
        stamped = res.logic_bank_for(attempt)
        assert stamped.version == "3.0.0" and res.logic_bank().version == SHIPPED
        assert adaptive.adaptive_bank(stamped).settings.exposure == "sympson_hetter"
        again = scoring.regenerate_logic_result(session, attempt, stamped,
                                                res.norm_table(attempt.candidate.assignment.norm_group))
        assert (again.theta, again.se, again.percentile) == (result.theta, result.se, result.percentile)
        # Activating another version stores the archived one it may need, with its exposure.
        row = bank_versions.ensure_stored(session, stamped)
        assert row.sha256 == archive._index()[("logic-aig", "3.0.0")]["sha256"]
        assert row.exposure["bank_version"] == "3.0.0"
        session.rollback()
