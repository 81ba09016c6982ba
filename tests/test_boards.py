"""The consultant's and client's lists at scale: pages, filters, the polled fragment,
the finalist mark and the final-candidates view (issue 14)."""
from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from conftest import csrf_from
from helpers import Candidate as Browser
from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, AuditEvent, Candidate, Client, Invitation, Role, Stage
from portal.services import demo, finalists, profiles, progress
from portal.services.invitations import CandidateStatus, candidate_status, invite_candidate

ROW = '<tr data-candidate="'


def invite_many(app, clock, aid: int, n: int, *, start: int = 0, name="Kandidat") -> list[int]:
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        ids = [invite_candidate(session, a, name=f"{name} {i:03d}", email=f"k{i:03d}@example.com", now=clock(),
                                settings=res.invitation_settings())[0].id for i in range(start, start + n)]
        session.commit()
    return ids


# -- the status filter in SQL says what candidate_status says ------------------------------


def test_status_in_sql_matches_candidate_status(app, db, clock, make_assignment, make_invitation):
    aid = make_assignment()
    now = clock()
    kinds = {}
    for key in ("invited", "opened", "in_progress", "completed", "expired", "revoked", "reissued",
                "done_and_revoked", "opened_expired", "no_invitation"):
        cid, iid, _ = make_invitation(aid, name=key, email=f"{key}@example.com")
        c, inv = db.get(Candidate, cid), db.get(Invitation, iid)
        if key in ("opened", "opened_expired"):
            inv.opened_at = now
        if key == "in_progress":
            c.stage = Stage.PRACTICE
        if key in ("completed", "done_and_revoked"):
            c.stage, c.completed_at = Stage.DONE, now
        if key in ("expired", "opened_expired"):
            inv.expires_at = now - timedelta(seconds=1)
        if key in ("revoked", "reissued", "done_and_revoked"):
            inv.revoked_at = now
        if key == "reissued":
            db.add(Invitation(candidate_id=cid, nonce="n-reissued", expires_at=now + timedelta(days=1)))
        if key == "no_invitation":
            db.delete(inv)
        db.commit()
        kinds[key] = cid
    a = db.get(Assignment, aid)
    expected = {cid: candidate_status(db.get(Candidate, cid), now).value for cid in kinds.values()}
    assert set(expected.values()) == {s.value for s in CandidateStatus}  # every status is exercised
    board = progress.board(db, a, now=now)
    assert board.counts == {s: list(expected.values()).count(s) for s in set(expected.values())}
    for status in progress.STATUSES:
        ids = set(progress.board(db, a, now=now, status=status).page.ids)
        assert ids == {cid for cid, s in expected.items() if s == status}, status
    # the expiry is strict, as in candidate_status: valid up to and including expires_at
    exact = db.get(Invitation, db.get(Candidate, kinds["invited"]).invitations[0].id).expires_at
    assert kinds["invited"] in progress.board(db, a, now=exact, status="invited").page.ids
    later = exact + timedelta(seconds=1)
    assert kinds["invited"] in progress.board(db, a, now=later, status="expired").page.ids
    assert candidate_status(db.get(Candidate, kinds["invited"]), later) is CandidateStatus.EXPIRED


