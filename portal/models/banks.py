"""Immutable logic bank versions and which one new attempts get."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class BankVersion(Base):
    """One version of a logic bank, as its complete JSON document. Written once, never
    changed (the ORM refuses updates and deletes: ``portal.services.bank_versions``):
    attempts and results name their version by ``bank_id`` and ``version`` and are scored
    and regenerated from exactly this document."""

    __tablename__ = "bank_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[str] = mapped_column(sa.String(50))
    #: The version it was calibrated or derived from (None for a shipped version).
    parent_version: Mapped[str | None] = mapped_column(sa.String(50))
    #: ``shipped`` (the bank file the portal came with), ``calibrated`` (``banks calibrate``) or
    #: ``retired`` (items retired by hand on the leak-monitoring page: ``bank_versions.retire_item``).
    source: Mapped[str] = mapped_column(sa.String(20))
    #: The bank file's text, byte for byte.
    document: Mapped[str] = mapped_column(sa.Text)
    #: Hex SHA-256 of ``document`` (UTF-8), checked when the version is loaded.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Sympson-Hetter exposure parameters calibrated for this version (``item_banks.adaptive``).
    exposure: Mapped[dict | None] = mapped_column(sa.JSON)
    #: The diff against the parent: summary counts and the per-item table.
    diff: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (sa.UniqueConstraint("bank_id", "version"),)


class BankActivation(Base):
    """Append-only history of activations: the latest row of a bank is the version new
    attempts get. No row: the shipped bank file."""

    __tablename__ = "bank_activation"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(100), index=True)
    version: Mapped[str] = mapped_column(sa.String(50))
    activated_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
