"""Leak monitoring in headless Chromium: an administrator finds the planted leaked item,
reads its charts, and retires it through the confirmation page (issue 17)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.models import BankVersion, Role, User
from test_analytics import _assignment
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)
from test_leak_monitoring import LEAKED, _simulate

pytestmark = pytest.mark.browser


def test_an_administrator_finds_a_leak_and_retires_the_item(browser, live_server, db):  # noqa: F811
    db.add(User(email="psykometriker@example.com", name="Petra Psykometriker", role=Role.ADMIN,
                password_hash=generate_password_hash("a long enough password")))
    db.commit()
    _simulate(db, _assignment(db, "Controller"), 300, leak_from=150)
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, live_server, "psykometriker@example.com", "a long enough password")
    page.get_by_role("link", name="Analytics", exact=True).click()
    page.get_by_role("link", name="Leak monitoring").click()
    assert page.locator("main").get_attribute("data-step") == "analytics-leaks"
    first = page.locator("table.leaks tbody tr").first
    assert first.get_attribute("data-item") == LEAKED and first.get_attribute("data-status") == "alarm"
    first.get_by_role("link", name=LEAKED).click()
    charts = page.locator("img.analytics-chart")
    assert charts.count() == 2
    for i in range(2):
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth") > 0
    page.get_by_role("link", name="Retire this item…").click()
    page.get_by_role("button", name=f"Retire item {LEAKED} in a new version").click()
    assert "Give a reason" in page.locator("main").inner_text()  # nothing stored without a reason
    page.get_by_label("Reason").fill("The key was posted on a forum.")
    page.get_by_label("I want a new bank version").check()
    page.get_by_role("button", name=f"Retire item {LEAKED} in a new version").click()
    assert page.locator("main").get_attribute("data-step") == "analytics-leak-item"
    assert "which is not active yet" in page.get_by_role("status").first.inner_text()
    context.close()
    row = db.scalar(sa.select(BankVersion).where(BankVersion.source == "retired"))
    assert LEAKED not in {i["id"] for i in json.loads(row.document)["items"]}
