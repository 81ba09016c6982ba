from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, session, url_for
from flask_login import login_required
from sqlalchemy.orm import selectinload

from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Candidate, TestKind
from portal.services import journey
from portal.services.invitations import candidate_status
from portal.services.scoring import LOGIC_SCALE

from . import bp


@bp.get("/")
@login_required
def dashboard():
    assignments = get_session().scalars(
        sa.select(Assignment)
        .options(selectinload(Assignment.client), selectinload(Assignment.candidates))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    ).all()
    return render_template("admin/dashboard.html", assignments=assignments)


@bp.get("/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id: int):
    db = get_session()
    a = db.get(Assignment, assignment_id)
    if a is None:
        abort(404)
    now = res.now()
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


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in ("sv", "en"):
        session["lang"] = lang
    return redirect(request.referrer if _same_origin(request.referrer) else url_for("admin.dashboard"))


def _same_origin(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
