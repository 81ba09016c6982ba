"""The supervised verification test of a logic result (issue 17).

A consultant orders it for a candidate whose unsupervised logic attempt is finished and
scored; one order may be open per candidate. The consultant reveals a one-time code on
the spot (the consultant's results page), the candidate enters it at ``/verify`` on a
supervised machine, confirms their name, and takes a short adaptive test: an ``Attempt``
of kind ``verification`` answered through the logic test's own machinery
(``journey.present_logic_item``/``answer_logic_item``: stored CAT state, one answer per
item, deadline + grace, the same item on reload, the key never in the browser), with the
verification settings (``item_banks.verification``): 12 items, from items and families the
candidate has not seen, selection starting at the unsupervised estimate, on the bank
version the unsupervised attempt was given from. When it ends, the verdict (a one-sided
reliable-change test on the two WLE estimates) is stored on the order with the versions.

The code: a public reference of ``REF_LENGTH`` characters that finds the order, then a
secret of ``SECRET_LENGTH`` characters (``ALPHABET``: no 0/O, 1/I/L; 31^8, about 40 bits),
shown as ``AB-CDEF-GHJK``. Only an HMAC of the secret, bound to the order, is stored, and it
is compared in constant time. It expires ``CODE_MINUTES`` after it is shown, is used once,
and is void after ``MAX_TRIES`` wrong secrets for its reference (the consultant can show a
new one, which voids the previous). Addresses are rate limited by the view.

Time limit (``time_limit``): the main test's time per item at its maximum length
(``logic_time_limit_minutes / APP_SETTINGS.max_items``) times ``VERIFICATION_LENGTH``,
rounded up to whole minutes, then the candidate's extra-time accommodation.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections import OrderedDict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import LogicBank, adaptive, verification
from norms import NormTable

from ..models import (
    Attempt,
    Candidate,
    LogicResponse,
    Result,
    TestKind,
    VerificationOrder,
    VerificationStatus,
)
from . import audit, scoring
from .scoring import LOGIC_SCALE

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REF_LENGTH = 2
SECRET_LENGTH = 8
CODE_MINUTES = 30
MAX_TRIES = 5
#: z of the one-sided test at alpha 0.05 plus z of 80 % power: the difference detected
#: 8 times in 10 is ``POWER_FACTOR x SE_d`` (docs/technical-manual.md, section 14).
POWER_FACTOR = 1.645 + 0.842


class VerificationError(ValueError):
    """An order or a code refused; ``code`` names why (the views word it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ----------------------------------------------------------------------------- orders


def unsupervised_result(session: Session, candidate: Candidate) -> tuple[Attempt, Result] | None:
    """The candidate's current logic attempt and its result, if finished and scored."""
    attempt = session.scalar(
        sa.select(Attempt).where(Attempt.candidate_id == candidate.id, Attempt.kind == TestKind.LOGIC)
        .order_by(Attempt.number.desc()).limit(1))
    if attempt is None or attempt.finished_at is None or attempt.superseded_at is not None:
        return None
    result = session.scalar(sa.select(Result).where(Result.attempt_id == attempt.id, Result.scale == LOGIC_SCALE))
    if result is None or result.theta is None or not result.se:
        return None
    return attempt, result


def seen_item_ids(session: Session, candidate: Candidate, bank: LogicBank) -> list[str]:
    """Every item the candidate was shown: practice items, and every presented item of
    every logic or verification attempt (operational and pretest), in first-seen order."""
    shown = session.scalars(
        sa.select(LogicResponse.item_id).join(Attempt, Attempt.id == LogicResponse.attempt_id)
        .where(Attempt.candidate_id == candidate.id).order_by(LogicResponse.attempt_id, LogicResponse.position))
    return list(dict.fromkeys([i.id for i in bank.practice] + list(shown)))


def orders_of(session: Session, candidate: Candidate) -> list[VerificationOrder]:
    return list(session.scalars(sa.select(VerificationOrder).where(VerificationOrder.candidate_id == candidate.id)
                                .order_by(VerificationOrder.id)))


def open_order(session: Session, candidate: Candidate) -> VerificationOrder | None:
    return session.scalar(sa.select(VerificationOrder).where(
        VerificationOrder.candidate_id == candidate.id, VerificationOrder.status == VerificationStatus.OPEN))


def latest_finished(session: Session, candidate: Candidate) -> VerificationOrder | None:
    return session.scalar(sa.select(VerificationOrder).where(
        VerificationOrder.candidate_id == candidate.id, VerificationOrder.status == VerificationStatus.FINISHED)
        .order_by(VerificationOrder.finished_at.desc(), VerificationOrder.id.desc()).limit(1))


def order_for(session: Session, candidate: Candidate, order_id: int) -> VerificationOrder | None:
    """The order ``order_id`` of ``candidate`` (None for another candidate's)."""
    return session.scalar(sa.select(VerificationOrder).where(
        VerificationOrder.id == order_id, VerificationOrder.candidate_id == candidate.id))


def place_order(session: Session, candidate: Candidate, bank: LogicBank, *, user_id: int | None,
                now: datetime) -> VerificationOrder:
    """Order a verification test. ``bank``: the version the unsupervised attempt was given
    from (``resources.logic_bank_for``). Refused (``VerificationError``) with ``no_result``,
    ``open_order``, ``erased`` or ``too_few_items``."""
    if candidate.erased_at is not None:
        raise VerificationError("erased")
    found = unsupervised_result(session, candidate)
    if found is None:
        raise VerificationError("no_result")
    attempt, result = found
    if bank.bank_id != attempt.bank_id or bank.version != attempt.bank_version:
        raise ValueError("the bank given is not the version the unsupervised attempt was given from")
    if open_order(session, candidate) is not None:
        raise VerificationError("open_order")
    seen = seen_item_ids(session, candidate, bank)
    try:
        verification.verification_test(bank, seen, start_theta=result.theta)
    except ValueError:
        raise VerificationError("too_few_items") from None
    order = VerificationOrder(
        candidate_id=candidate.id, logic_attempt_id=attempt.id, ordered_by_id=user_id, ordered_at=now,
        status=VerificationStatus.OPEN, theta_unsupervised=float(result.theta), se_unsupervised=float(result.se),
        seen_item_ids=seen, code_failed_tries=0)
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
    except sa.exc.IntegrityError:  # a concurrent order won the one open place
        raise VerificationError("open_order") from None
    audit.record(session, user_id=user_id, action="create", object_type="verification_order",
                 object_id=order.id, detail={"candidate_id": candidate.id}, now=now)
    return order


def cancel(session: Session, order: VerificationOrder, *, user_id: int | None, now: datetime) -> bool:
    """Cancel an open order (its code and any session stop working); False if it was not open.
    A verification attempt under way is closed unscored."""
    done = session.execute(
        sa.update(VerificationOrder)
        .where(VerificationOrder.id == order.id, VerificationOrder.status == VerificationStatus.OPEN)
        .values(status=VerificationStatus.CANCELLED, cancelled_at=now, cancelled_by_id=user_id,
                code_hash=None, session_nonce=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(order)
    if done:
        if order.attempt_id is not None:
            session.execute(sa.update(Attempt).where(Attempt.id == order.attempt_id, Attempt.finished_at.is_(None))
                            .values(finished_at=now, stop_reason="cancelled")
                            .execution_options(synchronize_session=False))
        audit.record(session, user_id=user_id, action="cancel", object_type="verification_order",
                     object_id=order.id, now=now)
    return done


# ----------------------------------------------------------------------------- the code


def _digest(secret_key: str, order_id: int, secret: str) -> str:
    return hmac.new(secret_key.encode(), f"verification-code:{order_id}:{secret}".encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    """``ABCDEFGHJK`` -> ``AB-CDEF-GHJK`` (reference, then the secret in fours)."""
    ref, secret = code[:REF_LENGTH], code[REF_LENGTH:]
    return "-".join([ref] + [secret[i:i + 4] for i in range(0, len(secret), 4)])


def normalise_code(text: str) -> str:
    """What the candidate typed, without spaces and dashes, in capitals."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def reveal_code(session: Session, order: VerificationOrder, *, secret_key: str, user_id: int | None,
                now: datetime, minutes: int = CODE_MINUTES) -> str:
    """A new one-time code for an open order, formatted for reading; any previous code of
    the order stops working. Audit-logged (without the code)."""
    if order.status is not VerificationStatus.OPEN:
        raise VerificationError("not_open")
    live = set(session.scalars(sa.select(VerificationOrder.code_ref).where(
        VerificationOrder.status == VerificationStatus.OPEN, VerificationOrder.code_hash.is_not(None),
        VerificationOrder.code_expires_at > now, VerificationOrder.id != order.id)))
    ref = None
    for _ in range(100):  # live codes are few; a free reference is found at once
        candidate_ref = "".join(secrets.choice(ALPHABET) for _ in range(REF_LENGTH))
        if candidate_ref not in live:
            ref = candidate_ref
            break
    if ref is None:
        raise VerificationError("busy")
    secret = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    order.code_ref = ref
    order.code_hash = _digest(secret_key, order.id, secret)
    order.code_shown_at = now
    order.code_expires_at = now + timedelta(minutes=minutes)
    order.code_used_at = None
    order.code_failed_tries = 0
    session.flush()
    audit.record(session, user_id=user_id, action="show_code", object_type="verification_order",
                 object_id=order.id, detail={"expires_minutes": minutes}, now=now)
    return format_code(ref + secret)


def redeem(session: Session, text: str, *, secret_key: str, now: datetime) -> tuple[VerificationOrder, str]:
    """The order a code opens, and the session nonce that binds the browser to it.

    Refused (``VerificationError``): ``malformed``, ``wrong`` (no live code matches; a
    wrong secret for a live reference counts against it), ``locked`` (``MAX_TRIES`` wrong
    secrets), ``expired``, ``used``."""
    code = normalise_code(text)
    if len(code) != REF_LENGTH + SECRET_LENGTH or any(ch not in ALPHABET for ch in code):
        raise VerificationError("malformed")
    ref, secret = code[:REF_LENGTH], code[REF_LENGTH:]
    orders = list(session.scalars(sa.select(VerificationOrder).where(
        VerificationOrder.code_ref == ref, VerificationOrder.status == VerificationStatus.OPEN,
        VerificationOrder.code_hash.is_not(None)).order_by(VerificationOrder.id)))
    for order in orders:
        if hmac.compare_digest(order.code_hash, _digest(secret_key, order.id, secret)):
            if order.code_failed_tries >= MAX_TRIES:
                raise VerificationError("locked")
            if order.code_used_at is not None:
                raise VerificationError("used")
            if order.code_expires_at is None or now > order.code_expires_at:
                raise VerificationError("expired")
            nonce = secrets.token_hex(16)
            # Used once: the conditional update lets one of two simultaneous redemptions win.
            won = session.execute(
                sa.update(VerificationOrder)
                .where(VerificationOrder.id == order.id, VerificationOrder.code_used_at.is_(None),
                       VerificationOrder.status == VerificationStatus.OPEN)
                .values(code_used_at=now, session_nonce=nonce)
                .execution_options(synchronize_session=False)).rowcount == 1
            session.refresh(order)
            if not won:
                raise VerificationError("used")
            audit.record(session, user_id=None, action="redeem_code", object_type="verification_order",
                         object_id=order.id, now=now)
            return order, nonce
    live = [o for o in orders if o.code_expires_at is not None and now <= o.code_expires_at]
    for order in live:
        session.execute(sa.update(VerificationOrder).where(VerificationOrder.id == order.id)
                        .values(code_failed_tries=VerificationOrder.code_failed_tries + 1)
                        .execution_options(synchronize_session=False))
        session.refresh(order)
    if any(o.code_failed_tries >= MAX_TRIES for o in live):
        raise VerificationError("locked")
    raise VerificationError("wrong")


def order_for_session(session: Session, order_id, nonce) -> VerificationOrder | None:
    """The open or finished order a browser session redeemed (None if the session is not
    the order's current one, or the order was cancelled)."""
    if not isinstance(order_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    order = session.get(VerificationOrder, order_id)
    if order is None or order.session_nonce is None or order.status is VerificationStatus.CANCELLED:
        return None
    if not hmac.compare_digest(order.session_nonce, nonce):
        return None
    return order


# ----------------------------------------------------------------------------- the test


def time_limit(candidate: Candidate) -> timedelta:
    """The verification test's limit (module docstring), with the candidate's extra time."""
    per_item = candidate.assignment.logic_time_limit_minutes / adaptive.APP_SETTINGS.max_items
    minutes = math.ceil(per_item * verification.VERIFICATION_LENGTH - 1e-9)
    return timedelta(minutes=minutes) * (1 + candidate.extra_time_pct / 100)


_ENGINES: OrderedDict = OrderedDict()
_ENGINES_MAX = 128


def engine(order: VerificationOrder, bank: LogicBank) -> adaptive.AdaptiveBank:
    """The order's verification test as the ``AdaptiveBank`` the journey's attempt
    functions take: the eligible items (``verification.verification_test``: nothing seen,
    no seen family) with the verification settings and the prior at the unsupervised
    estimate. Built once per worker and order (a bank version and an order's seen items
    never change)."""
    # Keyed by what the engine is made of, not only the order's id: ids repeat across
    # databases (a worker's tests, a restored backup), the seen items and estimate do not.
    key = (str(bank.path), bank.bank_id, bank.version, order.id, tuple(order.seen_item_ids or ()),
           order.theta_unsupervised)
    ab = _ENGINES.get(key)
    if ab is None:
        test = verification.verification_test(bank, order.seen_item_ids, start_theta=order.theta_unsupervised)
        ab = adaptive.AdaptiveBank(bank, test.cat_bank, test.item_ids, test.settings,
                                   {item_id: n for n, item_id in enumerate(test.item_ids)})
        _ENGINES[key] = ab
        while len(_ENGINES) > _ENGINES_MAX:
            _ENGINES.popitem(last=False)
    return ab


def start(session: Session, order: VerificationOrder, bank: LogicBank, *, now: datetime,
          seed: int | None = None) -> Attempt:
    """Start the verification attempt (once; a second call returns it): the deadline is
    fixed here. ``bank``: the version of the unsupervised attempt."""
    if order.status is not VerificationStatus.OPEN:
        raise VerificationError("not_open")
    if order.attempt_id is not None:
        return session.get(Attempt, order.attempt_id)
    logic = order.logic_attempt
    if bank.bank_id != logic.bank_id or bank.version != logic.bank_version:
        raise ValueError("the bank given is not the version the unsupervised attempt was given from")
    candidate = order.candidate
    seed = secrets.randbits(62) if seed is None else seed
    limit = time_limit(candidate)
    number = 1 + (session.scalar(sa.select(sa.func.max(Attempt.number)).where(
        Attempt.candidate_id == candidate.id, Attempt.kind == TestKind.VERIFICATION)) or 0)
    attempt = Attempt(candidate_id=candidate.id, kind=TestKind.VERIFICATION, number=number,
                      bank_id=logic.bank_id, bank_version=logic.bank_version, seed=seed, item_ids=[],
                      started_at=now, deadline=now + limit, time_limit_seconds=int(limit.total_seconds()))
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except sa.exc.IntegrityError:  # a second tab started it at the same moment: keep that one
        session.refresh(order)
        if order.attempt_id is None:
            raise
        return session.get(Attempt, order.attempt_id)
    won = session.execute(
        sa.update(VerificationOrder).where(VerificationOrder.id == order.id, VerificationOrder.attempt_id.is_(None))
        .values(attempt_id=attempt.id).execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(order)
    if not won:  # a second tab started it first: keep that one
        session.delete(attempt)
        session.flush()
        return session.get(Attempt, order.attempt_id)
    audit.record(session, user_id=None, action="start", object_type="verification_order", object_id=order.id,
                 detail={"attempt_id": attempt.id}, now=now)
    return attempt


def order_of_attempt(session: Session, attempt: Attempt) -> VerificationOrder | None:
    return session.scalar(sa.select(VerificationOrder).where(VerificationOrder.attempt_id == attempt.id))


def score_attempt(session: Session, attempt: Attempt, bank: LogicBank, norms: NormTable, *,
                  now: datetime) -> VerificationOrder | None:
    """Score a finished verification attempt (``journey.finish_logic`` calls this for the
    kind ``verification``) and store the verdict on its order, with the versions."""
    order = order_of_attempt(session, attempt)
    if order is None:
        return None
    ab = engine(order, bank)
    result = scoring.score_logic_attempt(session, attempt, bank, norms, ab=ab)
    decided = verification.verdict(order.theta_unsupervised, order.se_unsupervised, result.theta, result.se)
    session.execute(
        sa.update(VerificationOrder)
        .where(VerificationOrder.id == order.id, VerificationOrder.status == VerificationStatus.OPEN)
        .values(status=VerificationStatus.FINISHED, finished_at=now, code_hash=None,
                theta_verification=float(result.theta), se_verification=float(result.se),
                difference=decided.difference, se_difference=decided.se, z=decided.z, p_value=decided.p_value,
                alpha=decided.alpha, verdict=decided.code, verification_version=verification.VERIFICATION_VERSION,
                engine_version=adaptive.ENGINE_VERSION, bank_id=attempt.bank_id, bank_version=attempt.bank_version)
        .execution_options(synchronize_session=False))
    session.refresh(order)
    audit.record(session, user_id=None, action="finish", object_type="verification_order", object_id=order.id,
                 detail={"verdict": order.verdict}, now=now)
    return order


def detectable_difference(order: VerificationOrder) -> float | None:
    """The drop (in theta) this candidate's verification detects 8 times in 10 at alpha
    0.05: ``POWER_FACTOR x SE_d`` from the order's two SEs."""
    if order.se_difference is None:
        return None
    return POWER_FACTOR * order.se_difference
