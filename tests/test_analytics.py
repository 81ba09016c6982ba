"""The Analytics pages in /admin (issue 16): item statistics, DIF, inventory statistics,
adverse impact, CSV exports, access and query budget; constructed data, hand-computed
expectations."""
from __future__ import annotations

import csv
import io
import math
import re
import statistics
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa

from querycount import statements_per_page
from item_banks import load_inventory, load_logic_bank
from portal.db import get_session
from portal.models import (
    Assignment, Attempt, AuditEvent, Candidate, Client, EqualityResponse, FinishReason, InventoryResponse,
    LogicResponse, Result, Role, Stage, TestKind, User,
)
from portal.services import analytics as an

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)


# -- building constructed data -------------------------------------------------------------


def _assignment(db, title: str, staff: tuple[int, ...] = ()) -> int:
    a = Assignment(client=Client(name=f"{title} AB"), title=title, language="sv", norm_group="general",
                   logic_time_limit_minutes=40)
    a.consultants = [db.get(User, uid) for uid in staff]
    db.add(a)
    db.commit()
    return a.id


def _candidate(db, assignment_id: int, i: int, *, language: str = "sv", equality: dict | None = None) -> Candidate:
    c = Candidate(assignment_id=assignment_id, name=f"Hemlig Person {assignment_id}-{i}",
                  email=f"hemlig{assignment_id}x{i}@example.com", stage=Stage.DONE, chosen_language=language)
    db.add(c)
    db.flush()
    if equality is not None:
        db.add(EqualityResponse(candidate_id=c.id, answered_at=T0, **equality))
    return c


def _logic(db, c: Candidate, *, answers: list[tuple[str, bool, int]] = (), theta: float | None = None,
           percentile: float | None = None, finished: datetime = T0) -> Attempt:
    bank = load_logic_bank()
    attempt = Attempt(candidate_id=c.id, kind=TestKind.LOGIC, number=1, bank_id=bank.bank_id,
                      bank_version=bank.version, seed=0, item_ids=[a[0] for a in answers],
                      started_at=finished - timedelta(minutes=30), finished_at=finished,
                      finish_reason=FinishReason.COMPLETED)
    db.add(attempt)
    db.flush()
    for position, (item_id, correct, ms) in enumerate(answers):
        db.add(LogicResponse(attempt_id=attempt.id, item_id=item_id, position=position, option_ids=[],
                             option_order=[], presented_at=finished, answered_at=finished, chosen_index=0,
                             correct=correct, response_ms=ms))
    if theta is not None or percentile is not None:
        db.add(Result(attempt_id=attempt.id, scale="logic.theta", raw=theta, n_items=len(answers),
                      n_answered=len(answers), percentile=percentile, theta=theta, se=0.3,
                      details={"answered": {"theta": theta, "se": 0.3}} if theta is not None else None,
                      norm_group="general", norm_ref="general.v1", norm_provisional=True,
                      bank_id=bank.bank_id, bank_version=bank.version, engine_version="test"))
    return attempt


def _rows(html: str, attribute: str) -> dict[str, str]:
    return dict(re.findall(rf'data-item="([^"]+)"[^>]*>(?:(?!</tr>).)*?data-{attribute}="([^"]*)"', html, re.S))


