"""Signed webhooks (Standard Webhooks) through the delivery outbox, on SQLite and PostgreSQL.

Deliveries go to a receiver on 127.0.0.1 started by the test; signatures are checked
with an implementation of the scheme written here (hmac + base64), not the library
the app signs with.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import numpy as np
import pytest
import sqlalchemy as sa
from conftest import csrf_from, old_sqlite
from helpers import Candidate as Browser

from portal import resources as res
from portal.db import get_session
from portal.models import (
    Assignment,
    AuditEvent,
    Candidate,
    DeliveryStatus,
    Invitation,
    ReportKind,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.services import candidate_import as ci
from portal.services import demo, invitation_admin, webhooks
from portal.services import reports as report_service
from portal.services.invitations import invitation_url, invite_candidate
from portal.web import renderer

BASE = "https://so.example"


# -- an independent implementation of the Standard Webhooks signature ----------------------


def expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_"):])
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_ok(secret: str, headers: dict, body: bytes) -> bool:
    wanted = expected_signature(secret, headers["webhook-id"], headers["webhook-timestamp"], body)
    return any(hmac.compare_digest(wanted, given) for given in headers["webhook-signature"].split(" "))


# -- a receiver on loopback ----------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers with the next of
    ``responses`` (then ``default``)."""

    def __init__(self):
        self.requests: list[SimpleNamespace] = []
        self.responses: list[tuple[int, bytes]] = []
        self.default = (200, b"ok")
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append(SimpleNamespace(
                        path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body))
                    code, text = receiver.responses.pop(0) if receiver.responses else receiver.default
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def events(self) -> list[dict]:
        return [json.loads(r.body) for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver():
    made = []

    def start() -> Receiver:
        made.append(Receiver())
        return made[-1]

    yield start
    for r in made:
        r.close()


@pytest.fixture
def hooks_app(make_app):
    return make_app(WEBHOOK_ALLOW_PRIVATE_TARGETS=True, BASE_URL=BASE, WEBHOOK_TIMEOUT=5)


def add_endpoint(app, url: str, events=webhooks.EVENTS) -> tuple[int, str]:
    with app.app_context():
        session = get_session()
        endpoint, secret = webhooks.create_endpoint(
            session, url=url, description="ATS", events=events, user_id=None, now=res.now(),
            settings=webhooks.WebhookSettings.from_config(app.config))
        session.commit()
        return endpoint.id, secret


def run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def deliveries(db) -> list[WebhookDelivery]:
    db.expire_all()
    return db.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def make_users(make_user) -> dict[str, int]:
    return {key: make_user(f"{key}@example.com", role, name=key.title())
            for key, role in (("admin", Role.ADMIN), ("consultant", Role.CONSULTANT), ("client", Role.CLIENT))}


# -- events, end to end ----------------------------------------------------------------------


def test_every_event_is_delivered_signed_with_ids_and_links_only(hooks_app, db, receiver, clock, make_assignment,
                                                                 login_as, make_user):
    app = hooks_app
    r = receiver()
    endpoint_id, secret = add_endpoint(app, r.url())
    users = make_users(make_user)
    aid = make_assignment(staff=(users["consultant"],))

    # candidate.invited: a consultant adds a candidate on the page
    kons = login_as("consultant", "en", app=app)
    page = kons.get(f"/admin/assignments/{aid}/candidates/new")
    response = kons.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": csrf_from(page), "name": "Greta Grön", "email": "greta@example.com", "language": "sv",
        "extra_time": "0"})
    assert response.status_code == 302
    cid = db.scalar(sa.select(Candidate.id).where(Candidate.email == "greta@example.com"))
    first = db.scalar(sa.select(Invitation).where(Invitation.candidate_id == cid))
    assert r.requests == []  # queued, not sent: the request did no HTTP
    assert [d.event_type for d in deliveries(db)] == ["candidate.invited"]
    assert "1 delivered" in run_worker(app)

    # invitation.revoked + candidate.invited: the link is re-issued (the old one is revoked)
    with app.app_context():
        session = get_session()
        new = invitation_admin.reissue_invitation(session, session.get(Candidate, cid), user_id=users["consultant"],
                                                  now=clock(), settings=res.invitation_settings())
        link = invitation_url(new, res.invitation_settings()).removeprefix(BASE)
        new_id = new.id
        session.commit()

    # candidate.started and candidate.completed: the candidate takes the battery in the browser
    browser = Browser(app.test_client(), link).through_practice()
    browser.start_test()
    assert [d.event_type for d in deliveries(db)][-1] == "candidate.started"
    browser.answer_all_items()
    browser.finish_inventory()
    assert [d.event_type for d in deliveries(db)][-1] == "candidate.completed"

    # report.released: the candidate's feedback report
    with app.app_context():
        session = get_session()
        report = report_service.release(session, session.get(Candidate, cid), ReportKind.CANDIDATE,
                                        user_id=users["consultant"], now=clock(), renderer=renderer, inventory=res.inventory())
        report_id = report.id
        session.commit()

    # invitation.revoked by a consultant, on a second candidate
    with app.app_context():
        session = get_session()
        other, other_inv = invite_candidate(session, session.get(Assignment, aid), name="Olle Ort",
                                            email="olle@example.com", now=clock(),
                                            settings=res.invitation_settings())
        session.commit()
        other_id, other_inv_id = other.id, other_inv.id
        assert invitation_admin.revoke_invitation(session, session.get(Invitation, other_inv_id),
                                                  user_id=users["consultant"], now=clock())
        session.commit()

    # invitation.expired: a third candidate's link runs out; the worker notices it once
    with app.app_context():
        session = get_session()
        third, third_inv = invite_candidate(session, session.get(Assignment, aid), name="Tora Tid",
                                            email="tora@example.com", now=clock(),
                                            settings=res.invitation_settings())
        session.commit()
        third_id, third_inv_id = third.id, third_inv.id
    clock.advance(days=app.config["INVITATION_MAX_AGE_DAYS"], seconds=1)
    output = run_worker(app)
    assert "expired invitation(s) noticed" in output
    run_worker(app)  # noticed once only

    got = r.events()
    types = [e["type"] for e in got]
    assert types == ["candidate.invited", "invitation.revoked", "candidate.invited", "candidate.started",
                     "candidate.completed", "report.released", "candidate.invited", "invitation.revoked",
                     "candidate.invited", "invitation.expired"]
    for request in r.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["webhook-id"].startswith("msg_")
        assert int(request.headers["webhook-timestamp"]) <= int(clock().timestamp())  # the attempt's time
        assert request.headers["webhook-signature"].startswith("v1,")
        assert signature_ok(secret, request.headers, request.body)
        assert not signature_ok(secret, request.headers, request.body.replace(b"}", b" }", 1))  # tampered
        text = request.body.decode()
        for personal in ("Greta", "greta@", "Olle", "olle@", "Tora", "tora@", "Testbolaget", "Controller"):
            assert personal not in text
    assert len({r_.headers["webhook-id"] for r_ in r.requests}) == len(r.requests)

    by_type = {}
    for event in got:
        assert set(event) == {"type", "timestamp", "data"}
        by_type.setdefault(event["type"], []).append(event["data"])
    assert by_type["candidate.invited"][0] == {
        "candidate_id": cid, "assignment_id": aid, "invitation_id": first.id, "status": "invited", "language": "sv",
        "invited_at": by_type["candidate.invited"][0]["invited_at"],
        "expires_at": by_type["candidate.invited"][0]["expires_at"],
        "links": {"candidate": f"{BASE}/api/v1/candidates/{cid}"}}
    assert by_type["invitation.revoked"][0]["invitation_id"] == first.id
    assert by_type["invitation.revoked"][0]["reason"] == "reissued"
    assert by_type["candidate.invited"][1]["invitation_id"] == new_id
    assert by_type["candidate.started"][0]["candidate_id"] == cid
    assert by_type["candidate.completed"][0] | {"completed_at": None} == {
        "candidate_id": cid, "assignment_id": aid, "status": "completed", "completed_at": None,
        "links": {"candidate": f"{BASE}/api/v1/candidates/{cid}"}}
    assert by_type["report.released"][0]["report_id"] == report_id
    assert by_type["report.released"][0]["kind"] == "candidate"
    assert by_type["invitation.revoked"][1] | {"revoked_at": None} == {
        "candidate_id": other_id, "assignment_id": aid, "invitation_id": other_inv_id, "status": "revoked",
        "reason": "revoked", "revoked_at": None, "links": {"candidate": f"{BASE}/api/v1/candidates/{other_id}"}}
    assert by_type["invitation.expired"] == [{
        "candidate_id": third_id, "assignment_id": aid, "invitation_id": third_inv_id, "status": "expired",
        "expired_at": by_type["invitation.expired"][0]["expired_at"],
        "links": {"candidate": f"{BASE}/api/v1/candidates/{third_id}"}}]
    assert all(d.status is DeliveryStatus.DELIVERED and d.response_code == 200 and d.endpoint_id == endpoint_id
               for d in deliveries(db))


