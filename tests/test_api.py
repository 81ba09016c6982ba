"""The REST API /api/v1: its OpenAPI description, every route's responses checked
against it, keys and scopes, client-organisation scoping, bad input, idempotency, rate
limits, audit records and the released results."""
from __future__ import annotations

import hashlib
import json
import re
import uuid

import pytest
import sqlalchemy as sa
from openapi_contract import Contract
from openapi_spec_validator import validate

from portal import passwords
from portal.api.spec import build_spec
from portal.api.auth import PUBLIC
from portal.db import get_session
from portal.models import (
    ApiIdempotencyKey,
    ApiKey,
    Assignment,
    AuditEvent,
    Candidate,
    Client,
    Invitation,
    OutboxMessage,
    Report,
    ReportKind,
    Role,
    User,
)
from portal.services import api_keys

ALL = list(api_keys.SCOPES)
PDF = b"%PDF-1.7\n% the released client report\n"


@pytest.fixture(scope="module")
def spec():
    return build_spec()


@pytest.fixture(scope="module")
def contract(spec):
    return Contract(spec)


@pytest.fixture
def world(app, db):
    """Two client organisations, each with an assignment and a candidate; an admin who
    makes the keys."""
    admin = User(email="admin@example.com", name="Admin", role=Role.ADMIN,
                 password_hash=passwords.hash_password("a long enough password"))
    north, south = Client(name="Norrbolaget AB"), Client(name="Söderbolaget AB")
    db.add_all([admin, north, south])
    db.flush()
    a_north = Assignment(client=north, title="Ekonomichef", language="sv", norm_group="general",
                         logic_time_limit_minutes=20)
    a_south = Assignment(client=south, title="Controller", language="en", norm_group="general",
                         logic_time_limit_minutes=20)
    db.add_all([a_north, a_south])
    db.commit()
    return {"admin": admin.id, "north": north.id, "south": south.id,
            "a_north": a_north.id, "a_south": a_south.id}


@pytest.fixture
def make_key(app, world, clock):
    def factory(scopes=tuple(ALL), client_id=None, name="ATS") -> str:
        with app.app_context():
            session = get_session()
            new = api_keys.create_key(session, name=name, scopes=list(scopes), client_id=client_id,
                                      user_id=world["admin"], now=clock())
            session.commit()
            return new.secret

    return factory


class Api:
    """A test client speaking to the API with a key; every response is checked against
    the description."""

    def __init__(self, client, contract, key: str | None):
        self.client, self.contract, self.key = client, contract, key

    def call(self, method: str, url: str, *, key=..., headers=None, **kwargs):
        headers = dict(headers or {})
        key = self.key if key is ... else key
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        self.contract.check(method, url, response)
        return response

    def get(self, url, **kw):
        return self.call("GET", url, **kw)

    def post(self, url, **kw):
        return self.call("POST", url, **kw)

    def delete(self, url, **kw):
        return self.call("DELETE", url, **kw)


@pytest.fixture
def api(app, contract, make_key):
    return Api(app.test_client(), contract, make_key())


@pytest.fixture
def audit_since(db, world):
    """Audit events of this test only (the log is append-only: earlier tests' stay)."""
    start = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0

    def events(*conditions):
        db.rollback()
        return db.scalars(sa.select(AuditEvent).where(AuditEvent.id > start, *conditions)
                          .order_by(AuditEvent.id)).all()

    return events


def count(db, model) -> int:
    db.rollback()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def release_report(db, candidate_id: int, released_by: int, at) -> int:
    """A released client report, as reports.release stores it (content abridged)."""
    content = {
        "kind": "client", "language": "sv",
        "synthesis": {"recommendation": "reservations", "judgement": "Stark analytisk förmåga."},
        "fit": {"n": 2, "expected_met": 1.4, "met_low": 1, "met_high": 2,
                "musts": [{"name": "Analytisk förmåga", "probability": 0.82, "status": "likely"}],
                "musts_without_evidence": []},
        "competencies": [{"key": "analysis", "name": "Analytisk förmåga", "target": 4, "must": True,
                          "level": 4.2, "probability": 0.82, "sources": []},
                         {"key": "drive", "name": "Driv", "target": 3, "must": False, "level": None,
                          "probability": None, "sources": []}],
        "logic": {"percentile": 71, "low": 60, "high": 80, "incomplete": False},
        "validity_flags": [], "provisional_norms": True,
    }
    report = Report(candidate_id=candidate_id, kind=ReportKind.CLIENT, version=1, language="sv",
                    content=content, stamp={}, html="<p>rapport</p>", pdf=PDF,
                    pdf_sha256=hashlib.sha256(PDF).hexdigest(), released_by_id=released_by, released_at=at)
    db.add(report)
    db.commit()
    return report.id


