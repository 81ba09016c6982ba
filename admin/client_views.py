"""The client's side: their organisation's assignments and finalists, their first
opinion of each finalist, and (once released) the reports. Nothing of the consultant
workspace is shown here; every query goes through the access scopes."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal import competencies as lib
from portal import resources as res
from portal.db import get_session
from portal.i18n import current_language
from portal.services.overview import LIMIT as OVERVIEW_LIMIT
from portal.services.overview import client_overview
from portal.models import Assignment, Candidate, ReportKind, Role
from portal.services import access, audit, paging, profiles, reports
from portal.services import first_opinions as fo

from .blueprint import bp
from .auth import assignment_or_404, candidate_or_404
from .forms import first_opinion_form

#: Candidates per page of a client's assignment page.
PER_PAGE = 25

FIRST_OPINION_ERRORS = {
    "closed": _l("The first opinion is closed: the report has been released, so the client has seen ours."),
    "level_range": _l("Choose a level from 1 to 5."),
    "empty": _l("Rate at least one competency."),
}


@bp.get("/client")
@login_required
def client_home():
    """A client user's start page: their organisation's assignments."""
    if current_user.role is not Role.CLIENT:
        return redirect(url_for("admin.dashboard"))
    assignments = get_session().scalars(
        access.assignment_scope(current_user).options(selectinload(Assignment.client))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    ).all()
    overview = client_overview(get_session(), current_user, now=res.now())
    return render_template("admin/client_home.html", assignments=assignments, overview=overview,
                           limit=OVERVIEW_LIMIT)


@bp.get("/client/assignments/<int:assignment_id>")
@login_required
def client_assignment(assignment_id: int):
    """The finalists of one assignment, each with the client's first opinion and the
    released reports; candidates are listed in the order they were added, never ranked,
    a page at a time."""
    db = get_session()
    a = assignment_or_404(assignment_id)
    in_assignment = Candidate.assignment_id == a.id
    total = db.scalar(sa.select(sa.func.count()).select_from(Candidate).where(in_assignment)) or 0
    number = paging.page_number(request.args.get("page", 1), total, PER_PAGE)
    candidates = db.scalars(sa.select(Candidate).where(in_assignment).order_by(Candidate.id)
                            .limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
    ids = [c.id for c in candidates]
    opinions = fo.recorded_of(db, ids)
    closed = fo.released_of(db, ids)
    open_ = {cid: cid not in closed for cid in ids}
    latest = reports.latest_of(db, ids, ReportKind.CLIENT)
    replies = reports.replies_of(db, ids)
    addenda = {cid: reply for cid, report in latest.items()
               if (reply := reports.reply_addendum(report, replies.get(cid))) is not None}
    audit.record(db, user_id=current_user.id, action="view", object_type="client_assignment", object_id=a.id,
                 now=res.now())
    return render_template("admin/client_assignment.html", a=a, candidates=candidates, opinions=opinions,
                           open_=open_, latest=latest, addenda=addenda, profile=profiles.current_profile(db, a),
                           page=paging.Page(number, PER_PAGE, total, tuple(ids)))


@bp.route("/candidates/<int:candidate_id>/first-opinion", methods=["GET", "POST"])
@login_required
def first_opinion(candidate_id: int):
    """The client's own rating per competency, before reading ours. A consultant may
    record it on the client's behalf (e.g. from a phone call)."""
    db = get_session()
    c = candidate_or_404(candidate_id)
    profile = profiles.current_profile(db, c.assignment)
    if profile is None:
        abort(404)
    entered: dict[str, int | None] = {}
    error = error_key = None
    status = 200
    if request.method == "POST":  # the CSRF token is checked by CSRFProtect before this
        form = first_opinion_form([item.competency_key for item in profile.competencies])
        entered = {item.competency_key: form[f"level-{item.competency_key}"].data for item in profile.competencies}
        try:
            fo.record(db, c, entered, user_id=current_user.id, now=res.now())
        except fo.FirstOpinionError as exc:
            error, error_key, status = str(FIRST_OPINION_ERRORS.get(exc.code, exc.code)), exc.key, 400
        else:
            flash(_("Your first opinion was saved."), "success")
            target = ("admin.client_assignment", {"assignment_id": c.assignment_id}) \
                if current_user.role is Role.CLIENT else ("admin.synthesis", {"candidate_id": c.id})
            return redirect(url_for(target[0], **target[1]))
    lang = current_language()
    known = profiles.all_competencies(db)
    saved = fo.recorded(db, c)
    rows = []
    for item in profile.competencies:
        comp = known.get(item.competency_key)
        level = entered.get(item.competency_key) if entered else (
            saved[item.competency_key].level if item.competency_key in saved else None)
        rows.append({
            "key": item.competency_key, "target": item.target_level, "must": item.must,
            "name": lib.localized(comp.name, lang) if comp else item.competency_key,
            "definition": lib.localized(comp.definition, lang) if comp else "",
            "anchors": [(lv, lib.localized(comp.indicators.get(lv), lang) if comp else "") for lv in lib.LEVELS],
            "level": level, "error": error if error_key == item.competency_key else None,
        })
    return render_template("admin/first_opinion.html", c=c, rows=rows, open_=fo.is_open(db, c),
                           error=error if error_key is None else None, saved=saved), status
