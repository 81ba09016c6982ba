"""The Analytics page in headless Chromium: the SVG charts render (screenshot)."""
from __future__ import annotations

import pytest
from PIL import Image
from werkzeug.security import generate_password_hash

from item_banks import load_logic_bank
from portal.models import Role, User
from test_analytics import T0, _assignment, _candidate, _logic
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_analytics_charts_render(browser, live_server, db, tmp_path):  # noqa: F811
    db.add(User(email="psykometriker@example.com", name="Petra Psykometriker", role=Role.ADMIN,
                password_hash=generate_password_hash("ett långt lösenord")))
    db.commit()
    aid = _assignment(db, "Controller")
    bank = load_logic_bank()
    for k in range(12):
        _logic(db, _candidate(db, aid, k), answers=[(bank.items[j].id, (k + j) % 2 == 0, 20_000) for j in range(6)],
               theta=(k - 6) / 3, percentile=50.0, finished=T0)
    db.commit()
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, live_server, "psykometriker@example.com", "ett långt lösenord")
    page.get_by_role("link", name="Analys", exact=True).click()
    assert page.locator("main").get_attribute("data-step") == "analytics"
    charts = page.locator("img.analytics-chart")
    assert charts.count() == 2
    for i in range(2):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
        # Drawn on a canvas: the chart has ink, not just a white box.
        ink = chart.evaluate("""img => { const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight; const g = c.getContext('2d');
            g.drawImage(img, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let k = 0; k < d.length; k += 4) { if (d[k] < 128 && d[k + 3] > 0) n++; } return n; }""")
        assert ink > 200, ink
    shot = tmp_path / "analytics.png"
    page.locator("div.charts").screenshot(path=str(shot))
    assert shot.stat().st_size > 5000
    with Image.open(shot) as image:
        low, high = image.convert("L").getextrema()
    assert low < 64 and high > 200  # dark lines on a light background: not blank
    full = tmp_path / "analytics-full.png"
    page.screenshot(path=str(full), full_page=True)
    assert full.stat().st_size > 10000
    context.close()
