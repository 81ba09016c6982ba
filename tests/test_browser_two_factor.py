"""Two-factor sign-in in Chromium: a consultant turns it on, signs out, and signs in with
the password and a code from the app (computed here, as an authenticator app would)."""
from __future__ import annotations

import pyotp
import pytest

from portal import passwords
from portal.models import Role, User
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
PASSWORD = "tre ord som inte hör ihop"


def step(page) -> str:
    return page.locator("main").get_attribute("data-step")


def test_consultant_turns_on_and_uses_two_factor_sign_in(browser, live_server, db, clock):  # noqa: F811
    db.add(User(email="tva@example.com", name="Tva Steg", role=Role.CONSULTANT,
                password_hash=passwords.hash_password(PASSWORD)))
    db.commit()
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()

    sign_in_page(page, live_server, "tva@example.com", PASSWORD)
    assert step(page) == "dashboard"
    page.get_by_role("link", name="Tvåstegsinloggning").click()
    assert step(page) == "two-factor"
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(clock()))
    page.get_by_role("button", name="Slå på tvåstegsinloggning").click()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10 and "visas bara nu" in page.content()
    page.get_by_role("button", name="Logga ut").click()

    clock.advance(minutes=1)
    sign_in_page(page, live_server, "tva@example.com", PASSWORD)
    assert step(page) == "second-factor"
    page.get_by_label("Kod").fill("000000")
    page.get_by_role("button", name="Logga in").click()
    assert "Koden är fel" in page.content() and step(page) == "second-factor"
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(clock()))
    page.get_by_role("button", name="Logga in").click()
    assert step(page) == "dashboard"
    context.close()
