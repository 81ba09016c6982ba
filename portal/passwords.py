"""Password storage and policy.

Storage: argon2id (argon2-cffi) with the OWASP Password Storage Cheat Sheet's first
recommended configuration: 19 MiB of memory (m = 19456 KiB), 2 iterations, parallelism 1.
Hashes made before (Werkzeug's ``scrypt:`` / ``pbkdf2:``) still verify, and
:func:`needs_rehash` says when a stored hash should be replaced at the next successful
sign-in (old scheme or other parameters).

Policy (:func:`problems`): 12 to 128 characters; not one of the 30,000 common passwords
shipped in ``portal/data/common_passwords.txt`` (also not with digits or punctuation
merely added at the end, e.g. ``password123456``); not containing the local part of the
user's e-mail address. Each problem is a code, so the pages show their own text.

A new user has no password until they choose one through their set-password link: their
stored value is :func:`unusable` (``!`` and random characters, never a hash), which
:func:`verify` refuses after the same work as a wrong password, so a sign-in attempt tells
no one whether the account has a password yet.

Standard library + argon2-cffi + Werkzeug (no Flask application state).
"""
from __future__ import annotations

import functools
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common_passwords.txt"

#: OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16,
                        type=Type.ID)

_TRAILING = re.compile(r"[\d\W_]+$")
UNUSABLE_PREFIX = "!"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def unusable() -> str:
    """The stored value of an account without a password: no password matches it."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def is_usable(stored: str | None) -> bool:
    return bool(stored) and not stored.startswith(UNUSABLE_PREFIX)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password")


def verify(stored: str, password: str) -> bool:
    """Does ``password`` match the stored hash (argon2id, or a Werkzeug hash from before)?

    An unusable value never matches; it costs the same argon2id work as a wrong password."""
    if password is None:
        return False
    if stored and stored.startswith(UNUSABLE_PREFIX):
        try:  # the same work as a wrong password, and never a match
            HASHER.verify(_dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    if not stored:
        return False
    if stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except (ValueError, TypeError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash of an older scheme or with other parameters than :data:`HASHER`'s."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problems(password: str, email: str = "") -> list[str]:
    """Why ``password`` is refused, as codes (empty when it is accepted):
    ``too_short``, ``too_long``, ``common``, ``contains_email``."""
    password = password or ""
    found = []
    if len(password) < MIN_LENGTH:
        found.append("too_short")
    if len(password) > MAX_LENGTH:
        found.append("too_long")
    lowered = password.lower()
    common = common_passwords()
    if lowered in common or _TRAILING.sub("", lowered) in common:
        found.append("common")
    local = (email or "").split("@", 1)[0].lower()
    if len(local) >= 3 and local in lowered:
        found.append("contains_email")
    return found
