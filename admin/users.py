"""User management (admins) and the audit log."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal import resources as res
from portal.db import get_session
from portal.models import Client, Role, User
from portal.services import audit
from portal import passwords
from portal.services.users import UserError, create_user, reset_password, set_active

from . import bp
from .auth import admin_required

ROLE_LABELS = {"admin": _l("Administrator"), "consultant": _l("Consultant"), "client": _l("Client user")}
USER_ERRORS = {
    "invalid_email": _l("Enter a valid e-mail address."),
    "too_short": _l("The password must be at least %(n)s characters.", n=passwords.MIN_LENGTH),
    "too_long": _l("The password must be at most %(n)s characters.", n=passwords.MAX_LENGTH),
    "common": _l("This password is one of the 30,000 most common passwords. Choose another, e.g. a few unrelated words."),
    "contains_email": _l("The password must not contain the name part of the e-mail address."),
    "client_required": _l("Choose the client organisation of a client user."),
    "client_not_allowed": _l("Only client users belong to a client organisation."),
    "exists": _l("There is already a user with this e-mail address."),
}
ERROR_FIELD = {"invalid_email": "email", "too_short": "password", "too_long": "password", "common": "password",
               "contains_email": "password", "client_required": "client_id",
               "client_not_allowed": "client_id", "exists": "email"}


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter an e-mail address.")), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=["consultant", "admin", "client"])
    client_id = SelectField(_l("Client organisation (client users only)"), choices=[], validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(message=_l("Enter a password.")),
                                                                 Length(max=500)])


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Enter a password.")),
                                                             Length(max=500)])


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
            user = create_user(db, email=form.email.data, password=form.password.data, role=Role(form.role.data),
                               name=form.name.data or "",
                               client_id=int(form.client_id.data) if form.client_id.data else None)
        except UserError as exc:
            getattr(form, ERROR_FIELD[exc.code]).errors.append(USER_ERRORS[exc.code])
            status = 400
        else:
            audit.record(db, user_id=current_user.id, action="create", object_type="user",
                         object_id=user.id, detail={"role": user.role.value}, now=res.now())
            flash(_("The user was created."), "success")
            return redirect(url_for("admin.users"))
    elif form.errors:
        status = 400
    people = db.scalars(sa.select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", form=form, people=people, clients={c.id: c for c in clients},
                           role_labels=ROLE_LABELS, password_form=PasswordForm()), status


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
    active = request.form.get("active") == "1"
    set_active(get_session(), user, active)
    audit.record(get_session(), user_id=current_user.id, action="activate" if active else "deactivate",
                 object_type="user", object_id=user.id, now=res.now())
    flash(_("The account is active.") if active else _("The account is deactivated and logged out everywhere."),
          "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@admin_required
def user_password(user_id: int):
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(get_session(), user, form.password.data)
        except UserError as exc:
            flash(USER_ERRORS[exc.code], "error")
        else:
            audit.record(get_session(), user_id=current_user.id, action="reset_password", object_type="user",
                         object_id=user.id, now=res.now())
            flash(_("The password was changed and the user was logged out everywhere."), "success")
    else:
        flash(_("Enter a password."), "error")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def user_two_factor_reset(user_id: int):
    """Turn a user's two-factor sign-in off (lost phone and recovery codes); they are
    signed out everywhere and enrol again (administrators must)."""
    from flask_wtf import FlaskForm as _Form

    from portal.services import two_factor

    user = _user(user_id)
    if not _Form().validate_on_submit():
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
