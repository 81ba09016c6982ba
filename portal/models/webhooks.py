from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


class DeliveryStatus(enum.Enum):
    """Where one webhook delivery stands."""

    PENDING = "pending"  #: waiting for its first attempt (or a re-send), or being sent
    RETRYING = "retrying"  #: failed; the worker tries again at ``next_attempt_at``
    DELIVERED = "delivered"  #: the endpoint answered 2xx
    DEAD = "dead"  #: failed for a day; not tried again unless re-sent by hand


class WebhookEndpoint(Base):
    """A URL an administrator registered to receive signed event notifications
    (Standard Webhooks; ``portal.services.webhooks``)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The signing secret, ``whsec_<base64>``: shown once to the administrator, used by
    #: the worker to sign, never logged or shown again.
    secret: Mapped[str] = mapped_column(sa.String(100))
    #: The event types this endpoint receives (a list of strings).
    events: Mapped[list] = mapped_column(sa.JSON)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    secret_rotated_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event for one endpoint: the outbox row the worker delivers after the commit
    of the change that wrote it. The body is stored exactly as it is signed and sent,
    and ``message_id`` (the ``webhook-id`` header) is the same on every attempt."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id"), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    #: ``webhook-id``: ``msg_`` and random characters, shared by the deliveries of one event.
    message_id: Mapped[str] = mapped_column(sa.String(40))
    #: The JSON body (``{"type", "timestamp", "data"}``), ids and links only.
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING,
                                                   index=True)
    #: Attempts in the current round (a re-send starts a new round).
    attempts: Mapped[int] = mapped_column(default=0)
    #: When the worker may try next; while an attempt runs, the end of the worker's lease.
    #: Empty once delivered or dead.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The first attempt of the current round: retries stop a day after it.
    first_attempt_at: Mapped[datetime | None]
    #: Indexed: the worker removes deliveries finished long ago (``webhooks.forget_old``).
    last_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None]
    #: HTTP status of the last answer (None: no answer, e.g. refused or timed out).
    response_code: Mapped[int | None]
    #: A short excerpt of the last response body or the error (shown escaped).
    response_excerpt: Mapped[str | None] = mapped_column(sa.String(300))

    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "message_id"),
    )
