"""Single sign-on with OpenID Connect, end to end against the test provider on 127.0.0.1
(tests/oidc_provider.py): the Flask test client plays the browser, requests follows the
provider's redirect as the browser would."""
from __future__ import annotations

import functools
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests
import sqlalchemy as sa

from conftest import csrf_from
from oidc_provider import OIDCProvider
from portal import passwords
from portal.config import ConfigError
from portal.models import AuditEvent, Client, Role, SsoLink, SsoRule, SsoRuleKind, User

CALLBACK = "http://localhost/admin/sso/test/callback"


@pytest.fixture(scope="module")
def idp():
    provider = OIDCProvider(redirect_uris=(CALLBACK,)).start()
    yield provider
    provider.stop()


def sso_config(idp, **extra) -> dict:
    return {"OIDC_PROVIDERS": "test", "OIDC_TEST_ISSUER": idp.issuer, "OIDC_TEST_CLIENT_ID": idp.client_id,
            "OIDC_TEST_CLIENT_SECRET": idp.client_secret, "OIDC_TEST_NAME": "Testkonto",
            "OIDC_TEST_GROUPS_CLAIM": "groups", **extra}


@pytest.fixture
def app(make_app, idp):
    idp.reset()
    return make_app(**sso_config(idp))


@pytest.fixture
def make_anna(make_user):
    """Anna, a consultant without a password (``make_anna(**values)`` returns her id)."""
    return functools.partial(make_user, "anna@konsult.example", Role.CONSULTANT, name="Anna", password=None)


def add_rule(db, kind, value, role, client_id=None, provider=None) -> int:
    rule = SsoRule(kind=kind, value=value, role=role, client_id=client_id, provider=provider)
    db.add(rule)
    db.commit()
    return rule.id


