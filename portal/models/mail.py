from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class OutboxMessage(Base):
    """Every e-mail the product sends, stored before sending.

    With SMTP configured, a message is sent and ``sent_at`` set; without, it stays in the
    outbox for the development outbox page.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: invitation, reminder, ...
    kind: Mapped[str] = mapped_column(sa.String(32))
    candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