def test_client_report_release_links_the_report_pdf(hooks_app, db, clock, make_invitation):
    app = hooks_app
    add_endpoint(app, "http://127.0.0.1:9/hook", events=["report.released"])
    cid, _, _ = make_invitation()
    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        fake = SimpleNamespace(id=41, kind=ReportKind.CLIENT, version=2, released_at=clock())
        assert webhooks.report_released(session, candidate, fake, now=clock()) == 1
        session.commit()
    data = json.loads(deliveries(db)[-1].payload)["data"]
    assert data["links"] == {"candidate": f"{BASE}/api/v1/candidates/{cid}",
                             "report_pdf": f"{BASE}/api/v1/candidates/{cid}/report.pdf"}
    assert (data["kind"], data["version"], data["report_id"]) == ("client", 2, 41)


def test_events_are_queued_in_the_changes_transaction(hooks_app, db, clock, make_assignment, make_invitation):
    app = hooks_app
    add_endpoint(app, "http://127.0.0.1:9/hook")
    aid = make_assignment()
    with app.app_context():
        session = get_session()
        candidate, invitation = invite_candidate(session, session.get(Assignment, aid), name="A", email="a@example.com",
                                                 now=clock(), settings=res.invitation_settings())
        # visible in the change's own transaction ...
        assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 1
        session.rollback()
    assert deliveries(db) == []  # ... and gone with it

    cid, iid, _ = make_invitation(aid, email="b@example.com")
    assert len(deliveries(db)) == 1
    with app.app_context():
        session = get_session()
        assert invitation_admin.revoke_invitation(session, session.get(Invitation, iid), user_id=None, now=clock())
        session.rollback()
        c = session.get(Candidate, cid)
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table("general"), now=clock(), rng=np.random.default_rng(3))
        assert session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 3  # started, completed
        session.rollback()
    assert [d.event_type for d in deliveries(db)] == ["candidate.invited"]
    assert db.get(Invitation, iid).revoked_at is None


