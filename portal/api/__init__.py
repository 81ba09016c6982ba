"""The REST API, ``/api/v1``: JSON for integrations such as an applicant tracking system.

Every request (but the public description and reference page) is authenticated by an API
key sent as ``Authorization: Bearer <key>`` (``portal.services.api_keys``), limited per
key (``API_RATE_LIMIT``), checked for the route's scope, and audit-logged with the key's
id and name, the method, the path and the status, never the key. There is no session and
no CSRF token: nothing here reads or sets a cookie. Objects outside the key's client
organisation are 404, by the same scopes as the web pages (``services.access``). Errors
are ``application/problem+json`` (``problems``); the description is ``spec.build_spec``.
"""
from __future__ import annotations

from flask import Flask

from . import auth, views  # noqa: F401 - importing views adds its routes to bp
from .blueprint import bp


def init_app(app: Flask) -> None:
    """Register the blueprint, exempt it from CSRF and hook its audit record (after the
    database's commit hook is registered, so it runs before the commit)."""
    from ..extensions import csrf
    from .problems import ApiProblem, from_exception

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_error_handler(ApiProblem, from_exception)
    app.after_request(auth.after_api_request)
