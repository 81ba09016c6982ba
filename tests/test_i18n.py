"""Every user-facing string is in the Swedish and English catalogs, translated."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "portal" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def extracted_ids() -> set[str]:
    method_map = [
        ("portal/**.py", "python"), ("admin/**.py", "python"),
        ("portal/**/templates/**.html", "jinja2"), ("admin/**/templates/**.html", "jinja2"),
        ("portal/**/templates/**.txt", "jinja2"),
    ]
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, options_map={"**.html": {}}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


@pytest.fixture(scope="module")
def ids():
    found = extracted_ids()
    assert len(found) > 50, "extraction found too few strings"
    return found


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_catalog_is_complete(ids, lang):
    path = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=lang)
    problems = []
    for msgid in sorted(ids):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif (isinstance(message.string, tuple) and not all(message.string)) or not message.string:
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_swedish_catalog_is_really_swedish():
    path = CATALOGS / "sv" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale="sv")
    same = [m.id for m in catalog if m.id and m.string == m.id and len(str(m.id)) > 12]
    assert len(same) < 3, same


def test_compiled_catalogs_exist():
    for lang in ("sv", "en"):
        assert (CATALOGS / lang / "LC_MESSAGES" / "messages.mo").exists(), "run `make translations`"


def test_templates_follow_a_forced_locale_and_come_back(make_app):
    """Template texts are looked up once per request and language: an e-mail or report
    rendered in another language inside a request (``force_locale``) is in that language,
    and the page rendered after it is in the request's own again."""
    from flask import render_template_string
    from flask_babel import force_locale

    app = make_app()
    page = "{{ _('Next') }} | {{ _('Time left') }}"
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        before = render_template_string(page)
        with force_locale("en"):
            forced = render_template_string(page)
        after = render_template_string(page)
    assert forced == "Next | Time left"
    assert before == after != forced
    assert "Nästa" in before
