"""The supervised verification test of a logic result, consultant side
(``portal.services.verification``): order it, show the one-time code on the spot, cancel.
The verdict is shown on the candidate's results page (``admin.results``)."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.services import verification as svc

from .blueprint import bp
from .auth import candidate_or_404, staff_required


def _messages() -> dict:
    return {
        "no_result": _("A verification test can be ordered only when the candidate has finished the logical "
                       "reasoning test and it has been scored."),
        "open_order": _("There is already an open verification test for this candidate. Cancel it first to order a "
                        "new one."),
        "erased": _("The candidate's personal data has been erased."),
        "too_few_items": _("The item bank has too few questions the candidate has not seen for a verification test."),
        "not_open": _("This verification test is no longer open."),
        "busy": _("Too many codes are valid at the moment. Try again in a few minutes."),
    }


def _back(candidate_id: int):
    return redirect(url_for("admin.candidate", candidate_id=candidate_id) + "#verification")


def _order_or_404(candidate, order_id: int):
    order = svc.order_for(get_session(), candidate, order_id)  # another candidate's order: not found
    if order is None:
        abort(404)
    return order


@bp.post("/candidates/<int:candidate_id>/verification")
@staff_required
def verification_order(candidate_id: int):
    c = candidate_or_404(candidate_id)
    db = get_session()
    found = svc.unsupervised_result(db, c)
    try:
        if found is None:
            raise svc.VerificationError("no_result")
        svc.place_order(db, c, res.logic_bank_for(found[0]), user_id=current_user.id, now=res.now())
    except svc.VerificationError as refused:
        flash(_messages()[refused.code], "error")
    else:
        flash(_("Verification test ordered. Show the code when the candidate is at the supervised computer."),
              "success")
    return _back(c.id)


@bp.post("/candidates/<int:candidate_id>/verification/<int:order_id>/code")
@staff_required
def verification_code(candidate_id: int, order_id: int):
    """The one-time code, on this response only: never e-mailed, stored only as a hash,
    not in any address. Showing a new code voids the previous one."""
    c = candidate_or_404(candidate_id)
    order = _order_or_404(c, order_id)
    try:
        code = svc.reveal_code(get_session(), order, secret_key=current_app.secret_key, user_id=current_user.id,
                               now=res.now())
    except svc.VerificationError as refused:
        flash(_messages()[refused.code], "error")
        return _back(c.id)
    response = make_response(render_template("admin/verification_code.html", c=c, order=order, code=code,
                                             minutes=svc.CODE_MINUTES, tries=svc.MAX_TRIES))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/candidates/<int:candidate_id>/verification/<int:order_id>/cancel")
@staff_required
def verification_cancel(candidate_id: int, order_id: int):
    c = candidate_or_404(candidate_id)
    order = _order_or_404(c, order_id)
    if svc.cancel(get_session(), order, user_id=current_user.id, now=res.now()):
        flash(_("The verification test was cancelled."), "success")
    else:
        flash(_messages()["not_open"], "error")
    return _back(c.id)
