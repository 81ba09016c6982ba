"""The set-password link: a new user (or one an administrator sent a new link) chooses
their own password (``portal.services.set_password``).

``/account/set-password/<token>`` checks the link, keeps the user id and nonce in the
session and redirects to ``/account/set-password``, so the token leaves the address bar,
the history and any Referer at once (as a candidate's ``/i/<token>`` does). A link that
cannot be used gets a page that says why and what to do. Every response is ``no-store``.
The blueprint lies outside ``/admin``: the person holding the link is not signed in, and
an administrator who must still enrol a second factor does so after signing in.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from portal import passwords
from portal import resources as res
from portal.db import get_session
from portal.models import Role
from portal.services import audit
from portal.services import set_password as svc
from portal.services.tokens import TokenError, TokenExpired, TokenInvalid, TokenUsed
from portal.services.users import UserError

from .forms import PASSWORD_ERRORS, SetPasswordForm

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")

SESSION_KEY = "set_password"


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(exc: TokenError | None):
    if isinstance(exc, svc.LinkReplaced):
        kind, status = "replaced", 410
    elif isinstance(exc, TokenExpired):
        kind, status = "expired", 410
    elif isinstance(exc, TokenUsed):
        kind, status = "used", 410
    elif isinstance(exc, TokenInvalid):
        kind, status = "invalid", 404
    else:  # nothing in this browser's session
        kind, status = "session", 404
    return render_template("account/link_problem.html", kind=kind), status


@bp.get("/set-password/<token>")
def open_link(token: str):
    try:
        user, nonce = svc.open_link(get_session(), token, now=res.now(), settings=res.set_password_settings())
    except TokenError as exc:
        return _problem(exc)
    session[SESSION_KEY] = [user.id, nonce]
    return redirect(url_for(".set_password"))


@bp.route("/set-password", methods=["GET", "POST"])
def set_password():
    data = session.get(SESSION_KEY)
    if not (isinstance(data, list) and len(data) == 2):
        return _problem(None)
    db = get_session()
    user_id, nonce = data
    try:
        user = svc.user_for_link(db, user_id, nonce, now=res.now())
    except TokenError as exc:
        return _problem(exc)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            svc.set_password(db, user, nonce=nonce, password=form.password.data, now=res.now())
        except UserError as exc:
            form.password.errors.append(PASSWORD_ERRORS[exc.code])
            status = 400
        except TokenError as exc:
            return _problem(exc)
        else:
            session.pop(SESSION_KEY, None)
            audit.record(db, user_id=user.id, action="set_password", object_type="user", object_id=user.id,
                         detail={"via": "link"}, now=res.now())
            flash(_("Your password is saved. Sign in with your e-mail address and the new password."), "success")
            if user.role is Role.ADMIN and current_app.config.get("REQUIRE_ADMIN_2FA", True) \
                    and user.totp_enabled_at is None:
                flash(_("After signing in you will set up two-factor sign-in with an authenticator app."), "info")
            return redirect(url_for("admin.login"))
    elif form.errors:
        status = 400
    return render_template("account/set_password.html", form=form, email=user.email,
                           min_length=passwords.MIN_LENGTH), status