def start(client):
    """Press the sign-in button; returns the provider's authorization URL."""
    page = client.get("/admin/login")
    assert page.status_code == 200
    response = client.post("/admin/sso/test/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(url: str) -> str:
    """The browser at the provider: it signs the test user in and redirects back."""
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(CALLBACK)
    return location.removeprefix("http://localhost")


def sso_login(client):
    return client.get(at_provider(start(client)))


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def refusal(response) -> str:
    html = response.get_data(as_text=True)
    assert "Inloggningen nekades" in html, html[:2000]
    return html.split('data-reason="')[1].split('"')[0]


def audit_actions(db, action):
    return db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- the flow itself -------------------------------------------------------------------

def test_login_page_has_a_button_that_posts_with_csrf(app):
    html = app.test_client().get("/admin/login").get_data(as_text=True)
    assert "Logga in med Testkonto" in html
    assert 'action="/admin/sso/test/start"' in html and 'method="post"' in html
    # without the CSRF token the flow does not start
    assert app.test_client().post("/admin/sso/test/start").status_code == 400


def test_authorization_request_uses_pkce_state_and_nonce(app, idp):
    url = start(app.test_client())
    assert url.startswith(idp.issuer + "/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == [CALLBACK]


def test_existing_user_is_matched_by_verified_email_and_linked(app, db, idp, make_anna):
    uid = make_anna()
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    assert signed_in(client)
    # the token request carried the PKCE verifier, and the code it exchanged is spent
    assert idp.token_requests[-1]["code_verifier"] and not idp.codes
    link = db.scalar(sa.select(SsoLink).where(SsoLink.user_id == uid))
    assert (link.provider, link.subject) == ("test", "user-1")
    login = audit_actions(db, "login")[-1]
    assert login.user_id == uid and login.detail["method"] == "sso" and login.detail["provider"] == "test"
    # the role did not change, and no new account appeared
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_link_survives_an_email_change_at_the_provider(app, db, idp, make_anna):
    uid = make_anna()
    assert sso_login(app.test_client()).status_code == 302
    idp.user["email"] = "anna.andersson@konsult.example"
    client = app.test_client()
    assert sso_login(client).status_code == 302 and signed_in(client)
    assert audit_actions(db, "login")[-1].user_id == uid


def test_an_email_change_does_not_take_over_another_linked_account(app, db, idp, make_anna):
    """Someone whose address at the provider becomes that of an account linked to another
    identity is refused, not signed in to it."""
    uid = make_anna()
    assert sso_login(app.test_client()).status_code == 302  # Anna, sub user-1, is linked
    idp.user.update(sub="user-2", email="anna@konsult.example")
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "linked_elsewhere"
    assert not signed_in(client)
    event = audit_actions(db, "sso_refused")[-1]
    assert event.object_id == uid and event.detail == {"provider": "test", "reason": "linked_elsewhere"}


def test_new_user_is_created_by_a_domain_rule(app, db, idp):
    add_rule(db, SsoRuleKind.DOMAIN, "konsult.example", Role.CONSULTANT)
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 302 and signed_in(client)
    user = db.scalar(sa.select(User).where(User.email == "anna@konsult.example"))
    assert user.role is Role.CONSULTANT and user.name == "Anna Andersson" and user.client_id is None
    assert not passwords.verify(user.password_hash, "")  # no usable password
    created = audit_actions(db, "create")[-1]
    assert created.object_id == user.id and created.detail["via"] == "sso"
    # a consultant lands on the consultant pages
    assert "Uppdrag" in client.get("/admin/").get_data(as_text=True)


def test_new_client_user_is_created_by_a_group_rule(app, db, idp):
    customer = Client(name="Kundbolaget AB")
    db.add(customer)
    db.commit()
    add_rule(db, SsoRuleKind.DOMAIN, "kund.example", Role.CONSULTANT)  # the group rule wins
    add_rule(db, SsoRuleKind.GROUP, "hr-chefer", Role.CLIENT, client_id=customer.id)
    idp.user.update(sub="k-9", email="bo@kund.example", groups=["alla", "hr-chefer"])
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/client")
    user = db.scalar(sa.select(User).where(User.email == "bo@kund.example"))
    assert user.role is Role.CLIENT and user.client_id == customer.id
    assert client.get("/admin/users").status_code == 403


def test_rules_of_another_provider_do_not_apply(app, db, idp):
    add_rule(db, SsoRuleKind.DOMAIN, "konsult.example", Role.CONSULTANT, provider="other")
    response = sso_login(app.test_client())
    assert response.status_code == 403 and refusal(response) == "no_rule"


def test_conflicting_rules_create_nothing(app, db, idp):
    add_rule(db, SsoRuleKind.GROUP, "a", Role.CONSULTANT)
    add_rule(db, SsoRuleKind.GROUP, "b", Role.ADMIN)
    idp.user["groups"] = ["a", "b"]
    response = sso_login(app.test_client())
    assert response.status_code == 403 and refusal(response) == "conflicting_rules"
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_no_rule_and_no_account_is_refused_with_an_audit_record(app, db, idp):
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "no_rule"
    assert "administratör" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    event = audit_actions(db, "sso_refused")[-1]
    assert event.detail == {"provider": "test", "reason": "no_rule"}
    assert "anna" not in str(event.detail)  # no e-mail address in the log


@pytest.mark.parametrize("verified", [False, None, "false"])
def test_unverified_email_is_refused(app, db, idp, verified, make_anna):
    make_anna()  # even an existing account is not matched on an unverified address
    add_rule(db, SsoRuleKind.DOMAIN, "konsult.example", Role.CONSULTANT)
    idp.user["email_verified"] = verified
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "email_unverified"
    assert not signed_in(client)
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoLink)) == 0


def test_deactivated_user_is_refused(app, db, idp, make_anna):
    make_anna(active=False)
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "deactivated"
    assert not signed_in(client)


def test_deactivated_after_linking_is_refused(app, db, idp, make_anna):
    uid = make_anna()
    assert sso_login(app.test_client()).status_code == 302
    db.get(User, uid).active = False
    db.commit()
    response = sso_login(app.test_client())
    assert response.status_code == 403 and refusal(response) == "deactivated"


# --- what a hostile or broken provider (or browser) sends ----------------------------------

