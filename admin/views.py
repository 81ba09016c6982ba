from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Attempt, Candidate, InventoryResponse, LogicResponse, TestKind
from portal.services import access, audit, journey
from portal.services.assignments import recommended_time_limit_minutes
from portal.services.invitations import CandidateStatus, candidate_status
from portal.services.logic_results import summarise as logic_summary
from portal.services.scoring import LOGIC_SCALE

from . import bp
from .assignments import StaffForm
from .auth import assignment_or_404, staff_required


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
    a = assignment_or_404(assignment_id)
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
    activity = _last_activity(db, a.id)
    wanted = request.args.get("status", "")
    rows = []
    for c in candidates:
        results = {}
        current = [t for t in c.attempts if t.superseded_at is None]
        for attempt in current:
            for r in attempt.results:
                results[r.scale] = r
        logic_attempt = next((t for t in reversed(current) if t.kind is TestKind.LOGIC), None)
        inventory_attempt = next((t for t in reversed(current) if t.kind is TestKind.INVENTORY), None)
        status = candidate_status(c, now)
        if wanted and status.value != wanted:
            continue
        live = [i for i in c.invitations if i.revoked_at is None]
        rows.append(dict(candidate=c, status=status, results=results, logic=results.get(LOGIC_SCALE),
                         logic_attempt=logic_attempt, inventory_attempt=inventory_attempt,
                         last_activity=max(filter(None, [activity.get(c.id), *(i.opened_at for i in c.invitations),
                                                         c.completed_at]), default=None),
                         expires=max((i.expires_at for i in live), default=None),
                         time_used=_minutes_used(logic_attempt, now)))
    inv = res.inventory()
    norms = res.norm_table(a.norm_group)
    template = "admin/_progress_rows.html" if request.args.get("fragment") else "admin/assignment.html"
    return render_template(template, a=a, rows=rows, domains=inv.domains, norms=norms,
                           logic_scale=LOGIC_SCALE, wanted=wanted, staff_form=StaffForm(),
                           statuses=[s.value for s in CandidateStatus], logic_summary=logic_summary,
                           recommended_minutes=recommended_time_limit_minutes())


def _last_activity(db, assignment_id: int) -> dict:
    """Latest answer time per candidate of the assignment (logic or questionnaire)."""
    latest = {}
    for model in (LogicResponse, InventoryResponse):
        rows = db.execute(
            sa.select(Attempt.candidate_id, sa.func.max(model.answered_at))
            .join(model, model.attempt_id == Attempt.id).join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Candidate.assignment_id == assignment_id).group_by(Attempt.candidate_id))
        for cid, at in rows:
            if at is not None and (cid not in latest or at > latest[cid]):
                latest[cid] = at
    return latest


def _minutes_used(attempt, now) -> int | None:
    if attempt is None:
        return None
    end = attempt.finished_at or min(now, attempt.deadline or now)
    return int((end - attempt.started_at).total_seconds() // 60)


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in ("sv", "en"):
        session["lang"] = lang
    return redirect(request.referrer if _same_origin(request.referrer) else url_for("admin.dashboard"))


def _same_origin(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
