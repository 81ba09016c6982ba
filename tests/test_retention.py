"""Retention per data class, legal hold and the purge, with the clock moved forward."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from portal.config import ConfigError, load_config
from portal.db import get_session
from portal.models import (
    Assignment, AuditEvent, BackgroundCheck, Candidate, Invitation, OutboxMessage, Report,
)
from portal.services import assignments as assignment_service
from portal.services import checks, retention
from test_privacy_erasure import dump, files_text
from test_reports import assessed, release  # noqa: F401  (fixture)

MONTH = 31  # days; the clock moves in whole "months" of 31 days, past each calendar month


def close(app, aid, clock):
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        assignment_service.update_assignment(
            session, a, title=a.title, norm_group=a.norm_group, time_limit_minutes=a.logic_time_limit_minutes,
            deadline=a.deadline, uses_logic=a.uses_logic, uses_personality=a.uses_personality, status="closed",
            user_id=None, now=clock(), norm_groups=[a.norm_group])
        session.commit()


def purge(runner, *args):
    result = runner.invoke(args=["privacy", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def candidate(db, cid) -> Candidate:
    db.expire_all()
    return db.get(Candidate, cid)


@pytest.fixture
def scene(app, db, clock, assessed, make_invitation, make_assignment, tmp_path, login_as):  # noqa: F811
    """The assessed candidate (not hired, released reports, an attachment, e-mails), a
    hired one and one on legal hold in the same assignment, one in an open assignment."""
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    aid, unsuccessful = assessed["assignment"], assessed["candidate"]
    staff = login_as("consultant", check=False)
    release(staff, unsuccessful, "client")
    hired, _, _ = make_invitation(aid, name="Hanna Anställd", email="hanna@example.com")
    held, _, _ = make_invitation(aid, name="Lars Spärrad", email="lars@example.com")
    other_aid = make_assignment(title="Öppet uppdrag")
    open_one, _, _ = make_invitation(other_aid, name="Olle Öppen", email="olle@example.com")
    with app.app_context():
        session = get_session()
        check = checks.checklist(session, session.get(Candidate, unsuccessful))[0]
        checks.attach_file(session, check, filename="pass.pdf", data=b"%PDF-1.4 Alva Lindqvist pass",
                           storage_dir=tmp_path, now=clock())
        for cid, to in ((unsuccessful, "alva@example.com"), (hired, "hanna@example.com")):
            session.add(OutboxMessage(kind="invitation", candidate_id=cid, to_address=to, subject="Inbjudan",
                                      body_text="Hej", created_at=clock()))
        session.commit()
    page = staff.get(f"/admin/candidates/{hired}/retention")
    assert staff.post(f"/admin/candidates/{hired}/hired",
                      data={"csrf_token": csrf_from(page), "hired": "1"}).status_code == 302
    refused = staff.post(f"/admin/candidates/{held}/hold", data={"csrf_token": csrf_from(page), "reason": " "})
    assert refused.status_code == 400 and candidate(db, held).legal_hold_at is None
    assert staff.post(f"/admin/candidates/{held}/hold",
                      data={"csrf_token": csrf_from(page), "reason": "Tvist 2026:14"}).status_code == 302
    close(app, aid, clock)
    return {"staff": staff, "aid": aid, "unsuccessful": unsuccessful, "hired": hired, "held": held,
            "open": open_one, "tmp": tmp_path, "page": page}


def test_purge_follows_the_periods_with_the_clock_moved_forward(app, db, clock, runner, scene, database_url, login_as):
    s = scene
    assert db.get(Assignment, s["aid"]).closed_at == clock()
    admin = login_as("admin", check=False)
    page = admin.get("/admin/retention")
    assert page.status_code == 200 and 'data-class="contact"' in page.get_data(as_text=True)
    bad = admin.post("/admin/retention", data={"csrf_token": csrf_from(page), "assessment": "300", "contact": "6",
                                               "attachments": "6", "outbox": "3", "audit": "24"})
    assert bad.status_code == 400 and db.scalar(sa.select(sa.func.count()).select_from(
        retention.RetentionPeriod)) == 0
    ok = admin.post("/admin/retention", data={"csrf_token": csrf_from(page), "assessment": "24", "contact": "6",
                                              "attachments": "6", "outbox": "3", "audit": "24"})
    assert ok.status_code == 302

    clock.advance(days=5 * MONTH)  # before any period that counts from the close
    out = purge(runner, "--dry-run")
    assert re.search(r"contact\s+6 months\s+0 due", out) and re.search(r"outbox\s+3 months\s+2 due", out)

    clock.advance(days=2 * MONTH)  # past 6 months: contact data of the unsuccessful one, attachments
    out = purge(runner, "--dry-run")
    assert f"#{s['unsuccessful']}" in out and f"#{s['hired']}" not in out and f"#{s['held']}" not in out
    assert candidate(db, s["unsuccessful"]).email == "alva@example.com"  # a dry run changes nothing
    out = purge(runner)
    # the unsuccessful candidate's e-mail went with their contact data, the hired one's by age
    assert "contact 1" in out and "attachments 1" in out and "outbox 1" in out
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    gone = candidate(db, s["unsuccessful"])
    assert gone.email == f"erased-{gone.id}@invalid" and gone.name == "Alva Lindqvist" and gone.erased_at is None
    assert all(i.revoked_at for i in db.scalars(sa.select(Invitation).where(Invitation.candidate_id == gone.id)))
    assert db.scalar(sa.select(BackgroundCheck.attachment_path).where(
        BackgroundCheck.candidate_id == gone.id, BackgroundCheck.attachment_path.is_not(None))) is None
    assert b"Alva" not in files_text(s["tmp"]).encode("latin-1")
    for kept in ("hired", "held", "open"):
        assert not candidate(db, s[kept]).email.startswith("erased-")
    record = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "retention_purge")
                        .order_by(AuditEvent.id.desc())).first()
    assert record.detail["contact"] == 1 and record.user_id is None
    # rerun: nothing left to do
    assert "contact 0" in purge(runner) and "assessment 0" in purge(runner)

    clock.advance(days=18 * MONTH)  # past 24 months: everyone of the closed assignment but the held one
    out = purge(runner)
    assert "assessment 2" in out and "audit" in out
    for erased in ("unsuccessful", "hired"):
        row = candidate(db, s[erased])
        assert row.erased_at is not None and row.name == f"#{row.id}"
    reports = db.scalars(sa.select(Report).where(Report.candidate_id == s["unsuccessful"])).all()
    assert reports and all(r.content.get("erased") and r.content["reason"] == "retention" for r in reports)
    text = dump(database_url)
    for name in ("Alva Lindqvist", "alva@example.com", "Hanna Anställd", "hanna@example.com"):
        assert text.count(name) == 0, name
    assert candidate(db, s["held"]).name == "Lars Spärrad" and candidate(db, s["open"]).name == "Olle Öppen"
    # audit events past 24 months are gone, except those about the held candidate
    old = db.scalars(sa.select(AuditEvent).where(AuditEvent.at <= retention.months_before(clock(), 24))).all()
    assert old and all(e.object_type == "candidate" and e.object_id == s["held"] for e in old)

    page = s["staff"].get(f"/admin/candidates/{s['held']}/retention")
    assert "Tvist 2026:14" in page.get_data(as_text=True)
    s["staff"].post(f"/admin/candidates/{s['held']}/hold", data={"csrf_token": csrf_from(page), "release": "1"})
    assert "assessment 1" in purge(runner)
    assert candidate(db, s["held"]).erased_at is not None


def test_an_assignment_on_hold_keeps_all_its_candidates(app, db, clock, runner, scene, login_as):
    s = scene
    page = s["staff"].get(f"/admin/assignments/{s['aid']}/retention")
    assert page.status_code == 200
    s["staff"].post(f"/admin/assignments/{s['aid']}/hold", data={"csrf_token": csrf_from(page), "reason": "Ärende 7"})
    clock.advance(days=40 * MONTH)
    out = purge(runner)
    assert "assessment 0" in out and "contact 0" in out and "attachments 0" in out
    assert candidate(db, s["unsuccessful"]).name == "Alva Lindqvist"
    # an outsider consultant cannot see or set the hold
    outsider = login_as("outsider", check=False)
    assert outsider.get(f"/admin/assignments/{s['aid']}/retention").status_code == 404
    own = csrf_from(outsider.get("/admin/account/two-factor"))
    assert outsider.post(f"/admin/assignments/{s['aid']}/hold",
                         data={"csrf_token": own, "release": "1"}).status_code == 404
    assert db.get(Assignment, s["aid"]).legal_hold_at is not None


def test_reopening_stops_the_count(app, db, clock, runner, scene):
    s = scene
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, s["aid"])
        assignment_service.update_assignment(
            session, a, title=a.title, norm_group=a.norm_group, time_limit_minutes=a.logic_time_limit_minutes,
            deadline=a.deadline, uses_logic=a.uses_logic, uses_personality=a.uses_personality, status="open",
            user_id=None, now=clock(), norm_groups=[a.norm_group])
        session.commit()
    clock.advance(days=40 * MONTH)
    assert "assessment 0" in purge(runner) and db.get(Assignment, s["aid"]).closed_at is None


def test_a_purge_stopped_halfway_goes_on_where_it_stopped(app, db, clock, scene):
    s = scene
    clock.advance(days=25 * MONTH)

    class Crash(Exception):
        pass

    with app.app_context():
        session = get_session()
        commits = []

        def commit_then_crash():
            if commits:
                raise Crash
            session.commit()
            commits.append(1)

        with pytest.raises(Crash):
            retention.purge(session, app.config, now=clock(), storage_dir=s["tmp"], batch_size=1,
                            commit=commit_then_crash)
        session.rollback()
        erased = [cid for cid in (s["unsuccessful"], s["hired"]) if candidate(db, cid).erased_at]
        assert len(erased) == 1  # the first batch committed, the second was rolled back
        counts = retention.purge(session, app.config, now=clock(), storage_dir=s["tmp"], batch_size=1,
                                 commit=session.commit)
    assert counts["assessment"] == 1
    assert all(candidate(db, cid).erased_at for cid in (s["unsuccessful"], s["hired"]))


def test_retention_months_from_the_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("RETENTION_MONTHS", "assessment=18, audit=keep")
    cfg = load_config(tmp_path, {"SECRET_KEY": "x" * 40})
    assert cfg["RETENTION_MONTHS"] == {"assessment": 18, "audit": None}
    for bad in ("assesment=18", "contact=0", "contact=six", "outbox"):
        monkeypatch.setenv("RETENTION_MONTHS", bad)
        with pytest.raises(ConfigError):
            load_config(tmp_path, {"SECRET_KEY": "x" * 40})


@pytest.mark.parametrize(("now", "months", "expected"), [
    ("2026-03-31", 1, "2026-02-28"), ("2026-01-15", 1, "2025-12-15"), ("2028-08-31", 6, "2028-02-29"),
    ("2026-12-06", 24, "2024-12-06"),
])
def test_months_before(now, months, expected):
    from datetime import datetime, timezone

    moved = retention.months_before(datetime.fromisoformat(now).replace(tzinfo=timezone.utc), months)
    assert moved.date().isoformat() == expected
