from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    """Who viewed, changed, exported or sent what, when. Append-only.

    Entries hold ids and action names, never personal data (no names, e-mail addresses
    or answers): the object is found through its id.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The acting user's id; deliberately no foreign key, so the log outlives erased users.
    user_id: Mapped[int | None] = mapped_column(index=True)
    #: e.g. view, create, update, send, export, revoke, reset, login
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    #: Non-personal detail, e.g. {"field": "extra_time_pct", "version": 2}
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