def _csv_rows(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


# -- item statistics -----------------------------------------------------------------------


def test_item_statistics_match_hand_computed_values(app, db, tmp_path, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    first, second = bank.items[0].id, bank.items[1].id
    # 12 candidates: ability, first item right?, seconds; the second item: right for the
    # first 7 of 11 (candidate 11 never saw it).
    thetas = [-1.5, -1.0, -0.8, -0.5, -0.2, 0.0, 0.1, 0.4, 0.7, 1.0, 1.3, 1.8]
    right1 = [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1]
    secs1 = [20, 25, 30, 22, 28, 35, 40, 18, 26, 31, 29, 24]
    right2 = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    candidates = []
    for i, theta in enumerate(thetas):
        c = _candidate(db, aid, i)
        answers = [(first, bool(right1[i]), secs1[i] * 1000)]
        if i < 11:
            answers.append((second, bool(right2[i]), 15_000))
        _logic(db, c, answers=answers, theta=theta, percentile=50.0, finished=T0 + timedelta(days=i))
        candidates.append(c)
    db.commit()
    # One candidate anonymised by the retention purge: their answers still count.
    with app.app_context():
        from portal.services import privacy

        session = get_session()
        privacy.erase(session, session.get(Candidate, candidates[0].id), storage_dir=tmp_path, user_id=None,
                      now=T0 + timedelta(days=400), reason="retention")
        session.commit()

    browser = login_as("admin@example.com")
    page = browser.get("/admin/analytics?sort=exposure&dir=desc")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-n="12"' in html  # the window: 12 finished tests
    assert "2026-10-01" in html and "2026-10-12" in html
    assert "a priori" in html  # the parameters are labelled as predictions (Swedish by default)
    assert "Lite data" in html
    exposure = _rows(html, "exposure")
    assert exposure[first] == "12" and exposure[second] == "11"
    p = _rows(html, "p")
    assert float(p[first]) == pytest.approx(7 / 12, abs=1e-4)
    assert float(p[second]) == pytest.approx(7 / 11, abs=1e-4)
    rpb = _rows(html, "rpb")
    assert float(rpb[first]) == pytest.approx(statistics.correlation(right1, thetas), abs=1e-4)
    assert float(rpb[second]) == pytest.approx(statistics.correlation(right2, thetas[:11]), abs=1e-4)
    # Hand check of one value: the second item's right answers are the 7 least able.
    assert float(rpb[second]) < -0.7
    # Items nobody answered say so instead of showing a number.
    assert "för lite data" in html

    export = browser.get("/admin/analytics/items.csv")
    rows = {r["item_id"]: r for r in _csv_rows(export)}
    assert int(rows[first]["exposure"]) == 12
    assert float(rows[first]["p_correct"]) == pytest.approx(7 / 12, abs=1e-4)
    assert float(rows[first]["mean_seconds"]) == pytest.approx(sum(secs1) / 12, abs=1e-3)
    assert float(rows[first]["a"]) == pytest.approx(bank.items[0].irt["a"], abs=1e-4)
    assert rows[first]["parameters"] == "a-priori" and rows[first]["other_parameters"] == ""
    assert len(rows) == len(bank.items)  # one row per item, never per candidate
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before,
                                                    AuditEvent.object_type == "analytics_items")).all()
    assert {e.action for e in events} == {"view", "export"}


