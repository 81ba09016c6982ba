"""Single sign-on with OpenID Connect (``portal.services.sso``): the administrator's rules
that give a new account its role, and the link between an account and an identity at a
provider."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import Role, User
from .base import Base, enum_column, utcnow


class SsoRuleKind(enum.Enum):
    DOMAIN = "domain"  # the e-mail address's domain, e.g. konsultbolaget.se
    GROUP = "group"  # a value of the provider's groups claim


class SsoRule(Base):
    """Who may get a new account through single sign-on, and with which role."""

    __tablename__ = "sso_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SsoRuleKind] = mapped_column(enum_column(SsoRuleKind))
    #: A lower-case domain, or a group name or id exactly as the provider sends it.
    value: Mapped[str] = mapped_column(sa.String(200))
    #: The provider's configured name; None: any configured provider.
    provider: Mapped[str | None] = mapped_column(sa.String(40))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: The client organisation of a client-user rule (None for staff).
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class SsoLink(Base):
    """An account's identity at a provider: the provider's ``sub``, which never changes,
    unlike the e-mail address."""

    __tablename__ = "sso_link"
    __table_args__ = (
        sa.UniqueConstraint("provider", "subject"),
        sa.UniqueConstraint("user_id", "provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
