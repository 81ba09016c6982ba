"""Signed webhooks (Standard Webhooks), delivered through a database outbox.

A change that other systems care about (a candidate invited, started, completed; a
report released; an invitation revoked or expired) calls one of the ``*_event``
functions below in its own transaction. They write one :class:`WebhookDelivery` row per
enabled endpoint subscribed to the event and only flush: a rolled-back change queues
nothing, and no request ever talks to an endpoint. The worker (``flask mail work``,
:func:`deliver_due`) sends what is due after the commit, signs each attempt with the
endpoint's secret (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``: ``v1,``
and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``, made by the kept
``standardwebhooks`` library), retries failures with exponential backoff and jitter for
at least a day, then marks the delivery dead. A dead or delivered message can be
re-sent by hand (same ``webhook-id``, so receivers can drop duplicates).

Payloads carry ids, statuses, times and API links, never names, e-mail addresses or
results. The secret is stored to sign with; it is shown once to the administrator and
never logged (``portal.logs`` redacts anything that looks like one).
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import logging
import random
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from ..models import Candidate, DeliveryStatus, Invitation, Stage, WebhookDelivery, WebhookEndpoint
from . import audit
from .paging import Page, page_number
from .worker_runs import RunCounts

log = logging.getLogger(__name__)

CANDIDATE_INVITED = "candidate.invited"
CANDIDATE_STARTED = "candidate.started"
CANDIDATE_COMPLETED = "candidate.completed"
REPORT_RELEASED = "report.released"
INVITATION_REVOKED = "invitation.revoked"
INVITATION_EXPIRED = "invitation.expired"
EVENTS = (CANDIDATE_INVITED, CANDIDATE_STARTED, CANDIDATE_COMPLETED, REPORT_RELEASED,
          INVITATION_REVOKED, INVITATION_EXPIRED)

#: Wait after the n-th failed attempt of a round (n = 1, 2, ...), then ``RETRY_CAP``;
#: each wait is stretched by a random factor in ``JITTER`` so that the endpoints of a
#: busy moment are not all tried again in the same second.
RETRY_SCHEDULE = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
                  timedelta(hours=2), timedelta(hours=5), timedelta(hours=10))
RETRY_CAP = timedelta(hours=10)
JITTER = (0.8, 1.2)
#: A failed delivery is retried until this long after its first attempt, then dead:
#: a receiver that is down for up to a day still gets every event.
RETRY_FOR = timedelta(hours=24)
#: How long a worker holds a delivery it is sending; another worker takes it only after
#: this (when the first one died in the middle of an attempt). Longer than any attempt
#: can take (``WEBHOOK_TIMEOUT`` is at most a minute).
LEASE = timedelta(minutes=5)
EXCERPT_MAX = 200
URL_MAX = 2000
DESCRIPTION_MAX = 200
#: Deliveries shown per page of the delivery log.
LOG_PAGE_SIZE = 50
#: Delivered and dead deliveries older than this leave the log (the worker removes them).
LOG_KEEP = timedelta(days=90)


class WebhookError(ValueError):
    """Bad input from the administrator; ``code`` names the problem."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class WebhookSettings:
    """``timeout``: seconds per attempt; ``allow_private``: private, loopback and
    link-local target addresses are allowed (development and tests only)."""

    timeout: float = 10.0
    allow_private: bool = False

    @classmethod
    def from_config(cls, config) -> WebhookSettings:
        timeout = float(config.get("WEBHOOK_TIMEOUT") or 10)
        return cls(timeout=min(max(timeout, 1.0), 60.0),
                   allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)))


