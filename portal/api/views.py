"""The API's routes: thin, like the web views. Each parses the request, asks the same
services as the web side (``services.access`` for what the key may see,
``services.candidate_admin`` to add a candidate or revoke a link) and answers JSON."""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request, url_for
from sqlalchemy.orm import selectinload

from item_banks.validation import is_int, unknown_fields

from .. import resources as res
from ..db import get_session
from ..downloads import attachment
from ..models import Assignment, Candidate, Report, ReportKind
from ..services import access, audit, invitation_admin, mail, reports
from ..services import candidate_admin as ca
from ..services.invitations import candidate_status, invitation_url, live_invitations
from ..web import renderer
from . import reference
from .blueprint import bp
from .auth import requires
from .idempotency import idempotent
from .problems import TYPES, ApiProblem, field_error
from .spec import build_spec

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _page_args() -> tuple[int, int]:
    errors = []
    values = {}
    for name, default, maximum in (("page", 1, None), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        if not raw.isdigit() or int(raw) < 1 or (maximum and int(raw) > maximum):
            limit = f"from 1 to {maximum}" if maximum else "of at least 1"
            errors.append(field_error(name, "invalid", f"{name} must be a whole number {limit}."))
            continue
        values[name] = int(raw)
    if errors:
        raise ApiProblem("validation", "The query parameters are not valid.", errors=errors)
    return values["page"], values["per_page"]


def _paginated(items: list, *, page: int, per_page: int, total: int) -> dict:
    pages = max(1, -(-total // per_page))

    def link(number: int) -> str:
        return url_for(request.endpoint, **(request.view_args or {}), page=number, per_page=per_page,
                       _external=True)

    return {"data": items,
            "pagination": {"page": page, "per_page": per_page, "total": total, "pages": pages},
            "links": {"self": link(page), "next": link(page + 1) if page < pages else None,
                      "prev": link(page - 1) if 1 < page <= pages + 1 else None}}


def _assignment(assignment_id: int) -> Assignment:
    try:
        return access.visible_assignment(get_session(), g.api_key, assignment_id)
    except access.NotVisible:
        raise ApiProblem("not-found", f"There is no assignment {assignment_id} for this API key.") from None


def _candidate(candidate_id: int) -> Candidate:
    try:
        return access.visible_candidate(get_session(), g.api_key, candidate_id)
    except access.NotVisible:
        raise ApiProblem("not-found", f"There is no candidate {candidate_id} for this API key.") from None


def assignment_json(a: Assignment, candidate_count: int) -> dict:
    return {
        "id": a.id, "title": a.title, "client": {"id": a.client_id, "name": a.client.name},
        "status": a.status.value, "language": a.language,
        "deadline": a.deadline.isoformat() if a.deadline else None,
        "created_at": iso(a.created_at), "candidate_count": candidate_count,
        "links": {"self": url_for("api.assignment", assignment_id=a.id, _external=True),
                  "candidates": url_for("api.candidates", assignment_id=a.id, _external=True)},
    }


def _counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(get_session().execute(
        sa.select(Candidate.assignment_id, sa.func.count()).where(Candidate.assignment_id.in_(ids))
        .group_by(Candidate.assignment_id)).all())


def candidate_json(c: Candidate, *, now: datetime, report: Report | None) -> dict:
    latest = max(c.invitations, key=lambda i: i.id, default=None)
    return {
        "id": c.id, "assignment_id": c.assignment_id, "name": c.name, "email": c.email,
        "status": candidate_status(c, now).value, "stage": c.stage.value,
        "language": c.chosen_language or (latest.language if latest else c.assignment.language),
        "extra_time_pct": c.extra_time_pct, "created_at": iso(c.created_at),
        "completed_at": iso(c.completed_at),
        "invitation": None if latest is None else {
            "id": latest.id, "created_at": iso(latest.created_at), "expires_at": iso(latest.expires_at),
            "opened_at": iso(latest.opened_at), "sent_at": iso(latest.sent_at),
            "revoked_at": iso(latest.revoked_at)},
        "report_released_at": iso(report.released_at) if report else None,
        "links": {"self": url_for("api.candidate", candidate_id=c.id, _external=True),
                  "result": url_for("api.candidate_result", candidate_id=c.id, _external=True),
                  "report_pdf": url_for("api.candidate_report_pdf", candidate_id=c.id, _external=True)},
    }


def _json_object() -> dict:
    if request.mimetype != "application/json":
        raise ApiProblem("unsupported-media-type",
                         f"The body must be JSON (Content-Type: application/json), not '{request.mimetype or 'none'}'.")
    try:
        data = json.loads(request.get_data() or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem("malformed-request", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiProblem("validation", "The body must be a JSON object.",
                         errors=[field_error("(body)", "not_an_object", "Send a JSON object with the fields.")])
    return data


#: The fields of a new candidate: JSON type, whether required.
CANDIDATE_FIELDS = {"name": ("string", True), "email": ("string", True), "language": ("string", False),
                    "extra_time_pct": ("integer", False), "send_invitation": ("boolean", False)}
_TYPE_CHECK = {"string": lambda v: isinstance(v, str),
               "integer": is_int,
               "boolean": lambda v: isinstance(v, bool)}
_TYPE_WORDS = {"string": "a string", "integer": "a whole number", "boolean": "true or false"}
#: ``CandidateAdminError`` codes (the web side's checks) as API messages; (field, text).
CANDIDATE_ERRORS = {
    "missing_name": ("name", "Enter the candidate's name."),
    "name_too_long": ("name", f"The name can be at most {ca.MAX_NAME_LENGTH} characters."),
    "missing_email": ("email", "Enter the candidate's e-mail address."),
    "invalid_email": ("email", "Enter a valid e-mail address, such as name@example.com."),
    "unknown_language": ("language", "The language must be 'sv' (Swedish) or 'en' (English)."),
    "invalid_extra_time": ("extra_time_pct", f"Extra time must be a whole number of percent from 0 to "
                                             f"{ca.MAX_EXTRA_TIME_PCT}."),
    "already_invited": ("email", "There is already a candidate with this e-mail address in this assignment."),
}


def _check_fields(data: dict, fields: dict) -> None:
    errors = [field_error(name, "unknown_field", f"'{name}' is not a field of this request.")
              for name in unknown_fields(data, fields)]
    for name, (kind, required) in fields.items():
        if name not in data:
            if required:
                errors.append(field_error(name, "missing", f"'{name}' is required."))
        elif not _TYPE_CHECK[kind](data[name]):
            errors.append(field_error(name, "wrong_type", f"'{name}' must be {_TYPE_WORDS[kind]}."))
    if errors:
        raise ApiProblem("validation", "The request has invalid fields; nothing was created.", errors=errors)


# -- routes ----------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    spec = build_spec()
    return render_template("api/docs.html", spec=spec, problems=TYPES.values(), inline=reference.inline,
                           intro=reference.paragraphs(spec["info"]["description"]),
                           operations=reference.operations(spec), schemas=reference.schemas(spec))


@bp.get("/assignments")
@requires("assignments:read")
def assignments():
    db = get_session()
    page, per_page = _page_args()
    scope = access.assignment_scope(g.api_key)
    total = db.scalar(sa.select(sa.func.count()).select_from(scope.with_only_columns(Assignment.id).subquery()))
    rows = db.scalars(scope.options(selectinload(Assignment.client)).order_by(Assignment.id)
                      .limit(per_page).offset((page - 1) * per_page)).all()
    counts = _counts([a.id for a in rows])
    return jsonify(_paginated([assignment_json(a, counts.get(a.id, 0)) for a in rows],
                              page=page, per_page=per_page, total=total or 0))


@bp.get("/assignments/<int:assignment_id>")
@requires("assignments:read")
def assignment(assignment_id: int):
    a = _assignment(assignment_id)
    return jsonify(assignment_json(a, _counts([a.id]).get(a.id, 0)))


@bp.get("/assignments/<int:assignment_id>/candidates")
@requires("candidates:read")
def candidates(assignment_id: int):
    db, now = get_session(), res.now()
    a = _assignment(assignment_id)
    page, per_page = _page_args()
    in_assignment = Candidate.assignment_id == a.id
    total = db.scalar(sa.select(sa.func.count()).select_from(Candidate).where(in_assignment)) or 0
    rows = db.scalars(sa.select(Candidate).where(in_assignment).options(selectinload(Candidate.invitations))
                      .order_by(Candidate.id).limit(per_page).offset((page - 1) * per_page)).all()
    released = reports.latest_of(db, [c.id for c in rows], ReportKind.CLIENT)
    items = [candidate_json(c, now=now, report=released.get(c.id)) for c in rows]
    return jsonify(_paginated(items, page=page, per_page=per_page, total=total))


@bp.post("/assignments/<int:assignment_id>/candidates")
@requires("candidates:write")
def create_candidate(assignment_id: int):
    a = _assignment(assignment_id)
    data = _json_object()
    _check_fields(data, CANDIDATE_FIELDS)

    def handler():
        db, now = get_session(), res.now()
        settings = res.invitation_settings()
        try:
            candidate, invitation = ca.add_candidate(
                db, a, name=data["name"], email=data["email"], language=data.get("language") or a.language,
                extra_time_pct=data.get("extra_time_pct", 0), user_id=None, now=now, settings=settings,
                source="api", api_key_id=g.api_key_id)
        except ca.CandidateAdminError as exc:
            field, text = CANDIDATE_ERRORS.get(exc.code, (exc.field or "(body)", exc.code))
            slug = "conflict" if exc.code == "already_invited" else "validation"
            raise ApiProblem(slug, text if slug == "conflict" else "The candidate could not be created: "
                             + text, errors=[field_error(field, exc.code, text)]) from None
        url = invitation_url(invitation, settings)
        email = "not_sent"
        if data.get("send_invitation"):
            message = mail.send_invitation(db, candidate, invitation, url, now=now, renderer=renderer)
            audit.record(db, user_id=None, action="send_invitation", object_type="invitation",
                         object_id=invitation.id,
                         detail={"candidate": candidate.id, "outbox": message.id, "api_key": g.api_key_id},
                         now=now)
            email = "queued" if mail.MailSettings.from_config(current_app.config).configured else "outbox"
        body = candidate_json(candidate, now=now, report=None)
        body["invitation"].update(url=url, email=email)
        return 201, body, body["links"]["self"]

    return idempotent(handler)


@bp.get("/candidates/<int:candidate_id>")
@requires("candidates:read")
def candidate(candidate_id: int):
    c = _candidate(candidate_id)
    report = reports.latest_of(get_session(), [c.id], ReportKind.CLIENT).get(c.id)
    return jsonify(candidate_json(c, now=res.now(), report=report))


@bp.delete("/candidates/<int:candidate_id>/invitation")
@requires("invitations:write")
def revoke_invitation(candidate_id: int):
    """Cancel the candidate's invitation: every link of theirs stops working (and a test
    session opened with one ends). Revoking again changes nothing and answers the same."""
    db, now = get_session(), res.now()
    c = _candidate(candidate_id)
    for invitation in live_invitations(c):
        invitation_admin.revoke_invitation(db, invitation, user_id=None, now=now, api_key_id=g.api_key_id)
    db.refresh(c)
    report = reports.latest_of(db, [c.id], ReportKind.CLIENT).get(c.id)
    return jsonify(candidate_json(c, now=now, report=report))


def _released(c: Candidate) -> Report:
    report = reports.latest(get_session(), c, ReportKind.CLIENT)
    if report is None:
        raise ApiProblem("not-released", f"No client report has been released for candidate {c.id} yet; results "
                                         "are available once a consultant releases it.")
    return report


@bp.get("/candidates/<int:candidate_id>/result")
@requires("results:read")
def candidate_result(candidate_id: int):
    c = _candidate(candidate_id)
    report = _released(c)
    audit.record(get_session(), user_id=None, action="view", object_type="report_client", object_id=report.id,
                 detail={"api_key": g.api_key_id, "version": report.version, "summary": True}, now=res.now())
    return jsonify(result_json(report))


@bp.get("/candidates/<int:candidate_id>/report.pdf")
@requires("reports:read")
def candidate_report_pdf(candidate_id: int):
    c = _candidate(candidate_id)
    report = _released(c)
    audit.record(get_session(), user_id=None, action="download", object_type="report_client",
                 object_id=report.id, detail={"api_key": g.api_key_id, "version": report.version,
                                              "sha256": report.pdf_sha256}, now=res.now())
    return attachment(report.pdf, name=reports.download_name(report), mimetype="application/pdf")


def result_json(report: Report) -> dict:
    """A summary of the newest released client report, from its frozen content: what the
    client reads, as data (no interview notes, nothing internal)."""
    content = report.content or {}
    synthesis = content.get("synthesis") or {}
    fit = content.get("fit")
    logic = content.get("logic")
    return {
        "candidate_id": report.candidate_id,
        "report": {"id": report.id, "version": report.version, "released_at": iso(report.released_at),
                   "language": report.language, "pdf_sha256": report.pdf_sha256},
        "recommendation": synthesis.get("recommendation") or None,
        "fit": None if not fit else {
            "competencies": fit.get("n"), "expected_met": fit.get("expected_met"),
            "met_low": fit.get("met_low"), "met_high": fit.get("met_high"),
            "musts": [{"name": m.get("name"), "probability": m.get("probability"), "status": m.get("status")}
                      for m in fit.get("musts", [])]},
        "competencies": [{"key": c.get("key"), "name": c.get("name"), "target": c.get("target"),
                          "must": bool(c.get("must")), "level": c.get("level"),
                          "probability": c.get("probability")} for c in content.get("competencies", [])],
        "logic": None if not logic else {"percentile": logic.get("percentile"), "low": logic.get("low"),
                                         "high": logic.get("high"), "incomplete": bool(logic.get("incomplete"))},
        "validity_flags": list(content.get("validity_flags") or []),
        "provisional_norms": bool(content.get("provisional_norms")),
        "links": {"report_pdf": url_for("api.candidate_report_pdf", candidate_id=report.candidate_id,
                                        _external=True)},
    }
