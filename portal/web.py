"""The web side of the services' output: the app's :class:`~portal.services.rendering.Renderer`
(Jinja templates, Flask-Babel, settings) and the responses that serve what services made.
Services import no Flask; views pass them ``renderer``."""
from __future__ import annotations

from flask import Response, current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, format_date, format_time, gettext

from .services import reports


class AppRenderer:
    """The current app's templates, translations and settings (one instance serves every
    app: each call looks up the app it runs in)."""

    @property
    def config(self):
        return current_app.config

    def language(self, lang: str):
        return force_locale(lang)

    def template(self, name: str, /, **context) -> str:
        return render_template(name, **context)

    def gettext(self, message: str, /, **params) -> str:
        return gettext(message, **params)

    def format_date(self, value, format: str) -> str:
        return format_date(value, format=format)

    def format_time(self, value, format: str) -> str:
        return format_time(value, format=format)

    def static_url(self, filename: str) -> str:
        # A PDF rendered outside a request (the CLI, a worker) gets the plain path.
        return url_for("static", filename=filename) if has_request_context() else f"/static/{filename}"


renderer = AppRenderer()


def report_page(report, **kwargs) -> Response:
    """A released report as a page (``services.reports.served_html``), never cached."""
    response = Response(reports.served_html(report, renderer=renderer, **kwargs), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
