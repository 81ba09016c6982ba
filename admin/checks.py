"""References and background checks for a candidate (consultants and admins only).

Attachments are never served directly: the download view checks access, records an audit
event and sends the file as an attachment that is not cached or sniffed.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal import labels
from portal import resources as res
from portal.db import get_session
from portal.downloads import attachment
from portal.extensions import csrf
from portal.models import BackgroundCheck, ReferenceCheck
from portal.services import checks as svc
from portal.services.profiles import all_competencies

from . import bp
from .auth import candidate_or_404, staff_required

CHECK_ERRORS = {
    "name_required": _l("Enter the referee's name."),
    "too_long": _l("The text is too long."),
    "consent_required": _l("The candidate's consent is required before the referee is contacted."),
    "unknown_competency": _l("Only competencies in the requirement profile can be rated."),
    "level_range": _l("Choose a level from 1 to 5."),
    "no_profile": _l("The assignment has no requirement profile yet."),
    "bad_status": _l("Choose a status."),
    "bad_date": _l("Enter the date as YYYY-MM-DD."),
    "empty_file": _l("The file is empty."),
    "too_large": _l("The file is larger than 5 MB."),
    "bad_type": _l("Only PDF, PNG and JPG files can be attached."),
    "bad_content": _l("The file's content does not match its type."),
    "no_attachment": _l("There is no attachment."),
}
#: Room for the 5 MB file plus the other form fields of a multipart post.
UPLOAD_REQUEST_LIMIT = svc.MAX_ATTACHMENT_BYTES + 256 * 1024


class CsrfForm(FlaskForm):
    """No fields: only the CSRF check, for posts whose fields are built per row."""


class ReferenceForm(FlaskForm):
    referee_name = StringField(_l("Referee's name"),
                               validators=[DataRequired(message=_l("Enter the referee's name.")), Length(max=200)])
    relation = StringField(_l("Relation to the candidate (e.g. former manager)"),
                           validators=[Optional(), Length(max=200)])
    period = StringField(_l("Period worked together"), validators=[Optional(), Length(max=100)])
    consent = BooleanField(_l("The candidate has consented to this referee being contacted"))


def storage_dir() -> Path:
    return res.attachment_dir()


def _error(exc: svc.CheckError) -> str:
    return str(CHECK_ERRORS.get(exc.code, _l("The input could not be saved.")))


# -------------------------------------------------------------------------- references


@bp.route("/candidates/<int:candidate_id>/references", methods=["GET", "POST"])
@staff_required
def candidate_references(candidate_id: int):
    db = get_session()
    candidate = candidate_or_404(candidate_id)
    form = ReferenceForm()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "add":
            if form.validate_on_submit():
                try:
                    svc.add_reference(db, candidate, referee_name=form.referee_name.data,
                                      relation=form.relation.data or "", period=form.period.data or "",
                                      consent=bool(form.consent.data), user_id=current_user.id, now=res.now())
                except svc.CheckError as exc:
                    db.rollback()
                    target = form.consent if exc.field == "consent" else form.referee_name
                    target.errors = [*target.errors, _error(exc)]
                    status = 400
                else:
                    flash(_("The referee was added."), "success")
                    return redirect(url_for("admin.candidate_references", candidate_id=candidate.id))
            else:
                status = 400
        elif action == "rate":
            status = _save_ratings(db, candidate)
            if status == 302:
                return redirect(url_for("admin.candidate_references", candidate_id=candidate.id))
        else:
            abort(400)
    candidate = candidate_or_404(candidate_id)
    keys = svc.profile_keys(db, candidate)
    library = all_competencies(db)
    return render_template("admin/checks_references.html", c=candidate, a=candidate.assignment, form=form,
                           refs=svc.references(db, candidate), rating_form=CsrfForm(),
                           competencies=[(k, library.get(k)) for k in keys]), status


def _posted_row(db, candidate, model, field: str):
    """The candidate's row named by the form field ``field``; None when the form's CSRF
    token has expired (flashed). A row of another candidate is 404, a bad id 400."""
    if not CsrfForm().validate_on_submit():
        flash(_("The form has expired. Try again."), "error")
        return None
    try:
        row_id = int(request.form.get(field, ""))
    except ValueError:
        abort(400)
    row = db.get(model, row_id)
    if row is None or row.candidate_id != candidate.id:
        abort(404)
    return row


def _save_ratings(db, candidate) -> int:
    ref = _posted_row(db, candidate, ReferenceCheck, "reference_id")
    if ref is None:
        return 400
    ratings = {}
    for key in svc.profile_keys(db, candidate):
        raw_level = request.form.get(f"level-{key}", "").strip()
        notes = request.form.get(f"notes-{key}", "")
        try:
            level = int(raw_level) if raw_level else None
        except ValueError:
            flash(CHECK_ERRORS["level_range"], "error")
            return 400
        ratings[key] = (level, notes)
    try:
        svc.save_reference_ratings(db, ref, ratings=ratings, summary=request.form.get("summary", ""),
                                   now=res.now(), user_id=current_user.id)
    except svc.CheckError as exc:
        db.rollback()
        flash(_error(exc), "error")
        return 400
    flash(_("The reference was saved."), "success")
    return 302


# ------------------------------------------------------------------- background checks


# CSRF is checked by CsrfForm inside the view: the global check would read the form
# before the view can raise the request size limit for the upload.
@bp.route("/candidates/<int:candidate_id>/background", methods=["GET", "POST"])
@csrf.exempt
@staff_required
def candidate_background(candidate_id: int):
    db = get_session()
    candidate = candidate_or_404(candidate_id)
    status = 200
    if request.method == "POST":
        request.max_content_length = UPLOAD_REQUEST_LIMIT
        status = _save_check(db, candidate)
        if status == 302:
            return redirect(url_for("admin.candidate_background", candidate_id=candidate.id))
        candidate = candidate_or_404(candidate_id)
    rows = svc.checklist(db, candidate)
    return render_template("admin/checks_background.html", c=candidate, a=candidate.assignment, rows=rows,
                           form=CsrfForm(), kind_labels=labels.CHECK_KINDS, status_labels=labels.CHECK_STATUSES,
                           max_mb=svc.MAX_ATTACHMENT_BYTES // (1024 * 1024)), status


def _save_check(db, candidate) -> int:
    check = _posted_row(db, candidate, BackgroundCheck, "check_id")
    if check is None:
        return 400
    raw_date = request.form.get("checked_on", "").strip()
    try:
        checked_on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        flash(CHECK_ERRORS["bad_date"], "error")
        return 400
    upload = request.files.get("file")
    try:
        svc.update_check(db, check, status=request.form.get("status", ""), checked_on=checked_on,
                         source=request.form.get("source", ""), note=request.form.get("note", ""),
                         now=res.now(), user_id=current_user.id)
        if upload is not None and upload.filename:
            svc.attach_file(db, check, filename=upload.filename,
                            data=upload.read(svc.MAX_ATTACHMENT_BYTES + 1),
                            storage_dir=storage_dir(), now=res.now(), user_id=current_user.id)
    except svc.CheckError as exc:
        db.rollback()
        flash(_error(exc), "error")
        return 400
    flash(_("The check was saved."), "success")
    return 302


@bp.get("/candidates/<int:candidate_id>/background/<int:check_id>/attachment")
@staff_required
def candidate_background_attachment(candidate_id: int, check_id: int):
    db = get_session()
    candidate = candidate_or_404(candidate_id)
    check = db.scalar(sa.select(BackgroundCheck).where(BackgroundCheck.id == check_id,
                                                        BackgroundCheck.candidate_id == candidate.id))
    if check is None:
        abort(404)
    try:
        data, name = svc.read_attachment(check, storage_dir())
    except svc.CheckError:
        abort(404)
    svc.record_download(db, check, user_id=current_user.id, now=res.now())
    return attachment(data, name=name, mimetype=svc.mimetype_for(name))
