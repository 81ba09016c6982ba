"""Errors of the API as ``application/problem+json`` (RFC 9457).

Every error under ``/api/`` is answered here, also those raised before the API's own
code runs (an unknown path, a wrong method, a body that is too large, an unexpected
exception): ``portal.errors`` hands any request for an ``/api/`` path to
:func:`from_exception`. A problem has ``type`` (a link to the problem's description on the
reference page), ``title`` (the same for every problem of the type), ``status``, ``detail``
(what went wrong with this request and what to do) and ``instance`` (the request's path);
a validation problem lists ``errors``, each with the ``field`` it concerns. The texts are
in English, the API's language for developers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from ..db import RETRY_AFTER_SECONDS, DatabaseUnavailable

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    #: When it happens and what to do (the reference page shows it).
    description: str


#: Every problem the API answers with, by slug.
TYPES = {t.slug: t for t in (
    ProblemType("malformed-request", 400, "Malformed request",
                "The body is not valid JSON, or a header is malformed. Send a JSON object."),
    ProblemType("unauthorized", 401, "Not authenticated",
                "No API key was sent, or the key is unknown or revoked. Send the key as "
                "`Authorization: Bearer <key>`; ask an administrator for a new key if it was revoked."),
    ProblemType("missing-scope", 403, "Missing scope",
                "The API key does not have the scope this operation needs (named in `detail` and "
                "in `required_scope`). An administrator can make a key with that scope."),
    ProblemType("not-found", 404, "Not found",
                "The path does not exist, or the object does not exist or is outside the key's "
                "client organisation (the two are not told apart)."),
    ProblemType("method-not-allowed", 405, "Method not allowed",
                "The path exists but not with this HTTP method; the `Allow` header lists the methods it has."),
    ProblemType("conflict", 409, "Conflict",
                "The request conflicts with the current state, e.g. the e-mail address already "
                "belongs to a candidate of the assignment."),
    ProblemType("not-released", 409, "Report not released",
                "No client report has been released for the candidate yet. Results and the report "
                "are available once a consultant releases the report (the `report.released` webhook "
                "says when)."),
    ProblemType("idempotency-in-progress", 409, "Request in progress",
                "A request with the same `Idempotency-Key` is still being processed. Retry a little later."),
    ProblemType("payload-too-large", 413, "Payload too large", "The body is larger than the server accepts (2 MB)."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type",
                "The body must be JSON: send `Content-Type: application/json`."),
    ProblemType("validation", 422, "Invalid request",
                "A field or query parameter is missing, of the wrong type, unknown, or has a value "
                "that is not accepted. `errors` lists each problem with its `field`. Nothing was created."),
    ProblemType("idempotency-key-reused", 422, "Idempotency key reused",
                "The `Idempotency-Key` was used before with a different request. Use a new key for a "
                "new request; send the same key only to retry the same request."),
    ProblemType("rate-limited", 429, "Too many requests",
                "The API key made more requests than its rate limit allows. Wait the number of "
                "seconds in the `Retry-After` header."),
    ProblemType("server-error", 500, "Server error",
                "An unexpected error occurred; nothing was stored. Try again; if it persists, tell the "
                "administrator (the time of the request helps)."),
    ProblemType("unavailable", 503, "Service unavailable",
                "The database did not answer. Nothing was stored; retry after `Retry-After` seconds."),
)}

_BY_STATUS = {400: "malformed-request", 401: "unauthorized", 403: "missing-scope", 404: "not-found",
              405: "method-not-allowed", 409: "conflict", 413: "payload-too-large", 415: "unsupported-media-type",
              422: "validation", 429: "rate-limited", 500: "server-error", 503: "unavailable"}


class ApiProblem(Exception):
    """Raised by the API's code; answered as a problem document."""

    def __init__(self, slug: str, detail: str, *, errors: list[dict] | None = None,
                 headers: dict | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.type = TYPES[slug]
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def field_error(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def type_uri(slug: str) -> str:
    return url_for("api.docs", _external=True) + f"#problem-{slug}"


def response(problem: ApiProblem) -> Response:
    body = {"type": type_uri(problem.type.slug), "title": problem.type.title, "status": problem.type.status,
            "detail": problem.detail, "instance": request.path}
    if problem.errors is not None:
        body["errors"] = problem.errors
    body.update(problem.extra)
    result = Response(json.dumps(body, ensure_ascii=False), status=problem.type.status, mimetype=PROBLEM_JSON)
    result.headers.update(problem.headers)
    result.headers["Cache-Control"] = "no-store"
    if problem.type.status == 401:
        result.headers["WWW-Authenticate"] = 'Bearer realm="second-opinion-api"'
    return result


_HTTP_DETAIL = {
    400: "The request could not be understood.",
    404: "There is nothing at this path. The reference at /api/v1/docs lists every path.",
    405: "This path does not accept the {method} method; the Allow header lists the methods it does.",
    413: "The body is too large.",
    429: "Too many requests.",
}


def from_exception(exc: BaseException) -> Response:
    """Any exception under ``/api/`` as a problem document."""
    if isinstance(exc, ApiProblem):
        return response(exc)
    if isinstance(exc, HTTPException) and exc.code in _BY_STATUS and exc.code < 500:
        headers = {}
        if exc.code == 405:
            headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        if exc.code == 429:
            headers = {"Retry-After": str(getattr(exc, "retry_after", None) or 60)}
        detail = _HTTP_DETAIL.get(exc.code, exc.description or "").format(method=request.method)
        return response(ApiProblem(_BY_STATUS[exc.code], detail, headers=headers))
    if isinstance(exc, (DatabaseUnavailable, sa.exc.OperationalError, sa.exc.InterfaceError)):
        return response(ApiProblem("unavailable", "The database did not answer. Nothing was stored.",
                                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)}))
    if not isinstance(exc, HTTPException):
        current_app.logger.exception("unhandled error in the API")
    return response(ApiProblem("server-error", "An unexpected error occurred; nothing was stored. Please try "
                                               "again in a moment."))
