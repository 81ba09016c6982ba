"""Invitation links: tokens, errors that create nothing, status."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from conftest import step_of
from portal.models import Attempt, Base, Invitation
from portal.services.invitations import CandidateStatus, candidate_status
from portal.services.tokens import (
    TokenExpired, TokenInvalid, make_invitation_token, read_invitation_token,
)


def _row_counts(db):
    return {t.name: db.scalar(sa.select(sa.func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_token_roundtrip_and_payload_is_opaque():
    token = make_invitation_token("k", 42, "nonce-value")
    assert read_invitation_token("k", token, 3600) == (42, "nonce-value")
    assert "@" not in token


def test_token_with_other_key_or_tampering_is_invalid():
    token = make_invitation_token("k", 1, "n")
    with pytest.raises(TokenInvalid):
        read_invitation_token("other", token, 3600)
    with pytest.raises(TokenInvalid):
        read_invitation_token("k", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), 3600)


def test_token_older_than_max_age_is_expired(monkeypatch):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 15 * 86400)
    token = make_invitation_token("k", 1, "n")
    monkeypatch.setattr(time, "time", real)
    with pytest.raises(TokenExpired):
        read_invitation_token("k", token, 14 * 86400)


def test_link_redirects_to_token_free_url(client, make_invitation):
    _, _, link = make_invitation()
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/test"
    assert link.split("/")[-1] not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("token", ["nonsense", "eyJhbGciOi.forged.sig", "x" * 300])
def test_forged_token_gets_friendly_404_and_creates_nothing(client, db, token, make_invitation):
    make_invitation()
    before = _row_counts(db)
    response = client.get(f"/i/{token}")
    assert response.status_code == 404
    assert step_of(response) == "invalid"
    assert "inte giltig" in response.get_data(as_text=True)
    db.expire_all()
    assert _row_counts(db) == before


def test_token_for_other_nonce_is_invalid(app, client, db, make_invitation):
    _, inv_id, _ = make_invitation()
    token = make_invitation_token(app.config["SECRET_KEY"], inv_id, "guessed-nonce")
    assert client.get(f"/i/{token}").status_code == 404


def test_expired_invitation_gets_410(client, clock, make_invitation):
    _, _, link = make_invitation()
    clock.advance(days=15)
    response = client.get(link)
    assert response.status_code == 410
    assert step_of(response) == "expired"
    assert "gått ut" in response.get_data(as_text=True)


def test_revoked_invitation_gets_410_and_ends_the_session(client, db, clock, make_invitation):
    _, inv_id, link = make_invitation()
    assert client.get(link).status_code == 302
    db.get(Invitation, inv_id).revoked_at = clock()
    db.commit()
    response = client.get(link)
    assert response.status_code == 410 and step_of(response) == "expired"
    # a session opened before the revocation no longer works either
    later = client.get("/test/welcome")
    assert later.status_code == 404 and step_of(later) == "invalid"


def test_no_candidate_session_gets_friendly_page(client):
    response = client.get("/test/item")
    assert response.status_code == 404 and step_of(response) == "invalid"


def test_status_progression(client, db, clock, make_invitation):
    from helpers import Candidate

    cid, _, link = make_invitation()
    from portal.models import Candidate as Row

    def status():
        db.expire_all()
        return candidate_status(db.get(Row, cid), clock())

    assert status() is CandidateStatus.INVITED
    c = Candidate(client, link)
    c.open()
    assert status() is CandidateStatus.OPENED
    c.accept_welcome()
    assert status() is CandidateStatus.IN_PROGRESS
    c.to_practice(); c.do_practice(); c.start_test(); c.answer_all_items(); c.finish_inventory()
    assert status() is CandidateStatus.COMPLETED
    clock.advance(days=30)
    assert status() is CandidateStatus.COMPLETED  # completed stays completed


def test_unopened_invitation_expires(db, clock, make_invitation):
    from portal.models import Candidate as Row

    cid, _, _ = make_invitation()
    clock.advance(days=14, minutes=1)
    assert candidate_status(db.get(Row, cid), clock()) is CandidateStatus.EXPIRED


def test_opening_creates_no_attempt(client, db, make_invitation):
    _, _, link = make_invitation()
    client.get(link, follow_redirects=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0
    assert db.scalar(sa.select(Invitation)).opened_at is not None
