"""The outbox: every e-mail the product sent or queued. Without SMTP configured it is the
development outbox, where consultants read what would have been sent."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, render_template
from flask_login import current_user

from portal.db import get_session
from portal.models import Assignment, Candidate, OutboxMessage
from portal.services import access

from . import bp
from .auth import staff_required


def _scope():
    visible = access.assignment_scope(current_user).with_only_columns(Assignment.id)
    return (sa.select(OutboxMessage).join(Candidate, OutboxMessage.candidate_id == Candidate.id)
            .where(Candidate.assignment_id.in_(visible)))


@bp.get("/outbox")
@staff_required
def outbox():
    messages = get_session().scalars(_scope().order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("admin/outbox.html", messages=messages,
                           smtp=bool(current_app.config.get("SMTP_HOST")))


@bp.get("/outbox/<int:message_id>")
@staff_required
def outbox_message(message_id: int):
    message = get_session().scalar(_scope().where(OutboxMessage.id == message_id))
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", m=message)
