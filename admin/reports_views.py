"""Reports: drafts and release (consultants), released reports and downloads (consultants
and the client's users, for their own organisation's client reports only).

A draft is rendered live from the current data and stored nowhere. Releasing freezes the
content, HTML and PDF as the next version; clients and the candidate only ever see
released versions. Every view and download of a report is audit-logged.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import resources as res
from portal.db import get_session
from portal.downloads import attachment
from portal.models import Candidate, Report, ReportKind, Role, User
from portal.services import access, audit, mail
from portal.services.invitations import current_invitation, invitation_url
from portal.services import reports as svc
from portal.web import renderer, report_page

from .blueprint import bp
from .auth import candidate_or_404, staff_required
from .forms import ReleaseForm

RELEASE_ERRORS = {
    "no_results": _l("There are no test results to report yet."),
    "no_synthesis": _l("Write and save the synthesis (judgement and recommendation) before releasing the client report."),
}
KIND_NAMES = {"client": _l("Client report"), "candidate": _l("Candidate feedback report")}


def _kind(value: str) -> ReportKind:
    try:
        return ReportKind(value)
    except ValueError:
        abort(404)


def report_or_404(report_id: int) -> tuple[Report, Candidate]:
    """A released report (and its candidate) the current user may see: staff of the assignment, or a user of
    the client's organisation (client reports only). Anything else is reported missing."""
    db = get_session()
    report = db.get(Report, report_id)
    if report is None:
        abort(404)
    try:
        candidate = access.visible_candidate(db, current_user, report.candidate_id)
    except access.NotVisible:
        abort(404)
    if current_user.role is Role.CLIENT and report.kind is not ReportKind.CLIENT:
        abort(404)
    return report, candidate


@bp.get("/candidates/<int:candidate_id>/reports")
@staff_required
def reports(candidate_id: int, *, error: str | None = None, status: int = 200):
    db = get_session()
    c = candidate_or_404(candidate_id)
    versions = svc.released(db, c)
    releasers = {u.id: u for u in db.scalars(sa.select(User).where(
        User.id.in_({r.released_by_id for r in versions})))}
    comment = svc.comment(db, c)
    latest_client = svc.latest(db, c, ReportKind.CLIENT)
    # The reply the client has not seen yet: not in the newest released client report.
    comment_after_release = bool(latest_client and svc.reply_addendum(latest_client, comment))
    return render_template("admin/reports.html", c=c, versions=versions, releasers=releasers,
                           kinds=KIND_NAMES, comment=comment, comment_after_release=comment_after_release,
                           latest_client=latest_client,
                           error=error), status


def _draft(candidate_id: int, kind: str, action: str):
    """(candidate, kind, content) of a draft, with the audit record of who looked at it."""
    db = get_session()
    c = candidate_or_404(candidate_id)
    k = _kind(kind)
    now = res.now()
    audit.record(db, user_id=current_user.id, action=action, object_type=f"report_{k.value}",
                 object_id=c.id, now=now)
    return c, k, svc.build_content(db, c, k, now=now, inventory=res.inventory(), renderer=renderer)


@bp.get("/candidates/<int:candidate_id>/reports/<kind>/preview")
@staff_required
def report_preview(candidate_id: int, kind: str):
    _, _, content = _draft(candidate_id, kind, "preview")
    return svc.render_html(content, draft=True, renderer=renderer)


@bp.get("/candidates/<int:candidate_id>/reports/<kind>/preview.pdf")
@staff_required
def report_preview_pdf(candidate_id: int, kind: str):
    """The draft as PDF, rendered again only when its content changed (``svc.DRAFTS``).
    Like every download it is ``no-store``: the browser keeps no copy of it."""
    c, k, content = _draft(candidate_id, kind, "preview_pdf")
    pdf, _ = svc.draft_pdf(content, c.id, renderer=renderer)
    return attachment(pdf, name=f"draft-{k.value}-{c.id}.pdf", mimetype="application/pdf")


