"""The evidence matrix and the consultant's judgement."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import PASSWORD, csrf_from
from portal import synthesis as syn
from portal.models import Assignment, Candidate, InterviewRating, ReferenceCheck, Role, Synthesis, User
from portal.services import profiles
from portal.services.evidence import evidence_matrix



@pytest.fixture
def setup(app, db, clock, make_assignment, make_invitation):
    ids = []
    for email in ("a@example.com", "b@example.com"):
        user = User(email=email, role=Role.CONSULTANT, password_hash=generate_password_hash(PASSWORD))
        db.add(user)
        db.commit()
        ids.append(user.id)
    aid = make_assignment(staff=ids[:1])
    cid, _, _ = make_invitation(aid)
    assignment = db.get(Assignment, aid)
    profiles.save_profile(db, assignment, user_id=ids[0], now=clock(), logic_min_percentile=None,
                          personality_targets={}, items=[
                              {"key": "collaboration", "weight": 3, "target_level": 3, "must": True},
                              {"key": "drive", "weight": 2, "target_level": 4, "must": False}])
    for rater, level in zip(ids, (4, 4)):
        db.add(InterviewRating(candidate_id=cid, rater_id=rater, competency_key="collaboration", level=level,
                               notes="Konkret exempel", submitted_at=clock()))
    db.add(ReferenceCheck(candidate_id=cid, referee_name="R", consent_at=clock(),
                          ratings={"collaboration": {"level": 3, "notes": ""}}))
    db.commit()
    return {"users": ids, "assignment": aid, "candidate": cid}


def test_matrix_combines_sources_against_the_profile(db, setup):
    matrix = evidence_matrix(db, db.get(Candidate, setup["candidate"]))
    assert matrix.profile_version == 1
    rows = {r.key: r for r in matrix.rows}
    collab = rows["collaboration"]
    assert sorted(e.source for e in collab.evidence) == ["interview", "reference"]
    expected = syn.assess([syn.interview_evidence([4, 4]), syn.reference_evidence([3])], 3)
    assert collab.level == pytest.approx(expected.level) and collab.sd == pytest.approx(expected.sd)
    # The interview (two raters at 4) counts more than one lenient referee at 3 (2.5 after
    # leniency), and the prior (3) pulls a little: between 3 and 4, nearer the interview.
    assert 3.3 < collab.level < 4
    assert collab.probability == pytest.approx(syn.probability_meets(expected.level, expected.sd, 3))
    assert 0.8 < collab.probability < 0.95
    assert collab.agreement == "agree" and collab.interviewers == 2 and collab.referees == 1
    assert rows["drive"].probability is None  # no evidence yet: nothing is guessed
    assert [(m["key"], m["status"]) for m in matrix.fit["musts"]] == [("collaboration", "likely")]
    assert matrix.fit["n"] == 1 and matrix.fit["p_all_musts"] == pytest.approx(collab.probability, abs=0.01)


def test_page_and_judgement(app, db, setup, login_as):
    client = login_as("a@example.com", check=False)
    url = f"/admin/candidates/{setup['candidate']}/synthesis"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "kravprofil version 1" in html.lower()
    assert re.search(r'data-competency="collaboration" data-agreement="agree"', html)
    assert re.search(r'data-probability="0\.(8\d|9[0-4])"', html)
    assert 'data-must="collaboration" data-status="likely"' in html and "1 intervjuare" not in html
    assert "2 intervjuare: a@example.com, b@example.com" in html and "1 referent: R<" in html
    assert 'data-discount="single_referee"' in html
    bad = client.post(url, data={"csrf_token": csrf_from(page), "judgement": "", "recommendation": "recommend"})
    assert bad.status_code == 400 and "Skriv den samlade bedömningen" in bad.get_data(as_text=True)
    assert '<option value="" selected' in html or '<option value="">' in html  # nothing chosen for you
    unchosen = client.post(url, data={"csrf_token": csrf_from(page), "judgement": "Bra.", "recommendation": ""})
    assert unchosen.status_code == 400 and "Välj en rekommendation." in unchosen.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": csrf_from(page), "judgement": "Stark samarbetsförmåga.",
                                "strengths": "Lyssnar", "risks": "Driv obekräftat", "recommendation": "reservations"})
    assert ok.status_code == 302
    saved = db.scalar(sa.select(Synthesis).where(Synthesis.candidate_id == setup["candidate"]))
    assert (saved.recommendation, saved.decided_by_id, saved.profile_version) == (
        "reservations", setup["users"][0], 1)
    assert login_as("b@example.com", check=False).get(url).status_code == 404  # not staffed
    assert client.post(url, data={"judgement": "x", "recommendation": "recommend"}).status_code == 400  # CSRF


def test_finalists_view_says_where_the_data_does_not_separate(app, db, clock, setup, make_invitation, login_as):
    other, _, _ = make_invitation(setup["assignment"], name="Bo Andra", email="bo@example.com")
    for rater, level in zip(setup["users"], (4, 3)):
        db.add(InterviewRating(candidate_id=other, rater_id=rater, competency_key="collaboration", level=level,
                               notes="Exempel", submitted_at=clock()))
    db.commit()
    client = login_as("a@example.com", check=False)
    url = f"/admin/assignments/{setup['assignment']}/finalists"
    html = client.get(url).get_data(as_text=True)
    assert "Kim Kandidat" not in html and "data-no-finalists" in html  # neither finished, none marked
    for cid in (setup["candidate"], other):  # the consultant picks them on their results pages
        page = client.get(f"/admin/candidates/{cid}")
        marked = client.post(f"/admin/candidates/{cid}/finalist",
                             data={"csrf_token": csrf_from(page), "finalist": "1", "back": "finalists"})
        assert marked.status_code == 303 and marked.headers["Location"].endswith(url)
    html = client.get(url).get_data(as_text=True)
    assert "Kim Kandidat" in html and "Bo Andra" in html and 'data-finalists="marked"' in html
    row = re.search(r'data-competency="collaboration">(.*?)</tr>', html, re.S).group(1)
    assert 'data-inseparable="1"' in row and "skiljer inte" in row
    assert f'data-group="{setup["candidate"]},{other}"' in row
    assert "rank" not in html.lower()
    other = login_as("b@example.com", check=False)
    assert other.get(f"/admin/assignments/{setup['assignment']}/finalists").status_code == 404


def test_discrepancy_names_the_sources_and_suggests_a_follow_up(app, db, clock, setup, login_as):
    db.add(ReferenceCheck(candidate_id=setup["candidate"], referee_name="S", consent_at=clock(),
                          ratings={"collaboration": {"level": 1, "notes": ""}}))
    db.execute(sa.update(ReferenceCheck).values(ratings={"collaboration": {"level": 1, "notes": ""}}))
    db.execute(sa.update(InterviewRating).values(level=5))
    db.commit()
    page = login_as("a@example.com", check=False).get(f"/admin/candidates/{setup['candidate']}/synthesis")
    html = page.get_data(as_text=True)
    row = re.search(r'data-competency="collaboration" data-agreement="discrepant">(.*?)</tr>', html, re.S).group(1)
    assert 'data-follow-up="interview-reference"' in row
    assert "Intervjun visade mer än referenserna beskriver" in row
