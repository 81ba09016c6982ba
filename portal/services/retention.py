"""Retention: how long each class of data is kept, legal hold, and the purge.

Data classes (periods in months; the configured defaults come from ``RETENTION_MONTHS``
and an administrator may change them on the Retention page, stored in
``RetentionPeriod``):

``assessment``
    Everything about a candidate (name, results, reports, interview notes, references,
    checks, e-mails), counted from the day the assignment was closed. At the end the
    candidate is erased as on request (``privacy.erase``): the anonymous answers, results
    and ratings remain for norms and item statistics, and so do the voluntary equality
    answers for the fairness analyses (an erasure on request deletes those); the reports
    become tombstones.
``contact``
    The contact data of candidates who were not hired (e-mail address, invitation links,
    e-mails to them), counted from the close of the assignment. Name and assessment stay
    until the ``assessment`` period ends.
``attachments``
    Background-check attachment files, counted from the close of the assignment.
``outbox``
    Stored e-mails (they hold names and links), counted from when they were written.
``audit``
    Audit events (ids and counts, no personal data), counted from when they were written.

``None`` as a period keeps that class until someone erases it by hand. A candidate on
legal hold, or any candidate of an assignment on legal hold, is left alone by every
class (their audit events too). Open assignments are never purged.

The purge is batched (one transaction per batch, committed by the caller), idempotent
(what is gone is not selected again) and safe to rerun after a crash: a batch that did
not commit is simply selected again.
"""
from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    Assignment, AssignmentStatus, AuditEvent, BackgroundCheck, Candidate, OutboxMessage, RetentionPeriod,
)
from . import audit, privacy

DATA_CLASSES = ("assessment", "contact", "attachments", "outbox", "audit")
#: Defaults when neither the configuration nor an administrator says otherwise. Two years
#: for assessment data follows the time within which a candidate may bring a
#: discrimination claim (Diskrimineringslagen 2008:567, 6 kap. 3 §).
DEFAULT_MONTHS: dict[str, int | None] = {"assessment": 24, "contact": 6, "attachments": 6, "outbox": 3,
                                         "audit": 36}
MAX_MONTHS = 240


class RetentionError(ValueError):
    pass


def parse_months(text: str) -> dict[str, int | None]:
    """``RETENTION_MONTHS`` from the environment: ``assessment=24,contact=6,audit=keep``.

    Unknown classes and values that are not whole months (1-240) or ``keep`` are errors,
    so a typo does not silently keep or delete data for the wrong time.
    """
    periods: dict[str, int | None] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip().lower()
        if not sep or name not in DATA_CLASSES:
            raise RetentionError(f"RETENTION_MONTHS: {part!r} is not <class>=<months>; classes: "
                                 + ", ".join(DATA_CLASSES))
        periods[name] = check_months(None if value == "keep" else value)
    return periods


def check_months(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise RetentionError(f"{value!r} is not a whole number of months") from None
    if not 1 <= months <= MAX_MONTHS:
        raise RetentionError(f"a retention period must be 1-{MAX_MONTHS} months, not {months}")
    return months


def periods(session: Session, config: Mapping) -> dict[str, int | None]:
    """The periods in force: an administrator's setting, else the configuration, else
    ``DEFAULT_MONTHS``."""
    result = {**DEFAULT_MONTHS, **(config.get("RETENTION_MONTHS") or {})}
    for row in session.scalars(sa.select(RetentionPeriod)):
        if row.data_class in result:
            result[row.data_class] = row.months
    return result


def set_period(session: Session, data_class: str, months: int | None, *, user_id: int,
               now: datetime) -> None:
    if data_class not in DATA_CLASSES:
        raise RetentionError(f"unknown data class {data_class!r}")
    months = check_months(months)
    row = session.get(RetentionPeriod, data_class)
    old = row.months if row else "default"
    if row is None:
        row = RetentionPeriod(data_class=data_class)
        session.add(row)
    if old == months:
        return
    row.months, row.updated_at, row.updated_by_id = months, now, user_id
    session.flush()
    audit.record(session, user_id=user_id, action="retention_period", object_type="retention",
                 detail={"data_class": data_class, "from": old, "to": months}, now=now)


def months_before(now: datetime, months: int) -> datetime:
    """``now`` moved back by whole calendar months (the day clamped to the month's end)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def notice_version(base: str, in_force: Mapping[str, int | None]) -> str:
    """The privacy notice's version: ``base`` (the text's date) and a fingerprint of the
    periods it states, so a candidate's record says which periods they were told."""
    stated = ",".join(f"{c}={in_force.get(c)}" for c in ("assessment", "contact", "attachments"))
    return f"{base}+{hashlib.sha256(stated.encode()).hexdigest()[:6]}"


