"""Two-factor sign-in pages: the second step of the login and the enrolment page.

The password step (``admin.auth.login``) does not sign a user with two-factor sign-in in;
it remembers who passed it (user id and session version, for five minutes) and sends
them here. Administrators must enrol (``REQUIRE_ADMIN_2FA``, on by default): until they
have, every admin page sends them to the enrolment page. Consultants and client users
may enrol from the same page ("Two-factor sign-in" in the menu).
"""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from portal import resources as res
from portal.db import get_session, keep_on_refusal
from portal.extensions import limiter
from portal.models import Role, User
from portal.services import audit
from portal.services import two_factor as svc

from .auth import PENDING_KEY, PENDING_SECONDS, home_for
from .blueprint import bp
from .forms import CodeForm

ENROL_KEY = "2fa_secret"
#: Pages an administrator without a second factor may still open.
OPEN_ENDPOINTS = {"admin.two_factor", "admin.logout", "admin.login", "admin.second_factor", "admin.language",
                  "static"}




def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_session().get(User, pending.get("id"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user


def _failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


@bp.route("/login/second-factor", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed)
def second_factor():
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Sign in again: the first step has expired."), "info")
        return redirect(url_for("admin.login"))
    form = CodeForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            kind = svc.verify(db, user, form.code.data, now=res.now())
        except svc.TwoFactorError:
            audit.record(db, user_id=None, action="login_failed", object_type="user", detail={"step": "2fa"},
                         now=res.now())
            keep_on_refusal()  # the failed attempt is recorded, nothing else
            form.code.errors.append(_("The code is wrong, expired or already used."))
            return render_template("admin/second_factor.html", form=form), 401
        first_step = (session.pop(PENDING_KEY, None) or {}).get("detail") or {}
        session.pop("candidate", None)
        login_user(user)
        audit.record(db, user_id=user.id, action="login", object_type="user", object_id=user.id,
                     detail={**first_step, "second_factor": kind}, now=res.now())
        if kind == "recovery":
            flash(_("You signed in with a recovery code; %(n)s remain.", n=len(user.recovery_codes or [])), "warning")
        return redirect(home_for(user))
    return render_template("admin/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    user = current_user
    if user.totp_enabled_at is not None:
        return render_template("admin/two_factor.html", enrolled=True, codes=None, form=None)
    secret = session.get(ENROL_KEY) or svc.new_secret()
    session[ENROL_KEY] = secret
    uri = svc.provisioning_uri(secret, user.email)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = svc.enable(get_session(), user, secret=secret, code=form.code.data, now=res.now())
        except svc.TwoFactorError:
            form.code.errors.append(_("The code does not match. Check the time on your phone and try again."))
            status = 400
        else:
            session.pop(ENROL_KEY, None)
            flash(_("Two-factor sign-in is on."), "success")
            return render_template("admin/two_factor.html", enrolled=True, codes=codes, form=None)
    elif form.errors:
        status = 400
    return render_template("admin/two_factor.html", enrolled=False, codes=None, form=form, secret=secret,
                           qr=svc.qr_svg(uri)), status


@bp.before_app_request
def admins_must_enrol():
    """An administrator without a second factor can open nothing but the enrolment page."""
    if not current_app.config.get("REQUIRE_ADMIN_2FA", True) or request.endpoint in OPEN_ENDPOINTS:
        return None
    if not (request.endpoint or "").startswith("admin."):
        return None
    if current_user.is_authenticated and current_user.role is Role.ADMIN and current_user.totp_enabled_at is None:
        flash(_("Administrators must use two-factor sign-in. Set it up to continue."), "info")
        return redirect(url_for("admin.two_factor"))
    return None
