"""Items as a candidate sees them, in headless Chromium at phone and desktop width.

Screenshots go to ``$ITEM_SCREENSHOT_DIR`` (default: pytest's tmp dir) for people to
look at; the assertions check what makes an item unreadable: horizontal overflow,
figures or answer images shrunk too small, tiny text.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import render_template

from item_banks import load_logic_bank
from test_browser import chromium

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 360, "desktop": 1280}


def samples():
    bank = load_logic_bank()
    chosen = list(bank.practice)
    for item_type in bank.types:
        of_type = sorted((i for i in bank.items if i.type == item_type), key=lambda i: i.irt["b"])
        chosen += [of_type[0], of_type[-1]]  # easiest and hardest
    return chosen


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Only templates are rendered here: no database is touched."""
    from conftest import TEST_CONFIG
    from portal import create_app

    db = tmp_path_factory.mktemp("unused") / "unused.sqlite3"
    return create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{db}"})


def test_every_item_type_is_readable_at_phone_and_desktop_width(app, browser, tmp_path):
    out = Path(os.environ.get("ITEM_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    css = (Path(app.static_folder) / "site.css").read_text(encoding="utf-8")
    pages = []
    for lang in ("sv", "en"):
        for item in samples():
            with app.test_request_context(headers={"Accept-Language": lang}):
                html = render_template("candidate/item_review.html", item=item, lang=lang, css=css,
                                       options=[(str(i), i) for i in range(len(item.options))])
            path = tmp_path / f"{item.id}-{lang}.html"
            path.write_text(html, encoding="utf-8")
            pages.append((item, lang, path))
    for name, width in WIDTHS.items():
        page = browser.new_page(viewport={"width": width, "height": 800})
        for item, lang, path in pages:
            page.goto(path.as_uri())
            where = f"{item.id} ({lang}, {width}px)"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where} overflows"
            font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.stem')).fontSize)")
            assert font >= 16, f"{where}: stem text {font}px"
            if item.figure:
                figure_w = page.evaluate("document.querySelector('img.figure').getBoundingClientRect().width")
                assert figure_w >= min(300, width - 60), f"{where}: matrix only {figure_w}px wide"
                option_w = page.evaluate(
                    "Math.min(...[...document.querySelectorAll('.figure-options img')]"
                    ".map(i => i.getBoundingClientRect().width))")
                assert option_w >= 60, f"{where}: answer figures only {option_w}px wide"
                loaded = page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                assert loaded, f"{where}: an SVG did not render"
            page.screenshot(path=str(out / f"{name}-{item.id}-{lang}.png"), full_page=True)
        page.close()
