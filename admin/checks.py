"""References and background checks for a candidate (consultants and admins only).

Attachments are never served directly: the download view checks access, records an audit
event and sends the file as an attachment that is not cached or sniffed.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import labels
from portal import resources as res
from portal.db import get_session
from portal.downloads import attachment
from portal.extensions import csrf
from portal.models import BackgroundCheck, ReferenceCheck
from portal.services import checks as svc
from portal.services.profiles import all_competencies

from .blueprint import bp
from .auth import candidate_or_404, staff_required
from .forms import CHECK_ERRORS, CsrfForm, ReferenceForm, checklist_form, reference_rating_form

#: Room for the 5 MB file plus the other form fields of a multipart post.
UPLOAD_REQUEST_LIMIT = svc.MAX_ATTACHMENT_BYTES + 256 * 1024


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
        action = form.action.data
        if action == "add":
            if form.validate_on_submit():
                try:
                    svc.add_reference(db, candidate, referee_name=form.referee_name.data,
                                      relation=form.relation.data or "", period=form.period.data or "",
                                      email=form.email.data or "", phone=form.phone.data or "",
                                      consent=bool(form.consent.data), user_id=current_user.id, now=res.now())
                except svc.CheckError as exc:
                    db.rollback()
                    target = {"consent": form.consent, "referee_email": form.email,
                              "referee_phone": form.phone}.get(exc.field, form.referee_name)
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


def _save_ratings(db, candidate) -> int:
    """Save one reference's ratings: 400 (flashed) when the form's CSRF token has expired or a level is not a
    number; a bad reference id is 400, a reference of another candidate 404."""
    keys = svc.profile_keys(db, candidate)
    form = reference_rating_form(keys)
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        flash(_("The form has expired. Try again."), "error")
        return 400
    if form.reference_id.data is None:
        abort(400)
    ref = db.get(ReferenceCheck, form.reference_id.data)
    if ref is None or ref.candidate_id != candidate.id:
        abort(404)
    if not valid:
        flash(CHECK_ERRORS["level_range"], "error")
        return 400
    ratings = {key: (form[f"level-{key}"].data, form[f"notes-{key}"].data) for key in keys}
    try:
        svc.save_reference_ratings(db, ref, ratings=ratings, summary=form.summary.data,
                                   now=res.now(), user_id=current_user.id)
    except svc.CheckError as exc:
        db.rollback()
        flash(_error(exc), "error")
        return 400
    flash(_("The reference was saved."), "success")
    return 302


# ------------------------------------------------------------------- background checks


# CSRF is checked by CsrfForm inside the view: the global check would read the form
# before the view can raise the request size limit for the uploads.
@bp.route("/candidates/<int:candidate_id>/background", methods=["GET", "POST"])
@csrf.exempt
@staff_required
def candidate_background(candidate_id: int):
    """The whole checklist is one form with one Save button: every item's status, date,
    source, note and attachment are checked first and saved together, so an edit to one
    item is never lost by saving another; with any error nothing is saved and the page
    comes back with everything typed (files must be chosen again: browsers do not keep
    them)."""
    db = get_session()
    candidate = candidate_or_404(candidate_id)
    rows = svc.checklist(db, candidate)
    status, posted, errors = 200, {}, {}
    if request.method == "POST":
        request.max_content_length = UPLOAD_REQUEST_LIMIT * max(len(rows), 1)
        if not CsrfForm().validate_on_submit():
            flash(_("The form has expired. Try again."), "error")
            status = 400
        else:
            posted, errors = _read_checklist(rows)
            if not errors:
                changed = _save_checklist(db, rows, posted)
                flash(_("The checks were saved.") if changed else _("Nothing was changed."), "success")
                return redirect(url_for("admin.candidate_background", candidate_id=candidate.id))
            status = 400
    return render_template("admin/checks_background.html", c=candidate, a=candidate.assignment, rows=rows,
                           form=CsrfForm(), kind_labels=labels.CHECK_KINDS, status_labels=labels.CHECK_STATUSES,
                           max_mb=svc.MAX_ATTACHMENT_BYTES // (1024 * 1024), posted=posted,
                           errors=errors), status


def _read_checklist(rows) -> tuple[dict, dict]:
    """Each row's posted values (``{row id: {...}}``) and the errors per row; nothing is
    written. A row missing from the post keeps its stored values."""
    form = checklist_form([row.id for row in rows])
    posted, errors = {}, {}
    for row in rows:
        status = form[f"status-{row.id}"]
        if not status.raw_data:
            continue
        checked_on, source = form[f"checked_on-{row.id}"], form[f"source-{row.id}"]
        problems = [e for field in (status, checked_on, source) if not field.validate(form) for e in field.errors]
        values = {"status": status.data, "checked_on": checked_on.data, "date": checked_on.date,
                  "source": source.data, "note": form[f"note-{row.id}"].data, "file": None}
        upload = form[f"file-{row.id}"].data
        if upload is not None:
            data = upload.read(svc.MAX_ATTACHMENT_BYTES + 1)
            try:
                svc.check_attachment(upload.filename, data)
            except svc.CheckError as exc:
                problems.append(_error(exc))
            else:
                values["file"] = (upload.filename, data)
        posted[row.id] = values
        if problems:
            errors[row.id] = [str(p) for p in problems]
    return posted, errors


def _save_checklist(db, rows, posted: dict) -> int:
    """Write the rows whose values changed (one audit event each) and the new attachments;
    the number of rows changed."""
    now, changed = res.now(), 0
    for row in rows:
        values = posted.get(row.id)
        if values is None:
            continue
        new = (values["status"], values["date"], values["source"], values["note"])
        if new != (row.status.value, row.checked_on, row.source, row.note):
            svc.update_check(db, row, status=values["status"], checked_on=values["date"],
                             source=values["source"], note=values["note"], now=now, user_id=current_user.id)
            changed += 1
        if values["file"] is not None:
            filename, data = values["file"]
            svc.attach_file(db, row, filename=filename, data=data, storage_dir=storage_dir(), now=now,
                            user_id=current_user.id)
            changed += 1
    return changed


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