def new_candidate(api, assignment_id, **fields):
    body = {"name": "Alva Lindqvist", "email": "alva@example.com", **fields}
    return api.post(f"/api/v1/assignments/{assignment_id}/candidates", json=body)


# -- the description ------------------------------------------------------------------------


def test_the_description_is_valid_openapi_and_served_without_a_key(client, spec):
    validate(spec)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(spec))
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["openapi"].startswith("3.1")


def test_every_api_route_is_in_the_description_with_its_scope(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint in PUBLIC:
            continue
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"].get(template, {}).get(method.lower())
            assert operation is not None, f"{method} {template} is not described in the OpenAPI document"
            assert operation["security"] == [{"bearerKey": [view.required_scope]}]
            routes.add((method.lower(), template))
    assert routes == Contract(spec).operations()


def test_the_reference_page_describes_every_operation_and_problem(client, spec):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Set-Cookie" not in page.headers
    assert "<h1>" in html and 'lang="en"' in html
    for path, item in spec["paths"].items():
        for method in item:
            assert f'data-operation="{method.upper()} /api/v1{path}"' in html
    for slug in spec["x-problem-types"]:
        assert f'id="problem-{slug}"' in html
    assert "cdn" not in html.lower() and "<script" not in html


# -- every operation against the description ------------------------------------------------


def _url(path: str, ids: dict) -> str:
    return "/api/v1" + path.format(**ids)


def test_every_operation_and_its_errors_match_the_description(app, db, contract, make_key, world, clock):
    full = Api(app.test_client(), contract, make_key())
    contract.covered.clear()
    created = new_candidate(full, world["a_north"])
    assert created.status_code == 201
    cid = created.get_json()["id"]
    ids = {"assignment_id": world["a_north"], "candidate_id": cid}

    # Every operation: 401 without a key, 403 without its scope, 404 for an unknown object.
    for method, path in sorted(contract.operations()):
        operation = contract.spec["paths"][path][method]
        scope = operation["x-required-scope"]
        url = _url(path, ids)
        kwargs = {"json": {"name": "X", "email": "x@example.com"}} if method == "post" else {}
        assert full.call(method, url, key=None, **kwargs).status_code == 401
        other = make_key(scopes=[s for s in ALL if s != scope], name=f"without {scope}")
        refused = full.call(method, url, key=other, **kwargs)
        assert refused.status_code == 403
        assert refused.get_json()["required_scope"] == scope
        if "{" in path:
            assert full.call(method, _url(path, {k: 987654 for k in ids}), **kwargs).status_code == 404

    # Successes and the other documented errors.
    assert full.get("/api/v1/assignments").status_code == 200
    assert full.get("/api/v1/assignments?per_page=101").status_code == 422
    assert full.get(f"/api/v1/assignments/{world['a_north']}").status_code == 200
    assert full.get(f"/api/v1/assignments/{world['a_north']}/candidates").status_code == 200
    assert full.get(f"/api/v1/assignments/{world['a_north']}/candidates?page=0").status_code == 422
    post = f"/api/v1/assignments/{world['a_north']}/candidates"
    assert full.post(post, data="{nope", content_type="application/json").status_code == 400
    assert full.post(post, data="name=x", content_type="application/x-www-form-urlencoded").status_code == 415
    assert full.post(post, json={"name": "Alva"}).status_code == 422
    huge = json.dumps({"name": "Alva", "email": "big@example.com", "note": "x" * (3 * 1024 * 1024)})
    assert full.post(post, data=huge, content_type="application/json").status_code == 413
    assert new_candidate(full, world["a_north"]).status_code == 409
    assert full.get(f"/api/v1/candidates/{cid}").status_code == 200
    assert full.get(f"/api/v1/candidates/{cid}/result").status_code == 409
    assert full.get(f"/api/v1/candidates/{cid}/report.pdf").status_code == 409
    release_report(db, cid, world["admin"], clock())
    assert full.get(f"/api/v1/candidates/{cid}/result").status_code == 200
    assert full.get(f"/api/v1/candidates/{cid}/report.pdf").status_code == 200
    assert full.delete(f"/api/v1/candidates/{cid}/invitation").status_code == 200

    never = {"429", "500", "503"}  # exercised in their own tests below
    for method, path in contract.operations():
        documented = set(contract.spec["paths"][path][method]["responses"]) - never
        seen = {str(status) for m, p, status in contract.covered if (m, p) == (method, path)}
        assert documented <= seen, f"{method.upper()} {path}: not exercised: {sorted(documented - seen)}"


def test_unknown_paths_and_methods_answer_problems(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = api.call("PUT", "/api/v1/assignments")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.get_json()["title"] == "Method not allowed"
    response = api.call("PATCH", "/api/v1/candidates/1/invitation")
    assert response.status_code == 405


# -- keys, scopes and scoping ---------------------------------------------------------------


def test_unknown_revoked_and_missing_keys_are_refused(app, api, db, make_key, world, clock):
    for header in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
                   {"Authorization": "Bearer so_key_not-a-real-key"}):
        response = api.get("/api/v1/assignments", key=None, headers=header)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Bearer" in response.get_json()["detail"] or "unknown" in response.get_json()["detail"]
    secret = make_key(name="to revoke")
    assert api.get("/api/v1/assignments", key=secret).status_code == 200
    key = db.scalar(sa.select(ApiKey).where(ApiKey.key_hash == api_keys.hash_key(secret)))
    with app.app_context():
        session = get_session()
        api_keys.revoke_key(session, session.get(ApiKey, key.id), user_id=world["admin"], now=clock())
        session.commit()
    response = api.get("/api/v1/assignments", key=secret)
    assert response.status_code == 401
    assert response.get_json()["detail"] == "The API key is unknown or has been revoked."


def test_keys_are_stored_hashed_with_a_recognisable_prefix(make_key, db):
    secret = make_key()
    assert secret.startswith("so_key_") and len(secret) > 40
    row = db.scalar(sa.select(ApiKey))
    assert row.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:13]
    values = [str(v) for v in db.execute(sa.select(ApiKey.__table__)).one()]
    assert all(secret not in v for v in values)


