"""Access requests: everything held about one candidate in one zip, for a consultant
(full) and for the candidate through their link (their own part)."""
from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa

from portal.models import AuditEvent, Invitation
from test_reports import assessed, release  # noqa: F401  (fixture)


def unzip(data: bytes) -> tuple[dict, list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("data.json")), archive.namelist()


def test_consultant_exports_everything_about_a_candidate(app, db, assessed, login_as):  # noqa: F811
    cid = assessed["candidate"]
    client = login_as("consultant", check=False)
    release(client, cid, "client")
    release(client, cid, "candidate")
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    response = client.get(f"/admin/candidates/{cid}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "Alva" not in response.headers["Content-Disposition"]
    data, names = unzip(response.data)
    tables = data["tables"]
    assert data["scope"] == "full" and tables["candidate"][0]["name"] == "Alva Lindqvist"
    for table in ("invitation", "attempt", "logic_response", "inventory_response", "result", "interview_rating",
                  "reference_check", "background_check", "synthesis", "report"):
        assert tables[table], table
    assert tables["reference_check"][0]["summary"] == "Strukturerad och lugn under bokslut."
    assert "reports/client-v1.pdf" in names and "reports/candidate-v1.pdf" in names
    text = json.dumps(data)
    nonce = db.scalar(sa.select(Invitation.nonce).where(Invitation.candidate_id == cid))
    assert nonce not in text and "password_hash" not in text  # secrets stay out
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "export")).all()
    assert [(e.object_type, e.object_id) for e in events] == [("candidate", cid)]
    assert "Alva" not in str(events[0].detail)
    assert login_as("outsider", check=False).get(f"/admin/candidates/{cid}/export.zip").status_code == 404
    assert login_as("client", check=False).get(f"/admin/candidates/{cid}/export.zip").status_code == 403


def test_candidate_downloads_their_own_data(app, db, assessed, login_as):  # noqa: F811
    cid = assessed["candidate"]
    staff = login_as("consultant", check=False)
    release(staff, cid, "client")
    release(staff, cid, "candidate")
    candidate = app.test_client()
    candidate.get(assessed["link"], follow_redirects=True)
    page = candidate.get("/test/done")
    assert "data-my-data" in page.get_data(as_text=True)
    response = candidate.get("/test/my-data.zip")
    assert response.status_code == 200
    data, names = unzip(response.data)
    assert data["scope"] == "self" and data["tables"]["logic_response"] and data["tables"]["result"]
    assert "interview_rating" not in data["tables"] and "reference_check" not in data["tables"]
    assert names == ["data.json", "reports/candidate-v1.pdf"]  # not the client's report
    assert "Intern anteckning" not in json.dumps(data)
    assert app.test_client().get("/test/my-data.zip").status_code == 404  # no session, no data
