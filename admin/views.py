from __future__ import annotations

import sqlalchemy as sa
from flask import make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from werkzeug.http import generate_etag, quote_etag

from portal import resources as res
from portal.db import get_session
from portal.services.overview import LIMIT as OVERVIEW_LIMIT
from portal.services.overview import consultant_overview
from portal.models import Assignment, Candidate
from portal.services import access, audit, journey, progress
from portal.services.assignments import recommended_time_limit_minutes
from portal.services.logic_results import summarise as logic_summary
from portal.services.scoring import LOGIC_SCALE

from .blueprint import bp
from .auth import assignment_or_404, staff_required
from .forms import LanguageForm, StaffForm


@bp.get("/")
@staff_required
def dashboard():
    db = get_session()
    assignments = db.scalars(
        access.assignment_scope(current_user)
        .options(selectinload(Assignment.client))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    ).all()
    # A count per assignment, not every candidate loaded to count them.
    visible = access.assignment_scope(current_user).with_only_columns(Assignment.id)
    counts = dict(db.execute(
        sa.select(Candidate.assignment_id, sa.func.count())
        .where(Candidate.assignment_id.in_(visible))
        .group_by(Candidate.assignment_id)).all())
    overview = consultant_overview(db, current_user, now=res.now())
    return render_template("admin/dashboard.html", assignments=assignments, counts=counts, overview=overview,
                           limit=OVERVIEW_LIMIT)


def board_args() -> dict:
    """The board's filters and page from the query string (``status``, ``q``, ``page``)."""
    return {"status": request.args.get("status", ""), "search": request.args.get("q", ""),
            "page": request.args.get("page", 1)}


@bp.get("/assignments/<int:assignment_id>")
@staff_required
def assignment(assignment_id: int):
    """The progress board: one page of candidates with their status, time used, last
    activity and results. With ``fragment=1`` only the rows (polled by progress.js),
    with an ETag so that an unchanged board answers 304 and sends nothing."""
    db = get_session()
    a = assignment_or_404(assignment_id)
    now = res.now()
    audit.record(db, user_id=current_user.id, action="view", object_type="assignment", object_id=a.id, now=now)
    # Attempts left open past their deadline are finished when anyone looks.
    journey.close_expired(db, now=now, bank_for=res.logic_bank_for,
                          norms_for=res.norm_table, timing=res.timing(),
                          assignment_id=a.id)
    board = progress.board(db, a, now=now, **board_args())
    rows = progress.candidate_progress(db, a, now=now, candidate_ids=board.page.ids, results=True)
    rows_html = render_template("admin/_progress_rows.html", a=a, rows=rows, domains=res.inventory().domains,
                                logic_scale=LOGIC_SCALE, logic_summary=logic_summary)
    etag = generate_etag(rows_html.encode())
    if request.args.get("fragment"):
        response = make_response(rows_html)
        response.headers["Cache-Control"] = "private, no-cache"
        response.set_etag(etag)
        return response.make_conditional(request)
    return render_template("admin/assignment.html", a=a, board=board, rows=rows, rows_html=Markup(rows_html),
                           etag=quote_etag(etag), domains=res.inventory().domains,
                           norms=res.norm_table(a.norm_group),
                           norm_info=res.norm_info(res.norm_table(a.norm_group)), staff_form=StaffForm(), statuses=progress.STATUSES,
                           recommended_minutes=recommended_time_limit_minutes())


@bp.post("/language")
def language():
    form = LanguageForm()
    if form.validate():
        session["lang"] = form.lang.data
    return redirect(request.referrer if _same_origin(request.referrer) else url_for("admin.dashboard"))


def _same_origin(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
