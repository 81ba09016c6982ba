"""The session cookie: re-sent whenever the session changes, its expiry slid at most once a
minute (portal/sessions.py), and never accepted when tampered with or expired."""
from __future__ import annotations

from conftest import csrf_from
from helpers import Candidate
from portal import sessions


def test_unchanged_session_is_not_resent_within_a_minute_but_later(client, make_invitation, monkeypatch):
    _, _, link = make_invitation()
    opened = client.get(link)
    assert "so_session=" in opened.headers["Set-Cookie"]  # a new session is always sent
    client.get("/test/welcome")  # (the first form adds a CSRF secret to the session)
    page = client.get("/test/welcome")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    monkeypatch.setattr(sessions, "REFRESH_AFTER_SECONDS", 0)
    page = client.get("/test/welcome")
    assert "so_session=" in page.headers["Set-Cookie"] and "Expires=" in page.headers["Set-Cookie"]


def test_a_changed_session_is_always_resent(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    response, _ = c.item_form()
    refused = client.post("/test/item", data={"csrf_token": csrf_from(c.page), "response": response})
    # (The pages set the integrity cookie ``so_seen`` too: look at every Set-Cookie.)
    assert refused.status_code == 302 and "so_session=" in " ".join(refused.headers.getlist("Set-Cookie"))  # the flash
    shown = client.get("/test/item")
    assert 'class="flash ' in shown.get_data(as_text=True)
    assert "so_session=" in " ".join(shown.headers.getlist("Set-Cookie"))
    assert 'class="flash ' not in client.get("/test/item").get_data(as_text=True)  # shown once


def test_tampered_or_expired_cookie_is_no_session(app, client, make_invitation, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    _, _, link = make_invitation()
    client.get(link)
    value = client.get_cookie("so_session").value
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(value)
    lifetime = app.permanent_session_lifetime.total_seconds()
    with monkeypatch.context() as m:  # the same session, signed a lifetime and a minute ago
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time() - lifetime - 60))
        old = serializer.dumps(data)
    client.set_cookie("so_session", old)
    assert client.get("/test/welcome").status_code == 404
    client.set_cookie("so_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/test/welcome").status_code == 404
    client.set_cookie("so_session", value)
    assert client.get("/test/welcome").status_code == 200


def test_a_cookie_accepted_before_still_expires(app, client, make_invitation, monkeypatch):
    """The worker remembers the cookies it has verified; a remembered one is still refused
    once it is older than the session lifetime."""
    import time

    _, _, link = make_invitation()
    client.get(link)
    assert client.get("/test/welcome").status_code == 200
    assert client.get("/test/welcome").status_code == 200  # the same cookie, remembered
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/test/welcome").status_code == 404
