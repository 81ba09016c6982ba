"""Candidates and invitations for consultants: the use cases and the pages."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import TEST_CONFIG, csrf_from, step_of
from helpers import Candidate as Browser

from portal.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    Invitation,
    LogicResponse,
    OutboxMessage,
    Role,
    Stage,
    TestKind,
)
from portal.services import candidate_admin as ca
from portal.services import candidate_import as ci
from portal.services import accommodation, invitation_admin, progress
from portal.services.invitations import (
    CandidateStatus,
    InvitationSettings,
    candidate_status,
    invitation_url,
    live_invitations,
)

SETTINGS = InvitationSettings(secret_key=TEST_CONFIG["SECRET_KEY"], max_age_days=14,
                              base_url=TEST_CONFIG["BASE_URL"])
N_PRACTICE = 3


def path_of(url: str) -> str:
    return url.removeprefix(TEST_CONFIG["BASE_URL"])


def link_id(url: str) -> str:
    """The signed payload of a link ([invitation id, nonce]); the rest is a timestamp."""
    return url.rsplit("/", 1)[1].split(".")[0]


def audit_after(db, before: int) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)))


def last_audit_id(db) -> int:
    return db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


# -- CSV parsing (no database) ----------------------------------------------------------


def test_csv_with_bom_commas_and_optional_columns():
    data = ("\ufeffName,Email,Language,Extra time (%)\r\n"
            "Kim Kandidat,kim@example.com,en,25\r\n"
            "\r\n"
            '"Berg, Lo",lo@example.com,,\r\n').encode("utf-8")
    rows = ci.parse_candidates_csv(data, default_language="sv")
    assert [(r.line, r.name, r.email, r.language, r.extra_time_pct, r.errors) for r in rows] == [
        (2, "Kim Kandidat", "kim@example.com", "en", 25, []),
        (4, "Berg, Lo", "lo@example.com", "sv", 0, []),
    ]


def test_csv_from_swedish_excel_semicolons_in_windows_1252():
    data = "namn;e-post;språk;extra tid\nÅsa Öberg;asa@example.se;sv;50 %\nPär Ärlig;par@example.se;;\n"
    rows = ci.parse_candidates_csv(data.encode("cp1252"), default_language="en")
    assert [(r.name, r.email, r.language, r.extra_time_pct) for r in rows] == [
        ("Åsa Öberg", "asa@example.se", "sv", 50), ("Pär Ärlig", "par@example.se", "en", 0)]
    assert all(r.valid for r in rows)
    # the same file saved as UTF-8 reads the same
    assert ci.parse_candidates_csv(data.encode("utf-8"), default_language="en")[0].name == "Åsa Öberg"


def test_csv_malformed_rows_get_their_own_errors():
    data = ("namn;e-post;språk;extra tid\n"
            "Ann Ok;ann@example.com;sv;0\n"
            "Bo Utan Adress\n"                       # e-mail column missing
            ";ingen@example.com;sv;0\n"              # no name
            "Cecilia Fel;cecilia-at-example.com;sv;0\n"
            "Ann Igen;ANN@example.com;sv;0\n"        # duplicate (case-insensitive)
            "Dan Finns;dan@example.com;sv;0\n"       # already in the assignment
            "Eva Språk;eva@example.com;de;0\n"
            "Fia Tid;fia@example.com;sv;massor\n"
            "Gun Tid;gun@example.com;sv;400\n"
            "Öberg; Hans;hans@example.com;sv;0\n")   # separator inside the name
    rows = ci.parse_candidates_csv(data.encode("utf-8"), default_language="sv",
                                   existing_emails={"dan@example.com"})
    assert {r.line: r.errors for r in rows} == {
        2: [], 3: ["missing_email"], 4: ["missing_name"], 5: ["invalid_email"],
        6: ["duplicate_email"], 7: ["already_invited"], 8: ["unknown_language"],
        9: ["invalid_extra_time"], 10: ["invalid_extra_time"], 11: ["extra_fields"],
    }


@pytest.mark.parametrize("data, code", [
    (b"namn;telefon\nAnn;0701234567\n", "missing_columns"),
    (b"Ann Ok;ann@example.com\n", "missing_columns"),       # no header row
    (b"name,email\n\n", "empty"),
    (b"", "empty"),
    (b"name,email\n" + b"".join(b"P%d,p%d@example.com\n" % (i, i) for i in range(501)), "too_many_rows"),
    (b"name,email\n" + b"x" * (ci.MAX_IMPORT_BYTES + 1), "too_large"),
])
def test_unusable_csv_files_are_refused_as_a_whole(data, code):
    with pytest.raises(ci.CsvError) as err:
        ci.parse_candidates_csv(data, default_language="sv")
    assert err.value.code == code
    if code == "missing_columns":
        assert "email" in err.value.params["columns"]


# -- use cases --------------------------------------------------------------------------


@pytest.fixture
def assignment(db, make_assignment):
    return db.get(Assignment, make_assignment(logic_time_limit_minutes=20))


def test_add_candidate_creates_invitation_and_audits_without_personal_data(db, clock, assignment):
    before = last_audit_id(db)
    candidate, invitation = ca.add_candidate(
        db, assignment, name="  Kim   Kandidat ", email=" kim@example.com ", language="en",
        extra_time_pct=25, user_id=None, now=clock(), settings=SETTINGS)
    db.commit()
    assert (candidate.name, candidate.email, candidate.extra_time_pct) == ("Kim Kandidat", "kim@example.com", 25)
    assert invitation.language == "en" and invitation.expires_at == clock() + timedelta(days=14)
    [event] = audit_after(db, before)
    assert (event.action, event.object_type, event.object_id) == ("create", "candidate", candidate.id)
    assert "Kim" not in str(event.detail) and "kim@" not in str(event.detail)
    for values, code in ((dict(name="", email="a@example.com"), "missing_name"),
                         (dict(name="A", email="a@example"), "invalid_email"),
                         (dict(name="A", email="a@example.com", language="de"), "unknown_language"),
                         (dict(name="A", email="a@example.com", extra_time_pct=301), "invalid_extra_time"),
                         (dict(name="Kim igen", email="KIM@example.com"), "already_invited")):
        with pytest.raises(ca.CandidateAdminError) as err:
            ca.add_candidate(db, assignment, **{"language": "sv", "extra_time_pct": 0, **values},
                             user_id=None, now=clock(), settings=SETTINGS)
        assert err.value.code == code
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1


def test_import_creates_nothing_while_rows_have_errors_unless_confirmed(db, clock, assignment):
    ca.add_candidate(db, assignment, name="Dan Finns", email="dan@example.com", language="sv",
                     extra_time_pct=0, user_id=None, now=clock(), settings=SETTINGS)
    data = "namn;e-post;extra tid\nÅsa Öberg;asa@example.se;25\nDan Igen;dan@example.com;0\nBo;bo@;0\n"
    rows = ci.parse_candidates_csv(data.encode("cp1252"), default_language="sv",
                                   existing_emails=ca.assignment_emails(db, assignment))
    assert [r.valid for r in rows] == [True, False, False]
    with pytest.raises(ci.ImportHasErrors) as err:
        ci.import_candidates(db, assignment, rows, confirm_valid_only=False, user_id=None,
                             now=clock(), settings=SETTINGS)
    assert err.value.params["count"] == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1
    created = ci.import_candidates(db, assignment, rows, confirm_valid_only=True, user_id=None,
                                   now=clock(), settings=SETTINGS)
    db.commit()
    assert [(c.name, c.extra_time_pct, i.candidate_id) for c, i in created] == [("Åsa Öberg", 25, created[0][0].id)]
    # importing the same rows again finds them in the assignment now
    assert ci.recheck_rows(db, assignment, rows)[0].errors == ["already_invited"]


def test_revoked_link_gets_410_and_reissued_link_resumes_progress(client, db, clock, make_invitation):
    cid, inv_id, link = make_invitation()
    browser = Browser(client, link)
    browser.open()
    browser.accept_welcome()
    assert browser.step == "instructions"
    old = db.get(Invitation, inv_id)
    before = last_audit_id(db)
    assert invitation_admin.revoke_invitation(db, old, user_id=None, now=clock()) is True
    assert invitation_admin.revoke_invitation(db, old, user_id=None, now=clock()) is False  # once only
    db.commit()
    assert client.get(link).status_code == 410
    assert client.get("/test/instructions").status_code == 404  # the open session ended too
    candidate = db.get(Candidate, cid)
    assert candidate_status(candidate, clock()) is CandidateStatus.REVOKED

    new = invitation_admin.reissue_invitation(db, candidate, user_id=None, now=clock(), settings=SETTINGS)
    db.commit()
    assert new.id != inv_id and new.nonce != old.nonce and new.candidate_id == cid
    assert [(e.action, e.object_type) for e in audit_after(db, before)] == [
        ("revoke", "invitation"), ("reissue", "invitation")]
    fresh = Browser(client, path_of(invitation_url(new, SETTINGS)))
    fresh.open()
    assert fresh.step == "instructions"  # where they left off
    assert client.get(link).status_code == 410
    # a second re-issue revokes the one before
    newer = invitation_admin.reissue_invitation(db, candidate, user_id=None, now=clock(), settings=SETTINGS)
    assert [i.id for i in live_invitations(candidate)] == [newer.id]  # also before a commit
    db.commit()
    assert client.get(path_of(invitation_url(new, SETTINGS))).status_code == 410


def _running_test(client, make_invitation, **kwargs):
    cid, _, link = make_invitation(**kwargs)
    browser = Browser(client, link).through_practice()
    browser.start_test()
    assert browser.step == "item"
    return cid, browser


def _logic_attempts(db, cid) -> list[Attempt]:
    db.expire_all()
    return list(db.scalars(sa.select(Attempt).where(Attempt.candidate_id == cid, Attempt.kind == TestKind.LOGIC)
                           .order_by(Attempt.number)))


def test_accommodation_during_the_test_moves_the_stored_deadline(client, db, clock, make_invitation):
    cid, browser = _running_test(client, make_invitation)
    [attempt] = _logic_attempts(db, cid)
    start = attempt.started_at
    assert attempt.deadline == start + timedelta(minutes=20)
    changed = accommodation.set_accommodation(db, db.get(Candidate, cid), 50, user_id=None, now=clock())
    db.commit()
    assert changed.id == attempt.id
    [attempt] = _logic_attempts(db, cid)
    assert attempt.deadline == start + timedelta(minutes=30) and attempt.time_limit_seconds == 1800
    clock.advance(minutes=25)
    browser.answer_item()
    assert browser.step == "item"  # past the original 20 minutes, still on time
    # shortening mid-test never ends it on the spot
    accommodation.set_accommodation(db, db.get(Candidate, cid), 0, user_id=None, now=clock())
    db.commit()
    [attempt] = _logic_attempts(db, cid)
    assert attempt.deadline == clock() + accommodation.MIN_REMAINING_AFTER_CHANGE
    browser.answer_item()
    assert browser.step == "item"
    with pytest.raises(ca.CandidateAdminError):
        accommodation.set_accommodation(db, db.get(Candidate, cid), 301, user_id=None, now=clock())


def test_accommodation_before_the_test_applies_when_it_starts(client, db, clock, make_invitation):
    cid, _, link = make_invitation()
    accommodation.set_accommodation(db, db.get(Candidate, cid), 100, user_id=None, now=clock())
    db.commit()
    Browser(client, link).through_practice().start_test()
    [attempt] = _logic_attempts(db, cid)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=40)


def test_technical_reset_keeps_the_old_attempt_and_sends_the_candidate_back(client, db, clock, make_invitation):
    cid, browser = _running_test(client, make_invitation)
    browser.answer_item()
    browser.answer_item()
    candidate = db.get(Candidate, cid)
    with pytest.raises(ca.CandidateAdminError) as err:
        accommodation.technical_reset(db, candidate, reason="   ", user_id=None, now=clock())
    assert err.value.code == "reason_required"
    assert _logic_attempts(db, cid)[0].superseded_at is None
    before = last_audit_id(db)
    clock.advance(minutes=2)
    old = accommodation.technical_reset(db, candidate, reason="The browser crashed", user_id=None, now=clock(),
                                        practice_items=N_PRACTICE)
    db.commit()
    assert accommodation.technical_reset(db, candidate, reason="again", user_id=None, now=clock()) is None
    [attempt] = _logic_attempts(db, cid)
    assert attempt.id == old.id and attempt.superseded_at == clock() and attempt.finished_at == clock()
    assert attempt.reset_reason == "The browser crashed"
    kept = db.scalar(sa.select(sa.func.count()).select_from(LogicResponse)
                     .where(LogicResponse.attempt_id == attempt.id, LogicResponse.answered_at.is_not(None)))
    assert kept == 2
    db.refresh(candidate)
    assert candidate.stage is Stage.PRACTICE and candidate.practice_position == N_PRACTICE
    [event] = audit_after(db, before)
    assert (event.action, event.object_id, event.detail) == ("technical_reset", cid, {"attempt": attempt.id})
    # the candidate's next page is "ready to start", with the same link
    browser.get("/test")
    assert browser.step == "ready"
    [row] = progress.candidate_progress(db, candidate.assignment, now=clock())
    assert row["logic"]["state"] == progress.RESET


def test_after_a_technical_reset_the_candidate_starts_attempt_number_2(client, db, clock, make_invitation):
    cid, browser = _running_test(client, make_invitation)
    browser.answer_item()
    accommodation.technical_reset(db, db.get(Candidate, cid), reason="Power cut", user_id=None, now=clock(),
                                  practice_items=N_PRACTICE)
    db.commit()
    clock.advance(hours=1)
    browser.get("/test")
    browser.start_test()
    assert browser.step == "item"
    first, second = _logic_attempts(db, cid)
    assert (first.number, second.number) == (1, 2)
    assert first.superseded_at is not None and second.superseded_at is None
    assert second.started_at == clock() and second.deadline == clock() + timedelta(minutes=20)


def test_progress_rows(client, db, clock, make_assignment, make_invitation):
    aid = make_assignment()
    waiting, _, _ = make_invitation(aid, name="Ada Väntar", email="ada@example.com")
    running, browser = _running_test(client, make_invitation, assignment_id=aid, name="Bea Kör",
                                     email="bea@example.com")
    clock.advance(minutes=3)
    browser.answer_item()
    answered_at = clock()
    clock.advance(minutes=2)
    db.get(Invitation, db.get(Candidate, waiting).invitations[0].id).reminder_count = 2
    db.commit()
    rows = {r["candidate"].id: r for r in progress.candidate_progress(db, db.get(Assignment, aid), now=clock())}
    ada, bea = rows[waiting], rows[running]
    assert ada["status"] is CandidateStatus.INVITED and ada["reminders"] == 2
    assert ada["logic"]["state"] == progress.NOT_STARTED and ada["inventory"]["state"] == progress.NOT_STARTED
    assert ada["last_activity"] is None and ada["expires_at"] is not None
    assert bea["status"] is CandidateStatus.IN_PROGRESS
    assert bea["logic"]["state"] == progress.IN_PROGRESS and bea["logic"]["answered"] == 1
    assert bea["logic"]["time_used"] == timedelta(minutes=5)
    assert bea["last_activity"] >= answered_at
    clock.advance(minutes=30)  # past the deadline: the time is up, even before anyone closes it
    bea = progress.candidate_progress(db, db.get(Assignment, aid), now=clock(), candidate_ids=[running])[0]
    assert bea["logic"]["state"] == progress.TIMEOUT and bea["logic"]["time_used"] == timedelta(minutes=20)


# -- pages ------------------------------------------------------------------------------


@pytest.fixture
def people(make_user):
    return {key: make_user(f"{key}@example.com", role, name=key.title())
            for key, role in (("consultant", Role.CONSULTANT), ("outsider", Role.CONSULTANT))}


def error_next_to(html: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error">([^<]+)<', html)
    return match.group(1) if match else None


def test_add_candidate_page(app, db, people, make_assignment, login_as):
    aid = make_assignment(title="Ekonomichef", staff=[people["consultant"]])
    client = login_as("consultant", "en")
    page = client.get(f"/admin/assignments/{aid}/candidates/new")
    assert page.status_code == 200 and step_of(page) == "candidate-new"
    token = csrf_from(page)
    bad = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "", "email": "kim-at-example", "language": "sv",
        "extra_time": "custom", "extra_time_custom": "lots", "send_now": "y"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert error_next_to(html, "name") == "Enter the candidate's name."
    assert error_next_to(html, "extra_time_custom").startswith("Extra time must be a whole number")
    assert 'value="kim-at-example"' in html  # what was typed stays
    bad = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "Kim", "email": "kim-at-example", "language": "sv", "extra_time": "0"})
    assert bad.status_code == 400 and error_next_to(bad.get_data(as_text=True), "email").startswith("Enter a valid")
    no_csrf = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "name": "Kim", "email": "kim@example.com", "language": "sv", "extra_time": "0", "send_now": "y"})
    assert no_csrf.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0

    before = last_audit_id(db)
    done = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "Kim Kandidat", "email": "kim@example.com", "language": "en",
        "extra_time": "custom", "extra_time_custom": "35", "send_now": "y"}, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and step_of(done) == "candidate-manage"
    assert "development outbox" in html  # no SMTP configured in tests
    candidate = db.scalar(sa.select(Candidate))
    assert (candidate.name, candidate.extra_time_pct, candidate.invitations[0].language) == ("Kim Kandidat", 35, "en")
    message = db.scalar(sa.select(OutboxMessage))
    assert message.to_address == "kim@example.com" and message.sent_at is None
    link = invitation_url(candidate.invitations[0], SETTINGS)
    assert f'value="{link.split(".")[0]}.' in html and 'data-copy="invitation-link"' in html and "copy.js" in html
    events = audit_after(db, before)
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "candidate"), ("send_invitation", "invitation"), ("view", "candidate_invitations")]
    assert not any("Kim" in str(e.detail) or "kim@" in str(e.detail) for e in events)
    # the same address again is refused next to the field
    again = client.post(f"/admin/assignments/{aid}/candidates/new", data={
        "csrf_token": token, "name": "Kim Igen", "email": "KIM@example.com", "language": "sv", "extra_time": "0"})
    assert again.status_code == 400 and "already a candidate" in error_next_to(again.get_data(as_text=True), "email")


def test_import_page_previews_and_imports_only_confirmed_valid_rows(app, db, people, make_assignment, login_as):
    aid = make_assignment(staff=[people["consultant"]])
    client = login_as("consultant", "en")
    page = client.get(f"/admin/assignments/{aid}/candidates/import")
    assert step_of(page) == "candidate-import"
    token = csrf_from(page)
    wrong = client.post(f"/admin/assignments/{aid}/candidates/import", content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(b"namn;telefon\nA;1\n"), "c.csv")})
    assert wrong.status_code == 400 and "Missing: email" in error_next_to(wrong.get_data(as_text=True), "file")
    data = "namn;e-post;extra tid\nÅsa Öberg;asa@example.se;25\nBo Fel;bo-at-example;0\n".encode("cp1252")
    preview = client.post(f"/admin/assignments/{aid}/candidates/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(data), "kandidater.csv")})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and step_of(preview) == "candidate-import-preview"
    assert 'data-errors="1"' in html and "Åsa Öberg" in html
    assert re.search(r'data-line="3" data-valid="no".*?data-error="invalid_email"', html, re.DOTALL)
    assert "Import the 1 valid row" in html
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0  # nothing yet
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    assert "Öberg" not in payload and "asa@" not in payload  # signed and compressed, not plain
    forged = client.post(f"/admin/assignments/{aid}/candidates/import", data={
        "csrf_token": token, "payload": payload[:-3] + "xyz", "valid_only": "1"})
    assert forged.status_code == 400
    # confirming without "valid rows only" imports nothing while a row has errors
    refused = client.post(f"/admin/assignments/{aid}/candidates/import", data={
        "csrf_token": token, "payload": payload, "valid_only": ""})
    assert refused.status_code == 400 and db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0
    done = client.post(f"/admin/assignments/{aid}/candidates/import", data={
        "csrf_token": token, "payload": payload, "valid_only": "1"}, follow_redirects=True)
    assert step_of(done) == "candidate-list" and "1 candidate was imported" in done.get_data(as_text=True)
    db.expire_all()
    assert [(c.name, c.extra_time_pct) for c in db.scalars(sa.select(Candidate))] == [("Åsa Öberg", 25)]
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # send_now not ticked


def test_manage_page_actions(app, db, clock, people, make_assignment, make_invitation, login_as):
    aid = make_assignment(staff=[people["consultant"]])
    cid, inv_id, link = make_invitation(aid)
    client = login_as("consultant", "en")
    url = f"/admin/candidates/{cid}/manage"
    page = client.get(url)
    assert step_of(page) == "candidate-manage"
    token = csrf_from(page)
    # a reminder right after another is refused with the next allowed time
    client.post(f"/admin/candidates/{cid}/send-reminder", data={"csrf_token": token})
    clock.advance(hours=1)
    again = client.post(f"/admin/candidates/{cid}/send-reminder", data={"csrf_token": token}, follow_redirects=True)
    html = again.get_data(as_text=True)
    assert "The next reminder can be sent from" in html and "flash-error" in html
    db.expire_all()
    assert db.get(Invitation, inv_id).reminder_count == 1
    # validation errors next to the fields, 400
    bad = client.post(f"/admin/candidates/{cid}/technical-reset", data={"csrf_token": token, "reason": " "})
    assert bad.status_code == 400 and error_next_to(bad.get_data(as_text=True), "reason").startswith("Describe")
    bad = client.post(f"/admin/candidates/{cid}/accommodation",
                      data={"csrf_token": token, "extra_time": "custom", "extra_time_custom": "500"})
    assert bad.status_code == 400 and error_next_to(bad.get_data(as_text=True), "extra_time_custom")
    ok = client.post(f"/admin/candidates/{cid}/accommodation",
                     data={"csrf_token": token, "extra_time": "50"}, follow_redirects=True)
    assert 'data-extra-time="50"' in ok.get_data(as_text=True)
    # revoke, then re-issue: the old link is dead, the new one is shown
    client.post(f"/admin/candidates/{cid}/invitations/{inv_id}/revoke", data={"csrf_token": token})
    assert app.test_client().get(link).status_code == 410
    assert 'id="invitation-link"' not in client.get(url).get_data(as_text=True)
    client.post(f"/admin/candidates/{cid}/reissue", data={"csrf_token": token})  # send_now unticked
    db.expire_all()
    new = db.scalars(sa.select(Invitation).where(Invitation.candidate_id == cid).order_by(Invitation.id)).all()[-1]
    assert new.id != inv_id and new.revoked_at is None
    assert link_id(invitation_url(new, SETTINGS)) in client.get(url).get_data(as_text=True)
    assert app.test_client().get(path_of(invitation_url(new, SETTINGS))).status_code == 302
    # an invitation of another candidate is not reachable through this one
    _, other_inv, _ = make_invitation(aid, email="other@example.com")
    assert client.post(f"/admin/candidates/{cid}/invitations/{other_inv}/revoke",
                       data={"csrf_token": token}).status_code == 404


def test_other_users_get_404_and_never_see_the_link(app, db, people, make_assignment, make_invitation, login_as):
    aid = make_assignment(staff=[people["consultant"]])
    cid, inv_id, link = make_invitation(aid, name="Hemliga Kandidaten")
    token_part = link_id(link)
    outsider = login_as("outsider", "en")
    token = csrf_from(outsider.get("/admin/"))
    gets = [f"/admin/assignments/{aid}/candidates", f"/admin/assignments/{aid}/candidates/new",
            f"/admin/assignments/{aid}/candidates/import", f"/admin/candidates/{cid}/manage"]
    posts = [f"/admin/assignments/{aid}/candidates/new", f"/admin/assignments/{aid}/candidates/import",
             f"/admin/candidates/{cid}/send-invitation", f"/admin/candidates/{cid}/send-reminder",
             f"/admin/candidates/{cid}/invitations/{inv_id}/revoke", f"/admin/candidates/{cid}/reissue",
             f"/admin/candidates/{cid}/accommodation", f"/admin/candidates/{cid}/technical-reset"]
    for url in gets:
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert "Hemliga" not in response.get_data(as_text=True) and token_part not in response.get_data(as_text=True)
    for url in posts:
        response = outsider.post(url, data={"csrf_token": token, "name": "X", "email": "x@example.com",
                                             "reason": "x", "extra_time": "25"})
        assert response.status_code == 404, url
    db.expire_all()
    assert db.get(Invitation, inv_id).revoked_at is None and db.get(Candidate, cid).extra_time_pct == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1
    # the staffed consultant sees the link on the manage page only
    staffed = login_as("consultant", "en")
    assert token_part in staffed.get(f"/admin/candidates/{cid}/manage").get_data(as_text=True)
    for url in gets[:3] + [f"/admin/candidates/{cid}", f"/admin/assignments/{aid}"]:
        response = staffed.get(url)
        assert response.status_code == 200 and token_part not in response.get_data(as_text=True), url
