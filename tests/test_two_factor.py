"""Two-factor sign-in (TOTP + recovery codes): enrolment, the second step, replay,
recovery codes, rate limit, and administrators who must enrol."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from conftest import csrf_from, sign_in
from portal.models import AuditEvent, Role, User
from portal.services import two_factor as svc

PASSWORD = "tre ord som inte hör ihop"


@pytest.fixture
def user(make_user):
    return make_user("kim@example.com", name="Kim", password=PASSWORD)


def enrol(app, clock, client):
    page = client.get("/admin/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html
    secret = re.search(r"data-secret>([A-Z2-7]+)<", html).group(1)
    wrong = client.post("/admin/account/two-factor", data={"csrf_token": csrf_from(page), "code": "000000"})
    assert wrong.status_code == 400 and "stämmer inte" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).at(clock())
    done = client.post("/admin/account/two-factor", data={"csrf_token": csrf_from(page), "code": code})
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    return secret, codes


def test_enrol_then_sign_in_needs_the_code(app, db, clock, user):
    client = app.test_client()
    assert sign_in(client, "kim@example.com", PASSWORD).status_code == 302
    secret, codes = enrol(app, clock, client)
    stored = db.get(User, user)
    db.refresh(stored)
    assert stored.totp_enabled_at is not None and codes[0] not in str(stored.recovery_codes)  # hashes only
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/"))})

    clock.advance(minutes=2)
    fresh = app.test_client()
    first = sign_in(fresh, "kim@example.com", PASSWORD)
    assert first.status_code == 302 and first.headers["Location"].endswith("/admin/login/second-factor")
    assert fresh.get("/admin/").status_code == 302  # the password alone does not sign in
    step = fresh.get("/admin/login/second-factor")
    bad = fresh.post("/admin/login/second-factor", data={"csrf_token": csrf_from(step), "code": "123456"})
    assert bad.status_code == 401 and fresh.get("/admin/").status_code == 302
    code = pyotp.TOTP(secret).at(clock())
    ok = fresh.post("/admin/login/second-factor", data={"csrf_token": csrf_from(step), "code": code})
    assert ok.status_code == 302 and fresh.get("/admin/").status_code == 200

    # the same code cannot be used again (replay), even within its 30 seconds
    again = app.test_client()
    sign_in(again, "kim@example.com", PASSWORD)
    step = again.get("/admin/login/second-factor")
    replay = again.post("/admin/login/second-factor", data={"csrf_token": csrf_from(step), "code": code})
    assert replay.status_code == 401


def test_a_recovery_code_works_once(app, db, clock, user):
    client = app.test_client()
    sign_in(client, "kim@example.com", PASSWORD)
    _, codes = enrol(app, clock, client)
    for expected in (302, 401):
        other = app.test_client()
        sign_in(other, "kim@example.com", PASSWORD)
        step = other.get("/admin/login/second-factor")
        response = other.post("/admin/login/second-factor",
                              data={"csrf_token": csrf_from(step), "code": codes[3].upper()})
        assert response.status_code == expected
    db.expire_all()
    assert len(db.get(User, user).recovery_codes) == 9
    events = [e.action for e in db.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert "use_recovery_code" in events and "enable_2fa" in events


def test_the_first_step_expires(app, clock, user, db):
    client = app.test_client()
    sign_in(client, "kim@example.com", PASSWORD)
    enrol(app, clock, client)
    fresh = app.test_client()
    sign_in(fresh, "kim@example.com", PASSWORD)
    with fresh.session_transaction() as s:
        s["2fa_pending"] = {**s["2fa_pending"], "at": s["2fa_pending"]["at"] - 301}
    assert fresh.get("/admin/login/second-factor").headers["Location"].endswith("/admin/login")


def test_administrators_must_enrol(make_app, db, clock, make_user):
    app = make_app(REQUIRE_ADMIN_2FA=True)
    make_user("admin@example.com", Role.ADMIN, password=PASSWORD)
    db.commit()
    client = app.test_client()
    sign_in(client, "admin@example.com", PASSWORD)
    for url in ("/admin/", "/admin/users", "/admin/audit"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/account/two-factor")
    enrol(app, clock, client)
    assert client.get("/admin/users").status_code == 200


def test_second_factor_is_rate_limited(make_app, clock, user, db):
    app = make_app(LOGIN_RATE_LIMIT="3 per 15 minutes")
    client = app.test_client()
    sign_in(client, "kim@example.com", PASSWORD)
    enrol(app, clock, client)
    other = app.test_client()
    sign_in(other, "kim@example.com", PASSWORD)
    step = other.get("/admin/login/second-factor")
    statuses = [other.post("/admin/login/second-factor", data={"csrf_token": csrf_from(step), "code": "111111"})
                .status_code for _ in range(4)]
    assert statuses[:3] == [401, 401, 401] and statuses[3] == 429


def test_service_rejects_codes_outside_the_window(db, user, clock):
    row = db.get(User, user)
    secret = svc.new_secret()
    svc.enable(db, row, secret=secret, code=pyotp.TOTP(secret).at(clock()), now=clock())
    late = clock() + timedelta(seconds=95)
    with pytest.raises(svc.TwoFactorError):
        svc.verify(db, row, pyotp.TOTP(secret).at(clock() + timedelta(seconds=30)), now=late + timedelta(minutes=5))
    assert svc.verify(db, row, pyotp.TOTP(secret).at(late), now=late) == "totp"
    with pytest.raises(svc.TwoFactorError):
        svc.enable(db, row, secret=secret, code="000000", now=late)  # already enrolled


def test_an_administrator_resets_a_lost_second_factor(make_app, db, clock, user, make_user):
    app = make_app()
    client = app.test_client()
    sign_in(client, "kim@example.com", PASSWORD)
    enrol(app, clock, client)
    make_user("admin@example.com", Role.ADMIN, password=PASSWORD)
    db.commit()
    admin = app.test_client()
    sign_in(admin, "admin@example.com", PASSWORD)
    page = admin.get("/admin/users")
    assert 'data-two-factor="on"' in page.get_data(as_text=True)
    url = f"/admin/users/{user}/two-factor/reset"
    assert admin.post(url).status_code == 400  # no CSRF token
    assert admin.post(url, data={"csrf_token": csrf_from(page)}).status_code == 302
    db.expire_all()
    row = db.get(User, user)
    assert row.totp_enabled_at is None and row.recovery_codes is None
    assert client.get("/admin/").status_code == 302  # signed out everywhere
    # the password alone again
    assert sign_in(app.test_client(), "kim@example.com", PASSWORD).headers["Location"].endswith("/admin/")
    assert [e.action for e in db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reset_2fa"))]
