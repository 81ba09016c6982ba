"""API keys (administrators): make a key for an integration, see it once, revoke it, see
when it was last used. The key itself is shown only in the answer to the form that made
it (never put in the session, a flash message, a URL or a log)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.models import ApiKey, Client
from portal.services import api_keys as svc

from .blueprint import bp
from .auth import admin_required
from .forms import API_KEY_ERRORS, SCOPE_LABELS, ApiKeyForm, CsrfForm


def _page(form: ApiKeyForm, *, new_key: svc.NewKey | None = None, status: int = 200):
    db = get_session()
    clients = db.scalars(sa.select(Client).order_by(Client.name)).all()
    return render_template("admin/api_keys.html", form=form, keys=svc.all_keys(db), new_key=new_key,
                           clients=clients, client_names={c.id: c.name for c in clients},
                           scope_labels=SCOPE_LABELS), status


@bp.route("/api-keys", methods=["GET", "POST"])
@admin_required
def api_keys():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.errors else 200)
    try:
        client_id = int(form.client_id.data) if form.client_id.data else None
    except ValueError:
        client_id = -1
    try:
        new_key = svc.create_key(get_session(), name=form.name.data, scopes=form.scopes.data or [],
                                 client_id=client_id, user_id=current_user.id, now=res.now())
    except svc.ApiKeyError as exc:
        getattr(form, exc.field).errors = [API_KEY_ERRORS[exc.code]]
        return _page(form, status=400)
    # Shown in this answer only: the page is no-store and the key is nowhere else.
    return _page(ApiKeyForm(formdata=None), new_key=new_key)


@bp.post("/api-keys/<int:key_id>/revoke")
@admin_required
def api_key_revoke(key_id: int):
    db = get_session()
    key = db.get(ApiKey, key_id)
    if key is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if svc.revoke_key(db, key, user_id=current_user.id, now=res.now()):
        flash(_("The key “%(name)s” was revoked: it no longer works.", name=key.name), "success")
    else:
        flash(_("The key was already revoked."), "info")
    return redirect(url_for("admin.api_keys"))
