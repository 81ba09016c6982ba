"""The supervised verification test in the portal (issue 17): ordering, the one-time code,
the candidate's pages, item exclusion, the verdict with its versions, authorization."""
from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa

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
    TestKind,
    VerificationOrder,
    VerificationStatus,
)
from portal.services import demo
from portal.services import verification as svc
from portal.web import renderer

CODE_RE = re.compile(r'data-code><strong>([A-Z0-9-]+)</strong>')


@pytest.fixture
def world(app, db, clock, make_assignment, make_invitation, make_user):
    """A staffed consultant, an outsider, and a candidate who finished the battery."""
    users = {key: make_user(f"{key}@example.com", name=key.title()) for key in ("consultant", "outsider")}
    aid = make_assignment(staff=(users["consultant"],))
    cid, _, link = make_invitation(aid, name="Vera Verifierad", email="vera@example.com")
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        c = session.get(Candidate, cid)
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(3))
        session.commit()
    return {"users": users, "assignment": aid, "candidate": cid, "link": link}


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


def test_full_verification_stores_the_verdict_with_versions(app, db, world, login_as):
    consultant = login_as("consultant", check=False)
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


def start_verification(login_as, db, cid, consultant=None):
    consultant = consultant or login_as("consultant", check=False)
    order(consultant, cid)
    oid = open_order_id(db, cid)
    code, _ = show_code(consultant, cid, oid)
    return consultant, oid, code


def test_no_item_or_family_the_candidate_saw_is_given(app, db, world, login_as):
    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    candidate = app.test_client()
    assert enter_code(candidate, code).status_code == 302
    take_test(candidate)
    db.expire_all()
    o = db.get(VerificationOrder, oid)
    seen = set(db.scalars(sa.select(LogicResponse.item_id).where(LogicResponse.attempt_id == o.logic_attempt_id)))
    with app.app_context():
        bank = res.logic_bank_for(db.get(Attempt, o.logic_attempt_id))
    seen |= {i.id for i in bank.practice}
    assert set(o.seen_item_ids) == seen
    given = list(db.scalars(sa.select(LogicResponse.item_id).where(LogicResponse.attempt_id == o.attempt_id)))
    assert len(given) == verification.VERIFICATION_LENGTH
    assert not seen & set(given)
    known = {i.id: i for i in bank.practice + bank.items + bank.pretest}
    seen_families = {family_key(known[i]) for i in seen if i in known}
    strict = verification.eligible_item_ids(bank, seen, min_per_type=verification.VERIFICATION_LENGTH)
    assert set(given) <= set(strict)
    # The family rule held wherever the bank allowed it (it is relaxed only per short type).
    relaxed = {known[i].type for i in strict if family_key(known[i]) in seen_families}
    assert all(family_key(known[i]) not in seen_families for i in given if known[i].type not in relaxed)
    v_attempt = db.get(Attempt, o.attempt_id)
    assert v_attempt.kind is TestKind.VERIFICATION
    assert (v_attempt.bank_id, v_attempt.bank_version) == (o.bank_id, o.bank_version)


def test_code_is_single_use_expires_and_a_new_one_voids_the_old(app, db, world, clock, login_as):
    cid = world["candidate"]
    consultant, oid, code = start_verification(login_as, db, cid)
    # A new code voids the previous one.
    newer, _ = show_code(consultant, cid, oid)
    refused = enter_code(app.test_client(), code)
    assert refused.status_code == 400 and "Koden stämmer inte" in refused.get_data(as_text=True)
    # Expired after 30 minutes.
    clock.advance(minutes=31)
    refused = enter_code(app.test_client(), newer)
    assert refused.status_code == 400 and "Koden har gått ut" in refused.get_data(as_text=True)
    fresh, _ = show_code(consultant, cid, oid)
    first = app.test_client()
    assert enter_code(first, fresh).status_code == 302
    again = enter_code(app.test_client(), fresh)
    assert again.status_code == 400 and "Koden har redan använts" in again.get_data(as_text=True)
    # Nothing of the code in the audit log or the order (hash only).
    db.expire_all()
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "verification_order")).all()
    assert {"create", "show_code", "redeem_code"} <= {e.action for e in events}, [(e.action, e.object_id, e.at) for e in events]
    raw = fresh.replace("-", "")
    assert all(raw not in str(e.detail) and fresh not in str(e.detail) for e in events)