def test_a_key_of_one_client_organisation_sees_only_its_own(app, contract, make_key, world, db):
    north = Api(app.test_client(), contract, make_key(client_id=world["north"], name="north"))
    south = Api(app.test_client(), contract, make_key(client_id=world["south"], name="south"))
    every = Api(app.test_client(), contract, make_key(name="all"))
    n_cid = new_candidate(north, world["a_north"], email="n@example.com").get_json()["id"]
    s_cid = new_candidate(south, world["a_south"], email="s@example.com").get_json()["id"]

    def titles(client):
        return [a["title"] for a in client.get("/api/v1/assignments").get_json()["data"]]

    assert titles(north) == ["Ekonomichef"]
    assert titles(south) == ["Controller"]
    assert titles(every) == ["Ekonomichef", "Controller"]
    assert north.get("/api/v1/assignments").get_json()["pagination"]["total"] == 1
    # The other organisation's objects do not exist for the key: 404, as on the web side.
    before = count(db, Candidate)
    for response in (north.get(f"/api/v1/assignments/{world['a_south']}"),
                     north.get(f"/api/v1/assignments/{world['a_south']}/candidates"),
                     new_candidate(north, world["a_south"], email="sneak@example.com"),
                     north.get(f"/api/v1/candidates/{s_cid}"),
                     north.get(f"/api/v1/candidates/{s_cid}/result"),
                     north.get(f"/api/v1/candidates/{s_cid}/report.pdf"),
                     north.delete(f"/api/v1/candidates/{s_cid}/invitation")):
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["title"] == "Not found"
    assert count(db, Candidate) == before
    assert db.get(Invitation, db.scalar(sa.select(Invitation.id).where(Invitation.candidate_id == s_cid))
                  ).revoked_at is None
    assert south.get(f"/api/v1/candidates/{n_cid}").status_code == 404
    assert every.get(f"/api/v1/candidates/{n_cid}").status_code == 200
    assert every.get(f"/api/v1/candidates/{s_cid}").status_code == 200