# -- pages and search ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/candidates"])
def test_boards_are_paginated_and_searchable(app, db, clock, make_assignment, path, login_as, make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    invite_many(app, clock, aid, progress.PER_PAGE + 5)
    with app.app_context():
        session = get_session()
        invite_candidate(session, session.get(Assignment, aid), name="Åsa Öberg", email="asa_o@example.com",
                         now=clock(), settings=res.invitation_settings())
        session.commit()
    client = login_as("k@example.com", "en")
    url = f"/admin/assignments/{aid}{path}"
    first = client.get(url).get_data(as_text=True)
    assert first.count(ROW) == progress.PER_PAGE and "Showing 1–50 of 56." in first
    assert "Page 1 of 2" in first and "Next page" in first and "Previous page" not in first
    assert f'href="{url}?page=2"' in first and 'rel="next"' in first
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count(ROW) == 6 and "Previous page" in second and "Åsa Öberg" in second
    assert client.get(f"{url}?page=999").get_data(as_text=True).count(ROW) == 6  # the last page
    assert client.get(f"{url}?page=x").get_data(as_text=True).count(ROW) == progress.PER_PAGE
    # search by name or e-mail, ignoring case (also outside ASCII), with the filters kept in the links
    for query in ("åsa", "ÖBERG", "ASA_O@"):
        found = client.get(url, query_string={"q": query}).get_data(as_text=True)
        assert found.count(ROW) == 1 and "Åsa Öberg" in found, query
    assert client.get(url, query_string={"q": "%"}).get_data(as_text=True).count(ROW) == 0  # no wildcard
    many = client.get(url, query_string={"q": "kandidat", "status": "invited", "page": "2"}).get_data(as_text=True)
    assert many.count(ROW) == 5 and "status=invited" in many and "q=kandidat" in many
    assert 'value="kandidat"' in many and "Show all" in many
    none = client.get(url, query_string={"status": "completed"}).get_data(as_text=True)
    assert none.count(ROW) == 0 and "No candidates match the filter." in none and "data-no-match" in none
    assert ">Completed (0)</option>" in none and ">Invited (56)</option>" in none
    # a search is plain text in the page, never markup
    evil = client.get(url, query_string={"q": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x</script>" not in evil


def test_fragment_answers_304_when_nothing_changed(app, db, clock, make_assignment, make_invitation, login_as,
                                                   make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    invite_many(app, clock, aid, progress.PER_PAGE + 2)
    client = login_as("k@example.com", "en")
    page = client.get(f"/admin/assignments/{aid}?page=2").get_data(as_text=True)
    refresh = re.search(r'data-refresh="([^"]+)" data-etag="([^"]+)"', page)
    url, etag = refresh.group(1).replace("&amp;", "&"), refresh.group(2).replace("&#34;", '"')
    assert "page=2" in url and "fragment=1" in url
    fragment = client.get(url)
    assert fragment.status_code == 200 and fragment.headers["ETag"] == etag
    assert fragment.get_data(as_text=True).count(ROW) == 2 and "<html" not in fragment.get_data(as_text=True)
    assert "no-cache" in fragment.headers["Cache-Control"]
    unchanged = client.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    db.get(Invitation, db.scalar(sa.select(Invitation.id).order_by(Invitation.id.desc()).limit(1))).opened_at = clock()
    db.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert 'data-status="opened"' in changed.get_data(as_text=True)


# -- the finalist mark ---------------------------------------------------------------------


def test_marking_finalists(app, db, clock, make_assignment, make_invitation, login_as, make_user):
    uid = make_user("k@example.com")
    make_user("other@example.com")
    aid = make_assignment(staff=[uid])
    cid, _, _ = make_invitation(aid, name="Fia Final", email="fia@example.com")
    erased, _, _ = make_invitation(aid, name="Raderad", email="r@example.com")
    db.get(Candidate, erased).erased_at = clock()
    db.commit()
    client = login_as("k@example.com", "en")
    listing = client.get(f"/admin/assignments/{aid}/candidates?q=fia").get_data(as_text=True)
    assert 'data-finalist="0"' in listing and "Mark as finalist" in listing
    token = csrf_from(client.get(f"/admin/assignments/{aid}/candidates"))
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    assert client.post(f"/admin/candidates/{cid}/finalist", data={"finalist": "1"}).status_code == 400  # CSRF
    assert db.get(Candidate, cid).finalist_at is None
    marked = client.post(f"/admin/candidates/{cid}/finalist", data={
        "csrf_token": token, "finalist": "1", "back": "list", "page": "1", "q": "fia", "status": ""})
    assert marked.status_code == 303
    assert marked.headers["Location"] == f"/admin/assignments/{aid}/candidates?page=1&q=fia"
    db.expire_all()
    assert db.get(Candidate, cid).finalist_at == clock()
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.object_id) for e in events] == [("finalist", cid)]
    assert "Fia Final" not in str(events[0].detail)
    # idempotent: a second mark changes nothing and is not audited again
    client.post(f"/admin/candidates/{cid}/finalist", data={"csrf_token": token, "finalist": "1"})
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.id > before)) == 1
    assert "Fia Final" in client.get(f"/admin/assignments/{aid}/finalists").get_data(as_text=True)
    refused = client.post(f"/admin/candidates/{erased}/finalist", data={"csrf_token": token, "finalist": "1"})
    assert refused.status_code == 303 and db.get(Candidate, erased).finalist_at is None
    bad = client.post(f"/admin/candidates/{cid}/finalist", data={"csrf_token": token, "finalist": "maybe"})
    assert bad.status_code == 303
    removed = client.post(f"/admin/candidates/{cid}/finalist", data={
        "csrf_token": token, "finalist": "0", "back": "results"})
    assert removed.headers["Location"] == f"/admin/candidates/{cid}"
    db.expire_all()
    assert db.get(Candidate, cid).finalist_at is None
    # not staffed: as if the candidate did not exist
    other = login_as("other@example.com", "en")
    assert other.post(f"/admin/candidates/{cid}/finalist", data={
        "csrf_token": csrf_from(other.get("/admin/")), "finalist": "1"}).status_code == 404
    db.expire_all()
    assert db.get(Candidate, cid).finalist_at is None


