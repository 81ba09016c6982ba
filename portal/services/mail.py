"""E-mail to candidates: invitations and reminders, through an outbox.

Every message is stored (``OutboxMessage``) before it is sent, so nothing is lost when
the SMTP server is down: the message keeps its error and ``retry_unsent`` sends it
later. Without ``SMTP_HOST`` (development) messages stay unsent in the outbox.

Rendering uses the app's Jinja templates (``portal/templates/email/``) and Flask-Babel,
so it needs an app context; sending itself needs only the settings. The invitation
link (it opens the candidate's battery) lives only in the message body, and neither
it nor the SMTP password is ever logged or written into an error.
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_time, gettext
from sqlalchemy.orm import Session

from ..models import Candidate, Invitation, OutboxMessage, Stage
from ..models.accounts import Role
from .journey import logic_time_limit

log = logging.getLogger(__name__)

KIND_INVITATION = "invitation"
KIND_REMINDER = "reminder"
KIND_REPORT = "report_ready"

#: Room for the error text in the outbox; enough for an SMTP reply line.
_ERROR_MAX = 300
_SUBJECT_MAX = 300  # OutboxMessage.subject


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server. ``host == ""`` means no SMTP (development outbox)."""

    host: str
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)  # never in a repr, so never in a log
    starttls: bool = True
    ssl: bool = False
    sender: str = "Second Opinion <no-reply@localhost>"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        use_ssl = bool(config.get("SMTP_SSL", False))
        return cls(
            host=(config.get("SMTP_HOST") or "").strip(),
            port=int(config.get("SMTP_PORT") or (465 if use_ssl else 587)),
            username=config.get("SMTP_USERNAME") or "",
            password=config.get("SMTP_PASSWORD") or "",
            # STARTTLS upgrades a plain connection; an SSL connection is encrypted already.
            starttls=bool(config.get("SMTP_STARTTLS", True)) and not use_ssl,
            ssl=use_ssl,
            sender=config.get("MAIL_FROM") or cls.sender,
            timeout=float(config.get("SMTP_TIMEOUT") or 10),
        )

    @property
    def configured(self) -> bool:
        return bool(self.host)


class ReminderTooSoon(Exception):
    """A reminder was asked for within the cooldown; ``next_allowed_at`` says when."""

    def __init__(self, next_allowed_at: datetime):
        super().__init__(f"the next reminder is allowed at {next_allowed_at.isoformat()}")
        self.next_allowed_at = next_allowed_at


class CannotSend(ValueError):
    """The invitation cannot be e-mailed (revoked, expired, candidate done); the message
    is meant for the consultant."""


# -- rendering -----------------------------------------------------------------------


def _language(candidate: Candidate, invitation: Invitation, lang: str | None) -> str:
    languages = current_app.config.get("LANGUAGES", ("sv", "en"))
    for choice in (lang, candidate.chosen_language, invitation.language):
        if choice in languages:
            return choice
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")


def _contact(candidate: Candidate) -> tuple[str, str] | None:
    """(name, e-mail) of a consultant on the assignment, for the "questions?" line."""
    staff = sorted(
        (u for u in candidate.assignment.consultants
         if u.active and u.role in (Role.CONSULTANT, Role.ADMIN) and u.email),
        key=lambda u: u.id,
    )
    if not staff:
        return None
    return (staff[0].name or staff[0].email, staff[0].email)


def _one_line(value: str, limit: int) -> str:
    # A header must not contain a line break (header injection), and must fit the column.
    return " ".join(value.split())[:limit]