def test_csv_import_and_cli_invite_emit_too(hooks_app, db, clock, make_assignment):
    app = hooks_app
    add_endpoint(app, "http://127.0.0.1:9/hook", events=["candidate.invited"])
    aid = make_assignment()
    result = app.test_cli_runner().invoke(args=["invite", "--assignment", str(aid), "--name", "Cli Kandidat",
                                                "--email", "cli@example.com"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        rows = ci.parse_candidates_csv(b"name,email\nAnna A,anna@example.com\nBo B,bo@example.com\n",
                                       default_language="sv")
        ci.import_candidates(session, a, rows, confirm_valid_only=False, user_id=None, now=clock(),
                             settings=res.invitation_settings())
        session.commit()
    queued = deliveries(db)
    assert [d.event_type for d in queued] == ["candidate.invited"] * 3
    ids = [json.loads(d.payload)["data"]["candidate_id"] for d in queued]
    assert ids == list(db.scalars(sa.select(Candidate.id).order_by(Candidate.id)))


def test_disabled_endpoints_and_unsubscribed_events_get_nothing(hooks_app, db, clock, make_invitation):
    app = hooks_app
    on, _ = add_endpoint(app, "http://127.0.0.1:9/a", events=["candidate.completed"])
    off, _ = add_endpoint(app, "http://127.0.0.1:9/b")
    with app.app_context():
        session = get_session()
        webhooks.update_endpoint(session, session.get(WebhookEndpoint, off), events=webhooks.EVENTS, description="",
                                 enabled=False, user_id=None, now=clock())
        session.commit()
    make_invitation()
    assert deliveries(db) == []


# -- retries, dead letter, re-send -----------------------------------------------------------


def test_a_failed_delivery_is_retried_with_the_same_id_until_it_succeeds(hooks_app, db, receiver, clock,
                                                                          make_invitation):
    app = hooks_app
    r = receiver()
    r.responses = [(500, b"database down"), (503, b"still down")]
    _, secret = add_endpoint(app, r.url())
    make_invitation()
    run_worker(app)
    (d,) = deliveries(db)
    assert (d.status, d.attempts, d.response_code, d.response_excerpt) == (DeliveryStatus.RETRYING, 1, 500,
                                                                           "database down")
    wait = d.next_attempt_at - clock()
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)  # 5 s with jitter
    run_worker(app)
    assert len(r.requests) == 1  # not due yet
    clock.now = d.next_attempt_at
    run_worker(app)
    (d,) = deliveries(db)
    assert (d.status, d.attempts, d.response_code) == (DeliveryStatus.RETRYING, 2, 503)
    assert timedelta(minutes=4) <= d.next_attempt_at - clock() <= timedelta(minutes=6)  # 5 min with jitter
    clock.now = d.next_attempt_at
    run_worker(app)
    (d,) = deliveries(db)
    assert (d.status, d.attempts, d.response_code, d.delivered_at) == (DeliveryStatus.DELIVERED, 3, 200, clock())
    assert len(r.requests) == 3
    assert len({q.headers["webhook-id"] for q in r.requests}) == 1  # one message, three attempts
    assert len({q.body for q in r.requests}) == 1
    assert len({q.headers["webhook-timestamp"] for q in r.requests}) == 3  # each attempt signed anew
    assert all(signature_ok(secret, q.headers, q.body) for q in r.requests)


def test_refused_connections_are_retried_and_die_after_a_day_then_resent_by_hand(hooks_app, db, receiver, clock,
                                                                                    make_invitation, login_as,
                                                                                    make_user):
    app = hooks_app
    r = receiver()
    r.default = (503, b'<script>alert("x")</script> unavailable')
    endpoint_id, secret = add_endpoint(app, r.url())
    make_invitation()
    start = clock()
    times = []
    for _ in range(30):
        run_worker(app)
        (d,) = deliveries(db)
        times.append(clock())
        if d.status is DeliveryStatus.DEAD:
            break
        assert d.status is DeliveryStatus.RETRYING
        assert d.next_attempt_at - clock() <= webhooks.RETRY_CAP * webhooks.JITTER[1]
        clock.now = d.next_attempt_at
    assert d.status is DeliveryStatus.DEAD and d.next_attempt_at is None
    assert times[-1] - start >= timedelta(hours=24)  # retried for at least a day
    assert times[-2] - start < timedelta(hours=24)  # and given up at the first failure after it
    assert 6 <= d.attempts == len(r.requests) <= 12
    assert len({q.headers["webhook-id"] for q in r.requests}) == 1

    # the delivery log shows it, with the response escaped
    users = make_users(make_user)
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    admin = login_as("admin", "en", app=app)
    page = admin.get(f"/admin/webhooks/deliveries?endpoint_id={endpoint_id}&status=dead")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-delivery="{d.id}" data-status="dead"' in html
    assert 'data-code="503"' in html and "failed for a day; given up" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "No deliveries." in admin.get("/admin/webhooks/deliveries?status=delivered").get_data(as_text=True)

    # re-send by hand: CSRF required, then one new attempt with the same webhook-id
    url = f"/admin/webhooks/deliveries/{d.id}/resend"
    assert admin.post(url).status_code == 400
    assert deliveries(db)[0].status is DeliveryStatus.DEAD
    kons = login_as("consultant", "en", app=app)
    assert kons.post(url, data={"csrf_token": csrf_from(kons.get("/admin/"))}).status_code == 403
    r.default = (204, b"")
    response = admin.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    (d,) = deliveries(db)
    assert (d.status, d.attempts) == (DeliveryStatus.PENDING, 0)
    run_worker(app)
    (d,) = deliveries(db)
    assert (d.status, d.response_code) == (DeliveryStatus.DELIVERED, 204)
    assert r.requests[-1].headers["webhook-id"] == r.requests[0].headers["webhook-id"]
    assert signature_ok(secret, r.requests[-1].headers, r.requests[-1].body)
    audit = db.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "webhook_delivery",
                                                   AuditEvent.id > before)).all()
    assert [(a.action, a.object_id, a.user_id) for a in audit] == [("resend", d.id, users["admin"])]
    # a delivered message can be re-sent again; one on its way cannot
    assert admin.post(url, data={"csrf_token": csrf_from(page)}).status_code == 302
    assert admin.post(url, data={"csrf_token": csrf_from(page)}, follow_redirects=True) \
        .get_data(as_text=True).count("nothing to re-send") == 1


