"""Integrity signals in headless Chromium (issue 17): the page script reports that the test
page was hidden and for how long, the test goes on as before, and the consultant's results
page shows it."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.models import IntegritySignal, Role, User
from conftest import sign_in_page
from test_browser import answer_current_item, browser, do_practice, live_server, step  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PASSWORD = "ett långt lösenord"

#: The page goes hidden (another tab or app in front) and comes back: what a tab switch
#: does to the page, without depending on how a headless browser schedules its tabs.
SET_VISIBILITY = """state => {
  Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
  Object.defineProperty(document, "hidden", {value: state === "hidden", configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def wait_for_row(db, attempt_filter, check, timeout=10.0):
    """Beacons arrive asynchronously: poll the database until ``check(row)`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        db.rollback()
        row = db.scalar(sa.select(IntegritySignal).where(attempt_filter))
        if row is not None and check(row):
            return row
        if time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_hiding_the_test_page_is_recorded_and_shown_to_the_consultant(  # noqa: F811
        browser, live_server, db, make_assignment, make_invitation):
    consultant = User(email="konsult@example.com", name="Karin Konsult", role=Role.CONSULTANT,
                      password_hash=generate_password_hash(PASSWORD))
    db.add(consultant)
    db.commit()
    aid = make_assignment(staff=[consultant.id])
    cid, _, link = make_invitation(aid, name="Hanna Hidden", email="hanna@example.com")

    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(live_server + link)
    page.get_by_label("Jag har läst informationen").check()
    page.get_by_role("button", name="Starta").click()
    page.get_by_role("button", name="Till övningsuppgifterna").click()
    do_practice(page)
    page.get_by_role("button", name="Starta testet").click()
    assert step(page) == "item"
    attempt_id = int(page.locator("script[data-signal-url]").get_attribute("data-attempt"))
    answer_current_item(page)
    assert step(page) == "item"

    page.evaluate(SET_VISIBILITY, "hidden")
    page.wait_for_timeout(1600)
    page.evaluate(SET_VISIBILITY, "visible")
    row = wait_for_row(db, IntegritySignal.attempt_id == attempt_id, lambda r: r.away_seconds >= 1)
    assert row is not None, "no beacon arrived"
    assert (row.away_count, row.hidden_count) == (1, 1) and 1 <= row.away_seconds <= 5
    # Another window in front (the page stays visible, the window loses focus): away, not hidden.
    page.evaluate("() => window.dispatchEvent(new Event('blur'))")
    page.wait_for_timeout(1100)
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    row = wait_for_row(db, IntegritySignal.attempt_id == attempt_id, lambda r: r.away_count == 2 and r.beacons >= 6)
    assert (row.away_count, row.hidden_count) == (2, 1) and 2 <= row.away_seconds <= 7
    # Answering (the page unloads, so it is hidden too) is not leaving the test.
    for _ in range(2):
        answer_current_item(page)
    assert step(page) == "item"
    page.wait_for_timeout(300)
    row = wait_for_row(db, IntegritySignal.attempt_id == attempt_id, lambda r: True)
    assert row.away_count == 2
    context.close()

    staff = browser.new_context(locale="en-GB")
    admin = staff.new_page()
    sign_in_page(admin, live_server, "konsult@example.com", PASSWORD)
    admin.goto(f"{live_server}/admin/candidates/{cid}")
    section = admin.locator("section[data-integrity]")
    assert "Integrity signals — information only" in section.locator("h2").inner_text()
    away = section.locator("[data-signals=logic] [data-away]")
    assert away.get_attribute("data-away") == "2"
    assert "2 times" in away.inner_text() and "1 of them with the page hidden" in away.inner_text()
    assert "honest explanations" in section.inner_text()
    staff.close()