def _tidy_text(text: str) -> str:
    """Plain-text part: long lines wrapped at 72 characters, at most one blank line in a
    row. Lines are never joined, and a link is never broken, so it stays clickable."""
    lines = []
    for line in text.splitlines():
        line = line.rstrip()
        lines.append(textwrap.fill(line, width=72, break_long_words=False,
                                   break_on_hyphens=False) if len(line) > 72 else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _render(kind: str, candidate: Candidate, invitation: Invitation, url: str,
            lang: str) -> tuple[str, str, str]:
    assignment = candidate.assignment
    with force_locale(lang):
        context = {
            "lang": lang,
            "name": candidate.name,
            "role": assignment.title,
            "client": assignment.client.name,
            "url": url,
            "uses_logic": assignment.uses_logic,
            "uses_personality": assignment.uses_personality,
            "minutes": round(logic_time_limit(candidate).total_seconds() / 60),
            # In the app's time zone (BABEL_DEFAULT_TIMEZONE), in the candidate's language.
            "valid_date": format_date(invitation.expires_at, format="long"),
            "valid_time": format_time(invitation.expires_at, format="short"),
            "started": candidate.stage is not Stage.WELCOME,
            "contact": _contact(candidate),
        }
        if kind == KIND_INVITATION:
            subject = gettext("Assessment for the role %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        elif kind == KIND_REPORT:
            subject = gettext("Your feedback report: %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        else:
            subject = gettext("Reminder: assessment for the role %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        text = render_template(f"email/{kind}.txt", **context)
        html = render_template(f"email/{kind}.html", **context)
    return _one_line(subject, _SUBJECT_MAX), _tidy_text(text), html


def render_invitation(candidate: Candidate, invitation: Invitation, url: str, *,
                      lang: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the invitation e-mail in ``lang``.

    Needs an app context. The HTML part escapes everything the consultant or the
    candidate typed (names, role, client).
    """
    return _render(KIND_INVITATION, candidate, invitation, url, lang)


def render_reminder(candidate: Candidate, invitation: Invitation, url: str, *,
                    lang: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a reminder in ``lang``; it says whether the
    candidate has started. Needs an app context."""
    return _render(KIND_REMINDER, candidate, invitation, url, lang)


def send_report_ready(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                      *, settings: MailSettings, now: datetime) -> OutboxMessage:
    """Tell a candidate who has finished that their feedback report can be read through
    their link. Raises ``CannotSend`` for a revoked or expired link (issue a new one)."""
    _check_link(candidate, invitation, now)
    lang = _language(candidate, invitation, None)
    subject, text, html = _render(KIND_REPORT, candidate, invitation, url, lang)
    message = queue_message(session, kind=KIND_REPORT, candidate_id=candidate.id,
                            to=candidate.email, subject=subject, text=text, html=html, now=now)
    deliver(session, message, settings, now=now)
    return message


# -- outbox and delivery -------------------------------------------------------------


def queue_message(session: Session, *, kind: str, candidate_id: int | None, to: str,
                  subject: str, text: str, html: str | None, now: datetime,
                  user_id: int | None = None) -> OutboxMessage:
    """Store a message in the outbox, unsent."""
    message = OutboxMessage(
        created_at=now, kind=kind, candidate_id=candidate_id, user_id=user_id, to_address=to.strip(),
        subject=_one_line(subject, _SUBJECT_MAX), body_text=text, body_html=html,
    )
    session.add(message)
    session.flush()
    return message


def build_email(message: OutboxMessage, settings: MailSettings, *, now: datetime) -> Message:
    """The MIME message: text and HTML alternatives in UTF-8.

    Built with the compat32 API and ``email.header.Header`` on purpose: on Python 3.11
    the folding of ``EmailMessage`` (policy ``default``) drops the space between two
    encoded words, so a long Swedish subject arrives as "FörsäljningschefÖst".
    """
    mime = MIMEMultipart("alternative")
    mime.attach(MIMEText(message.body_text, "plain", "utf-8"))
    if message.body_html:
        mime.attach(MIMEText(message.body_html, "html", "utf-8"))
    # compat32 does not refuse line breaks in headers (header injection): we do.
    if any(c in value for value in (settings.sender, message.to_address) for c in "\r\n"):
        raise ValueError("line break in an address")
    name, address = parseaddr(settings.sender)
    mime["From"] = formataddr((name, address), charset="utf-8")
    mime["To"] = message.to_address
    mime["Subject"] = Header(_one_line(message.subject, _SUBJECT_MAX), "utf-8")
    mime["Date"] = format_datetime(now)
    domain = address.rpartition("@")[2] or "localhost"
    mime["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=domain)
    return mime


def _smtp_send(mime: Message, settings: MailSettings) -> None:
    context = ssl.create_default_context()
    if settings.ssl:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(mime)
    finally:
        # The message is accepted once send_message returns; a failing QUIT must not
        # turn that into an error (and a duplicate on retry).
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _describe(exc: BaseException, settings: MailSettings) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    if settings.password:
        text = text.replace(settings.password, "***")
    return _one_line(text, _ERROR_MAX)


def deliver(session: Session, message: OutboxMessage, settings: MailSettings, *,
            now: datetime) -> bool:
    """Send one outbox message; True when the SMTP server accepted it.

    On failure the message stays in the outbox with a short ``error`` (never the
    password) for ``retry_unsent``. Without an SMTP host it is left unsent, with no
    error, as a development-outbox message. An already sent message is not sent again.
    """
    if message.sent_at is not None:
        return True
    if not settings.configured:
        log.info("outbox message %s (%s) kept in the development outbox: no SMTP_HOST",
                 message.id, message.kind)
        return False
    try:
        _smtp_send(build_email(message, settings, now=now), settings)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        message.error = _describe(exc, settings)
        session.flush()
        # The class only: an SMTP reply may quote the recipient's address.
        log.warning("outbox message %s (%s) not sent: %s", message.id, message.kind,
                    type(exc).__name__)
        return False
    message.sent_at = now
    message.error = None
    session.flush()
    log.info("outbox message %s (%s) sent", message.id, message.kind)
    return True


def _check_link(candidate: Candidate, invitation: Invitation, now: datetime) -> None:
    """The invitation is the candidate's and its link still opens."""
    if invitation.candidate_id != candidate.id:
        raise CannotSend("the invitation belongs to another candidate")
    if invitation.revoked_at is not None:
        raise CannotSend("the invitation has been revoked; issue a new one")
    if now > invitation.expires_at:
        raise CannotSend("the invitation has expired; issue a new one")


def _check_sendable(candidate: Candidate, invitation: Invitation, now: datetime) -> None:
    if candidate.stage is Stage.DONE or candidate.completed_at is not None:
        raise CannotSend("the candidate has already completed the assessment")
    _check_link(candidate, invitation, now)


def send_invitation(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                    *, settings: MailSettings, now: datetime,
                    lang: str | None = None) -> OutboxMessage:
    """E-mail the invitation link to the candidate (needs an app context for rendering).

    The message is always stored in the outbox. ``invitation.sent_at`` is set only when
    the SMTP server accepted it: a message kept in the development outbox (no SMTP host)
    or one that failed leaves ``sent_at`` as it was (a failed one gets it when
    ``retry_unsent`` delivers it). Raises ``CannotSend`` (a ValueError) for a revoked or
    expired invitation or a candidate who has completed.

    ``lang`` defaults to the candidate's chosen language, then the invitation's.
    """
    _check_sendable(candidate, invitation, now)
    lang = _language(candidate, invitation, lang)
    subject, text, html = render_invitation(candidate, invitation, url, lang=lang)
    message = queue_message(session, kind=KIND_INVITATION, candidate_id=candidate.id,
                            to=candidate.email, subject=subject, text=text, html=html, now=now)
    if deliver(session, message, settings, now=now):
        invitation.sent_at = now
        session.flush()
    return message


def send_reminder(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                  *, settings: MailSettings, now: datetime, cooldown: timedelta,
                  lang: str | None = None) -> OutboxMessage:
    """E-mail a reminder with the same link (needs an app context for rendering).

    Refused with ``ReminderTooSoon`` within ``cooldown`` of the last reminder or of the
    invitation e-mail, and with ``CannotSend`` (a ValueError) when the candidate has
    completed or the invitation is revoked or expired. A reminder counts
    (``last_reminder_at``, ``reminder_count``) once it is in the outbox, delivered or
    waiting for a retry, so an SMTP outage does not let reminders pile up.
    """
    _check_sendable(candidate, invitation, now)
    threshold = now - cooldown
    # A conditional update, so two consultants clicking at once send one reminder.
    claimed = session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            sa.or_(Invitation.last_reminder_at.is_(None),
                   Invitation.last_reminder_at <= threshold),
            sa.or_(Invitation.sent_at.is_(None), Invitation.sent_at <= threshold),
        )
        .values(last_reminder_at=now, reminder_count=Invitation.reminder_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(invitation)
    if claimed != 1:
        last = max(t for t in (invitation.last_reminder_at, invitation.sent_at) if t)
        raise ReminderTooSoon(last + cooldown)
    lang = _language(candidate, invitation, lang)
    subject, text, html = render_reminder(candidate, invitation, url, lang=lang)
    message = queue_message(session, kind=KIND_REMINDER, candidate_id=candidate.id,
                            to=candidate.email, subject=subject, text=text, html=html, now=now)
    deliver(session, message, settings, now=now)
    return message


def retry_unsent(session: Session, settings: MailSettings, *, now: datetime,
                 limit: int = 50) -> int:
    """Send again messages whose delivery failed, oldest first; returns how many went out.

    Development-outbox messages (never tried, no error) are not picked up, so turning
    SMTP on later does not mail stale test messages. Invitations and reminders whose
    candidate has completed or has no live invitation left are skipped. Rows are locked
    with SKIP LOCKED on PostgreSQL, so two workers never send the same message.
    """
    if not settings.configured:
        return 0
    live_invitation = sa.exists().where(
        Invitation.candidate_id == OutboxMessage.candidate_id,
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )
    candidate_active = sa.exists().where(
        Candidate.id == OutboxMessage.candidate_id,
        Candidate.stage != Stage.DONE,
    )
    stmt = (
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.error.is_not(None),
            sa.or_(
                OutboxMessage.kind.not_in([KIND_INVITATION, KIND_REMINDER]),
                OutboxMessage.candidate_id.is_(None),
                sa.and_(live_invitation, candidate_active),
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    sent = 0
    for message in session.scalars(stmt).all():
        if not deliver(session, message, settings, now=now):
            continue
        sent += 1
        if message.kind == KIND_INVITATION and message.candidate_id is not None:
            session.execute(
                sa.update(Invitation)
                .where(Invitation.candidate_id == message.candidate_id,
                       Invitation.revoked_at.is_(None), Invitation.sent_at.is_(None))
                .values(sent_at=now)
                .execution_options(synchronize_session="fetch")
            )
    session.flush()
    return sent
