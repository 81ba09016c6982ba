"""References and background checks: the service and the pages."""
from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder

from conftest import csrf_from, step_of
from portal.models import Assignment, AuditEvent, BackgroundCheck, Candidate, CheckStatus, ReferenceCheck
from portal import labels
from portal.services import checks as svc
from portal.services import profiles

PDF = b"%PDF-1.4\n% test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
KEYS = ("problem_solving", "drive")


def last_audit_id(db) -> int:
    return db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def audit_since(db, before: int) -> list[AuditEvent]:
    return db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()


@pytest.fixture
def staff_user(db, make_user):
    return make_user("konsult@example.com")


@pytest.fixture
def other_user(db, make_user):
    return make_user("annan@example.com")


@pytest.fixture
def candidate_id(db, make_assignment, make_invitation, staff_user, clock):
    assignment_id = make_assignment(staff=[staff_user])
    profiles.save_profile(db, db.get(Assignment, assignment_id), user_id=staff_user,
                          items=[{"key": k, "weight": 2, "target_level": 3, "must": False} for k in KEYS],
                          logic_min_percentile=None, personality_targets={}, now=clock())
    db.commit()
    cid, _inv, _url = make_invitation(assignment_id, name="Hemliga Kandidaten")
    return cid


@pytest.fixture
def candidate(db, candidate_id):
    return db.get(Candidate, candidate_id)


@pytest.fixture
def storage(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "att")
    return tmp_path / "att"


# -------------------------------------------------------------------------- service


def test_reference_needs_consent_and_ratings_follow_the_profile(db, candidate, staff_user, clock):
    with pytest.raises(svc.CheckError) as err:
        svc.add_reference(db, candidate, referee_name="Rita Referent", relation="chef", period="2020-2024",
                          consent=False, user_id=staff_user, now=clock())
    assert err.value.code == "consent_required"
    with pytest.raises(svc.CheckError) as err:
        svc.add_reference(db, candidate, referee_name="  ", consent=True, user_id=staff_user, now=clock())
    assert err.value.code == "name_required"

    ref = svc.add_reference(db, candidate, referee_name="Rita Referent", relation="chef", period="2020-2024",
                            consent=True, user_id=staff_user, now=clock())
    assert ref.consent_at is not None
    with pytest.raises(svc.CheckError) as err:
        svc.save_reference_ratings(db, ref, ratings={"leadership": (4, "x")}, summary="", now=clock())
    assert (err.value.code, err.value.field) == ("unknown_competency", "leadership")
    for bad in (0, 6, True, "3"):
        with pytest.raises(svc.CheckError) as err:
            svc.save_reference_ratings(db, ref, ratings={"drive": (bad, "")}, summary="", now=clock())
        assert err.value.code == "level_range"
    svc.save_reference_ratings(db, ref, ratings={"drive": (4, " Driven "), "problem_solving": (None, "")},
                               summary="Good", now=clock())
    assert ref.ratings == {"drive": {"level": 4, "notes": "Driven"}}

    # A reference without consent (e.g. imported) cannot be rated.
    ref.consent_at = None
    with pytest.raises(svc.CheckError) as err:
        svc.save_reference_ratings(db, ref, ratings={"drive": (3, "")}, summary="", now=clock())
    assert err.value.code == "consent_required"


def test_checklist_is_created_lazily_with_the_default_kinds(db, candidate):
    rows = svc.checklist(db, candidate)
    assert [r.kind for r in rows] == list(svc.DEFAULT_KINDS)
    assert all(r.status is CheckStatus.NOT_STARTED for r in rows)
    assert [r.id for r in svc.checklist(db, candidate)] == [r.id for r in rows]
    assert set(labels.CHECK_KINDS) == set(svc.DEFAULT_KINDS)


def test_attachments_are_checked_and_stored_under_a_random_name(db, candidate, tmp_path, clock):
    check = svc.checklist(db, candidate)[1]
    for name, data, code in [("virus.exe", b"MZ\x90\x00", "bad_type"),
                             ("fake.pdf", PNG, "bad_content"),
                             ("empty.pdf", b"", "empty_file"),
                             ("big.pdf", PDF + b"0" * svc.MAX_ATTACHMENT_BYTES, "too_large")]:
        with pytest.raises(svc.CheckError) as err:
            svc.attach_file(db, check, filename=name, data=data, storage_dir=tmp_path, now=clock())
        assert err.value.code == code
    assert list(tmp_path.iterdir()) == []

    svc.attach_file(db, check, filename="../../Examensbevis.pdf", data=PDF, storage_dir=tmp_path, now=clock())
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and "Examensbevis" not in files[0].name
    assert check.attachment_name == "Examensbevis.pdf"
    assert svc.read_attachment(check, tmp_path) == (PDF, f"check-{check.candidate_id}-{check.kind}.pdf")

    svc.attach_file(db, check, filename="photo.PNG", data=PNG, storage_dir=tmp_path, now=clock())
    assert len(list(tmp_path.iterdir())) == 1  # the old file is removed


