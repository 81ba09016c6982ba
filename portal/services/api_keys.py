"""API keys for integrations: made by an administrator, shown once, stored hashed.

A key is ``so_key_`` followed by 43 random URL-safe characters (256 bits from
``secrets``). Only its SHA-256 is stored; a presented key is found by the hash of what
was presented (a unique index lookup), so no stored secret is ever compared character by
character. A key carries scopes (what it may do) and, optionally, a client organisation:
such a key sees that organisation's assignments and nothing else
(``services.access.assignment_scope``).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import ApiKey, Client
from . import audit

#: The recognisable start of every key (secret scanners and people can spot a leaked one).
KEY_PREFIX = "so_key_"
#: Characters of a key kept in clear to recognise it in lists (the prefix and 6 more).
SHOWN_CHARS = len(KEY_PREFIX) + 6
MAX_NAME_LENGTH = 200
#: ``last_used_at`` is written at most this often per key (not a write per request).
TOUCH_AFTER = timedelta(minutes=1)

#: Every scope, in the order the administrator's form lists them.
SCOPES = (
    "assignments:read",
    "candidates:read",
    "candidates:write",
    "invitations:write",
    "results:read",
    "reports:read",
)


class ApiKeyError(ValueError):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class NewKey:
    """A key just made: ``secret`` is the only copy of the key, to be shown once."""

    key: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(session: Session, *, name: str, scopes: list[str] | tuple[str, ...],
               client_id: int | None, user_id: int, now: datetime) -> NewKey:
    name = " ".join((name or "").split())
    if not name:
        raise ApiKeyError("missing_name", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise ApiKeyError("name_too_long", "name")
    chosen = [s for s in SCOPES if s in set(scopes)]
    if not chosen or len(chosen) != len(set(scopes)):
        raise ApiKeyError("missing_scopes" if not chosen else "unknown_scope", "scopes")
    if client_id is not None and session.get(Client, client_id) is None:
        raise ApiKeyError("unknown_client", "client_id")
    secret = generate()
    key = ApiKey(name=name, prefix=secret[:SHOWN_CHARS], key_hash=hash_key(secret), scopes=chosen,
                 client_id=client_id, created_by_id=user_id, created_at=now)
    session.add(key)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="api_key", object_id=key.id,
                 detail={"scopes": chosen, "client": client_id}, now=now)
    return NewKey(key, secret)


def revoke_key(session: Session, key: ApiKey, *, user_id: int, now: datetime) -> bool:
    """Stop the key working at once. False when it was revoked already."""
    changed = session.execute(
        sa.update(ApiKey).where(ApiKey.id == key.id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    session.refresh(key)
    if changed:
        audit.record(session, user_id=user_id, action="revoke", object_type="api_key", object_id=key.id,
                     now=now)
    return changed


def authenticate(session: Session, presented: str | None) -> ApiKey | None:
    """The active key whose hash matches the presented key, or None."""
    if not presented or not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    key = session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == hash_key(presented)))
    if key is None or key.revoked_at is not None:
        return None
    return key


def touch(session: Session, key_id: int, *, now: datetime) -> None:
    """Record the use of a key, unless it was recorded less than ``TOUCH_AFTER`` ago."""
    session.execute(
        sa.update(ApiKey).where(ApiKey.id == key_id, sa.or_(ApiKey.last_used_at.is_(None),
                                                            ApiKey.last_used_at < now - TOUCH_AFTER))
        .values(last_used_at=now).execution_options(synchronize_session=False))


def all_keys(session: Session) -> list[ApiKey]:
    """Every key, active ones first, newest first."""
    return list(session.scalars(sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))
