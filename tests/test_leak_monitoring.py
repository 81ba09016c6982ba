"""Leak monitoring in /admin (issue 17): the page finds a planted leaked item and not an
ordinary one, insufficient data, retiring an item into a new bank version (confirmation,
reason, CSRF, audit, versions unchanged), access, query budget and both languages. Stored
responses simulated from the 3PL with the shipped bank's parameters. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import numpy as np
import sqlalchemy as sa

from bank_version_helpers import derived, insert_responses, store
from conftest import csrf_from
from querycount import statements_per_page
from test_analytics import _assignment
from item_banks import adaptive, irt, leaks, load_logic_bank
from portal.models import (Assignment, Attempt, AuditEvent, BankActivation, BankVersion, Candidate, Role, Stage,
                           TestKind, User)
from portal.services import bank_versions

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
BANK = load_logic_bank()
#: 21 operational items of middling difficulty: every simulee answers the first 20; the
#: last only the first RARE_N (too few for the monitor).
ITEMS = sorted((i for i in BANK.items if i.irt), key=lambda i: (abs(i.irt["b"]), i.id))[:21]
LEAKED, ORDINARY, RARE = ITEMS[0].id, ITEMS[1].id, ITEMS[20].id
RARE_N = 30


def _candidate(db, assignment_id: int) -> int:
    c = Candidate(assignment_id=assignment_id, name="Hemlig Person", email=f"hemlig{assignment_id}@example.com",
                  stage=Stage.DONE, chosen_language="sv")
    db.add(c)
    db.commit()
    return c.id


def _simulate(db, assignment_id: int, n: int, *, leak_from: int | None = None, seed: int = 1,
              version: str = BANK.version, start: datetime = T0) -> list[datetime]:
    """``n`` finished attempts, one a day from ``start``, answering ITEMS by the 3PL at
    N(0, 1) abilities; from attempt ``leak_from`` on, 80 % of candidates know LEAKED's key.
    Returns the answer times."""
    rng = np.random.default_rng(seed)
    a, b, c = (np.array([i.irt[k] for i in ITEMS]) for k in ("a", "b", "c"))
    x = (rng.random((n, len(ITEMS))) < irt.p3pl(rng.normal(size=n), a, b, c)).astype(float)
    if leak_from is not None:
        knows = rng.random(n) < 0.8
        x[leak_from:, 0] = np.maximum(x[leak_from:, 0], knows[leak_from:])
    x[RARE_N:, 20] = np.nan
    times = [start + timedelta(days=p) for p in range(n)]
    insert_responses(db, _candidate(db, assignment_id), BANK.bank_id, version, [i.id for i in ITEMS], x,
                     answered_at=times)
    return times


def _row(html: str, item_id: str) -> str:
    match = re.search(rf'<tr data-item="{re.escape(item_id)}"(?:(?!</tr>).)*</tr>', html, re.S)
    assert match, item_id
    return match.group(0)


def _status(html: str, item_id: str) -> str:
    return re.search(r'data-status="([^"]*)"', _row(html, item_id)).group(1)


def test_the_page_shows_a_planted_leak_in_alarm_and_an_ordinary_item_not(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    times = _simulate(db, aid, 300, leak_from=150)
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    browser = login_as("admin@example.com")
    page = browser.get("/admin/analytics/leaks", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _status(html, LEAKED) == "alarm"
    assert _status(html, ORDINARY) == "no alarm"
    assert _status(html, RARE) == "insufficient data"
    # Alarms first; the statistic and threshold are stated, with the manual's section.
    assert html.index(f'data-item="{LEAKED}"') < html.index(f'data-item="{ORDINARY}"')
    assert "exceeds 25." in html and "k = 0.15" in html and "section 15" in html
    never = len(BANK.items) - len(ITEMS)  # operational items nobody answered: counted, not listed
    assert f'data-counts="alarm=1 no-alarm=19 insufficient=1 never={never}"' in html and 'data-n="300"' in html
    row = _row(html, LEAKED)
    first_alarm = re.search(r"\d{4}-\d{2}-\d{2}", row).group(0)
    assert times[150].date().isoformat() < first_alarm <= times[-1].date().isoformat()
    assert "/ 25" in row and "300" in row
    # The ordinary item's observed and expected proportions are close; the leak's are not.
    ordinary = re.findall(r"(\d+) %", _row(html, ORDINARY))
    leaked = re.findall(r"(\d+) %", row)
    assert abs(int(ordinary[0]) - int(ordinary[1])) <= 8
    assert int(leaked[0]) - int(leaked[1]) >= 15

    # The item's detail: windows by month (observed over expected after the leak), table and charts.
    detail = browser.get(f"/admin/analytics/leaks/{LEAKED}", headers={"Accept-Language": "en"})
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200 and 'data-status="alarm"' in text
    months = re.findall(r'<tr data-window="(\d{4}-\d{2})">', text)
    assert months[0] == "2026-01" and len(months) == 10
    assert 'data-chart="windows"' in text and 'data-chart="cusum"' in text
    blocks = browser.get(f"/admin/analytics/leaks/{LEAKED}?by=block").get_data(as_text=True)
    assert len(re.findall(r"<tr data-window=", blocks)) == 3  # 300 responses in blocks of 100
    rare = browser.get(f"/admin/analytics/leaks/{RARE}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-status="insufficient data"' in rare and "too few to judge" in rare
    assert browser.get("/admin/analytics/leaks/NO-SUCH-ITEM").status_code == 404
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
    assert {e.object_type for e in events if e.action == "view"} >= {"analytics_leaks", "analytics_leak_item"}


def test_expected_probabilities_use_the_version_each_attempt_was_stamped_with(app, db, login_as, make_user):
    """A version 3.1.0 in which ORDINARY is much easier (b - 1.5): answers given under it,
    judged by its parameters (as they must be), raise no alarm; judged by the shipped
    parameters, the same answers would."""
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    doc = derived("3.1.0")
    easier = next(i for i in doc["items"] if i["id"] == ORDINARY)
    easier["irt"]["b"] = round(easier["irt"]["b"] - 1.5, 3)
    doc["irt"]["parameters"] = "calibrated"
    store(db, doc)
    params = {i["id"]: i["irt"] for i in doc["items"] if not i["practice"]}
    rng = np.random.default_rng(3)
    a, b, c = (np.array([params[i.id][k] for i in ITEMS[:20]]) for k in ("a", "b", "c"))
    x = (rng.random((300, 20)) < irt.p3pl(rng.normal(size=300), a, b, c)).astype(float)
    times = [T0 + timedelta(days=p) for p in range(300)]
    insert_responses(db, _candidate(db, aid), BANK.bank_id, "3.1.0", [i.id for i in ITEMS[:20]], x, answered_at=times)
    # Two tests of a version that is not stored (cannot be loaded): left out, and said so.
    insert_responses(db, _candidate(db, _assignment(db, "Other")), BANK.bank_id, "9.9.9", [ORDINARY],
                     np.ones((2, 1)), answered_at=T0)
    html = login_as("admin@example.com").get("/admin/analytics/leaks", headers={"Accept-Language": "en"}
                                               ).get_data(as_text=True)
    assert 'data-n="302"' in html and _status(html, ORDINARY) == "no alarm"
    assert "2 tests of bank versions that can no longer be loaded are left out" in html
    assert re.search(r"<td>300</td>", _row(html, ORDINARY))
    shipped = [np.array([i.irt[k] for i in ITEMS[:20]]) for k in ("a", "b", "c")]
    wrong = leaks.expected_correct(x, *shipped)[:, 1]
    assert leaks.monitor(np.arange(300), x[:, 1], wrong).status == leaks.ALARM


def _retire_page(browser, item_id):
    page = browser.get(f"/admin/analytics/leaks/{item_id}/retire", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    return page


def test_retiring_an_item_writes_a_new_inactive_version_without_it(app, db, login_as, make_user):
    admin_id = make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    _simulate(db, aid, 300, leak_from=150)
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    browser = login_as("admin@example.com")
    detail = browser.get(f"/admin/analytics/leaks/{LEAKED}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'href="/admin/analytics/leaks/{LEAKED}/retire"' in detail
    page = _retire_page(browser, LEAKED)
    text = page.get_data(as_text=True)
    assert "Attempts already started" in text and 'name="reason"' in text
    # Without CSRF, without a reason or without the confirmation: refused, nothing stored.
    assert browser.post(f"/admin/analytics/leaks/{LEAKED}/retire",
                        data={"reason": "leak", "confirm": "y"}).status_code == 400
    no_reason = browser.post(f"/admin/analytics/leaks/{LEAKED}/retire", headers={"Accept-Language": "en"},
                             data={"csrf_token": csrf_from(page), "reason": "  ", "confirm": "y"})
    assert no_reason.status_code == 400 and "Give a reason" in no_reason.get_data(as_text=True)
    unconfirmed = browser.post(f"/admin/analytics/leaks/{LEAKED}/retire", headers={"Accept-Language": "en"},
                               data={"csrf_token": csrf_from(page), "reason": "key on a forum"})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(BankVersion)) == 0

    done = browser.post(f"/admin/analytics/leaks/{LEAKED}/retire", headers={"Accept-Language": "en"},
                        data={"csrf_token": csrf_from(page), "reason": "key seen on a forum", "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/analytics/leaks/{LEAKED}")
    db.expire_all()
    new = db.scalar(sa.select(BankVersion).where(BankVersion.source == bank_versions.RETIRED))
    assert new.version == "3.1.0" and new.parent_version == BANK.version and new.created_by_id == admin_id
    doc = json.loads(new.document)
    shipped_doc = json.loads(BANK.path.read_text(encoding="utf-8"))
    assert LEAKED not in {i["id"] for i in doc["items"]}
    # Identical to the active version except for the item (and the version number).
    assert [i for i in shipped_doc["items"] if i["id"] != LEAKED] == doc["items"]
    assert {k: v for k, v in doc.items() if k not in ("items", "version")} == \
        {k: v for k, v in shipped_doc.items() if k not in ("items", "version")}
    # The old version is unchanged (stored byte for byte as shipped) and still active.
    old = db.scalar(sa.select(BankVersion).where(BankVersion.version == BANK.version))
    assert old.document == BANK.path.read_text(encoding="utf-8")
    assert db.scalar(sa.select(sa.func.count()).select_from(BankActivation)) == 0
    assert new.diff["retirement"]["reason"] == "key seen on a forum"
    assert new.diff["retirement"]["log"][0]["evidence"]["status"] == "alarm"
    # Exposure control carried over without the item, for the new version.
    assert new.exposure["bank_version"] == "3.1.0" and LEAKED not in new.exposure["exposure_k"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "bank.retire_item"))
    assert event.user_id == admin_id and event.object_id == new.id
    assert event.detail["item_id"] == LEAKED and event.detail["version"] == "3.1.0"

    # The pages say where the item is retired; the item cannot be retired twice.
    html = browser.get("/admin/analytics/leaks", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Retired in version 3.1.0, not yet active" in _row(html, LEAKED)
    detail = browser.get(f"/admin/analytics/leaks/{LEAKED}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-retired="3.1.0"' in detail and "/retire" not in detail
    again = _retire_page(browser, LEAKED).get_data(as_text=True)
    assert "already retired in version 3.1.0" in again and 'name="reason"' not in again

    # A second retirement builds on the pending one: its version lacks both items.
    page = _retire_page(browser, ORDINARY)
    assert browser.post(f"/admin/analytics/leaks/{ORDINARY}/retire",
                        data={"csrf_token": csrf_from(page), "reason": "also seen <script>x()</script>",
                              "confirm": "y"}).status_code == 302
    db.expire_all()
    second = db.scalar(sa.select(BankVersion).where(BankVersion.version == "3.2.0"))
    assert second.parent_version == "3.1.0" and second.diff["retirement"]["items"] == [LEAKED, ORDINARY]
    assert {LEAKED, ORDINARY}.isdisjoint(i["id"] for i in json.loads(second.document)["items"])
    assert json.loads(db.scalar(sa.select(BankVersion.document).where(BankVersion.version == "3.1.0")))["items"] \
        == doc["items"]  # the first new version is unchanged too

    # An attempt in progress, stamped with the version in use before the activation.
    running = Attempt(candidate_id=db.scalar(sa.select(Candidate.id)), kind=TestKind.LOGIC, number=999,
                      bank_id=BANK.bank_id, bank_version=BANK.version, seed=1, item_ids=[LEAKED], started_at=T0)
    db.add(running)
    db.commit()
    # Reviewed and activated in the existing Versions flow; new attempts then get it.
    review = browser.get("/admin/banks/versions/3.2.0", headers={"Accept-Language": "en"})
    text = review.get_data(as_text=True)
    assert "key seen on a forum" in text and f'data-item="{ORDINARY}"' in text
    assert "also seen &lt;script&gt;x()&lt;/script&gt;" in text and "<script>x()" not in text
    assert browser.post("/admin/banks/versions/3.2.0/activate",
                        data={"csrf_token": csrf_from(review), "confirm": "y"}).status_code == 302
    from portal import resources as res

    with app.test_request_context():
        active = res.logic_bank()
        assert active.version == "3.2.0" and LEAKED not in {i.id for i in active.items}
        # with the carried-over exposure parameters accepted for it
        assert adaptive.adaptive_bank(active).settings.exposure == "sympson_hetter"
        # the attempt in progress keeps its version, the retired item included
        assert res.logic_bank_for(db.get(Attempt, running.id)).get(LEAKED).id == LEAKED
    html = browser.get("/admin/analytics/leaks", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Retired (version 3.2.0, active)" in _row(html, LEAKED)


def test_consultants_see_their_scope_only_and_cannot_retire_clients_see_nothing(app, db, login_as, make_user):
    consultant = make_user("konsult@example.com", Role.CONSULTANT, name="Konsult")
    mine = _assignment(db, "Mitt uppdrag", staff=(consultant,))
    theirs = _assignment(db, "Annat uppdrag")
    make_user("kund@example.com", Role.CLIENT, client_id=db.get(Assignment, mine).client_id, name="Kund")
    _simulate(db, theirs, 300, leak_from=150)
    _simulate(db, mine, 40, seed=5)
    urls = ["/admin/analytics/leaks", f"/admin/analytics/leaks/{LEAKED}"]

    anonymous = app.test_client()
    for url in urls + [f"/admin/analytics/leaks/{LEAKED}/retire"]:
        assert anonymous.get(url).status_code == 302, url
    client_user = login_as("kund@example.com")
    for url in urls + [f"/admin/analytics/leaks/{LEAKED}/retire"]:
        assert client_user.get(url).status_code == 403, url
    browser = login_as("konsult@example.com")
    html = browser.get("/admin/analytics/leaks").get_data(as_text=True)
    assert 'data-n="40"' in html and _status(html, LEAKED) == "insufficient data"
    assert "Annat uppdrag" not in html
    assert browser.get(f"/admin/analytics/leaks?assignment={theirs}").status_code == 404
    detail = browser.get(f"/admin/analytics/leaks/{LEAKED}")
    assert detail.status_code == 200 and "/retire" not in detail.get_data(as_text=True)
    token = csrf_from(detail)  # a valid token (the layout's sign-out form): refused for the role, not the token
    assert browser.get(f"/admin/analytics/leaks/{LEAKED}/retire").status_code == 403
    assert browser.post(f"/admin/analytics/leaks/{LEAKED}/retire",
                        data={"csrf_token": token, "reason": "x", "confirm": "y"}).status_code == 403
    assert client_user.post(f"/admin/analytics/leaks/{LEAKED}/retire",
                            data={"reason": "x", "confirm": "y"}).status_code in (400, 403)
    assert db.scalar(sa.select(sa.func.count()).select_from(BankVersion)) == 0


def test_the_leak_pages_queries_do_not_grow_with_the_candidates(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    store(db, derived("3.1.0", shift_b=0.3))  # attempts of two versions: each loads once per worker
    engine = app.extensions["portal.engine"]
    urls = ["/admin/analytics/leaks", f"/admin/analytics/leaks/{LEAKED}", f"/admin/analytics/leaks/{LEAKED}?by=block",
            f"/admin/analytics/leaks/{LEAKED}/retire", f"/admin/analytics/leaks?assignment={aid}"]

    def measure() -> dict[str, int]:
        return statements_per_page(engine, login_as("admin@example.com"), urls)

    _simulate(db, aid, 30, seed=1)
    _simulate(db, aid, 30, seed=2, version="3.1.0", start=T0 + timedelta(days=40))
    small = measure()
    _simulate(db, aid, 200, seed=3, start=T0 + timedelta(days=80))
    _simulate(db, aid, 200, seed=4, version="3.1.0", start=T0 + timedelta(days=300))
    large = measure()
    print("\nleak-monitoring queries at 60 and 460 attempts:", {u: (small[u], large[u]) for u in urls})
    assert small == large, {u: (small[u], large[u]) for u in urls if small[u] != large[u]}
    assert max(large.values()) <= 12, large


def test_both_languages_render(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    _simulate(db, aid, 60)
    browser = login_as("admin@example.com")
    for lang in ("sv", "en"):
        for url in ("/admin/analytics/leaks", f"/admin/analytics/leaks/{ORDINARY}",
                    f"/admin/analytics/leaks/{ORDINARY}/retire"):
            page = browser.get(url, headers={"Accept-Language": lang})
            html = page.get_data(as_text=True)
            assert page.status_code == 200 and f'<html lang="{lang}">' in html, (lang, url)
            assert f'data-item="{ORDINARY}"' in html or f"{ORDINARY}" in html
    swedish = browser.get("/admin/analytics/leaks", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert 'aria-label="Analys"' in swedish  # the Swedish catalogue is the one in use
    english = browser.get("/admin/analytics/leaks", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Leak monitoring" in english and 'href="/admin/analytics/leaks"' in english


def test_monitor_service_matches_the_pure_functions(app, db, make_user):
    """The service hands item_banks.leaks the responses in time order with the
    leave-one-out expectations: the same monitor as computed by hand from the matrix."""
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    times = _simulate(db, aid, 120, leak_from=60, seed=9)
    from portal import resources as res
    from portal.db import get_session
    from portal.services import analytics as an
    from portal.services import leak_monitoring as lm

    rng = np.random.default_rng(9)
    a, b, c = (np.array([i.irt[k] for i in ITEMS]) for k in ("a", "b", "c"))
    x = (rng.random((120, len(ITEMS))) < irt.p3pl(rng.normal(size=120), a, b, c)).astype(float)
    knows = rng.random(120) < 0.8
    x[60:, 0] = np.maximum(x[60:, 0], knows[60:])
    x[RARE_N:, 20] = np.nan
    p = leaks.expected_correct(x, a, b, c)
    naive = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[us]")
    expected = leaks.monitor(naive, x[:, 0], p[:, 0])
    with app.test_request_context():
        admin = get_session().scalar(sa.select(User))
        data = lm.collect(get_session(), an.scope_ids(admin), bank_id=BANK.bank_id,
                          load_bank=lambda v: res.logic_bank_version(BANK.bank_id, v))
        summary = lm.summarise(data, bank_id=BANK.bank_id, active=res.logic_bank())
    got = next(i for i in summary.items if i.item_id == LEAKED)
    assert got.n == 120 and got.status == expected.status
    assert np.isclose(got.monitor.max_cusum, expected.max_cusum) and np.isclose(got.monitor.expected, expected.expected)
    assert summary.never_answered == len(BANK.items) - len(ITEMS)
