"""The supervised verification test (``services.verification``), candidate side.

Reached without the invitation link: ``/verify`` takes the one-time code the consultant
reveals on the spot. The code binds this browser session to that verification only
(session key ``verification``; the candidate's own session is dropped), so it opens no
other page of the candidate. The item page is the logic test's (same template, same
answer path, the verification test's engine)."""
from __future__ import annotations

from functools import wraps

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from item_banks import verification

from .. import resources as res
from ..db import get_session, keep_on_refusal
from ..extensions import limiter
from ..models import FinishReason, VerificationStatus
from ..services import journey
from ..services import verification as svc
from .blueprint import bp
from .forms import CsrfForm, VerificationCodeForm, read_answer
from .views import SESSION_KEY, _answer_with_retry

VERIFY_KEY = "verification"


def _code_refused(response) -> bool:
    return request.method == "POST" and response.status_code != 302


def _refusals() -> dict:
    return {
        "malformed": _("That is not a verification code. A code has ten letters and digits, for example AB-CDEF-GHJK."),
        "wrong": _("The code is not right. Check it with the consultant and try again."),
        "locked": _("Too many wrong codes were entered. Ask the consultant for a new code."),
        "expired": _("The code has expired. Ask the consultant for a new code."),
        "used": _("The code has already been used. Ask the consultant for a new code."),
    }


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["VERIFICATION_CODE_RATE_LIMIT"],
               methods=["POST"], deduct_when=_code_refused)
def verify():
    form = VerificationCodeForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        try:
            order, nonce = svc.redeem(db, form.code.data, secret_key=current_app.secret_key, now=res.now())
        except svc.VerificationError as refused:
            keep_on_refusal()  # the count of wrong tries outlives the refusal
            error = _refusals().get(refused.code, _refusals()["wrong"])
        else:
            # Only this verification: not the candidate's own pages (dropped if present).
            session.pop(SESSION_KEY, None)
            session[VERIFY_KEY] = [order.id, nonce]
            return redirect(url_for(".verify_confirm"))
    status = 400 if (error or form.errors) else 200
    return render_template("candidate/verify_code.html", form=form, error=error), status


def verification_required(view):
    """Load the session's verification order (``g.order``) in the candidate's language."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        data = session.get(VERIFY_KEY) or [None, None]
        order = svc.order_for_session(get_session(), *data[:2])
        if order is None:
            session.pop(VERIFY_KEY, None)
            flash(_("This verification is no longer open here. Enter a new code from the consultant."), "error")
            return redirect(url_for(".verify"))
        g.order = order
        candidate = order.candidate
        invitation = candidate.invitations[-1] if candidate.invitations else None
        g.page_language = candidate.chosen_language or (invitation.language if invitation else None)
        return view(*args, **kwargs)

    return wrapper


@bp.route("/verify/confirm", methods=["GET", "POST"])
@verification_required
def verify_confirm():
    order = g.order
    if order.status is VerificationStatus.FINISHED:
        return redirect(url_for(".verify_done"))
    if order.attempt_id is not None:
        return redirect(url_for(".verify_item"))
    form = CsrfForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("candidate/verify_confirm.html", order=order, form=form,
                                   minutes=_minutes(order), length=verification.VERIFICATION_LENGTH), 400
        db, now = get_session(), res.now()
        attempt = svc.start(db, order, res.logic_bank_for(order.logic_attempt), now=now)
        bank = res.logic_bank_for(attempt)
        journey.present_logic_item(db, attempt, bank, now=now, ab=svc.engine(order, bank))
        return redirect(url_for(".verify_item"))
    return render_template("candidate/verify_confirm.html", order=order, form=form, minutes=_minutes(order),
                           length=verification.VERIFICATION_LENGTH)


def _minutes(order) -> int:
    return round(svc.time_limit(order.candidate).total_seconds() / 60)


@bp.route("/verify/test", methods=["GET", "POST"])
@verification_required
def verify_item():
    order = g.order
    attempt = order.attempt
    if attempt is None:
        return redirect(url_for(".verify_confirm"))
    if attempt.finished_at is not None:
        return redirect(url_for(".verify_done"))
    db, now = get_session(), res.now()
    bank = res.logic_bank_for(attempt)
    ab = svc.engine(order, bank)
    norms = res.norm_table(order.candidate.assignment.norm_group)
    if request.method == "POST":
        option_id, response_id = read_answer(request.form)
        if not option_id:
            flash(_("Choose one of the options before you continue."), "error")
            return redirect(url_for(".verify_item"))
        outcome = _answer_with_retry(db, attempt, response_id=response_id, option_id=option_id, now=now,
                                     bank=bank, norms=norms, timing=res.timing(), ab=ab)
        if outcome is journey.AnswerOutcome.CONFLICT:
            flash(_("That question had already been answered in another window. The first answer is kept."), "warning")
        return redirect(url_for(".verify_done") if attempt.finished_at else url_for(".verify_item"))
    if journey.expire_if_due(db, attempt, now=now, bank=bank, norms=norms, timing=res.timing()):
        return redirect(url_for(".verify_done"))
    presented = journey.present_logic_item(db, attempt, bank, now=now, ab=ab)
    if presented is None:
        journey.finish_logic(db, attempt, FinishReason.COMPLETED, now=now, bank=bank, norms=norms)
        return redirect(url_for(".verify_done"))
    db.commit()
    options = list(zip(presented.response.option_ids, presented.response.option_order))
    return render_template("candidate/item.html", p=presented, options=options)


@bp.get("/verify/done")
@verification_required
def verify_done():
    order = g.order
    if order.attempt is None:
        return redirect(url_for(".verify_confirm"))
    if order.attempt.finished_at is None:
        return redirect(url_for(".verify_item"))
    timed_out = order.attempt.finish_reason is FinishReason.TIMEOUT
    return render_template("candidate/verify_done.html", timed_out=timed_out)
