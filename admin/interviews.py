"""The interview guide and the interviewers' ratings for one candidate.

The rules (blind rating, final once submitted) live in ``portal.services.interviews``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import competencies as lib
from portal import labels
from portal import resources as res
from portal.db import get_session
from portal.downloads import attachment
from portal.i18n import current_language
from portal.pdf import render_pdf
from portal.models import User
from portal.services import audit, profiles
from portal.services import interviews as svc
from portal.services.results import raised_flags

from .blueprint import bp
from .auth import candidate_or_404, staff_required
from .forms import RatingForm

#: Message per service error code.
ERROR_TEXTS = {
    "unknown_competency": _l("This competency is not in the requirement profile."),
    "level_range": _l("Choose a level from 1 to 5."),
    "level_required": _l("Choose a level before submitting."),
    "notes_required": _l("Write down the evidence (what the candidate said and did) before submitting."),
    "notes_too_long": _l("The notes are too long."),
    "already_submitted": _l("This rating has been submitted and can no longer be changed."),
}

SCALE_NAMES = {
    "logic.theta": _l("the logic test"),
}


def _slug(key: str) -> str:
    return key.replace(".", "-")


def _guide(candidate_id: int, action: str) -> dict:
    """Everything the guide shows (page and PDF alike), with the audit record."""
    db = get_session()
    c = candidate_or_404(candidate_id)
    now = res.now()
    # The guide is built from results: the yardstick is locked before they are used.
    profile = profiles.lock_current(db, c.assignment, now=now, user_id=current_user.id)
    audit.record(db, user_id=current_user.id, action=action, object_type="interview_guide",
                 object_id=c.id, now=now)
    return {"c": c, "profile": profile, "sections": svc.interview_guide(db, c, lang=current_language()),
            "flags": raised_flags(db, c), "flag_texts": labels.VALIDITY_FLAGS, "scale_names": _scale_names(current_language()),
            "today": now.date().isoformat()}


@bp.get("/candidates/<int:candidate_id>/interview-guide")
@staff_required
def interview_guide(candidate_id: int):
    """The guide on screen, with a rating form under each competency, so that an
    interviewer with a tablet rates while interviewing (the PDF has room for notes)."""
    context = _guide(candidate_id, "view")
    _profile, rows, _raters = _rating_rows(get_session(), context["c"], current_language())
    return render_template("admin/interview_guide.html", ratings={r["key"]: r for r in rows}, **context)


@bp.get("/candidates/<int:candidate_id>/interview-guide.pdf")
@staff_required
def interview_guide_pdf(candidate_id: int):
    """The same guide as a printable A4 PDF, with room for notes under each competency."""
    context = _guide(candidate_id, "download")
    html = render_template("reports/interview_guide.html", pdf=True, lang=current_language(), **context)
    return attachment(render_pdf(html), name=f"{_('interview-guide')}-{context['c'].id}.pdf",
                      mimetype="application/pdf")


def _scale_names(lang: str) -> dict[str, str]:
    return {**{key: str(value) for key, value in SCALE_NAMES.items()}, **labels.inventory_scale_names(lang)}


@bp.route("/candidates/<int:candidate_id>/ratings", methods=["GET", "POST"])
@staff_required
def ratings(candidate_id: int):
    db = get_session()
    c = candidate_or_404(candidate_id)
    lang = current_language()
    errors: dict[str, str] = {}
    entered: dict[str, dict] = {}
    status = 200
    if request.method == "POST":  # the CSRF token is checked by CSRFProtect before this
        form = RatingForm()
        key, submit = form.competency.data, form.action.data == "submit"
        level, notes = form.level.data, form.notes.data
        try:
            svc.save_rating(db, c, rater_id=current_user.id, competency_key=key, level=level, notes=notes,
                            submit=submit, now=res.now())
        except svc.InterviewError as exc:
            if exc.code == "unknown_competency":
                abort(400)
            errors[key] = str(ERROR_TEXTS.get(exc.code, exc.code))
            entered[key] = {"level": level, "notes": notes}
            status = 400
        else:
            flash(_("Your rating was submitted.") if submit else _("Your draft was saved."), "success")
            # A rating given from the interview guide returns to the guide, at that competency.
            back = "admin.interview_guide" if form.back.data == "guide" else "admin.ratings"
            return redirect(url_for(back, candidate_id=c.id) + f"#comp-{_slug(key)}")

    profile, rows, raters = _rating_rows(db, c, lang, errors=errors, entered=entered)
    return render_template("admin/interview_ratings.html", c=c, profile=profile, rows=rows,
                           raters=raters), status


def _rating_rows(db, c, lang: str, *, errors: dict | None = None, entered: dict | None = None):
    """(profile, one row per profile competency with the current user's rating, its form
    values and, once submitted, the others' ratings, raters by id): what the ratings page
    and the rating forms in the interview guide show."""
    errors, entered = errors or {}, entered or {}
    profile = profiles.current_profile(db, c.assignment)
    known = profiles.all_competencies(db)
    visible = svc.visible_ratings(db, c, viewer_id=current_user.id)
    raters = {u.id: u for u in db.scalars(sa.select(User).where(
        User.id.in_({r.rater_id for shown in visible.values() for r in shown})))}
    rows = []
    for item in (profile.competencies if profile else []):
        competency = known.get(item.competency_key)
        shown = visible.get(item.competency_key, [])
        own = next((r for r in shown if r.rater_id == current_user.id), None)
        others = [r for r in shown if r.rater_id != current_user.id]
        submitted = own is not None and own.submitted_at is not None
        values = entered.get(item.competency_key) or {
            "level": own.level if own else None, "notes": own.notes if own else ""}
        rows.append({
            "key": item.competency_key, "slug": _slug(item.competency_key),
            "name": lib.localized(competency.name, lang) if competency else item.competency_key,
            "definition": lib.localized(competency.definition, lang) if competency else "",
            "target": item.target_level, "must": item.must,
            "anchors": [(level, lib.localized(competency.indicators.get(level), lang) if competency else "")
                        for level in lib.LEVELS],
            "own": own, "submitted": submitted, "values": values, "error": errors.get(item.competency_key),
            "others": others, "summary": svc.rating_summary(shown) if submitted else None,
        })
    return profile, rows, raters