# -- endpoints -------------------------------------------------------------------------


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64 (the Standard Webhooks secret format)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse a URL the worker must not post to: not http(s), no host, credentials in
    the URL, or (unless ``allow_private``) a host that is or resolves to a private,
    loopback, link-local or otherwise non-public address."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookError("invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("invalid_url")
    if parts.username or parts.password or any(c.isspace() for c in url):
        raise WebhookError("invalid_url")
    if allow_private:
        return
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith(".localhost"):
        raise WebhookError("private_address")
    try:
        addresses = [host] if _is_ip(host) else (
            [info[4][0] for info in socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                                       proto=socket.IPPROTO_TCP)] if resolve else [])
    except (OSError, UnicodeError):
        raise WebhookError("unresolvable_host") from None
    if any(not _public(a) for a in addresses):
        raise WebhookError("private_address")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def clean_events(events: Iterable[str]) -> list[str]:
    chosen = [e for e in EVENTS if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise WebhookError("invalid_events")
    return chosen


def create_endpoint(session: Session, *, url: str, description: str, events: Iterable[str],
                    user_id: int | None, now: datetime, settings: WebhookSettings) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (to show once). Audited without
    the secret."""
    url = (url or "").strip()
    description = " ".join((description or "").split())
    if not url or len(url) > URL_MAX:
        raise WebhookError("invalid_url")
    if len(description) > DESCRIPTION_MAX:
        raise WebhookError("description_too_long")
    events = clean_events(events)
    check_target(url, allow_private=settings.allow_private)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, description=description, secret=secret, events=events,
                               enabled=True, created_at=now, created_by_id=user_id)
    session.add(endpoint)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="webhook_endpoint",
                 object_id=endpoint.id, detail={"events": events}, now=now)
    return endpoint, secret


def update_endpoint(session: Session, endpoint: WebhookEndpoint, *, events: Iterable[str], description: str,
                    enabled: bool, user_id: int | None, now: datetime) -> None:
    description = " ".join((description or "").split())
    if len(description) > DESCRIPTION_MAX:
        raise WebhookError("description_too_long")
    endpoint.events = clean_events(events)
    endpoint.description = description
    endpoint.enabled = bool(enabled)
    session.flush()
    audit.record(session, user_id=user_id, action="update", object_type="webhook_endpoint",
                 object_id=endpoint.id, detail={"events": endpoint.events, "enabled": endpoint.enabled}, now=now)


def rotate_secret(session: Session, endpoint: WebhookEndpoint, *, user_id: int | None, now: datetime) -> str:
    """A new secret (returned, to show once); the next attempts are signed with it."""
    secret = new_secret()
    endpoint.secret = secret
    endpoint.secret_rotated_at = now
    session.flush()
    audit.record(session, user_id=user_id, action="rotate_secret", object_type="webhook_endpoint",
                 object_id=endpoint.id, now=now)
    return secret


def delete_endpoint(session: Session, endpoint: WebhookEndpoint, *, user_id: int | None, now: datetime) -> None:
    """The endpoint and its delivery log are gone; deliveries not yet made are never made."""
    deleted = session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                              .execution_options(synchronize_session=False)).rowcount
    endpoint_id = endpoint.id
    session.delete(endpoint)
    session.flush()
    audit.record(session, user_id=user_id, action="delete", object_type="webhook_endpoint",
                 object_id=endpoint_id, detail={"deliveries": deleted}, now=now)


# -- queueing events -------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _base_url(session: Session, base_url: str | None = None) -> str:
    """``base_url``, else the app's public address that came with the session
    (``portal.db.get_session`` puts ``BASE_URL`` into ``session.info``); "" without one."""
    if base_url is None:
        base_url = session.info.get("base_url", "")
    return (base_url or "").rstrip("/")


def _links(base: str, candidate_id: int, *, report: bool = False) -> dict:
    links = {"candidate": f"{base}/api/v1/candidates/{candidate_id}"}
    if report:
        links["report_pdf"] = f"{base}/api/v1/candidates/{candidate_id}/report.pdf"
    return links


def emit(session: Session, event_type: str, data: dict, *, now: datetime) -> int:
    """Queue ``event_type`` for every enabled endpoint subscribed to it, in the caller's
    transaction (flush only). Returns the number of deliveries queued."""
    assert event_type in EVENTS, event_type
    endpoints = [endpoint_id for endpoint_id, events in session.execute(
        sa.select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)) if event_type in (events or [])]
    if not endpoints:
        return 0
    body = json.dumps({"type": event_type, "timestamp": _iso(now), "data": data},
                      separators=(",", ":"), ensure_ascii=False)
    message_id = "msg_" + secrets.token_urlsafe(18)
    for endpoint_id in endpoints:
        session.add(WebhookDelivery(endpoint_id=endpoint_id, event_type=event_type, message_id=message_id,
                                    payload=body, created_at=now, status=DeliveryStatus.PENDING,
                                    attempts=0, next_attempt_at=now))
    session.flush()
    return len(endpoints)


def candidate_invited(session: Session, candidate: Candidate, invitation: Invitation, *, now: datetime,
                      base_url: str | None = None) -> int:
    base = _base_url(session, base_url)
    return emit(session, CANDIDATE_INVITED, {
        "candidate_id": candidate.id, "assignment_id": candidate.assignment_id,
        "invitation_id": invitation.id, "status": "invited", "language": invitation.language,
        "invited_at": _iso(invitation.created_at), "expires_at": _iso(invitation.expires_at),
        "links": _links(base, candidate.id)}, now=now)


def candidate_started(session: Session, candidate: Candidate, *, now: datetime) -> int:
    return emit(session, CANDIDATE_STARTED, {
        "candidate_id": candidate.id, "assignment_id": candidate.assignment_id, "status": "in_progress",
        "started_at": _iso(now), "links": _links(_base_url(session), candidate.id)}, now=now)


def candidate_completed(session: Session, candidate: Candidate, *, now: datetime) -> int:
    return emit(session, CANDIDATE_COMPLETED, {
        "candidate_id": candidate.id, "assignment_id": candidate.assignment_id, "status": "completed",
        "completed_at": _iso(now), "links": _links(_base_url(session), candidate.id)}, now=now)


def report_released(session: Session, candidate: Candidate, report, *, now: datetime) -> int:
    """``report.kind`` is "client" (decision support; its PDF is in ``links.report_pdf``)
    or "candidate" (the candidate's own feedback, read through their link)."""
    kind = report.kind.value
    return emit(session, REPORT_RELEASED, {
        "candidate_id": candidate.id, "assignment_id": candidate.assignment_id, "report_id": report.id,
        "kind": kind, "version": report.version, "released_at": _iso(report.released_at),
        "links": _links(_base_url(session), candidate.id, report=kind == "client")}, now=now)


def invitation_revoked(session: Session, candidate_id: int, assignment_id: int, invitation_ids: Iterable[int], *,
                       now: datetime, reason: str) -> int:
    """``reason``: "revoked" (by a consultant or the API) or "reissued" (replaced by a new link)."""
    queued = 0
    base = _base_url(session)
    for invitation_id in invitation_ids:
        queued += emit(session, INVITATION_REVOKED, {
            "candidate_id": candidate_id, "assignment_id": assignment_id, "invitation_id": invitation_id,
            "status": "revoked", "reason": reason, "revoked_at": _iso(now),
            "links": _links(base, candidate_id)}, now=now)
    return queued


def notice_expired(session: Session, *, now: datetime, limit: int = 200) -> int:
    """Queue ``invitation.expired`` once for each invitation whose link expired since the
    last look (not revoked, candidate not done); marks them noticed. Flushes only.

    Nothing happens at the moment a link expires, so the worker calls this on every
    round. The mark is a conditional update, so two workers never queue one expiry twice.
    Returns the number of invitations noticed (with or without a subscribed endpoint).
    """
    rows = session.execute(
        sa.select(Invitation.id, Invitation.candidate_id, Invitation.expires_at, Candidate.assignment_id,
                  Candidate.stage)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.expiry_noticed_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at <= now)
        .order_by(Invitation.expires_at, Invitation.id).limit(limit)).all()
    noticed = 0
    base = _base_url(session)
    for row in rows:
        won = session.execute(
            sa.update(Invitation).where(Invitation.id == row.id, Invitation.expiry_noticed_at.is_(None))
            .values(expiry_noticed_at=now).execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            continue
        noticed += 1
        if row.stage is not Stage.DONE:  # a finished candidate's link expiring is not news
            emit(session, INVITATION_EXPIRED, {
                "candidate_id": row.candidate_id, "assignment_id": row.assignment_id, "invitation_id": row.id,
                "status": "expired", "expired_at": _iso(row.expires_at),
                "links": _links(base, row.candidate_id)}, now=now)
    session.flush()
    return noticed


# -- the worker ------------------------------------------------------------------------


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Wait after the ``attempts``-th failed attempt of a round (attempts >= 1), with jitter."""
    base = RETRY_SCHEDULE[attempts - 1] if 1 <= attempts <= len(RETRY_SCHEDULE) else RETRY_CAP
    factor = (rng or random).uniform(*JITTER)
    return min(base, RETRY_CAP) * factor


_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


@dataclass(frozen=True)
class Claim:
    """What the worker needs to make one attempt, as plain values (no ORM object may
    reload after the claim's commit)."""

    delivery_id: int
    attempt: int
    url: str
    secret: str = field(repr=False)  # never in a repr, so never in a log
    message_id: str
    event_type: str
    payload: str


def claim_next(session: Session, *, now: datetime) -> Claim | None:
    """Take the oldest due delivery for one attempt; flushes only (the caller commits
    before sending).

    Due: pending or retrying, ``next_attempt_at`` passed, endpoint enabled. On PostgreSQL
    the row is locked with ``FOR UPDATE SKIP LOCKED``, so a second worker passes it by;
    on SQLite the app's ``BEGIN IMMEDIATE`` serialises workers. Either way the claim is
    a conditional update (same attempt count, still due) that sets the lease
    (``next_attempt_at = now + LEASE``), so no two workers ever send one attempt.
    """
    session.expire_all()
    for _ in range(5):
        row = session.execute(
            sa.select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.first_attempt_at)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status.in_(_OPEN), WebhookDelivery.next_attempt_at <= now,
                   WebhookEndpoint.enabled.is_(True))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(1)
            .with_for_update(skip_locked=True, of=WebhookDelivery)).first()
        if row is None:
            return None
        won = session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id, WebhookDelivery.attempts == row.attempts,
                   WebhookDelivery.status.in_(_OPEN), WebhookDelivery.next_attempt_at <= now)
            .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE, last_attempt_at=now,
                    first_attempt_at=row.first_attempt_at or now)
            .execution_options(synchronize_session=False)).rowcount == 1
        if won:
            d = session.execute(
                sa.select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookEndpoint.url, WebhookEndpoint.secret,
                          WebhookDelivery.message_id, WebhookDelivery.event_type, WebhookDelivery.payload)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id == row.id)).one()
            return Claim(*d)
    return None