def test_unreachable_endpoint_is_retried(hooks_app, db, clock, make_invitation):
    app = hooks_app
    add_endpoint(app, "http://127.0.0.1:9/nothing-listens-here")
    make_invitation()
    run_worker(app)
    (d,) = deliveries(db)
    assert d.status is DeliveryStatus.RETRYING and d.response_code is None
    assert "refused" in d.response_excerpt.lower() or "error" in d.response_excerpt.lower()


def test_redirects_are_not_followed(hooks_app, db, receiver, make_invitation):
    app = hooks_app
    r, target = receiver(), receiver()
    r.default = (302, b"")
    add_endpoint(app, r.url())
    make_invitation()
    run_worker(app)
    (d,) = deliveries(db)
    assert (d.status, d.response_code) == (DeliveryStatus.RETRYING, 302)
    assert target.requests == []


def test_two_workers_deliver_each_message_once(hooks_app, db, receiver, clock, make_assignment):
    app = hooks_app
    r = receiver()
    r.delay = 0.02
    add_endpoint(app, r.url("/one"))
    add_endpoint(app, r.url("/two"), events=["candidate.invited"])
    aid = make_assignment()
    with app.app_context():
        session = get_session()
        for n in range(8):
            invite_candidate(session, session.get(Assignment, aid), name=f"K{n}", email=f"k{n}@example.com",
                             now=clock(), settings=res.invitation_settings())
        session.commit()
    assert len(deliveries(db)) == 16
    settings = webhooks.WebhookSettings.from_config(app.config)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            with app.app_context():
                barrier.wait()
                results.append(webhooks.deliver_due(get_session(), settings, clock=clock, limit=100))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(x.delivered for x in results) == 16
    seen = [(q.path, q.headers["webhook-id"]) for q in r.requests]
    assert len(seen) == 16 and len(set(seen)) == 16
    assert all(d.status is DeliveryStatus.DELIVERED and d.attempts == 1 for d in deliveries(db))


