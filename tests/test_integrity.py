"""Integrity signals (issue 17): the beacon endpoint (CSRF, binding to the candidate's own
attempt, caps, rate limit), reloads and answers from another browser found by the server,
fast and slow answers from the stored times, the consultant's summary, and nothing of it in
the client report. On SQLite and PostgreSQL. The page script itself: tests/test_browser_integrity.py."""
from __future__ import annotations

import json
import re
import zipfile
from io import BytesIO

import numpy as np
import pytest
import sqlalchemy as sa

from conftest import csrf_from
from helpers import Candidate
from portal.models import Attempt, IntegritySignal, TestKind
from portal.services import integrity

ATTEMPT_RE = re.compile(r'data-attempt="(\d+)"')


# --- fast and slow answers: known values -------------------------------------------

def test_logic_pattern_uses_nt10_for_fast_and_three_typical_times_for_slow():
    # number series: typical 45 s -> fast under 4.5 s, slow over 135 s;
    # matrix: typical 60 s -> fast under 6 s, slow over 180 s. A missing time counts nowhere.
    types = ["number_series", "number_series", "matrix", "matrix", "matrix", "number_series"]
    times_ms = [4_400, 4_600, 5_900, 179_000, 181_000, None]
    p = integrity.logic_pattern(times_ms, types)
    assert (p.n, p.fast, p.slow) == (5, 2, 1)
    assert p.fast_share == pytest.approx(0.4) and p.effort == pytest.approx(0.6) and p.low_effort
    assert p.median_seconds == pytest.approx(5.9)
    # The 10 s cap of NT10: a type with a long typical time is still fast only under 10 s.
    assert integrity.time_pattern([9.9, 10.1], np.minimum(0.1 * 200.0, 10.0), 600.0).fast == 1


def test_time_pattern_of_an_empty_attempt_and_the_effort_threshold():
    empty = integrity.time_pattern([], 1.0, 10.0)
    assert (empty.n, empty.fast, empty.slow, empty.median_seconds, empty.effort) == (0, 0, 0, None, None)
    assert not empty.low_effort
    # One rapid guess in ten: effort .90, not below the threshold (Wise & Kong 2005).
    ten = integrity.time_pattern([1.0] + [30.0] * 9, 4.5, 135.0)
    assert ten.effort == pytest.approx(0.9) and not ten.low_effort


def test_inventory_pattern_counts_pages_by_seconds_per_statement():
    pages = [(15.0, 10), (100.0, 10), (700.0, 10), (3.0, 2)]  # 1.5, 10, 70 and 1.5 s per statement
    p = integrity.inventory_pattern(pages)
    assert (p.n, p.fast, p.slow) == (4, 2, 1)


# --- the candidate side, through the test client -------------------------------------

def at_item(client, link) -> tuple[Candidate, int]:
    c = Candidate(client, link)
    c.through_practice()
    c.start_test()
    assert c.step == "item"
    return c, int(ATTEMPT_RE.search(c.html).group(1))


def beacon(client, page, attempt_id, event, ms=None, token=True):
    data = {"attempt": str(attempt_id), "event": event}
    if ms is not None:
        data["ms"] = str(ms)
    if token:
        data["csrf_token"] = csrf_from(page)
    return client.post("/test/signal", data=data)


def signals_of(db, attempt_id) -> IntegritySignal | None:
    db.rollback()  # a fresh snapshot: the app committed in its own session
    return db.scalar(sa.select(IntegritySignal).where(IntegritySignal.attempt_id == attempt_id))