def test_forged_id_token_is_refused(app, db, idp, make_anna):
    """Signed with a key the provider does not publish, under the published key's id."""
    make_anna()
    idp.sign_with_other_key = True
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client)
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoLink)) == 0


@pytest.mark.parametrize("aud", ["another-client", ["another-client"], ["another-client", "third"]])
def test_wrong_audience_is_refused(app, db, idp, aud, make_anna):
    """Also when ``azp`` names us: the token was issued to someone else."""
    make_anna()
    idp.id_token_claims = {"aud": aud, "azp": idp.client_id}
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client)


def test_audience_list_with_us_is_accepted(app, db, idp, make_anna):
    make_anna()
    idp.id_token_claims = {"aud": [idp.client_id, "another-api"], "azp": idp.client_id}
    client = app.test_client()
    assert sso_login(client).status_code == 302 and signed_in(client)


def test_wrong_issuer_is_refused(app, db, idp, make_anna):
    make_anna()
    idp.id_token_claims = {"iss": "http://127.0.0.1:1/evil"}
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client)


def test_discovery_naming_another_issuer_is_refused(make_app, db, idp, make_anna):
    """The configured issuer must be the one the discovery document (and so the keys) is for."""
    idp.reset()
    app = make_app(**sso_config(idp, OIDC_TEST_ISSUER=idp.issuer + "/"))
    make_anna()
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client) and not idp.token_requests


def test_expired_id_token_is_refused(app, db, idp, make_anna):
    make_anna()
    past = int(datetime.now(timezone.utc).timestamp()) - 3600
    idp.id_token_claims = {"iat": past - 300, "exp": past}
    response = sso_login(app.test_client())
    assert response.status_code == 403 and refusal(response) == "invalid_token"


def test_nonce_mismatch_is_refused(app, db, idp, make_anna):
    make_anna()
    idp.id_token_claims = {"nonce": "not-the-nonce-we-sent"}
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client)


def test_missing_nonce_is_refused(app, db, idp, make_anna):
    make_anna()
    idp.id_token_claims = {"nonce": None}
    response = sso_login(app.test_client())
    assert response.status_code == 403 and refusal(response) == "invalid_token"


def test_answer_without_id_token_is_refused(app, db, idp, make_anna):
    """An access token alone says nothing about who signed in."""
    make_anna()
    idp.omit_id_token = True
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "invalid_token"
    assert not signed_in(client)


def test_state_mismatch_is_refused(app, db, idp, make_anna):
    make_anna()
    client = app.test_client()
    callback = at_provider(start(client))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    forged = callback.replace(f"state={state}", "state=someone-elses-state")
    response = client.get(forged)
    assert response.status_code == 400 and refusal(response) == "state"
    assert not signed_in(client) and not idp.token_requests  # the code was never exchanged


def test_callback_in_another_browser_is_refused(app, db, idp, make_anna):
    """Login CSRF: a victim's browser given the attacker's callback has no such state."""
    make_anna()
    callback = at_provider(start(app.test_client()))
    victim = app.test_client()
    response = victim.get(callback)
    assert response.status_code == 400 and refusal(response) == "state"
    assert not signed_in(victim)


def test_replayed_callback_is_refused(app, db, idp, make_anna):
    make_anna()
    client = app.test_client()
    callback = at_provider(start(client))
    assert client.get(callback).status_code == 302
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/"))})
    again = client.get(callback)
    assert again.status_code == 400 and refusal(again) == "state"
    assert not signed_in(client)


def test_provider_error_answer_is_refused(app, db, idp, make_anna):
    make_anna()
    idp.deny = True
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 403 and refusal(response) == "provider_error"
    assert not signed_in(client) and not idp.token_requests


def test_unknown_provider_is_404(app):
    page = app.test_client().get("/admin/login")
    assert app.test_client().get("/admin/sso/nope/callback").status_code == 404
    assert "nope" not in page.get_data(as_text=True)


