"""The OpenAPI 3.1 description of ``/api/v1``, built here in Python and served at
``/api/v1/openapi.json``; ``/api/v1/docs`` renders it as a page. Tests validate the
document (openapi-spec-validator) and check every route's responses against it, so a
route, status or field added without its description fails the tests."""
from __future__ import annotations

from copy import deepcopy

from ..services.api_keys import KEY_PREFIX, SCOPES
from .problems import TYPES

VERSION = "1.0.0"

DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
URI = {"type": "string", "format": "uri"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None, *, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties,
              "required": list(properties) if required is None else required,
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


SCHEMAS: dict = {
    "Problem": {
        "type": "object",
        "description": "An error (RFC 9457). `type` links to the problem's description on the reference page.",
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong with this request and what to do."},
            "instance": {"type": "string", "description": "The request's path."},
            "errors": {"type": "array", "items": _ref("FieldError"),
                       "description": "Validation problems: one per field."},
            "required_scope": {"type": "string", "enum": list(SCOPES),
                               "description": "With `missing-scope`: the scope the operation needs."},
        },
        "required": ["type", "title", "status", "detail", "instance"],
        "additionalProperties": False,
    },
    "FieldError": _obj({
        "field": {"type": "string", "description": "The body field, query parameter or header concerned."},
        "code": {"type": "string", "description": "A stable code, e.g. missing, wrong_type, unknown_field, "
                                                  "invalid_email, already_invited."},
        "message": {"type": "string"},
    }),
    "Pagination": _obj({
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0, "description": "Items on all pages."},
        "pages": {"type": "integer", "minimum": 1},
    }),
    "PageLinks": _obj({
        "self": URI,
        "next": {"type": ["string", "null"], "format": "uri", "description": "The next page; null on the last."},
        "prev": {"type": ["string", "null"], "format": "uri"},
    }),
    "Assignment": _obj({
        "id": {"type": "integer"},
        "title": {"type": "string", "description": "The role."},
        "client": _obj({"id": {"type": "integer"}, "name": {"type": "string"}}),
        "status": {"type": "string", "enum": ["open", "closed"]},
        "language": {"type": "string", "enum": ["sv", "en"],
                     "description": "Default language of invitations and tests."},
        "deadline": {"type": ["string", "null"], "format": "date"},
        "created_at": DATETIME,
        "candidate_count": {"type": "integer", "minimum": 0},
        "links": _obj({"self": URI, "candidates": URI}),
    }),
    "AssignmentList": _obj({"data": {"type": "array", "items": _ref("Assignment")},
                            "pagination": _ref("Pagination"), "links": _ref("PageLinks")}),
    "Invitation": _obj({
        "id": {"type": "integer"},
        "created_at": DATETIME,
        "expires_at": {**DATETIME, "description": "The link stops working after this (unless completed)."},
        "opened_at": NULLABLE_DATETIME,
        "sent_at": {**NULLABLE_DATETIME, "description": "When the invitation e-mail was sent."},
        "revoked_at": NULLABLE_DATETIME,
    }),
    "CandidateStatus": {
        "type": "string", "enum": ["invited", "opened", "in_progress", "completed", "expired", "revoked"],
        "description": "invited: link not opened yet; opened: link opened, tests not started; in_progress; "
                       "completed: all tests done; expired: the link expired before completion; revoked: "
                       "the invitation was cancelled.",
    },
    "Candidate": _obj({
        "id": {"type": "integer"},
        "assignment_id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "status": _ref("CandidateStatus"),
        "stage": {"type": "string", "enum": ["welcome", "instructions", "practice", "logic", "inventory", "done"],
                  "description": "Where the candidate is in the battery."},
        "language": {"type": "string", "enum": ["sv", "en"]},
        "extra_time_pct": {"type": "integer", "minimum": 0, "maximum": 300},
        "created_at": DATETIME,
        "completed_at": NULLABLE_DATETIME,
        "invitation": {"oneOf": [_ref("Invitation"), {"type": "null"}],
                       "description": "The newest invitation."},
        "report_released_at": {**NULLABLE_DATETIME,
                               "description": "When the newest client report was released (null: not yet)."},
        "links": _obj({"self": URI, "result": URI, "report_pdf": URI}),
    }),
    "CandidateList": _obj({"data": {"type": "array", "items": _ref("Candidate")},
                           "pagination": _ref("Pagination"), "links": _ref("PageLinks")}),
    "NewCandidate": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "email": {"type": "string", "format": "email", "maxLength": 254,
                      "description": "Unique within the assignment."},
            "language": {"type": "string", "enum": ["sv", "en"],
                         "description": "Language of the invitation and tests; default: the assignment's."},
            "extra_time_pct": {"type": "integer", "minimum": 0, "maximum": 300, "default": 0,
                               "description": "Accommodation: extra time on the timed test, in percent."},
            "send_invitation": {"type": "boolean", "default": False,
                                "description": "Queue the invitation e-mail (sent by the mail worker after the "
                                               "request). Otherwise send `invitation.url` yourself."},
        },
        "required": ["name", "email"],
        "additionalProperties": False,
    },
    "ResultSummary": _obj({
        "candidate_id": {"type": "integer"},
        "report": _obj({"id": {"type": "integer"}, "version": {"type": "integer", "minimum": 1},
                        "released_at": DATETIME, "language": {"type": "string", "enum": ["sv", "en"]},
                        "pdf_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}),
        "recommendation": {"type": ["string", "null"], "enum": ["recommend", "reservations", "not_recommended", None],
                           "description": "The consultant's recommendation, made and signed by a person."},
        "fit": {"oneOf": [{"type": "null"}, _obj({
            "competencies": {"type": ["integer", "null"], "description": "Competencies of the profile assessed."},
            "expected_met": {"type": ["number", "null"], "description": "Expected number of targets met."},
            "met_low": {"type": ["number", "null"]}, "met_high": {"type": ["number", "null"]},
            "musts": {"type": "array", "items": _obj({
                "name": {"type": ["string", "null"]}, "probability": {"type": ["number", "null"]},
                "status": {"type": ["string", "null"]}})},
        })]},
        "competencies": {"type": "array", "items": _obj({
            "key": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]},
            "target": {"type": ["integer", "number", "null"], "description": "Target level 1-5."},
            "must": {"type": "boolean"},
            "level": {"type": ["number", "null"], "description": "Combined level 1-5."},
            "probability": {"type": ["number", "null"], "description": "Probability of reaching the target."},
        })},
        "logic": {"oneOf": [{"type": "null"}, _obj({
            "percentile": {"type": ["integer", "null"]}, "low": {"type": ["integer", "null"]},
            "high": {"type": ["integer", "null"]}, "incomplete": {"type": "boolean"}})]},
        "validity_flags": {"type": "array", "items": {"type": "string"}},
        "provisional_norms": {"type": "boolean",
                              "description": "The norms are not yet based on real collected data."},
        "links": _obj({"report_pdf": URI}),
    }, description="A summary of the newest released client report (its frozen content)."),
}

