from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class OutboxMessage(Base):
    """Every e-mail the product sends, written in the same transaction as the change it
    reports and sent after the commit by the mail worker (``flask mail work``).

    With SMTP configured, the worker sends a message and sets ``sent_at``; a failure is
    tried again later (``attempts``, ``next_attempt_at``); without SMTP, messages stay
    in the outbox for the development outbox page. A message the worker closed without
    sending (given up, or withdrawn: link dead, candidate done, too old) has an
    ``error`` starting with "not sent (<code>)" and no ``next_attempt_at``
    (``portal.services.mail.state_of``).
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: invitation, reminder, ...
    kind: Mapped[str] = mapped_column(sa.String(32))
    candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    #: The staff user a message is for (the set-password link), else None.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    #: The last delivery error (never the password), or why the worker closed the message.
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: Delivery attempts so far, and when the worker may try next (backoff after a failure).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
