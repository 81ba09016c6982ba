"""Signed link tokens: candidate invitations and staff set-password links.

A token is an itsdangerous signature over ``[row id, nonce]`` with a purpose-specific
salt (one per kind of link, so a token of one kind never opens another): no personal
data, opaque to the reader, and valid only while its database row still carries the
same nonce (the row can revoke it).
"""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_SALT = "second-opinion.invitation.v1"
SET_PASSWORD_SALT = "second-opinion.set-password.v1"


class TokenError(Exception):
    """Base of token problems."""


class TokenInvalid(TokenError):
    """Forged, damaged or unknown token (HTTP 404)."""


class TokenExpired(TokenError):
    """Genuine token past its maximum age, or revoked (HTTP 410)."""


class TokenUsed(TokenError):
    """Genuine single-use token that has been used already (HTTP 410)."""


def _dumps(secret_key: str, salt: str, row_id: int, nonce: str) -> str:
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps([row_id, nonce])


def _loads(secret_key: str, salt: str, token: str, max_age_seconds: int) -> tuple[int, str]:
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenExpired("token expired") from exc
    except BadSignature as exc:
        raise TokenInvalid("token invalid") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise TokenInvalid("token payload malformed")
    return payload[0], payload[1]


def make_invitation_token(secret_key: str, invitation_id: int, nonce: str) -> str:
    return _dumps(secret_key, INVITATION_SALT, invitation_id, nonce)


def read_invitation_token(secret_key: str, token: str, max_age_seconds: int) -> tuple[int, str]:
    return _loads(secret_key, INVITATION_SALT, token, max_age_seconds)


def make_set_password_token(secret_key: str, user_id: int, nonce: str) -> str:
    return _dumps(secret_key, SET_PASSWORD_SALT, user_id, nonce)


def read_set_password_token(secret_key: str, token: str, max_age_seconds: int) -> tuple[int, str]:
    """(user id, nonce) of a set-password token; ``TokenInvalid`` or ``TokenExpired``."""
    return _loads(secret_key, SET_PASSWORD_SALT, token, max_age_seconds)