def test_wrong_codes_lock_the_order_and_the_address_is_rate_limited(app, db, world, login_as):
    cid = world["candidate"]
    consultant, oid, code = start_verification(login_as, db, cid)
    ref = code[:2]
    wrong = ref + "-" + ("AAAA-AAAA" if code[3:] != "AAAA-AAAA" else "BBBB-BBBB")
    attacker = app.test_client()
    statuses = [enter_code(attacker, wrong, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code
                for _ in range(svc.MAX_TRIES)]
    assert statuses == [400] * svc.MAX_TRIES
    db.expire_all()
    assert db.get(VerificationOrder, oid).code_failed_tries == svc.MAX_TRIES
    # The right code no longer works: the order is locked until a new code is shown.
    locked = enter_code(app.test_client(), code, environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert locked.status_code == 400 and "För många felaktiga koder" in locked.get_data(as_text=True)
    assert "spärrades efter för många felaktiga försök" in consultant.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    fresh, _ = show_code(consultant, cid, oid)
    assert enter_code(app.test_client(), fresh, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302
    # Per address: the limiter refuses after ten wrong codes in 15 minutes, whatever the code.
    for _ in range(10 - svc.MAX_TRIES):
        enter_code(attacker, "ZZ-ZZZZ-ZZZZ", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert enter_code(attacker, "ZZ-ZZZZ-ZZZZ", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 429


def test_the_code_opens_only_the_verification(app, db, world, login_as):
    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    # The candidate's own session (from the invitation link) is dropped on redemption.
    browser = app.test_client()
    assert browser.get(world["link"]).status_code == 302
    assert browser.get("/test/done").status_code == 200
    enter_code(browser, code)
    assert browser.get("/test/done").status_code == 404
    assert browser.get("/test/report").status_code == 404
    assert browser.get("/test/my-data.zip").status_code == 404
    # Without a redeemed code the verification pages send you to the code page.
    stranger = app.test_client()
    for url in ("/verify/confirm", "/verify/test", "/verify/done"):
        response = stranger.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/verify")


def test_another_consultants_order_is_not_reachable(app, db, world, login_as):
    cid = world["candidate"]
    _, oid, _ = start_verification(login_as, db, cid)
    outsider = login_as("outsider", check=False)
    page = outsider.get("/admin/")
    token = csrf_from(page)
    assert outsider.post(f"/admin/candidates/{cid}/verification", data={"csrf_token": token}).status_code == 404
    assert outsider.post(f"/admin/candidates/{cid}/verification/{oid}/code",
                         data={"csrf_token": token}).status_code == 404
    assert outsider.post(f"/admin/candidates/{cid}/verification/{oid}/cancel",
                         data={"csrf_token": token}).status_code == 404
    assert outsider.get(f"/admin/candidates/{cid}").status_code == 404
    db.expire_all()
    assert db.get(VerificationOrder, oid).status is VerificationStatus.OPEN


def test_an_order_of_another_candidate_is_not_found_under_this_one(app, db, world, make_invitation, login_as):
    cid = world["candidate"]
    consultant, oid, _ = start_verification(login_as, db, cid)
    other, _, _ = make_invitation(world["assignment"], name="Otto Annan", email="otto@example.com")
    token = csrf_from(consultant.get(f"/admin/candidates/{cid}"))
    assert consultant.post(f"/admin/candidates/{other}/verification/{oid}/code",
                           data={"csrf_token": token}).status_code == 404


def test_forms_need_their_csrf_token(app, db, world, login_as):
    cid = world["candidate"]
    consultant = login_as("consultant", check=False)
    assert consultant.post(f"/admin/candidates/{cid}/verification", data={}).status_code == 400
    assert open_order_id(db, cid) is None
    order(consultant, cid)
    oid = open_order_id(db, cid)
    assert consultant.post(f"/admin/candidates/{cid}/verification/{oid}/code", data={}).status_code == 400
    assert consultant.post(f"/admin/candidates/{cid}/verification/{oid}/cancel", data={}).status_code == 400
    code, _ = show_code(consultant, cid, oid)
    candidate = app.test_client()
    candidate.get("/verify")
    assert candidate.post("/verify", data={"code": code}).status_code == 400
    assert enter_code(candidate, code).status_code == 302
    assert candidate.post("/verify/confirm", data={}).status_code == 400
    db.expire_all()
    assert db.get(VerificationOrder, oid).attempt_id is None


def test_one_open_order_cancel_and_only_after_a_scored_test(app, db, world, make_invitation, login_as):
    cid = world["candidate"]
    consultant = login_as("consultant", check=False)
    order(consultant, cid)
    oid = open_order_id(db, cid)
    again = order(consultant, cid).get_data(as_text=True)
    assert "Det finns redan ett öppet verifieringstest" in again
    assert db.scalar(sa.select(sa.func.count()).select_from(VerificationOrder)) == 1
    code, _ = show_code(consultant, cid, oid)
    token = csrf_from(consultant.get(f"/admin/candidates/{cid}"))
    consultant.post(f"/admin/candidates/{cid}/verification/{oid}/cancel", data={"csrf_token": token})
    db.expire_all()
    assert db.get(VerificationOrder, oid).status is VerificationStatus.CANCELLED
    assert enter_code(app.test_client(), code).status_code == 400  # a cancelled order's code is dead
    # A candidate who has not finished the logic test cannot be ordered for.
    fresh, _, _ = make_invitation(world["assignment"], name="Nina Ny", email="nina@example.com")
    page = order(consultant, fresh).get_data(as_text=True)
    assert "har slutfört logiktestet" in page and open_order_id(db, fresh) is None


def test_same_item_on_reload_and_the_time_limit(app, db, world, clock, login_as):
    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    candidate = app.test_client()
    enter_code(candidate, code)
    page = candidate.get("/verify/confirm")
    candidate.post("/verify/confirm", data={"csrf_token": csrf_from(page)})
    first = candidate.get("/verify/test").get_data(as_text=True)
    again = candidate.get("/verify/test").get_data(as_text=True)
    assert RESPONSE_RE.search(first).group(1) == RESPONSE_RE.search(again).group(1)
    assert OPTION_RE.findall(first) == OPTION_RE.findall(again)
    assert f"(at most {verification.VERIFICATION_LENGTH})" in first or f"(högst {verification.VERIFICATION_LENGTH})" in first
    db.expire_all()
    attempt = db.get(Attempt, db.get(VerificationOrder, oid).attempt_id)
    # 20 minutes for at most 36 questions: 12 questions get 7 minutes (rounded up).
    assert attempt.time_limit_seconds == 7 * 60
    clock.advance(minutes=8)
    done = candidate.get("/verify/test", follow_redirects=True)
    assert step_of(done) == "verify-done"
    db.expire_all()
    o = db.get(VerificationOrder, oid)
    assert o.status is VerificationStatus.FINISHED and o.verdict in verification.VERDICTS
    consultant = login_as("consultant", check=False)
    assert "data-verification-incomplete" in consultant.get(f"/admin/candidates/{cid}").get_data(as_text=True)


def test_extra_time_applies_to_the_verification(app, db, world):
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, world["candidate"])
        c.extra_time_pct = 50
        assert svc.time_limit(c) == timedelta(minutes=10, seconds=30)


@pytest.mark.parametrize("lang, next_label, html_lang", [("sv", "Nästa", "sv"), ("en", "Next", "en")])
def test_pages_in_the_candidates_language(app, db, world, lang, next_label, html_lang, login_as):
    cid = world["candidate"]
    db.execute(sa.update(Candidate).where(Candidate.id == cid).values(chosen_language=lang))
    db.commit()
    _, _, code = start_verification(login_as, db, cid)
    candidate = app.test_client()
    enter_code(candidate, code)
    confirm = candidate.get("/verify/confirm")
    assert f'lang="{html_lang}"' in confirm.get_data(as_text=True)
    item = candidate.post("/verify/confirm", data={"csrf_token": csrf_from(confirm)}, follow_redirects=True)
    html = item.get_data(as_text=True)
    assert step_of(item) == "item" and next_label in html and f'lang="{html_lang}"' in html


def test_the_normal_answer_path_is_unchanged_by_an_open_verification(app, db, world, make_invitation, login_as):
    """The candidate's own item page still works for another candidate while a verification
    is under way (the verification attempt never counts as the current logic attempt)."""
    from helpers import Candidate as Driver

    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    candidate = app.test_client()
    enter_code(candidate, code)
    page = candidate.get("/verify/confirm")
    candidate.post("/verify/confirm", data={"csrf_token": csrf_from(page)})
    other, _, link = make_invitation(world["assignment"], name="Per Parallell", email="per@example.com")
    driver = Driver(app.test_client(), link).through_practice()
    driver.start_test()
    assert driver.step == "item"
    driver.answer_item()
    assert driver.step == "item"
    # The verified candidate's results page still shows the unsupervised result as the logic result.
    consultant = login_as("consultant", check=False)
    html = consultant.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    db.expire_all()
    o = db.get(VerificationOrder, oid)
    assert f'data-theta="{o.theta_unsupervised:.2f}"' in html


def test_client_report_says_whether_the_result_was_verified(app, db, world, clock, login_as):
    from portal.models import Report, ReportKind, Synthesis
    from portal.services import reports

    cid = world["candidate"]
    db.add(Synthesis(candidate_id=cid, judgement="Stabil.", strengths="", risks="", recommendation="recommended",
                     decided_by_id=world["users"]["consultant"], decided_at=clock(), profile_version=None))
    db.commit()
    with app.test_request_context():
        session = get_session()
        c = session.get(Candidate, cid)
        draft = reports.build_content(session, c, ReportKind.CLIENT, now=clock(), renderer=renderer, inventory=res.inventory())
        assert draft["verification"] == {"verified": False}
        assert "har inte verifierats med ett övervakat test" in reports.render_html(draft, renderer=renderer)
        first = reports.release(session, c, ReportKind.CLIENT, user_id=world["users"]["consultant"], now=clock(), renderer=renderer, inventory=res.inventory())
        session.commit()
        first_id, first_html = first.id, first.html
    consultant, oid, code = start_verification(login_as, db, cid)
    candidate = app.test_client()
    enter_code(candidate, code)
    take_test(candidate)
    db.expire_all()
    o = db.get(VerificationOrder, oid)
    # The released version stays as it was; the draft and the next version say how it was verified.
    assert db.get(Report, first_id).html == first_html and db.get(Report, first_id).content["verification"] == {
        "verified": False}
    preview = consultant.get(f"/admin/candidates/{cid}/reports/client/preview")
    with app.test_request_context():
        session = get_session()
        c = session.get(Candidate, cid)
        second = reports.release(session, c, ReportKind.CLIENT, user_id=world["users"]["consultant"],
                                 now=clock(), renderer=renderer, inventory=res.inventory())
        session.commit()
        v, html = second.content["verification"], second.html
    assert second.version == 2
    assert v["verified"] and v["verdict"] == o.verdict and v["length"] == verification.VERIFICATION_LENGTH
    assert v["date"] == o.finished_at.date().isoformat() and v["verification"] == verification.VERIFICATION_VERSION
    assert f'data-verification="{o.verdict}"' in html
    assert "övervakat verifieringstest med 12 frågor" in html and verification.VERIFICATION_VERSION in html
    assert "fusk" not in html.lower() and "cheat" not in html.lower()
    assert preview.status_code == 200 and f'data-verification="{o.verdict}"' in preview.get_data(as_text=True)


def test_erasure_stops_an_open_verification_and_the_export_leaves_out_the_code(app, db, world, clock, login_as):
    from portal.services import privacy

    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, cid)
        data = privacy.collect(session, c)
        row = data["tables"]["verification_order"][0]
        assert "code_hash" not in row and "session_nonce" not in row and row["status"] == "open"
        privacy.erase(session, c, storage_dir=res.attachment_dir(), user_id=None, now=clock(), reason="request")
        session.commit()
    db.expire_all()
    assert db.get(VerificationOrder, oid).status is VerificationStatus.CANCELLED
    assert enter_code(app.test_client(), code).status_code == 400


def test_selection_starts_at_the_unsupervised_estimate(app, db, world, login_as):
    cid = world["candidate"]
    _, oid, _ = start_verification(login_as, db, cid)
    with app.app_context():
        session = get_session()
        o = session.get(VerificationOrder, oid)
        ab = svc.engine(o, res.logic_bank_for(o.logic_attempt))
        nodes, prior = ab.cat_bank.nodes, ab.cat_bank.log_prior
        assert abs(float(nodes[int(np.argmax(prior))]) - o.theta_unsupervised) < 0.2
        assert ab.settings == verification.VERIFICATION_SETTINGS
        assert not set(ab.item_ids) & set(o.seen_item_ids)


def test_a_technical_reset_cancels_the_open_verification(app, db, world, clock, login_as):
    from portal.services import accommodation

    cid = world["candidate"]
    _, oid, code = start_verification(login_as, db, cid)
    db.execute(sa.update(Candidate).where(Candidate.id == cid).values(stage="inventory"))
    db.commit()
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, cid)
        assert accommodation.technical_reset(session, c, reason="Strömavbrott", user_id=None, now=clock())
        session.commit()
    db.expire_all()
    assert db.get(VerificationOrder, oid).status is VerificationStatus.CANCELLED
    assert enter_code(app.test_client(), code).status_code == 400
