"""Single sign-on with OpenID Connect (docs/sso.md).

The login page has a "Sign in with <provider>" button per configured provider: a POST
(with the CSRF token) to ``sso_start``, which sends the browser to the provider with an
authorization code request (PKCE S256, a state and a nonce kept in the session). The
provider sends it back to ``sso_callback``, which exchanges the code, verifies the ID token
(signature against the provider's published keys, issuer, audience, expiry, nonce) through
Authlib, finds or creates the account (``portal.services.sso``) and signs in through the
same step as a password (``auth.complete_login``): a user with a second factor still
enters it, unless ``OIDC_TRUST_IDP_MFA`` is on and the provider says it used more than one
factor. Administrators manage the rules for new accounts on ``sso_settings``.
"""
from __future__ import annotations

import logging

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from joserfc.errors import JoseError
from wtforms import SelectChoice

from portal import oidc
from portal import resources as res
from portal.db import get_session, keep_on_refusal
from portal.extensions import limiter
from portal.labels import ROLES, SSO_RULE_KINDS
from portal.models import Client, Role, SsoRuleKind
from portal.security import CSP
from portal.services import audit
from portal.services import sso as svc

from .blueprint import bp
from .auth import admin_required, complete_login
from .forms import RuleForm

log = logging.getLogger(__name__)

#: What the refusal page says, per ``SsoRefused.reason``.
REFUSALS = {
    "email_unverified": _l("Your identity provider has not confirmed that the e-mail address is yours, so it "
                           "cannot be used to find or create your account. Ask your IT department to verify "
                           "the address, or sign in with your password."),
    "no_email": _l("Your identity provider did not send an e-mail address, so your account cannot be found. "
                   "Ask your IT department to release the e-mail address to this portal."),
    "no_rule": _l("You have no account here, and no rule lets accounts be created for your organisation "
                  "or group. Ask the portal's administrator for access."),
    "conflicting_rules": _l("The sign-in rules for your organisation disagree about your role, so no account "
                            "was created. Ask the portal's administrator to correct the rules."),
    "deactivated": _l("This account is deactivated. Ask the portal's administrator if you need access again."),
    "linked_elsewhere": _l("The account with this e-mail address is linked to another identity at this "
                           "provider, so you were not signed in to it. Ask the portal's administrator."),
    "invalid_token": _l("The identity provider's answer could not be verified, so you were not signed in. "
                        "Try again; if it happens again, tell the portal's administrator."),
    "state": _l("This sign-in has expired or was already used. Start again from the login page."),
    "provider_error": _l("The identity provider did not sign you in. Start again from the login page."),
    "unreachable": _l("The identity provider could not be reached. Try again in a moment, or sign in with "
                      "your password."),
}

RULE_ERRORS = {
    "invalid_domain": ("value", _l("Enter a domain such as example.com.")),
    "invalid_group": ("value", _l("Enter the group's name or id, at most 200 characters.")),
    "admin_by_domain": ("role", _l("Administrators can only come from a group rule, not from a whole domain.")),
    "client_required": ("client_id", _l("Choose the client organisation of a client-user rule.")),
    "client_not_allowed": ("client_id", _l("Only client-user rules have a client organisation.")),
    "exists": ("value", _l("There is already such a rule.")),
}


