"""Friendly error pages, never a stack trace."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_template(
            "error.html",
            code=400,
            title=_("The form has expired"),
            message=_("For your security the form could not be accepted. Go back, reload the page and try again. Nothing you saved earlier is lost."),
        ), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
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
        app.logger.exception("unhandled error")
        return render_template(
            "error.html",
            code=500,
            title=_("Something went wrong"),
            message=_("An unexpected error occurred. Nothing you saved earlier is lost. Please try again in a moment."),
        ), 500