def test_item_table_is_sorted_and_paginated(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    for i in range(3):
        _logic(db, _candidate(db, aid, i), answers=[(bank.items[5].id, True, 9000)], theta=0.0, percentile=50.0)
    db.commit()
    browser = login_as("admin@example.com")
    html = browser.get("/admin/analytics?sort=exposure&dir=desc").get_data(as_text=True)
    items = re.findall(r'<tr data-item="([^"]+)"', html)
    assert items[0] == bank.items[5].id and len(items) == an.PER_PAGE
    assert f"1–{an.PER_PAGE} " in html or f"1–{an.PER_PAGE} av" in html
    last = browser.get("/admin/analytics?sort=exposure&dir=desc&page=999").get_data(as_text=True)
    assert bank.items[5].id not in re.findall(r'<tr data-item="([^"]+)"', last)
    ascending = browser.get("/admin/analytics?sort=item&dir=asc").get_data(as_text=True)
    ids = re.findall(r'<tr data-item="([^"]+)"', ascending)
    assert ids == sorted(ids)


# -- DIF -------------------------------------------------------------------------------------


def test_dif_table_classifies_a_planted_item(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    items = bank.items[:10]
    rng = np.random.default_rng(16)
    a = np.array([i.irt["a"] for i in items])
    b = np.array([i.irt["b"] for i in items])
    c = np.array([i.irt["c"] for i in items])
    for k in range(320):
        language = "sv" if k % 2 == 0 else "en"
        theta = rng.normal()
        prob = c + (1 - c) / (1 + np.exp(-a * (theta - b)))
        if language == "en":  # the planted item: much harder for equally able English takers
            prob[0] = c[0] + (1 - c[0]) / (1 + np.exp(-a[0] * (theta - b[0] - 2.5)))
        right = rng.random(10) < prob
        cand = _candidate(db, aid, k, language=language)
        _logic(db, cand, answers=[(item.id, bool(r), 20_000) for item, r in zip(items, right)], theta=theta,
               percentile=50.0)
    db.commit()
    browser = login_as("admin@example.com")
    html = browser.get("/admin/analytics/dif").get_data(as_text=True)
    language = html.split('data-comparison="language"')[1].split("</section>")[0]
    assert f'data-item="{items[0].id}" data-class="C"' in language
    assert "referensgruppen" in language
    # No equality answers: the gender comparison has no classified item.
    gender = html.split('data-comparison="gender"')[1].split("</section>")[0]
    assert "För lite data" in gender and "data-class=" not in gender
    assert "data-groups=" not in gender  # group sizes under 30 are not shown
    assert 'data-groups="160/160"' in language
    rows = _csv_rows(browser.get("/admin/analytics/dif.csv"))
    planted = [r for r in rows if r["item_id"] == items[0].id and r["comparison"] == "language"]
    assert planted[0]["category"] == "C" and planted[0]["favours"] == "reference"
    assert float(planted[0]["mh_d_dif"]) < -1.5
    fair = [r for r in rows if r["comparison"] == "language" and r["status"] == "classified"
            and r["item_id"] != items[0].id]
    assert len(fair) == 9 and sum(r["category"] == "A" for r in fair) >= 6
    assert all(r["status"] == "insufficient_data" for r in rows if r["comparison"] == "gender")
    # The item table carries the class too.
    table = browser.get("/admin/analytics?sort=item&dir=asc").get_data(as_text=True)
    assert _rows(browser.get("/admin/analytics?sort=exposure&dir=desc").get_data(as_text=True),
                 "dif-language")[items[0].id] == "C"
    assert table


# -- adverse impact --------------------------------------------------------------------------


def _impact_world(db, aid):
    # Gender: 40 women (10 at or above the cut), 50 men (25), 5 other; 30 who did not answer.
    k = 0
    for gender, n, selected in (("woman", 40, 10), ("man", 50, 25), ("other", 5, 3), (None, 30, 15)):
        for j in range(n):
            equality = None if gender is None else {"gender": gender, "age_band": "30-39" if j % 2 else "40-49",
                                                    "first_language": "sv"}
            c = _candidate(db, aid, k, equality=equality)
            _logic(db, c, percentile=80.0 if j < selected else 20.0, theta=0.0,
                   finished=T0 + timedelta(hours=k))
            k += 1
    db.commit()


def test_adverse_impact_reproduces_a_hand_computed_case(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    _impact_world(db, aid)
    browser = login_as("admin@example.com")
    page = browser.get(f"/admin/analytics/impact?assignment={aid}&scale=logic.theta&cut=50")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-n="125"' in html
    gender = html.split('data-question="gender"')[1].split("</section>")[0]
    woman = gender.split('data-group="woman"')[1].split("</tr>")[0]
    man = gender.split('data-group="man"')[1].split("</tr>")[0]
    other = gender.split('data-group="other"')[1].split("</tr>")[0]
    # Hand computation: rates 10/40 = 0.25 and 25/50 = 0.5, impact ratio 0.5.
    assert 'data-rate="0.2500"' in woman and 'data-rate="0.5000"' in man
    assert 'data-ratio="0.5000"' in woman and 'data-flagged="1"' in woman
    assert "jämförelsegrupp" in man
    # 95 % CI by the log method: exp(ln 0.5 +- 1.96 sqrt(1/10 - 1/40 + 1/25 - 1/50)).
    half = 1.959964 * math.sqrt(1 / 10 - 1 / 40 + 1 / 25 - 1 / 50)
    assert f"{0.5 * math.exp(-half):.2f}–{0.5 * math.exp(half):.2f}" in woman
    pooled = 35 / 90
    z = (0.25 - 0.5) / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 50))
    assert f"p = {math.erfc(abs(z) / math.sqrt(2)):.3f}" in woman
    # The group of 5 is suppressed: no count, no rate; 30 unanswered protect it from a total.
    assert 'data-suppressed="1"' in other and "färre än 30" in other and "5" not in other
    # Age: 30-39 and 40-49 with 47 and 48; first language: one group only, no comparison.
    language = html.split('data-question="first_language"')[1].split("</section>")[0]
    assert "färre än två grupper" in language

    rows = _csv_rows(browser.get(f"/admin/analytics/impact.csv?assignment={aid}&scale=logic.theta&cut=50"))
    by_group = {(r["question"], r["group"]): r for r in rows}
    assert float(by_group[("gender", "woman")]["impact_ratio"]) == pytest.approx(0.5)
    assert by_group[("gender", "woman")]["adverse_impact_indicated"] == "yes"
    assert by_group[("gender", "other")]["n"] == "färre än 30"
    assert by_group[("gender", "other")]["selected"] == ""
    # Dates: result k finished k hours after 2026-10-01 09:00 (125 results, to 10-06 05:00).
    since = browser.get(f"/admin/analytics/impact?assignment={aid}&cut=50&since=2026-10-03").get_data(as_text=True)
    assert 'data-n="86"' in since and "2026-10-03" in since  # k >= 39
    until = browser.get(f"/admin/analytics/impact?assignment={aid}&cut=50&until=2026-10-02").get_data(as_text=True)
    assert 'data-n="39"' in until  # k <= 38
    # Another scale: no personality results here.
    assert "Inga resultat" in browser.get(
        f"/admin/analytics/impact?assignment={aid}&cut=50&scale=personality.{load_inventory().domains[0].id}"
    ).get_data(as_text=True)
    # 250/1,000 vs 270/1,000 is not flagged (issue 16), from the same code path.
    from norms.fairness import adverse_impact

    assert not adverse_impact({"x": (250, 1000), "y": (270, 1000)}).flagged


def test_a_single_small_group_hides_the_smallest_other_when_few_left_it_unanswered(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    k = 0
    for gender, n in (("woman", 40), ("man", 50), ("other", 5)):
        for j in range(n):
            _logic(db, _candidate(db, aid, k, equality={"gender": gender}), percentile=60.0 if j % 2 else 40.0)
            k += 1
    db.commit()
    browser = login_as("admin@example.com")
    html = browser.get("/admin/analytics/impact?cut=50").get_data(as_text=True)
    gender = html.split('data-question="gender"')[1].split("</section>")[0]
    # Everyone answered: the total less the men would give women + other, so women are hidden too.
    assert gender.count('data-suppressed="1"') == 2
    assert 'data-group="man"' in gender and "40" not in gender.split('data-group="woman"')[1].split("</tr>")[0]


def test_impact_filters_refuse_bad_input(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    browser = login_as("admin@example.com")
    for query in ("cut=abc", "cut=0", "cut=100", "cut=50.5", "cut=-5", "scale=nope", "since=2026-13-01", "since=2026-10-02&until=2026-10-01"):
        response = browser.get(f"/admin/analytics/impact?{query}")
        assert response.status_code == 400, query
        assert 'role="alert"' in response.get_data(as_text=True)
        assert browser.get(f"/admin/analytics/impact.csv?{query}").status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "analytics_impact", AuditEvent.id > before)) == 0


# -- inventory --------------------------------------------------------------------------------


def test_inventory_statistics_from_responses(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    inventory = load_inventory()
    domain = inventory.domains[0]
    statements = [s for s in inventory.statements if s.is_scored and s.domain == domain.id]
    rng = np.random.default_rng(5)
    matrix = []
    for k in range(40):
        c = _candidate(db, aid, k)
        attempt = Attempt(candidate_id=c.id, kind=TestKind.INVENTORY, number=1, bank_id=inventory.inventory_id,
                          bank_version=inventory.version, seed=0, item_ids=[s.id for s in statements],
                          started_at=T0, finished_at=T0 + timedelta(minutes=k), finish_reason=FinishReason.COMPLETED)
        db.add(attempt)
        db.flush()
        level = rng.integers(1, 6)
        keyed = []
        for s in statements:
            value = int(np.clip(level + rng.integers(-1, 2), 1, 5))
            raw = value if s.keyed > 0 else 6 - value
            db.add(InventoryResponse(attempt_id=attempt.id, statement_id=s.id, value=raw, answered_at=T0))
            keyed.append(value)
        matrix.append(keyed)
    db.commit()
    x = np.array(matrix, dtype=float)
    kk = x.shape[1]
    alpha = kk / (kk - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    browser = login_as("admin@example.com")
    html = browser.get("/admin/analytics/inventory").get_data(as_text=True)
    row = html.split(f'data-scale="{domain.id}"')[1].split("</tr>")[0]
    assert re.search(r'data-alpha="([^"]+)"', row).group(1) == f"{alpha:.4f}"
    assert f"<td>40</td>" in row
    assert f"{x.mean(axis=1).mean():.2f}" in row and f"{x.mean(axis=1).std(ddof=1):.2f}" in row
    rest = x.sum(axis=1, keepdims=True) - x
    item_total = [np.corrcoef(x[:, j], rest[:, j])[0, 1] for j in range(kk)]
    lowest = int(np.argmin(item_total))
    assert f"{min(item_total):.2f} – {max(item_total):.2f}; lägst: {statements[lowest].id}" in row
    other = html.split(f'data-scale="{inventory.domains[1].id}"')[1].split("</tr>")[0]
    assert "för lite data" in other  # nobody answered that domain


# -- access, exports, queries -----------------------------------------------------------------

URLS = ("/admin/analytics", "/admin/analytics/dif", "/admin/analytics/inventory", "/admin/analytics/impact",
        "/admin/analytics/items.csv", "/admin/analytics/dif.csv", "/admin/analytics/impact.csv")


def test_access_is_refused_to_clients_and_scoped_for_consultants(app, db, login_as, make_user):
    consultant = make_user("konsult@example.com", Role.CONSULTANT, name="Konsult")
    mine = _assignment(db, "Mitt uppdrag", staff=(consultant,))
    theirs = _assignment(db, "Annat uppdrag")
    client_id = db.get(Assignment, mine).client_id
    make_user("kund@example.com", Role.CLIENT, client_id=client_id, name="Kund")
    bank = load_logic_bank()
    for aid, n in ((mine, 3), (theirs, 7)):
        for i in range(n):
            _logic(db, _candidate(db, aid, i), answers=[(bank.items[0].id, True, 1000)], theta=0.0, percentile=50.0)
    db.commit()

    anonymous = app.test_client()
    for url in URLS:
        assert anonymous.get(url).status_code == 302, url  # to the login page
    client_user = login_as("kund@example.com")
    for url in URLS:
        assert client_user.get(url).status_code == 403, url
    browser = login_as("konsult@example.com")
    for url in URLS:
        assert browser.get(url).status_code == 200, url
        assert browser.get(f"{url}?assignment={theirs}").status_code == 404, url
        assert browser.get(f"{url}?assignment=x").status_code == 404, url
    html = browser.get("/admin/analytics").get_data(as_text=True)
    assert 'data-n="3"' in html  # only the staffed assignment's tests
    assert "Annat uppdrag" not in html and "Mitt uppdrag" in html
    assert 'href="/admin/analytics"' in html  # the menu line
    rows = {r["item_id"]: r for r in _csv_rows(browser.get("/admin/analytics/items.csv"))}
    assert rows[bank.items[0].id]["exposure"] == "3"


def test_csv_exports_are_neutralised_and_hold_no_personal_data(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    _impact_world(db, aid)
    # An answer stored under an item id that starts like a formula (not in the bank file).
    c = _candidate(db, aid, 999)
    _logic(db, c, answers=[("=HYPERLINK(\"x\")", True, 1000), ("@SUM(A1)", False, 1000)], theta=0.1,
           percentile=10.0)
    db.commit()
    names = {n for (n,) in db.execute(sa.select(Candidate.name))}
    emails = {e for (e,) in db.execute(sa.select(Candidate.email))}
    browser = login_as("admin@example.com")
    for url in ("/admin/analytics/items.csv", "/admin/analytics/dif.csv", "/admin/analytics/impact.csv?cut=50"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response.headers["Cache-Control"]
        text = response.get_data(as_text=True)
        for value in names | emails:
            assert value not in text, url
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert not {"candidate", "candidate_id", "attempt_id", "name", "email"} & set(header), header
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), (url, cell)
                assert not cell.startswith("-") or _is_number(cell), (url, cell)
    items = browser.get("/admin/analytics/items.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in items and "'@SUM(A1)" in items
    assert an.safe_cell("-2+3") == "'-2+3" and an.safe_cell("+x") == "'+x" and an.safe_cell(-0.25) == "-0.25"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_analytics_queries_do_not_grow_with_the_candidates(app, db, login_as, make_user):
    make_user("admin@example.com", Role.ADMIN, name="Admin")
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    inventory = load_inventory()
    statements = [s for s in inventory.statements if s.is_scored][:12]
    added = []

    def grow(to: int):
        while len(added) < to:
            k = len(added)
            gender = ("woman", "man")[k % 2]
            c = _candidate(db, aid, k, language=("sv", "en")[k % 2],
                           equality={"gender": gender, "age_band": "30-39", "first_language": "sv"})
            _logic(db, c, answers=[(bank.items[j].id, bool((k + j) % 3), 9000) for j in range(8)],
                   theta=(k % 7 - 3) / 2, percentile=float(k % 100))
            attempt = Attempt(candidate_id=c.id, kind=TestKind.INVENTORY, number=1, bank_id=inventory.inventory_id,
                              bank_version=inventory.version, seed=0, item_ids=[], started_at=T0, finished_at=T0,
                              finish_reason=FinishReason.COMPLETED)
            db.add(attempt)
            db.flush()
            for j, s in enumerate(statements):
                db.add(InventoryResponse(attempt_id=attempt.id, statement_id=s.id, value=1 + (k + j) % 5,
                                         answered_at=T0))
            added.append(c.id)
        db.commit()

    urls = list(URLS) + [f"/admin/analytics?assignment={aid}&sort=p&page=2",
                         f"/admin/analytics/impact?assignment={aid}&cut=40&since=2026-01-01&until=2026-12-31"]
    engine = app.extensions["portal.engine"]

    def measure() -> dict[str, int]:
        return statements_per_page(engine, login_as("admin@example.com"), urls)

    grow(5)
    small = measure()
    grow(50)
    large = measure()
    print("\nanalytics queries at 5 and 50 candidates:", {u: (small[u], large[u]) for u in urls})
    assert small == large, {u: (small[u], large[u]) for u in urls if small[u] != large[u]}
    # A handful each: the page's reads, the audit record, the active bank version and the
    # version calibrated from it (bank versions, issue 16).
    assert max(large.values()) <= 12, large


def test_service_window_is_bounded(app, db):
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    for i in range(6):
        _logic(db, _candidate(db, aid, i), answers=[(bank.items[0].id, i % 2 == 0, 1000)], theta=0.0,
               percentile=50.0, finished=T0 + timedelta(days=i))
    db.commit()
    with app.app_context():
        session = get_session()
        scope = sa.select(sa.literal(aid))
        result = an.logic_analysis(session, scope, bank, bank_id=bank.bank_id, version=bank.version, limit=4,
                                   with_fit=False, with_dif=False)
        assert result.window.n == 4 and result.window.limited
        assert result.window.first == T0 + timedelta(days=2) or result.window.first.replace(
            tzinfo=timezone.utc) == T0 + timedelta(days=2)
        row = next(r for r in result.items if r.item_id == bank.items[0].id)
        assert row.exposure == 4


def test_a_calibrated_version_shows_the_a_priori_parameters_beside_its_own(app, db):
    import dataclasses

    aid = _assignment(db, "Controller")
    shipped = load_logic_bank()
    items = tuple(dataclasses.replace(i, irt={"a": i.irt["a"] * 1.1, "b": i.irt["b"] + 0.2, "c": i.irt["c"]})
                  for i in shipped.items)
    calibrated = dataclasses.replace(shipped, version="3.0.1-cal", items=items, irt_source="calibrated")
    c = _candidate(db, aid, 0)
    attempt = _logic(db, c, answers=[(shipped.items[0].id, True, 1000)], theta=0.0, percentile=50.0)
    attempt.bank_version = "3.0.1-cal"
    db.commit()
    with app.app_context():
        session = get_session()
        scope = sa.select(sa.literal(aid))
        result = an.logic_analysis(session, scope, calibrated, bank_id=shipped.bank_id, version="3.0.1-cal",
                                   apriori=shipped)
        assert result.window.n == 1 and result.params.source == "calibrated" and result.compare.source == "a-priori"
        row = next(r for r in result.items if r.item_id == shipped.items[0].id)
        assert row.b == pytest.approx(shipped.items[0].irt["b"] + 0.2)
        assert row.compare[1] == pytest.approx(shipped.items[0].irt["b"])
        text = an.item_rows_csv(result)
        assert "calibrated" in text and "a-priori" in text
        # A version whose bank cannot be loaded: statistics only, no parameters.
        unknown = an.logic_analysis(session, scope, None, bank_id=shipped.bank_id, version="3.0.1-cal",
                                    apriori=shipped)
        assert unknown.params is None and unknown.fit_result is None
        assert next(r for r in unknown.items if r.item_id == shipped.items[0].id).exposure == 1


def test_an_a_priori_version_shows_the_parameters_calibrated_from_it(app, db):
    """``banks calibrate`` stores a calibrated version with the a-priori one as its parent:
    the a-priori version's item table shows the calibrated parameters beside its own."""
    from bank_version_helpers import derived, store

    aid = _assignment(db, "Analytiker")
    shipped = load_logic_bank()
    c = _candidate(db, aid, 0)
    _logic(db, c, answers=[(shipped.items[0].id, True, 1000)], theta=0.0, percentile=50.0)
    db.commit()
    with app.app_context():
        session = get_session()
        scope = sa.select(sa.literal(aid))
        before = an.logic_analysis(session, scope, shipped, bank_id=shipped.bank_id, version=shipped.version,
                                   apriori=shipped, with_fit=False)
        assert before.compare is None  # nothing calibrated from it yet
    store(db, derived("3.1.0", shift_b=0.25), parent=shipped.version)
    with app.app_context():
        session = get_session()
        result = an.logic_analysis(session, scope, shipped, bank_id=shipped.bank_id, version=shipped.version,
                                   apriori=shipped, with_fit=False)
        assert result.params.source == "a-priori" and result.compare.source == "calibrated"
        row = next(r for r in result.items if r.item_id == shipped.items[0].id)
        assert row.b == pytest.approx(shipped.items[0].irt["b"])
        assert row.compare[1] == pytest.approx(min(4.0, shipped.items[0].irt["b"] + 0.25), abs=1e-3)
