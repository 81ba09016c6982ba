"""Server-enforced timing of the logic test."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from helpers import Candidate
from portal.models import Attempt, FinishReason, LogicResponse, Result, Stage, TestKind
from portal.models import Candidate as CandidateRow


def _logic_attempt(db):
    db.expire_all()
    return db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))


def test_deadline_is_stored_from_the_battery_time_limit(client, db, clock, make_assignment, make_invitation):
    aid = make_assignment(logic_time_limit_minutes=12)
    _, _, link = make_invitation(aid)
    Candidate(client, link).through_practice().start_test()
    attempt = _logic_attempt(db)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=12)
    assert attempt.started_at == clock()


def test_extra_time_accommodation_scales_the_deadline(client, db, make_invitation):
    _, _, link = make_invitation(extra_time_pct=50)
    Candidate(client, link).through_practice().start_test()
    attempt = _logic_attempt(db)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)
    assert attempt.time_limit_seconds == 30 * 60


def test_answer_within_grace_is_accepted(client, db, clock, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    clock.advance(minutes=20, seconds=4)
    c.answer_item()
    assert c.step == "item"
    assert db.scalar(sa.select(sa.func.count()).select_from(LogicResponse)
                     .where(LogicResponse.answered_at.is_not(None))) == 1


def test_late_answer_is_refused_and_attempt_finished_with_earlier_answers(client, db, clock, make_invitation):
    cid, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_item(); c.answer_item(); c.answer_item()
    clock.advance(minutes=20, seconds=6)
    page = c.answer_item()
    assert page.status_code == 409
    assert c.step == "timeup"
    assert "inte" in c.html  # "…kom in efter att tiden hade gått ut och räknades inte"
    attempt = _logic_attempt(db)
    assert attempt.finish_reason is FinishReason.TIMEOUT
    answered = db.scalar(sa.select(sa.func.count()).select_from(LogicResponse)
                         .where(LogicResponse.answered_at.is_not(None)))
    assert answered == 3
    result = db.scalar(sa.select(Result).where(Result.attempt_id == attempt.id))
    assert result.n_answered == 3 and result.n_items == 3
    assert result.details["stop_reason"] == "time_limit"
    assert db.get(CandidateRow, cid).stage is Stage.INVENTORY
    c.get("/test/time-up")
    c.get(re.search(r'href="(/test/inventory[^"]*)"', c.html).group(1))
    assert c.step == "inventory"


def test_attempt_left_open_is_finished_when_touched(client, db, clock, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_item()
    clock.advance(hours=3)  # the candidate closed the browser and came back later
    c.open()
    assert c.step == "timeup"
    assert _logic_attempt(db).finish_reason is FinishReason.TIMEOUT


def test_close_expired_cli(app, client, db, clock, make_invitation):
    _, _, link = make_invitation()
    _, _, other = make_invitation(name="Other", email="o@example.com")
    Candidate(client, link).through_practice().start_test()
    Candidate(app.test_client(), other).through_practice().start_test()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["attempts", "close-expired"])
    assert result.exit_code == 0 and "Closed 0" in result.output
    clock.advance(minutes=21)
    result = runner.invoke(args=["attempts", "close-expired"])
    assert result.exit_code == 0 and "Closed 2" in result.output
    db.expire_all()
    assert all(a.finished_at is not None for a in db.scalars(sa.select(Attempt)))
    assert len(db.scalars(sa.select(Result)).all()) == 2
    result = runner.invoke(args=["attempts", "close-expired"])
    assert "Closed 0" in result.output
    assert len(db.scalars(sa.select(Result)).all()) == 2  # finishing happens once


def test_reload_at_zero_within_grace_still_shows_the_item(client, clock, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    clock.advance(minutes=20, seconds=2)
    c.get("/test/item")
    assert c.step == "item" and 'data-remaining="0"' in c.html


def test_candidate_returning_after_cron_closed_the_test_is_told(app, client, clock, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_item()
    clock.advance(minutes=30)
    assert "Closed 1" in app.test_cli_runner().invoke(args=["attempts", "close-expired"]).output
    c.open()
    assert c.step == "timeup"
    assert "Allt du svarade i tid har sparats" in c.html
    c.get("/test/inventory?go=1")
    assert c.step == "inventory"
    c.open()
    assert c.step == "inventory"  # the notice is shown once the questionnaire has started
