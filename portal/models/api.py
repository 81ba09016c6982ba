"""API keys of integrations (an applicant tracking system, say) and the remembered
responses of their idempotent requests (``portal/api``)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class ApiKey(Base):
    """A key an administrator made for one integration. Only the key's SHA-256 is stored;
    the key itself is shown once, when it is made."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the integration is, e.g. "Teamtailor".
    name: Mapped[str] = mapped_column(sa.String(200))
    #: The key's first characters, shown in lists so a key can be recognised (not secret).
    prefix: Mapped[str] = mapped_column(sa.String(20))
    #: SHA-256 (hex) of the whole key: the lookup value. High-entropy keys need no slow hash.
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The scopes granted, e.g. ["assignments:read", "candidates:write"].
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: A key restricted to one client organisation sees only its assignments (None: all).
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: Updated at most once a minute (``services.api_keys.TOUCH_AFTER``).
    last_used_at: Mapped[datetime | None]

    client: Mapped["Client | None"] = relationship()  # noqa: F821

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiIdempotencyKey(Base):
    """The first response to a POST sent with an ``Idempotency-Key`` header, per API key,
    stored in the same transaction as what the request created: a retry gets this response
    back instead of creating a second object."""

    __tablename__ = "api_idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_key.id"))
    key: Mapped[str] = mapped_column(sa.String(255))
    #: SHA-256 of the method, path and body: the same key with another request is refused.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(sa.JSON)
    #: The Location header of the first response, if any.
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),)
