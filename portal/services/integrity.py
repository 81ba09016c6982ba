"""Integrity signals of an attempt: information for the consultant, never a decision.

What is recorded (technical manual, section 16):

* **time away from the test page**: ``static/integrity.js`` sends a beacon when the page is
  hidden or the window loses focus (``away``; ``hidden`` once per time away if the page was
  hidden) and when the candidate is back (``back``, with the milliseconds away); ``ready``
  once per attempt and browser tab says the script runs at all, so that "no time away"
  and "no script" can be told apart;
* **reloads**: the same presentation (question, or inventory page) served again to the
  browser that was shown it (a reload, the back button, or a second tab);
* **answers from another browser**: an answer (inventory: a saved page) whose candidate
  session carries another random browser mark than the one that started the attempt;
* **fast and slow answers**: computed when shown, from the answers' stored timestamps
  (``time_pattern``), not stored here.

Counters only, each capped; no fingerprinting (the browser mark is a hash of a random id
kept in the signed candidate session), no content of other pages or windows. The rows are
part of the candidate's data export (a table with an ``attempt_id``) and are deleted, with
the attempts' browser marks, when the candidate is erased (``privacy.erase``).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from item_banks import LogicBank, cat, validity

from ..sql import insert_ignore
from ..models import Attempt, IntegritySignal, InventoryResponse, LogicResponse, TestKind
from .journey import INVENTORY_PAGE_SIZE
from .scoring import _page_times

#: Beacons accepted per attempt; the rest are ignored (a tab left flickering cannot grow
#: the row or the work without bound). A 20-minute test with a beacon pair every minute
#: uses about 40.
MAX_BEACONS = 500
#: Cap of each counter the server raises itself (reloads, answers from another browser).
MAX_COUNT = 10_000
#: One time away counts at most this long (a laptop closed overnight is not 12 hours away
#: from a 20-minute test; the attempt's own times say when it ended).
MAX_AWAY_MS = 4 * 3600 * 1000
#: Other browsers remembered per attempt (their marks; the count goes on beyond).
MAX_DEVICES = 5
#: Beacons for a finished attempt are still taken this long (the "back" of a candidate
#: whose time ran out while away arrives after the finish).
FINISHED_GRACE = timedelta(minutes=5)
EVENTS = ("ready", "away", "hidden", "back")

#: An answer slower than this multiple of the item type's typical time counts as slow
#: (a convention of this product, see the technical manual, 16.3).
SLOW_FACTOR = 3.0
#: Rapid-guess rule of the logic test's scoring (NT10, Wise & Ma 2012), reused here.
FAST_SHARE_OF_TYPICAL, FAST_CAP_MS = 0.10, 10_000.0
#: Response-time effort (Wise & Kong 2005) below this is noted (as the norm gate does).
MIN_EFFORT = 0.90
#: Inventory: a page faster than the validity indicator's threshold per statement is
#: fast; slower than this per statement (10 minutes for a page of 10) is slow.
INVENTORY_FAST_S = validity.TOO_FAST_SECONDS_PER_STATEMENT
INVENTORY_SLOW_S = 60.0


def new_device_id() -> str:
    """A random id for one browser's candidate session (not derived from the browser)."""
    return secrets.token_urlsafe(12)


def device_mark(device_id: str) -> str:
    """What is stored of a browser id: 16 hex digits of its SHA-256."""
    return hashlib.sha256(device_id.encode()).hexdigest()[:16]


_table = IntegritySignal.__table__


def _bump(session: Session, attempt_id: int, now: datetime, *, where=None, **increments) -> bool:
    """Add ``increments`` to the attempt's counters (creating its row on first use); False
    when ``where`` (a cap) holds the update back."""
    stmt = (_table.update().where(_table.c.attempt_id == attempt_id)
            .values(updated_at=now, **{k: _table.c[k] + v for k, v in increments.items()}))
    if where is not None:
        stmt = stmt.where(where)
    if session.execute(stmt).rowcount:
        return True
    # No row yet (or the cap holds): make sure it exists and try once more. (Not decided by
    # insert_ignore's result: its rowcount is not reliable on psycopg.)
    insert_ignore(session, IntegritySignal, dict(attempt_id=attempt_id, updated_at=now), ["attempt_id"])
    return bool(session.execute(stmt).rowcount)


