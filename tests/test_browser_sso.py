"""Single sign-on in Chromium: the login page's button takes the browser to the test
provider (127.0.0.1, another port) and back, through the portal's own second factor."""
from __future__ import annotations

import threading

import pyotp
import pytest
from werkzeug.serving import make_server

from portal import passwords
from portal.models import Role, User
from test_browser import browser  # noqa: F401  (fixture)
from test_sso import idp, sso_config  # noqa: F401  (fixture, settings)

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_server(make_app, idp):  # noqa: F811
    """A live server whose BASE_URL (and so its redirect address) is its own address."""
    idp.reset()
    app = make_app(**sso_config(idp))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    idp.redirect_uris.append(url + "/admin/sso/test/callback")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(5)
    idp.redirect_uris.remove(url + "/admin/sso/test/callback")


def step(page) -> str:
    return page.locator("main").get_attribute("data-step")


def test_sign_in_with_the_provider_then_the_second_factor(browser, sso_server, idp, db, clock):  # noqa: F811
    secret = pyotp.random_base32()
    db.add(User(email="anna@konsult.example", name="Anna", role=Role.CONSULTANT,
                password_hash=passwords.unusable(), totp_secret=secret, totp_enabled_at=clock(),
                recovery_codes=[]))
    db.commit()
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(sso_server + "/admin/login")
    page.get_by_role("button", name="Logga in med Testkonto").click()
    # to the provider and back (the sign-in button's POST may redirect there: CSP form-action)
    assert step(page) == "second-factor", page.content()[:2000]
    assert idp.token_requests and idp.token_requests[-1]["code_verifier"]
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(clock()))
    page.get_by_role("button", name="Logga in").click()
    assert step(page) == "dashboard"

    # a refused sign-in, in the same browser after logging out: the page says why
    page.get_by_role("button", name="Logga ut").click()
    idp.user.update(sub="someone-else", email="ny@annat.example")
    page.goto(sso_server + "/admin/login")
    page.get_by_role("button", name="Logga in med Testkonto").click()
    assert step(page) == "sso-refused"
    assert page.get_by_role("heading", name="Inloggningen nekades").is_visible()
    assert "ingen regel" in page.content()
    context.close()
