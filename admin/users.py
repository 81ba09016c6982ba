"""User management (admins) and the audit log.

An administrator never types a password for someone else: a new user, and a user who
forgot theirs, gets an e-mailed set-password link (``portal.services.set_password``,
``admin.account``)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import resources as res
from portal.db import get_session
from portal.labels import ROLES
from portal.models import Client, Role, User
from portal.services import audit
from portal.services import set_password as links
from portal.services.users import UserError, create_user, set_active
from portal.web import renderer

from .blueprint import bp
from .auth import admin_required
from .forms import CsrfForm, NameForm, UserActiveForm, UserForm

USER_ERRORS = {
    "invalid_email": _l("Enter a valid e-mail address."),
    "client_required": _l("Choose the client organisation of a client user."),
    "client_not_allowed": _l("Only client users belong to a client organisation."),
    "exists": _l("There is already a user with this e-mail address."),
}
ERROR_FIELD = {"invalid_email": "email", "client_required": "client_id", "client_not_allowed": "client_id",
               "exists": "email"}


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    db = get_session()
    form = UserForm()
    clients = db.scalars(sa.select(Client).order_by(Client.name)).all()
    form.client_id.choices = [""] + [str(c.id) for c in clients]
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(db, email=form.email.data, role=Role(form.role.data), name=form.name.data or "",
                               client_id=int(form.client_id.data) if form.client_id.data else None)
        except UserError as exc:
            getattr(form, ERROR_FIELD[exc.code]).errors.append(USER_ERRORS[exc.code])
            status = 400
        else:
            audit.record(db, user_id=current_user.id, action="create", object_type="user",
                         object_id=user.id, detail={"role": user.role.value}, now=res.now())
            _send_link(user)
            flash(_("The user was created and has been e-mailed a link to choose their password."), "success")
            _flash_outbox()
            return redirect(url_for("admin.users"))
    elif form.errors:
        status = 400
    people = db.scalars(sa.select(User).order_by(User.role, User.email)).all()
    now = res.now()
    return render_template("admin/users.html", form=form, people=people, clients={c.id: c for c in clients},
                           role_labels=ROLES, link_states={u.id: links.link_state(u, now) for u in people},
                           link_hours=current_app.config["SET_PASSWORD_LINK_HOURS"]), status


def _send_link(user: User) -> None:
    """Queue a set-password e-mail (sent after the commit) and record it, without the address."""
    db = get_session()
    links.send_link(db, user, now=res.now(), settings=res.set_password_settings(), renderer=renderer)
    audit.record(db, user_id=current_user.id, action="send_set_password_link", object_type="user",
                 object_id=user.id, now=res.now())


def _flash_outbox() -> None:
    if not current_app.config.get("SMTP_HOST"):
        flash(_("No SMTP server is configured: the e-mail with the link is in the Outbox."), "info")


def _user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
@admin_required
def user_active(user_id: int):
    user = _user(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.users"))
    active = UserActiveForm().active.data == "1"
    set_active(get_session(), user, active)
    audit.record(get_session(), user_id=current_user.id, action="activate" if active else "deactivate",
                 object_type="user", object_id=user.id, now=res.now())
    flash(_("The account is active.") if active else _("The account is deactivated and logged out everywhere."),
          "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/set-password-link")
@admin_required
def user_set_password_link(user_id: int):
    """E-mail a new set-password link (a forgotten password, an expired link); earlier
    links stop working. The current password, if any, works until the new one is chosen."""
    user = _user(user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(_("Activate the account before sending a new link."), "error")
        return redirect(url_for("admin.users"))
    _send_link(user)
    flash(_("A new link to choose a password was e-mailed; earlier links no longer work."), "success")
    _flash_outbox()
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def user_two_factor_reset(user_id: int):
    """Turn a user's two-factor sign-in off (lost phone and recovery codes); they are
    signed out everywhere and enrol again (administrators must)."""
    from portal.services import two_factor

    user = _user(user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if user.totp_enabled_at is None:
        flash(_("This user does not use two-factor sign-in."), "info")
        return redirect(url_for("admin.users"))
    two_factor.reset(get_session(), user, by_user_id=current_user.id, now=res.now())
    flash(_("Two-factor sign-in was reset; the user was logged out everywhere."), "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@admin_required
def audit_log():
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    action = request.args.get("action") or None
    events = audit.recent(get_session(), limit=100, offset=(page - 1) * 100, action=action)
    return render_template("admin/audit.html", events=events, page=page, action=action)


@bp.route("/account/name", methods=["GET", "POST"])
@login_required
def account_name():
    """A user's own display name: shown to colleagues (staffing, ratings, releases) and at
    the top of every page instead of the e-mail address."""
    form = NameForm()
    if request.method == "GET":
        form.name.data = current_user.name
    if form.validate_on_submit():
        db = get_session()
        user = db.get(User, current_user.id)
        user.name = form.name.data.strip()
        audit.record(db, user_id=user.id, action="update", object_type="user", object_id=user.id,
                     detail={"field": "name"}, now=res.now())
        flash(_("Your name was saved."), "success")
        return redirect(url_for("admin.account_name"))
    return render_template("admin/account_name.html", form=form), 400 if form.errors else 200