def test_unreachable_provider_shows_a_clear_page(make_app, idp):
    app = make_app(**sso_config(idp, OIDC_TEST_ISSUER="http://127.0.0.1:9"))
    client = app.test_client()
    page = client.get("/admin/login")
    response = client.post("/admin/sso/test/start", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 503 and refusal(response) == "unreachable"


# --- the portal's own second factor -------------------------------------------------------

def enrolled_user(make_anna, clock) -> tuple[int, str]:
    secret = pyotp.random_base32()
    uid = make_anna(totp_secret=secret, totp_enabled_at=clock(), recovery_codes=[])
    return uid, secret


def test_second_factor_is_still_asked_when_enrolled(app, db, idp, clock, make_anna):
    uid, secret = enrolled_user(make_anna, clock)
    client = app.test_client()
    response = sso_login(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/login/second-factor")
    assert not signed_in(client)
    step = client.get("/admin/login/second-factor")
    ok = client.post("/admin/login/second-factor",
                     data={"csrf_token": csrf_from(step), "code": pyotp.TOTP(secret).at(clock())})
    assert ok.status_code == 302 and signed_in(client)
    login = audit_actions(db, "login")[-1]
    assert login.user_id == uid and login.detail["method"] == "sso" and login.detail["second_factor"] == "totp"


def test_provider_mfa_is_not_trusted_by_default(app, db, idp, clock, make_anna):
    enrolled_user(make_anna, clock)
    idp.user["amr"] = ["pwd", "mfa"]
    response = sso_login(app.test_client())
    assert response.headers["Location"].endswith("/admin/login/second-factor")


def test_trusted_provider_mfa_skips_the_portal_code(make_app, db, idp, clock, make_anna):
    idp.reset()
    app = make_app(**sso_config(idp), OIDC_TRUST_IDP_MFA=True)
    enrolled_user(make_anna, clock)
    idp.user["amr"] = ["pwd"]  # one factor only: still asked
    assert sso_login(app.test_client()).headers["Location"].endswith("/admin/login/second-factor")
    idp.user["amr"] = ["pwd", "mfa"]
    client = app.test_client()
    response = sso_login(client)
    assert response.headers["Location"].endswith("/admin/") and signed_in(client)
    assert audit_actions(db, "login")[-1].detail["idp_mfa"] is True


def test_failed_callbacks_are_rate_limited(make_app, db, idp):
    idp.reset()
    app = make_app(**sso_config(idp), LOGIN_RATE_LIMIT="2 per 15 minutes")
    client = app.test_client()
    for _ in range(2):
        assert client.get("/admin/sso/test/callback?code=x&state=y").status_code == 400
    assert client.get("/admin/sso/test/callback?code=x&state=y").status_code == 429


# --- the administrator's page --------------------------------------------------------------

@pytest.fixture
def admin_client(make_user, login_as):
    """A test client of the app, signed in as an administrator."""
    make_user("admin@example.com", Role.ADMIN)
    return login_as("admin")


def test_admin_page_shows_providers_and_redirect_address(app, db, idp, admin_client):
    client = admin_client
    html = client.get("/admin/sso").get_data(as_text=True)
    assert idp.issuer in html and CALLBACK in html and idp.client_id in html
    assert idp.client_secret not in html
    assert 'href="/admin/sso"' in client.get("/admin/").get_data(as_text=True)  # in the menu


def test_admin_adds_and_removes_rules(app, db, idp, admin_client):
    customer = Client(name="Kundbolaget AB")
    db.add(customer)
    db.commit()
    client = admin_client
    page = client.get("/admin/sso")
    added = client.post("/admin/sso", data={"csrf_token": csrf_from(page), "kind": "domain",
                                            "value": "@Kund.Example", "provider": "", "role": "client",
                                            "client_id": str(customer.id)})
    assert added.status_code == 302
    rule = db.scalar(sa.select(SsoRule))
    rule_id = rule.id
    assert (rule.kind, rule.value, rule.role, rule.client_id) == (SsoRuleKind.DOMAIN, "kund.example",
                                                                 Role.CLIENT, customer.id)
    html = client.get("/admin/sso").get_data(as_text=True)
    assert "kund.example" in html and "Kundbolaget AB" in html
    assert audit_actions(db, "sso_rule_added")[-1].object_id == rule.id
    # the rule works: a new person from that domain gets a client account
    idp.user.update(sub="c-1", email="eva@kund.example")
    assert sso_login(app.test_client()).status_code == 302
    assert db.scalar(sa.select(User).where(User.email == "eva@kund.example")).client_id == customer.id

    removed = client.post(f"/admin/sso/rules/{rule_id}/remove", data={"csrf_token": csrf_from(page)})
    assert removed.status_code == 302
    db.expire_all()
    assert db.scalar(sa.select(SsoRule)) is None
    assert audit_actions(db, "sso_rule_removed")[-1].object_id == rule_id
    assert "Regeln har tagits bort" in client.get("/admin/sso").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"kind": "domain", "value": "not a domain", "role": "consultant"}, "domän"),
    ({"kind": "domain", "value": "konsult.example", "role": "admin"}, "grupp"),
    ({"kind": "group", "value": "hr", "role": "client"}, "kundorganisation"),
    ({"kind": "group", "value": "", "role": "consultant"}, "Ange"),
    ({"kind": "group", "value": "x", "role": "consultant", "provider": "nope"}, "provider-error"),
])
def test_bad_rules_are_refused_and_create_nothing(app, db, data, message, admin_client):
    client = admin_client
    page = client.get("/admin/sso")
    response = client.post("/admin/sso", data={"csrf_token": csrf_from(page), "provider": "", "client_id": "",
                                               **data})
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoRule)) == 0


