"""Pretest items (issue 16): at most 2 per attempt (configurable, 0 disables), unscored
(they never change the ability estimate, the stopping rule or the result), placed at
random inside the test (never first or last), shown exactly like operational items, stored
with a flag for calibration; the answer path does the same work for them. SQLite and
PostgreSQL."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from flask import template_rendered

from bank_version_helpers import derived, store
from helpers import Candidate
from item_banks import adaptive, irt, load_logic_bank
from item_banks.loader import parse_logic_bank
from portal.db import get_session
from portal.models import Attempt, Candidate as CandidateRow, LogicResponse, Result, Stage, TestKind
from portal.services import bank_versions, journey

#: Three number-series items made pretest items in the version these tests use.
PRETEST = tuple(i.id for i in load_logic_bank().items if i.type == "number_series")[5:8]


@pytest.mark.parametrize("seed", range(200))
def test_the_plan_places_at_most_n_items_inside_the_test(seed):
    settings = adaptive.APP_SETTINGS
    plan = adaptive.pretest_plan(PRETEST, seed, 2)
    assert len(plan) == 2 and len({i for _, i in plan}) == 2 and {i for _, i in plan} <= set(PRETEST)
    positions = sorted(adaptive.plan_positions(plan))
    # Never the first item; never the last: at least one operational item follows, as
    # the test gives at least min_items operational items.
    assert positions[0] >= 1 and all(k < settings.min_items for k, _ in plan)
    assert adaptive.operational_before(plan, positions[-1] + 1) == positions[-1] + 1 - 2
    assert plan == adaptive.pretest_plan(PRETEST, seed, 2)
    assert adaptive.pretest_plan(PRETEST, seed, 0) == [] and adaptive.pretest_plan((), seed, 2) == []
    assert len(adaptive.pretest_plan(PRETEST, seed, 5)) <= len(PRETEST)


def test_positions_spread_over_the_test():
    firsts = {adaptive.pretest_plan(PRETEST, seed, 1)[0][0] for seed in range(300)}
    assert firsts == set(range(1, adaptive.APP_SETTINGS.min_items))


@pytest.fixture(scope="module")
def pretest_bank():
    doc = derived("3.1.0", pretest=PRETEST)
    return parse_logic_bank(json.dumps(doc), Path("<test>") / "pretest-3.1.0.json", require_size=False)


def _run(app, clock, make_invitation, bank, *, seed: int, pretest_items: int, pretest_correct: bool, email: str):
    """An attempt through the journey service: operational items answered by a simulee at
    theta 0.3 (the same answer to the same item in every run), pretest items all right or
    all wrong. Returns (operational item ids, pretest (position, id) pairs, last position,
    result row, largest progress total shown)."""
    ab = adaptive.adaptive_bank(bank)
    p_true = irt.p3pl(0.3, ab.cat_bank.a, ab.cat_bank.b, ab.cat_bank.c)
    uniforms = np.random.default_rng(5).random(ab.cat_bank.n_items)
    cid, _, _ = make_invitation(email=email)
    operational, pretest, shown_total = [], [], 0
    with app.app_context():
        session = get_session()
        candidate = session.get(CandidateRow, cid)
        candidate.stage = Stage.PRACTICE
        from portal import resources as res

        norms = res.norm_table(candidate.assignment.norm_group)
        attempt = journey.start_logic(session, candidate, bank, now=clock(), seed=seed, pretest_items=pretest_items)
        last = -1
        while (shown := journey.present_logic_item(session, attempt, bank, now=clock())) is not None:
            item = shown.item
            shown_total = max(shown_total, shown.max_items)
            last = shown.position
            if shown.response.pretest:
                pretest.append((shown.position, item.id))
                correct = pretest_correct
            else:
                operational.append(item.id)
                correct = bool(uniforms[ab.position_of(item.id)] < p_true[ab.position_of(item.id)])
            chosen = item.key if correct else (item.key + 1) % len(item.options)
            clock.advance(seconds=20)
            outcome = journey.answer_logic_item(
                session, attempt, response_id=shown.response.id, now=clock(), bank=bank, norms=norms,
                option_id=shown.response.option_ids[shown.response.option_order.index(chosen)])
            assert outcome is journey.AnswerOutcome.ACCEPTED
            session.commit()
        result = session.scalar(sa.select(Result).where(Result.attempt_id == attempt.id))
        session.expunge(result)
    return operational, pretest, last, result, shown_total


def test_pretest_items_never_change_the_estimate_or_the_result(app, clock, make_invitation, pretest_bank):
    runs = {}
    for name, n, right in (("without", 0, True), ("with-right", 2, True), ("with-wrong", 2, False)):
        runs[name] = _run(app, clock, make_invitation, pretest_bank, seed=31337, pretest_items=n,
                          pretest_correct=right, email=f"{name}@example.com")
    ops, pre, last, result, total = runs["without"]
    assert pre == [] and total == adaptive.APP_SETTINGS.max_items
    for name in ("with-right", "with-wrong"):
        ops2, pre2, last2, result2, total2 = runs[name]
        assert ops2 == ops  # the same operational items in the same order: the stopping rule too
        assert len(pre2) == 2 and {i for _, i in pre2} <= set(PRETEST)
        positions = [p for p, _ in pre2]
        assert 0 not in positions and last2 not in positions and last2 == last + 2
        assert total2 == adaptive.APP_SETTINGS.max_items + 2  # progress counts them like any item
        for field in ("theta", "se", "raw", "percentile", "percentile_low", "percentile_high", "n_items",
                      "n_answered", "details"):
            assert getattr(result2, field) == getattr(result, field), field


def test_pretest_answers_are_stored_with_a_flag(app, db, clock, make_invitation, pretest_bank):
    _run(app, clock, make_invitation, pretest_bank, seed=99, pretest_items=2, pretest_correct=True,
         email="flag@example.com")
    rows = db.scalars(sa.select(LogicResponse).where(LogicResponse.pretest.is_(True))).all()
    assert len(rows) == 2 and all(r.answered_at is not None and r.correct is True for r in rows)
    assert {r.item_id for r in rows} <= set(PRETEST)
    attempt = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))
    assert [i for _, i in attempt.pretest_plan] == [r.item_id for r in sorted(rows, key=lambda r: r.position)]


class _Skeleton(HTMLParser):
    """Tags and attributes of a page, with digits and opaque tokens masked: what is left
    when the item's own content (numbers, option ids, the response id) is taken away."""

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_starttag(self, tag, attrs):
        masked = [(k, re.sub(r"\d+", "#", re.sub(r"[A-Za-z0-9_-]{12}", "*", v or ""))) for k, v in attrs]
        self.parts.append((tag, tuple(sorted(masked))))