def test_a_lease_keeps_a_claimed_delivery_from_a_second_worker(hooks_app, db, clock, make_invitation):
    app = hooks_app
    add_endpoint(app, "http://127.0.0.1:9/hook")
    make_invitation()
    with app.app_context():
        session = get_session()
        claim = webhooks.claim_next(session, now=clock())
        session.commit()
        assert claim is not None
        assert webhooks.claim_next(session, now=clock()) is None  # leased
        clock.advance(seconds=webhooks.LEASE.total_seconds() + 1)
        again = webhooks.claim_next(session, now=clock())  # the first worker died
        session.commit()
        assert again.delivery_id == claim.delivery_id and again.attempt == 2
        # the first worker's late result is not recorded over the second's attempt
        assert webhooks.record_attempt(session, claim, now=clock(), delivered=True, code=200, excerpt="") is None
        assert webhooks.record_attempt(session, again, now=clock(), delivered=True, code=200,
                                       excerpt="") is DeliveryStatus.DELIVERED
        session.commit()


# -- admin pages -----------------------------------------------------------------------------


def test_admin_registers_an_endpoint_and_sees_the_secret_once(hooks_app, db, receiver, clock, make_invitation,
                                                              login_as, make_user):
    app = hooks_app
    r = receiver()
    users = make_users(make_user)
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    admin = login_as("admin", "en", app=app)
    page = admin.get("/admin/webhooks")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'href="/admin/webhooks"' in page.get_data(as_text=True)  # in the menu
    data = {"url": r.url(), "description": "Teamtailor", "events": ["candidate.invited", "report.released"]}

    assert admin.post("/admin/webhooks", data=data).status_code == 400  # no CSRF token
    for bad, message in (("ftp://example.com/x", "Enter a full http:// or https:// address"),
                         ("javascript:alert(1)", "Enter a full http:// or https:// address"),
                         ("https://user:pw@example.com/x", "Enter a full http:// or https:// address")):
        response = admin.post("/admin/webhooks", data={**data, "url": bad, "csrf_token": csrf_from(page)})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = admin.post("/admin/webhooks", data={**data, "events": [], "csrf_token": csrf_from(page)})
    assert response.status_code == 400 and "Choose at least one event." in response.get_data(as_text=True)
    response = admin.post("/admin/webhooks", data={**data, "events": ["candidate.hired"],
                                                   "csrf_token": csrf_from(page)})
    assert response.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0

    response = admin.post("/admin/webhooks", data={**data, "csrf_token": csrf_from(page)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    endpoint = db.scalar(sa.select(WebhookEndpoint))
    first_secret = endpoint.secret
    assert endpoint.events == ["candidate.invited", "report.released"] and endpoint.enabled
    assert endpoint.secret.startswith("whsec_") and len(base64.b64decode(endpoint.secret[6:])) == 32
    assert endpoint.secret in response.get_data(as_text=True)
    assert endpoint.secret not in admin.get("/admin/webhooks").get_data(as_text=True)  # once
    assert endpoint.secret not in admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    audit = db.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "webhook_endpoint",
                                                   AuditEvent.id > before)).all()
    assert [(a.action, a.user_id) for a in audit] == [("create", users["admin"])]
    assert "whsec_" not in json.dumps([a.detail for a in audit])

    # the secret signs the deliveries
    make_invitation()
    run_worker(app)
    assert signature_ok(endpoint.secret, r.requests[0].headers, r.requests[0].body)

    # rotate: a new secret, shown once; the next delivery is signed with it
    page = admin.get("/admin/webhooks")
    response = admin.post(f"/admin/webhooks/{endpoint.id}/rotate", data={"csrf_token": csrf_from(page)})
    db.expire_all()
    rotated = db.get(WebhookEndpoint, endpoint.id).secret
    assert rotated != first_secret and rotated in response.get_data(as_text=True)
    assert rotated not in admin.get("/admin/webhooks").get_data(as_text=True)
    assert admin.post(f"/admin/webhooks/{endpoint.id}/rotate").status_code == 400  # CSRF
    make_invitation(email="second@example.com")
    run_worker(app)
    assert signature_ok(rotated, r.requests[1].headers, r.requests[1].body)
    assert not signature_ok(first_secret, r.requests[1].headers, r.requests[1].body)

    # edit: events and disable
    edit = admin.get(f"/admin/webhooks/{endpoint.id}")
    assert edit.status_code == 200
    response = admin.post(f"/admin/webhooks/{endpoint.id}", data={
        "csrf_token": csrf_from(edit), "description": "Off for now", "events": ["candidate.completed"]})
    assert response.status_code == 302
    db.expire_all()
    changed = db.get(WebhookEndpoint, endpoint.id)
    assert (changed.events, changed.enabled, changed.description) == (["candidate.completed"], False, "Off for now")
    assert 'data-enabled="no"' in admin.get("/admin/webhooks").get_data(as_text=True)

    # delete, with its log
    page = admin.get("/admin/webhooks")
    assert admin.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 400
    assert admin.post(f"/admin/webhooks/{endpoint.id}/delete", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0
    assert deliveries(db) == []
    actions = db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "webhook_endpoint",
                                                            AuditEvent.id > before).order_by(AuditEvent.id)).all()
    assert actions == ["create", "rotate_secret", "update", "delete"]