# ---------------------------------------------------------------------------- pages


def test_reference_pages_add_and_rate(app, db, candidate_id, staff_user, login_as):
    client = login_as("konsult@example.com")
    url = f"/admin/candidates/{candidate_id}/references"
    page = client.get(url)
    assert page.status_code == 200 and step_of(page) == "references"
    token = csrf_from(page)

    no_consent = client.post(url, data={"csrf_token": token, "action": "add", "referee_name": "Rita Referent"})
    assert no_consent.status_code == 400
    assert db.scalar(sa.select(sa.func.count(ReferenceCheck.id))) == 0
    assert client.post(url, data={"action": "add", "referee_name": "Rita", "consent": "y"}).status_code == 400

    before = last_audit_id(db)
    added = client.post(url, data={"csrf_token": token, "action": "add", "referee_name": "Rita Referent",
                                   "relation": "chef", "consent": "y"})
    assert added.status_code == 302
    ref_id = db.scalar(sa.select(ReferenceCheck.id))
    rated = client.post(url, data={"csrf_token": token, "action": "rate", "reference_id": ref_id,
                                   "level-drive": "5", "notes-drive": "Very driven", "summary": "Recommended"})
    assert rated.status_code == 302
    db.expire_all()
    assert db.get(ReferenceCheck, ref_id).ratings == {"drive": {"level": 5, "notes": "Very driven"}}
    bad = client.post(url, data={"csrf_token": token, "action": "rate", "reference_id": ref_id,
                                 "level-drive": "9"})
    assert bad.status_code == 400
    events = audit_since(db, before)
    assert [(e.action, e.object_type) for e in events] == [("create", "reference_check"),
                                                           ("rate", "reference_check")]
    assert all("Rita" not in str(e.detail) and "driven" not in str(e.detail) for e in events)
    assert "Rita Referent" in client.get(url).get_data(as_text=True)


