"""Every admin URL as every role and as an anonymous visitor: nothing leaks."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from conftest import csrf_from, sign_in
from item_banks import load_logic_bank
from portal.models import AuditEvent, Client, OutboxMessage, Role, User
from portal.services.audit import AuditLogIsAppendOnly

SECRET_NAME = "Hemliga Kandidaten"
SECRET_EMAIL = "hemlig@example.com"


@pytest.fixture
def world(app, db, clock, make_assignment, make_invitation, tmp_path, make_user):
    users = {key: db.get(User, make_user(f"{key}@example.com", role))
             for key, role in (("admin", Role.ADMIN), ("consultant", Role.CONSULTANT), ("outsider", Role.CONSULTANT),
                               ("client", Role.CLIENT), ("other_client", Role.CLIENT))}
    aid = make_assignment(title="Hemligt uppdrag", staff=[users["consultant"].id])
    cid, _, _ = make_invitation(aid, name=SECRET_NAME, email=SECRET_EMAIL)
    client_id = db.scalar(sa.select(Client.id))
    other = Client(name="Annat AB")
    db.add(other)
    db.commit()
    users["client"].client_id = client_id
    users["other_client"].client_id = other.id
    from portal.models import Candidate as CandidateRow

    db.get(CandidateRow, cid).finalist_at = clock()  # so the final-candidates view names them
    message = OutboxMessage(kind="invitation", candidate_id=cid, to_address=SECRET_EMAIL, subject="Inbjudan",
                            body_text=f"Hej {SECRET_NAME}!")
    db.add(message)
    db.commit()
    from portal.models import Candidate
    from portal.services import checks

    from portal.models import Assignment
    from portal.services import profiles

    profile = profiles.save_profile(db, db.get(Assignment, aid), user_id=users["consultant"].id, now=clock(),
                          logic_min_percentile=None, personality_targets={},
                          items=[{"key": "collaboration", "weight": 3, "target_level": 3, "must": True}])
    db.commit()
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    check = checks.checklist(db, db.get(Candidate, cid))[0]
    checks.attach_file(db, check, filename="id.pdf", data=f"%PDF-1.4 {SECRET_NAME}".encode(),
                       storage_dir=tmp_path, now=check.updated_at)
    db.commit()
    from portal.models import Report, ReportKind

    reports = {}
    for kind in ReportKind:  # released reports, as if by the consultant
        report = Report(candidate_id=cid, kind=kind, version=1, language="sv", content={"candidate": {"name": SECRET_NAME}, "assignment": {"title": "x", "client": "x"}},
                        stamp={}, html=f"<p>{SECRET_NAME}</p>", pdf=f"%PDF-1.4 {SECRET_NAME}".encode(),
                        pdf_sha256="0" * 64, released_by_id=users["consultant"].id, released_at=clock())
        db.add(report)
        db.commit()
        reports[kind.value] = report.id
    from portal.models import CandidateComment

    # The candidate's reply after the release: the client report has an addendum.
    db.add(CandidateComment(candidate_id=cid, text="Mitt svar", created_at=clock(), updated_at=clock()))
    db.commit()
    from portal.models import WebhookEndpoint

    endpoint = WebhookEndpoint(url="https://ats.example/hook", secret="whsec_AAAA", events=["candidate.invited"])
    db.add(endpoint)
    db.commit()
    return {"users": {k: u.id for k, u in users.items()}, "assignment": aid, "candidate": cid, "client": client_id,
            "message": message.id, "check": check.id, "profile": profile.id, "reports": reports,
            "endpoint": endpoint.id}


def pdf_or_html(response) -> str:
    if response.mimetype == "application/zip":  # an export: every file's text, the data and the PDFs
        import io
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(response.data))
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if response.mimetype != "application/pdf":
        return response.get_data(as_text=True)
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    except PdfReadError:  # the world's stand-in PDFs are not real PDFs: their bytes are the text
        return response.data.decode("latin-1")


def client_as(app, login_as, who):
    return app.test_client() if who == "anonymous" else login_as(who)


def admin_get_urls(app, world):
    values = {"assignment_id": world["assignment"], "candidate_id": world["candidate"],
              "message_id": world["message"], "check_id": world["check"],
              "user_id": world["users"]["consultant"], "item_id": load_logic_bank().items[0].id,
              "endpoint_id": world["endpoint"], "version": load_logic_bank().version,
              "client_id": world["client"]}
    urls = []
    for rule in app.url_map.iter_rules():
        # the sign-in pages themselves are public (the single sign-on callback: tests/test_sso.py)
        if rule.rule.startswith("/admin") and "GET" in rule.methods \
                and rule.endpoint not in ("admin.login", "admin.sso_callback"):
            # every report kind, and every released report
            for kind in ("client", "candidate"):
                for report_id in world["reports"].values():
                    urls.append(rule.build({**values, "kind": kind, "report_id": report_id},
                                           append_unknown=False)[1])
    return sorted(set(urls))


EXPECTED = {
    # url key -> status per role (anonymous redirects to login everywhere)
    "staff": {"client": 403, "other_client": 403, "outsider": 200, "consultant": 200, "admin": 200},
    "object": {"client": 403, "other_client": 403, "outsider": 404, "consultant": 200, "admin": 200},
    "admin": {"client": 403, "other_client": 403, "outsider": 403, "consultant": 403, "admin": 200},
    "client_home": {"client": 200, "other_client": 200, "outsider": 302, "consultant": 302, "admin": 302},
    # pages a client user of the assignment's organisation shares with its staff
    "shared": {"client": 200, "other_client": 404, "outsider": 404, "consultant": 200, "admin": 200},
    # released reports: the client's users see their organisation's client reports only
    "client_report": {"client": 200, "other_client": 404, "outsider": 404, "consultant": 200, "admin": 200},
    "candidate_report": {"client": 404, "other_client": 404, "outsider": 404, "consultant": 200, "admin": 200},
    # one's own account (two-factor sign-in): every signed-in user
    "account": {"client": 200, "other_client": 200, "outsider": 200, "consultant": 200, "admin": 200},
    # a reply addendum exists only for client reports
    "no_addendum": {"client": 404, "other_client": 404, "outsider": 404, "consultant": 404, "admin": 404},
    # the second sign-in step without a first one: back to the login page
    "login_step": {"client": 302, "other_client": 302, "outsider": 302, "consultant": 302, "admin": 302},
}
WORLD_REPORTS: dict[str, int] = {}
SHARED = ("/admin/client/assignments/", "/first-opinion")
REPORT = "/admin/reports/"


def kind_of(url):
    if url.startswith("/admin/account/"):
        return "account"
    if url == "/admin/login/second-factor":
        return "login_step"
    if url.startswith(REPORT) and url.endswith("/reply") and url.split("/")[3] != str(WORLD_REPORTS["client"]):
        return "no_addendum"
    if url.startswith(REPORT):
        return "client_report" if url.split("/")[3] == str(WORLD_REPORTS["client"]) else "candidate_report"
    if url.startswith(SHARED[0]) or url.endswith(SHARED[1:]):
        return "shared"
    if url.startswith(("/admin/assignments/", "/admin/candidates/", "/admin/outbox/", "/admin/clients/")) \
            and any(p.isdigit() for p in url.split("/")):
        return "object"
    if url.startswith(("/admin/users", "/admin/audit", "/admin/retention", "/admin/sso", "/admin/api-keys",
                       "/admin/webhooks", "/admin/banks/versions", "/admin/branding")) \
            or (url.startswith("/admin/analytics/leaks/") and url.endswith("/retire")):
        return "admin"
    if url == "/admin/client":
        return "client_home"
    return "staff"


@pytest.mark.parametrize("who", ["anonymous", "client", "other_client", "outsider", "consultant", "admin"])
def test_every_admin_url_as_every_role(app, world, who, login_as):
    client = client_as(app, login_as, who)
    WORLD_REPORTS.update(world["reports"])
    urls = admin_get_urls(app, world)
    assert {"/admin/users", "/admin/audit", "/admin/client", "/admin/banks",
            f"/admin/candidates/{world['candidate']}", f"/admin/assignments/{world['assignment']}"} <= set(urls)
    for url in urls:
        response = client.get(url)
        body = pdf_or_html(response)
        if who == "anonymous":
            assert response.status_code == 302 and "/admin/login" in response.headers["Location"], url
            continue
        expected = EXPECTED[kind_of(url)][who]
        assert response.status_code == expected, (url, who, response.status_code)
        sees_candidate = (kind_of(url) in ("object", "shared", "client_report", "candidate_report")
                          and expected == 200 and "/profile" not in url
                          # an assignment's edit and retention pages name no candidate
                          and not url.endswith("/edit")
                          # a client's e-mail texts name no candidate
                          and not url.startswith("/admin/clients/")
                          and not (url.startswith("/admin/assignments/") and url.endswith("/retention"))) or (
            url == "/admin/outbox" and who in ("consultant", "admin"))
        if url == "/admin/client" and who == "client":
            # The start page's overview names the candidate whose report was released.
            assert SECRET_NAME in body and SECRET_EMAIL not in body, url
        elif url == "/admin/" and who in ("consultant", "admin"):
            pass  # the overview may name a candidate of the consultant's own assignments
        elif not sees_candidate:
            assert SECRET_NAME not in body and SECRET_EMAIL not in body, (url, who)
        else:  # the staffed consultant and the admin do see it
            assert SECRET_NAME in body or SECRET_EMAIL in body, url
    if who in ("client", "other_client"):
        home = client.get("/admin/client").get_data(as_text=True)
        assert ("Hemligt uppdrag" in home) == (who == "client")


@pytest.mark.parametrize("who", ["client", "outsider", "consultant"])
def test_admin_only_actions_are_refused(app, world, who, login_as):
    client = client_as(app, login_as, who)
    token = csrf_from(client.get("/admin/login"))
    target = world["users"]["admin"]
    for url, data in ((f"/admin/users/{target}/active", {"active": "0"}),
                      (f"/admin/users/{target}/set-password-link", {}),
                      ("/admin/users", {"email": "new@example.com", "role": "admin"}),
                      (f"/admin/banks/versions/{load_logic_bank().version}/activate", {"confirm": "y"})):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 403, (url, who)


def test_dashboard_lists_only_staffed_assignments(app, world, login_as):
    outsider = client_as(app, login_as, "outsider").get("/admin/").get_data(as_text=True)
    staffed = client_as(app, login_as, "consultant").get("/admin/").get_data(as_text=True)
    assert "Hemligt uppdrag" not in outsider and "Hemligt uppdrag" in staffed


def test_views_are_audited_without_personal_data(app, db, world, login_as):
    client = client_as(app, login_as, "consultant")
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    client.get(f"/admin/candidates/{world['candidate']}")
    client.get(f"/admin/assignments/{world['assignment']}")
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("view", "candidate_results", world["candidate"]), ("lock", "requirement_profile", world["profile"]),
        ("view", "assignment", world["assignment"])]  # opening results locks the profile
    assert all(e.user_id == world["users"]["consultant"] for e in events)
    for e in events:
        assert SECRET_NAME not in str(e.detail) and SECRET_EMAIL not in str(e.detail)
    audit_page = client_as(app, login_as, "admin").get("/admin/audit").get_data(as_text=True)
    assert "candidate_results #" in audit_page and SECRET_NAME not in audit_page


def test_failed_login_is_audited_without_the_address(app, db, world):
    sign_in(app.test_client(), "guess@example.com", "wrong password")
    event = db.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "login_failed" and event.user_id is None and "guess" not in str(event.detail)


def test_audit_log_cannot_be_edited(app, db, world, login_as):
    client_as(app, login_as, "consultant").get(f"/admin/candidates/{world['candidate']}")
    event = db.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    event.action = "nothing to see"
    with pytest.raises(AuditLogIsAppendOnly):
        db.flush()
    db.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.execute(sa.delete(AuditEvent))
    db.rollback()
    # the database refuses too, whatever the client
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.connection().exec_driver_sql("UPDATE audit_event SET action = 'x'")
    db.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.connection().exec_driver_sql("DELETE FROM audit_event")
    db.rollback()
    # and no page offers to change it
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_admin_manages_users(app, db, world, login_as):
    client = client_as(app, login_as, "admin")
    page = client.get("/admin/users")
    token = csrf_from(page)
    bad = client.post("/admin/users", data={"csrf_token": token, "email": "new@example.com", "role": "client",
                                            "client_id": ""})
    assert bad.status_code == 400 and "Välj kundorganisation" in bad.get_data(as_text=True)
    taken = client.post("/admin/users", data={"csrf_token": token, "email": "Consultant@example.com",
                                              "role": "consultant"})
    assert taken.status_code == 400
    assert db.scalar(sa.select(User).where(User.email == "new@example.com")) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.user_id.is_not(None))) == 0  # a refused form queues no e-mail
    ok = client.post("/admin/users", data={"csrf_token": token, "email": "New@Example.com",
                                           "role": "consultant"})
    assert ok.status_code == 302
    new = db.scalar(sa.select(User).where(User.email == "new@example.com"))
    assert new.role is Role.CONSULTANT and new.set_password_nonce is not None  # chooses a password by link
    assert db.scalar(sa.select(OutboxMessage).where(OutboxMessage.user_id == new.id)).kind == "set_password"
    # deactivating logs the user out everywhere
    victim = client_as(app, login_as, "consultant")
    assert victim.get("/admin/").status_code == 200
    client.post(f"/admin/users/{world['users']['consultant']}/active", data={"csrf_token": token, "active": "0"})
    assert victim.get("/admin/").status_code == 302
    no_csrf = client.post(f"/admin/users/{world['users']['outsider']}/active", data={"active": "0"})
    assert no_csrf.status_code == 400