#: The create response: a candidate whose invitation also has the link and what happened
#: to the e-mail.
SCHEMAS["CreatedCandidate"] = deepcopy(SCHEMAS["Candidate"])
SCHEMAS["CreatedCandidate"]["properties"]["invitation"] = _obj({
    **SCHEMAS["Invitation"]["properties"],
    "url": {**URI, "description": "The candidate's personal link: a credential, shown only in this response "
                                  "(a replay signs the same invitation's link again). Send it only to the candidate."},
    "email": {"type": "string", "enum": ["queued", "outbox", "not_sent"],
              "description": "queued: the mail worker sends it; outbox: no mail server is configured, the "
                             "message waits in the development outbox; not_sent: send_invitation was false."},
})

_PROBLEM_CONTENT = {"application/problem+json": {"schema": _ref("Problem")}}

#: Error responses every authenticated operation can give.
COMMON_ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/MissingScope"},
    "429": {"$ref": "#/components/responses/RateLimited"},
    "500": {"$ref": "#/components/responses/ServerError"},
    "503": {"$ref": "#/components/responses/Unavailable"},
}

RESPONSES = {
    "Unauthorized": {"description": "No key, or an unknown or revoked key (`unauthorized`).",
                     "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                     "content": _PROBLEM_CONTENT},
    "MissingScope": {"description": "The key lacks the operation's scope (`missing-scope`).",
                     "content": _PROBLEM_CONTENT},
    "NotFound": {"description": "No such object for this key (`not-found`).", "content": _PROBLEM_CONTENT},
    "Invalid": {"description": "Invalid query parameters or fields (`validation`); `errors` names each field.",
                "content": _PROBLEM_CONTENT},
    "RateLimited": {"description": "Rate limit of the key exceeded (`rate-limited`).",
                    "headers": {"Retry-After": {"description": "Seconds to wait.",
                                                "schema": {"type": "integer"}}},
                    "content": _PROBLEM_CONTENT},
    "ServerError": {"description": "Unexpected error; nothing was stored (`server-error`).",
                    "content": _PROBLEM_CONTENT},
    "Unavailable": {"description": "The database did not answer; nothing was stored (`unavailable`).",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": _PROBLEM_CONTENT},
    "NotReleased": {"description": "No client report released yet (`not-released`).", "content": _PROBLEM_CONTENT},
}

PARAMETERS = {
    "page": {"name": "page", "in": "query", "required": False, "description": "Page number, from 1.",
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
    "per_page": {"name": "per_page", "in": "query", "required": False, "description": "Items per page (at most 100).",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
    "assignment_id": {"name": "assignment_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "candidate_id": {"name": "candidate_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    "Idempotency-Key": {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "Any unique string (a UUID). A retry with the same key and the same body returns the "
                       "first response (with `Idempotent-Replayed: true`) and creates nothing more; the same "
                       "key with a different body is refused (`idempotency-key-reused`, 422).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255}},
}


def _p(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _json(schema: str, description: str, **extra) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}, **extra}


def _op(op_id: str, summary: str, scope: str, responses: dict, *, description: str = "",
        parameters: list | None = None, request_body: dict | None = None, tag: str) -> dict:
    operation = {"operationId": op_id, "summary": summary, "tags": [tag],
                 "description": (description + "\n\n" if description else "") + f"Scope: `{scope}`.",
                 "security": [{"bearerKey": [scope]}], "x-required-scope": scope,
                 "responses": {**responses, **COMMON_ERRORS}}
    if parameters:
        operation["parameters"] = parameters
    if request_body:
        operation["requestBody"] = request_body
    return operation


def _paths() -> dict:
    not_found = {"$ref": "#/components/responses/NotFound"}
    invalid = {"$ref": "#/components/responses/Invalid"}
    not_released = {"$ref": "#/components/responses/NotReleased"}
    return {
        "/assignments": {"get": _op(
            "listAssignments", "List assignments", "assignments:read", tag="Assignments",
            description="The assignments the key may see (all, or its client organisation's), oldest first.",
            parameters=[_p("page"), _p("per_page")],
            responses={"200": _json("AssignmentList", "One page of assignments."), "422": invalid})},
        "/assignments/{assignment_id}": {"get": _op(
            "getAssignment", "Get an assignment", "assignments:read", tag="Assignments",
            parameters=[_p("assignment_id")],
            responses={"200": _json("Assignment", "The assignment."), "404": not_found})},
        "/assignments/{assignment_id}/candidates": {
            "get": _op("listCandidates", "List an assignment's candidates", "candidates:read", tag="Candidates",
                       description="In the order they were added (never ranked).",
                       parameters=[_p("assignment_id"), _p("page"), _p("per_page")],
                       responses={"200": _json("CandidateList", "One page of candidates."),
                                  "404": not_found, "422": invalid}),
            "post": _op(
                "createCandidate", "Create a candidate and invitation", "candidates:write", tag="Candidates",
                description="Adds the candidate to the assignment with a new invitation, exactly as a "
                            "consultant does on the web (the `candidate.invited` webhook follows). The "
                            "response holds the candidate's personal link in `invitation.url`.",
                parameters=[_p("assignment_id"), _p("Idempotency-Key")],
                request_body={"required": True, "content": {"application/json": {"schema": _ref("NewCandidate")}}},
                responses={
                    "201": _json("CreatedCandidate", "Created.",
                                 headers={"Location": {"description": "The candidate's URL.",
                                                       "schema": {"type": "string", "format": "uri"}},
                                          "Idempotent-Replayed": {"description": "`true` on a replayed response.",
                                                                  "schema": {"type": "string"}}}),
                    "400": {"description": "The body is not JSON, or a malformed Idempotency-Key "
                                           "(`malformed-request`).", "content": _PROBLEM_CONTENT},
                    "404": not_found,
                    "409": {"description": "A candidate with this e-mail address is already in the assignment "
                                           "(`conflict`), or a request with this Idempotency-Key is still in "
                                           "progress.", "content": _PROBLEM_CONTENT},
                    "413": {"description": "The body is larger than 2 MB (`payload-too-large`).",
                            "content": _PROBLEM_CONTENT},
                    "415": {"description": "The body is not `application/json` (`unsupported-media-type`).",
                            "content": _PROBLEM_CONTENT},
                    "422": {"description": "Missing, unknown or invalid fields (`validation`), or an "
                                           "Idempotency-Key used with another body (`idempotency-key-reused`). "
                                           "Nothing was created.", "content": _PROBLEM_CONTENT},
                })},
        "/candidates/{candidate_id}": {"get": _op(
            "getCandidate", "Get a candidate's status", "candidates:read", tag="Candidates",
            parameters=[_p("candidate_id")],
            responses={"200": _json("Candidate", "The candidate."), "404": not_found})},
        "/candidates/{candidate_id}/invitation": {"delete": _op(
            "revokeInvitation", "Cancel the invitation", "invitations:write", tag="Candidates",
            description="Revokes every link of the candidate: it stops working at once (the "
                        "`invitation.revoked` webhook follows). Repeating it changes nothing.",
            parameters=[_p("candidate_id")],
            responses={"200": _json("Candidate", "The candidate, now with status `revoked` (or `completed`)."),
                       "404": not_found})},
        "/candidates/{candidate_id}/result": {"get": _op(
            "getResult", "Get the result summary", "results:read", tag="Results",
            description="Available once a consultant has released the client report (the `report.released` "
                        "webhook); before that 409 `not-released`.",
            parameters=[_p("candidate_id")],
            responses={"200": _json("ResultSummary", "The summary."), "404": not_found, "409": not_released})},
        "/candidates/{candidate_id}/report.pdf": {"get": _op(
            "getReportPdf", "Download the client report (PDF)", "reports:read", tag="Results",
            description="The newest released client report, the same file client users download.",
            parameters=[_p("candidate_id")],
            responses={"200": {"description": "The PDF (an attachment).",
                               "content": {"application/pdf": {"schema": {"type": "string",
                                                                          "contentMediaType": "application/pdf"}}}},
                       "404": not_found, "409": not_released})},
    }


_DESCRIPTION = f"""The Second Opinion API for applicant tracking systems and other integrations.

**Authentication.** Every operation needs an API key, made by an administrator on the API keys page
(`/admin/api-keys`) and shown once. Send it as `Authorization: Bearer {KEY_PREFIX}…`. A key has scopes
(each operation names the one it needs) and may be restricted to one client organisation: it then
sees that organisation's assignments and candidates only; anything else is 404.

**Errors** are `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail` and,
for invalid input, `errors` (one per field). A refused request creates nothing.

**Lists** are paginated with `page` and `per_page` (at most 100); `pagination.total` and
`links.next` tell what remains.

**Rate limit**: a number of requests per key and period (the server's `API_RATE_LIMIT`); past it, 429 with
`Retry-After`.

**Idempotency**: send `Idempotency-Key` on POST to make a retry safe.

Status changes are pushed as signed webhooks (Standard Webhooks); see docs/webhooks.md.
"""


def build_spec() -> dict:
    components = {
        "securitySchemes": {"bearerKey": {
            "type": "http", "scheme": "bearer",
            "description": f"An API key (`{KEY_PREFIX}…`). Scopes: " + ", ".join(f"`{s}`" for s in SCOPES) + "."}},
        "schemas": deepcopy(SCHEMAS),
        "responses": deepcopy(RESPONSES),
        "parameters": deepcopy(PARAMETERS),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Second Opinion API", "version": VERSION, "description": _DESCRIPTION,
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerKey": []}],
        "tags": [{"name": "Assignments"}, {"name": "Candidates"}, {"name": "Results"}],
        "paths": _paths(),
        "components": components,
        "x-problem-types": {slug: {"status": t.status, "title": t.title, "description": t.description}
                            for slug, t in TYPES.items()},
    }
