from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class RetentionPeriod(Base):
    """An administrator's retention period for one data class
    (``portal.services.retention.DATA_CLASSES``); without a row the configured default
    (``RETENTION_MONTHS``) applies."""

    __tablename__ = "retention_period"

    data_class: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: Months to keep; None keeps the data until someone erases it by hand.
    months: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
