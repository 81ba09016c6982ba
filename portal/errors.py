"""Friendly error pages, never a stack trace."""
import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import RETRY_AFTER_SECONDS, DatabaseUnavailable, get_session


def _api() -> bool:
    """Requests for the API get problem documents (``portal.api.problems``), not pages."""
    return request.path == "/api" or request.path.startswith("/api/")


def _problem(exc):
    from .api.problems import from_exception

    return from_exception(exc)


def _database_unavailable(exc):
    if _api():
        try:
            get_session().rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone; nothing to keep
            pass
        return _problem(exc)
    try:
        get_session().rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; nothing to keep
        pass
    resend = None
    if request.method == "POST" and request.endpoint == "candidate.item":
        # Nothing was saved: offer to send the same choice again, one click.
        from .candidate.forms import answer_to_resend

        resend = answer_to_resend(request.form)
    html = render_template("unavailable.html", resend=resend, action=request.path)
    return html, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    app.register_error_handler(DatabaseUnavailable, _database_unavailable)
    app.register_error_handler(sa.exc.OperationalError, _database_unavailable)
    app.register_error_handler(sa.exc.InterfaceError, _database_unavailable)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        if _api():
            return _problem(exc)
        return render_template(
            "error.html",
            code=400,
            title=_("The form has expired"),
            message=_("For your security the form could not be accepted. Go back, reload the page and try again. Nothing you saved earlier is lost."),
        ), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if _api():
            return _problem(exc)
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            403: (_("Not allowed"), _("You do not have access to this page.")),
            404: (_("Page not found"), _("The page does not exist or is no longer available.")),
            405: (_("Not allowed"), _("That action is not possible here.")),
            413: (_("Too large"), _("What you sent is too large.")),
            429: (_("Too many attempts"), _("Too many attempts in a short time. Wait a few minutes and try again.")),
        }
        title, message = messages.get(exc.code, (_("Something went wrong"), _("Please try again later.")))
        return render_template("error.html", code=exc.code, title=title, message=message), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if _api():
            return _problem(exc)
        app.logger.exception("unhandled error")
        return render_template(
            "error.html",
            code=500,
            title=_("Something went wrong"),
            message=_("An unexpected error occurred. Nothing you saved earlier is lost. Please try again in a moment."),
        ), 500
