"""A consultant creates an assignment with a requirement profile and invites a candidate,
in headless Chromium against a live server."""
from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from portal.models import Role, User
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_consultant_sets_up_an_assignment_and_invites(browser, live_server, db):  # noqa: F811
    db.add(User(email="konsult@example.com", name="Karin Konsult", role=Role.CONSULTANT,
                password_hash=generate_password_hash("ett långt lösenord")))
    db.commit()
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    sign_in_page(page, live_server, "konsult@example.com", "ett långt lösenord")
    assert page.locator("main").get_attribute("data-step") == "dashboard"

    page.get_by_role("link", name="Nytt uppdrag").first.click()
    page.get_by_label("…eller en ny kund").fill("Ångström Teknik AB")
    page.get_by_label("Rollens titel").fill("Utvecklingschef")
    page.get_by_role("button", name="Skapa uppdrag").click()
    assert page.locator("main").get_attribute("data-step") == "assignment"
    assert "Utvecklingschef" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Kravprofil").click()
    page.get_by_role("button", name="Utgå från mallen").click()  # the first template: manager
    assert "Kravprofil version 1" in page.content()
    page.get_by_role("button", name=re.compile("Spara")).click()
    assert "Kravprofil version 1 sparades" in page.content()

    page.go_back()
    page.goto(page.url.rsplit("/profile", 1)[0])
    page.get_by_role("link", name="Lägg till kandidat").click()
    page.get_by_label("Namn", exact=True).fill("Åsa Öberg")
    page.get_by_label("E-post", exact=True).fill("asa@example.com")
    page.get_by_role("button", name="Lägg till kandidat").click()
    text = page.content()
    assert "Kandidaten lades till" in text
    assert "utvecklingsutkorgen" in text  # no SMTP in tests: the e-mail waits in the outbox
    link = page.locator("input[readonly]").first.input_value()
    assert re.match(re.escape(live_server) + r"/i/|http://localhost/i/", link)

    page.get_by_role("link", name="Utkorg").click()
    assert "asa@example.com" in page.content()
    context.close()