def test_a_referee_has_an_e_mail_and_a_phone_number(app, db, candidate_id, staff_user, login_as):
    client = login_as("konsult@example.com")
    url = f"/admin/candidates/{candidate_id}/references"
    token = csrf_from(client.get(url))
    base = {"csrf_token": token, "action": "add", "referee_name": "Rita Referent", "consent": "y"}
    bad = client.post(url, data={**base, "email": "rita.example.se", "phone": "12"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Ange referensens e-postadress" in text and 'value="rita.example.se"' in text
    assert db.scalar(sa.select(sa.func.count(ReferenceCheck.id))) == 0
    bad_phone = client.post(url, data={**base, "email": "rita@example.se", "phone": "ring mig"})
    assert bad_phone.status_code == 400 and "minst 6 siffror" in bad_phone.get_data(as_text=True)
    assert client.post(url, data={**base, "email": "rita@example.se", "phone": "+46 70-123 45 67"}).status_code == 302
    ref = db.scalar(sa.select(ReferenceCheck))
    assert (ref.referee_email, ref.referee_phone) == ("rita@example.se", "+46 70-123 45 67")
    page = client.get(url).get_data(as_text=True)
    assert 'href="tel:+4670-1234567"' in page and 'href="mailto:rita@example.se"' in page


def test_background_upload_download_and_csrf(app, db, candidate_id, staff_user, storage, login_as):
    client = login_as("konsult@example.com")
    url = f"/admin/candidates/{candidate_id}/background"
    page = client.get(url)
    assert page.status_code == 200 and step_of(page) == "background"
    token = csrf_from(page)
    check_id = db.scalar(sa.select(BackgroundCheck.id).where(BackgroundCheck.candidate_id == candidate_id,
                                                             BackgroundCheck.kind == "education"))

    def post(filename=None, data=b"", **extra):
        form = {"csrf_token": token, f"status-{check_id}": "ok", f"checked_on-{check_id}": "2026-11-20",
                f"source-{check_id}": "UHR", f"note-{check_id}": "", **extra}
        if filename:
            form[f"file-{check_id}"] = (BytesIO(data), filename)
        # Build the environ here so the spooled request body (> 500 kB) can be closed.
        environ = EnvironBuilder(url, method="POST", data=form, content_type="multipart/form-data").get_environ()
        try:
            return client.open(environ)
        finally:
            environ["wsgi.input"].close()

    assert post(csrf_token="").status_code == 400
    assert post("virus.exe", b"MZ").status_code == 400
    assert post("fake.pdf", PNG).status_code == 400
    assert post("big.pdf", PDF + b"0" * svc.MAX_ATTACHMENT_BYTES).status_code == 400
    assert not storage.exists() or list(storage.iterdir()) == []
    db.expire_all()
    assert db.get(BackgroundCheck, check_id).status is CheckStatus.NOT_STARTED  # refused post: nothing saved

    assert post("Examensbevis Kim.pdf", PDF).status_code == 302
    db.expire_all()
    row = db.get(BackgroundCheck, check_id)
    assert (row.status, str(row.checked_on), row.attachment_name) == (CheckStatus.OK, "2026-11-20",
                                                                      "Examensbevis Kim.pdf")
    assert [p.name for p in storage.iterdir()] == [row.attachment_path]

    before = last_audit_id(db)
    download = client.get(f"{url}/{check_id}/attachment")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "Examensbevis" not in disposition and "Kim" not in disposition
    assert f"check-{candidate_id}-" in disposition  # ids and the kind, never the uploaded name
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    events = audit_since(db, before)
    assert [(e.action, e.object_type, e.object_id) for e in events] == [("download", "background_check", check_id)]
    assert "Examensbevis" not in str(events[0].detail) and "Kandidaten" not in str(events[0].detail)

    other = db.scalar(sa.select(BackgroundCheck.id).where(BackgroundCheck.candidate_id == candidate_id,
                                                          BackgroundCheck.kind == "identity"))
    assert client.get(f"{url}/{other}/attachment").status_code == 404  # no attachment


def test_the_checklist_saves_every_item_with_one_button_and_loses_nothing(app, db, candidate_id, staff_user,
                                                                          storage, login_as):
    client = login_as("konsult@example.com")
    url = f"/admin/candidates/{candidate_id}/background"
    page = client.get(url)
    html = page.get_data(as_text=True)
    checklist = html[html.index("data-checklist"):html.index("</form>", html.index("data-checklist"))]
    assert checklist.count('type="submit"') == 1 and "Spara alla kontroller" in checklist
    rows = {c.kind: c.id for c in db.scalars(sa.select(BackgroundCheck).where(
        BackgroundCheck.candidate_id == candidate_id))}
    form = {"csrf_token": csrf_from(page)}
    for kind, row in rows.items():
        form.update({f"status-{row}": "not_started", f"checked_on-{row}": "", f"source-{row}": "",
                     f"note-{row}": ""})
    form.update({f"status-{rows['identity']}": "ok", f"source-{rows['identity']}": "Pass, sett på plats",
                 f"status-{rows['employment']}": "remark", f"note-{rows['employment']}": "Anställd 2019-2022, ej 2023"})
    # One bad date: nothing is saved, and everything typed comes back.
    bad = client.post(url, data={**form, f"checked_on-{rows['education']}": "20 november"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Inget sparades" in text and "Ange datumet som ÅÅÅÅ-MM-DD." in text
    assert 'value="Pass, sett på plats"' in text and "Anställd 2019-2022, ej 2023</textarea>" in text
    assert 'value="20 november"' in text
    db.expire_all()
    assert {db.get(BackgroundCheck, r).status for r in rows.values()} == {CheckStatus.NOT_STARTED}
    before = last_audit_id(db)
    assert client.post(url, data=form).status_code == 302
    db.expire_all()
    saved = {kind: db.get(BackgroundCheck, row) for kind, row in rows.items()}
    assert (saved["identity"].status, saved["identity"].source) == (CheckStatus.OK, "Pass, sett på plats")
    assert (saved["employment"].status, saved["employment"].note) == (CheckStatus.REMARK, "Anställd 2019-2022, ej 2023")
    assert saved["education"].status is CheckStatus.NOT_STARTED
    # Only the two changed items are audited.
    assert sorted(e.object_id for e in audit_since(db, before)) == sorted([rows["identity"], rows["employment"]])


def test_unstaffed_consultant_gets_404_everywhere(app, db, candidate_id, staff_user, other_user, storage, clock,
                                                  login_as):
    candidate = db.get(Candidate, candidate_id)
    check = svc.checklist(db, candidate)[0]
    svc.attach_file(db, check, filename="id.pdf", data=PDF, storage_dir=storage, now=clock())
    ref = svc.add_reference(db, candidate, referee_name="R", consent=True, user_id=staff_user, now=clock())
    db.commit()

    client = login_as("annan@example.com")
    token = csrf_from(client.get("/admin/"))
    base = f"/admin/candidates/{candidate_id}"
    assert client.get(f"{base}/references").status_code == 404
    assert client.get(f"{base}/background").status_code == 404
    assert client.get(f"{base}/background/{check.id}/attachment").status_code == 404
    assert client.post(f"{base}/references", data={"csrf_token": token, "action": "add", "referee_name": "X",
                                                   "consent": "y"}).status_code == 404
    assert client.post(f"{base}/references", data={"csrf_token": token, "action": "rate",
                                                   "reference_id": ref.id, "level-drive": "1"}).status_code == 404
    assert client.post(f"{base}/background", data={"csrf_token": token,
                                                   f"status-{check.id}": "remark"}).status_code == 404
    db.expire_all()
    assert db.get(BackgroundCheck, check.id).status is CheckStatus.NOT_STARTED

    anonymous = app.test_client()
    assert anonymous.get(f"{base}/background/{check.id}/attachment").status_code == 302  # to the login page