@bp.post("/candidates/<int:candidate_id>/reports/<kind>/release")
@staff_required
def report_release(candidate_id: int, kind: str):
    db = get_session()
    c = candidate_or_404(candidate_id)
    k = _kind(kind)
    if ReleaseForm().reviewed.data != "yes":
        return reports(candidate_id, error=_("Tick the box to confirm that you have reviewed the draft."), status=400)
    try:
        report = svc.release(db, c, k, user_id=current_user.id, now=res.now(), inventory=res.inventory(),
                             renderer=renderer)
    except svc.ReportError as exc:
        return reports(candidate_id, error=str(RELEASE_ERRORS.get(exc.code, exc.code)), status=400)
    flash(_("Version %(n)s of the client report was released.", n=report.version) if k is ReportKind.CLIENT
          else _("Version %(n)s of the candidate's feedback report was released.", n=report.version), "success")
    if k is ReportKind.CANDIDATE:
        _tell_candidate(db, c, report)
    return redirect(url_for("admin.reports", candidate_id=c.id))


def _tell_candidate(db, candidate, report: Report) -> None:
    """Queue an e-mail telling the candidate that their report can be read through their
    link (the mail worker sends it after the commit); where the link is no longer valid,
    tell the consultant to issue a new one."""
    now = res.now()
    invitation = current_invitation(candidate)
    try:
        if invitation is None:
            raise mail.CannotSend("none")
        message = mail.send_report_ready(db, candidate, invitation,
                                         invitation_url(invitation, res.invitation_settings()), now=now,
                                         renderer=renderer)
    except mail.CannotSend:
        flash(_("The candidate's link has expired or been revoked, so they cannot read the report yet: "
                "issue a new link under Invitation and accommodations."), "error")
        return
    audit.record(db, user_id=current_user.id, action="send_report_ready", object_type="report_candidate",
                 object_id=report.id, detail={"outbox": message.id}, now=now)
    if mail.MailSettings.from_config(current_app.config).configured:
        flash(_("The e-mail telling the candidate that the report is ready is queued: the mail worker sends it within a minute."),
              "success")
    else:
        flash(_("No mail server is configured: the e-mail to the candidate is in the outbox."), "info")


@bp.post("/candidates/<int:candidate_id>/reports/reply-answered")
@staff_required
def reply_answered(candidate_id: int):
    """Mark the candidate's reply as answered (it leaves the start page's list)."""
    c = candidate_or_404(candidate_id)
    try:
        svc.mark_reply_answered(get_session(), c, user_id=current_user.id, now=res.now())
    except svc.ReportError:
        abort(404)
    flash(_("The reply is marked as answered."), "success")
    return redirect(url_for("admin.reports", candidate_id=c.id))


@bp.get("/reports/<int:report_id>")
@login_required
def report_view(report_id: int):
    report, candidate = report_or_404(report_id)
    audit.record(get_session(), user_id=current_user.id, action="view", object_type=f"report_{report.kind.value}",
                 object_id=report.id, now=res.now())
    back = (url_for("admin.client_assignment", assignment_id=candidate.assignment_id)
            if current_user.role is Role.CLIENT else url_for("admin.reports", candidate_id=report.candidate_id))
    reply = svc.reply_addendum(report, svc.comment(get_session(), candidate))
    return report_page(report, back=back, pdf=url_for("admin.report_download", report_id=report.id),
                       reply=reply, reply_pdf=url_for("admin.report_reply_download", report_id=report.id))


@bp.get("/reports/<int:report_id>/download")
@login_required
def report_download(report_id: int):
    report, _candidate = report_or_404(report_id)
    audit.record(get_session(), user_id=current_user.id, action="download",
                 object_type=f"report_{report.kind.value}", object_id=report.id,
                 detail={"version": report.version, "sha256": report.pdf_sha256}, now=res.now())
    return attachment(report.pdf, name=svc.download_name(report), mimetype="application/pdf")


@bp.get("/reports/<int:report_id>/reply")
@login_required
def report_reply_download(report_id: int):
    """The candidate's reply as a PDF addendum to a released client report (404 when the
    frozen report already holds the reply or there is none)."""
    db = get_session()
    report, candidate = report_or_404(report_id)
    reply = svc.reply_addendum(report, svc.comment(db, candidate))
    if reply is None:
        abort(404)
    audit.record(db, user_id=current_user.id, action="download_reply", object_type=f"report_{report.kind.value}",
                 object_id=report.id, detail={"version": report.version}, now=res.now())
    return attachment(svc.render_reply_pdf(report, reply, renderer=renderer), name=svc.reply_download_name(report),
                      mimetype="application/pdf")