def test_duplicate_rule_is_refused(app, db, admin_client):
    client = admin_client
    page = client.get("/admin/sso")
    data = {"csrf_token": csrf_from(page), "kind": "group", "value": "konsulter", "provider": "",
            "role": "consultant", "client_id": ""}
    assert client.post("/admin/sso", data=data).status_code == 302
    assert client.post("/admin/sso", data=data).status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoRule)) == 1


def test_rules_page_needs_csrf_and_an_admin(app, db, admin_client, login_as, make_user):
    client = admin_client
    assert client.post("/admin/sso", data={"kind": "group", "value": "x", "role": "consultant"}).status_code == 400
    rule_id = add_rule(db, SsoRuleKind.GROUP, "y", Role.CONSULTANT)
    assert client.post(f"/admin/sso/rules/{rule_id}/remove").status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoRule)) == 1

    make_user("k@example.com")
    consultant = login_as("k@example.com", check=False)
    assert consultant.get("/admin/sso").status_code == 403
    token = csrf_from(consultant.get("/admin/"))
    assert consultant.post("/admin/sso", data={"csrf_token": token, "kind": "group", "value": "x",
                                               "role": "admin"}).status_code == 403
    assert consultant.post(f"/admin/sso/rules/{rule_id}/remove", data={"csrf_token": token}).status_code == 403
    assert 'href="/admin/sso"' not in consultant.get("/admin/").get_data(as_text=True)
    assert app.test_client().get("/admin/sso").status_code == 302  # visitors: the login page
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoRule)) == 1


# --- configuration ------------------------------------------------------------------------

@pytest.mark.parametrize("settings, fragment", [
    ({"OIDC_PROVIDERS": "acme"}, "OIDC_ACME_ISSUER"),
    ({"OIDC_PROVIDERS": "acme", "OIDC_ACME_ISSUER": "https://idp.example", "OIDC_ACME_CLIENT_ID": "x"},
     "OIDC_ACME_CLIENT_SECRET"),
    ({"OIDC_PROVIDERS": "acme", "OIDC_ACME_ISSUER": "http://idp.example", "OIDC_ACME_CLIENT_ID": "x",
      "OIDC_ACME_CLIENT_SECRET": "y"}, "https"),
    ({"OIDC_PROVIDERS": "ac me"}, "not a valid provider name"),
    ({"OIDC_PROVIDERS": "acme,ACME"}, "twice"),
])
def test_incomplete_provider_config_fails_at_start(tmp_path, settings, fragment):
    from portal.config import load_config

    with pytest.raises(ConfigError, match=fragment):
        load_config(tmp_path, {"SECRET_KEY": "x" * 40, **settings})


