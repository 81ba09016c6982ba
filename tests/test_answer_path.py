"""The answer path does constant work per answer (issue 14): an answer continues the adaptive
test from the state stored on the attempt, stores the next presentation, and the item page
only reads it; the stored state gives exactly the items and score of a replay; attempts
answered before the state was stored go on with one replay. On SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import sqlalchemy as sa

from helpers import Candidate
from item_banks import adaptive, cat, irt, load_logic_bank
from portal.db import get_session
from portal.models import Attempt, Candidate as CandidateRow, LogicResponse, Result, Stage, TestKind
from portal.services import journey


@pytest.fixture(scope="module")
def ab():
    return adaptive.adaptive_bank(load_logic_bank())


def test_stored_state_survives_json_and_restores_the_replayed_state(ab):
    seed, rng = 987654321, np.random.default_rng(3)
    state = adaptive.start_state(ab, seed)
    items, responses = [], []
    for _ in range(12):
        index = adaptive.next_item(ab, state, seed)
        items.append(ab.item_ids[index])
        responses.append(int(rng.random() < 0.6))
        state = cat.update(state, index, responses[-1])
    doc = json.loads(json.dumps(adaptive.stored_state(ab, state)))  # as the database keeps it
    restored = adaptive.restore_state(ab, seed, doc)
    replayed = adaptive.replay_state(ab, seed, items, responses)
    assert restored.administered == replayed.administered and restored.responses == replayed.responses
    assert (restored.theta, restored.se) == (replayed.theta, replayed.se)
    assert np.array_equal(restored.log_posterior, replayed.log_posterior)
    assert adaptive.next_item(ab, restored, seed) == adaptive.next_item(ab, replayed, seed)
    with pytest.raises(ValueError):
        adaptive.restore_state(ab, seed, {**doc, "format": 0})
    with pytest.raises(ValueError):
        adaptive.restore_state(ab, seed, {**doc, "items": ["no-such-item", *doc["items"][1:]]})


def _replayed_test(ab, seed: int, correct) -> tuple[list[str], cat.FinalScore]:
    """The items and final score of the attempt as the replay-per-answer engine gave them:
    the state rebuilt from all answers before every selection."""
    items, responses = [], []
    while True:
        state = adaptive.replay_state(ab, seed, items, responses)
        index = adaptive.next_item(ab, state, seed)
        if index is None:
            return items, adaptive.final_score(ab, state)
        items.append(ab.item_ids[index])
        responses.append(int(correct(index)))


def _start(app, clock, candidate_id: int, seed: int):
    from portal import resources as res

    session = get_session()
    candidate = session.get(CandidateRow, candidate_id)
    candidate.stage = Stage.PRACTICE
    bank, norms = res.logic_bank(), res.norm_table(candidate.assignment.norm_group)
    return session, bank, norms, journey.start_logic(session, candidate, bank, now=clock(), seed=seed)


def _option(shown, correct: bool) -> str:
    item = shown.item
    chosen = item.key if correct else (item.key + 1) % len(item.options)
    return shown.response.option_ids[shown.response.option_order.index(chosen)]


def test_stepping_from_the_stored_state_gives_the_replays_items_and_score(app, db, clock, make_invitation, ab):
    theta, seed = -0.3, 4242
    p_true = irt.p3pl(theta, ab.cat_bank.a, ab.cat_bank.b, ab.cat_bank.c)
    uniforms = np.random.default_rng(17).random(ab.cat_bank.n_items)
    correct = lambda index: uniforms[index] < p_true[index]  # noqa: E731
    expected_items, expected_score = _replayed_test(ab, seed, correct)
    cid, _, _ = make_invitation()
    given = []
    with app.app_context():
        session, bank, norms, attempt = _start(app, clock, cid, seed)
        while (shown := journey.present_logic_item(session, attempt, bank, now=clock())) is not None:
            given.append(shown.item.id)
            clock.advance(seconds=30)
            outcome = journey.answer_logic_item(
                session, attempt, response_id=shown.response.id, now=clock(), bank=bank, norms=norms,
                option_id=_option(shown, correct(ab.position_of(shown.item.id))))
            assert outcome is journey.AnswerOutcome.ACCEPTED
            session.commit()
            # What the database holds continues exactly where a replay of the answers is.
            db.expire_all()
            row = db.get(Attempt, attempt.id)
            assert row.cat_answers == len(given) and row.cat_state["items"] == given
            if row.finished_at is None:
                stored = adaptive.restore_state(ab, seed, row.cat_state)
                replayed = adaptive.replay_state(ab, seed, given, stored.responses)
                assert (stored.theta, stored.se) == (replayed.theta, replayed.se)
                assert np.array_equal(stored.log_posterior, replayed.log_posterior)
    assert given == expected_items
    result = db.scalar(sa.select(Result).where(Result.attempt_id == attempt.id))
    assert result.theta == expected_score.theta and result.se == expected_score.se
    assert result.details["stop_reason"] == expected_score.reason


def _counting(monkeypatch, app):
    """Counters of CAT updates and SQL statements (by kind) over the app's requests."""
    counts = {"update": 0, "sql": []}
    real_update = cat.update

    def counted_update(*args, **kwargs):
        counts["update"] += 1
        return real_update(*args, **kwargs)

    monkeypatch.setattr(cat, "update", counted_update)  # also what cat.replay calls

    def before(_conn, _cursor, statement, *_args):
        counts["sql"].append(statement.split(None, 1)[0].upper())

    engine = app.extensions["portal.engine"]
    sa.event.listen(engine, "before_cursor_execute", before)
    return counts, lambda: sa.event.remove(engine, "before_cursor_execute", before)