def test_only_administrators_reach_the_webhook_pages(hooks_app, db, login_as, make_user):
    make_users(make_user)
    for who in ("consultant", "client"):
        client = login_as(who, "en", app=hooks_app)
        home = client.get("/admin/client" if who == "client" else "/admin/")
        assert home.status_code == 200 and 'href="/admin/webhooks"' not in home.get_data(as_text=True)
        for url in ("/admin/webhooks", "/admin/webhooks/deliveries", "/admin/webhooks/1"):
            assert client.get(url).status_code == 403, (who, url)
        page = client.get("/admin/client" if who == "client" else "/admin/")
        assert client.post("/admin/webhooks", data={"csrf_token": csrf_from(page), "url": "http://127.0.0.1/x",
                                                    "events": ["candidate.invited"]}).status_code == 403
    assert hooks_app.test_client().get("/admin/webhooks").status_code == 302  # to the login page
    assert db.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_private_targets_are_refused_unless_allowed(make_app, db, login_as, make_user):
    app = make_app()  # the production default
    make_users(make_user)
    admin = login_as("admin", "en", app=app)
    page = admin.get("/admin/webhooks")
    assert "Private, loopback and link-local addresses are refused." in page.get_data(as_text=True)
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://192.168.0.10/hook",
                "http://[::ffff:127.0.0.1]/hook"):
        response = admin.post("/admin/webhooks", data={"csrf_token": csrf_from(page), "url": url,
                                                       "events": ["candidate.invited"]})
        assert response.status_code == 400, url
        assert "private, loopback or link-local" in response.get_data(as_text=True), url
    assert db.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0
    with pytest.raises(webhooks.WebhookError):
        webhooks.check_target("http://127.0.0.1/x", allow_private=False)
    webhooks.check_target("https://93.184.215.14/hook", allow_private=False)  # a public address
    webhooks.check_target("http://127.0.0.1/x", allow_private=True)


