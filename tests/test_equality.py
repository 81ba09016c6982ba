"""Voluntary equality monitoring (issue 16): asked after the tests, every answer optional,
seen per candidate by nobody but the candidate, deletable, counted only in aggregate with
small groups suppressed."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa

from helpers import csrf_from
from portal.db import get_session
from portal.logs import redact
from portal.models import Candidate, EqualityResponse
from portal.services import equality, privacy
from test_reports import assessed, release  # noqa: F401  (fixture)


def candidate_client(app, assessed):  # noqa: F811
    client = app.test_client()
    client.get(assessed["link"], follow_redirects=True)
    return client


def answers(db, cid):
    db.expire_all()
    row = db.scalar(sa.select(EqualityResponse).where(EqualityResponse.candidate_id == cid))
    return None if row is None else (row.gender, row.age_band, row.first_language)


def without_tokens(html: str) -> str:
    """The page without what changes by the second (CSRF tokens, signed links)."""
    html = redact(html)
    return re.sub(r'(name="csrf_token"[^>]*value="|value="[^"]*"[^>]*name="csrf_token")[^"]*', "", html)


def test_done_page_offers_the_voluntary_questions_and_saves_answers(app, db, assessed):  # noqa: F811
    cid = assessed["candidate"]
    client = candidate_client(app, assessed)
    done = client.get("/test/done").get_data(as_text=True)  # the candidate's language: Swedish
    assert "Svara på jämlikhetsfrågorna" in done and 'href="/test/equality"' in done
    page = client.get("/test/equality")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "frivilliga" in html
    # Every question starts at "prefer not to say".
    assert len(re.findall(r'<input checked[^>]*type="radio" value="">', html)) == 3
    response = client.post("/test/equality", data={"csrf_token": csrf_from(page), "gender": "woman",
                                                   "age_band": "30-39", "first_language": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/test/done#equality")
    assert answers(db, cid) == ("woman", "30-39", None)
    again = client.get("/test/equality").get_data(as_text=True)  # shown back to the candidate, changeable
    assert re.search(r'value="woman"[^>]*checked|checked[^>]*value="woman"', again)
    assert "Radera mina svar" in again
    client.post("/test/equality", data={"csrf_token": csrf_from(page), "gender": "", "age_band": "50-",
                                        "first_language": "both"})
    assert answers(db, cid) == (None, "50-", "both")
    assert db.scalar(sa.select(sa.func.count()).select_from(EqualityResponse)) >= 1


def test_bad_answers_and_missing_csrf_store_nothing(app, db, assessed):  # noqa: F811
    cid = assessed["candidate"]
    client = candidate_client(app, assessed)
    page = client.get("/test/equality")
    bad = client.post("/test/equality", data={"csrf_token": csrf_from(page), "gender": "robot", "age_band": "",
                                              "first_language": ""})
    assert bad.status_code == 400 and 'role="alert"' in bad.get_data(as_text=True)
    assert answers(db, cid) is None
    no_csrf = client.post("/test/equality", data={"gender": "man", "age_band": "", "first_language": ""})
    assert no_csrf.status_code == 400 and answers(db, cid) is None
    with pytest.raises(equality.EqualityError) as err:
        equality.clean({"age_band": "12-15"})
    assert err.value.field == "age_band"


def test_only_after_the_tests(app, db, make_invitation):
    _, _, link = make_invitation()
    client = app.test_client()
    client.get(link, follow_redirects=True)
    response = client.get("/test/equality")
    assert response.status_code == 302 and "/test/welcome" in response.headers["Location"]


def test_candidate_can_delete_their_answers(app, db, assessed):  # noqa: F811
    cid = assessed["candidate"]
    client = candidate_client(app, assessed)
    page = client.get("/test/equality")
    client.post("/test/equality", data={"csrf_token": csrf_from(page), "gender": "man", "age_band": "-29",
                                        "first_language": "sv"})
    assert answers(db, cid) == ("man", "-29", "sv")
    page = client.get("/test/equality")
    assert client.post("/test/equality/remove", data={}).status_code == 400  # CSRF
    assert answers(db, cid) is not None
    response = client.post("/test/equality/remove", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and answers(db, cid) is None
    assert "Svara på jämlikhetsfrågorna" in client.get("/test/done").get_data(as_text=True)


def test_nobody_else_sees_them_per_candidate(app, db, assessed, login_as):  # noqa: F811
    """The consultant's candidate page, results, client pages and reports are the same
    before and after the candidate answered; the consultant's export leaves them out,
    the candidate's own download has them."""
    cid, aid = assessed["candidate"], assessed["assignment"]
    staff, client_user = login_as("consultant", check=False), login_as("client", check=False)
    release(staff, cid, "client")
    staff.get("/admin/")  # shows the release's message
    candidate = candidate_client(app, assessed)  # opening the link is activity the consultant sees
    page = candidate.get("/test/equality")
    pages = [(staff, f"/admin/candidates/{cid}"), (staff, f"/admin/candidates/{cid}/manage"),
             (staff, f"/admin/candidates/{cid}/synthesis"), (staff, f"/admin/candidates/{cid}/reports"),
             (staff, f"/admin/assignments/{aid}"), (client_user, f"/admin/client/assignments/{aid}")]
    before = []
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        before.append(without_tokens(response.get_data(as_text=True)))
    candidate.post("/test/equality", data={"csrf_token": csrf_from(page), "gender": "other", "age_band": "40-49",
                                           "first_language": "both"})
    assert answers(db, cid) == ("other", "40-49", "both")
    after = [without_tokens(who.get(url).get_data(as_text=True)) for who, url in pages]
    assert after == before
    full = json.loads(zipfile.ZipFile(io.BytesIO(staff.get(f"/admin/candidates/{cid}/export.zip").data))
                      .read("data.json"))
    assert "equality_response" not in full["tables"] and "40-49" not in json.dumps(full)
    own = json.loads(zipfile.ZipFile(io.BytesIO(candidate.get("/test/my-data.zip").data)).read("data.json"))
    assert [(r["gender"], r["age_band"], r["first_language"]) for r in own["tables"]["equality_response"]] == [
        ("other", "40-49", "both")]


