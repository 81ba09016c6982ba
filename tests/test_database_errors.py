"""An answer that meets a database error: retried once on the server; otherwise a 503 with
Retry-After that keeps the candidate's choice and sends it again with one click."""
from __future__ import annotations

import re

import sqlalchemy as sa

from helpers import Candidate
from portal.candidate import views
from portal.models import LogicResponse
from portal.services import journey


def broken(times: int):
    """``journey.answer_logic_item`` failing ``times`` times like a restarting database."""
    real = journey.answer_logic_item
    calls = {"n": 0}

    def answer(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise sa.exc.OperationalError("UPDATE logic_response ...", {},
                                          Exception("server closed the connection unexpectedly"))
        return real(*args, **kwargs)

    return answer, calls


def at_first_item(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    response, options = c.item_form()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.html).group(1)
    return {"csrf_token": token, "response": response, "option": options[2]}


def answered(db):
    db.expire_all()
    return db.scalars(sa.select(LogicResponse).where(LogicResponse.answered_at.is_not(None))).all()


def test_one_failure_is_retried_unseen(client, db, make_invitation, monkeypatch):
    form = at_first_item(client, make_invitation)
    answer, calls = broken(1)
    monkeypatch.setattr(journey, "answer_logic_item", answer)
    monkeypatch.setattr(views, "ANSWER_RETRY_PAUSE", 0)
    response = client.post("/test/item", data=form)
    assert response.status_code == 302 and calls["n"] == 2
    rows = answered(db)
    assert len(rows) == 1 and rows[0].option_ids.index(form["option"]) == rows[0].option_order.index(
        rows[0].chosen_index)


def test_two_failures_give_a_503_that_keeps_the_choice(client, db, make_invitation, monkeypatch):
    form = at_first_item(client, make_invitation)
    answer, calls = broken(2)
    monkeypatch.setattr(journey, "answer_logic_item", answer)
    monkeypatch.setattr(views, "ANSWER_RETRY_PAUSE", 0)
    response = client.post("/test/item", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert f'value="{form["option"]}" data-kept-option' in html and f'value="{form["response"]}"' in html
    assert "Skicka mitt svar igen" in html and not answered(db)
    # the database is back: the kept form sends the same answer, once
    monkeypatch.undo()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    again = client.post("/test/item", data={**form, "csrf_token": token})
    assert again.status_code == 302 and len(answered(db)) == 1
