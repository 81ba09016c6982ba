"""The candidate's way through the battery.

Stages only move forward, each by a conditional UPDATE on the stage the
request expected, so a double submit or a second tab cannot skip or repeat a
step. Timing is enforced here against the deadline stored when the timed part
started; the browser only displays it.
"""
from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from item_banks import Inventory, LogicBank, LogicItem, adaptive, cat
from norms import NormTable

from ..sql import insert_ignore
from ..models import (
    STAGE_ORDER,
    Attempt,
    Candidate,
    FinishReason,
    InventoryResponse,
    LogicResponse,
    Stage,
    TestKind,
)
from . import scoring, verification, webhooks

#: Statements per inventory page.
INVENTORY_PAGE_SIZE = 10


@dataclass(frozen=True)
class Timing:
    grace_seconds: int = 5


def advance(session: Session, candidate: Candidate, expected: Stage, new: Stage, **values) -> bool:
    """Move ``candidate`` from ``expected`` to ``new``; False if another request already did."""
    assert STAGE_ORDER.index(new) > STAGE_ORDER.index(expected)
    result = session.execute(
        sa.update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.stage == expected)
        .values(stage=new, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(candidate)
    return result.rowcount == 1


def set_language(session: Session, candidate: Candidate, language: str) -> None:
    if language not in ("sv", "en"):
        raise ValueError("unsupported language")
    candidate.chosen_language = language
    session.flush()


#: The privacy notice on the welcome page; raise it whenever the notice's text changes, so
#: that each candidate's record says which notice they accepted. The notice shown adds a
#: fingerprint of the retention periods in force (``retention.notice_version``).
PRIVACY_NOTICE_VERSION = "2026-12-06.2"  # .2: the integrity signals (issue 17)


def accept_welcome(session: Session, candidate: Candidate, *, language: str, now: datetime,
                   notice_version: str = PRIVACY_NOTICE_VERSION) -> None:
    set_language(session, candidate, language)
    advance(session, candidate, Stage.WELCOME, Stage.INSTRUCTIONS, privacy_accepted_at=now,
            privacy_notice_version=notice_version)


def begin_practice(session: Session, candidate: Candidate) -> None:
    advance(session, candidate, Stage.INSTRUCTIONS, Stage.PRACTICE)


@dataclass(frozen=True)
class PracticeFeedback:
    item: LogicItem
    chosen: int
    correct: bool


def answer_practice(
    session: Session, candidate: Candidate, bank: LogicBank, *, position: int, chosen: int
) -> PracticeFeedback | None:
    """Record a practice answer; None if ``position`` is not the current item (stale form)."""
    if candidate.stage is not Stage.PRACTICE or position != candidate.practice_position:
        return None
    if position >= len(bank.practice):
        return None
    item = bank.practice[position]
    if not 0 <= chosen < len(item.options):
        raise ValueError("option out of range")
    session.execute(
        sa.update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.practice_position == position)
        .values(practice_position=position + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(candidate)
    return PracticeFeedback(item=item, chosen=chosen, correct=item.is_correct(chosen))


def logic_time_limit(candidate: Candidate) -> timedelta:
    minutes = candidate.assignment.logic_time_limit_minutes
    return timedelta(minutes=minutes) * (1 + candidate.extra_time_pct / 100)


# Statements of the answer path (two requests per answer), built once so that their cache
# keys are computed once rather than on every request.
_CURRENT_ATTEMPT = (
    sa.select(Attempt)
    .where(Attempt.candidate_id == sa.bindparam("candidate_id"), Attempt.kind == sa.bindparam("kind"))
    .order_by(Attempt.number.desc())
    .limit(1)
)
_CURRENT_ATTEMPT_PRESENTED = _CURRENT_ATTEMPT.options(joinedload(Attempt.presented))
_RESPONSE = sa.select(LogicResponse).where(LogicResponse.id == sa.bindparam("id"))
_PENDING = (
    sa.select(LogicResponse)
    .where(LogicResponse.attempt_id == sa.bindparam("attempt_id"), LogicResponse.answered_at.is_(None))
    .limit(1)
)
_response_table = LogicResponse.__table__
_ANSWER = (
    _response_table.update()
    .where(_response_table.c.id == sa.bindparam("response_id"), _response_table.c.answered_at.is_(None))
    .values(answered_at=sa.bindparam("answered_at"), chosen_index=sa.bindparam("chosen_index"),
            correct=sa.bindparam("correct"), response_ms=sa.bindparam("response_ms"))
)
_attempt_table = Attempt.__table__
_STORE_STATE = (
    _attempt_table.update()
    .where(_attempt_table.c.id == sa.bindparam("attempt_id"),
           sa.or_(_attempt_table.c.cat_answers.is_(None), _attempt_table.c.cat_answers < sa.bindparam("n")))
    .values(cat_state=sa.bindparam("cat_state"), cat_answers=sa.bindparam("n"))
)


def current_attempt(session: Session, candidate: Candidate, kind: TestKind, *,
                    presented: bool = False) -> Attempt | None:
    """The candidate's latest attempt of ``kind``; ``presented``: with the logic item on
    screen (``Attempt.presented``) in the same query, for the item page and its answer."""
    query = _CURRENT_ATTEMPT_PRESENTED if presented else _CURRENT_ATTEMPT
    return session.scalar(query, {"candidate_id": candidate.id, "kind": kind})


def _new_seed() -> int:
    return secrets.randbits(62)


def start_logic(
    session: Session, candidate: Candidate, bank: LogicBank, *, now: datetime, seed: int | None = None,
    pretest_items: int = 0, device: str | None = None,
) -> Attempt:
    """Start the timed, adaptive part (once): the deadline is fixed here.

    The attempt stores its seed and the bank version it is given from; the items are
    chosen one at a time by the CAT (``present_logic_item``) and recorded as
    ``LogicResponse`` rows, so ``item_ids`` stays empty for adaptive attempts. Up to
    ``pretest_items`` of the bank's pretest items are planned in (``adaptive.pretest_plan``,
    stored on the attempt): given unscored between operational items. ``device``: the
    starting browser's mark (``integrity.device_mark``).
    """
    if candidate.stage is Stage.PRACTICE:
        advance(session, candidate, Stage.PRACTICE, Stage.LOGIC)
    existing = current_attempt(session, candidate, TestKind.LOGIC)
    if existing is not None and existing.superseded_at is None:
        return existing
    seed = _new_seed() if seed is None else seed
    limit = logic_time_limit(candidate)
    insert_ignore(
        session,
        Attempt,
        dict(
            candidate_id=candidate.id,
            kind=TestKind.LOGIC,
            # After a technical reset the old attempt is kept and a new number starts.
            number=1 if existing is None else existing.number + 1,
            reset_reason=None if existing is None else existing.reset_reason,
            bank_id=bank.bank_id,
            bank_version=bank.version,
            seed=seed,
            item_ids=[],
            started_at=now,
            deadline=now + limit,
            time_limit_seconds=int(limit.total_seconds()),
            pretest_plan=adaptive.pretest_plan([i.id for i in bank.pretest], seed, pretest_items) or None,
            device=device,
        ),
        ["candidate_id", "kind", "number"],
    )
    attempt = current_attempt(session, candidate, TestKind.LOGIC)
    # This call's seed in the row: this request started it, not a concurrent double
    # submit (insert_ignore's rowcount is not reliable on psycopg). A reset's new
    # attempt is not a new start.
    if existing is None and attempt is not None and attempt.seed == seed:
        webhooks.candidate_started(session, candidate, now=now)
    return attempt


class AnswerOutcome(enum.Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the same answer arrived twice: nothing changes
    CONFLICT = "conflict"  # answered differently elsewhere: the first answer is kept
    TOO_LATE = "too_late"  # after deadline + grace: refused, attempt finished
    STALE = "stale"  # the form was for an item no longer current
    FINISHED = "finished"  # the attempt had already ended


@dataclass(frozen=True)
class Presentation:
    response: LogicResponse
    item: LogicItem
    position: int
    #: Most items the adaptive test can give (it may stop earlier).
    max_items: int
    remaining_seconds: int


def expire_if_due(
    session: Session, attempt: Attempt, *, now: datetime, bank: LogicBank, norms: NormTable,
    timing: Timing = Timing(),
) -> bool:
    """Finish a timed attempt left open past its deadline + grace. True if it is over."""
    if attempt.finished_at is not None:
        return True
    if past_grace(attempt.deadline, now, timing):
        _finish_logic_of(session, attempt, FinishReason.TIMEOUT, now=now, bank=bank, norms=norms)
        return True
    return False


def past_grace(deadline: datetime | None, now: datetime, timing: Timing = Timing()) -> bool:
    """Whether a timed attempt's deadline + grace has passed: no answer is taken after it."""
    return deadline is not None and now > deadline + timedelta(seconds=timing.grace_seconds)


# An answer does constant work whatever its position: it continues the CAT from the state
# stored on the attempt with the previous answer (one ``cat.update``), stores the new state
# and the next item's presentation, all in the answer's transaction. Showing the item only
# reads that presentation. An attempt answered before the state was stored (migration 0011)
# is replayed from its answers once, on its next answer, and goes on from the stored state.
#
# Pretest items (``Attempt.pretest_plan``) take their planned positions in the sequence of
# presentations but not in the CAT: the state holds the operational answers only, so
# ``n_op`` (operational answers before a position) is the plan's arithmetic, not a query.
# A pretest answer leaves the state as it was; it runs the same statements as any other
# answer (the state's conditional update matches no row), so the answer path does the same
# work and a candidate cannot tell the items apart by it.


def _entity(obj) -> bool:
    """Whether ``obj`` is an ORM entity rather than a plain row (:class:`AttemptRow`, :class:`ResponseRow`)."""
    return hasattr(obj, "_sa_instance_state")


def _pending(session: Session, attempt: Attempt, *, loaded: bool = True) -> LogicResponse | None:
    """The presented, unanswered item of the attempt (at most one: the next is stored only
    when this one is answered); ``loaded``: as loaded with the attempt, if it was."""
    if loaded and (not _entity(attempt) or "presented" not in sa.inspect(attempt).unloaded):
        return attempt.presented
    return session.scalar(_PENDING, {"attempt_id": attempt.id})


def _state_before(session: Session, attempt: Attempt, ab: adaptive.AdaptiveBank, n_op: int):
    """The CAT state after the first ``n_op`` operational answers: the stored state when
    it holds exactly those, else a replay of the stored answers."""
    if n_op == 0:
        return adaptive.start_state(ab, attempt.seed)
    doc = attempt.cat_state
    if doc is not None and attempt.cat_answers == n_op and len(doc.get("items", ())) == n_op:
        try:
            return adaptive.restore_state(ab, attempt.seed, doc)
        except ValueError:
            pass  # an unreadable record: the answers themselves are the truth
    answered = session.scalars(
        sa.select(LogicResponse)
        .where(LogicResponse.attempt_id == attempt.id, LogicResponse.pretest.is_(False),
               LogicResponse.answered_at.is_not(None))
        .order_by(LogicResponse.position)
        .limit(n_op)
    ).all()
    return scoring.cat_state(attempt, ab, answered)


def _store_state(session: Session, attempt: Attempt, ab: adaptive.AdaptiveBank, state) -> None:
    """Store ``state`` on the attempt; never replaces a state of more answers."""
    doc = adaptive.stored_state(ab, state)
    n = state.n_items
    stored = session.execute(_STORE_STATE, {"attempt_id": attempt.id, "n": n, "cat_state": doc}).rowcount
    if stored and _entity(attempt):
        set_committed_value(attempt, "cat_state", doc)
        set_committed_value(attempt, "cat_answers", n)


def _present_next(session: Session, attempt: Attempt, ab: adaptive.AdaptiveBank, state, position: int, *,
                  now: datetime) -> bool:
    """Store the presentation at ``position``: the planned pretest item if one is due there,
    else the CAT's next item after ``state``; False when a stopping rule is met. Selection
    and option order come from the attempt's seed and the position, so whoever stores it,
    it is the same item in the same order."""
    pretest_id = adaptive.plan_positions(attempt.pretest_plan).get(position)
    if pretest_id is not None:
        item = ab.bank.get(pretest_id)
    else:
        index = adaptive.next_item(ab, state, attempt.seed)
        if index is None:
            return False
        item = ab.bank.get(ab.item_ids[index])
    order = [int(i) for i in np.random.default_rng([attempt.seed, position]).permutation(len(item.options))]
    insert_ignore(
        session,
        LogicResponse,
        dict(
            attempt_id=attempt.id,
            item_id=item.id,
            position=position,
            option_ids=[secrets.token_urlsafe(9) for _ in order],
            option_order=order,
            presented_at=now,
            pretest=pretest_id is not None,
        ),
        None,
    )
    if _entity(attempt):
        session.expire(attempt, ["presented"])  # loaded before, it would still show the last item
    return True


def present_logic_item(
    session: Session, attempt: Attempt, bank: LogicBank, *, now: datetime,
    ab: adaptive.AdaptiveBank | None = None,
) -> Presentation | None:
    """The item on screen; None when a stopping rule is met.

    Normally the stored presentation (the answer before stored it): read, not computed.
    Where none is stored yet (the first item, or an attempt answered before migration
    0011), the CAT selects the next item now and stores it. Selection and option order
    come from the attempt's stored seed, so a reload, a second tab or a replay shows the
    same item in the same order; the option ids are random and say nothing about the key.
    ``ab``: the test to run (a verification test, ``services.verification.engine``); by
    default the logic test on ``bank``.
    """
    if attempt.finished_at is not None:
        return None
    ab = ab or adaptive.adaptive_bank(bank)
    pending = _pending(session, attempt)
    if pending is None:
        answered = session.scalar(
            sa.select(sa.func.count()).select_from(LogicResponse)
            .where(LogicResponse.attempt_id == attempt.id, LogicResponse.answered_at.is_not(None))
        )
        n_op = adaptive.operational_before(attempt.pretest_plan, answered)
        state = _state_before(session, attempt, ab, n_op)
        if n_op and attempt.cat_answers != n_op:
            _store_state(session, attempt, ab, state)
        if not _present_next(session, attempt, ab, state, answered, now=now):
            return None
        pending = _pending(session, attempt, loaded=False)
    return presentation(pending, bank, deadline=attempt.deadline, pretest_plan=attempt.pretest_plan, now=now,
                        ab=ab)


def presentation(response, bank: LogicBank, *, deadline: datetime | None, pretest_plan, now: datetime,
                 ab: adaptive.AdaptiveBank | None = None) -> Presentation:
    """The stored presentation ``response`` (a ``LogicResponse``, or a row with its ``id``,
    ``item_id``, ``position``, ``option_ids`` and ``option_order``) as the item page shows it;
    ``ab``: the test it belongs to (by default the logic test; a verification test's is shorter)."""
    remaining = max(0, int((deadline - now).total_seconds())) if deadline else 0
    ab = ab or adaptive.adaptive_bank(bank)
    # Pretest items count like any other in the progress a candidate sees.
    return Presentation(response, bank.get(response.item_id), response.position,
                        ab.settings.max_items + len(pretest_plan or ()), remaining)


def answer_logic_item(
    session: Session,
    attempt: Attempt,
    *,
    response_id: int,
    option_id: str,
    now: datetime,
    bank: LogicBank,
    norms: NormTable,
    timing: Timing = Timing(),
    ab: adaptive.AdaptiveBank | None = None,
) -> AnswerOutcome:
    """Store an answer and go on: the CAT continues from the stored state, and the next
    item's presentation is stored (or the attempt finished when a stopping rule is met).

    The answer is written only if the question is still unanswered (a conditional
    update), so a double submit or a second tab never writes twice or overwrites.
    ``ab``: as for ``present_logic_item``."""
    if attempt.finished_at is not None:
        return AnswerOutcome.FINISHED
    if expire_if_due(session, attempt, now=now, bank=bank, norms=norms, timing=timing):
        return AnswerOutcome.TOO_LATE
    response = _pending(session, attempt)
    if response is None or response.id != response_id:  # not the item on screen: look it up
        response = session.scalar(_RESPONSE, {"id": response_id})
    if response is None or response.attempt_id != attempt.id:
        return AnswerOutcome.STALE
    if option_id not in response.option_ids:
        return AnswerOutcome.STALE
    chosen = response.option_order[response.option_ids.index(option_id)]
    item = bank.get(response.item_id)
    correct = item.is_correct(chosen)
    answer = dict(answered_at=now, chosen_index=chosen, correct=correct,
                  response_ms=max(0, int((now - response.presented_at).total_seconds() * 1000)))
    updated = session.execute(_ANSWER, {"response_id": response.id, **answer}).rowcount
    if not updated:
        if _entity(response):
            session.refresh(response)
            first = response.chosen_index
        else:
            first = session.scalar(sa.select(LogicResponse.chosen_index).where(LogicResponse.id == response.id))
        return AnswerOutcome.DUPLICATE if first == chosen else AnswerOutcome.CONFLICT
    if _entity(attempt):
        for key, value in answer.items():  # the row as written, without reading it back
            set_committed_value(response, key, value)
        session.expire(attempt, ["presented"])
    ab = ab or adaptive.adaptive_bank(bank)
    state = _state_before(session, attempt, ab, adaptive.operational_before(attempt.pretest_plan, response.position))
    if not response.pretest:  # a pretest answer never reaches the estimate or the stopping rule
        state = cat.update(state, ab.position_of(response.item_id), int(correct))
    _store_state(session, attempt, ab, state)
    if not _present_next(session, attempt, ab, state, response.position + 1, now=now):
        _finish_logic_of(session, attempt, FinishReason.COMPLETED, now=now, bank=bank, norms=norms)
    return AnswerOutcome.ACCEPTED


@dataclass(slots=True)
class AttemptRow:
    """The columns of a logic attempt that an answer reads, from a Core row: the answer
    POST's common case (``candidate.views``) loads no ORM entity. :func:`answer_logic_item`
    takes it in place of an :class:`Attempt` and loads the entity only to finish (and then
    sets ``finished_at`` here, so that the view knows the test is over)."""
    id: int
    seed: int
    deadline: datetime | None
    finished_at: datetime | None
    pretest_plan: list | None
    cat_state: dict | None
    cat_answers: int | None
    presented: "ResponseRow | None"
    #: The browser mark of the one that started the attempt (integrity signals).
    device: str | None = None


@dataclass(slots=True)
class ResponseRow:
    """The presented item's columns that an answer reads (see :class:`AttemptRow`)."""
    id: int
    attempt_id: int
    item_id: str
    position: int
    option_ids: list[str]
    option_order: list[int]
    presented_at: datetime
    pretest: bool


def _finish_logic_of(session: Session, attempt, reason: FinishReason, **kwargs) -> None:
    """:func:`finish_logic` for an :class:`Attempt` or an :class:`AttemptRow` (whose
    ``finished_at`` then says it is over)."""
    if _entity(attempt):
        finish_logic(session, attempt, reason, **kwargs)
        return
    entity = session.get(Attempt, attempt.id)
    finish_logic(session, entity, reason, **kwargs)
    attempt.finished_at = entity.finished_at


def _finish(session: Session, attempt: Attempt, reason: FinishReason, now: datetime) -> bool:
    """Mark the attempt finished exactly once; True for the caller that did it."""
    won = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.finished_at.is_(None))
        .values(finished_at=now, finish_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.refresh(attempt)
    return won


def finish_logic(
    session: Session, attempt: Attempt, reason: FinishReason, *, now: datetime,
    bank: LogicBank, norms: NormTable,
) -> bool:
    won = _finish(session, attempt, reason, now)
    if won:
        if attempt.kind is TestKind.VERIFICATION:  # its own engine and a verdict
            verification.score_attempt(session, attempt, bank, norms, now=now)
        else:
            scoring.score_logic_attempt(session, attempt, bank, norms)
    candidate = attempt.candidate
    if candidate.stage is Stage.LOGIC and attempt.kind is TestKind.LOGIC:
        advance(session, candidate, Stage.LOGIC, Stage.INVENTORY)
    return won


# --- personality inventory -------------------------------------------------

def start_inventory(
    session: Session, candidate: Candidate, inventory: Inventory, *, now: datetime,
    seed: int | None = None, device: str | None = None,
) -> Attempt:
    existing = current_attempt(session, candidate, TestKind.INVENTORY)
    if existing is not None:
        return existing
    seed = _new_seed() if seed is None else seed
    ids = [s.id for s in inventory.statements]
    order = [ids[i] for i in np.random.default_rng(seed).permutation(len(ids))]
    insert_ignore(
        session,
        Attempt,
        dict(
            candidate_id=candidate.id,
            kind=TestKind.INVENTORY,
            number=1,
            bank_id=inventory.inventory_id,
            bank_version=inventory.version,
            seed=seed,
            item_ids=order,
            started_at=now,
            device=device,
        ),
        ["candidate_id", "kind", "number"],
    )
    attempt = current_attempt(session, candidate, TestKind.INVENTORY)
    if attempt is not None and attempt.seed == seed and current_attempt(session, candidate, TestKind.LOGIC) is None:
        webhooks.candidate_started(session, candidate, now=now)  # a battery without the logic test
    return attempt


@dataclass(frozen=True)
class InventoryPage:
    number: int  # 0-based
    count: int
    statement_ids: list[str]
    answered_before: int
    total: int


def inventory_answers(session: Session, attempt: Attempt) -> dict[str, int]:
    rows = session.execute(
        sa.select(InventoryResponse.statement_id, InventoryResponse.value).where(
            InventoryResponse.attempt_id == attempt.id
        )
    )
    return {sid: value for sid, value in rows}


def current_inventory_page(session: Session, attempt: Attempt) -> InventoryPage | None:
    answered = inventory_answers(session, attempt)
    ids = attempt.item_ids
    count = -(-len(ids) // INVENTORY_PAGE_SIZE)
    for number in range(count):
        page_ids = ids[number * INVENTORY_PAGE_SIZE:(number + 1) * INVENTORY_PAGE_SIZE]
        if any(sid not in answered for sid in page_ids):
            return InventoryPage(number, count, page_ids, len(answered), len(ids))
    return None


class PageError(ValueError):
    def __init__(self, missing: list[str]):
        super().__init__("unanswered statements")
        self.missing = missing


def save_inventory_page(
    session: Session,
    attempt: Attempt,
    *,
    page_number: int,
    values: dict[str, int | None],
    inventory: Inventory,
    norms: NormTable,
    now: datetime,
) -> bool:
    """Save one page. Returns False when the page was not the current one
    (saved already from another tab); raises PageError listing what is missing."""
    if attempt.finished_at is not None:
        return False
    page = current_inventory_page(session, attempt)
    if page is None or page.number != page_number:
        return False
    missing = [sid for sid in page.statement_ids if values.get(sid) not in (1, 2, 3, 4, 5)]
    if missing:
        raise PageError(missing)
    for sid in page.statement_ids:
        # A second tab's save of the same page leaves the first answers in place.
        insert_ignore(
            session,
            InventoryResponse,
            dict(attempt_id=attempt.id, statement_id=sid, value=values[sid], answered_at=now),
            ["attempt_id", "statement_id"],
        )
    if current_inventory_page(session, attempt) is None:
        if _finish(session, attempt, FinishReason.COMPLETED, now):
            scoring.score_inventory_attempt(session, attempt, inventory, norms)
        candidate = attempt.candidate
        if advance(session, candidate, Stage.INVENTORY, Stage.DONE, completed_at=now):
            webhooks.candidate_completed(session, candidate, now=now)
    return True


def record_experience(session: Session, candidate: Candidate, rating: int) -> None:
    if rating not in (1, 2, 3, 4, 5):
        raise ValueError("rating must be 1-5")
    if candidate.stage is Stage.DONE:
        candidate.experience_rating = rating
        session.flush()


def close_expired(
    session: Session, *, now: datetime, bank_for, norms_for, timing: Timing = Timing(),
    assignment_id: int | None = None,
) -> int:
    """Finish every timed attempt left open past its deadline (for cron), or
    only those of one assignment."""
    cutoff = now - timedelta(seconds=timing.grace_seconds)
    query = sa.select(Attempt).where(Attempt.finished_at.is_(None), Attempt.deadline < cutoff)
    if assignment_id is not None:
        query = query.join(Candidate).where(Candidate.assignment_id == assignment_id)
    attempts = session.scalars(query).all()
    closed = 0
    for attempt in attempts:
        norms = norms_for(attempt.candidate.assignment.norm_group)
        if finish_logic(session, attempt, FinishReason.TIMEOUT, now=now,
                        bank=bank_for(attempt), norms=norms):
            closed += 1
    return closed
