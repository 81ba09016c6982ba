"""Side effects after commit: requests only queue e-mails, the mail worker (``flask mail
work``) sends them, and consultants see where each one stands."""
from __future__ import annotations

import io
import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from portal.db import get_session
from portal.models import Candidate, Invitation, OutboxMessage
from portal.services import mail
from portal.web import renderer
from test_mail import SENDER, _free_port, start_smtp  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def _smtp_config(port: int) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": False, "MAIL_FROM": SENDER,
            "SMTP_TIMEOUT": 5}


@pytest.fixture
def consultant(make_user):
    return make_user("konsult@example.com", name="Karin Konsult")


@pytest.fixture
def smtp_connections(monkeypatch):
    """Every SMTP connection the code under test opens, by port."""
    opened = []
    connect = smtplib.SMTP.connect

    def counting(self, host="localhost", port=0, source_address=None):
        opened.append(port)
        return connect(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting)
    return opened


def _count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def test_csv_import_with_send_now_never_waits_for_smtp_and_the_worker_sends_all(
        make_app, db, consultant, make_assignment, start_smtp, smtp_connections, login_as):
    inbox, port = start_smtp()
    app = make_app(**_smtp_config(port))
    aid = make_assignment(staff=[consultant])
    client = login_as("konsult@example.com", "en", app=app)
    token = csrf_from(client.get(f"/admin/assignments/{aid}/candidates/import"))
    rows = "".join(f"Kandidat {i};k{i}@example.se\n" for i in range(12))
    preview = client.post(f"/admin/assignments/{aid}/candidates/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(f"namn;e-post\n{rows}".encode()), "k.csv")})
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = client.post(f"/admin/assignments/{aid}/candidates/import", data={
        "csrf_token": token, "payload": payload, "valid_only": "", "send_now": "y"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "12 candidates were imported" in html
    assert "Invitations queued: 12. The mail worker sends them" in html
    assert "e-mailed" not in html
    # the request queued twelve messages and opened no SMTP connection
    assert smtp_connections == [] and inbox.envelopes == []
    assert _count(db, OutboxMessage) == 12
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation).where(Invitation.sent_at.is_not(None))) == 0
    listing = client.get(f"/admin/assignments/{aid}/candidates").get_data(as_text=True)
    assert listing.count('data-mail-state="queued"') == 12

    result = app.test_cli_runner().invoke(args=["mail", "work", "--once", "--batch", "5"])
    assert result.exit_code == 0, result.output
    assert "Sent 12 message(s); 0 failed" in result.output
    assert "@" not in result.output and "http" not in result.output
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == sorted(f"k{i}@example.se" for i in range(12))
    assert all("/i/" in m.get_body(("plain",)).get_content() for m in inbox.messages())
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation).where(Invitation.sent_at.is_(None))) == 0
    listing = client.get(f"/admin/assignments/{aid}/candidates").get_data(as_text=True)
    assert listing.count('data-mail-state="sent"') == 12
    again = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert "Sent 0 message(s)" in again.output and len(inbox.envelopes) == 12


def test_a_request_that_fails_after_queueing_leaves_no_mail(make_app, db, consultant, make_assignment,
                                                             start_smtp, monkeypatch, login_as):
    inbox, port = start_smtp()
    app = make_app(**_smtp_config(port))
    aid = make_assignment(staff=[consultant])
    client = login_as("konsult@example.com", "en", app=app)
    token = csrf_from(client.get(f"/admin/assignments/{aid}/candidates/new"))

    from portal.services import audit

    def broken(*args, **kwargs):
        if kwargs.get("action") == "send_invitation":  # after the message was queued
            raise RuntimeError("the audit log is away")
        return record(*args, **kwargs)

    record = audit.record
    monkeypatch.setattr(audit, "record", broken)
    failed = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "Kim Kandidat", "email": "kim@example.com", "language": "sv",
        "extra_time": "0", "send_now": "y"})
    assert failed.status_code == 500  # the error page; the request's writes are rolled back
    monkeypatch.setattr(audit, "record", record)
    assert _count(db, Candidate) == 0 and _count(db, OutboxMessage) == 0
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert "Sent 0 message(s)" in result.output and inbox.envelopes == []

    # the same request when nothing breaks: the message is there and goes out
    done = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "Kim Kandidat", "email": "kim@example.com", "language": "sv",
        "extra_time": "0", "send_now": "y"}, follow_redirects=True)
    assert "The e-mail is queued: the mail worker sends it within a minute." in done.get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert "Sent 1 message(s)" in result.output and len(inbox.envelopes) == 1


