"""Invitation tokens.

The token is an itsdangerous signature over ``[invitation_id, nonce]`` with a
purpose-specific salt: no personal data, opaque to the reader, and valid only
while the invitation row still carries the same nonce and is not revoked.
"""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_SALT = "second-opinion.invitation.v1"


class TokenError(Exception):
    """Base of token problems."""


class TokenInvalid(TokenError):
    """Forged, damaged or unknown token (HTTP 404)."""


class TokenExpired(TokenError):
    """Genuine token past its maximum age, or revoked (HTTP 410)."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=INVITATION_SALT)


def make_invitation_token(secret_key: str, invitation_id: int, nonce: str) -> str:
    return _serializer(secret_key).dumps([invitation_id, nonce])


def read_invitation_token(secret_key: str, token: str, max_age_seconds: int) -> tuple[int, str]:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenExpired("invitation token expired") from exc
    except BadSignature as exc:
        raise TokenInvalid("invitation token invalid") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise TokenInvalid("invitation token payload malformed")
    return payload[0], payload[1]
