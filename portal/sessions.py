"""Flask's signed-cookie sessions, with the expiry slid at most once a minute.

Flask re-signs and re-sends a permanent session's cookie on every response, to slide its
expiry (``SESSION_REFRESH_EACH_REQUEST``). On a candidate's answer path that is two cookies
per answer, each one serialised, compressed and signed by the server and parsed by the
browser, for an expiry that moves by a few seconds. Here an unchanged session's cookie is
re-sent only when it was signed more than ``REFRESH_AFTER_SECONDS`` ago, so a session still
ends after ``PERMANENT_SESSION_LIFETIME`` without a request, give or take that minute. A
changed session is always sent, as before; the signing serializer is built once per key
instead of twice per request.

A candidate sends the same cookie with every request for that minute, so the worker keeps
the cookies it has verified (signature, then payload) by their exact value, a bounded
number of them, and only checks the age of a known one again; an unknown or altered
cookie is verified in full as before.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

#: An unchanged permanent session's cookie is re-sent once it is older than this.
REFRESH_AFTER_SECONDS = 60
#: Verified cookies kept per worker (then the memo starts afresh).
VERIFIED_MAX = 4096
#: Paths of the API (``portal.api``): no session there.
API_PREFIX = "/api/"


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict = {}
        #: (signing keys, cookie value) -> (payload, signed at): cookies verified already.
        self._verified: dict = {}

    def _keys(self, app) -> tuple:
        return (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))

    def get_signing_serializer(self, app):
        key = self._keys(app)
        if key not in self._serializers:
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]

    def open_session(self, app, request):
        if request.path.startswith(API_PREFIX):
            # The API authenticates every request by its bearer key: a browser's session
            # cookie is neither read nor set there (so no CSRF either).
            session = self.session_class()
            session.api = True
            return session
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        memo_key = (self._keys(app), value)
        known = self._verified.get(memo_key)
        if known is not None:
            data, signed_at = known
            # As itsdangerous checks it: whole seconds, neither older than max_age nor future.
            if not 0 <= int(time.time()) - int(signed_at.timestamp()) <= max_age:
                return self.session_class()
            data = _copy(data)
        else:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if len(self._verified) >= VERIFIED_MAX:
                self._verified.clear()
            self._verified[memo_key] = (_copy(data), signed_at)
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def save_session(self, app, session, response) -> None:
        if getattr(session, "api", False):
            return
        super().save_session(app, session, response)

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or (
            (datetime.now(timezone.utc) - signed_at).total_seconds() >= REFRESH_AFTER_SECONDS)


def _copy(value):
    """A copy of a session payload's dicts and lists (the rest is immutable), so that a
    view changing its session in place never changes the memo."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