def test_provider_config_from_the_environment(tmp_path, monkeypatch):
    from portal.config import load_config

    monkeypatch.setenv("OIDC_PROVIDERS", "entra, google")
    for name, issuer in (("ENTRA", "https://login.microsoftonline.com/t/v2.0"),
                         ("GOOGLE", "https://accounts.google.com")):
        monkeypatch.setenv(f"OIDC_{name}_ISSUER", issuer)
        monkeypatch.setenv(f"OIDC_{name}_CLIENT_ID", f"id-{name}")
        monkeypatch.setenv(f"OIDC_{name}_CLIENT_SECRET", f"secret-{name}")
    monkeypatch.setenv("OIDC_ENTRA_NAME", "Microsoft")
    monkeypatch.setenv("OIDC_ENTRA_GROUPS_CLAIM", "groups")
    cfg = load_config(tmp_path, {"SECRET_KEY": "x" * 40})
    entra, google = cfg["OIDC_PROVIDERS"]
    assert (entra.name, entra.label, entra.groups_claim) == ("entra", "Microsoft", "groups")
    assert (google.name, google.label, google.groups_claim) == ("google", "Google", None)
    assert entra.metadata_url == "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
    assert "secret" not in repr(entra)
    assert cfg["OIDC_TRUST_IDP_MFA"] is False


def test_login_page_lets_its_form_go_to_the_provider(app, idp):
    """Browsers apply CSP form-action to the redirect after the button's POST (Chromium
    blocks it otherwise; tests/test_browser_sso.py); other pages keep 'self' only."""
    csp = app.test_client().get("/admin/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {idp.issuer};" in csp
    other = app.test_client().get("/healthz").headers.get("Content-Security-Policy", "")
    assert idp.issuer not in other


def test_callback_code_and_state_are_redacted_in_logs():
    from portal.logs import redact

    line = '127.0.0.1 - - "GET /admin/sso/entra/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj HTTP/1.1" 302'
    cleaned = redact(line)
    assert "SplxlOBeZQQYbYS6WxSbIA" not in cleaned and "af0ifjsldkj" not in cleaned
    assert "/admin/sso/entra/callback?[redacted] HTTP/1.1" in cleaned


def test_admin_unlinks_an_account_so_a_new_identity_can_sign_in(app, db, idp, make_anna, admin_client):
    uid = make_anna()
    assert sso_login(app.test_client()).status_code == 302  # linked to user-1
    idp.user["sub"] = "user-1-new"  # the person got a new identity at the provider
    assert refusal(sso_login(app.test_client())) == "linked_elsewhere"

    client = admin_client
    page = client.get("/admin/sso")
    html = page.get_data(as_text=True)
    assert "anna@konsult.example" in html and 'data-total="1"' in html
    link_id = db.scalar(sa.select(SsoLink.id).where(SsoLink.user_id == uid))
    visitor_try = app.test_client().post(f"/admin/sso/links/{link_id}/remove",
                                            data={"csrf_token": csrf_from(page)})
    assert visitor_try.status_code in (302, 400) and db.get(SsoLink, link_id) is not None
    assert client.post(f"/admin/sso/links/{link_id}/remove").status_code == 400  # no CSRF token
    assert client.post(f"/admin/sso/links/{link_id}/remove",
                       data={"csrf_token": csrf_from(page)}).status_code == 302
    event = audit_actions(db, "sso_link_removed")[-1]
    assert event.object_id == uid and event.detail == {"provider": "test"}

    fresh = app.test_client()
    assert sso_login(fresh).status_code == 302 and signed_in(fresh)
    db.expire_all()
    assert db.scalar(sa.select(SsoLink.subject).where(SsoLink.user_id == uid)) == "user-1-new"
