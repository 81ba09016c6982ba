"""Branding in headless Chromium: an administrator uploads a logo and sets colours on the
real page; a candidate's page at phone width shows the logo and the colours, with the CSP
unchanged (no violation), and a screenshot is kept."""
from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from portal.models import Role, User
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 20" width="80" height="20">'
        '<script>alert(1)</script><rect width="80" height="20" fill="#0b5394"/>'
        '<text x="4" y="15" fill="#fff">Byrån</text></svg>')


def test_branding_set_by_an_admin_shows_on_a_phone(browser, live_server, db, make_invitation, tmp_path):  # noqa: F811
    db.add(User(email="admin@example.com", name="Ada Admin", role=Role.ADMIN,
                password_hash=generate_password_hash(PASSWORD)))
    db.commit()
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    sign_in_page(page, live_server, "admin@example.com", PASSWORD)
    page.locator("nav a[href='/admin/branding']").click()
    page.fill("input[name=consultancy_name]", "Byrån & Co")
    page.fill("input[name=primary_color]", "#0b5394")
    page.fill("input[name=accent_color]", "#7a1f5c")
    page.set_input_files("input[name=logo]", str(logo))
    page.locator("form[data-branding] button[type=submit]").click()
    assert page.locator(".flash-success").count() == 1
    assert page.locator("img.brand-preview").evaluate("img => img.naturalWidth") > 0
    context.close()

    _, _, link = make_invitation(name="Bea Browser", email="bea@example.com")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE", is_mobile=True,
                                device_scale_factor=2)
    candidate = phone.new_page()
    violations = []
    candidate.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    candidate.goto(live_server + link)
    brand = candidate.locator("header.site .brand")
    assert brand.inner_text().strip() == "Byrån & Co"
    assert brand.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    button = candidate.locator("button.primary").first
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 83, 148)"
    assert brand.evaluate("b => getComputedStyle(b).color") == "rgb(122, 31, 92)"
    assert candidate.evaluate("document.documentElement.scrollWidth") <= 360
    shot = tmp_path / "branding-welcome-phone.png"
    candidate.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 5000
    assert violations == []
    phone.close()