# -- legal hold -----------------------------------------------------------------------


def set_hold(session: Session, target: Candidate | Assignment, *, on: bool, reason: str, user_id: int,
             now: datetime) -> None:
    """Put ``target`` on legal hold (``reason`` required: a case or matter reference,
    never personal data) or release it. Audited."""
    reason = " ".join((reason or "").split())[:200]
    if on and not reason:
        raise RetentionError("a legal hold needs a reason")
    if on == (target.legal_hold_at is not None):
        return
    target.legal_hold_at = now if on else None
    target.legal_hold_reason = reason if on else ""
    session.flush()
    audit.record(session, user_id=user_id, action="legal_hold" if on else "legal_hold_released",
                 object_type=target.__tablename__, object_id=target.id, now=now)


def set_hired(session: Session, candidate: Candidate, *, hired: bool, user_id: int, now: datetime) -> None:
    if hired == (candidate.hired_at is not None):
        return
    candidate.hired_at = now if hired else None
    session.flush()
    audit.record(session, user_id=user_id, action="hired" if hired else "not_hired", object_type="candidate",
                 object_id=candidate.id, now=now)


def holds(session: Session) -> tuple[list[Assignment], list[Candidate]]:
    """Everything on legal hold, for the Retention page."""
    assignments = session.scalars(sa.select(Assignment).where(Assignment.legal_hold_at.is_not(None))
                                  .order_by(Assignment.legal_hold_at)).all()
    candidates = session.scalars(sa.select(Candidate).where(Candidate.legal_hold_at.is_not(None))
                                 .order_by(Candidate.legal_hold_at)).all()
    return list(assignments), list(candidates)


# -- what is due ----------------------------------------------------------------------


def _closed_before(cutoff: datetime):
    """Candidates not on hold, of assignments closed on or before ``cutoff`` and not on hold."""
    return sa.and_(
        Candidate.legal_hold_at.is_(None),
        Candidate.assignment_id.in_(
            sa.select(Assignment.id).where(Assignment.status == AssignmentStatus.CLOSED,
                                           Assignment.closed_at.is_not(None),
                                           Assignment.closed_at <= cutoff,
                                           Assignment.legal_hold_at.is_(None))),
    )


def _held_candidate_ids():
    return sa.select(Candidate.id).where(sa.or_(
        Candidate.legal_hold_at.is_not(None),
        Candidate.assignment_id.in_(sa.select(Assignment.id).where(Assignment.legal_hold_at.is_not(None)))))


