"""Leak monitoring of the logic items (issue 17): the stored answers through
``item_banks.leaks``, for the Analytics page "Leak monitoring".

Data. The answered, scored (not pretest) responses of finished, not superseded logic
attempts of the bank in the user's scope (``analytics.scope_ids``), in answer-time order:
the newest :data:`LEAK_LIMIT` attempts at most (bounds the work; the page says when older
ones were left out). Each response's expected probability is the leave-one-out posterior
predictive probability (``leaks.expected_correct``) computed from the candidate's other
answers with the parameters of the bank version **the attempt was stamped with**, so that
answers given under different versions are each judged by the parameters that chose and
scored them. Attempts of a version that can no longer be loaded are left out and counted.

Per item: ``leaks.monitor`` (the upper CUSUM with the documented ``k``, ``h`` and
``min_n``) and ``leaks.windows`` for the detail. Items with fewer than ``min_n``
responses are "insufficient data" (never an alarm); operational items of the active version
that nobody in the selection answered are only counted, not listed.

Queries: the attempts, their responses and the retirement versions, one query each, plus
the bank versions, which a worker loads once (``resources.logic_bank_version``): the
number does not grow with the candidates or the items.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import LogicBank, leaks

from ..models import Attempt, Candidate, LogicResponse, TestKind
from .analytics import DataWindow

#: The newest finished logic attempts the monitor reads (bounds memory and time).
LEAK_LIMIT = 10_000
#: Persons per block of the leave-one-out computation (bounds memory: block x items x nodes).
_CHUNK = 2_000
#: Window sizes offered on the detail page.
BLOCK = 100


@dataclass(frozen=True)
class Responses:
    """The monitored responses in answer-time order: ``item_ids`` (n,) object, ``times``
    (n,) datetime64[us] (UTC), ``x`` (n,) 1/0, ``p`` (n,) leave-one-out expected
    probability. ``window``: the attempts used; ``skipped_attempts``: attempts of versions
    that could not be loaded."""

    item_ids: np.ndarray
    times: np.ndarray
    x: np.ndarray
    p: np.ndarray
    window: DataWindow
    skipped_attempts: int


@dataclass(frozen=True)
class ItemLeak:
    """One item's monitor. ``retired_in``: the version that retired it by hand, if any, and
    whether that version is active."""

    item_id: str
    type: str
    monitor: leaks.ItemMonitor
    first_alarm: datetime | None
    in_active: bool
    retired_in: tuple[str, bool] | None = None

    @property
    def status(self) -> str:
        return self.monitor.status

    @property
    def n(self) -> int:
        return self.monitor.n


@dataclass(frozen=True)
class LeakSummary:
    bank_id: str
    window: DataWindow
    skipped_attempts: int
    items: list[ItemLeak]
    never_answered: int
    k: float
    h: float
    min_n: int

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


def _utc64(value: datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(timezone.utc).replace(tzinfo=None), "us")


def _from64(value) -> datetime | None:
    if value is None:
        return None
    return np.datetime64(value, "us").astype(datetime).replace(tzinfo=timezone.utc)


def collect(session: Session, scope: sa.Select, *, bank_id: str, load_bank: Callable[[str], LogicBank | None],
            limit: int = LEAK_LIMIT, item_id: str | None = None) -> Responses:
    """The scored responses in ``scope`` with their expected probabilities.

    ``load_bank(version)``: the bank of a version of ``bank_id`` (None: cannot be loaded).
    ``item_id``: only the attempts that answered this item (the detail page); every answer
    of those attempts is still read, since each response's expectation uses the others.
    """
    base = (sa.select(Attempt.id).join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Attempt.kind == TestKind.LOGIC, Attempt.finished_at.is_not(None), Attempt.superseded_at.is_(None),
                   Attempt.bank_id == bank_id, Candidate.assignment_id.in_(scope)))
    if item_id is not None:
        base = base.where(Attempt.id.in_(sa.select(LogicResponse.attempt_id).where(
            LogicResponse.item_id == item_id, LogicResponse.answered_at.is_not(None),
            sa.not_(LogicResponse.pretest))))
    base = base.order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit + 1)
    attempts = session.execute(sa.select(Attempt.id, Attempt.bank_version, Attempt.finished_at)
                               .where(Attempt.id.in_(base.subquery().select()))
                               .order_by(Attempt.finished_at.desc(), Attempt.id.desc())).all()
    limited = len(attempts) > limit
    attempts = attempts[:limit]
    window = DataWindow(len(attempts), min((a.finished_at for a in attempts), default=None),
                        max((a.finished_at for a in attempts), default=None), limit, limited)
    version_of = {a.id: a.bank_version for a in attempts}
    answers = session.execute(
        sa.select(LogicResponse.attempt_id, LogicResponse.item_id, LogicResponse.correct, LogicResponse.answered_at)
        .where(LogicResponse.attempt_id.in_(base.subquery().select()), LogicResponse.answered_at.is_not(None),
               LogicResponse.correct.is_not(None), sa.not_(LogicResponse.pretest))
        .order_by(LogicResponse.answered_at, LogicResponse.attempt_id, LogicResponse.position)).all()

    # Per version: the attempts (rows) and the items they answered (columns).
    by_version: dict[str, list] = {}
    for r in answers:
        if r.attempt_id in version_of:
            by_version.setdefault(version_of[r.attempt_id], []).append(r)
    ids, times, xs, ps = [], [], [], []
    skipped = 0
    for version, rows in sorted(by_version.items()):
        bank = load_bank(version)
        params = {i.id: i.irt for i in bank.items if i.irt} if bank is not None else {}
        if not params:
            skipped += len({r.attempt_id for r in rows})
            continue
        rows = [r for r in rows if r.item_id in params]
        persons = {a: n for n, a in enumerate(dict.fromkeys(r.attempt_id for r in rows))}
        items = {i: n for n, i in enumerate(dict.fromkeys(r.item_id for r in rows))}
        a = np.array([params[i]["a"] for i in items], float)
        b = np.array([params[i]["b"] for i in items], float)
        c = np.array([params[i]["c"] for i in items], float)
        matrix = np.full((len(persons), len(items)), np.nan)
        for r in rows:
            matrix[persons[r.attempt_id], items[r.item_id]] = 1.0 if r.correct else 0.0
        expected = np.full(matrix.shape, np.nan)
        for lo in range(0, matrix.shape[0], _CHUNK):  # persons are independent: blocks are exact
            expected[lo:lo + _CHUNK] = leaks.expected_correct(matrix[lo:lo + _CHUNK], a, b, c)
        for r in rows:
            ids.append(r.item_id)
            times.append(_utc64(r.answered_at))
            xs.append(1.0 if r.correct else 0.0)
            ps.append(expected[persons[r.attempt_id], items[r.item_id]])
    times_arr = np.array(times, dtype="datetime64[us]")
    order = np.argsort(times_arr, kind="stable")  # versions were gathered apart: back into time order
    return Responses(np.array(ids, dtype=object)[order], times_arr[order], np.array(xs, float)[order],
                     np.array(ps, float)[order], window, skipped)


def _item_leak(data: Responses, item_id: str, index: np.ndarray, types: dict[str, str], active: set[str],
               retired: dict, *, k: float, h: float, min_n: int) -> ItemLeak:
    """The monitor of ``item_id`` over its responses ``index`` (positions in ``data``, in time
    order)."""
    mon = leaks.monitor(data.times[index], data.x[index], data.p[index], k=k, h=h, min_n=min_n)
    return ItemLeak(item_id, types.get(item_id, ""), mon, _from64(mon.alarm_time), item_id in active,
                    retired.get(item_id))


def _by_item(data: Responses) -> dict[str, np.ndarray]:
    """Positions of each item's responses, in time order (one stable sort, not a scan per item)."""
    if not data.item_ids.size:
        return {}
    names, inverse = np.unique(data.item_ids.astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(inverse, minlength=names.size))]
    return {str(name): order[bounds[j]:bounds[j + 1]] for j, name in enumerate(names)}


