"""Template helpers shared by the candidate and admin pages."""
from __future__ import annotations

import base64

from flask import Flask

from .charts import percentile_band_svg

OPTION_LETTERS = "ABCDEFGH"


def svg_data_uri(markup: str) -> str:
    """An SVG as an ``<img>`` source. As an image, an SVG cannot run script, and the
    page's CSP (img-src 'self' data:) needs no exception for inline markup."""
    return "data:image/svg+xml;base64," + base64.b64encode(markup.encode("utf-8")).decode("ascii")


def format_date_local(value) -> str:
    from flask_babel import format_date

    return format_date(value, "short") if value else ""


def format_datetime_local(value) -> str:
    """In the configured time zone (Europe/Stockholm by default)."""
    from flask_babel import format_datetime

    return format_datetime(value, "short") if value else ""


def scale_label(scale: str) -> str:
    """A test scale's name in the current language (``portal.labels.scale_name``)."""
    from .i18n import current_language
    from .labels import scale_name

    return scale_name(scale, current_language())


def rtext(path: str, **values) -> str:
    """A text of ``portal/data/report_texts.json`` by path (``consultant/question``) in
    the current language, with ``%(name)s`` placeholders filled from ``values``."""
    from . import report_texts as rt
    from .i18n import current_language

    entry = rt.load_texts()
    for key in path.split("/"):
        entry = entry[key]
    text = rt.text(entry, current_language())
    return text % values if values else text


def init_app(app: Flask) -> None:
    from . import labels

    app.add_template_filter(scale_label)
    app.add_template_global(rtext)
    app.add_template_global(labels, "labels")
    app.add_template_global(percentile_band_svg)
    app.add_template_filter(svg_data_uri)
    app.add_template_filter(format_date_local)
    app.add_template_filter(format_datetime_local)
    app.add_template_global(OPTION_LETTERS, "OPTION_LETTERS")
