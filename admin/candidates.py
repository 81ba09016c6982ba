"""Candidates and invitations for consultants: add, import, send, revoke, re-issue,
extra time and technical reset. Thin: every object comes through ``access`` (404 when
not visible), the use cases live in ``portal.services``: ``candidate_admin`` (add),
``candidate_import``, ``invitation_admin`` (revoke, re-issue) and ``accommodation``."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal import resources as res
from portal.db import get_session
from portal.downloads import attachment
from portal.models import Invitation
from portal.services import audit, invitation_admin, mail, progress
from portal.services import candidate_admin as ca
from portal.services import candidate_import as ci
from portal.services.accommodation import (
    can_reset,
    running_logic_attempt,
    set_accommodation,
    technical_reset,
)
from portal.services.invitations import current_invitation, invitation_url
from portal.web import renderer

from .blueprint import bp
from .auth import assignment_or_404, candidate_or_404, staff_required
from .forms import (AccommodationForm, CandidateForm, ConfirmImportForm, EraseForm, ImportForm, ReissueForm, ResetForm,
                    candidate_message)
from .views import board_args

#: Signs the parsed rows of an import preview (sent back by the confirm form, so no
#: personal data goes into the session cookie). Own salt: not usable as another token.
IMPORT_SALT = "second-opinion.candidate-import.v1"
IMPORT_MAX_AGE = 3600

CANNOT_SEND = {
    "done": _l("The candidate has completed the assessment; nothing was sent."),
    "revoked": _l("The link has been revoked. Issue a new link first."),
    "expired": _l("The link has expired. Issue a new link first."),
    "none": _l("The candidate has no valid link. Issue a new link first."),
}
SENT = {
    "queued": _l("The e-mail is queued: the mail worker sends it within a minute."),
    "outbox": _l("No e-mail server is configured: the message was put in the development outbox and has not been sent. You can copy the link on this page and send it yourself."),
}


# -- helpers ----------------------------------------------------------------------------


def _mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config)


def _cooldown() -> timedelta:
    return timedelta(hours=int(current_app.config.get("REMINDER_COOLDOWN_HOURS") or 24))


def _queued_or_outbox() -> str:
    """What happens to a queued e-mail: the worker sends it ('queued'), or, without an
    SMTP server, it stays in the development outbox ('outbox')."""
    return "queued" if _mail_settings().configured else "outbox"


def _send_invitation(db, candidate, invitation, now) -> str:
    """Queue the invitation e-mail with the link; 'queued' or 'outbox' (no SMTP). The
    request never waits for the SMTP server: the mail worker sends it after the commit."""
    url = invitation_url(invitation, res.invitation_settings())
    outbox = mail.send_invitation(db, candidate, invitation, url, now=now, renderer=renderer)
    audit.record(db, user_id=current_user.id, action="send_invitation", object_type="invitation",
                 object_id=invitation.id, detail={"candidate": candidate.id, "outbox": outbox.id},
                 now=now)
    return _queued_or_outbox()


def _flash_sent(outcome: str) -> None:
    flash(str(SENT[outcome]), "success" if outcome == "queued" else "warning")


def _import_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=IMPORT_SALT)


def _dump_rows(assignment_id: int, rows: list[ci.CsvRow]) -> str:
    data = [[r.line, r.name[:300], r.email[:300], r.language[:20], r.extra_time_pct, r.errors]
            for r in rows]
    return _import_serializer().dumps({"a": assignment_id, "u": current_user.id, "rows": data})


def _load_rows(assignment_id: int, payload: str) -> list[ci.CsvRow] | None:
    try:
        data = _import_serializer().loads(payload or "", max_age=IMPORT_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != assignment_id or data.get("u") != current_user.id:
        return None
    try:
        return [ci.CsvRow(line=int(line), name=str(name), email=str(email), language=str(lang),
                          extra_time_pct=extra if isinstance(extra, int) else None,
                          errors=[str(e) for e in errors])
                for line, name, email, lang, extra, errors in data["rows"]]
    except (KeyError, TypeError, ValueError):
        return None


# -- list, add, import ------------------------------------------------------------------

#: Candidates named on the add and import pages (the newest; the list has them all).
EXISTING_SHOWN = 20


def _existing(a) -> dict:
    count, newest = ca.newest_candidates(get_session(), a, limit=EXISTING_SHOWN)
    return {"existing_count": count, "existing": newest}


@bp.get("/assignments/<int:assignment_id>/candidates")
@staff_required
def candidate_list(assignment_id: int):
    a = assignment_or_404(assignment_id)
    db, now = get_session(), res.now()
    board = progress.board(db, a, now=now, **board_args())
    rows = progress.candidate_progress(db, a, now=now, candidate_ids=board.page.ids)
    last_mail = mail.latest_messages(db, list(board.page.ids))
    return render_template("admin/candidate_list.html", a=a, board=board, rows=rows, last_mail=last_mail,
                           statuses=progress.STATUSES, smtp=_mail_settings().configured)


@bp.route("/assignments/<int:assignment_id>/candidates/new", methods=["GET", "POST"])
@staff_required
def candidate_new(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    form = CandidateForm()
    if request.method == "GET":
        form.language.data = a.language if a.language in ("sv", "en") else "sv"
    status = 200
    if form.validate_on_submit():
        now = res.now()
        try:
            candidate, invitation = ca.add_candidate(
                db, a, name=form.name.data, email=form.email.data, language=form.language.data,
                extra_time_pct=form.extra_time_pct(), user_id=current_user.id, now=now,
                settings=res.invitation_settings())
        except ca.CandidateAdminError as exc:
            field = getattr(form, exc.field if exc.field != "extra_time" else "extra_time_custom", None)
            (field.errors if field is not None else form.form_errors).append(candidate_message(exc.code, exc.params))
            status = 400
        else:
            flash(_("The candidate was added."), "success")
            if form.send_now.data:
                _flash_sent(_send_invitation(db, candidate, invitation, now))
            else:
                flash(_("The invitation was not e-mailed. Copy the link below or send it later."), "info")
            return redirect(url_for("admin.candidate_manage", candidate_id=candidate.id))
    elif form.errors:
        status = 400
    return render_template("admin/candidate_new.html", a=a, form=form, **_existing(a)), status


@bp.route("/assignments/<int:assignment_id>/candidates/import", methods=["GET", "POST"])
@staff_required
def candidate_import(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    if request.method == "POST":
        confirm = ConfirmImportForm()
        if confirm.payload.raw_data:  # the preview's confirm button, not an upload
            return _confirm_import(a, confirm)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            rows = ci.parse_candidates_csv(form.file.data.read(ci.MAX_IMPORT_BYTES + 1),
                                           default_language=a.language,
                                           existing_emails=ca.assignment_emails(db, a))
        except ci.CsvError as exc:
            form.file.errors = [candidate_message(exc.code, exc.params)]
        else:
            return _preview(a, rows)
    status = 400 if form.errors else 200
    return render_template("admin/candidate_import.html", a=a, form=form, **_existing(a)), status


def _preview(a, rows: list[ci.CsvRow], status: int = 200, problem: str | None = None):
    confirm = ConfirmImportForm(formdata=None)
    confirm.payload.data = _dump_rows(a.id, rows)
    n_bad = sum(1 for r in rows if r.errors)
    confirm.valid_only.data = "1" if n_bad else ""
    return render_template("admin/candidate_import_preview.html", a=a, rows=rows, confirm=confirm,
                           n_valid=len(rows) - n_bad, n_bad=n_bad, message=candidate_message,
                           problem=problem), status


def _confirm_import(a, form: ConfirmImportForm):
    db = get_session()
    rows = _load_rows(a.id, form.payload.data) if form.validate_on_submit() else None
    if rows is None:
        flash(_("The preview is no longer valid. Upload the file again."), "error")
        return render_template("admin/candidate_import.html", a=a, form=ImportForm(formdata=None),
                               **_existing(a)), 400
    now = res.now()
    try:
        created = ci.import_candidates(db, a, rows, confirm_valid_only=form.valid_only.data == "1",
                                       user_id=current_user.id, now=now,
                                       settings=res.invitation_settings())
    except ci.ImportHasErrors:
        # Something changed since the preview (e.g. a candidate was added meanwhile).
        return _preview(a, ci.recheck_rows(db, a, rows), 400,
                        problem=_("Some rows have errors now. Nothing was imported."))
    flash(ngettext("%(num)s candidate was imported.", "%(num)s candidates were imported.",
                   len(created)), "success")
    if form.send_now.data and created:
        # Queued only: the mail worker sends them after this request commits.
        outcome = [_send_invitation(db, c, i, now) for c, i in created][-1]
        if outcome == "queued":
            flash(_("Invitations queued: %(num)s. The mail worker sends them within a few minutes.",
                    num=len(created)), "success")
        else:
            flash(_("No e-mail server is configured: the invitations (%(num)s) were put in the development outbox and have not been sent.",
                    num=len(created)), "warning")
    return redirect(url_for("admin.candidate_list", assignment_id=a.id))


# -- one candidate ----------------------------------------------------------------------


def _render_manage(c, *, accommodation: AccommodationForm | None = None,
                   reset: ResetForm | None = None, status: int = 200):
    db = get_session()
    now = res.now()
    invitation = current_invitation(c)
    link = None
    if invitation is not None and now <= invitation.expires_at:
        link = invitation_url(invitation, res.invitation_settings())
    next_reminder = None
    if invitation is not None:
        next_reminder = mail.reminder_wait(db, invitation, now=now, cooldown=_cooldown())
    if accommodation is None:
        accommodation = AccommodationForm(formdata=None)
        accommodation.show_extra_time(c.extra_time_pct)
    row = progress.candidate_progress(db, c.assignment, now=now, candidate_ids=[c.id])[0]
    return render_template(
        "admin/candidate_manage.html", c=c, a=c.assignment, row=row, now=now,
        invitations=sorted(c.invitations, key=lambda i: i.id, reverse=True),
        invitation=invitation, link=link, unsendable=mail.unsendable(c, invitation, now),
        next_reminder=next_reminder, accommodation=accommodation,
        reset=reset or ResetForm(formdata=None), reissue=ReissueForm(formdata=None),
        running=running_logic_attempt(db, c), can_reset=can_reset(db, c),
        last_mail=mail.latest_messages(db, [c.id]).get(c.id), smtp=_mail_settings().configured,
    ), status


@bp.get("/candidates/<int:candidate_id>/manage")
@staff_required
def candidate_manage(candidate_id: int):
    c = candidate_or_404(candidate_id)
    # The page shows the candidate's link, which opens their battery: who saw it is logged.
    audit.record(get_session(), user_id=current_user.id, action="view", object_type="candidate_invitations",
                 object_id=c.id, now=res.now())
    return _render_manage(c)


def _back(c):
    return redirect(url_for("admin.candidate_manage", candidate_id=c.id))


def _sendable(candidate_id: int):
    """(candidate, its current invitation, now), or a redirect back with the reason why no
    e-mail can go out (completed, revoked, expired, no invitation)."""
    c = candidate_or_404(candidate_id)
    now = res.now()
    invitation = current_invitation(c)
    problem = mail.unsendable(c, invitation, now)
    if problem:
        flash(str(CANNOT_SEND[problem]), "error")
        return None, _back(c)
    return (c, invitation, now), None


@bp.post("/candidates/<int:candidate_id>/send-invitation")
@staff_required
def candidate_send_invitation(candidate_id: int):
    ready, refused = _sendable(candidate_id)
    if refused:
        return refused
    c, invitation, now = ready
    try:
        outcome = _send_invitation(get_session(), c, invitation, now)
    except mail.CannotSend:
        flash(str(CANNOT_SEND["none"]), "error")
        return _back(c)
    _flash_sent(outcome)
    return _back(c)


@bp.post("/candidates/<int:candidate_id>/send-reminder")
@staff_required
def candidate_send_reminder(candidate_id: int):
    ready, refused = _sendable(candidate_id)
    if refused:
        return refused
    c, invitation, now = ready
    db = get_session()
    try:
        outbox = mail.send_reminder(db, c, invitation, invitation_url(invitation, res.invitation_settings()),
                                    now=now, cooldown=_cooldown(), renderer=renderer)
    except mail.ReminderTooSoon as exc:
        flash(_("A reminder or the invitation was sent recently. The next reminder can be sent from %(when)s.",
                when=format_datetime(exc.next_allowed_at, "short")), "error")
        return _back(c)
    except mail.CannotSend:
        flash(str(CANNOT_SEND["none"]), "error")
        return _back(c)
    audit.record(db, user_id=current_user.id, action="send_reminder", object_type="invitation",
                 object_id=invitation.id, detail={"candidate": c.id, "outbox": outbox.id}, now=now)
    _flash_sent(_queued_or_outbox())
    return _back(c)


@bp.post("/candidates/<int:candidate_id>/invitations/<int:invitation_id>/revoke")
@staff_required
def candidate_revoke(candidate_id: int, invitation_id: int):
    c = candidate_or_404(candidate_id)
    db = get_session()
    invitation = db.get(Invitation, invitation_id)
    if invitation is None or invitation.candidate_id != c.id:
        abort(404)
    if invitation_admin.revoke_invitation(db, invitation, user_id=current_user.id, now=res.now()):
        flash(_("The link was revoked and no longer works. Issue a new link if the candidate should continue."),
              "success")
    else:
        flash(_("The link had already been revoked."), "info")
    return _back(c)


@bp.post("/candidates/<int:candidate_id>/reissue")
@staff_required
def candidate_reissue(candidate_id: int):
    c = candidate_or_404(candidate_id)
    db, now = get_session(), res.now()
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    invitation = invitation_admin.reissue_invitation(db, c, user_id=current_user.id, now=now,
                                                     settings=res.invitation_settings())
    flash(_("A new link was issued; earlier links no longer work. The candidate keeps their progress."),
          "success")
    if form.send_now.data:
        problem = mail.unsendable(c, invitation, now)
        if problem:
            flash(str(CANNOT_SEND[problem]), "error")
        else:
            _flash_sent(_send_invitation(db, c, invitation, now))
    return _back(c)


@bp.post("/candidates/<int:candidate_id>/accommodation")
@staff_required
def candidate_accommodation(candidate_id: int):
    c = candidate_or_404(candidate_id)
    form = AccommodationForm()
    if not form.validate_on_submit():
        return _render_manage(c, accommodation=form, status=400)
    attempt = set_accommodation(get_session(), c, form.extra_time_pct(), user_id=current_user.id,
                                now=res.now())
    if attempt is not None:
        flash(_("The extra time was saved. The test is running: its deadline is now %(when)s.",
                when=format_datetime(attempt.deadline, "short")), "success")
    else:
        flash(_("The extra time was saved."), "success")
    return _back(c)


@bp.post("/candidates/<int:candidate_id>/technical-reset")
@staff_required
def candidate_reset(candidate_id: int):
    c = candidate_or_404(candidate_id)
    form = ResetForm()
    if not form.validate_on_submit():
        return _render_manage(c, reset=form, status=400)
    try:
        attempt = technical_reset(get_session(), c, reason=form.reason.data, user_id=current_user.id,
                                  now=res.now(), practice_items=len(res.logic_bank().practice))
    except ca.CandidateAdminError as exc:
        if exc.field == "reason":
            form.reason.errors = [candidate_message(exc.code, exc.params)]
            return _render_manage(c, reset=form, status=400)
        flash(candidate_message(exc.code, exc.params), "error")
        return _back(c)
    if attempt is None:
        flash(_("There is no logic test attempt to reset."), "info")
    else:
        flash(_("The logic test was reset. The earlier attempt is kept and marked as replaced; the candidate can start again with the same link."),
              "success")
    return _back(c)


@bp.get("/candidates/<int:candidate_id>/export.zip")
@staff_required
def candidate_export(candidate_id: int):
    """Everything held about one candidate (an access request): data.json with every row
    that belongs to them, their released reports and attachments (``services.privacy``)."""
    from portal.services import privacy

    db = get_session()
    c = candidate_or_404(candidate_id)
    data = privacy.export_candidate(db, c, storage_dir=res.attachment_dir(), now=res.now(), scope="full")
    audit.record(db, user_id=current_user.id, action="export", object_type="candidate", object_id=c.id,
                 detail={"scope": "full"}, now=res.now())
    return attachment(data, name=f"candidate-{c.id}-export.zip", mimetype="application/zip")


@bp.route("/candidates/<int:candidate_id>/erase", methods=["GET", "POST"])
@staff_required
def candidate_erase(candidate_id: int):
    """Erase a candidate's personal data at their request, after a typed confirmation."""
    from portal.services import privacy

    db = get_session()
    c = candidate_or_404(candidate_id)
    form = EraseForm()
    status = 200
    if c.erased_at is None and form.validate_on_submit():
        try:
            privacy.erase_candidate(db, c, confirmation=form.confirmation.data, storage_dir=res.attachment_dir(),
                                    user_id=current_user.id, now=res.now())
        except privacy.ErasureError:
            form.confirmation.errors.append(_("The name does not match. Type it exactly as it is shown."))
            status = 400
        else:
            flash(_("The candidate's personal data was erased. The anonymous answers and results remain."),
                  "success")
            return redirect(url_for("admin.candidate", candidate_id=c.id))
    elif form.errors:
        status = 400
    return render_template("admin/candidate_erase.html", c=c, form=form), status
