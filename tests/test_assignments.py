"""Consultants create assignments and clients, staff colleagues, and follow progress."""
from __future__ import annotations

import re

import sqlalchemy as sa

from conftest import csrf_from
from helpers import Candidate
from portal.models import Assignment, AuditEvent, Client, ClientContact, Role, User



def test_consultant_creates_an_assignment_for_a_new_client(app, db, login_as, make_user):
    uid = make_user("k@example.com")
    client = login_as("k@example.com", check=False)
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0  # the log is never emptied
    page = client.get("/admin/assignments/new")
    assert page.status_code == 200 and "Nytt uppdrag" in page.get_data(as_text=True)
    response = client.post("/admin/assignments/new", data={
        "csrf_token": csrf_from(page), "new_client": "Åkeri Öst AB", "title": "Trafikchef", "language": "sv",
        "norm_group": "managers", "time_limit": "25", "deadline": "2026-12-20", "uses_logic": "y",
        "uses_personality": "y"})
    assert response.status_code == 302
    a = db.scalar(sa.select(Assignment).where(Assignment.title == "Trafikchef"))
    assert a.client.name == "Åkeri Öst AB" and a.norm_group == "managers" and a.logic_time_limit_minutes == 25
    assert [u.id for u in a.consultants] == [uid]  # the creator works on it
    assert client.get(response.headers["Location"]).status_code == 200
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.user_id == uid,
                                                    AuditEvent.action == "create")).all()
    assert {e.object_type for e in events} == {"client", "assignment"}


def test_assignment_form_errors_are_shown_next_to_fields(app, db, login_as, make_user):
    make_user("k@example.com")
    client = login_as("k@example.com", check=False)
    token = csrf_from(client.get("/admin/assignments/new"))
    response = client.post("/admin/assignments/new", data={
        "csrf_token": token, "new_client": "X AB", "title": "", "language": "sv", "norm_group": "general",
        "time_limit": "500"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">Ange rollens titel', html)
    assert "mellan 5 och 120 minuter" in html
    assert 'value="X AB"' in html  # nothing typed is lost
    none = client.post("/admin/assignments/new", data={
        "csrf_token": token, "new_client": "X AB", "title": "T", "language": "sv", "norm_group": "general",
        "time_limit": "20"})
    assert none.status_code == 400 and "Välj minst ett test" in none.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0


def test_a_refused_form_stores_nothing(app, db, login_as, make_user):
    """Two refused "new assignment" posts with a new client name: no client, no audit
    event (the request's transaction is committed only when the response is a success)."""
    make_user("k@example.com")
    client = login_as("k@example.com", check=False)
    token = csrf_from(client.get("/admin/assignments/new"))
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    for _ in range(2):
        refused = client.post("/admin/assignments/new", data={
            "csrf_token": token, "new_client": "Aldrig Sparad AB", "title": "T", "language": "sv",
            "norm_group": "general", "time_limit": "20"})
        assert refused.status_code == 400
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Client).where(Client.name == "Aldrig Sparad AB")) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.id > before)) == 0
    assert client.post("/admin/assignments/new", data={"title": "T"}).status_code == 400  # no CSRF token


def test_staffing_a_colleague(app, db, make_assignment, login_as, make_user):
    uid = make_user("k@example.com")
    other = make_user("other@example.com")
    aid = make_assignment(staff=[uid])
    client = login_as("k@example.com", check=False)
    token = csrf_from(client.get(f"/admin/assignments/{aid}"))
    assert login_as("other@example.com", check=False).get(f"/admin/assignments/{aid}").status_code == 404
    page = client.post(f"/admin/assignments/{aid}/staff", data={"csrf_token": token, "email": "nobody@example.com"},
                       follow_redirects=True)
    assert "Det finns ingen aktiv konsult" in page.get_data(as_text=True)
    client.post(f"/admin/assignments/{aid}/staff", data={"csrf_token": token, "email": "Other@Example.com"})
    assert login_as("other@example.com", check=False).get(f"/admin/assignments/{aid}").status_code == 200
    db.expire_all()
    assert {u.id for u in db.get(Assignment, aid).consultants} == {uid, other}


def test_client_contacts(app, db, make_assignment, login_as, make_user):
    aid = make_assignment(staff=[make_user("k@example.com")])
    cid = db.get(Assignment, aid).client_id
    client = login_as("k@example.com", check=False)
    token = csrf_from(client.get("/admin/clients"))
    bad = client.post("/admin/clients", data={"csrf_token": token, "client_id": cid, "name": "",
                                              "email": "kalle@kund.se"})
    assert bad.status_code == 400 and "Ange kontaktpersonens namn" in bad.get_data(as_text=True)
    assert 'value="kalle@kund.se"' in bad.get_data(as_text=True)
    client.post("/admin/clients", data={"csrf_token": token, "client_id": cid, "name": "Kalle Kund",
                                        "email": "kalle@kund.se", "title": "HR-chef"})
    contact = db.scalar(sa.select(ClientContact))
    assert (contact.name, contact.client_id) == ("Kalle Kund", cid)
    assert "Kalle Kund, HR-chef" in client.get("/admin/clients").get_data(as_text=True)