def test_delivery_log_is_paginated_and_filtered(hooks_app, db, clock, make_assignment, login_as, make_user):
    app = hooks_app
    one, _ = add_endpoint(app, "http://127.0.0.1:9/one", events=["candidate.invited"])
    two, _ = add_endpoint(app, "http://127.0.0.1:9/two", events=["candidate.invited"])
    aid = make_assignment()
    with app.app_context():
        session = get_session()
        for n in range(30):
            invite_candidate(session, session.get(Assignment, aid), name=f"K{n}", email=f"k{n}@example.com",
                             now=clock(), settings=res.invitation_settings())
        session.commit()
    make_users(make_user)
    admin = login_as("admin", "en", app=app)
    html = admin.get("/admin/webhooks/deliveries").get_data(as_text=True)
    assert html.count("data-delivery=") == webhooks.LOG_PAGE_SIZE and 'data-total="60"' in html
    html = admin.get("/admin/webhooks/deliveries?page=2").get_data(as_text=True)
    assert html.count("data-delivery=") == 10
    html = admin.get(f"/admin/webhooks/deliveries?endpoint_id={two}&page=9").get_data(as_text=True)
    assert html.count("data-delivery=") == 30 and 'data-total="30"' in html
    html = admin.get("/admin/webhooks/deliveries?status=bogus&page=x").get_data(as_text=True)
    assert html.count("data-delivery=") == webhooks.LOG_PAGE_SIZE
    assert one


def test_secrets_never_reach_the_log(hooks_app, db, caplog, receiver, make_invitation):
    app = hooks_app
    r = receiver()
    r.default = (500, b"nope")
    with caplog.at_level("DEBUG"):
        _, secret = add_endpoint(app, r.url())
        make_invitation()
        run_worker(app)
        app.logger.warning("a careless line with %s", secret)
    assert secret not in caplog.text
    assert secret[6:20] not in caplog.text


def test_migration_marks_links_expired_before_it_as_noticed(tmp_path):
    """Upgrading must not announce, as new, every link that expired before webhooks existed."""
    from alembic import command

    from portal.migrate import alembic_config, upgrade

    url = old_sqlite(
        tmp_path, "0012",
        "INSERT INTO client (id, name, created_at) VALUES (1, 'Å AB', '2026-01-01')",
        "INSERT INTO assignment (id, client_id, title, language, norm_group, logic_time_limit_minutes,"
        " status, created_at, legal_hold_reason) VALUES (1, 1, 'Chef', 'sv', 'general', 20, 'open', '2026-01-01', '')",
        "INSERT INTO candidate (id, assignment_id, name, email, extra_time_pct, stage, practice_position,"
        " created_at, legal_hold_reason) VALUES (1, 1, 'Eva', 'e@x.se', 0, 'welcome', 0, '2026-01-01', '')",
        *("INSERT INTO invitation (id, candidate_id, nonce, language, created_at, expires_at, reminder_count)"
          f" VALUES ({iid}, 1, 'n{iid}', 'sv', '2026-01-01 00:00:00.000000', '{expires}', 0)"
          for iid, expires in ((1, "2026-01-15 00:00:00.000000"), (2, "2999-01-01 00:00:00.000000"))))
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, expiry_noticed_at FROM invitation ORDER BY id").all()
    finally:
        engine.dispose()
    assert rows[0][1] is not None and rows[0][1].startswith("2026-01-15") and rows[1][1] is None
    command.downgrade(alembic_config(url), "0012")
    upgrade(url)