def _due(data_class: str, cutoff: datetime):
    """A select of the ids due in ``data_class`` at ``cutoff``."""
    if data_class == "assessment":
        return (sa.select(Candidate.id).where(_closed_before(cutoff), Candidate.erased_at.is_(None))
                .order_by(Candidate.id))
    if data_class == "contact":
        return (sa.select(Candidate.id).where(
            _closed_before(cutoff), Candidate.erased_at.is_(None), Candidate.hired_at.is_(None),
            Candidate.email != sa.literal("erased-") + sa.cast(Candidate.id, sa.String) + sa.literal("@invalid"),
        ).order_by(Candidate.id))
    if data_class == "attachments":
        return (sa.select(BackgroundCheck.id).join(Candidate, Candidate.id == BackgroundCheck.candidate_id)
                .where(_closed_before(cutoff), BackgroundCheck.attachment_path.is_not(None))
                .order_by(BackgroundCheck.id))
    if data_class == "outbox":
        return (sa.select(OutboxMessage.id).where(
            OutboxMessage.created_at <= cutoff,
            sa.or_(OutboxMessage.candidate_id.is_(None), OutboxMessage.candidate_id.not_in(_held_candidate_ids())),
        ).order_by(OutboxMessage.id))
    if data_class == "audit":
        return (sa.select(AuditEvent.id).where(
            AuditEvent.at <= cutoff,
            sa.not_(sa.and_(AuditEvent.object_type == "candidate", AuditEvent.object_id.in_(_held_candidate_ids()))),
            sa.not_(sa.and_(AuditEvent.object_type == "assignment", AuditEvent.object_id.in_(
                sa.select(Assignment.id).where(Assignment.legal_hold_at.is_not(None))))),
        ).order_by(AuditEvent.id))
    raise RetentionError(f"unknown data class {data_class!r}")


@dataclass(frozen=True)
class Due:
    data_class: str
    months: int | None
    cutoff: datetime | None
    ids: list[int]


def plan(session: Session, config: Mapping, *, now: datetime) -> list[Due]:
    """What a purge at ``now`` would remove, per class (ids only: no personal data)."""
    result = []
    for data_class, months in periods(session, config).items():
        if months is None:
            result.append(Due(data_class, None, None, []))
            continue
        cutoff = months_before(now, months)
        result.append(Due(data_class, months, cutoff, list(session.scalars(_due(data_class, cutoff)))))
    return result


# -- the purge ------------------------------------------------------------------------


def purge_batch(session: Session, data_class: str, *, cutoff: datetime, now: datetime, storage_dir: Path,
                batch_size: int) -> int:
    """Remove up to ``batch_size`` due items of ``data_class``; returns how many (0 when
    none is left). Only flushes: the caller commits each batch."""
    ids = list(session.scalars(_due(data_class, cutoff).limit(batch_size)))
    if not ids:
        return 0
    if data_class == "assessment":
        for candidate in session.scalars(sa.select(Candidate).where(Candidate.id.in_(ids))):
            privacy.erase(session, candidate, storage_dir=storage_dir, user_id=None, now=now, reason="retention")
    elif data_class == "contact":
        for candidate in session.scalars(sa.select(Candidate).where(Candidate.id.in_(ids))):
            privacy.remove_contact(session, candidate, now=now)
    elif data_class == "attachments":
        candidate_ids = session.scalars(sa.select(BackgroundCheck.candidate_id)
                                        .where(BackgroundCheck.id.in_(ids)).distinct()).all()
        privacy.delete_attachment_files(session, list(candidate_ids), storage_dir=storage_dir)
    elif data_class == "outbox":
        session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    elif data_class == "audit":
        audit.purge_events(session, ids)
    session.flush()
    return len(ids)


def purge(session: Session, config: Mapping, *, now: datetime, storage_dir: Path, batch_size: int = 100,
          commit: Callable[[], None], progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Remove everything past its period, class by class in batches, calling ``commit``
    after each batch; then one audit event with the counts (committed too). Returns the
    counts per class."""
    counts: dict[str, int] = {}
    for due in plan_periods(session, config, now=now):
        data_class, cutoff = due
        total = 0
        while True:
            removed = purge_batch(session, data_class, cutoff=cutoff, now=now, storage_dir=storage_dir,
                                  batch_size=batch_size)
            if not removed:
                break
            commit()
            total += removed
            if progress:
                progress(data_class, total)
        counts[data_class] = total
    audit.record(session, user_id=None, action="retention_purge", object_type="retention", detail=counts, now=now)
    commit()
    return counts


def plan_periods(session: Session, config: Mapping, *, now: datetime) -> list[tuple[str, datetime]]:
    """(class, cutoff) for every class with a period, in the order the purge runs them."""
    return [(c, months_before(now, m)) for c, m in periods(session, config).items() if m is not None]
