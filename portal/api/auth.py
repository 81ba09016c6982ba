"""Who is asking, and may they: the API key from the ``Authorization`` header, its rate
limit and its scopes; and the audit record of every request."""
from __future__ import annotations

import time
from functools import wraps

from flask import Response, current_app, g, request
from limits import parse as parse_limit

from .. import resources as res
from ..db import get_session, keep_on_refusal
from ..extensions import limiter
from ..services import api_keys, audit
from .blueprint import bp
from .problems import ApiProblem

#: Routes anyone may read: the description and the reference page (no data in them).
PUBLIC = {"api.openapi", "api.docs"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC:
        return None
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        raise ApiProblem("unauthorized", "No API key was sent. Send it as 'Authorization: Bearer <key>'.")
    key = api_keys.authenticate(get_session(), presented)
    if key is None:
        raise ApiProblem("unauthorized", "The API key is unknown or has been revoked.")
    g.api_key, g.api_key_id, g.api_key_name, g.api_key_used = key, key.id, key.name, key.last_used_at
    _rate_limit(key.id)
    return None


def _rate_limit(key_id: int) -> None:
    """``API_RATE_LIMIT`` requests per key (e.g. "120 per minute"), counted in the limiter's
    storage (Redis when ``RATELIMIT_STORAGE_URI`` says so: all workers count together)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):  # Flask-Limiter's own switch
        return
    item = parse_limit(current_app.config["API_RATE_LIMIT"])
    strategy = limiter.limiter
    if strategy.hit(item, "api-key", str(key_id)):
        return
    reset_at, _remaining = strategy.get_window_stats(item, "api-key", str(key_id))
    wait = max(1, int(reset_at - time.time()) + 1)
    raise ApiProblem("rate-limited", f"This API key is limited to {current_app.config['API_RATE_LIMIT']} "
                                     f"requests. Wait {wait} seconds before the next request.",
                     headers={"Retry-After": str(wait)})


def requires(scope: str):
    """The route needs ``scope``; a key without it gets 403 (the spec lists it per operation)."""
    assert scope in api_keys.SCOPES, scope

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if scope not in (g.api_key.scopes or []):
                raise ApiProblem("missing-scope", f"This API key does not have the scope '{scope}', which this "
                                                  "operation needs.", extra={"required_scope": scope})
            return view(*args, **kwargs)

        wrapper.required_scope = scope
        return wrapper

    return decorator


def after_api_request(response: Response) -> Response:
    """Every API request is audit-logged (key id and name, method, path, status; never the
    key) and its key's last use noted. A refused request stores nothing else: its writes are
    rolled back first and only this record is kept."""
    if not request.path.startswith("/api/"):
        return response
    response.headers["Cache-Control"] = "no-store"
    if request.endpoint in PUBLIC:
        return response
    db = get_session()
    refused = response.status_code >= 400
    try:
        if refused:
            db.rollback()
        now = res.now()
        key_id = g.get("api_key_id")
        last = g.get("api_key_used")
        if key_id is not None and (last is None or last < now - api_keys.TOUCH_AFTER):
            api_keys.touch(db, key_id, now=now)  # not a write per request: once a minute
        audit.record(db, user_id=None, action="api_request", object_type="api_key", object_id=key_id,
                     detail={"key": g.get("api_key_name"), "method": request.method,
                             "path": request.path[:300], "status": response.status_code}, now=now)
        if refused:
            keep_on_refusal()
    except Exception:  # noqa: BLE001 - the database may be away (503): the answer still goes out
        current_app.logger.exception("could not audit-log an API request")
        try:
            db.rollback()
        except Exception:  # noqa: BLE001
            pass
    return response
