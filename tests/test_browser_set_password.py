"""The set-password link in Chromium: an administrator creates a user, reads the e-mail in
the development outbox, and the new user opens the link, is refused a weak password with
the reason, chooses a strong one and signs in."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal import passwords
from portal.models import OutboxMessage, Role, User
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
ADMIN_PASSWORD = "tre ord som inte hör ihop"
NEW_PASSWORD = "blåbär cykel trappa moln"


def step(page) -> str:
    return page.locator("main").get_attribute("data-step")


def test_a_new_user_chooses_a_password_through_the_link(browser, live_server, db, artifacts):  # noqa: F811
    db.add(User(email="admin@example.com", name="Ada Admin", role=Role.ADMIN,
                password_hash=passwords.hash_password(ADMIN_PASSWORD)))
    db.commit()

    admin = browser.new_context(locale="sv-SE").new_page()
    sign_in_page(admin, live_server, "admin@example.com", ADMIN_PASSWORD)
    assert step(admin) == "dashboard"
    admin.get_by_role("link", name="Användare").click()
    assert step(admin) == "users"
    assert admin.locator("input[type=password]").count() == 0  # nobody types a password for someone else
    admin.get_by_label("E-post", exact=True).fill("nils.ny@example.com")
    admin.get_by_label("Namn").fill("Nils Ny")
    admin.get_by_role("button", name="Skapa användare").click()
    assert step(admin) == "users"
    row = admin.locator("tr", has_text="nils.ny@example.com")
    assert row.locator("[data-link=invited]").count() == 1

    # Without SMTP the e-mail waits in the development outbox, where the administrator reads it.
    admin.get_by_role("link", name="Utkorg").click()
    assert step(admin) == "outbox"
    admin.locator("tr[data-message]", has_text="nils.ny@example.com").locator("a").click()
    assert step(admin) == "outbox-message"
    body = admin.locator("pre.mail").inner_text()
    link = re.search(r"http://localhost(/account/set-password/\S+)", body).group(1)

    # The new user, in a browser of their own, on a phone.
    context = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 740}, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(live_server + link)
    assert step(page) == "set-password"
    assert page.url == live_server + "/account/set-password"  # no token in the address bar
    assert "nils.ny@example.com" in page.locator("main").inner_text()
    page.get_by_label("Nytt lösenord", exact=True).fill("Password123456")
    page.locator("#confirm").fill("Password123456")
    page.locator("main button.primary").click()
    assert step(page) == "set-password"
    error = page.locator("#password-error")
    assert error.is_visible() and "30 000 vanligaste" in error.inner_text()
    assert page.get_by_label("Nytt lösenord", exact=True).get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(artifacts / "set-password-refused-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Nytt lösenord", exact=True).fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("main button.primary").click()
    assert step(page) == "login"
    assert page.locator(".flash-success").count() == 1

    sign_in_page(page, live_server, "nils.ny@example.com", NEW_PASSWORD)
    assert step(page) == "dashboard"
    stored = db.scalar(sa.select(User).where(User.email == "nils.ny@example.com"))
    db.refresh(stored)
    assert stored.set_password_nonce is None and passwords.verify(stored.password_hash, NEW_PASSWORD)

    # The link is spent.
    page.goto(live_server + link)
    assert step(page) == "set-password-used"
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    context.close()
    admin.context.close()
