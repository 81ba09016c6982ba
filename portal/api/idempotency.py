"""``Idempotency-Key`` on POST: a retried request gets the first response back and
creates nothing more (``ApiIdempotencyKey`` rows, per API key)."""
from __future__ import annotations

import hashlib
import json
import re

import sqlalchemy as sa
from flask import Response, g, jsonify, request

from .. import resources as res
from ..db import get_session
from ..models import ApiIdempotencyKey, Candidate, Invitation
from ..services.invitations import invitation_url
from .problems import ApiProblem

MAX_IDEMPOTENCY_KEY = 255


def idempotent(handler):
    """Run ``handler`` (returning status, body, Location) once per ``Idempotency-Key``: the
    key, the request's hash and the response are stored in the same transaction as what
    the handler created, so a retry gets the first response back and creates nothing.
    The stored body holds neither the invitation link (a credential) nor the candidate's
    name and address (personal data); a replay fills them in from the candidate and signs
    the same invitation's link again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        status, body, location = handler()
        return _created(status, body, location)
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not re.fullmatch(r"[\x20-\x7e]+", key):
        raise ApiProblem("malformed-request", f"The Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY} "
                                              "printable ASCII characters (a UUID is a good choice).")
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode() + _canonical_body()).hexdigest()
    db, key_id = get_session(), g.api_key_id
    inserted = _claim(db, {"api_key_id": key_id, "key": key, "request_hash": digest, "created_at": res.now()})
    row = db.scalar(sa.select(ApiIdempotencyKey).where(ApiIdempotencyKey.api_key_id == key_id,
                                                       ApiIdempotencyKey.key == key))
    if not inserted:
        if row.request_hash != digest:
            raise ApiProblem("idempotency-key-reused", "This Idempotency-Key was used with a different request. "
                                                       "Use a new key for a new request.")
        if row.status_code is None:
            raise ApiProblem("idempotency-in-progress", "A request with this Idempotency-Key is still being "
                                                        "processed. Retry in a moment.")
        response = _created(row.status_code, _with_link(row.response), row.location)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    status, body, location = handler()
    row.status_code, row.response, row.location = status, _without_link(body), location
    db.flush()
    return _created(status, body, location)


def _claim(db, values: dict) -> bool:
    """Insert the key's row unless it exists (True when inserted). On PostgreSQL a
    concurrent request with the same key waits here until the first one commits, then
    finds its row. RETURNING tells whether a row was inserted (the driver's rowcount does
    not, for ON CONFLICT DO NOTHING with psycopg 3)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (insert(ApiIdempotencyKey).values(**values)
                 .on_conflict_do_nothing(index_elements=["api_key_id", "key"]).returning(ApiIdempotencyKey.id))
    return db.execute(statement).first() is not None


def _canonical_body() -> bytes:
    raw = request.get_data()
    try:
        return json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return raw


#: Left out of a stored response and filled in again on a replay: the candidate's name and
#: address (personal data stays in the candidate's row, where erasure finds it) and the link.
_NOT_STORED = ("name", "email")


def _without_link(body: dict) -> dict:
    stored = {k: v for k, v in json.loads(json.dumps(body)).items() if k not in _NOT_STORED}
    if stored.get("invitation"):
        stored["invitation"].pop("url", None)
    return stored


def _with_link(stored: dict) -> dict:
    body = json.loads(json.dumps(stored))
    db = get_session()
    candidate = db.get(Candidate, body.get("id", 0))
    values = {"name": candidate.name, "email": candidate.email} if candidate else {k: "" for k in _NOT_STORED}
    body.update(values)
    invitation = db.get(Invitation, (body.get("invitation") or {}).get("id", 0))
    if invitation is not None:
        body["invitation"]["url"] = invitation_url(invitation, res.invitation_settings())
    return body


def _created(status: int, body: dict, location: str | None) -> Response:
    response = jsonify(body)
    response.status_code = status
    if location:
        response.headers["Location"] = location
    return response
