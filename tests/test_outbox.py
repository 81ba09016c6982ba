"""The development outbox page (the mail worker: tests/test_mail_worker.py)."""
from __future__ import annotations

import sqlalchemy as sa

from portal.models import Candidate, Invitation, OutboxMessage, User
from portal.web import renderer


def test_outbox_shows_unsent_mail_to_staffed_consultants_only(app, db, clock, make_assignment, make_invitation,
                                                              login_as, make_user):
    for email in ("k@example.com", "other@example.com"):
        make_user(email)
    staffed = db.scalar(sa.select(User.id).where(User.email == "k@example.com"))
    aid = make_assignment(staff=[staffed])
    cid, inv_id, link = make_invitation(aid, name="Åsa Öberg", email="asa@example.com")
    from portal import resources as res
    from portal.db import get_session
    from portal.services.mail import send_invitation

    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, cid)
        send_invitation(session, candidate, session.get(Invitation, inv_id), "http://localhost" + link,
                        now=res.now(), renderer=renderer)
        session.commit()
    message = db.scalar(sa.select(OutboxMessage))
    assert message.sent_at is None  # no SMTP configured: kept in the development outbox
    html = login_as("k@example.com", check=False).get("/admin/outbox").get_data(as_text=True)
    assert "asa@example.com" in html and "Ingen SMTP-server" in html
    assert 'data-mail-state="queued"' in html and "sparat i utkorgen" in html
    detail = login_as("k@example.com", check=False).get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "Åsa Öberg" in detail and link in detail
    other = login_as("other@example.com", check=False)
    assert "asa@example.com" not in other.get("/admin/outbox").get_data(as_text=True)
    assert other.get(f"/admin/outbox/{message.id}").status_code == 404
