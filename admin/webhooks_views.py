"""Webhook endpoints and their delivery log (administrators only).

A new endpoint's signing secret, and a rotated one, is shown once, in the response to
the POST that made it (``no-store``), and never again; the audit log records the
action without it (``portal.services.webhooks``).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.labels import DELIVERY_STATUSES
from portal.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.services import webhooks as svc

from .blueprint import bp
from .auth import admin_required
from .forms import CsrfForm, EditForm, EndpointForm

EVENT_LABELS = {
    svc.CANDIDATE_INVITED: _l("A candidate was invited (or given a new link)"),
    svc.CANDIDATE_STARTED: _l("A candidate started the first test"),
    svc.CANDIDATE_COMPLETED: _l("A candidate completed every test"),
    svc.REPORT_RELEASED: _l("A report was released"),
    svc.INVITATION_REVOKED: _l("An invitation link was revoked"),
    svc.INVITATION_EXPIRED: _l("An invitation link expired"),
}
ERRORS = {
    "invalid_url": (_l("Enter a full http:// or https:// address without a user name or password."), "url"),
    "unresolvable_host": (_l("The host name of this address cannot be found."), "url"),
    "private_address": (_l("This address is on a private, loopback or link-local network; webhooks go only to "
                           "public addresses."), "url"),
    "invalid_events": (_l("Choose at least one event."), "events"),
    "description_too_long": (_l("The description can be at most 200 characters."), "description"),
}


def _event_choices():
    return [(event, f"{event}: {EVENT_LABELS[event]}") for event in svc.EVENTS]


def _settings() -> svc.WebhookSettings:
    return svc.WebhookSettings.from_config(current_app.config)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = get_session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _error(form, exc: svc.WebhookError) -> None:
    message, field = ERRORS.get(exc.code, (_l("The endpoint could not be saved."), "url"))
    getattr(form, field).errors = list(getattr(form, field).errors) + [message]


def _list_page(form, *, secret=None, secret_for=None, status=200):
    db = get_session()
    endpoints = db.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    counts = {}
    if endpoints:
        for endpoint_id, status_value, count in db.execute(
                sa.select(WebhookDelivery.endpoint_id, WebhookDelivery.status, sa.func.count())
                .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)):
            counts.setdefault(endpoint_id, {})[status_value.value] = count
    response = current_app.make_response((render_template(
        "admin/webhooks.html", form=form, endpoints=endpoints, counts=counts, event_labels=EVENT_LABELS,
        status_labels=DELIVERY_STATUSES, secret=secret, secret_for=secret_for,
        allow_private=_settings().allow_private,
        late=svc.waiting_since(db, now=res.now()) if endpoints else 0), status))
    return _no_store(response)


@bp.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks():
    form = EndpointForm()
    form.events.choices = _event_choices()
    if request.method == "GET":
        form.events.data = list(svc.EVENTS)
        return _list_page(form)
    if not form.validate_on_submit():
        return _list_page(form, status=400)
    try:
        endpoint, secret = svc.create_endpoint(
            get_session(), url=form.url.data or "", description=form.description.data or "",
            events=form.events.data or [], user_id=current_user.id, now=res.now(), settings=_settings())
    except svc.WebhookError as exc:
        _error(form, exc)
        return _list_page(form, status=400)
    flash(_("The endpoint was registered. Copy its signing secret now: it is not shown again."), "success")
    fresh = EndpointForm(formdata=None)
    fresh.events.choices = _event_choices()
    fresh.events.data = list(svc.EVENTS)
    return _list_page(fresh, secret=secret, secret_for=endpoint)


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@admin_required
def webhook_edit(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    form = EditForm(obj=endpoint) if request.method == "GET" else EditForm()
    form.events.choices = _event_choices()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                svc.update_endpoint(get_session(), endpoint, events=form.events.data or [],
                                    description=form.description.data or "", enabled=form.enabled.data,
                                    user_id=current_user.id, now=res.now())
            except svc.WebhookError as exc:
                _error(form, exc)
                status = 400
            else:
                flash(_("The endpoint was saved."), "success")
                return redirect(url_for("admin.webhooks"))
        else:
            status = 400
    return _no_store(current_app.make_response((render_template(
        "admin/webhook_edit.html", form=form, endpoint=endpoint, event_labels=EVENT_LABELS), status)))


@bp.post("/webhooks/<int:endpoint_id>/rotate")
@admin_required
def webhook_rotate(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    secret = svc.rotate_secret(get_session(), endpoint, user_id=current_user.id, now=res.now())
    flash(_("The endpoint has a new signing secret; the old one no longer signs anything. Copy it now: it is "
            "not shown again."), "success")
    form = EndpointForm(formdata=None)
    form.events.choices = _event_choices()
    form.events.data = list(svc.EVENTS)
    return _list_page(form, secret=secret, secret_for=endpoint)


@bp.post("/webhooks/<int:endpoint_id>/delete")
@admin_required
def webhook_delete(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    svc.delete_endpoint(get_session(), endpoint, user_id=current_user.id, now=res.now())
    flash(_("The endpoint and its delivery log were deleted."), "success")
    return redirect(url_for("admin.webhooks"))


@bp.get("/webhooks/deliveries")
@admin_required
def webhook_deliveries():
    db = get_session()
    endpoint_id = request.args.get("endpoint_id", type=int)
    status_arg = request.args.get("status") or ""
    status = DeliveryStatus(status_arg) if status_arg in DELIVERY_STATUSES else None
    page, deliveries = svc.delivery_log(db, endpoint_id=endpoint_id, status=status, page=request.args.get("page"))
    endpoints = db.scalars(sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    args = {k: v for k, v in (("endpoint_id", endpoint_id), ("status", status.value if status else None)) if v}
    return render_template("admin/webhook_deliveries.html", page=page, deliveries=deliveries, endpoints=endpoints,
                           endpoint_id=endpoint_id, status=status.value if status else "",
                           status_labels=DELIVERY_STATUSES, args=args,
                           urls={e.id: e.url for e in endpoints})


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
@admin_required
def webhook_resend(delivery_id: int):
    db = get_session()
    delivery = db.get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if svc.resend(db, delivery, user_id=current_user.id, now=res.now()):
        flash(_("The delivery is queued again; the worker sends it within moments, with the same webhook-id."),
              "success")
    else:
        flash(_("This delivery is still on its way; there is nothing to re-send."), "info")
    return redirect(url_for("admin.webhook_deliveries", **{k: v for k, v in request.args.items()
                                                          if k in ("endpoint_id", "status", "page")}))