def test_item_page_loads_the_script_with_its_attempt_and_the_test_works_without_it(client, db, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    assert '<script src="/static/integrity.js" defer data-signal-url="/test/signal"' in c.html
    script = client.get("/static/integrity.js")
    assert script.status_code == 200 and b"sendBeacon" in script.get_data()
    script.close()
    # No beacon at all (as without JavaScript): the test goes on and ends as always.
    assert c.answer_all_items() > 0 and c.step == "inventory"
    assert f'data-attempt="{attempt_id}"' not in c.html and "integrity.js" in c.html
    assert c.finish_inventory() > 0 and c.step == "done"
    assert signals_of(db, attempt_id) is None


def test_beacons_are_counted_for_the_candidates_own_attempt(client, db, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    for event, ms in (("ready", None), ("away", None), ("hidden", None), ("back", 65_400), ("away", None),
                      ("back", 3_000)):
        assert beacon(client, c.page, attempt_id, event, ms).status_code == 204
    row = signals_of(db, attempt_id)
    assert (row.away_count, row.hidden_count, row.away_seconds, row.beacons) == (2, 1, 68, 6)


def test_a_beacon_without_the_csrf_token_or_malformed_stores_nothing(client, db, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    assert beacon(client, c.page, attempt_id, "away", token=False).status_code == 400
    assert beacon(client, c.page, attempt_id, "look-away").status_code == 400
    assert beacon(client, c.page, attempt_id, "back").status_code == 400  # no duration
    assert beacon(client, c.page, "x", "away").status_code == 400
    assert signals_of(db, attempt_id) is None


def test_a_beacon_cannot_write_to_another_candidates_attempt(app, client, db, make_invitation, make_assignment):
    aid = make_assignment()
    _, _, link_a = make_invitation(aid, email="a@example.com")
    _, _, link_b = make_invitation(aid, email="b@example.com")
    _, attempt_a = at_item(client, link_a)
    other = app.test_client()
    b, attempt_b = at_item(other, link_b)
    # B's session, B's valid token, A's attempt: refused, A's counters untouched.
    assert beacon(other, b.page, attempt_a, "away").status_code == 404
    assert signals_of(db, attempt_a) is None
    # A valid CSRF token but no candidate session (a staff sign-in page's): nobody to record for.
    stranger = app.test_client()
    login_page = stranger.get("/admin/login")
    assert beacon(stranger, login_page, attempt_b, "away").status_code == 404
    assert signals_of(db, attempt_b) is None
    assert beacon(other, b.page, attempt_b, "away").status_code == 204  # B's own: recorded
    assert signals_of(db, attempt_b).away_count == 1


def test_beacons_for_a_finished_attempt_are_taken_for_a_few_minutes_only(client, db, clock, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    page = c.page
    c.answer_all_items()
    assert c.step == "inventory"
    clock.advance(minutes=1)
    assert beacon(client, page, attempt_id, "back", 30_000).status_code == 204  # time ran out while away
    clock.advance(minutes=10)
    assert beacon(client, page, attempt_id, "away").status_code == 204  # ignored
    row = signals_of(db, attempt_id)
    assert (row.away_seconds, row.away_count) == (30, 0)


def test_beacons_are_capped_per_attempt(client, db, make_invitation, monkeypatch):
    monkeypatch.setattr(integrity, "MAX_BEACONS", 3)
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    for _ in range(5):
        assert beacon(client, c.page, attempt_id, "away").status_code == 204  # still 204: ignored quietly
    row = signals_of(db, attempt_id)
    assert (row.away_count, row.beacons) == (3, 3)
    # A single time away counts at most MAX_AWAY_MS, whatever the browser says.
    monkeypatch.setattr(integrity, "MAX_BEACONS", 10)
    assert beacon(client, c.page, attempt_id, "back", 10**12).status_code == 204
    assert signals_of(db, attempt_id).away_seconds == integrity.MAX_AWAY_MS // 1000


def test_beacons_are_rate_limited_per_candidate_session(make_app, make_invitation, db):
    app = make_app(SIGNAL_RATE_LIMIT="3 per minute")  # on the same test database as make_invitation's
    client = app.test_client()
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    codes = [beacon(client, c.page, attempt_id, "away").status_code for _ in range(4)]
    assert codes == [204, 204, 204, 429]
    assert signals_of(db, attempt_id).away_count == 3


def test_a_reload_of_the_same_question_is_counted_and_the_next_question_is_not(client, db, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    first = c.item_form()[0]
    c.get("/test/item")  # the same question again
    assert c.item_form()[0] == first
    assert signals_of(db, attempt_id).reloads == 1
    c.answer_item()  # the next question is a first showing
    assert c.item_form()[0] != first
    assert signals_of(db, attempt_id).reloads == 1
    # The server's own redirects back to the same question are not reloads.
    c.post("/test/item", {"response": c.item_form()[0]})  # no option chosen
    c.post("/test/language", {"lang": "en"})
    assert c.step == "item" and signals_of(db, attempt_id).reloads == 1
    c.get("/test/item")
    c.get("/test/item")
    assert signals_of(db, attempt_id).reloads == 3


def test_answers_from_another_browser_are_counted_and_a_second_tab_is_not(app, client, db, make_invitation):
    _, _, link = make_invitation()
    c, attempt_id = at_item(client, link)
    db.rollback()
    assert db.get(Attempt, attempt_id).device is not None  # the starting browser's mark
    c.answer_item()
    second_tab = Candidate(client, link)  # same browser, same session: a second tab
    second_tab.open()
    second_tab.answer_item()
    assert signals_of(db, attempt_id) is None or signals_of(db, attempt_id).other_device_answers == 0
    phone = Candidate(app.test_client(), link)  # the link opened on another device
    phone.open()
    assert phone.step == "item"
    phone.answer_item()
    phone.answer_item()
    laptop = Candidate(app.test_client(), link)
    laptop.open()
    laptop.answer_item()
    row = signals_of(db, attempt_id)
    assert row.other_device_answers == 3 and len(row.other_devices) == 2
    c.get("/test/item")
    c.answer_item()  # back on the first browser: not another browser
    assert signals_of(db, attempt_id).other_device_answers == 3


def test_inventory_reloads_and_pages_from_another_browser(app, client, db, make_invitation):
    _, _, link = make_invitation()
    c, _ = at_item(client, link)
    c.answer_all_items()
    assert c.step == "inventory"
    inv_id = int(ATTEMPT_RE.search(c.html).group(1))
    c.get("/test/inventory")
    assert signals_of(db, inv_id).reloads == 1
    c.inventory_page()
    other = Candidate(app.test_client(), link)
    other.open()
    other.inventory_page()
    row = signals_of(db, inv_id)
    assert (row.reloads, row.other_device_answers) == (1, 1)
    assert beacon(client, c.page, inv_id, "away").status_code == 204
    assert signals_of(db, inv_id).away_count == 1


# --- the consultant's results page and the client report -----------------------------

@pytest.fixture
def consultant(make_user):
    return make_user("anna@example.com", name="Anna")


def test_results_page_summarises_the_signals_and_the_client_report_does_not(
        app, client, db, clock, consultant, make_assignment, make_invitation, login_as):
    aid = make_assignment(staff=[consultant])
    cid, _, link = make_invitation(aid)
    c, attempt_id = at_item(client, link)
    for event, ms in (("ready", None), ("away", None), ("hidden", None), ("back", 95_000)):
        beacon(client, c.page, attempt_id, event, ms)
    c.get("/test/item")  # a reload
    # Response times: 2 s (a rapid guess), 200 s (slow for every type), 30 s (neither).
    for seconds in (2, 200, 30):
        clock.advance(seconds=seconds)
        c.answer_item()
    phone = Candidate(app.test_client(), link)
    phone.open()
    clock.advance(seconds=30)
    phone.answer_item()

    kons = login_as("anna@example.com")
    page = kons.get(f"/admin/candidates/{cid}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    section = page[page.index("data-integrity"):]
    assert "Integrity signals — information only" in section
    assert "honest explanations" in section and "not shown in the client report" in section
    logic = section[section.index('data-signals="logic"'):]
    assert 'data-away="1" data-away-seconds="95"' in logic and "1 min 35 s in total" in logic
    assert 'data-reloads="1"' in logic and 'data-other-device="1"' in logic
    assert 'data-fast="1"' in logic and 'data-slow="1"' in logic and "1 of 4 (25 %)" in logic
    assert "data-low-effort" in logic  # effort .75, below .90
    # Never accusatory: no word for cheating at all.
    lowered = section.lower()
    assert "cheat" not in lowered and "proves nothing about how the test was taken" in lowered
    for word in ("suspicious", "fraud", "violation", "rejected"):
        assert word not in lowered, word

    # The client report (its draft) says nothing of it, in either language.
    from portal.services import profiles
    from portal.db import get_session
    from portal.models import Assignment

    with app.app_context():
        session = get_session()
        profiles.start_from_template(session, session.get(Assignment, aid), "manager", user_id=consultant,
                                     now=clock())
        session.commit()
    for lang in ("en", "sv"):
        draft = kons.get(f"/admin/candidates/{cid}/reports/client/preview", headers={"Accept-Language": lang})
        assert draft.status_code == 200
        text = draft.get_data(as_text=True)
        for absent in ("Integrity", "Integritet", "data-away", "data-reloads", "another browser", "Time away"):
            assert absent not in text, absent


def test_results_page_says_when_the_script_never_reported(app, client, db, consultant, make_assignment,
                                                          make_invitation, login_as):
    aid = make_assignment(staff=[consultant])
    cid, _, link = make_invitation(aid)
    c, _ = at_item(client, link)
    c.answer_item()
    page = login_as("anna@example.com").get(f"/admin/candidates/{cid}", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Not known: the page script did not report during this test" in text
    assert 'data-away="0"' in text and 'data-reloads="0"' in text


def test_signals_are_in_the_export_and_erased_with_the_candidate(app, client, db, consultant, make_assignment,
                                                                 make_invitation, login_as):
    aid = make_assignment(staff=[consultant])
    cid, _, link = make_invitation(aid, name="Eva Exempel")
    c, attempt_id = at_item(client, link)
    beacon(client, c.page, attempt_id, "away")
    c.get("/test/item")
    kons = login_as("anna@example.com")
    export = kons.get(f"/admin/candidates/{cid}/export.zip")
    assert export.status_code == 200
    data = json.loads(zipfile.ZipFile(BytesIO(export.data)).read("data.json"))
    rows = data["tables"]["integrity_signal"]
    assert [(r["attempt_id"], r["away_count"], r["reloads"]) for r in rows] == [(attempt_id, 1, 1)]
    # The candidate's own download has them too (their data).
    own = json.loads(zipfile.ZipFile(BytesIO(client.get("/test/my-data.zip").data)).read("data.json"))
    assert own["tables"]["integrity_signal"][0]["away_count"] == 1

    page = kons.get(f"/admin/candidates/{cid}/erase")
    response = kons.post(f"/admin/candidates/{cid}/erase",
                         data={"csrf_token": csrf_from(page), "confirmation": "Eva Exempel"})
    assert response.status_code in (200, 302)
    db.rollback()
    assert signals_of(db, attempt_id) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.candidate_id == cid, Attempt.device.is_not(None))) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.candidate_id == cid, Attempt.kind == TestKind.LOGIC)) == 1  # the anonymous attempt stays