def test_an_answer_does_the_same_work_at_every_position(app, client, make_invitation, monkeypatch):
    """One CAT update and the same statements per answer (POST + GET), whatever the
    position: the answer does not replay the attempt, the item page does not write."""
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    counts, stop = _counting(monkeypatch, app)
    per_answer = []
    try:
        for _ in range(9):  # every test gives at least 10 items
            counts["update"], counts["sql"] = 0, []
            response, options = c.item_form()
            post = c.post("/test/item", {"response": response, "option": options[0]}, follow=False)
            assert post.status_code == 302
            post_sql = counts["sql"]
            counts["sql"] = []
            c.get("/test/item")
            assert c.step == "item"
            per_answer.append((counts["update"], tuple(post_sql), tuple(counts["sql"])))
    finally:
        stop()
    updates, posts, gets = zip(*per_answer)
    assert set(updates) == {1}
    assert len(set(posts)) == 1 and len(set(gets)) == 1, per_answer
    # The answer: one SELECT of the candidate (invitation, assignment) with the attempt and
    # the item on screen; the answer, the state; the next item.
    assert [posts[0].count(kind) for kind in ("SELECT", "UPDATE", "INSERT")] == [1, 2, 1], posts[0]
    assert set(posts[0]) <= {"SELECT", "UPDATE", "INSERT", "BEGIN"}, posts[0]
    assert gets[0].count("SELECT") == 1 and set(gets[0]) <= {"SELECT", "BEGIN"}, gets[0]  # reads only


def test_an_answer_and_the_next_item_page_load_no_orm_entity(app, client, make_invitation):
    """The common case of the answer and of the item page (issue 14's CPU budget) reads
    plain rows: no ORM entity is loaded until the test ends."""
    from portal.models.base import Base

    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.get("/test/item")
    loaded = []

    def on_load(target, _context):
        loaded.append(type(target).__name__)

    sa.event.listen(Base, "load", on_load, propagate=True)
    try:
        for _ in range(5):
            response, options = c.item_form()
            assert c.post("/test/item", {"response": response, "option": options[0]}, follow=False).status_code == 302
            c.get("/test/item")
            assert c.step == "item"
    finally:
        sa.event.remove(Base, "load", on_load)
    assert loaded == []


def test_item_page_renders_after_its_transaction_ended(app, client, make_invitation, monkeypatch):
    """The item page's transaction (on SQLite: the write lock) ends before the template
    renders."""
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    import flask

    seen = []
    real = flask.render_template

    def render(*args, **kwargs):
        seen.append(get_session().in_transaction())
        return real(*args, **kwargs)

    from portal.candidate import views

    monkeypatch.setattr(views, "render_template", render)
    c.get("/test/item")
    assert c.step == "item" and seen == [False]


def test_an_attempt_answered_before_the_state_was_stored_goes_on_with_one_replay(
        app, client, db, make_invitation, monkeypatch, ab):
    """An attempt in progress when migration 0011 runs has answers but no stored state, and
    perhaps no stored next item (the old code selected it on the page): the page selects the
    item a replay selects, the next answer replays once, stores the state, and from then on
    every answer does one update."""
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    for i in range(4):
        c.answer_item(index=i % 3)
    attempt = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))
    # As the old code left it: the fourth answer stored, no state, the fifth item not yet shown.
    db.execute(sa.delete(LogicResponse).where(LogicResponse.attempt_id == attempt.id,
                                              LogicResponse.answered_at.is_(None)))
    db.execute(sa.update(Attempt).where(Attempt.id == attempt.id).values(cat_state=None, cat_answers=None))
    db.commit()
    rows = db.scalars(sa.select(LogicResponse).order_by(LogicResponse.position)).all()
    items, responses = [r.item_id for r in rows], [int(r.correct) for r in rows]
    expected = ab.item_ids[adaptive.next_item(ab, adaptive.replay_state(ab, attempt.seed, items, responses),
                                              attempt.seed)]
    counts, stop = _counting(monkeypatch, app)
    try:
        c.get("/test/item")
        assert "Fråga 5 (högst" in c.html
        shown = db.scalar(sa.select(LogicResponse).where(LogicResponse.position == 4))
        assert shown.item_id == expected
        assert counts["update"] == 4  # the one replay, on the page that had to select the item
        counts["update"] = 0
        c.answer_item()
        assert counts["update"] == 1 and c.step == "item"
        counts["update"] = 0
        c.answer_item()
        assert counts["update"] == 1
    finally:
        stop()
    db.expire_all()
    assert db.get(Attempt, attempt.id).cat_answers == 6


def test_an_attempt_with_no_stored_state_but_a_shown_item_replays_on_its_answer(
        app, client, db, make_invitation, monkeypatch):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    for _ in range(3):
        c.answer_item()
    db.execute(sa.update(Attempt).values(cat_state=None, cat_answers=None))
    db.commit()
    counts, stop = _counting(monkeypatch, app)
    try:
        c.get("/test/item")
        assert "Fråga 4 (högst" in c.html and counts["update"] == 0  # the shown item is stored
        c.answer_item()
        assert counts["update"] == 4  # replay of three, then this answer
    finally:
        stop()
    db.expire_all()
    assert db.scalar(sa.select(Attempt.cat_answers)) == 4


def test_same_item_on_reload_and_in_a_second_tab_after_an_answer(app, client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_item()
    first = c.item_form()[0]
    again = Candidate(client, link)
    again.get("/test/item")
    other = Candidate(app.test_client(), link)
    other.open()
    assert again.item_form() == c.item_form() and other.item_form()[0] == first
    assert db.scalar(sa.select(sa.func.count()).select_from(LogicResponse)) == 2
    assert re.search(r"Fråga 2 \(högst", other.html)
