from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class IntegritySignal(Base):
    """Integrity signals of one attempt (``services.integrity``): counters only, each
    capped, shown to consultants as information, never used in a score or a decision.

    One row per attempt, written by the candidate's test pages: the page-visibility
    beacons of ``static/integrity.js`` (``away_*``, ``hidden_count``), reloads of the same
    presentation and answers from another browser (found by the server). Fast and slow
    answers are not stored here: they are computed from the answers' own timestamps.
    """

    __tablename__ = "integrity_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), unique=True)
    #: Times the test page was left (hidden, or the window lost focus), and the seconds away.
    away_count: Mapped[int] = mapped_column(default=0, server_default="0")
    away_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Of the times away, those during which the page was hidden (another tab or app).
    hidden_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The same question (or inventory page) served again: a reload, or a second tab.
    reloads: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Answers (inventory: pages) sent from another browser than the one that started.
    other_device_answers: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Short marks of those other browsers (random per browser session; at most a few).
    other_devices: Mapped[list | None] = mapped_column(sa.JSON)
    #: Beacons accepted; past ``integrity.MAX_BEACONS`` the rest are ignored.
    beacons: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
