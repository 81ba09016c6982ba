"""Retention periods, legal hold and the hired mark (portal/services/retention.py)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.labels import RETENTION_CLASSES
from portal.services import retention

from .blueprint import bp
from .auth import admin_required, assignment_or_404, candidate_or_404, staff_required
from .forms import HiredForm, LegalHoldForm, RetentionForm


@bp.route("/retention", methods=["GET", "POST"])
@admin_required
def retention_settings():
    db = get_session()
    periods = retention.periods(db, current_app.config)
    form = RetentionForm(data=periods)
    status = 200
    if form.validate_on_submit():
        for data_class in retention.DATA_CLASSES:
            retention.set_period(db, data_class, form[data_class].data, user_id=current_user.id, now=res.now())
        flash(_("Retention periods saved. They apply from the next purge."), "success")
        return redirect(url_for(".retention_settings"))
    if form.errors:
        status = 400
    defaults = {**retention.DEFAULT_MONTHS, **(current_app.config.get("RETENTION_MONTHS") or {})}
    due = {d.data_class: d for d in retention.plan(db, current_app.config, now=res.now())}
    held_assignments, held_candidates = retention.holds(db)
    return render_template("admin/retention.html", form=form, labels=RETENTION_CLASSES, defaults=defaults, due=due,
                           held_assignments=held_assignments, held_candidates=held_candidates), status


def _hold(target, form: LegalHoldForm) -> bool:
    """Apply the hold form to ``target``; False (and the error on the form) when refused."""
    if not form.validate_on_submit():
        return False
    try:
        retention.set_hold(get_session(), target, on=not form.release.data, reason=form.reason.data or "",
                           user_id=current_user.id, now=res.now())
    except retention.RetentionError:
        form.reason.errors.append(_("Give a reason for the legal hold, such as a case number."))
        return False
    flash(_("Released from legal hold.") if form.release.data else
          _("On legal hold: nothing is removed by the retention rules until the hold is released."), "success")
    return True


@bp.post("/candidates/<int:candidate_id>/hold")
@staff_required
def candidate_hold(candidate_id: int):
    c = candidate_or_404(candidate_id)
    form = LegalHoldForm()
    if _hold(c, form):
        return redirect(url_for(".candidate_retention", candidate_id=c.id))
    return render_template("admin/candidate_retention.html", c=c, hold=form, hired=HiredForm(),
                           periods=retention.periods(get_session(), current_app.config)), 400


@bp.post("/assignments/<int:assignment_id>/hold")
@staff_required
def assignment_hold(assignment_id: int):
    a = assignment_or_404(assignment_id)
    form = LegalHoldForm()
    if _hold(a, form):
        return redirect(url_for(".assignment_retention", assignment_id=a.id))
    return render_template("admin/assignment_retention.html", a=a, hold=form), 400  # no periods shown


@bp.get("/assignments/<int:assignment_id>/retention")
@staff_required
def assignment_retention(assignment_id: int):
    a = assignment_or_404(assignment_id)
    return render_template("admin/assignment_retention.html", a=a, hold=LegalHoldForm(),
                           periods=retention.periods(get_session(), current_app.config))


@bp.get("/candidates/<int:candidate_id>/retention")
@staff_required
def candidate_retention(candidate_id: int):
    c = candidate_or_404(candidate_id)
    return render_template("admin/candidate_retention.html", c=c, hold=LegalHoldForm(), hired=HiredForm(),
                           periods=retention.periods(get_session(), current_app.config))


@bp.post("/candidates/<int:candidate_id>/hired")
@staff_required
def candidate_hired(candidate_id: int):
    c = candidate_or_404(candidate_id)
    form = HiredForm()
    if not form.validate_on_submit() or form.hired.data not in ("1", "0"):
        flash(_("The form had expired. Try again."), "error")
        return redirect(url_for(".candidate_retention", candidate_id=c.id)), 303
    retention.set_hired(get_session(), c, hired=form.hired.data == "1", user_id=current_user.id, now=res.now())
    flash(_("Marked as hired.") if c.hired_at else _("No longer marked as hired."), "success")
    return redirect(url_for(".candidate_retention", candidate_id=c.id))
