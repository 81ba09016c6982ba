"""A candidate's results for the consultant: logic test, personality profile, validity flags."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.labels import STOP_REASONS, VALIDITY_FLAGS
from portal.models import TestKind, VerificationStatus
from portal.services import audit, integrity, journey, profiles, progress
from portal.services import verification as verify_svc
from portal.services.invitations import candidate_status
from portal.services.logic_results import summarise
from portal.services.scoring import LOGIC_SCALE

from .blueprint import bp
from .auth import candidate_or_404, staff_required


@bp.get("/candidates/<int:candidate_id>")
@staff_required
def candidate(candidate_id: int):
    db = get_session()
    c = candidate_or_404(candidate_id)
    now = res.now()
    audit.record(db, user_id=current_user.id, action="view", object_type="candidate_results",
                 object_id=c.id, now=now)
    # The requirement profile is the yardstick: once results are looked at it cannot drift.
    profile = profiles.lock_current(db, c.assignment, now=now, user_id=current_user.id)
    journey.close_expired(db, now=now, bank_for=res.logic_bank_for,
                          norms_for=res.norm_table, timing=res.timing(), assignment_id=c.assignment_id)
    logic_attempt = journey.current_attempt(db, c, TestKind.LOGIC)
    inventory_attempt = journey.current_attempt(db, c, TestKind.INVENTORY)
    results = {}
    for attempt in (logic_attempt, inventory_attempt):
        if attempt is not None:
            results.update({r.scale: r for r in attempt.results})
    inventory = res.inventory()
    norms_ref = next((r.norm_ref for r in results.values()), None)
    logic = results.get(LOGIC_SCALE)
    # The table the results were normed against (the assignment's group may have changed
    # since, or been rebuilt): its name and whether it is provisional or local.
    shown = res.norm_table_for_ref(norms_ref) or res.norm_table(c.assignment.norm_group)
    # Information for the consultant only: never in a score, a report or a decision.
    signals = integrity.summarise(db, [a for a in (logic_attempt, inventory_attempt) if a is not None],
                                  logic_bank_for=res.logic_bank_for)
    return render_template(
        "admin/candidate.html", verification=_verification(db, c, logic_attempt, logic), c=c, status=candidate_status(c, now), logic=logic,
        logic_summary=summarise(logic) if logic is not None else None,
        logic_attempt=logic_attempt, inventory_attempt=inventory_attempt, results=results,
        logic_minutes_used=progress.minutes(progress.time_used(logic_attempt, now=now)) if logic_attempt else None,
        inventory=inventory, norms=shown, norm_info=res.norm_info(shown), norms_ref=norms_ref,
        stop_reasons=STOP_REASONS, flag_texts=VALIDITY_FLAGS, profile=profile,
        signals=signals, integrity=integrity,
    )


def _verification(db, c, logic_attempt, logic) -> dict:
    """The verification section: the open order, the latest verdict with both results."""
    from item_banks.verification import VERIFICATION_LENGTH

    orders = verify_svc.orders_of(db, c)
    open_order = next((o for o in orders if o.status is VerificationStatus.OPEN), None)
    # A verdict on the current logic result only (a technical reset replaces the result).
    finished = [o for o in orders if o.status is VerificationStatus.FINISHED
                and logic_attempt is not None and o.logic_attempt_id == logic_attempt.id]
    last = max(finished, key=lambda o: (o.finished_at, o.id)) if finished else None
    result = unsupervised = None
    if last is not None:
        result = next((r for r in last.attempt.results if r.scale == LOGIC_SCALE), None)
        unsupervised = (logic if logic is not None and logic.attempt_id == last.logic_attempt_id
                        else next((r for r in last.logic_attempt.results if r.scale == LOGIC_SCALE), None))
    orderable = (logic is not None and logic.theta is not None and logic_attempt is not None
                 and logic_attempt.finished_at is not None and c.erased_at is None)
    return dict(open=open_order, finished=last, result=result, unsupervised=unsupervised, orderable=orderable,
                detectable=verify_svc.detectable_difference(last) if last else None, length=VERIFICATION_LENGTH,
                max_tries=verify_svc.MAX_TRIES,
                minutes=round(verify_svc.time_limit(c).total_seconds() / 60))
