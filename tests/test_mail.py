"""E-mail: requests queue messages, the mail worker sends them; a real SMTP server on
loopback receives what the portal sends."""
from __future__ import annotations

import email
import email.policy
import logging
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from babel.messages.extract import extract_from_file
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portal.config import load_config
from portal.db import get_session
from portal.models import Candidate, Invitation, OutboxMessage, Stage
from portal.services.mail import (
    LEASE,
    MAX_ATTEMPTS,
    CannotSend,
    MailSettings,
    MailState,
    ReminderTooSoon,
    WorkResult,
    build_email,
    claim_next,
    queue_message,
    render_invitation,
    retry_delay,
    send_due,
    send_invitation,
    send_reminder,
    state_of,
    withdrawn_reason,
)
from portal.web import renderer

SENDER = "Second Opinion <no-reply@example.se>"
COOLDOWN = timedelta(hours=24)
PASSWORD = "s3cret-smtp-password"


class Inbox:
    """aiosmtpd handler: keeps every accepted message."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.original_content, policy=email.policy.default)
                for e in self.envelopes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_login(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (b"mailer", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


@pytest.fixture
def start_smtp():
    """Start a loopback SMTP server (optionally on a given port); all stop at teardown."""
    controllers = []

    def start(port: int | None = None, **smtp_kwargs) -> tuple[Inbox, int]:
        inbox = Inbox()
        port = port or _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_kwargs)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp(start_smtp):
    inbox, port = start_smtp()
    inbox.settings = _settings(port)
    return inbox


def _settings(port: int, **kw) -> MailSettings:
    return MailSettings(**{"host": "127.0.0.1", "port": port, "starttls": False,
                           "sender": SENDER, "timeout": 5, **kw})


def _load(session, cid, iid) -> tuple[Candidate, Invitation]:
    return session.get(Candidate, cid), session.get(Invitation, iid)


def _link(path: str) -> str:
    return "http://localhost" + path


@pytest.fixture
def swedish_invite(make_invitation, make_assignment):
    def factory(**kwargs):
        kwargs.setdefault("name", "Åsa Ängström-Öberg")
        kwargs.setdefault("email", "asa@example.se")
        return make_invitation(make_assignment(title="Försäljningschef Öst"), **kwargs)

    return factory


def _work(app, settings, clock, *, max_age=timedelta(hours=48), limit=50) -> WorkResult:
    """One run of the mail worker, as ``flask mail work --once`` does it."""
    with app.app_context():
        return send_due(get_session(), settings, clock=clock, max_age=max_age, limit=limit)


def test_invitation_is_queued_then_delivered_in_swedish(app, db, smtp, swedish_invite, clock):
    cid, iid, path = swedish_invite()
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        message = send_invitation(session, candidate, invitation, _link(path), now=clock(), renderer=renderer)
        session.commit()
        message_id = message.id
    assert smtp.envelopes == []  # queueing never talks to the SMTP server
    assert db.get(OutboxMessage, message_id).sent_at is None and db.get(Invitation, iid).sent_at is None
    db.rollback()

    clock.advance(seconds=20)
    assert _work(app, smtp.settings, clock).sent == 1
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["asa@example.se"]
    assert envelope.mail_from == "no-reply@example.se"
    [received] = smtp.messages()
    assert received["To"] == "asa@example.se"
    assert received["From"] == SENDER
    assert received["Subject"] == "Bedömning för rollen Försäljningschef Öst hos Testbolaget AB"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    for body in (" ".join(text.split()), html):
        assert "Hej Åsa Ängström-Öberg" in body
        assert _link(path) in body
        assert "10 december 2026" in body  # expiry date, written the Swedish way
        assert "Du kan avbryta när som helst" in body
    assert '<html lang="sv">' in html and "Starta bedömningen</a>" in html

    stored = db.get(OutboxMessage, message_id)
    assert stored.sent_at == clock() and stored.error is None and stored.attempts == 1
    assert stored.kind == "invitation" and stored.candidate_id == cid
    assert state_of(stored) is MailState.SENT
    assert db.get(Invitation, iid).sent_at == clock()  # set by the worker, when it went out
    assert _work(app, smtp.settings, clock).processed == 0  # sent once only


def test_english_invitation_and_hostile_name_is_escaped(app, smtp, make_invitation, clock):
    cid, iid, path = make_invitation(name="<b>Eva</b> Öberg", email="eva@example.com",
                                     language="en")
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        send_invitation(session, candidate, invitation, _link(path), now=clock(), renderer=renderer)
        session.commit()
    _work(app, smtp.settings, clock)

    [received] = smtp.messages()
    assert received["Subject"] == "Assessment for the role Controller at Testbolaget AB"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Hello <b>Eva</b> Öberg," in text  # plain text shows the name as typed
    assert "&lt;b&gt;Eva&lt;/b&gt; Öberg" in html and "<b>Eva</b>" not in html
    for body in (" ".join(text.split()), html):
        assert "December 10, 2026" in body
        assert "timed logical reasoning test (at most 20 minutes, often less)" in body
        assert "keeps running once you have started it" in body
        assert "personal" in body and _link(path) in body


def test_explicit_language_wins_over_the_invitation(app, make_invitation, clock):
    cid, iid, path = make_invitation(language="sv")
    with app.app_context():
        candidate, invitation = _load(get_session(), cid, iid)
        subject, text, html = render_invitation(candidate, invitation, _link(path), lang="en", renderer=renderer)
    assert subject.startswith("Assessment for the role")
    assert "December 10, 2026" in text and '<html lang="en">' in html


def _queue(app, cid, iid, path, now) -> int:
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        message = send_invitation(session, candidate, invitation, _link(path), now=now, renderer=renderer)
        session.commit()
        return message.id


def test_without_smtp_host_the_message_waits_in_the_dev_outbox(app, db, make_invitation, clock):
    cid, iid, path = make_invitation()
    message_id = _queue(app, cid, iid, path, clock())
    assert _work(app, MailSettings(host=""), clock).processed == 0

    stored = db.get(OutboxMessage, message_id)
    assert stored.sent_at is None and stored.error is None and stored.attempts == 0
    assert state_of(stored) is MailState.QUEUED
    assert _link(path) in stored.body_text and stored.to_address == "kim@example.com"
    assert db.get(Invitation, iid).sent_at is None


def test_stale_development_message_is_not_sent_when_smtp_is_turned_on(app, db, smtp, make_invitation,
                                                                      clock):
    old_cid, old_iid, old_path = make_invitation(email="old@example.com")
    stale = _queue(app, old_cid, old_iid, old_path, clock())  # no SMTP then: development outbox
    clock.advance(hours=47)
    new_cid, new_iid, new_path = make_invitation(email="new@example.com")
    fresh = _queue(app, new_cid, new_iid, new_path, clock())
    clock.advance(hours=2)  # SMTP is configured now; the first message is 49 hours old

    result = _work(app, smtp.settings, clock, max_age=timedelta(hours=48))
    assert (result.sent, result.withdrawn) == (1, 1)
    assert [e.rcpt_tos for e in smtp.envelopes] == [["new@example.com"]]
    old = db.get(OutboxMessage, stale)
    assert old.sent_at is None and state_of(old) is MailState.WITHDRAWN
    assert withdrawn_reason(old) == "stale"
    assert db.get(OutboxMessage, fresh).sent_at == clock()
    assert db.get(Invitation, old_iid).sent_at is None
    db.rollback()
    clock.advance(days=1)
    assert _work(app, smtp.settings, clock).processed == 0  # a withdrawn message stays so


def test_failure_backs_off_then_delivers(app, db, start_smtp, make_invitation, clock):
    cid, iid, path = make_invitation()
    port = _free_port()  # nothing listens here yet
    message_id = _queue(app, cid, iid, path, clock())
    first = _work(app, _settings(port), clock)
    assert (first.sent, first.retrying) == (0, 1)
    stored = db.get(OutboxMessage, message_id)
    assert stored.sent_at is None and "ConnectionRefused" in stored.error
    assert stored.attempts == 1 and stored.next_attempt_at == clock() + timedelta(minutes=1)
    assert state_of(stored) is MailState.RETRYING
    assert db.get(Invitation, iid).sent_at is None
    db.rollback()

    inbox, _ = start_smtp(port)
    clock.advance(seconds=59)
    assert _work(app, _settings(port), clock).processed == 0  # not due yet
    assert inbox.envelopes == []
    clock.advance(seconds=1)
    assert _work(app, _settings(port), clock).sent == 1
    assert _work(app, _settings(port), clock).processed == 0  # sent once only

    [received] = inbox.messages()
    assert _link(path) in received.get_body(("plain",)).get_content()
    stored = db.get(OutboxMessage, message_id)
    assert stored.sent_at == clock() and stored.error is None and stored.attempts == 2
    assert db.get(Invitation, iid).sent_at == clock()


def test_retry_schedule_doubles_to_an_hour_and_covers_a_day():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert [d.total_seconds() / 60 for d in delays[:8]] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert max(delays) == timedelta(hours=1)
    # the last attempt comes at least a day after the first
    assert sum(delays, timedelta()) >= timedelta(hours=24)


def test_gives_up_after_a_day_of_failures(app, db, make_invitation, clock):
    cid, iid, path = make_invitation()
    message_id = _queue(app, cid, iid, path, clock())
    settings = _settings(_free_port())  # never answers
    first_attempt = clock()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = _work(app, settings, clock)
        assert result.processed == 1, attempt
        db.expire_all()
        stored = db.get(OutboxMessage, message_id)
        assert stored.attempts == attempt
        if stored.next_attempt_at is None:
            break
        clock.now = stored.next_attempt_at
        db.rollback()
    assert result.given_up == 1 and attempt == MAX_ATTEMPTS
    assert clock() - first_attempt >= timedelta(hours=24)
    assert state_of(stored) is MailState.GIVEN_UP and "ConnectionRefused" in stored.error
    clock.advance(days=2)
    assert _work(app, settings, clock).processed == 0  # given up: never picked again


@pytest.mark.parametrize("change", ["revoked", "reissued", "completed", "expired"])
def test_queued_mail_is_not_sent_when_the_link_is_dead_or_the_candidate_done(
        app, db, smtp, make_invitation, clock, change):
    from portal import resources as res
    from portal.services.invitation_admin import reissue_invitation

    cid, iid, path = make_invitation()
    message_id = _queue(app, cid, iid, path, clock())
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        if change == "revoked":
            invitation.revoked_at = clock()
        elif change == "completed":
            candidate.stage, candidate.completed_at = Stage.DONE, clock()
        elif change == "reissued":  # the queued message carries the old, dead link
            clock.advance(minutes=1)
            reissue_invitation(session, candidate, user_id=None, now=clock(),
                               settings=res.invitation_settings())
        session.commit()
    if change == "expired":
        clock.advance(days=15)
    result = _work(app, smtp.settings, clock)
    assert (result.withdrawn, result.sent) == (1, 0)
    assert smtp.envelopes == []
    stored = db.get(OutboxMessage, message_id)
    assert state_of(stored) is MailState.WITHDRAWN
    assert withdrawn_reason(stored) == ("completed" if change == "completed" else "no_link")
    assert db.get(Invitation, iid).sent_at is None


def test_the_link_of_a_reissued_invitation_goes_out(app, db, smtp, make_invitation, clock):
    from portal import resources as res
    from portal.services.invitation_admin import reissue_invitation
    from portal.services.invitations import invitation_url

    cid, iid, path = make_invitation()
    _queue(app, cid, iid, path, clock())
    clock.advance(minutes=1)
    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        new = reissue_invitation(session, candidate, user_id=None, now=clock(),
                                 settings=res.invitation_settings())
        url = invitation_url(new, res.invitation_settings())
        send_invitation(session, candidate, new, url, now=clock(), renderer=renderer)
        session.commit()
        new_id = new.id
    result = _work(app, smtp.settings, clock)
    assert (result.sent, result.withdrawn) == (1, 1)
    [received] = smtp.messages()
    assert url in received.get_body(("plain",)).get_content() and _link(path) not in url
    assert db.get(Invitation, new_id).sent_at == clock() and db.get(Invitation, iid).sent_at is None


def test_a_message_for_a_staff_user_without_a_candidate_is_sent(app, db, smtp, clock):
    from portal.models import Role, User

    with app.app_context():
        session = get_session()
        # a user with a live set-password link (the worker does not mail a used or replaced one)
        user = User(email="ny@byran.se", name="Ny Konsult", password_hash="x", role=Role.CONSULTANT,
                    set_password_nonce="n" * 43, set_password_expires_at=clock() + timedelta(days=3))
        session.add(user)
        session.flush()
        queue_message(session, kind="set_password", candidate_id=None, user_id=user.id,
                      to=user.email, subject="Välj ditt lösenord", text="Hej!", html=None, now=clock())
        session.commit()
    assert _work(app, smtp.settings, clock).sent == 1
    [received] = smtp.messages()
    assert received["To"] == "ny@byran.se" and received["Subject"] == "Välj ditt lösenord"
    stored = db.scalar(sa.select(OutboxMessage))
    assert stored.candidate_id is None and stored.sent_at == clock()


def test_smtp_server_answers_while_no_database_lock_is_held(app, db, start_smtp, make_invitation,
                                                            clock, database_url):
    """While the SMTP server takes its time, the rest of the product can still write,
    even the very message being sent (no transaction is open during the conversation)."""
    cid, iid, path = make_invitation()
    message_id = _queue(app, cid, iid, path, clock())
    engine = sa.create_engine(database_url, connect_args={"timeout": 3} if
                              database_url.startswith("sqlite") else {"options": "-c lock_timeout=3000"})
    writes = []

    class WritingInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):
            try:
                with engine.begin() as conn:
                    conn.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                                 .values(subject=OutboxMessage.subject))
                writes.append("ok")
            except sa.exc.OperationalError as exc:
                writes.append(type(exc.orig).__name__)
            return await super().handle_DATA(server, session, envelope)

    inbox = WritingInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert _work(app, _settings(port), clock).sent == 1
    finally:
        controller.stop()
        engine.dispose()
    assert writes == ["ok"] and len(inbox.envelopes) == 1


def test_two_workers_never_take_the_same_message(app, db, make_invitation, clock, database_url):
    cid, iid, path = make_invitation()
    first = _queue(app, cid, iid, path, clock())
    second = _queue(app, cid, iid, path, clock())
    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as one, Session(engine) as two:
            taken = claim_next(one, now=clock(), max_age=timedelta(hours=48))
            assert taken.id == first and taken.next_attempt_at == clock() + LEASE
            if database_url.startswith("postgresql"):
                # while the first worker holds its row, the second skips it
                assert claim_next(two, now=clock(), max_age=timedelta(hours=48)).id == second
                two.rollback()
            one.commit()
            # once taken, the message is not due again before the lease runs out
            assert claim_next(two, now=clock(), max_age=timedelta(hours=48)).id == second
            two.commit()
            assert claim_next(two, now=clock(), max_age=timedelta(hours=48)) is None
            two.commit()
    finally:
        engine.dispose()


def test_login_and_no_secret_in_errors_or_logs(app, db, start_smtp, make_invitation, clock,
                                               caplog):
    caplog.set_level(logging.DEBUG)
    inbox, port = start_smtp(authenticator=_check_login, auth_require_tls=False)
    cid, iid, path = make_invitation()
    message_id = _queue(app, cid, iid, path, clock())
    wrong = _settings(port, username="mailer", password="wrong-" + PASSWORD)
    assert _work(app, wrong, clock).retrying == 1
    failed = db.get(OutboxMessage, message_id)
    assert failed.sent_at is None and "Authentication" in failed.error
    assert PASSWORD not in failed.error
    db.rollback()
    right = _settings(port, username="mailer", password=PASSWORD)
    assert PASSWORD not in repr(right)
    clock.advance(minutes=1)
    assert _work(app, right, clock).sent == 1
    assert len(inbox.envelopes) == 1
    token = path.rsplit("/", 1)[1]
    assert PASSWORD not in caplog.text and token not in caplog.text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert "outbox message" in ours and "kim@example.com" not in ours  # the test server logs it; we do not


def _send_and_commit(app, cid, iid, path, fn, **kw):
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        message = fn(session, candidate, invitation, _link(path), renderer=renderer, **kw)
        session.commit()
        return message.id


def test_reminder_cooldown_and_count(app, db, smtp, swedish_invite, clock):
    cid, iid, path = swedish_invite()
    start = clock()
    _send_and_commit(app, cid, iid, path, send_invitation, now=start)

    remind = {"cooldown": COOLDOWN}
    clock.advance(hours=1)
    # the invitation is still queued (no worker ran): it counts all the same
    with pytest.raises(ReminderTooSoon) as too_soon:
        _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), **remind)
    assert too_soon.value.next_allowed_at == start + COOLDOWN
    _work(app, smtp.settings, clock)
    with pytest.raises(ReminderTooSoon) as too_soon:
        _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), **remind)
    assert too_soon.value.next_allowed_at == clock() + COOLDOWN  # sent an hour after queueing

    clock.advance(hours=25)
    first = clock()
    _send_and_commit(app, cid, iid, path, send_reminder, now=first, **remind)
    inv = db.get(Invitation, iid)
    assert inv.reminder_count == 1 and inv.last_reminder_at == first
    db.rollback()

    clock.advance(hours=23)
    with pytest.raises(ReminderTooSoon) as too_soon:
        _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), **remind)
    assert too_soon.value.next_allowed_at == first + COOLDOWN

    clock.advance(hours=1)
    _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), **remind)
    assert db.get(Invitation, iid).reminder_count == 2
    assert _work(app, smtp.settings, clock).sent == 2

    _invitation_mail, *reminders = smtp.messages()
    assert len(reminders) == 2
    assert reminders[0]["Subject"] == (
        "Påminnelse: bedömning för rollen Försäljningschef Öst hos Testbolaget AB")
    assert _link(path) in reminders[0].get_body(("plain",)).get_content()


def test_reminder_to_a_started_candidate_says_continue(app, db, smtp, make_invitation, clock):
    cid, iid, path = make_invitation(language="en")
    with app.app_context():
        session = get_session()
        session.get(Candidate, cid).stage = Stage.LOGIC
        session.commit()
    _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), cooldown=COOLDOWN)
    assert smtp.envelopes == []
    assert _work(app, smtp.settings, clock).sent == 1
    [received] = smtp.messages()
    assert received["Subject"].startswith("Reminder: assessment for the role Controller")
    text = received.get_body(("plain",)).get_content()
    assert "You have started it but not finished" in text
    assert "Continue the assessment" in received.get_body(("html",)).get_content()


@pytest.mark.parametrize("change, reason", [
    ("completed", "completed"),
    ("revoked", "revoked"),
    ("expired", "expired"),
])
def test_reminder_refused(app, db, smtp, make_invitation, clock, change, reason):
    cid, iid, path = make_invitation()
    with app.app_context():
        session = get_session()
        candidate, invitation = _load(session, cid, iid)
        if change == "completed":
            candidate.stage, candidate.completed_at = Stage.DONE, clock()
        elif change == "revoked":
            invitation.revoked_at = clock()
        session.commit()
    if change == "expired":
        clock.advance(days=15)
    with pytest.raises(CannotSend, match=reason) as refused:
        _send_and_commit(app, cid, iid, path, send_reminder, now=clock(), cooldown=COOLDOWN)
    assert isinstance(refused.value, ValueError)
    assert smtp.envelopes == []
    assert db.get(Invitation, iid).reminder_count == 0
    assert db.query(OutboxMessage).count() == 0


def test_queue_message_flattens_the_subject(app, db, make_invitation, clock):
    cid, _iid, _path = make_invitation()
    with app.app_context():
        session = get_session()
        message = queue_message(session, kind="invitation", candidate_id=cid,
                                to=" kim@example.com ", subject="Hej\r\nBcc: evil@example.com",
                                text="x", html=None, now=clock())
        assert message.subject == "Hej Bcc: evil@example.com"
        assert message.to_address == "kim@example.com" and message.sent_at is None


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("SMTP_HOST", "smtp.example.se")
    monkeypatch.setenv("SMTP_USERNAME", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SMTP_STARTTLS", "0")
    monkeypatch.setenv("MAIL_FROM", SENDER)
    monkeypatch.setenv("REMINDER_COOLDOWN_HOURS", "48")
    for name in ("SMTP_PORT", "SMTP_SSL", "SMTP_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    cfg = load_config(tmp_path)
    settings = MailSettings.from_config(cfg)
    assert settings == MailSettings(host="smtp.example.se", port=587, username="mailer",
                                    password=PASSWORD, starttls=False, ssl=False,
                                    sender=SENDER, timeout=10.0)
    assert cfg["REMINDER_COOLDOWN_HOURS"] == 48
    assert PASSWORD not in repr(settings)

    monkeypatch.setenv("SMTP_SSL", "1")
    monkeypatch.setenv("SMTP_STARTTLS", "1")
    ssl_settings = MailSettings.from_config(load_config(tmp_path))
    assert ssl_settings.ssl and not ssl_settings.starttls and ssl_settings.port == 465

    for name in ("SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_SSL", "SMTP_STARTTLS",
                 "MAIL_FROM", "REMINDER_COOLDOWN_HOURS"):
        monkeypatch.delenv(name)
    defaults = load_config(tmp_path)
    assert defaults["SMTP_HOST"] == "" and defaults["SMTP_STARTTLS"] is True
    assert defaults["REMINDER_COOLDOWN_HOURS"] == 24
    assert not MailSettings.from_config(defaults).configured


def test_plain_text_templates_use_only_strings_the_catalog_extraction_sees():
    """The catalogs are extracted from ``*.html`` templates only (babel.cfg), so every
    string of a ``.txt`` e-mail template must also occur in an ``.html`` one."""
    folder = Path(__file__).resolve().parent.parent / "portal" / "templates" / "email"

    def ids(pattern):
        found = set()
        for path in folder.glob(pattern):
            found |= {m[1] for m in extract_from_file("jinja2", str(path))}
        return found

    text_ids = ids("*.txt")
    assert len(text_ids) > 10
    assert text_ids <= ids("*.html")


WORDS = ["Bedömning", "för", "rollen", "Försäljningschef", "Öst", "hos", "Åkerström", "AB",
         "Påminnelse:", "Ängelholm", "(Göteborg)", "–", "&", "chef", "role", "at", "\"ö\""]


@settings(max_examples=300, database=None, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=45))
def test_swedish_subjects_survive_encoding(words):
    # Long subjects are folded over several encoded words; Python's default e-mail
    # policy loses the space between two of them ("FörsäljningschefÖst").
    subject = " ".join(words)
    message = OutboxMessage(id=1, kind="invitation", to_address="asa@example.se",
                            subject=subject, body_text="Hej Åsa", body_html="<p>Hej Åsa</p>")
    raw = build_email(message, _settings(25), now=datetime(2026, 11, 26, tzinfo=UTC))
    received = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
    assert received["Subject"] == subject[:300]
    assert received.get_body(("plain",)).get_content() == "Hej Åsa"


def test_the_consultant_on_the_assignment_is_named_for_questions(app, make_assignment,
                                                                  make_invitation, clock):
    from portal.models import Assignment, Role, User

    assignment_id = make_assignment()
    with app.app_context():
        session = get_session()
        consultant = User(email="karin@byran.se", name="Karin <Konsult>", password_hash="x",
                          role=Role.CONSULTANT)
        assignment = session.get(Assignment, assignment_id)
        assignment.consultants.append(consultant)
        session.commit()
    cid, iid, path = make_invitation(assignment_id, language="en")
    with app.app_context():
        candidate, invitation = _load(get_session(), cid, iid)
        _subject, text, html = render_invitation(candidate, invitation, _link(path), lang="en", renderer=renderer)
    assert "contact Karin <Konsult> at karin@byran.se." in " ".join(text.split())
    assert ('contact Karin &lt;Konsult&gt; at <a href="mailto:karin@byran.se"' in html)
    assert text.rstrip().endswith("Kind regards,\nKarin <Konsult>")


def test_every_mention_of_the_time_uses_the_candidates_own_limit(app, client, make_assignment, make_invitation):
    """A 20-minute test with +50 % extra time is a 30-minute test in the e-mails and on
    every page that names the time; nowhere does the candidate read "20 minutes"."""
    from helpers import Candidate as Browser
    from portal.services.mail import render_reminder

    aid = make_assignment(logic_time_limit_minutes=20)
    cid, iid, path = make_invitation(aid, language="en", extra_time_pct=50)
    with app.app_context():
        candidate, invitation = _load(get_session(), cid, iid)
        mails = [render_invitation(candidate, invitation, _link(path), lang=lang, renderer=renderer) for lang in ("en", "sv")]
        mails.append(render_reminder(candidate, invitation, _link(path), lang="en", renderer=renderer))
    for _subject, text, html in mails:
        assert "30 min" in text and "30 min" in html
        assert "20 min" not in text and "20 min" not in html
    browser = Browser(client, path)
    browser.open()
    pages = [browser.html]
    browser.accept_welcome()
    pages.append(browser.html)
    browser.to_practice()
    browser.do_practice()
    pages.append(browser.html)
    assert all("20 min" not in page for page in pages)
    assert "at most 30 minutes" in pages[0] and "You have 30 minutes" in pages[-1]