def record_beacon(session: Session, *, candidate_id: int, attempt_id: int, event: str, ms: int | None,
                  now: datetime) -> bool:
    """Record one beacon of ``integrity.js`` for the candidate's own attempt. False (and
    nothing stored) when the attempt was replaced by a reset, is long finished, or has had
    its ``MAX_BEACONS``; ``LookupError`` when it is not the candidate's; ``ValueError``
    for a malformed beacon."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    if event == "back" and (ms is None or ms < 0):
        raise ValueError("a 'back' beacon needs the milliseconds away")
    attempt = session.execute(
        sa.select(Attempt.finished_at, Attempt.superseded_at)
        .where(Attempt.id == attempt_id, Attempt.candidate_id == candidate_id)
    ).one_or_none()
    if attempt is None:
        raise LookupError("not the candidate's attempt")
    if attempt.superseded_at is not None or (
            attempt.finished_at is not None and now > attempt.finished_at + FINISHED_GRACE):
        return False
    increments = {"beacons": 1}
    if event == "away":
        increments["away_count"] = 1
    elif event == "hidden":
        increments["hidden_count"] = 1
    elif event == "back":
        increments["away_seconds"] = round(min(ms, MAX_AWAY_MS) / 1000)
    return _bump(session, attempt_id, now, where=_table.c.beacons < MAX_BEACONS, **increments)


def record_reload(session: Session, attempt_id: int, *, now: datetime) -> None:
    _bump(session, attempt_id, now, where=_table.c.reloads < MAX_COUNT, reloads=1)


def note_answer_device(session: Session, attempt, mark: str | None, *, now: datetime) -> bool:
    """After an accepted answer: count it if it came from another browser than the one
    that started the attempt. No statement at all when it came from the same one (the
    attempt and its mark are loaded already: an :class:`Attempt` or the answer path's
    ``journey.AttemptRow``). True when something was written."""
    if mark is None or attempt.device == mark:
        return False
    if attempt.device is None:  # started before marks were kept (or without a session)
        session.execute(sa.update(Attempt).where(Attempt.id == attempt.id, Attempt.device.is_(None))
                        .values(device=mark).execution_options(synchronize_session=False))
        if isinstance(attempt, Attempt):
            set_committed_value(attempt, "device", mark)
        else:  # the answer path's plain row (``journey.AttemptRow``)
            attempt.device = mark
        return True
    _bump(session, attempt.id, now, where=_table.c.other_device_answers < MAX_COUNT, other_device_answers=1)
    row = session.scalar(sa.select(IntegritySignal).where(IntegritySignal.attempt_id == attempt.id))
    marks = list(row.other_devices or [])
    if mark not in marks and len(marks) < MAX_DEVICES:
        row.other_devices = [*marks, mark]
        session.flush()
    return True


def erase(session: Session, candidate_id: int) -> int:
    """Delete the candidate's signals and the browser marks of their attempts (erasure:
    they describe the person's behaviour and are not needed for norms or calibration)."""
    attempts = sa.select(Attempt.id).where(Attempt.candidate_id == candidate_id)
    deleted = session.execute(sa.delete(IntegritySignal).where(IntegritySignal.attempt_id.in_(attempts))).rowcount
    session.execute(sa.update(Attempt).where(Attempt.candidate_id == candidate_id).values(device=None)
                    .execution_options(synchronize_session=False))
    return deleted


# --- the summary on the results page ---------------------------------------------

@dataclass(frozen=True)
class TimePattern:
    """Fast and slow answers among ``n`` timed answers."""

    n: int
    fast: int
    slow: int
    median_seconds: float | None

    @property
    def fast_share(self) -> float:
        return self.fast / self.n if self.n else 0.0

    @property
    def slow_share(self) -> float:
        return self.slow / self.n if self.n else 0.0

    @property
    def effort(self) -> float | None:
        """Response-time effort (Wise & Kong 2005): the share of answers that were not
        rapid guesses."""
        return 1.0 - self.fast_share if self.n else None

    @property
    def low_effort(self) -> bool:
        return self.effort is not None and self.effort < MIN_EFFORT


