"""Headers, CSRF, cookies, error pages, health check."""
from __future__ import annotations

from conftest import TEST_CONFIG, step_of
from helpers import Candidate


def test_security_headers(client):
    response = client.get("/admin/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_script_in_pages(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    assert "<script>" not in c.html and "onclick" not in c.html
    assert '<script src="/static/countdown.js"' in c.html


def test_post_without_csrf_is_refused_with_friendly_page(client, make_invitation):
    _, _, link = make_invitation()
    client.get(link)
    response = client.post("/test/welcome", data={"consent": "y"})
    assert response.status_code == 400
    assert step_of(response) == "error"
    assert "Traceback" not in response.get_data(as_text=True)


def test_production_cookies_are_secure_and_httponly(make_app, make_invitation):
    app = make_app(SESSION_COOKIE_SECURE=True)
    _, _, link = make_invitation()
    response = app.test_client().get(link)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_lifetime_survives_a_long_test(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 4 * 3600


def test_unexpected_error_shows_no_stack_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert step_of(response) == "error"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_healthz_503_when_database_unreachable(tmp_path):
    from portal import create_app

    app = create_app({**TEST_CONFIG,
                      "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
