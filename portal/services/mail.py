"""E-mail: invitations, reminders and report notices to candidates, through an outbox.

A request never talks to the SMTP server. It only *queues* a message: an
``OutboxMessage`` row written in the request's own transaction, so a refused or
rolled-back request leaves no message behind. The mail worker (``flask --app wsgi mail
work``, :func:`send_due`) sends what is due after the commit, one message per short
transaction, retries failures with backoff and gives up after a day. Without
``SMTP_HOST`` (development) messages stay unsent in the outbox.

Rendering uses the app's Jinja templates (``portal/templates/email/``) and Flask-Babel
through the ``renderer`` the caller passes (``portal.web.renderer``: it needs an app
context); sending itself needs only the settings. The invitation
link (it opens the candidate's battery) lives only in the message body, and neither
it nor the SMTP password is ever logged or written into an error.
"""
from __future__ import annotations

import enum
import logging
import re
import smtplib
import ssl
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from ..models import Candidate, Invitation, OutboxMessage, Stage
from ..models.accounts import Role, User
from . import branding
from .journey import logic_time_limit
from .rendering import Renderer
from .worker_runs import RunCounts

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
    is meant for the consultant, ``code`` is the :func:`unsendable` reason."""

    def __init__(self, code: str):
        super().__init__(UNSENDABLE[code])
        self.code = code


# -- rendering -----------------------------------------------------------------------


def _language(candidate: Candidate, invitation: Invitation, lang: str | None, config: Mapping) -> str:
    languages = config.get("LANGUAGES", ("sv", "en"))
    for choice in (lang, candidate.chosen_language, invitation.language):
        if choice in languages:
            return choice
    return config.get("BABEL_DEFAULT_LOCALE", "sv")


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


def tidy_text(text: str) -> str:
    """Plain-text part: long lines wrapped at 72 characters, at most one blank line in a
    row. Lines are never joined, and a link is never broken, so it stays clickable."""
    lines = []
    for line in text.splitlines():
        line = line.rstrip()
        lines.append(textwrap.fill(line, width=72, break_long_words=False,
                                   break_on_hyphens=False) if len(line) > 72 else line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _brand(candidate: Candidate, config: Mapping) -> branding.Brand:
    session = object_session(candidate)
    if session is None:  # a candidate built in memory (never in the product)
        return branding.Brand(branding.default_name(config), branding.default_sender_name(config),
                              branding.DEFAULT_PRIMARY, branding.DEFAULT_ACCENT, None, 0, False)
    return branding.current(session, config)


def placeholder_values(context: dict) -> dict:
    """The values of a client's own e-mail text (``branding.PLACEHOLDERS``) from the
    context of the standard e-mail."""
    contact = context["contact"]
    return {"name": context["name"], "role": context["role"], "client": context["client"],
            "url": context["url"], "minutes": context["minutes"], "valid_date": context["valid_date"],
            "valid_time": context["valid_time"],
            "contact": f"{contact[0]} ({contact[1]})" if contact else (context["brand_name"] or branding.PRODUCT_NAME),
            "consultancy": context["brand_name"] or branding.PRODUCT_NAME}


def render_custom(subject: str, body: str, context: dict, *, renderer: Renderer) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a client's own text: the plain part as written
    with the placeholders filled, the HTML part escaped, in the branded layout."""
    values = placeholder_values(context)
    text = branding.fill(body, values).replace("\r\n", "\n").strip() + "\n"
    html = renderer.template("email/custom.html", body_html=branding.fill_html(body, values, context["brand_color"]), **context)
    return _one_line(branding.fill(subject, values), _SUBJECT_MAX), text, html


def valid_until(renderer: Renderer, moment: datetime) -> dict:
    """How an e-mail says when its link stops working (``valid_date``, ``valid_time``):
    in the current language and the app's time zone (BABEL_DEFAULT_TIMEZONE)."""
    return {"valid_date": renderer.format_date(moment, format="long"),
            "valid_time": renderer.format_time(moment, format="short")}


