from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Candidate, Role, TestKind
from portal.services import access, audit, journey
from portal.services.invitations import candidate_status
from portal.services.scoring import LOGIC_SCALE

from . import bp
from .auth import staff_required


@bp.get("/")
@staff_required
def dashboard():
    assignments = get_session().scalars(
        access.assignment_scope(current_user)
        .options(selectinload(Assignment.client), selectinload(Assignment.candidates))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    ).all()
    return render_template("admin/dashboard.html", assignments=assignments)


@bp.get("/assignments/<int:assignment_id>")
@staff_required
def assignment(assignment_id: int):
    db = get_session()
    try:
        a = access.visible_assignment(db, current_user, assignment_id)
    except access.NotVisible:
        abort(404)
    now = res.now()
    audit.record(db, user_id=current_user.id, action="view", object_type="assignment", object_id=a.id, now=now)
    # Attempts left open past their deadline are finished when anyone looks.
    journey.close_expired(db, now=now, bank_for=lambda _a: res.logic_bank(),
                          norms_for=res.norm_table, timing=res.timing(),
                          assignment_id=a.id)
    candidates = db.scalars(
        sa.select(Candidate)
        .where(Candidate.assignment_id == a.id)
        .options(selectinload(Candidate.invitations), selectinload(Candidate.attempts))
        .order_by(Candidate.id)
    ).all()
    rows = []
    for c in candidates:
        results = {}
        for attempt in c.attempts:
            for r in attempt.results:
                results[r.scale] = r
        logic_attempt = next((t for t in c.attempts if t.kind is TestKind.LOGIC), None)
        rows.append(dict(candidate=c, status=candidate_status(c, now), results=results,
                         logic=results.get(LOGIC_SCALE), logic_attempt=logic_attempt))
    inv = res.inventory()
    norms = res.norm_table(a.norm_group)
    return render_template("admin/assignment.html", a=a, rows=rows, domains=inv.domains,
                           norms=norms, logic_scale=LOGIC_SCALE)


@bp.get("/client")
@login_required
def client_home():
    """A client user's start page: their organisation's assignments. Released reports
    will be listed here (reports issue); nothing of the consultant workspace is shown."""
    assignments = get_session().scalars(
        access.assignment_scope(current_user).options(selectinload(Assignment.client))
        .order_by(Assignment.created_at.desc())
    ).all() if current_user.role is Role.CLIENT else []
    if current_user.role is not Role.CLIENT:
        return redirect(url_for("admin.dashboard"))
    return render_template("admin/client_home.html", assignments=assignments)


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in ("sv", "en"):
        session["lang"] = lang
    return redirect(request.referrer if _same_origin(request.referrer) else url_for("admin.dashboard"))


def _same_origin(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
