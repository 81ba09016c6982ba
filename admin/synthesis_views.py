"""The synthesis of one candidate: the evidence matrix against the requirement profile and
the consultant's written judgement. A person makes the recommendation."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import labels
from portal import resources as res
from portal.db import get_session
from portal.models import Synthesis
from portal.services import audit, profiles
from portal.services.evidence import evidence_matrix

from .blueprint import bp
from .auth import candidate_or_404, staff_required
from .forms import SynthesisForm

RECOMMENDATIONS = labels.RECOMMENDATIONS


@bp.route("/candidates/<int:candidate_id>/synthesis", methods=["GET", "POST"])
@staff_required
def synthesis(candidate_id: int):
    db = get_session()
    c = candidate_or_404(candidate_id)
    now = res.now()
    row = db.scalar(sa.select(Synthesis).where(Synthesis.candidate_id == c.id))
    form = SynthesisForm(obj=row) if row is not None else SynthesisForm()
    status = 200
    if form.validate_on_submit():
        if row is None:
            row = Synthesis(candidate_id=c.id)
            db.add(row)
        profile = profiles.lock_current(db, c.assignment, now=now, user_id=current_user.id)
        form.populate_obj(row)
        row.decided_by_id, row.decided_at, row.updated_at = current_user.id, now, now
        row.profile_version = profile.version if profile else None
        db.flush()
        audit.record(db, user_id=current_user.id, action="decide", object_type="synthesis", object_id=row.id,
                     detail={"candidate": c.id, "profile_version": row.profile_version}, now=now)
        flash(_("The synthesis was saved."), "success")
        return redirect(url_for("admin.synthesis", candidate_id=c.id))
    if form.errors:
        status = 400
    audit.record(db, user_id=current_user.id, action="view", object_type="synthesis_matrix", object_id=c.id, now=now)
    matrix = evidence_matrix(db, c)
    return render_template("admin/synthesis.html", c=c, matrix=matrix, form=form, saved=row,
                           library=profiles.all_competencies(db), recommendations=RECOMMENDATIONS), status