def test_final_candidates_rule_and_pages(app, db, clock, make_assignment, login_as, make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid], norm_group="general")
    n = finalists.PER_PAGE + 2
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        profiles.start_from_template(session, a, "manager", user_id=uid, now=clock())
        source, _ = invite_candidate(session, a, name="Källa", email="kalla@example.com", now=clock(),
                                     settings=res.invitation_settings())
        demo.simulate_battery(session, source, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(5))
        for i in range(n - 1):
            c, _ = invite_candidate(session, a, name=f"Klar {i:02d}", email=f"klar{i}@example.com", now=clock(),
                                    settings=res.invitation_settings())
            demo.copy_battery(session, source, c, shift=timedelta(minutes=i))
        invite_candidate(session, a, name="Ej påbörjad", email="ej@example.com", now=clock(),
                         settings=res.invitation_settings())
        session.commit()
        source_id = source.id
    client = login_as("k@example.com", "en")
    url = f"/admin/assignments/{aid}/finalists"
    first = client.get(url).get_data(as_text=True)
    assert 'data-finalists="finished"' in first and "Ej påbörjad" not in first
    assert first.count('<th scope="col" data-candidate=') == finalists.PER_PAGE
    assert f'data-rows="1-{finalists.PER_PAGE}" data-total="{n}"' in first and 'rel="next"' in first
    assert first.count("data-expected-met=") == finalists.PER_PAGE  # the overall fit, per candidate shown
    # copies of one battery: the data cannot separate them anywhere there is evidence
    assert re.search(r'data-group="(\d+,){%d}\d+"' % (finalists.PER_PAGE - 1), first)
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count('<th scope="col" data-candidate=') == 2
    token = csrf_from(client.get(url))
    client.post(f"/admin/candidates/{source_id}/finalist", data={"csrf_token": token, "finalist": "1",
                                                                 "back": "finalists", "page": "2"})
    marked = client.get(url).get_data(as_text=True)
    assert 'data-finalists="marked"' in marked and marked.count('<th scope="col" data-candidate=') == 1
    assert "Källa" in marked and "Klar 00" not in marked and "Remove from finalists" in marked


# -- the client's list and the smaller pages ---------------------------------------------


def test_client_page_is_paginated(app, db, clock, make_assignment, login_as, make_user):
    aid = make_assignment(title="Ekonomichef")
    make_user("kund@example.com", role=Role.CLIENT, client_id=db.get(Assignment, aid).client_id)
    invite_many(app, clock, aid, 30)
    client = login_as("kund@example.com", "en")
    page = client.get(f"/admin/client/assignments/{aid}").get_data(as_text=True)
    assert page.count(ROW) == 25 and 'data-rows="1-25" data-total="30"' in page and "Next page" in page
    assert client.get(f"/admin/client/assignments/{aid}?page=2").get_data(as_text=True).count(ROW) == 5


def test_dashboard_and_add_page_count_without_listing_everyone(app, db, clock, make_assignment, login_as, make_user):
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    invite_many(app, clock, aid, 25)
    client = login_as("k@example.com", "en")
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert re.search(r"Controller</a></td>\s*<td>Testbolaget AB</td>\s*<td>25</td>", dashboard)
    new = client.get(f"/admin/assignments/{aid}/candidates/new").get_data(as_text=True)
    assert "25 candidates already in this assignment" in new
    listed = re.search(r'<ul class="existing-candidates">(.*?)</ul>', new, re.S).group(1)
    assert listed.count("<li>") == 20 and "Kandidat 024" in listed and "Kandidat 004" not in listed
    assert f'href="/admin/assignments/{aid}/candidates"' in new


# -- one definition of time used and last activity -------------------------------------------


def _cells(html: str, cid: int) -> list[str]:
    """The text of each ``<td>`` of the candidate's row, tags stripped."""
    row = re.search(rf'<tr data-candidate="{cid}">(.*?)</tr>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_boards_and_candidate_pages_agree_on_time_used_and_last_activity(app, clock, make_assignment, make_invitation,
                                                                          make_user, login_as):
    """The assignment board and the candidates-and-invitations list (and the candidate's
    own pages) show the same time used, in whole minutes rounded down (4 min 40 s is
    "4 min" everywhere, never "5 min" on one page), and the same last activity."""
    uid = make_user("k@example.com")
    aid = make_assignment(staff=[uid])
    cid, _, link = make_invitation(aid, name="Tova Tid", email="t@example.com")
    browser = Browser(app.test_client(), link).through_practice()
    browser.start_test()
    clock.advance(minutes=4, seconds=40)
    browser.answer_item()
    clock.advance(seconds=5)  # the next question stays on screen: still 4 min 45 s
    client = login_as("k@example.com", "en")

    board = _cells(client.get(f"/admin/assignments/{aid}").get_data(as_text=True), cid)
    listed = _cells(client.get(f"/admin/assignments/{aid}/candidates").get_data(as_text=True), cid)
    manage = client.get(f"/admin/candidates/{cid}/manage").get_data(as_text=True)
    time_used, last_activity = board[1], board[2]
    assert time_used == "4 min"
    assert listed[1].startswith("In progress 4 min") and listed[3] == last_activity
    assert last_activity and " ".join(re.search(r"Last activity</dt><dd>(.*?)</dd>", manage).group(1).split()) \
        == last_activity
    assert re.search(r'data-test-state="in_progress">In progress</span><br><span class="muted">4 min', manage)

    clock.advance(minutes=30)  # past the deadline: the whole limit, on every page
    board = _cells(client.get(f"/admin/assignments/{aid}").get_data(as_text=True), cid)
    listed = _cells(client.get(f"/admin/assignments/{aid}/candidates").get_data(as_text=True), cid)
    results = client.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    assert board[1] == "20 min" and listed[1].startswith("Time ran out 20 min")
    assert 'data-minutes-used="20">20 min of 20' in results
    assert listed[3] == board[2] == last_activity