def test_a_refused_request_4xx_leaves_no_mail(make_app, db, make_invitation, start_smtp, clock):
    inbox, port = start_smtp()
    app = make_app(**_smtp_config(port))
    cid, _iid, _path = make_invitation()

    def queue_then_refuse(status: int):
        mail.queue_message(get_session(), kind="reminder", candidate_id=cid, to="kim@example.com",
                           subject="Påminnelse", text="x", html=None, now=clock())
        return "refused", status

    app.add_url_rule("/queue-then/<int:status>", view_func=queue_then_refuse)
    client = app.test_client()
    for status in (400, 403, 409, 500):
        assert client.get(f"/queue-then/{status}").status_code == status
    assert _count(db, OutboxMessage) == 0
    assert "Sent 0 message(s)" in app.test_cli_runner().invoke(args=["mail", "work", "--once"]).output
    assert inbox.envelopes == []
    assert client.get("/queue-then/200").status_code == 200  # a success commits it
    assert "Sent 1 message(s)" in app.test_cli_runner().invoke(args=["mail", "work", "--once"]).output


def test_backoff_then_give_up_is_shown_to_the_consultant(make_app, db, consultant, make_assignment,
                                                         make_invitation, clock, login_as):
    app = make_app(**_smtp_config(_free_port()))  # nothing listens there
    aid = make_assignment(staff=[consultant])
    cid, _iid, _path = make_invitation(aid, email="kim@example.com")
    client = login_as("konsult@example.com", "en", app=app)
    manage = f"/admin/candidates/{cid}/manage"
    token = csrf_from(client.get(manage))
    sent = client.post(f"/admin/candidates/{cid}/send-invitation", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "queued: the mail worker sends it within a minute" in sent
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "work", "--once"])
    assert "Sent 0 message(s); 1 failed and will be retried; 0 given up" in result.output
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-mail-state="retrying"' in outbox and "failed; next attempt" in outbox
    assert "ConnectionRefusedError" in outbox
    assert 'data-mail-state="retrying"' in client.get(manage).get_data(as_text=True)
    assert 'data-mail-state="retrying"' in client.get(f"/admin/assignments/{aid}/candidates").get_data(as_text=True)

    message_id = db.scalar(sa.select(OutboxMessage.id))
    while True:
        db.expire_all()
        message = db.get(OutboxMessage, message_id)
        if message.next_attempt_at is None:
            break
        clock.now = message.next_attempt_at
        db.rollback()
        runner.invoke(args=["mail", "work", "--once"])
    assert message.attempts == mail.MAX_ATTEMPTS and message.sent_at is None
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-mail-state="given_up"' in outbox
    assert f"not sent: given up after {mail.MAX_ATTEMPTS} attempts" in outbox
    assert 'data-mail-state="given_up"' in client.get(manage).get_data(as_text=True)
    assert "Sent 0 message(s)" in runner.invoke(args=["mail", "work", "--once"]).output


def test_outbox_warns_when_no_worker_has_run(make_app, db, consultant, make_assignment, make_invitation,
                                             clock, login_as):
    app = make_app(**_smtp_config(_free_port()))
    aid = make_assignment(staff=[consultant])
    cid, _iid, _path = make_invitation(aid)
    client = login_as("konsult@example.com", "en", app=app)
    token = csrf_from(client.get(f"/admin/candidates/{cid}/manage"))
    client.post(f"/admin/candidates/{cid}/send-invitation", data={"csrf_token": token})
    assert "data-worker-late" not in client.get("/admin/outbox").get_data(as_text=True)
    clock.advance(minutes=6)
    assert "is the mail worker running" in client.get("/admin/outbox").get_data(as_text=True)


def test_mail_work_without_smtp_sends_nothing_and_retry_is_an_alias(app, runner, db, make_invitation, clock):
    cid, iid, path = make_invitation()
    with app.app_context():
        session = get_session()
        mail.send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                             "http://localhost" + path, now=clock(), renderer=renderer)
        session.commit()
    result = runner.invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0 and "No SMTP_HOST" in result.output
    assert runner.invoke(args=["mail", "retry"]).output == result.output
    assert db.scalar(sa.select(OutboxMessage)).attempts == 0


def test_mail_retry_alias_sends_like_work_once(make_app, db, make_invitation, start_smtp, clock):
    inbox, port = start_smtp()
    app = make_app(**_smtp_config(port))
    cid, iid, path = make_invitation()
    with app.app_context():
        session = get_session()
        mail.send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                             "http://localhost" + path, now=clock(), renderer=renderer)
        session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and "Sent 1 message(s)" in result.output
    assert len(inbox.envelopes) == 1


def test_the_worker_loop_sends_and_stops_on_sigterm(make_app, db, database_url, make_invitation, start_smtp,
                                                    clock, tmp_path):
    inbox, port = start_smtp()
    clock.now = datetime.now(UTC)  # the worker runs on the real clock
    cid, iid, path = make_invitation()
    app = make_app()
    with app.app_context():
        session = get_session()
        mail.send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                             "http://localhost" + path, now=clock(), renderer=renderer)
        session.commit()
    env = {**os.environ, "SECRET_KEY": "k" * 48, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "0", "MAIL_FROM": SENDER,
           "PYTHONPATH": str(ROOT)}
    env.pop("SECOND_OPINION_ENV", None)
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "work", "--interval", "0.2"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not inbox.envelopes:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    text = log.read_text()
    assert "Sent 1 message(s)" in text and text.rstrip().endswith("Mail worker stopped.")
    assert "kim@example.com" not in text and "/i/" not in text
    assert len(inbox.envelopes) == 1