def test_erasure_on_request_deletes_them_the_retention_purge_keeps_them(app, db, assessed, clock, tmp_path):  # noqa: F811
    cid = assessed["candidate"]
    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        equality.save(session, candidate, {"gender": "woman", "age_band": "-29", "first_language": "sv"}, now=clock())
        privacy.erase(session, candidate, storage_dir=tmp_path, user_id=None, now=clock(), reason="retention")
        session.commit()
    assert answers(db, cid) == ("woman", "-29", "sv")  # anonymous now, kept for the aggregate analyses
    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        candidate.erased_at = None  # erase once more, now as a person's request
        privacy.erase(session, candidate, storage_dir=tmp_path, user_id=None, now=clock(), reason="request")
        session.commit()
    assert answers(db, cid) is None


def test_counts_in_aggregate_suppress_groups_under_30():
    shown = equality.suppress({"woman": 120, "man": 95, "other": 4, None: 40})
    assert [(g.code, g.n) for g in shown] == [("man", 95), ("woman", 120), (None, None), ("other", None)]
    # A lone small group is not recoverable from the total: the smallest shown one is hidden too.
    assert all(g.n is None or g.n >= 30 for g in shown)
    assert [(g.code, g.n) for g in equality.suppress({"sv": 31, "other": 30})] == [("other", 30), ("sv", 31)]
    assert [g.n for g in equality.suppress({"sv": 29})] == [None]


def test_group_counts_per_assignment(app, db, assessed, clock):  # noqa: F811
    cid, aid = assessed["candidate"], assessed["assignment"]
    with app.app_context():
        session = get_session()
        equality.save(session, session.get(Candidate, cid), {"gender": "man"}, now=clock())
        session.commit()
        assert [(g.code, g.n) for g in equality.group_counts(session, "gender", assignment_ids=[aid],
                                                             minimum=1)] == [("man", 1)]
        assert [g.n for g in equality.group_counts(session, "gender", assignment_ids=[aid])] == [None]
        assert equality.group_counts(session, "gender", assignment_ids=[aid + 1000], minimum=1) == []
        with pytest.raises(ValueError):
            equality.group_counts(session, "salary")