def _render(kind: str, candidate: Candidate, invitation: Invitation, url: str,
            lang: str, renderer: Renderer) -> tuple[str, str, str]:
    assignment = candidate.assignment
    brand = _brand(candidate, renderer.config)
    with renderer.language(lang):
        context = {
            "lang": lang,
            "name": candidate.name,
            "role": assignment.title,
            "client": assignment.client.name,
            "url": url,
            "uses_logic": assignment.uses_logic,
            "uses_personality": assignment.uses_personality,
            "minutes": round(logic_time_limit(candidate).total_seconds() / 60),
            **valid_until(renderer, invitation.expires_at),
            "started": candidate.stage is not Stage.WELCOME,
            "contact": _contact(candidate),
            # Empty until a consultancy name is set: then no header line, and the
            # product's name only where no consultant can sign.
            "brand_name": brand.name if brand.name != branding.PRODUCT_NAME else "",
            "brand_color": brand.primary,
        }
        session = object_session(candidate)
        own = branding.template_for(session, assignment.client_id, kind, lang) \
            if session is not None and kind in (KIND_INVITATION, KIND_REMINDER) else None
        if own is not None:
            return render_custom(own.subject, own.body, context, renderer=renderer)
        if kind == KIND_INVITATION:
            subject = renderer.gettext("Assessment for the role %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        elif kind == KIND_REPORT:
            subject = renderer.gettext("Your feedback report: %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        else:
            subject = renderer.gettext("Reminder: assessment for the role %(role)s at %(client)s",
                              role=context["role"], client=context["client"])
        text = renderer.template(f"email/{kind}.txt", **context)
        html = renderer.template(f"email/{kind}.html", **context)
    return _one_line(subject, _SUBJECT_MAX), tidy_text(text), html


def render_invitation(candidate: Candidate, invitation: Invitation, url: str, *,
                      lang: str, renderer: Renderer) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the invitation e-mail in ``lang``.

    The HTML part escapes everything the consultant or the candidate typed (names,
    role, client).
    """
    return _render(KIND_INVITATION, candidate, invitation, url, lang, renderer)


def render_reminder(candidate: Candidate, invitation: Invitation, url: str, *,
                    lang: str, renderer: Renderer) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a reminder in ``lang``; it says whether the
    candidate has started."""
    return _render(KIND_REMINDER, candidate, invitation, url, lang, renderer)


def send_report_ready(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                      *, now: datetime, renderer: Renderer) -> OutboxMessage:
    """Queue a message telling a candidate who has finished that their feedback report
    can be read through their link. Raises ``CannotSend`` for a revoked or expired link
    (issue a new one)."""
    _check(candidate, invitation, now, report=True)
    lang = _language(candidate, invitation, None, renderer.config)
    subject, text, html = _render(KIND_REPORT, candidate, invitation, url, lang, renderer)
    return queue_message(session, kind=KIND_REPORT, candidate_id=candidate.id,
                         to=candidate.email, subject=subject, text=text, html=html, now=now)


# -- the outbox ------------------------------------------------------------------------


def queue_message(session: Session, *, kind: str, candidate_id: int | None, to: str,
                  subject: str, text: str, html: str | None, now: datetime,
                  user_id: int | None = None) -> OutboxMessage:
    """Store a message in the outbox, unsent; the mail worker sends it after the commit.

    ``candidate_id`` or ``user_id`` says whom it is for (a staff user's message has no
    candidate). Flushes only: the message lives and dies with the caller's transaction.
    """
    message = OutboxMessage(
        created_at=now, kind=kind, candidate_id=candidate_id, user_id=user_id, to_address=to.strip(),
        subject=_one_line(subject, _SUBJECT_MAX), body_text=text, body_html=html,
    )
    session.add(message)
    session.flush()
    return message


class MailState(enum.Enum):
    """Where an outbox message stands, as consultants see it."""

    QUEUED = "queued"  #: waiting for the mail worker (or being sent right now)
    SENT = "sent"
    RETRYING = "retrying"  #: failed; the worker tries again at ``next_attempt_at``
    GIVEN_UP = "given_up"  #: failed for a day (``MAX_ATTEMPTS``); not tried again
    WITHDRAWN = "withdrawn"  #: not sent on purpose; :func:`withdrawn_reason` says why


#: A message the worker closed without sending has ``error`` starting with
#: "not sent (<code>)": ``gave_up`` after ``MAX_ATTEMPTS`` failures (the last error
#: follows), or a reason it must not go out (``WITHDRAWN_REASONS``). Closed messages
#: keep ``next_attempt_at`` empty and are never picked again.
_CLOSED = "not sent ("
_CLOSED_RE = re.compile(r"not sent \((\w+)\)")
GAVE_UP = "gave_up"
WITHDRAWN_REASONS = {
    "completed": "the candidate has completed the assessment",
    "no_link": "the link in the message was revoked, replaced or has expired",
    "stale": "it was never tried and is older than the maximum age (development outbox)",
}

#: Backoff after the n-th failed attempt: 1, 2, 4, ... minutes, at most an hour. With
#: ``MAX_ATTEMPTS`` = 30 the attempts span 1 + 2 + 4 + 8 + 16 + 32 + 23 x 60 minutes,
#: just over 24 hours, before the worker gives up.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 30
#: How long a worker holds a message it is sending: another worker picks it up only
#: after this (when the first one died in the middle of an attempt).
LEASE = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt (attempts >= 1)."""
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 16), RETRY_MAX)


def _closed(code: str, detail: str = "") -> str:
    text = f"{_CLOSED}{code})"
    return _one_line(f"{text}: {detail}" if detail else text, _ERROR_MAX)


def state_of(message: OutboxMessage) -> MailState:
    if message.sent_at is not None:
        return MailState.SENT
    if message.error is None:
        return MailState.QUEUED
    match = _CLOSED_RE.match(message.error)
    if match is None:
        return MailState.RETRYING
    return MailState.GIVEN_UP if match.group(1) == GAVE_UP else MailState.WITHDRAWN


def withdrawn_reason(message: OutboxMessage) -> str | None:
    """The ``WITHDRAWN_REASONS`` key of a withdrawn message, else None."""
    match = _CLOSED_RE.match(message.error or "")
    return match.group(1) if match and match.group(1) != GAVE_UP else None


def last_error(message: OutboxMessage) -> str | None:
    """The SMTP error of a failed or given-up message, without the state prefix."""
    if message.error is None or withdrawn_reason(message):
        return None
    return _CLOSED_RE.sub("", message.error, count=1).lstrip(": ") or None


@dataclass(frozen=True)
class MailStatus:
    """A message's state for the pages: ``reason`` (a ``WITHDRAWN_REASONS`` key) for a
    withdrawn message, ``error`` (the last SMTP error) for a failed one."""

    state: MailState
    reason: str | None = None
    error: str | None = None


def status_of(message: OutboxMessage) -> MailStatus:
    return MailStatus(state_of(message), withdrawn_reason(message), last_error(message))


def _open():
    """Not closed by the worker: queued, being sent, or failed and waiting for a retry."""
    return sa.or_(OutboxMessage.error.is_(None), sa.not_(OutboxMessage.error.startswith(_CLOSED)))


def _due(now: datetime):
    return sa.and_(
        OutboxMessage.sent_at.is_(None),
        sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        _open(),
    )


def latest_messages(session: Session, candidate_ids: list[int]) -> dict[int, OutboxMessage]:
    """The newest outbox message of each candidate, for the mail status on candidate
    pages (one query, whatever the number of candidates)."""
    if not candidate_ids:
        return {}
    newest = (sa.select(sa.func.max(OutboxMessage.id))
              .where(OutboxMessage.candidate_id.in_(candidate_ids))
              .group_by(OutboxMessage.candidate_id))
    return {m.candidate_id: m for m in session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id.in_(newest)))}


def waiting_since(session: Session, *, now: datetime, longer_than: timedelta) -> tuple[int, datetime | None]:
    """How many never-tried messages have waited longer than ``longer_than``, and since
    when the oldest: a sign that no mail worker is running."""
    count, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.error.is_(None),
            OutboxMessage.attempts == 0, OutboxMessage.created_at < now - longer_than)
    ).one()
    return count, oldest


# -- the worker ------------------------------------------------------------------------


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


def branded_sender(session: Session, settings: MailSettings) -> MailSettings:
    """The settings with the branding's sender name as the From display name; the
    address stays MAIL_FROM's."""
    name = branding.sender_name(session)
    if not name:
        return settings
    return replace(settings, sender=formataddr((name, parseaddr(settings.sender)[1])))


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


def _linked_invitation(session: Session, candidate_id: int, queued_at: datetime,
                       now: datetime) -> int | None:
    """The id of the live invitation whose link a candidate's message queued at
    ``queued_at`` carries, or None.

    A candidate has at most one live invitation, and a message links to the one that
    was live when it was queued; an invitation issued later (a re-issue revokes the
    old one) carries another link, so it does not count.
    """
    return session.scalar(
        sa.select(Invitation.id).where(
            Invitation.candidate_id == candidate_id,
            Invitation.revoked_at.is_(None), Invitation.expires_at > now,
            Invitation.created_at <= queued_at,
        ).order_by(Invitation.id.desc()).limit(1))


def _withdraw_reason(session: Session, message: OutboxMessage, *, now: datetime,
                     max_age: timedelta) -> str | None:
    if message.candidate_id is not None and message.kind in (KIND_INVITATION, KIND_REMINDER,
                                                             KIND_REPORT):
        candidate = session.get(Candidate, message.candidate_id)
        if message.kind != KIND_REPORT and candidate is not None and has_completed(candidate):
            return "completed"
        if _linked_invitation(session, message.candidate_id, message.created_at, now) is None:
            return "no_link"
    if message.kind == "set_password" and message.user_id is not None:
        # The link works only while it is the user's newest, unused and unexpired one.
        user = session.get(User, message.user_id)
        newer = session.scalar(sa.select(OutboxMessage.id).where(
            OutboxMessage.user_id == message.user_id, OutboxMessage.kind == message.kind,
            OutboxMessage.id > message.id).limit(1))
        if user is None or user.set_password_nonce is None or newer is not None or (
                user.set_password_expires_at is not None and user.set_password_expires_at <= now):
            return "no_link"
    if message.attempts == 0 and message.created_at < now - max_age:
        return "stale"
    return None


def claim_next(session: Session, *, now: datetime, max_age: timedelta) -> OutboxMessage | None:
    """Take the oldest due message for one delivery attempt; flushes only.

    Due: not sent, not closed, and ``next_attempt_at`` empty or passed. The row is
    locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's write lock
    serialises the whole transaction), so two workers never take the same message; the
    taken message gets ``attempts + 1`` and ``next_attempt_at = now + LEASE``, so
    once the caller commits no other worker picks it while it is being sent.

    A message that must not go out is closed instead and returned in state
    ``WITHDRAWN``: an invitation or reminder for a candidate who has completed, a
    candidate's message whose link is no longer live, or a message never tried and
    older than ``max_age`` (turning SMTP on does not mail stale development messages).
    Returns None when nothing is due.
    """
    # The worker's session lives long: what it loaded before may have changed since.
    session.expire_all()
    message = session.scalars(
        sa.select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.id).limit(1)
        .with_for_update(skip_locked=True, of=OutboxMessage)
    ).first()
    if message is None:
        return None
    reason = _withdraw_reason(session, message, now=now, max_age=max_age)
    if reason is not None:
        message.error, message.next_attempt_at = _closed(reason, WITHDRAWN_REASONS[reason]), None
    elif message.attempts >= MAX_ATTEMPTS:
        # The worker died during the last attempt (its result was never recorded).
        message.error = _closed(GAVE_UP, last_error(message) or "the last attempt did not finish")
        message.next_attempt_at = None
    else:
        message.attempts += 1
        message.next_attempt_at = now + LEASE
    session.flush()
    return message


def record_attempt(session: Session, message_id: int, *, now: datetime,
                   error: str | None) -> MailState | None:
    """Store the outcome of an attempt (``error`` None: the SMTP server accepted it);
    flushes only. Returns the message's new state, or None when it is gone (the
    candidate was erased meanwhile).

    Sent: ``sent_at``, and for an invitation the ``sent_at`` of the invitation whose
    link it carries. Failed: ``next_attempt_at`` after ``retry_delay``; after
    ``MAX_ATTEMPTS`` the message is given up and keeps the last error.
    """
    row = session.execute(
        sa.select(OutboxMessage.attempts, OutboxMessage.kind, OutboxMessage.candidate_id,
                  OutboxMessage.created_at).where(OutboxMessage.id == message_id)
    ).one_or_none()
    if row is None:
        return None
    update = sa.update(OutboxMessage).where(OutboxMessage.id == message_id) \
        .execution_options(synchronize_session=False)
    if error is None:
        session.execute(update.values(sent_at=now, error=None, next_attempt_at=None))
        if row.kind == KIND_INVITATION and row.candidate_id is not None:
            invitation_id = _linked_invitation(session, row.candidate_id, row.created_at, now)
            if invitation_id is not None:
                session.execute(sa.update(Invitation).where(Invitation.id == invitation_id)
                                .values(sent_at=now).execution_options(synchronize_session=False))
        state = MailState.SENT
    elif row.attempts >= MAX_ATTEMPTS:
        session.execute(update.values(error=_closed(GAVE_UP, error), next_attempt_at=None))
        state = MailState.GIVEN_UP
    else:
        session.execute(update.values(error=error, next_attempt_at=now + retry_delay(row.attempts)))
        state = MailState.RETRYING
    session.flush()
    return state


@dataclass
class WorkResult(RunCounts):
    """What one outbox round of the worker did."""

    PROCESSED = ("sent", "retrying", "given_up", "withdrawn")
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    withdrawn: int = 0

    def add(self, state: MailState | None) -> None:
        if state is not None and state is not MailState.QUEUED:
            self.count(state.value)

    def __str__(self) -> str:
        return (f"Sent {self.sent} message(s); {self.retrying} failed and will be retried; "
                f"{self.given_up} given up; {self.withdrawn} not sent (withdrawn).")


def send_due(session: Session, settings: MailSettings, *, clock: Callable[[], datetime],
             max_age: timedelta, limit: int = 50,
             stop: Callable[[], bool] = lambda: False) -> WorkResult:
    """The mail worker: send up to ``limit`` due messages, oldest first.

    Unlike the request code, this **commits**: once after taking each message and once
    after its attempt, so the SMTP conversation happens with no transaction open (no
    lock held while the server answers) and a crash in the middle of a batch never
    sends again what already went out. Only the worker (``flask mail work``) calls it.
    ``clock`` gives the time of each step (a batch may take a while); ``stop`` is asked
    between messages (SIGTERM). Without an SMTP host nothing is sent.
    """
    result = WorkResult()
    if not settings.configured:
        return result
    settings = branded_sender(session, settings)
    while result.processed < limit and not stop():
        now = clock()
        message = claim_next(session, now=now, max_age=max_age)
        if message is None:
            session.commit()
            break
        # Only plain values from here on: nothing may reload (and lock) after the commit.
        message_id, kind, state = message.id, message.kind, state_of(message)
        if state is not MailState.QUEUED and state is not MailState.RETRYING:
            session.commit()
            log.info("outbox message %s (%s) closed: %s", message_id, kind, state.value)
            result.add(state)
            continue
        try:
            mime = build_email(message, settings, now=now)
        except ValueError as exc:
            mime, error = None, _describe(exc, settings)
        session.commit()
        if mime is not None:
            try:
                _smtp_send(mime, settings)
                error = None
            except (smtplib.SMTPException, OSError, ValueError) as exc:
                error = _describe(exc, settings)
        state = record_attempt(session, message_id, now=clock(), error=error)
        session.commit()
        if state is MailState.SENT:
            log.info("outbox message %s (%s) sent", message_id, kind)
        elif state is not None:
            # The class only: an SMTP reply may quote the recipient's address.
            log.warning("outbox message %s (%s) not sent (%s): %s", message_id, kind,
                        state.value, (error or "").split(":", 1)[0])
        result.add(state)
    return result


# -- queueing candidates' messages -----------------------------------------------------


#: Why no e-mail with a candidate's link can go out (:func:`unsendable`); the texts are
#: for logs and the API, the pages have their own translated ones.
UNSENDABLE = {
    "none": "the candidate has no invitation",
    "done": "the candidate has already completed the assessment",
    "other": "the invitation belongs to another candidate",
    "revoked": "the invitation has been revoked; issue a new one",
    "expired": "the invitation has expired; issue a new one",
}


def has_completed(candidate: Candidate) -> bool:
    """The candidate has completed the assessment: invitations and reminders stop."""
    return candidate.stage is Stage.DONE or candidate.completed_at is not None


def unsendable(candidate: Candidate, invitation: Invitation | None, now: datetime, *,
               report: bool = False) -> str | None:
    """Why no e-mail with ``invitation``'s link can go to ``candidate`` now (an
    ``UNSENDABLE`` key), else None. The notice that a report is ready (``report``) may
    go to a candidate who has completed; invitations and reminders may not."""
    if invitation is None:
        return "none"
    if not report and has_completed(candidate):
        return "done"
    if invitation.candidate_id != candidate.id:
        return "other"
    if invitation.revoked_at is not None:
        return "revoked"
    if now > invitation.expires_at:
        return "expired"
    return None


def _check(candidate: Candidate, invitation: Invitation | None, now: datetime, *,
           report: bool = False) -> None:
    code = unsendable(candidate, invitation, now, report=report)
    if code is not None:
        raise CannotSend(code)


def send_invitation(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                    *, now: datetime, renderer: Renderer, lang: str | None = None) -> OutboxMessage:
    """Queue the invitation e-mail with the link.

    Never contacts the SMTP server: the mail worker sends the message after the commit
    and then sets ``invitation.sent_at``. Raises ``CannotSend`` (a ValueError) for a
    revoked or expired invitation or a candidate who has completed.

    ``lang`` defaults to the candidate's chosen language, then the invitation's.
    """
    _check(candidate, invitation, now)
    lang = _language(candidate, invitation, lang, renderer.config)
    subject, text, html = render_invitation(candidate, invitation, url, lang=lang, renderer=renderer)
    return queue_message(session, kind=KIND_INVITATION, candidate_id=candidate.id,
                         to=candidate.email, subject=subject, text=text, html=html, now=now)


def last_invitation_mail_at(session: Session, candidate_id: int) -> datetime | None:
    """When the newest invitation e-mail to the candidate was queued (sent or still on
    its way; not the given-up or withdrawn ones)."""
    return session.scalar(
        sa.select(sa.func.max(OutboxMessage.created_at)).where(
            OutboxMessage.candidate_id == candidate_id, OutboxMessage.kind == KIND_INVITATION,
            _open()))


def next_reminder_at(session: Session, invitation: Invitation, cooldown: timedelta) -> datetime | None:
    """The earliest time for the next reminder: ``cooldown`` after the last reminder or
    the last invitation e-mail (queued or sent); None when there was neither."""
    moments = [invitation.last_reminder_at, invitation.sent_at,
               last_invitation_mail_at(session, invitation.candidate_id)]
    last = max((t for t in moments if t is not None), default=None)
    return None if last is None else last + cooldown


def reminder_wait(session: Session, invitation: Invitation, *, now: datetime,
                  cooldown: timedelta) -> datetime | None:
    """When the next reminder may go out, if it may not now (:func:`next_reminder_at`
    is still to come), else None."""
    moment = next_reminder_at(session, invitation, cooldown)
    return moment if moment is not None and moment > now else None


def send_reminder(session: Session, candidate: Candidate, invitation: Invitation, url: str,
                  *, now: datetime, cooldown: timedelta, renderer: Renderer,
                  lang: str | None = None) -> OutboxMessage:
    """Queue a reminder with the same link.

    Refused with ``ReminderTooSoon`` within ``cooldown`` of the last reminder or of the
    invitation e-mail (queued or sent), and with ``CannotSend`` (a ValueError) when the
    candidate has completed or the invitation is revoked or expired. A reminder counts
    (``last_reminder_at``, ``reminder_count``) once it is queued, so an SMTP outage
    does not let reminders pile up.
    """
    _check(candidate, invitation, now)
    wait = reminder_wait(session, invitation, now=now, cooldown=cooldown)
    if wait is not None:
        raise ReminderTooSoon(wait)
    threshold = now - cooldown
    # A conditional update, so two consultants clicking at once queue one reminder.
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
        raise ReminderTooSoon(next_reminder_at(session, invitation, cooldown))
    lang = _language(candidate, invitation, lang, renderer.config)
    subject, text, html = render_reminder(candidate, invitation, url, lang=lang, renderer=renderer)
    return queue_message(session, kind=KIND_REMINDER, candidate_id=candidate.id,
                         to=candidate.email, subject=subject, text=text, html=html, now=now)
