"""Consultant login. Failed logins are rate limited per client address; logout
bumps the user's session version so every copy of the session cookie dies."""
from __future__ import annotations

import time
from functools import wraps

import sqlalchemy as sa
from flask import Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from portal import passwords
from portal import resources as res
from portal.db import get_session, keep_on_refusal
from portal.extensions import limiter, login_manager
from portal.models import Role, User
from portal.services import audit

from .blueprint import bp
from .forms import LoginForm

# A hash to compare against when the e-mail is unknown, so response time does
# not reveal which addresses have accounts.
_DUMMY_HASH = passwords.hash_password("not-a-real-password")
#: Where a user who passed the first step waits for the second factor
#: (``two_factor_views.second_factor``), and for how many seconds.
PENDING_KEY = "2fa_pending"
PENDING_SECONDS = 300


def init_login(app: Flask) -> None:
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    try:
        uid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = get_session().get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def staff_required(view):
    """Consultants and admins only; client users get 403, visitors the login page."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in (Role.ADMIN, Role.CONSULTANT):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role is not Role.ADMIN:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def assignment_or_404(assignment_id: int):
    """The assignment if the current user may see it; 404 otherwise (nothing leaks)."""
    from portal.services import access

    try:
        return access.visible_assignment(get_session(), current_user, assignment_id)
    except access.NotVisible:
        abort(404)


def candidate_or_404(candidate_id: int):
    from portal.services import access

    try:
        return access.visible_candidate(get_session(), current_user, candidate_id)
    except access.NotVisible:
        abort(404)


def home_for(user: User) -> str:
    return url_for("admin.client_home") if user.role is Role.CLIENT else url_for("admin.dashboard")


def start_second_step(user: User, detail: dict | None = None) -> None:
    """Called by the first step (password or single sign-on): remember who passed it, for a
    few minutes; ``detail`` (how) goes into the login's audit record."""
    session[PENDING_KEY] = {"id": user.id, "version": user.session_version, "at": int(time.time()),
                            "detail": detail or {}}


def complete_login(user: User, *, detail: dict | None = None, second_factor_done: bool = False):
    """After a first step (password, or single sign-on, ``admin.sso_views``): the second
    factor if the user has one, else the session. The one way into a signed-in session."""
    if user.totp_enabled_at is not None and not second_factor_done:
        start_second_step(user, detail=detail)
        return redirect(url_for("admin.second_factor"))
    session.pop("candidate", None)
    login_user(user)
    audit.record(get_session(), user_id=user.id, action="login", object_type="user",
                 object_id=user.id, detail=detail, now=res.now())
    return redirect(home_for(user))


def _login_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               deduct_when=_login_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = get_session().scalar(sa.select(User).where(User.email == email))
        ok = passwords.verify(user.password_hash if user else _DUMMY_HASH, form.password.data)
        if user is not None and ok and user.active:
            if passwords.needs_rehash(user.password_hash):  # an older scheme: argon2id from now on
                user.password_hash = passwords.hash_password(form.password.data)
            return complete_login(user)
        # No e-mail address in the log: it may be personal data of someone else. The
        # record is kept although the response refuses the sign-in.
        audit.record(get_session(), user_id=None, action="login_failed", object_type="user", now=res.now())
        keep_on_refusal()
        flash(_("Wrong e-mail or password."), "error")
        return render_template("admin/login.html", form=form), 401
    return render_template("admin/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    current_user.session_version += 1
    audit.record(get_session(), user_id=current_user.id, action="logout", object_type="user",
                 object_id=current_user.id, now=res.now())
    logout_user()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("admin.login"))