def test_each_route_checks_its_scope(app, contract, make_key, world):
    reader = Api(app.test_client(), contract, make_key(scopes=["assignments:read"]))
    assert reader.get("/api/v1/assignments").status_code == 200
    refused = new_candidate(reader, world["a_north"])
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == ("This API key does not have the scope 'candidates:write', "
                                            "which this operation needs.")
    assert reader.get(f"/api/v1/assignments/{world['a_north']}/candidates").status_code == 403


# -- creating candidates ----------------------------------------------------------------------


def test_create_a_candidate_returns_a_working_invitation_link(app, api, db, world, audit_since):
    response = new_candidate(api, world["a_north"], language="en", extra_time_pct=25)
    body = response.get_json()
    assert response.status_code == 201
    assert response.headers["Location"] == body["links"]["self"]
    assert (body["name"], body["email"], body["language"], body["extra_time_pct"]) == (
        "Alva Lindqvist", "alva@example.com", "en", 25)
    assert body["status"] == "invited" and body["invitation"]["email"] == "not_sent"
    assert count(db, OutboxMessage) == 0
    link = body["invitation"]["url"].removeprefix("http://localhost")
    assert link.startswith("/i/")
    opened = app.test_client().get(link)
    assert opened.status_code == 302  # the candidate's link opens the test
    status = api.get(f"/api/v1/candidates/{body['id']}").get_json()
    assert status["status"] == "opened" and "url" not in status["invitation"]
    # Through the same service as the web form: its audit record, marked as the API's.
    [event] = audit_since(AuditEvent.action == "create", AuditEvent.object_type == "candidate",
                          AuditEvent.object_id == body["id"])
    key_id = db.scalar(sa.select(ApiKey.id))
    assert event.user_id is None and event.detail["source"] == "api" and event.detail["api_key"] == key_id


def test_create_can_queue_the_invitation_email(api, db, world, audit_since):
    response = new_candidate(api, world["a_north"], send_invitation=True)
    assert response.status_code == 201
    assert response.get_json()["invitation"]["email"] == "outbox"  # no SMTP server in the tests
    message = db.scalar(sa.select(OutboxMessage))
    assert message.to_address == "alva@example.com" and message.candidate_id == response.get_json()["id"]
    [sent] = audit_since(AuditEvent.action == "send_invitation")
    assert sent.detail["api_key"] and sent.object_id == db.scalar(sa.select(Invitation.id))


@pytest.mark.parametrize("body, field, code", [
    ({"email": "a@example.com"}, "name", "missing"),
    ({"name": "Alva"}, "email", "missing"),
    ({"name": "Alva", "email": "not an address"}, "email", "invalid_email"),
    ({"name": "Alva", "email": "alva@example"}, "email", "invalid_email"),
    ({"name": "   ", "email": "a@example.com"}, "name", "missing_name"),
    ({"name": 42, "email": "a@example.com"}, "name", "wrong_type"),
    ({"name": "Alva", "email": "a@example.com", "extra_time_pct": "25"}, "extra_time_pct", "wrong_type"),
    ({"name": "Alva", "email": "a@example.com", "extra_time_pct": True}, "extra_time_pct", "wrong_type"),
    ({"name": "Alva", "email": "a@example.com", "extra_time_pct": 400}, "extra_time_pct", "invalid_extra_time"),
    ({"name": "Alva", "email": "a@example.com", "language": "de"}, "language", "unknown_language"),
    ({"name": "Alva", "email": "a@example.com", "send_invitation": "yes"}, "send_invitation", "wrong_type"),
    ({"name": "Alva", "email": "a@example.com", "phone": "070"}, "phone", "unknown_field"),
])
def test_bad_input_is_refused_with_the_field_and_creates_nothing(api, db, world, body, field, code):
    before = [count(db, m) for m in (Candidate, Invitation, OutboxMessage, ApiIdempotencyKey)]
    response = api.post(f"/api/v1/assignments/{world['a_north']}/candidates", json=body,
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 422
    problem = response.get_json()
    assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in problem["errors"]]
    assert problem["type"].endswith("#problem-validation")
    assert [count(db, m) for m in (Candidate, Invitation, OutboxMessage, ApiIdempotencyKey)] == before


