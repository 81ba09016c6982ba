"""A consultant's and a client's working day in Chromium at phone width (issue 18): the
start page's overview leads to the place to act, and the candidate's reply reaches the
client as a dated addendum to the released report. Screenshots are kept as test
artifacts (``artifacts`` fixture)."""
from __future__ import annotations

import pytest

from conftest import PASSWORD, sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)
from test_overview import _world
from test_reports import assessed, release  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "device_scale_factor": 2, "locale": "sv-SE"}


def fits(page) -> bool:
    """Nothing overflows sideways at phone width."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_start_page_overview_leads_to_the_place_to_act(browser, live_server, app, db, clock,  # noqa: F811
                                                          make_assignment, make_invitation, artifacts, make_user):
    ids = _world(app, db, clock, make_assignment, make_invitation, make_user)
    page = browser.new_context(**PHONE).new_page()
    sign_in_page(page, live_server, "konsult@example.com", PASSWORD)
    overview = page.locator("[data-overview]")
    assert overview.get_by_role("heading", name="Väntar på dig").is_visible()
    assert "1 kandidat efter sista dagen" in overview.inner_text()
    page.screenshot(path=str(artifacts / "start-page-phone.png"), full_page=True)
    assert fits(page)

    # The unanswered reply: to the reports page, mark it answered, and it leaves the list.
    overview.locator('[data-lines="reply"]').get_by_role("link", name="Svarade Svensson").click()
    assert page.url.endswith(f"/admin/candidates/{ids['replied']}/reports")
    page.get_by_role("button", name="Markera som besvarat").click()
    assert page.locator("[data-reply-answered]").is_visible()
    page.goto(live_server + "/admin/")
    assert page.locator('[data-lines="reply"]').count() == 0

    # The finalist nobody rated: straight to the rating form.
    page.locator('[data-lines="ratings"]').get_by_role("link", name="Orated Finalist").click()
    assert page.url.endswith(f"/admin/candidates/{ids['unrated']}/ratings")

    client = browser.new_context(**PHONE).new_page()
    sign_in_page(client, live_server, "kund@example.com", PASSWORD)
    assert client.locator('[data-lines="first_opinion"]').get_by_role("link", name="Orated Finalist").is_visible()
    client.screenshot(path=str(artifacts / "client-start-page-phone.png"), full_page=True)
    assert fits(client)


def test_the_candidates_reply_reaches_the_client_with_the_report(browser, live_server, app, db,  # noqa: F811
                                                                 assessed, artifacts, login_as):  # noqa: F811
    cid = assessed["candidate"]
    consultant = login_as("consultant", check=False)
    release(consultant, cid, "candidate")
    release(consultant, cid, "client")

    # The candidate reads their report on the phone and replies.
    candidate = browser.new_context(**PHONE).new_page()
    candidate.goto(live_server + assessed["link"])
    candidate.goto(live_server + "/test/done")
    assert "bifogat som en bilaga" in candidate.locator("#comment").inner_text()
    candidate.get_by_label("Din kommentar").fill("Jag vill tillägga att jag har lett två upphandlingar sedan dess.")
    candidate.get_by_role("button", name="Skicka kommentar").click()
    candidate.screenshot(path=str(artifacts / "candidate-reply-phone.png"), full_page=True)

    # The client reads the released report with the reply attached, and downloads both.
    client = browser.new_context(accept_downloads=True, **PHONE).new_page()
    sign_in_page(client, live_server, "client@example.com", PASSWORD)
    client.goto(live_server + f"/admin/client/assignments/{assessed['assignment']}")
    reply_link = client.locator("[data-reply]")
    assert "Kandidatens svar från" in reply_link.inner_text()
    with client.expect_download() as download:
        reply_link.click()
    assert download.value.suggested_filename == f"kundrapport-{cid}-v1-svar.pdf"
    client.get_by_role("link", name="Läs rapporten").click()
    addendum = client.locator("[data-reply-addendum]")
    assert addendum.get_by_role("heading", name="Bilaga: kandidatens svar").is_visible()
    assert "lett två upphandlingar" in addendum.inner_text()
    addendum.scroll_into_view_if_needed()
    client.screenshot(path=str(artifacts / "client-report-with-reply-phone.png"), full_page=True)
