"""The outbox: every e-mail the product queued, and where each stands (queued, sent,
failed and retried, given up, withdrawn). Without SMTP configured it is the development
outbox, where staff read what would have been sent.

Consultants see the messages to candidates of the assignments they may see; only
administrators also see the messages to staff users (the set-password links), since an
unused link lets its reader choose that user's password, and administrators can send
such a link anyway."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, current_app, render_template
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Candidate, OutboxMessage, Role
from portal.services import access, mail

from .blueprint import bp
from .auth import staff_required

#: Queued messages older than this, never tried, mean that no mail worker is running.
WORKER_LATE = timedelta(minutes=5)


@bp.app_template_filter("mail_status")
def mail_status(message: OutboxMessage) -> mail.MailStatus:
    return mail.status_of(message)


def _scope():
    visible = access.assignment_scope(current_user).with_only_columns(Assignment.id)
    to_candidates = OutboxMessage.candidate_id.in_(
        sa.select(Candidate.id).where(Candidate.assignment_id.in_(visible)))
    if current_user.role is Role.ADMIN:
        return sa.select(OutboxMessage).where(sa.or_(to_candidates, OutboxMessage.user_id.is_not(None)))
    return sa.select(OutboxMessage).where(to_candidates)


@bp.get("/outbox")
@staff_required
def outbox():
    db = get_session()
    messages = db.scalars(_scope().order_by(OutboxMessage.id.desc()).limit(200)).all()
    smtp = bool(current_app.config.get("SMTP_HOST"))
    late, since = mail.waiting_since(db, now=res.now(), longer_than=WORKER_LATE) if smtp else (0, None)
    return render_template("admin/outbox.html", messages=messages, smtp=smtp, late=late, late_since=since)


@bp.get("/outbox/<int:message_id>")
@staff_required
def outbox_message(message_id: int):
    message = get_session().scalar(_scope().where(OutboxMessage.id == message_id))
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", m=message,
                           smtp=bool(current_app.config.get("SMTP_HOST")))