def test_other_refusals_create_nothing(api, db, world):
    base = f"/api/v1/assignments/{world['a_north']}/candidates"
    assert new_candidate(api, world["a_north"]).status_code == 201
    before = [count(db, m) for m in (Candidate, Invitation)]
    duplicate = new_candidate(api, world["a_north"], email="ALVA@example.com ")
    assert duplicate.status_code == 409
    assert duplicate.get_json()["errors"][0]["field"] == "email"
    assert new_candidate(api, 987654).status_code == 404
    assert api.post(base, data="[1, 2]", content_type="application/json").status_code == 422
    assert api.post(base, data="{", content_type="application/json").status_code == 400
    assert api.post(base, data=b"name=Alva", content_type="text/plain").status_code == 415
    assert [count(db, m) for m in (Candidate, Invitation)] == before


# -- idempotency --------------------------------------------------------------------------------


def test_a_retried_create_returns_the_first_response_and_creates_one_candidate(app, api, db, world):
    url = f"/api/v1/assignments/{world['a_north']}/candidates"
    body = {"name": "Alva Lindqvist", "email": "alva@example.com", "send_invitation": True}
    headers = {"Idempotency-Key": "8f14e45f-ceea-467f-a0e6-1b3c5d7e9f10"}
    first = api.post(url, json=body, headers=headers)
    # The same body, spelled differently (key order), is the same request.
    again = api.post(url, data=json.dumps(dict(reversed(body.items()))), content_type="application/json",
                     headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    one, two = first.get_json(), again.get_json()
    url_one, url_two = one["invitation"].pop("url"), two["invitation"].pop("url")
    assert one == two
    # The link is signed again for the same invitation (it is never stored): both work.
    for link in (url_one, url_two):
        assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 302
    assert count(db, Candidate) == 1 and count(db, Invitation) == 1 and count(db, OutboxMessage) == 1
    stored = db.scalar(sa.select(ApiIdempotencyKey))
    assert "url" not in stored.response["invitation"] and url_one not in json.dumps(stored.response)
    assert "alva" not in json.dumps(stored.response).lower()  # no personal data kept beside the candidate

    reused = api.post(url, json={**body, "name": "Someone Else"}, headers=headers)
    assert reused.status_code == 422
    assert reused.get_json()["type"].endswith("#problem-idempotency-key-reused")
    assert count(db, Candidate) == 1
    # Without the header a second create is a second request: the address is taken.
    assert api.post(url, json=body).status_code == 409


def test_a_refused_create_does_not_use_up_its_idempotency_key(api, db, world):
    url = f"/api/v1/assignments/{world['a_north']}/candidates"
    headers = {"Idempotency-Key": "retry-me"}
    assert api.post(url, json={"name": "Alva", "email": "bad"}, headers=headers).status_code == 422
    assert api.post(url, json={"name": "Alva", "email": "alva@example.com"}, headers=headers).status_code == 201
    assert count(db, Candidate) == 1
    long_key = {"Idempotency-Key": "x" * 256}
    assert api.post(url, json={"name": "B", "email": "b@example.com"}, headers=long_key).status_code == 400


# -- status, results, report, revoke ------------------------------------------------------------


def test_results_and_report_only_once_released(api, db, world, clock, audit_since):
    cid = new_candidate(api, world["a_north"]).get_json()["id"]
    early = api.get(f"/api/v1/candidates/{cid}/result")
    assert early.status_code == 409
    assert "released" in early.get_json()["detail"]
    assert api.get(f"/api/v1/candidates/{cid}/report.pdf").status_code == 409
    report_id = release_report(db, cid, world["admin"], clock())
    summary = api.get(f"/api/v1/candidates/{cid}/result").get_json()
    assert summary["recommendation"] == "reservations"
    assert summary["report"]["version"] == 1 and summary["report"]["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert [c["key"] for c in summary["competencies"]] == ["analysis", "drive"]
    assert summary["logic"]["percentile"] == 71 and summary["provisional_norms"] is True
    assert "judgement" not in json.dumps(summary)
    pdf = api.get(f"/api/v1/candidates/{cid}/report.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == PDF
    assert "attachment" in pdf.headers["Content-Disposition"] and pdf.headers["Cache-Control"] == "no-store"
    assert api.get(f"/api/v1/candidates/{cid}").get_json()["report_released_at"] is not None
    actions = [(e.action, e.object_id) for e in audit_since(AuditEvent.object_type == "report_client")]
    assert actions == [("view", report_id), ("download", report_id)]


def test_revoking_an_invitation_stops_the_link(app, api, db, world, audit_since):
    created = new_candidate(api, world["a_north"]).get_json()
    link = created["invitation"]["url"].removeprefix("http://localhost")
    response = api.delete(f"/api/v1/candidates/{created['id']}/invitation")
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    assert app.test_client().get(link).status_code == 410
    again = api.delete(f"/api/v1/candidates/{created['id']}/invitation")
    assert again.status_code == 200 and again.get_json()["status"] == "revoked"
    revokes = audit_since(AuditEvent.action == "revoke", AuditEvent.object_type == "invitation")
    assert len(revokes) == 1 and revokes[0].detail["api_key"]


def test_lists_are_paginated_with_total_and_next_link(api, world):
    for n in range(5):
        assert new_candidate(api, world["a_north"], email=f"c{n}@example.com").status_code == 201
    url = f"/api/v1/assignments/{world['a_north']}/candidates?per_page=2"
    first = api.get(url).get_json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert [c["email"] for c in first["data"]] == ["c0@example.com", "c1@example.com"]
    last = api.get(first["links"]["next"].removeprefix("http://localhost")).get_json()
    last = api.get(last["links"]["next"].removeprefix("http://localhost")).get_json()
    assert [c["email"] for c in last["data"]] == ["c4@example.com"] and last["links"]["next"] is None
    assert api.get(url + "&page=9").get_json()["data"] == []
    bad = api.get(f"/api/v1/assignments/{world['a_north']}/candidates?per_page=500&page=x")
    assert sorted(e["field"] for e in bad.get_json()["errors"]) == ["page", "per_page"]


# -- transport: no cookies, no CSRF, no-store; rate limit; audit ----------------------------------


def test_no_session_cookie_and_no_csrf_token(app, api, world):
    client = api.client
    client.set_cookie("so_session", "something-a-browser-sent")
    response = new_candidate(api, world["a_north"])  # a POST without any CSRF token
    assert response.status_code == 201
    for r in (response, api.get("/api/v1/assignments"), api.get("/api/v1/nothing")):
        assert "Set-Cookie" not in r.headers
        assert "Cookie" not in r.headers.get("Vary", "")
        assert r.headers["Cache-Control"] == "no-store"


def test_the_rate_limit_is_per_key_and_answers_a_problem(make_app, contract, make_key, world):
    app = make_app(API_RATE_LIMIT="3 per minute")
    busy = Api(app.test_client(), contract, make_key(name="busy"))
    calm = Api(app.test_client(), contract, make_key(name="calm"))
    assert [busy.get("/api/v1/assignments").status_code for _ in range(3)] == [200, 200, 200]
    limited = busy.get("/api/v1/assignments")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert "3 per minute" in limited.get_json()["detail"]
    assert calm.get("/api/v1/assignments").status_code == 200


def test_an_unexpected_error_is_a_problem_and_stores_nothing(api, db, world, monkeypatch, audit_since):
    from portal.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "candidate_json", broken)
    response = new_candidate(api, world["a_north"])
    assert response.status_code == 500
    assert response.get_json()["title"] == "Server error" and "boom" not in response.get_data(as_text=True)
    assert count(db, Candidate) == 0
    assert [e.detail["status"] for e in audit_since(AuditEvent.action == "api_request")] == [500]
    assert audit_since(AuditEvent.object_type == "candidate") == []


def test_every_request_is_audited_without_the_key(api, db, world, clock, audit_since):
    assert api.get("/api/v1/assignments").status_code == 200
    assert new_candidate(api, world["a_north"], email="bad").status_code == 422
    assert api.get("/api/v1/assignments", key="so_key_wrong").status_code == 401
    events = audit_since(AuditEvent.action == "api_request")
    key = db.scalar(sa.select(ApiKey).where(ApiKey.name == "ATS"))
    assert [(e.object_id, e.detail["method"], e.detail["path"], e.detail["status"]) for e in events] == [
        (key.id, "GET", "/api/v1/assignments", 200),
        (key.id, "POST", f"/api/v1/assignments/{world['a_north']}/candidates", 422),
        (None, "GET", "/api/v1/assignments", 401)]
    assert events[0].detail["key"] == "ATS"
    assert all(api.key not in json.dumps(e.detail) for e in events)
    # The key's last use is recorded (at most once a minute, not a write per request).
    assert key.last_used_at == clock()


# -- docs/api.md --------------------------------------------------------------------------------


def test_the_documented_signature_check_agrees_with_standard_webhooks(spec):
    """The stdlib verifier in docs/api.md, run against a signature made by the
    standardwebhooks package (the scheme's kept library)."""
    import base64
    from datetime import datetime, timezone
    from pathlib import Path

    from standardwebhooks import Webhook

    text = (Path(__file__).parent.parent / "docs" / "api.md").read_text()
    [code] = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify(" in block]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own documentation's example
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    body = b'{"type":"candidate.invited","timestamp":"2026-12-06T09:00:00Z","data":{"candidate_id":87}}'
    now = datetime.now(timezone.utc)
    signature = Webhook(secret).sign("msg_2Kx", now, body)
    headers = {"webhook-id": "msg_2Kx", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": f"v1,bm90IHRoaXMgb25l {signature}"}
    assert namespace["verify"](secret, headers, body) is True
    assert namespace["verify"](secret, headers, body.replace(b"87", b"88")) is False
    assert namespace["verify"](secret, {**headers, "webhook-id": "msg_other"}, body) is False
    old = {**headers, "webhook-timestamp": str(int(now.timestamp()) - 3600)}
    assert namespace["verify"](secret, old, body) is False
    assert Webhook(secret).verify(body, headers)["data"]["candidate_id"] == 87
    for path, item in spec["paths"].items():  # the guide covers every operation
        for method in item:
            shown = re.sub(r"\{\w+\}", "{id}", path)
            assert shown in text, f"{method.upper()} {path} is missing from docs/api.md"


def test_last_use_is_written_at_most_once_a_minute(api, db, clock):
    first = clock()
    assert api.get("/api/v1/assignments").status_code == 200
    clock.advance(seconds=30)
    assert api.get("/api/v1/assignments").status_code == 200
    db.rollback()
    assert db.scalar(sa.select(ApiKey.last_used_at)) == first
    clock.advance(seconds=31)
    assert api.get("/api/v1/assignments").status_code == 200
    db.rollback()
    assert db.scalar(sa.select(ApiKey.last_used_at)) == clock()


def test_concurrent_retries_with_one_idempotency_key_create_one_candidate(app, contract, make_key, world, db,
                                                                          monkeypatch):
    """Two copies of one request at once (a client retrying on a timeout while the first is
    still running): the second waits for the first's row and answers its response."""
    import threading
    import time

    from portal.services import candidate_admin

    real = candidate_admin.add_candidate

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(candidate_admin, "add_candidate", slow)
    key = make_key()
    url = f"/api/v1/assignments/{world['a_north']}/candidates"
    results = []

    def send():
        client = app.test_client()
        response = client.post(url, json={"name": "Alva", "email": "alva@example.com"},
                               headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "same-request"})
        results.append((response.status_code, response.get_json()["id"], response.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r[2] or "" for r in results) == ["", "true"]
    assert {r[:2] for r in results} == {(201, results[0][1])}
    assert count(db, Candidate) == 1