def signed_headers(claim: Claim, *, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: the timestamp is the attempt's, the
    id is the message's (the same on every attempt)."""
    signature = Webhook(claim.secret).sign(claim.message_id, now, claim.payload.encode("utf-8"))
    return {
        "content-type": "application/json",
        "user-agent": "SecondOpinion-Webhooks/1",
        "webhook-id": claim.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new target: 3xx counts as a failure."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def _excerpt(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return " ".join(text.split())[:EXCERPT_MAX]


def post(claim: Claim, settings: WebhookSettings, *, now: datetime) -> tuple[bool, int | None, str]:
    """One HTTP POST: (delivered, status code or None, excerpt of the answer or error).
    Never raises for network trouble; the secret never appears in the excerpt."""
    try:
        check_target(claim.url, allow_private=settings.allow_private)
    except WebhookError as exc:
        return False, None, f"not sent: {exc.code}"
    request = urllib.request.Request(claim.url, data=claim.payload.encode("utf-8"),
                                     headers=signed_headers(claim, now=now), method="POST")
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            code, body = response.status, response.read(1024)
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read(1024)
        except OSError:
            body = b""
        code = exc.code
        exc.close()
    except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, timed out, TLS, not HTTP
        reason = getattr(exc, "reason", exc)
        return False, None, _excerpt(f"{type(exc).__name__}: {reason}").replace(claim.secret, "***")
    return 200 <= code < 300, code, _excerpt(body).replace(claim.secret, "***")


def record_attempt(session: Session, claim: Claim, *, now: datetime, delivered: bool, code: int | None,
                   excerpt: str, rng: random.Random | None = None) -> DeliveryStatus | None:
    """Store an attempt's outcome; flushes only. None when the delivery is no longer
    this attempt's (deleted, re-sent, or re-claimed after the lease ran out)."""
    row = session.execute(
        sa.select(WebhookDelivery.first_attempt_at).where(
            WebhookDelivery.id == claim.delivery_id, WebhookDelivery.attempts == claim.attempt,
            WebhookDelivery.status.in_(_OPEN))).one_or_none()
    if row is None:
        return None
    values = dict(response_code=code, response_excerpt=excerpt[:EXCERPT_MAX] or None)
    if delivered:
        status = DeliveryStatus.DELIVERED
        values.update(status=status, delivered_at=now, next_attempt_at=None)
    elif now - (row.first_attempt_at or now) >= RETRY_FOR:
        status = DeliveryStatus.DEAD
        values.update(status=status, next_attempt_at=None)
    else:
        status = DeliveryStatus.RETRYING
        values.update(status=status, next_attempt_at=now + retry_delay(claim.attempt, rng))
    session.execute(sa.update(WebhookDelivery)
                    .where(WebhookDelivery.id == claim.delivery_id, WebhookDelivery.attempts == claim.attempt)
                    .values(**values).execution_options(synchronize_session=False))
    session.flush()
    return status


@dataclass
class DeliveryResult(RunCounts):
    """What one webhook round of the worker did."""

    PROCESSED = ("delivered", "retrying", "dead")
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    #: Not a delivery: expired invitations whose ``invitation.expired`` was queued.
    expired_noticed: int = 0

    def __str__(self) -> str:
        return (f"Webhooks: {self.delivered} delivered; {self.retrying} failed and will be retried; "
                f"{self.dead} dead; {self.expired_noticed} expired invitation(s) noticed.")


def deliver_due(session: Session, settings: WebhookSettings, *, clock: Callable[[], datetime], limit: int = 50,
                stop: Callable[[], bool] = lambda: False, rng: random.Random | None = None) -> DeliveryResult:
    """The worker's webhook round: notice expired invitations, then make up to ``limit``
    due attempts, oldest first.

    Commits (only the worker calls it): once after noticing expiries, once after each
    claim and once after each attempt's result, so the HTTP request runs with no
    transaction open and no lock held while the endpoint answers.
    """
    result = DeliveryResult()
    result.expired_noticed = notice_expired(session, now=clock())
    forget_old(session, now=clock())
    session.commit()
    while result.processed < limit and not stop():
        claim = claim_next(session, now=clock())
        session.commit()
        if claim is None:
            break
        delivered, code, excerpt = post(claim, settings, now=clock())
        status = record_attempt(session, claim, now=clock(), delivered=delivered, code=code, excerpt=excerpt,
                                rng=rng)
        session.commit()
        if status is not None:
            result.count(status.value)
        if status is DeliveryStatus.DELIVERED:
            log.info("webhook delivery %s (%s) delivered: %s", claim.delivery_id, claim.event_type, code)
        elif status is not None:
            log.warning("webhook delivery %s (%s) failed (%s): %s", claim.delivery_id, claim.event_type,
                        status.value, code if code is not None else excerpt.split(":", 1)[0])
    return result


# -- the delivery log ------------------------------------------------------------------


def forget_old(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Remove up to ``limit`` delivered or dead deliveries last tried more than
    ``LOG_KEEP`` ago (the log would otherwise grow for ever); flushes only."""
    old = (sa.select(WebhookDelivery.id)
           .where(WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)),
                  WebhookDelivery.last_attempt_at < now - LOG_KEEP)
           .order_by(WebhookDelivery.id).limit(limit))
    ids = list(session.scalars(old))
    if ids:
        session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                        .execution_options(synchronize_session=False))
    return len(ids)


def waiting_since(session: Session, *, now: datetime, longer_than: timedelta = timedelta(minutes=5)) -> int:
    """How many deliveries have waited longer than ``longer_than`` without a first
    attempt (a sign that no worker is running)."""
    return session.scalar(
        sa.select(sa.func.count()).select_from(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.attempts == 0,
               WebhookEndpoint.enabled.is_(True), WebhookDelivery.next_attempt_at < now - longer_than)) or 0


def resend(session: Session, delivery: WebhookDelivery, *, user_id: int | None, now: datetime) -> bool:
    """Queue a delivered or dead delivery again for an immediate attempt, as a new round
    of retries, with the same ``webhook-id`` and body. False when it is still on its way
    (pending or retrying: nothing to re-send)."""
    changed = session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id,
               WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)))
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, first_attempt_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(delivery)
    if changed:
        audit.record(session, user_id=user_id, action="resend", object_type="webhook_delivery",
                     object_id=delivery.id, detail={"endpoint": delivery.endpoint_id,
                                                    "event": delivery.event_type}, now=now)
    return changed


def delivery_log(session: Session, *, endpoint_id: int | None, status: DeliveryStatus | None, page,
                 per_page: int = LOG_PAGE_SIZE) -> tuple[Page, list[WebhookDelivery]]:
    """The newest deliveries first, filtered: the page (``paging.Page``, as every list of
    the admin pages) and its deliveries; two queries whatever the log's size."""
    conditions = []
    if endpoint_id is not None:
        conditions.append(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        conditions.append(WebhookDelivery.status == status)
    total = session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery).where(*conditions)) or 0
    number = page_number(page, total, per_page)
    rows = session.scalars(
        sa.select(WebhookDelivery).where(*conditions).order_by(WebhookDelivery.id.desc())
        .offset((number - 1) * per_page).limit(per_page)).all()
    return Page(number=number, per_page=per_page, total=total, ids=tuple(d.id for d in rows)), list(rows)