def test_progress_board_filters_and_refreshes(app, db, clock, make_assignment, make_invitation, login_as, make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    _, _, started = make_invitation(aid, name="Stina Startad", email="s@example.com")
    make_invitation(aid, name="Ivar Inbjuden", email="i@example.com")
    c = Candidate(app.test_client(), started).through_practice()
    c.start_test()
    clock.advance(minutes=3)
    c.answer_item()
    client = login_as("k@example.com", check=False)
    html = client.get(f"/admin/assignments/{aid}").get_data(as_text=True)
    assert "Stina Startad" in html and "Ivar Inbjuden" in html
    assert "3 min" in html  # time used on the logic test
    assert 'data-refresh="/admin/assignments/' in html and "progress.js" in html
    only_started = client.get(f"/admin/assignments/{aid}?status=in_progress").get_data(as_text=True)
    assert "Stina Startad" in only_started and "Ivar Inbjuden" not in only_started
    fragment = client.get(f"/admin/assignments/{aid}?fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and fragment.count('<tr data-candidate=') == 2


def test_editing_an_assignment(app, db, make_assignment, login_as, make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    client = login_as("k@example.com", check=False)
    page = client.get(f"/admin/assignments/{aid}/edit")
    assert page.status_code == 200 and 'value="Controller"' in page.get_data(as_text=True)
    token = csrf_from(page)
    bad = client.post(f"/admin/assignments/{aid}/edit", data={"csrf_token": token, "title": "Controller",
                                                              "norm_group": "general", "time_limit": "2",
                                                              "uses_logic": "y", "status": "open"})
    assert bad.status_code == 400 and "mellan 5 och 120" in bad.get_data(as_text=True)
    ok = client.post(f"/admin/assignments/{aid}/edit", data={"csrf_token": token, "title": "Controller",
                                                             "norm_group": "managers", "time_limit": "30",
                                                             "deadline": "2027-01-15", "uses_logic": "y",
                                                             "status": "closed"})
    assert ok.status_code == 302
    db.expire_all()
    a = db.get(Assignment, aid)
    assert (a.norm_group, a.logic_time_limit_minutes, a.status.value, a.uses_personality) == (
        "managers", 30, "closed", False)
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "assignment",
                                                  AuditEvent.object_id == aid).order_by(AuditEvent.id.desc()))
    assert event.action == "update" and "status" in event.detail["fields"] and "Controller" not in str(event.detail)
    assert login_as("other@example.com", check=False).get(f"/admin/assignments/{aid}/edit").status_code in (302, 404)


def test_a_consultant_sees_only_the_clients_of_their_assignments(app, db, make_assignment, login_as, make_user):
    mine = make_user("k@example.com")
    make_user("boss@example.com", role=Role.ADMIN)
    own = make_assignment(staff=[mine])
    other = make_assignment()
    with app.app_context():
        db.get(Assignment, own).client.name = "Egen Kund AB"
        db.get(Assignment, other).client.name = "Annans Kund AB"
        other_client = db.get(Assignment, other).client_id
        db.add(ClientContact(client_id=other_client, name="Hemlig Kontakt", email="hemlig@annan.se"))
        db.commit()
    client = login_as("k@example.com", check=False)
    page = client.get("/admin/clients").get_data(as_text=True)
    assert "Egen Kund AB" in page and "Annans Kund AB" not in page and "Hemlig Kontakt" not in page
    new = client.get("/admin/assignments/new").get_data(as_text=True)
    assert "Egen Kund AB" in new and "Annans Kund AB" not in new
    token = csrf_from(client.get("/admin/clients"))
    # Neither a contact nor an assignment can be added to a client the consultant cannot see.
    assert client.post("/admin/clients", data={"csrf_token": token, "client_id": other_client,
                                               "name": "Inbrytare"}).status_code == 404
    response = client.post("/admin/assignments/new", data={
        "csrf_token": token, "client_id": str(other_client), "title": "Ekonom", "language": "sv",
        "norm_group": "general", "time_limit": "20", "uses_logic": "y"})
    assert response.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 2
    assert db.scalar(sa.select(sa.func.count()).select_from(ClientContact)) == 1
    # An administrator sees every client.
    admin_page = login_as("boss@example.com", check=False).get("/admin/clients").get_data(as_text=True)
    assert "Egen Kund AB" in admin_page and "Annans Kund AB" in admin_page and "Hemlig Kontakt" in admin_page


def test_a_user_sets_their_own_display_name(app, db, login_as, make_user):
    uid = make_user("namnlos@example.com")
    client = login_as("namnlos@example.com", check=False)
    page = client.get("/admin/account/name")
    assert page.status_code == 200 and 'data-signed-in' in page.get_data(as_text=True)
    assert ">namnlos@example.com</a>" in page.get_data(as_text=True)  # no name yet: the address
    token = csrf_from(page)
    empty = client.post("/admin/account/name", data={"csrf_token": token, "name": "  "})
    assert empty.status_code == 400 and "Ange ditt namn." in empty.get_data(as_text=True)
    assert client.post("/admin/account/name", data={"name": "Nora Namn"}).status_code == 400  # CSRF
    assert client.post("/admin/account/name", data={"csrf_token": token, "name": "Nora Namn"}).status_code == 302
    db.expire_all()
    assert db.get(User, uid).name == "Nora Namn"
    assert ">Nora Namn</a>" in client.get("/admin/").get_data(as_text=True)
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == uid)).all()
    assert [(e.action, e.detail) for e in events][-1] == ("update", {"field": "name"})
