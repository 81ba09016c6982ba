"""The start pages' overview across assignments (issue 18): each line links to where to
act, a consultant sees only their assignments, and the queries do not grow with the
number of candidates."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from conftest import csrf_from
from querycount import counting
from portal.db import get_session
from portal.models import (
    Assignment, Candidate, CandidateComment, FirstOpinion, InterviewRating, Report, ReportKind, Role, Stage,
    Synthesis, User,
)



def _world(app, db, clock, make_assignment, make_invitation, make_user, *, extra: int = 0):
    """Assignment A (deadline 3 days after the world's "now") and B (deadline passed) for Konsult; C for
    someone else. ``extra`` more finished candidates in A with every step done."""
    konsult = make_user("konsult@example.com")
    other = make_user("annan@example.com")
    today = clock().date()
    a = make_assignment(staff=[konsult], title="Ekonomichef", deadline=today + timedelta(days=8))
    b = make_assignment(staff=[konsult], title="Controller", deadline=today - timedelta(days=1))
    c = make_assignment(staff=[other], title="Hemligt uppdrag", deadline=today + timedelta(days=7))
    client_id = db.get(Assignment, a).client_id
    make_user("kund@example.com", role=Role.CLIENT, client_id=client_id)
    ids = {}
    # Invited five days ago in A and never started.
    ids["sleeper"] = make_invitation(a, name="Sova Sovsson", email="s@example.com")[0]
    # In B, begun but not finished when the deadline passed.
    ids["late"] = make_invitation(b, name="Sen Sensson", email="l@example.com")[0]
    clock.advance(days=5)
    now = clock()
    # Finalist in A nobody has rated.
    ids["unrated"] = make_invitation(a, name="Orated Finalist", email="f@example.com")[0]
    # Finished and interviewed in A, no synthesis.
    ids["no_synthesis"] = make_invitation(a, name="Utan Sammanvägning", email="n@example.com")[0]
    # Synthesis written in A, client report not released.
    ids["unreleased"] = make_invitation(a, name="Ej Utlämnad", email="u@example.com")[0]
    # Released in A with a reply not answered.
    ids["replied"] = make_invitation(a, name="Svarade Svensson", email="r@example.com")[0]
    # Unstaffed assignment: nothing of it may show.
    ids["secret"] = make_invitation(c, name="Hemlig Kandidat", email="h@example.com")[0]
    finished = [make_invitation(a, name=f"Klar {i}", email=f"k{i}@example.com")[0] for i in range(extra)]
    with app.app_context():
        s = get_session()
        get = s.get
        get(Candidate, ids["late"]).stage = Stage.LOGIC
        get(Candidate, ids["unrated"]).stage = Stage.DONE
        get(Candidate, ids["unrated"]).finalist_at = now
        get(Candidate, ids["secret"]).finalist_at = now
        for key in ("no_synthesis", "unreleased", "replied", *[f"k{i}" for i in range(extra)]):
            cid = ids.get(key) or finished[int(key[1:])]
            get(Candidate, cid).stage = Stage.DONE
            s.add(InterviewRating(candidate_id=cid, rater_id=konsult, competency_key="drive", level=4,
                                  notes="x", submitted_at=now, updated_at=now))
        for key in ("unreleased", "replied", *[f"k{i}" for i in range(extra)]):
            cid = ids.get(key) or finished[int(key[1:])]
            s.add(Synthesis(candidate_id=cid, judgement="Stark", updated_at=now - timedelta(hours=1)))
        for cid in [ids["replied"], *finished]:
            s.add(Report(candidate_id=cid, kind=ReportKind.CLIENT, version=1, language="sv", content={}, stamp={},
                         html="<html></html>", pdf=b"%PDF-", pdf_sha256="0" * 64, released_by_id=konsult,
                         released_at=now))
            s.add(CandidateComment(candidate_id=cid, text="Tack", created_at=now, updated_at=now,
                                   answered_at=now if cid != ids["replied"] else None))
        s.commit()
    return ids


def test_consultant_overview_lists_what_is_waiting_and_links_to_it(app, db, clock, make_assignment,
                                                                   make_invitation, login_as, make_user):
    ids = _world(app, db, clock, make_assignment, make_invitation, make_user)
    konsult = login_as("konsult@example.com", check=False)
    html = konsult.get("/admin/").get_data(as_text=True)
    overview = html[html.index("data-overview"):html.index("</section>", html.index("data-overview"))]
    assert "Väntar på dig" in overview and "Hemlig" not in overview

    def lines(kind):
        part = overview[overview.index(f'data-lines="{kind}"'):]
        return part[:part.index("</ul>")]

    assert "Ekonomichef" in lines("deadline") and "Controller" not in lines("deadline")
    assert "1 kandidat är inte klar" in lines("deadline")  # the sleeper; the others are done
    lagging = lines("lagging")
    assert 'data-kind="overdue"' in lagging and "1 kandidat efter sista dagen" in lagging
    assert "1 kandidat har inte börjat" in lagging
    assert f'href="/admin/candidates/{ids["unrated"]}/ratings"' in lines("ratings")
    assert f'href="/admin/candidates/{ids["no_synthesis"]}/synthesis"' in lines("synthesis")
    assert "Ej Utlämnad" not in lines("synthesis")
    assert f'href="/admin/candidates/{ids["unreleased"]}/reports"' in lines("release")
    assert "Svarade Svensson" not in lines("release")  # released after its synthesis
    assert f'href="/admin/candidates/{ids["replied"]}/reports"' in lines("reply")

    # Answering the reply takes it off the list; a changed reply puts it back.
    page = konsult.get(f"/admin/candidates/{ids['replied']}/reports")
    assert konsult.post(f"/admin/candidates/{ids['replied']}/reports/reply-answered",
                        data={"csrf_token": csrf_from(page)}).status_code == 302
    assert 'data-lines="reply"' not in konsult.get("/admin/").get_data(as_text=True)
    assert "data-reply-answered" in konsult.get(f"/admin/candidates/{ids['replied']}/reports").get_data(as_text=True)
    clock.advance(minutes=5)
    db.execute(sa.update(CandidateComment).where(CandidateComment.candidate_id == ids["replied"])
               .values(text="Ett tillägg", updated_at=clock()))
    db.commit()
    assert 'data-lines="reply"' in konsult.get("/admin/").get_data(as_text=True)
    # Without a CSRF token nothing is marked; another consultant's candidate is missing.
    assert konsult.post(f"/admin/candidates/{ids['replied']}/reports/reply-answered").status_code == 400
    assert konsult.post(f"/admin/candidates/{ids['secret']}/reports/reply-answered",
                        data={"csrf_token": csrf_from(page)}).status_code == 404

    # The other consultant sees their own assignment's finalist only.
    annan = login_as("annan@example.com", check=False).get("/admin/").get_data(as_text=True)
    assert "Hemlig Kandidat" in annan and "Sova Sovsson" not in annan and "Ekonomichef" not in annan


def test_client_overview_shows_released_reports_and_open_first_opinions(app, db, clock, make_assignment,
                                                                        make_invitation, login_as, make_user):
    ids = _world(app, db, clock, make_assignment, make_invitation, make_user)
    kund = login_as("kund@example.com", check=False)
    html = kund.get("/admin/client").get_data(as_text=True)
    overview = html[html.index("data-overview"):html.index("</section>", html.index("data-overview"))]
    released = overview[overview.index('data-lines="released"'):]
    report_id = db.scalar(sa.select(Report.id).where(Report.candidate_id == ids["replied"]))
    assert f'href="/admin/reports/{report_id}"' in released.split("</ul>")[0]
    first = overview[overview.index('data-lines="first_opinion"'):].split("</ul>")[0]
    assert f'href="/admin/candidates/{ids["unrated"]}/first-opinion"' in first
    assert "Svarade Svensson" not in first  # its report is released: the first opinion is closed
    assert "Hemlig" not in overview and "Controller" not in overview
    # A recorded first opinion leaves the list.
    db.add(FirstOpinion(candidate_id=ids["unrated"], competency_key="drive", level=3))
    db.commit()
    again = kund.get("/admin/client").get_data(as_text=True)
    assert f'/admin/candidates/{ids["unrated"]}/first-opinion' not in again


def _counts(login_as, db):
    konsult, kund = login_as("konsult@example.com", check=False), login_as("kund@example.com", check=False)
    engine = db.get_bind()
    with counting(engine) as consultant_statements:
        assert konsult.get("/admin/").status_code == 200
    with counting(engine) as client_statements:
        assert kund.get("/admin/client").status_code == 200
    return len(consultant_statements), len(client_statements)


def test_start_pages_query_count_does_not_grow_with_candidates(app, db, clock, make_assignment, make_invitation,
                                                               login_as, make_user):
    _world(app, db, clock, make_assignment, make_invitation, make_user, extra=2)
    few = _counts(login_as, db)
    a = db.scalar(sa.select(Assignment.id).where(Assignment.title == "Ekonomichef"))
    konsult = db.scalar(sa.select(User.id).where(User.email == "konsult@example.com"))
    db.rollback()  # the factory writes in its own session
    now = clock()
    more = [make_invitation(a, name=f"Fler {i}", email=f"fler{i}@example.com")[0] for i in range(30)]
    for cid in more:
        candidate = db.get(Candidate, cid)
        candidate.stage, candidate.finalist_at = Stage.DONE, now
        db.add(Synthesis(candidate_id=cid, judgement="Stark", updated_at=now))
        db.add(CandidateComment(candidate_id=cid, text="Hej", created_at=now, updated_at=now))
        db.add(InterviewRating(candidate_id=cid, rater_id=konsult, competency_key="drive", level=3, notes="x",
                               updated_at=now))
    db.commit()
    assert _counts(login_as, db) == few