def time_pattern(times_s, fast_below_s, slow_above_s) -> TimePattern:
    """Count the answers faster than ``fast_below_s`` and slower than ``slow_above_s``.

    times_s, fast_below_s, slow_above_s: seconds, broadcastable arrays of shape (n,) (a
    threshold may be a scalar); missing times (NaN) are left out of every count.
    """
    times = np.asarray(times_s, dtype=float)
    fast_below = np.broadcast_to(np.asarray(fast_below_s, dtype=float), times.shape)
    slow_above = np.broadcast_to(np.asarray(slow_above_s, dtype=float), times.shape)
    known = ~np.isnan(times)
    times, fast_below, slow_above = times[known], fast_below[known], slow_above[known]
    return TimePattern(n=int(times.size), fast=int(np.sum(times < fast_below)),
                       slow=int(np.sum(times > slow_above)),
                       median_seconds=float(np.median(times)) if times.size else None)


def logic_pattern(times_ms, item_types) -> TimePattern:
    """Logic answers: fast = a rapid guess (NT10: under 10 % of the item type's typical
    time, at most 10 s; Wise & Ma 2012), slow = over ``SLOW_FACTOR`` times the typical time."""
    typical_ms = cat.a_priori_typical_ms(list(item_types)) if len(item_types) else np.zeros(0)
    times = np.array([np.nan if t is None else t for t in times_ms], dtype=float) / 1000
    return time_pattern(times, np.minimum(FAST_SHARE_OF_TYPICAL * typical_ms, FAST_CAP_MS) / 1000,
                        SLOW_FACTOR * typical_ms / 1000)


def inventory_pattern(page_times) -> TimePattern:
    """Inventory pages, as ``(seconds, statements)``: a page is fast under
    ``INVENTORY_FAST_S`` and slow over ``INVENTORY_SLOW_S`` seconds per statement."""
    rates = [seconds / n for seconds, n in page_times if n > 0]
    return time_pattern(rates, INVENTORY_FAST_S, INVENTORY_SLOW_S)


@dataclass(frozen=True)
class AttemptSignals:
    attempt: Attempt
    away_count: int = 0
    away_seconds: int = 0
    hidden_count: int = 0
    reloads: int = 0
    other_device_answers: int = 0
    other_devices: int = 0
    beacons: int = 0
    pattern: TimePattern | None = None

    @property
    def script_reported(self) -> bool:
        """The page script reported from this attempt at least once."""
        return self.beacons > 0

    @property
    def capped(self) -> bool:
        return self.beacons >= MAX_BEACONS

    @property
    def any(self) -> bool:
        p = self.pattern
        return bool(self.away_count or self.reloads or self.other_device_answers
                    or (p and (p.fast or p.slow)))


def summarise(session: Session, attempts: list[Attempt], *, logic_bank_for) -> list[AttemptSignals]:
    """The signals of ``attempts`` (a candidate's current logic and inventory attempts), in
    their order: one query for the counters, one for each attempt's answer times.
    ``logic_bank_for(attempt)``: the bank version the attempt was given from."""
    if not attempts:
        return []
    rows = {r.attempt_id: r for r in session.scalars(
        sa.select(IntegritySignal).where(IntegritySignal.attempt_id.in_([a.id for a in attempts])))}
    summaries = []
    for attempt in attempts:
        if attempt.kind is TestKind.LOGIC:
            answered = session.execute(
                sa.select(LogicResponse.item_id, LogicResponse.response_ms)
                .where(LogicResponse.attempt_id == attempt.id, LogicResponse.answered_at.is_not(None),
                       LogicResponse.pretest.is_(False))
                .order_by(LogicResponse.position)).all()
            bank: LogicBank = logic_bank_for(attempt)
            pattern = logic_pattern([ms for _, ms in answered], [bank.get(item_id).type for item_id, _ in answered])
        else:
            answers = session.execute(
                sa.select(InventoryResponse.statement_id, InventoryResponse.value, InventoryResponse.answered_at)
                .where(InventoryResponse.attempt_id == attempt.id)).all()
            pattern = inventory_pattern(_page_times(attempt, answers, INVENTORY_PAGE_SIZE))
        row = rows.get(attempt.id)
        counts = {} if row is None else dict(
            away_count=row.away_count, away_seconds=row.away_seconds, hidden_count=row.hidden_count,
            reloads=row.reloads, other_device_answers=row.other_device_answers,
            other_devices=len(row.other_devices or ()), beacons=row.beacons)
        summaries.append(AttemptSignals(attempt=attempt, pattern=pattern, **counts))
    return summaries
