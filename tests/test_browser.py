"""A candidate takes the whole battery in headless Chromium against a live server,
closes the page mid-test and resumes; plus a phone-width screenshot."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from item_banks import adaptive

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.browser

# the engine's longest test, as the progress text shows it
MAX_ITEMS = adaptive.APP_SETTINGS.max_items


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def chromium():
    """Headless Chromium (the system browser), as a generator for the ``browser`` fixtures;
    skips the test when there is none (fails in CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run must install it")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def browser():
    yield from chromium()


def step(page) -> str:
    return page.locator("main").get_attribute("data-step")


def do_practice(page):
    """Answer the practice items (the first option each time), reading each feedback."""
    while step(page) == "practice":
        if page.locator("[data-feedback]").count():
            page.locator("a.button.primary").click()
        else:
            page.locator("input[name=option]").first.check()
            page.get_by_role("button", name="Svara").click()


def answer_current_item(page):
    page.locator("input[name=option]").first.check()
    page.get_by_role("button", name="Nästa").click()


def test_candidate_journey_in_chromium(browser, live_server, make_invitation, tmp_path):
    _, _, link = make_invitation(name="Bea Browser", email="bea@example.com")
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(live_server + link)
    assert step(page) == "welcome"
    assert page.url == live_server + "/test/welcome"  # no token in the address bar
    assert page.locator("html").get_attribute("lang") == "sv"
    # Clicking Start without consent keeps us here with a message.
    page.get_by_role("button", name="Starta").click()
    assert step(page) == "welcome"
    assert page.locator(".error").is_visible()
    page.get_by_label("Jag har läst informationen").check()
    page.get_by_role("button", name="Starta").click()
    assert step(page) == "instructions"
    page.get_by_role("button", name="Till övningsuppgifterna").click()
    do_practice(page)
    assert step(page) == "ready"
    page.get_by_role("button", name="Starta testet").click()
    assert step(page) == "item"
    # the countdown runs in the browser (JavaScript enhancement)
    first = page.locator("#timer .clock").inner_text()
    page.wait_for_timeout(2100)
    assert page.locator("#timer .clock").inner_text() != first
    for _ in range(3):
        answer_current_item(page)
    assert f"Fråga 4 (högst {MAX_ITEMS})" in page.locator(".progress-text").inner_text()

    # Phone-width screenshot of an item page.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, locale="sv-SE",
                                is_mobile=True, device_scale_factor=2)
    phone_page = phone.new_page()
    phone_page.goto(live_server + link)
    assert step(phone_page) == "item"
    shot = tmp_path / "item-phone.png"
    phone_page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    # Nothing overflows horizontally at phone width.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()

    # Close the browser mid-test; a fresh one resumes at the same question.
    context.close()
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(live_server + link)
    assert step(page) == "item"
    assert f"Fråga 4 (högst {MAX_ITEMS})" in page.locator(".progress-text").inner_text()
    while step(page) == "item":
        answer_current_item(page)
    assert step(page) == "inventory"
    while step(page) == "inventory":
        for fieldset in page.locator("fieldset.statement").all():
            fieldset.locator("input[type=radio]").nth(3).check()
        page.locator("button.primary").click()
    assert step(page) == "done"
    page.get_by_label("4").check()
    page.get_by_role("button", name="Skicka").click()
    assert re.search("Tack för ditt svar", page.content())
    context.close()