def _skeleton(html: str) -> tuple:
    parser = _Skeleton()
    parser.feed(html.split("<main", 1)[1])
    return tuple(parser.parts)


def _activate_pretest_version(app, db):
    store(db, derived("3.1.0", pretest=PRETEST))
    with app.app_context():
        session = get_session()
        bank_versions.activate(session, load_logic_bank(), "3.1.0", user_id=None, now=_now())
        session.commit()


def _now():
    from datetime import datetime, timezone

    return datetime(2026, 11, 1, tzinfo=timezone.utc)


def _counting(app):
    statements = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement.split(None, 1)[0].upper())

    engine = app.extensions["portal.engine"]
    sa.event.listen(engine, "before_cursor_execute", before)
    return statements, lambda: sa.event.remove(engine, "before_cursor_execute", before)


def test_a_pretest_item_page_is_an_item_page_and_costs_the_same(app, client, db, make_invitation):
    _activate_pretest_version(app, db)
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    templates = []

    def record(_sender, template=None, **_extra):
        templates.append(template.name)

    template_rendered.connect(record, app)
    statements, stop = _counting(app)
    pages = []  # (pretest?, item type, templates, html, statements of the answer before)
    answer_work = None
    try:
        for _ in range(12):  # every test gives at least 10 + 2 items
            templates.clear()
            html = c.get("/test/item").get_data(as_text=True)
            response_id, options = c.item_form()
            db.expire_all()
            row = db.get(LogicResponse, int(response_id))
            kind = load_logic_bank().get(row.item_id).type
            pages.append((row.pretest, kind, tuple(templates), html, answer_work))
            statements.clear()
            assert c.post("/test/item", {"response": response_id, "option": options[0]}, follow=False).status_code == 302
            c.get("/test/item")
            answer_work = tuple(statements)
    finally:
        stop()
        template_rendered.disconnect(record, app)
    pretest_pages = [p for p in pages if p[0]]
    operational = [p for p in pages if not p[0]]
    assert len(pretest_pages) == 2 and not pages[0][0]
    assert db.scalar(sa.select(Attempt.bank_version).where(Attempt.kind == TestKind.LOGIC)) == "3.1.0"
    same_type = {_skeleton(p[3]) for p in operational if p[1] == "number_series"}
    assert same_type, "no operational number series among the first items"
    for _, _, names, html, _ in pretest_pages:
        assert names == operational[1][2] and names[0] == "candidate/item.html"
        assert "pretest" not in html.lower()
        assert _skeleton(html) in same_type  # the same markup as an operational item of its type
    # The answer path: the same statements for every answer, pretest or not.
    works = {p[4] for p in pages[1:]}
    assert len(works) == 1, works


def test_zero_disables_pretest_items(make_app, db, make_invitation, clock):
    app = make_app(PRETEST_ITEMS_PER_ATTEMPT=0)
    _activate_pretest_version(app, db)
    with app.app_context():
        session = get_session()
        from portal import resources as res

        cid, _, _ = make_invitation()
        candidate = session.get(CandidateRow, cid)
        candidate.stage = Stage.PRACTICE
        attempt = journey.start_logic(session, candidate, res.logic_bank(), now=clock(),
                                      pretest_items=res.pretest_items_per_attempt())
        assert attempt.bank_version == "3.1.0" and attempt.pretest_plan is None
        session.rollback()
