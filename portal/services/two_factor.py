"""Two-factor sign-in: time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

A user enrols by scanning a QR code (or typing the secret) into an authenticator app and
confirming one code; they then get 10 recovery codes, shown once and stored only as
SHA-256 hashes (each is 50 random bits, so a fast hash is enough; a code works once).
At sign-in, after the password, a code from the app or a recovery code is needed. A code
is accepted in its 30-second step or the one before or after (clock drift), and never
twice: the last step used is stored, so an observed code cannot be replayed.

Services take plain values and ``now``, flush and never commit.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy.orm import Session

from ..models import User
from . import audit

ISSUER = "Second Opinion"
RECOVERY_CODES = 10
STEP_SECONDS = 30


class TwoFactorError(ValueError):
    """``bad_code`` (wrong, expired or already used), ``not_enrolled``, ``already_enrolled``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup (no script, no external reference)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="QR")


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode("ascii", "ignore")).hexdigest()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (``now`` -1, 0, +1) whose TOTP equals ``code``, or None."""
    code = _normalise(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // STEP_SECONDS
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, e.g. ``4f2a9-c81d0``, their hashes to store)."""
    codes = [f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODES)]
    return codes, [_hash(c) for c in codes]


def enable(session: Session, user: User, *, secret: str, code: str, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with ``secret`` once ``code`` from the app confirms it.
    Returns the recovery codes (shown once). Raises :class:`TwoFactorError`."""
    if user.totp_enabled_at is not None:
        raise TwoFactorError("already_enrolled")
    step = _matching_step(secret, code, now)
    if step is None:
        raise TwoFactorError("bad_code")
    codes, hashes = new_recovery_codes()
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    user.recovery_codes = hashes
    session.flush()
    audit.record(session, user_id=user.id, action="enable_2fa", object_type="user", object_id=user.id, now=now)
    return codes


def verify(session: Session, user: User, code: str, *, now: datetime) -> str:
    """Check a sign-in's second factor: a current TOTP code (not used before) or an unused
    recovery code (then spent). Returns ``"totp"`` or ``"recovery"``; raises
    :class:`TwoFactorError` (``bad_code``, ``not_enrolled``)."""
    if user.totp_enabled_at is None or not user.totp_secret:
        raise TwoFactorError("not_enrolled")
    step = _matching_step(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise TwoFactorError("bad_code")  # replayed
        user.totp_last_step = step
        session.flush()
        return "totp"
    hashed = _hash(code)
    remaining = list(user.recovery_codes or [])
    match = next((h for h in remaining if hmac.compare_digest(h, hashed)), None)
    if match is None or len(_normalise(code)) != 10:
        raise TwoFactorError("bad_code")
    remaining.remove(match)
    user.recovery_codes = remaining
    session.flush()
    audit.record(session, user_id=user.id, action="use_recovery_code", object_type="user", object_id=user.id,
                 detail={"remaining": len(remaining)}, now=now)
    return "recovery"


def reset(session: Session, user: User, *, by_user_id: int, now: datetime) -> None:
    """Turn two-factor sign-in off (an administrator, for a user who lost their device);
    the user is signed out everywhere and enrols again at the next sign-in if required."""
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.recovery_codes = None
    user.session_version += 1
    session.flush()
    audit.record(session, user_id=by_user_id, action="reset_2fa", object_type="user", object_id=user.id, now=now)