def test_requests_that_trigger_events_make_no_http_call(hooks_app, db, receiver, clock, make_invitation,
                                                        monkeypatch, login_as, make_user):
    """Starting the test and revoking a link only queue rows; the worker alone posts."""
    app = hooks_app
    r = receiver()
    add_endpoint(app, r.url())
    make_users(make_user)
    cid, iid, link = make_invitation()
    calls = []
    real_open = webhooks._OPENER.open

    def spy(request, *args, **kwargs):
        calls.append(threading.current_thread().name)
        return real_open(request, *args, **kwargs)

    monkeypatch.setattr(webhooks._OPENER, "open", spy)
    browser = Browser(app.test_client(), link).through_practice()
    browser.start_test()
    assert browser.step == "item"
    kons = login_as("admin", "en", app=app)
    page = kons.get(f"/admin/candidates/{cid}/manage")
    assert page.status_code == 200
    response = kons.post(f"/admin/candidates/{cid}/invitations/{iid}/revoke", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert calls == [] and r.requests == []
    assert [d.event_type for d in deliveries(db)] == ["candidate.invited", "candidate.started", "invitation.revoked"]
    assert all(d.status is DeliveryStatus.PENDING for d in deliveries(db))
    assert "3 delivered" in run_worker(app)
    assert len(calls) == 3 and [e["type"] for e in r.events()] == ["candidate.invited", "candidate.started",
                                                                    "invitation.revoked"]


def test_an_answer_that_is_not_http_is_a_failed_attempt(hooks_app, db, make_invitation):
    import socket

    app = hooks_app
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def answer():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"garbage\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    add_endpoint(app, f"http://127.0.0.1:{server.getsockname()[1]}/hook")
    make_invitation()
    run_worker(app)  # the worker survives it
    thread.join(10)
    server.close()
    (d,) = deliveries(db)
    assert d.status is DeliveryStatus.RETRYING and d.response_code is None
    assert "BadStatusLine" in d.response_excerpt


def test_the_log_forgets_old_finished_deliveries_and_warns_when_no_worker_runs(hooks_app, db, receiver, clock,
                                                                                make_invitation, login_as, make_user):
    app = hooks_app
    r = receiver()
    add_endpoint(app, r.url(), events=["candidate.invited"])
    make_users(make_user)
    old_cid, _, _ = make_invitation()
    clock.advance(minutes=6)
    admin = login_as("admin", "en", app=app)
    assert "data-worker-late" in admin.get("/admin/webhooks").get_data(as_text=True)
    run_worker(app)  # delivers the first
    assert "data-worker-late" not in admin.get("/admin/webhooks").get_data(as_text=True)
    clock.advance(days=89)
    recent_cid, _, _ = make_invitation(email="later@example.com")
    run_worker(app)
    assert len(deliveries(db)) == 2
    clock.advance(days=2)  # the first was delivered 91 days ago, the second 2 days ago
    run_worker(app)
    kept = [json.loads(d.payload)["data"]["candidate_id"] for d in deliveries(db)]
    assert kept == [recent_cid] and old_cid != recent_cid


def test_a_candidate_ordered_through_the_api_is_announced_and_its_cancellation_too(hooks_app, db, receiver, clock,
                                                                                   make_assignment, make_user):
    """The ATS's round trip (docs/api.md): create a candidate with an API key, receive the
    signed candidate.invited webhook naming the same candidate and its API link; cancel the
    invitation through the API, receive invitation.revoked."""
    from portal.services import api_keys

    admin = make_users(make_user)["admin"]
    aid = make_assignment()
    recv = receiver()
    _, secret = add_endpoint(hooks_app, recv.url(), events=["candidate.invited", "invitation.revoked"])
    with hooks_app.app_context():
        session = get_session()
        key = api_keys.create_key(session, name="ATS", scopes=list(api_keys.SCOPES), client_id=None,
                                  user_id=admin, now=clock()).secret
        session.commit()
    api = hooks_app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    created = api.post(f"/api/v1/assignments/{aid}/candidates", headers=auth,
                       json={"name": "Alva Lindqvist", "email": "alva@example.com"})
    assert created.status_code == 201, created.get_json()
    cid = created.get_json()["id"]
    assert recv.requests == []  # nothing is sent from the request itself
    run_worker(hooks_app)
    assert [e["type"] for e in recv.events()] == ["candidate.invited"]
    assert signature_ok(secret, recv.requests[0].headers, recv.requests[0].body)
    invited = recv.events()[0]["data"]
    assert invited["candidate_id"] == cid and invited["assignment_id"] == aid
    assert invited["links"]["candidate"] == f"{BASE}/api/v1/candidates/{cid}"
    assert b"alva" not in recv.requests[0].body.lower()
    status = api.get(invited["links"]["candidate"].removeprefix(BASE), headers=auth)
    assert status.status_code == 200 and status.get_json()["id"] == cid
    assert api.delete(f"/api/v1/candidates/{cid}/invitation", headers=auth).status_code == 200
    run_worker(hooks_app)
    assert [e["type"] for e in recv.events()] == ["candidate.invited", "invitation.revoked"]
    assert recv.events()[1]["data"]["candidate_id"] == cid
    assert signature_ok(secret, recv.requests[1].headers, recv.requests[1].body)