def redirect_uri(provider: oidc.Provider) -> str:
    """The address to register at the provider: BASE_URL plus the callback path."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("admin.sso_callback", provider=provider.name)


def _provider_or_404(name: str) -> oidc.Provider:
    provider = oidc.provider(name)
    if provider is None:
        abort(404)
    return provider


def _refuse(provider: oidc.Provider, reason: str, user_id: int | None = None, status: int = 403):
    # Provider and reason only: no e-mail address or token in the audit log.
    audit.record(get_session(), user_id=None, action="sso_refused", object_type="user", object_id=user_id,
                 detail={"provider": provider.name, "reason": reason}, now=res.now())
    keep_on_refusal()
    return render_template("admin/sso_refused.html", provider=provider, reason=reason,
                           message=REFUSALS[reason]), status


def _failed(response) -> bool:
    return response.status_code != 302


@bp.post("/sso/<provider>/start")
def sso_start(provider: str):
    """Send the browser to the provider (the CSRF token of the POST is checked first)."""
    p = _provider_or_404(provider)
    try:
        return oidc.client(p.name).authorize_redirect(redirect_uri(p))
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        log.warning("OIDC provider %s: discovery failed: %s", p.name, type(exc).__name__)
        return render_template("admin/sso_refused.html", provider=p, reason="unreachable",
                               message=REFUSALS["unreachable"]), 503


@bp.get("/sso/<provider>/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=_failed)
def sso_callback(provider: str):
    p = _provider_or_404(provider)
    client = oidc.client(p.name)
    try:
        metadata = client.load_server_metadata()
        if metadata.get("issuer") != p.issuer:  # OpenID Connect Discovery 1.0, section 4.3
            log.warning("OIDC provider %s: discovery names another issuer", p.name)
            return _refuse(p, "invalid_token")
        # Authlib checks signature, expiry and nonce; issuer and audience are pinned here
        # to the configured values (its default accepts an azp-only audience match).
        token = client.authorize_access_token(claims_options={
            "iss": {"essential": True, "value": p.issuer},
            "aud": {"essential": True, "value": p.client_id},
        })
    except MismatchingStateError:
        return _refuse(p, "state", status=400)
    except (JoseError, ValueError) as exc:  # ValueError: a token that is not even a JWT
        log.warning("OIDC provider %s: ID token refused: %s", p.name, type(exc).__name__)
        return _refuse(p, "invalid_token")
    except requests.RequestException as exc:
        log.warning("OIDC provider %s: unreachable: %s", p.name, type(exc).__name__)
        return _refuse(p, "unreachable", status=503)
    except AuthlibBaseError as exc:  # the provider's error answer (e.g. access_denied, invalid_grant)
        log.warning("OIDC provider %s: %s", p.name, getattr(exc, "error", type(exc).__name__))
        return _refuse(p, "provider_error")
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):  # no ID token: not OpenID Connect
        return _refuse(p, "invalid_token")
    identity = svc.identity_from_claims(p.name, dict(claims), groups_claim=p.groups_claim,
                                        email_verified_claim=p.email_verified_claim)
    db = get_session()
    try:
        result = svc.sign_in(db, identity, now=res.now())
    except svc.SsoRefused as refused:
        return _refuse(p, refused.reason, refused.user_id)
    user = result.user
    if result.created:
        audit.record(db, user_id=user.id, action="create", object_type="user", object_id=user.id,
                     detail={"role": user.role.value, "via": "sso", "provider": p.name, "rule": result.rule.id},
                     now=res.now())
    trusted_mfa = bool(current_app.config.get("OIDC_TRUST_IDP_MFA")) and identity.mfa
    return complete_login(user, detail={"method": "sso", "provider": p.name, "idp_mfa": identity.mfa},
                          second_factor_done=trusted_mfa)


def login_page_csp() -> str | None:
    """The login page's CSP, its form-action widened to the providers' origins: browsers
    apply form-action to the redirect that follows the sign-in button's POST."""
    origins = set()
    for p in oidc.providers():
        origins.add(_origin(p.issuer))
        try:
            endpoint = oidc.client(p.name).server_metadata.get("authorization_endpoint")
        except Exception:  # noqa: BLE001 - a CSP is built even if a client cannot be made
            endpoint = None
        if endpoint:
            origins.add(_origin(endpoint))
    origins.discard(None)
    if not origins:
        return None
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(sorted(origins)))


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@bp.after_app_request
def _login_page_form_action(response):
    if request.endpoint == "admin.login" and oidc.providers():
        csp = login_page_csp()
        if csp:
            response.headers["Content-Security-Policy"] = csp
    return response


def _rule_form(db) -> tuple[RuleForm, list[Client]]:
    form = RuleForm()
    clients = db.scalars(sa.select(Client).order_by(Client.name)).all()
    form.provider.choices = [SelectChoice("", _("Any configured provider"))] + [
        SelectChoice(p.name, p.label) for p in oidc.providers()]
    form.client_id.choices = [SelectChoice("", "–")] + [SelectChoice(str(c.id), c.name) for c in clients]
    return form, clients


@bp.route("/sso", methods=["GET", "POST"])
@admin_required
def sso_settings():
    db = get_session()
    form, clients = _rule_form(db)
    status = 200
    if form.validate_on_submit():
        try:
            client_id = int(form.client_id.data) if form.client_id.data else None
        except ValueError:
            client_id = -1  # not a client: refused below as a missing one
        try:
            rule = svc.add_rule(db, kind=SsoRuleKind(form.kind.data), value=form.value.data,
                                provider=form.provider.data or None, role=Role(form.role.data),
                                client_id=client_id, created_by_id=current_user.id, now=res.now())
        except svc.RuleError as exc:
            field, message = RULE_ERRORS[exc.code]
            getattr(form, field).errors.append(message)
            status = 400
        else:
            audit.record(db, user_id=current_user.id, action="sso_rule_added", object_type="sso_rule",
                         object_id=rule.id, detail={"kind": rule.kind.value, "role": rule.role.value,
                                                    "provider": rule.provider, "client_id": rule.client_id},
                         now=res.now())
            flash(_("The rule was added."), "success")
            return redirect(url_for("admin.sso_settings"))
    elif form.errors:
        status = 400
    links, linked = svc.links_page(db, request.args.get("page"))
    return render_template("admin/sso.html", form=form, rules=svc.list_rules(db), links=links, linked=linked,
                           clients={c.id: c for c in clients}, providers=oidc.providers(),
                           redirect_uri=redirect_uri, role_labels=ROLES, kind_labels=SSO_RULE_KINDS,
                           trust_idp_mfa=current_app.config.get("OIDC_TRUST_IDP_MFA")), status


@bp.post("/sso/rules/<int:rule_id>/remove")
@admin_required
def sso_rule_remove(rule_id: int):
    db = get_session()
    rule = svc.remove_rule(db, rule_id)
    if rule is None:
        abort(404)
    audit.record(db, user_id=current_user.id, action="sso_rule_removed", object_type="sso_rule",
                 object_id=rule_id, detail={"kind": rule.kind.value, "role": rule.role.value}, now=res.now())
    flash(_("The rule was removed. Accounts it created keep their role."), "success")
    return redirect(url_for("admin.sso_settings"))


@bp.post("/sso/links/<int:link_id>/remove")
@admin_required
def sso_link_remove(link_id: int):
    db = get_session()
    link = svc.remove_link(db, link_id)
    if link is None:
        abort(404)
    audit.record(db, user_id=current_user.id, action="sso_link_removed", object_type="user",
                 object_id=link.user_id, detail={"provider": link.provider}, now=res.now())
    flash(_("The account was unlinked. Its next sign-in with the provider matches it by verified e-mail "
            "address again."), "success")
    return redirect(url_for("admin.sso_settings"))
