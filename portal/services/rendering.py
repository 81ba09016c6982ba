"""What a service that writes texts (e-mails, reports) needs from the web layer.

Services import no Flask. The app's Jinja templates, its Flask-Babel translations and
its settings come in as a :class:`Renderer`, passed by the caller: ``portal.web.renderer``
is the app's, and a test may pass its own.
"""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol


class Renderer(Protocol):
    #: The app's settings (``LANGUAGES``, ``BABEL_DEFAULT_LOCALE``, branding defaults).
    config: Mapping

    def language(self, lang: str) -> AbstractContextManager:
        """Within the block, translations and dates are in ``lang``."""

    def template(self, name: str, /, **context) -> str:
        """A Jinja template of the app, rendered with ``context``."""

    def gettext(self, message: str, /, **params) -> str:
        """``message`` translated into the current language, ``%(name)s`` filled."""

    def format_date(self, value: datetime, format: str) -> str:
        """A date in the current language and the app's time zone."""

    def format_time(self, value: datetime, format: str) -> str:
        """A time of day in the current language and the app's time zone."""

    def static_url(self, filename: str) -> str:
        """The address of one of the app's static files."""
