"""The client's first opinion, and where the second opinion confirms or differs."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import PASSWORD, csrf_from
from portal import synthesis as syn
from portal.models import (
    Assignment,
    Client,
    FirstOpinion,
    InterviewRating,
    Report,
    ReportKind,
    Role,
    User,
)
from portal.services import profiles



@pytest.fixture
def world(app, db, clock, make_assignment, make_invitation):
    consultant = User(email="kons@example.com", role=Role.CONSULTANT, password_hash=generate_password_hash(PASSWORD))
    db.add(consultant)
    db.commit()
    aid = make_assignment(staff=[consultant.id])
    cid, _, _ = make_invitation(aid)
    assignment = db.get(Assignment, aid)
    other_org = Client(name="Annan AB")
    db.add(other_org)
    db.commit()
    for email, client_id in (("chef@example.com", assignment.client_id), ("annan@example.com", other_org.id)):
        db.add(User(email=email, role=Role.CLIENT, client_id=client_id,
                    password_hash=generate_password_hash(PASSWORD)))
    profiles.save_profile(db, assignment, user_id=consultant.id, now=clock(), logic_min_percentile=None,
                          personality_targets={}, items=[
                              {"key": "collaboration", "weight": 3, "target_level": 3, "must": True},
                              {"key": "drive", "weight": 2, "target_level": 4, "must": False}])
    for level, rater in ((4, consultant.id),):
        db.add(InterviewRating(candidate_id=cid, rater_id=rater, competency_key="collaboration", level=level,
                               notes="Exempel", submitted_at=clock()))
    db.commit()
    return {"consultant": consultant.id, "assignment": aid, "candidate": cid}


def test_client_records_first_opinion_and_synthesis_compares(app, db, world, login_as):
    chef = login_as("chef@example.com", check=False)
    home = chef.get(f"/admin/client/assignments/{world['assignment']}").get_data(as_text=True)
    url = f"/admin/candidates/{world['candidate']}/first-opinion"
    assert url in home and "Kim Kandidat" in home
    page = chef.get(url)
    assert page.status_code == 200 and 'name="level-collaboration"' in page.get_data(as_text=True)
    saved = chef.post(url, data={"csrf_token": csrf_from(page), "level-collaboration": "1", "level-drive": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/admin/client/assignments/{world['assignment']}")
    rows = db.scalars(sa.select(FirstOpinion).where(FirstOpinion.candidate_id == world["candidate"])).all()
    assert [(r.competency_key, r.level) for r in rows] == [("collaboration", 1)]

    synthesis = login_as("kons@example.com", check=False).get(f"/admin/candidates/{world['candidate']}/synthesis")
    html = synthesis.get_data(as_text=True)
    cell = re.search(r'data-competency="collaboration".*?data-client-comparison="(\w*)"', html, re.S).group(1)
    assert cell == "higher" and "Vår bedömning är högre än kundens" in html

    # A second look: the client now agrees with the interview, and we confirm.
    page = chef.get(url)
    assert re.search(r'name="level-collaboration" value="1" checked', page.get_data(as_text=True))
    chef.post(url, data={"csrf_token": csrf_from(page), "level-collaboration": "4"})
    html = login_as("kons@example.com", check=False).get(f"/admin/candidates/{world['candidate']}/synthesis").get_data(
        as_text=True)
    assert 'data-client-comparison="confirms"' in html and "Bekräftar kundens bild" in html


def test_bad_input_and_other_organisations(app, db, world, login_as):
    chef = login_as("chef@example.com", check=False)
    url = f"/admin/candidates/{world['candidate']}/first-opinion"
    page = chef.get(url)
    bad = chef.post(url, data={"csrf_token": csrf_from(page), "level-collaboration": "7", "level-drive": "3"})
    assert bad.status_code == 400 and "Välj en nivå från 1 till 5" in bad.get_data(as_text=True)
    empty = chef.post(url, data={"csrf_token": csrf_from(page)})
    assert empty.status_code == 400 and "Bedöm minst en kompetens" in empty.get_data(as_text=True)
    assert chef.post(url, data={"level-drive": "3"}).status_code == 400  # no CSRF token
    assert db.scalar(sa.select(sa.func.count(FirstOpinion.id))) == 0  # nothing half-stored
    other = login_as("annan@example.com", check=False)
    assert other.get(url).status_code == 404
    assert other.get(f"/admin/client/assignments/{world['assignment']}").status_code == 404


def test_consultant_records_on_behalf_and_release_closes_it(app, db, clock, world, login_as):
    kons = login_as("kons@example.com", check=False)
    url = f"/admin/candidates/{world['candidate']}/first-opinion"
    page = kons.get(url)
    assert "för kundens räkning" in page.get_data(as_text=True)
    saved = kons.post(url, data={"csrf_token": csrf_from(page), "level-drive": "5"})
    assert saved.headers["Location"].endswith(f"/admin/candidates/{world['candidate']}/synthesis")
    db.add(Report(candidate_id=world["candidate"], kind=ReportKind.CLIENT, version=1, language="sv", content={},
                  stamp={}, html="<p>x</p>", pdf=b"%PDF", pdf_sha256="0" * 64,
                  released_by_id=world["consultant"], released_at=clock()))
    db.commit()
    chef = login_as("chef@example.com", check=False)
    page = chef.get(url)
    html = page.get_data(as_text=True)
    assert "har släppts" in html and 'name="level-drive"' not in html
    late = chef.post(url, data={"csrf_token": csrf_from(page), "level-drive": "1"})
    assert late.status_code == 400
    assert db.scalar(sa.select(FirstOpinion.level).where(FirstOpinion.competency_key == "drive")) == 5


@pytest.mark.parametrize(("client_level", "level", "sd", "expected"), [
    (3, 3.4, 0.1, "confirms"),   # within half a level
    (3, 3.9, 0.6, "confirms"),   # within the 90 % band (1.645 * 0.6 = 0.99)
    (3, 4.1, 0.6, "higher"),
    (4, 2.4, 0.3, "lower"),
])
def test_compare_first_opinion_known_values(client_level, level, sd, expected):
    assert syn.compare_first_opinion(client_level, level, sd) == expected
