"""Erasure at the candidate's request: personal data gone from every table, file and
e-mail (proved by dumping the database and the attachment folder), anonymous answers and
results kept, released reports replaced by a tombstone, a typed confirmation."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from conftest import csrf_from
from portal.db import get_session
from portal.models import (
    AuditEvent, Candidate, CandidateComment, LogicResponse, OutboxMessage, Report, Result,
)
from portal.services import checks
from test_reports import assessed, release  # noqa: F401  (fixture)

NAME, EMAIL = "Zebulon Qwertzuiop", "zebulon.qwertzuiop@example.com"
PDF = b"%PDF-1.4 Zebulon Qwertzuiop passport scan"


def dump(database_url: str) -> str:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        with sqlite3.connect(url.database) as conn:
            return "\n".join(conn.iterdump())
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", "--no-owner", libpq], capture_output=True, text=True, check=True).stdout


def files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in folder.rglob("*") if p.is_file())


def test_erasure_leaves_no_trace_of_name_email_or_link(app, db, clock, assessed, database_url, tmp_path, login_as):  # noqa: F811
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    cid, token = assessed["candidate"], assessed["link"].rsplit("/i/", 1)[1]
    db.execute(sa.update(Candidate).where(Candidate.id == cid).values(name=NAME, email=EMAIL))
    db.commit()
    staff = login_as("consultant", check=False)
    release(staff, cid, "client")
    release(staff, cid, "candidate")
    with app.app_context():
        session = get_session()
        check = checks.checklist(session, session.get(Candidate, cid))[0]
        checks.attach_file(session, check, filename=f"{NAME}.pdf", data=PDF, storage_dir=tmp_path, now=clock())
        check.note = f"Passet för {NAME} stämmer."
        session.add(CandidateComment(candidate_id=cid, text=f"Hälsningar, {NAME}", created_at=clock(),
                                     updated_at=clock()))
        session.add(OutboxMessage(kind="invitation", candidate_id=cid, to_address=EMAIL, subject=f"Till {NAME}",
                                  body_text=f"Hej {NAME}, din länk: http://localhost/i/{token}"))
        session.commit()
    before = dump(database_url) + files_text(tmp_path)
    assert NAME in before and EMAIL in before and token in before  # the test would notice
    answers = db.scalar(sa.select(sa.func.count()).select_from(LogicResponse))
    results = db.scalar(sa.select(sa.func.count()).select_from(Result))

    page = staff.get(f"/admin/candidates/{cid}/erase")
    assert page.status_code == 200
    wrong = staff.post(f"/admin/candidates/{cid}/erase", data={"csrf_token": csrf_from(page), "confirmation": "Zebulon"})
    assert wrong.status_code == 400 and db.scalar(sa.select(Candidate.name).where(Candidate.id == cid)) == NAME
    done = staff.post(f"/admin/candidates/{cid}/erase", data={"csrf_token": csrf_from(page), "confirmation": NAME})
    assert done.status_code == 302

    after = dump(database_url) + files_text(tmp_path)
    for secret in (NAME, "Zebulon", "Qwertzuiop", EMAIL, token):
        assert after.count(secret) == 0, secret
    db.expire_all()
    row = db.get(Candidate, cid)
    assert row.name == f"#{cid}" and row.erased_at is not None
    # anonymous answers and results stay for norms and item statistics
    assert db.scalar(sa.select(sa.func.count()).select_from(LogicResponse)) == answers > 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Result)) == results > 0
    # the released reports are tombstones now; the link no longer works
    reports = db.scalars(sa.select(Report).where(Report.candidate_id == cid)).all()
    assert sorted((r.kind.value, r.version) for r in reports) == [("candidate", 2), ("client", 2)]
    assert all(r.content.get("erased") for r in reports)
    assert app.test_client().get(assessed["link"]).status_code in (404, 410)
    # the audit log is shared by the session's tests: the newest erase event of this candidate
    erase = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "erase", AuditEvent.object_id == cid)
                       .order_by(AuditEvent.id.desc())).first()
    assert erase.detail["reason"] == "request" and erase.detail["reports"] == 2 and erase.detail["attachments"] == 1
    again = staff.post(f"/admin/candidates/{cid}/erase", data={"csrf_token": csrf_from(page), "confirmation": row.name})
    assert again.status_code == 200 and "raderades" in again.get_data(as_text=True)
