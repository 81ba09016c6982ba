"""The supervised verification test in the portal (issue 17): ordering, the one-time code,
the candidate's pages, item exclusion, the verdict with its versions, authorization."""
from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import csrf_from, step_of
from helpers import OPTION_RE, RESPONSE_RE
from item_banks import verification
from item_banks.families import family_key
from portal import resources as res
from portal.db import get_session
from portal.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    LogicResponse,
    Role,
    TestKind,
    User,
    VerificationOrder,
    VerificationStatus,
)
from portal.services import demo
from portal.services import verification as svc

PASSWORD = "a long enough password"
CODE_RE = re.compile(r'data-code><strong>([A-Z0-9-]+)</strong>')


@pytest.fixture
def world(app, db, clock, make_assignment, make_invitation):
    """A staffed consultant, an outsider, and a candidate who finished the battery."""
    users = {}
    for key in ("consultant", "outsider"):
        users[key] = User(email=f"{key}@example.com", name=key.title(), role=Role.CONSULTANT,
                          password_hash=generate_password_hash(PASSWORD))
        db.add(users[key])
    db.commit()
    aid = make_assignment(staff=(users["consultant"].id,))
    cid, _, link = make_invitation(aid, name="Vera Verifierad", email="vera@example.com")
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        c = session.get(Candidate, cid)
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(3))
        session.commit()
    return {"users": {k: u.id for k, u in users.items()}, "assignment": aid, "candidate": cid, "link": link}


def login(app, who):
    client = app.test_client()
    page = client.get("/admin/login")
    client.post("/admin/login", data={"csrf_token": csrf_from(page), "email": f"{who}@example.com",
                                      "password": PASSWORD})
    return client


def order(client, cid):
    page = client.get(f"/admin/candidates/{cid}")
    return client.post(f"/admin/candidates/{cid}/verification", data={"csrf_token": csrf_from(page)},
                       follow_redirects=True)


def open_order_id(db, cid):
    db.expire_all()
    return db.scalar(sa.select(VerificationOrder.id).where(VerificationOrder.candidate_id == cid,
                                                          VerificationOrder.status == VerificationStatus.OPEN))


def show_code(client, cid, oid):
    page = client.get(f"/admin/candidates/{cid}")
    response = client.post(f"/admin/candidates/{cid}/verification/{oid}/code", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 200
    return CODE_RE.search(response.get_data(as_text=True)).group(1), response


def enter_code(client, code, **kw):
    page = client.get("/verify")
    return client.post("/verify", data={"csrf_token": csrf_from(page), "code": code}, **kw)


def take_test(client, choose=lambda options: options[0]):
    """Confirm and answer until the end; returns the item ids answered."""
    page = client.get("/verify/confirm")
    assert step_of(page) == "verify-confirm"
    page = client.post("/verify/confirm", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    n = 0
    while step_of(page) == "item":
        html = page.get_data(as_text=True)
        response, options = RESPONSE_RE.search(html).group(1), OPTION_RE.findall(html)
        page = client.post("/verify/test", data={"csrf_token": csrf_from(page), "response": response,
                                                 "option": choose(options)}, follow_redirects=True)
        n += 1
    return n, page


def test_full_verification_stores_the_verdict_with_versions(app, db, world):
    consultant = login(app, "consultant")
    cid = world["candidate"]
    page = order(consultant, cid)
    assert "data-open-order" in page.get_data(as_text=True), re.findall(r"class=\"flash[^<]*<[^<]*", page.get_data(as_text=True))
    oid = open_order_id(db, cid)
    code, shown = show_code(consultant, cid, oid)
    assert shown.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r"[A-Z2-9]{2}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    o = db.get(VerificationOrder, oid)
    assert o.code_hash and code.replace("-", "")[2:] not in o.code_hash  # stored hashed only

    candidate = app.test_client()  # a fresh browser: no invitation link
    response = enter_code(candidate, code.lower().replace("-", " "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/verify/confirm")
    confirm = candidate.get("/verify/confirm")
    assert "Vera Verifierad" in confirm.get_data(as_text=True)
    n, done = take_test(candidate)
    assert n == verification.VERIFICATION_LENGTH
    assert step_of(done) == "verify-done"
    text = done.get_data(as_text=True)
    assert "θ" not in text and "percentil" not in text.lower()  # no score for the candidate

    db.expire_all()
    o = db.get(VerificationOrder, oid)
    assert o.status is VerificationStatus.FINISHED
    assert o.verdict in verification.VERDICTS
    assert o.verification_version == verification.VERIFICATION_VERSION
    assert o.engine_version and o.bank_id and o.bank_version
    logic = db.get(Attempt, o.logic_attempt_id)
    assert (o.bank_id, o.bank_version) == (logic.bank_id, logic.bank_version)
    expected = verification.verdict(o.theta_unsupervised, o.se_unsupervised, o.theta_verification,
                                     o.se_verification)
    assert o.z == pytest.approx(expected.z) and o.p_value == pytest.approx(expected.p_value)
    assert o.alpha == 0.05
    # All answers wrong (the first option is usually wrong): a much lower result.
    results = consultant.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    assert f'data-verdict="{o.verdict}"' in results
    assert f'data-detectable="{(1.645 + 0.842) * o.se_difference:.2f}"' in results
    assert "fusk" not in results.lower() and "cheat" not in results.lower()

