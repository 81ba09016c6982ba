"""The final-candidates view and the finalist mark (``portal.services.finalists``)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.services import audit, profiles
from portal.services import finalists as svc

from .blueprint import bp
from .auth import assignment_or_404, candidate_or_404, staff_required
from .forms import FinalistForm

#: Pages a finalist mark returns to: ``back`` -> endpoint and the query values it keeps.
BACK = {
    "list": ("admin.candidate_list", ("page", "status", "q")),
    "finalists": ("admin.finalists", ("page",)),
    "results": ("admin.candidate", ()),
}


@bp.get("/assignments/<int:assignment_id>/finalists")
@staff_required
def finalists(assignment_id: int):
    """The finalists against the profile, side by side but never ranked: per competency,
    the groups of candidates the data does not separate. One page of them at a time."""
    db = get_session()
    a = assignment_or_404(assignment_id)
    audit.record(db, user_id=current_user.id, action="view", object_type="finalists", object_id=a.id,
                 now=res.now())
    view = svc.finalists_page(db, a, page=request.args.get("page", 1))
    return render_template("admin/finalists.html", a=a, view=view, library=profiles.all_competencies(db),
                           form=FinalistForm())


def _back(c, form: FinalistForm) -> str:
    endpoint, keep = BACK.get(form.back.data or "", BACK["results"])
    values = {key: getattr(form, key).data for key in keep if getattr(form, key).data}
    if endpoint == "admin.candidate":
        return url_for(endpoint, candidate_id=c.id)
    return url_for(endpoint, assignment_id=c.assignment_id, **values)


@bp.post("/candidates/<int:candidate_id>/finalist")
@staff_required
def candidate_finalist(candidate_id: int):
    c = candidate_or_404(candidate_id)
    form = FinalistForm()
    back = _back(c, form)
    if not form.validate_on_submit() or form.finalist.data not in ("1", "0"):
        flash(_("The form had expired. Try again."), "error")
        return redirect(back), 303
    try:
        svc.set_finalist(get_session(), c, finalist=form.finalist.data == "1", user_id=current_user.id,
                               now=res.now())
    except svc.FinalistError:
        flash(_("The candidate's personal data has been erased; they cannot be a finalist."), "error")
        return redirect(back), 303
    flash(_("%(name)s is a finalist.", name=c.name) if c.finalist_at else
          _("%(name)s is no longer a finalist.", name=c.name), "success")
    return redirect(back), 303
