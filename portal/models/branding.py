from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Branding(Base):
    """The consultancy's branding (one row, ``id`` 1; without it the configured defaults
    apply): its name and logo on candidate pages and reports, the sender's display name
    of e-mails and the colours of the candidate pages (``portal.services.branding``)."""

    __tablename__ = "branding"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Empty: CONTROLLER_NAME, else "Second Opinion".
    consultancy_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The display name in the From header (the address stays MAIL_FROM's); empty: MAIL_FROM's.
    sender_name: Mapped[str] = mapped_column(sa.String(200), default="")
    #: "#rrggbb", each with at least 4.5:1 contrast against white (WCAG AA); None: the default.
    primary_color: Mapped[str | None] = mapped_column(sa.String(7))
    accent_color: Mapped[str | None] = mapped_column(sa.String(7))
    #: A checked PNG or a sanitised SVG (never the uploaded bytes of an SVG).
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    #: image/png or image/svg+xml
    logo_type: Mapped[str | None] = mapped_column(sa.String(20))
    #: Goes up with every change; in the URLs of the logo and the stylesheet, so they can
    #: be cached for long.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class ClientMailTemplate(Base):
    """A client's own text for the invitation or the reminder in one language; without a
    row the standard e-mail is sent. ``{placeholders}`` are checked on save
    (``portal.services.branding.PLACEHOLDERS``)."""

    __tablename__ = "client_mail_template"
    __table_args__ = (sa.UniqueConstraint("client_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    #: invitation or reminder
    kind: Mapped[str] = mapped_column(sa.String(32))
    language: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