def _rank(item: ItemLeak) -> tuple:
    """Alarms first (largest CUSUM first), then the rest by CUSUM, then insufficient data by
    number of responses."""
    if item.status == leaks.ALARM:
        return (0, -item.monitor.max_cusum, item.item_id)
    if item.status == leaks.NO_ALARM:
        return (1, -item.monitor.max_cusum, item.item_id)
    return (2, -item.n, item.item_id)


def summarise(data: Responses, *, bank_id: str, active: LogicBank, retired: dict | None = None,
              k: float = leaks.DEFAULT_K, h: float = leaks.DEFAULT_H, min_n: int = leaks.DEFAULT_MIN_N) -> LeakSummary:
    """Every answered item's monitor, alarms first. ``active``: the active version (item
    types, and the operational items never answered, which are counted); ``retired``:
    ``item_id -> (version, active?)`` from ``bank_versions.retired_items``."""
    retired = retired or {}
    types = {i.id: i.type for i in active.items}
    operational = {i.id for i in active.items}
    groups = _by_item(data)
    items = sorted((_item_leak(data, i, index, types, operational, retired, k=k, h=h, min_n=min_n)
                    for i, index in groups.items()), key=_rank)
    return LeakSummary(bank_id, data.window, data.skipped_attempts, items, len(operational - set(groups)),
                       k, h, min_n)


@dataclass(frozen=True)
class ItemDetail:
    item: ItemLeak
    windows: list[leaks.Window]
    by: str
    window: DataWindow


def item_detail(data: Responses, item_id: str, *, active: LogicBank, retired: dict | None = None, by: str = "month",
                k: float = leaks.DEFAULT_K, h: float = leaks.DEFAULT_H,
                min_n: int = leaks.DEFAULT_MIN_N) -> ItemDetail:
    """One item's monitor and its windows (``by``: "month", or "block" of :data:`BLOCK`
    responses)."""
    types = {i.id: i.type for i in active.items}
    index = _by_item(data).get(item_id, np.zeros(0, dtype=int))
    item = _item_leak(data, item_id, index, types, {i.id for i in active.items}, retired or {}, k=k, h=h,
                      min_n=min_n)
    if by == "block":
        rows = leaks.windows(data.times[index], data.x[index], data.p[index], block=BLOCK)
    else:
        rows = leaks.windows(data.times[index], data.x[index], data.p[index], by="month")
    return ItemDetail(item, rows, by, data.window)


def window_label(w: leaks.Window, by: str) -> str:
    """A window as text: the month (YYYY-MM) or the first and last day of a block."""
    if by == "month":
        return str(np.datetime64(w.start, "M"))
    first, last = str(np.datetime64(w.start, "D")), str(np.datetime64(w.end, "D"))
    return first if first == last else f"{first} – {last}"


__all__ = ["BLOCK", "ItemDetail", "ItemLeak", "LEAK_LIMIT", "LeakSummary", "Responses", "collect", "item_detail",
           "summarise", "window_label"]
