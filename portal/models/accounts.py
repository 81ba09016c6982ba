from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column, utcnow


class Role(enum.Enum):
    ADMIN = "admin"  # manages users; sees everything
    CONSULTANT = "consultant"  # works on the assignments they are staffed on
    CLIENT = "client"  # a client organisation's user: only that client's released material


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: The client organisation of a client user (None for staff).
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the login session id; bumping it logs out every session of the user.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Two-factor sign-in (``portal.services.two_factor``): the TOTP secret, when it was
    #: turned on, the last time step used (no replay) and SHA-256 hashes of unused
    #: recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    recovery_codes: Mapped[list | None] = mapped_column(sa.JSON)
    #: The set-password link e-mailed to a new user (``portal.services.users``): its
    #: secret and end. Cleared once used; a new link replaces the old one.
    set_password_nonce: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    set_password_expires_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"
