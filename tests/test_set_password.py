"""Set-password links (issue 13, issue 18): a new user, or one who forgot their password,
is e-mailed a link and chooses their own password; nobody types one for them."""
from __future__ import annotations

import base64
import re
import smtplib
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import csrf_from, sign_in, step_of
from test_mail import start_smtp  # noqa: F401  (fixture)
from portal import passwords
from portal.models import AuditEvent, OutboxMessage, Role, User
from portal.services import tokens
from portal.web import renderer

ADMIN_PASSWORD = "tre ord som inte hör ihop"
GOOD = "blåbär cykel trappa moln"
LINK_RE = re.compile(r"http://localhost(/account/set-password/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def admin(app, db):
    user = User(email="admin@example.com", name="Ada Admin", role=Role.ADMIN,
                password_hash=passwords.hash_password(ADMIN_PASSWORD))
    db.add(user)
    db.commit()
    client = app.test_client()
    assert sign_in(client, "admin@example.com", ADMIN_PASSWORD).status_code == 302
    return client


def create(admin, email="nilsny@example.com", role="consultant", name="Nils Ny", **extra):
    page = admin.get("/admin/users")
    return admin.post("/admin/users", data={"csrf_token": csrf_from(page), "email": email, "role": role,
                                            "name": name, "client_id": "", **extra})


def messages_to(db, user_id) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.user_id == user_id)
                           .order_by(OutboxMessage.id)))


def link_of(message: OutboxMessage) -> str:
    found = set(LINK_RE.findall(message.body_text))
    assert len(found) == 1, message.body_text
    return found.pop()


def user(db, email="nilsny@example.com") -> User:
    db.expire_all()
    return db.scalar(sa.select(User).where(User.email == email))


def send_new_link(admin, user_id):
    page = admin.get("/admin/users")
    return admin.post(f"/admin/users/{user_id}/set-password-link", data={"csrf_token": csrf_from(page)})


def choose(client, link, password, confirm=None, follow=False):
    """Open the link and post the form; returns (form page, response)."""
    opened = client.get(link)
    assert opened.status_code == 302, opened.status_code
    form = client.get(opened.headers["Location"])
    assert step_of(form) == "set-password"
    return form, client.post("/account/set-password", data={
        "csrf_token": csrf_from(form), "password": password,
        "confirm": password if confirm is None else confirm}, follow_redirects=follow)


# -- creating a user ------------------------------------------------------------------


def test_creating_a_user_queues_one_link_and_asks_for_no_password(app, db, admin):
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'type="password"' not in page and 'name="password"' not in page  # no password typed for anyone
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    response = create(admin, name="Nils <b>Ny</b>")
    assert response.status_code == 302
    new = user(db)
    assert new.role is Role.CONSULTANT and not passwords.is_usable(new.password_hash)
    assert new.set_password_nonce and new.set_password_expires_at is not None
    [message] = messages_to(db, new.id)
    assert message.kind == "set_password" and message.candidate_id is None
    assert message.to_address == "nilsny@example.com" and message.sent_at is None and message.error is None
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    link = link_of(message)
    assert link in message.body_html and "nilsny@example.com" in message.body_text
    # written in both languages (the user has not chosen one), the name escaped in HTML
    assert 'lang="sv"' in message.body_html and 'lang="en"' in message.body_html
    assert "Nils &lt;b&gt;Ny&lt;/b&gt;" in message.body_html and "<b>Ny" not in message.body_html
    assert "Choose your password" in message.body_text and message.body_text.count(link) == 2
    # the token carries an id and a random nonce, no personal data
    token = link.rsplit("/", 1)[1]
    payload = base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()
    assert payload == f'[{new.id},"{new.set_password_nonce}"]'
    # audited without the address
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.object_type == "user",
                                                    AuditEvent.object_id == new.id)).all()
    assert {e.action for e in events} == {"create", "send_set_password_link"}
    assert all("nilsny@example.com" not in str(e.detail) for e in events)
    # the list says the user is invited, and until when
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert re.search(rf'<tr data-user="{new.id}">.*?data-link="invited"', listing, re.S)


def test_a_refused_form_queues_nothing(app, db, admin):
    assert create(admin, role="client").status_code == 400  # a client user needs a client
    assert create(admin, email="not an address").status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert user(db) is None


def test_the_request_only_queues_and_never_talks_smtp(make_app, db, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port)

    def no_smtp(*args, **kwargs):
        raise AssertionError("SMTP from a request")

    monkeypatch.setattr(smtplib, "SMTP", no_smtp)
    db.add(User(email="admin@example.com", role=Role.ADMIN, password_hash=passwords.hash_password(ADMIN_PASSWORD)))
    db.commit()
    client = app.test_client()
    sign_in(client, "admin@example.com", ADMIN_PASSWORD)
    assert create(client).status_code == 302
    [message] = messages_to(db, user(db).id)
    assert message.sent_at is None and message.error is None and message.attempts == 0


def test_a_user_without_a_password_cannot_sign_in(app, db, admin):
    create(admin)
    stored = user(db).password_hash
    assert not passwords.verify(stored, stored) and not passwords.verify(stored, "")
    for attempt in ("", stored, "!", GOOD):
        response = sign_in(app.test_client(), "nilsny@example.com", attempt)
        assert response.status_code in (400, 401)
    # the same answer as a wrong password for an account that has one
    unset = sign_in(app.test_client(), "nilsny@example.com", GOOD)
    wrong = sign_in(app.test_client(), "admin@example.com", GOOD)
    assert unset.status_code == wrong.status_code == 401
    assert "Fel e-postadress eller lösenord" in unset.get_data(as_text=True)

    def normalised(response, email):
        return re.sub(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"', "",
                      response.get_data(as_text=True).replace(email, "X"))

    assert normalised(unset, "nilsny@example.com") == normalised(wrong, "admin@example.com")


# -- the link -------------------------------------------------------------------------


def test_the_link_sets_a_password_once(app, db, admin, clock):
    create(admin)
    new = user(db)
    version = new.session_version
    link = link_of(messages_to(db, new.id)[0])
    client = app.test_client()
    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/account/set-password"  # token leaves the URL
    assert opened.headers["Cache-Control"] == "no-store"
    form = client.get("/account/set-password")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    html = form.get_data(as_text=True)
    assert "nilsny@example.com" in html and 'autocomplete="new-password"' in html and link not in html
    token = csrf_from(form)

    def post(password, confirm=None):
        return client.post("/account/set-password", data={"csrf_token": token, "password": password,
                                                          "confirm": password if confirm is None else confirm})

    # the policy's reasons, in the page's language
    for weak, reason in (("kort", "minst 12 tecken"), ("Password123456", "30 000 vanligaste"),
                         ("nilsny-nilsny-1", "namndelen av e-postadressen"), ("x" * 129, "högst 128")):
        refused = post(weak)
        assert refused.status_code == 400 and reason in refused.get_data(as_text=True), weak
        assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert post(GOOD, GOOD + "!").status_code == 400  # the repeat differs
    assert not passwords.is_usable(user(db).password_hash)  # nothing stored by a refusal

    done = post(GOOD)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/login"
    assert step_of(client.get("/admin/login")) == "login"
    saved = user(db)
    assert passwords.verify(saved.password_hash, GOOD) and saved.password_hash.startswith("$argon2id$")
    assert saved.set_password_nonce is None and saved.set_password_expires_at is None
    assert saved.session_version == version + 1
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "set_password").order_by(
        AuditEvent.id.desc()).limit(1))
    assert event.user_id == event.object_id == new.id and "nilsny@example.com" not in str(event.detail)
    assert "data-link" not in re.search(rf'<tr data-user="{new.id}">.*?</tr>',
                                        admin.get("/admin/users").get_data(as_text=True), re.S).group(0)

    assert sign_in(app.test_client(), "nilsny@example.com", GOOD).status_code == 302
    # single use: the link, the form and the old session are spent
    again = app.test_client().get(link)
    assert again.status_code == 410 and step_of(again) == "set-password-used"
    assert again.headers["Cache-Control"] == "no-store"
    assert step_of(client.get("/account/set-password")) == "set-password-session"
    assert post("ett annat långt lösenord").status_code == 404
    assert passwords.verify(user(db).password_hash, GOOD)


def test_the_link_expires(make_app, db, clock):
    app = make_app(SET_PASSWORD_LINK_HOURS=2)
    db.add(User(email="admin@example.com", role=Role.ADMIN, password_hash=passwords.hash_password(ADMIN_PASSWORD)))
    db.commit()
    admin = app.test_client()
    sign_in(admin, "admin@example.com", ADMIN_PASSWORD)
    create(admin)
    new = user(db)
    assert new.set_password_expires_at == clock() + timedelta(hours=2)
    link = link_of(messages_to(db, new.id)[0])
    client = app.test_client()
    clock.advance(hours=1, minutes=59)
    form = client.get(client.get(link).headers["Location"])  # opened in time ...
    clock.advance(minutes=2)
    late = client.post("/account/set-password", data={"csrf_token": csrf_from(form), "password": GOOD,
                                                      "confirm": GOOD})
    assert late.status_code == 410 and step_of(late) == "set-password-expired"  # ... submitted too late
    assert not passwords.is_usable(user(db).password_hash)
    expired = app.test_client().get(link)
    assert expired.status_code == 410 and step_of(expired) == "set-password-expired"
    assert re.search(rf'<tr data-user="{new.id}">.*?data-link="invitation_expired"',
                     admin.get("/admin/users").get_data(as_text=True), re.S)
    # a new link from the administrator works again
    assert send_new_link(admin, new.id).status_code == 302
    _, done = choose(app.test_client(), link_of(messages_to(db, new.id)[-1]), GOOD)
    assert done.status_code == 302


def test_a_newer_link_replaces_the_old_one(app, db, admin):
    create(admin)
    new = user(db)
    first = link_of(messages_to(db, new.id)[0])
    early = app.test_client()
    form = early.get(early.get(first).headers["Location"])  # opened, not yet submitted
    assert send_new_link(admin, new.id).status_code == 302
    messages = messages_to(db, new.id)
    assert len(messages) == 2
    second = link_of(messages[1])
    assert second != first
    replaced = app.test_client().get(first)
    assert replaced.status_code == 410 and step_of(replaced) == "set-password-replaced"
    stale = early.post("/account/set-password", data={"csrf_token": csrf_from(form), "password": GOOD,
                                                      "confirm": GOOD})
    assert stale.status_code == 410 and step_of(stale) == "set-password-replaced"
    _, done = choose(app.test_client(), second, GOOD)
    assert done.status_code == 302 and passwords.verify(user(db).password_hash, GOOD)


def test_forged_and_tampered_tokens_get_the_invalid_page(app, db, admin):
    create(admin)
    new = user(db)
    link = link_of(messages_to(db, new.id)[0])
    token = link.rsplit("/", 1)[1]
    key = app.config["SECRET_KEY"]
    forged = [
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # damaged signature
        tokens.make_set_password_token("another-key-that-is-long-enough-0123456789", new.id,
                                       new.set_password_nonce),  # signed with another key
        tokens.make_invitation_token(key, new.id, new.set_password_nonce),  # another purpose's salt
        tokens.make_set_password_token(key, new.id + 1000, new.set_password_nonce),  # no such user
        "not-a-token",
    ]
    for bad in forged:
        response = app.test_client().get(f"/account/set-password/{bad}")
        assert response.status_code == 404 and step_of(response) == "set-password-invalid", bad
        assert response.headers["Cache-Control"] == "no-store"
    assert not passwords.is_usable(user(db).password_hash)
    # a genuine token with another nonce is one that a newer link replaced
    other = tokens.make_set_password_token(key, new.id, "x" * 43)
    assert step_of(app.test_client().get(f"/account/set-password/{other}")) == "set-password-replaced"


def test_csrf_is_required(app, db, admin):
    create(admin)
    new = user(db)
    link = link_of(messages_to(db, new.id)[0])
    client = app.test_client()
    client.get(link)
    refused = client.post("/account/set-password", data={"password": GOOD, "confirm": GOOD})
    assert refused.status_code == 400
    assert not passwords.is_usable(user(db).password_hash)
    assert admin.post(f"/admin/users/{new.id}/set-password-link").status_code == 400
    assert len(messages_to(db, new.id)) == 1


def test_deactivating_revokes_the_link(app, db, admin):
    create(admin)
    new = user(db)
    link = link_of(messages_to(db, new.id)[0])
    page = admin.get("/admin/users")
    admin.post(f"/admin/users/{new.id}/active", data={"csrf_token": csrf_from(page), "active": "0"})
    assert step_of(app.test_client().get(link)) == "set-password-invalid"
    assert user(db).set_password_nonce is None
    refused = send_new_link(admin, new.id)
    assert refused.status_code == 302 and len(messages_to(db, new.id)) == 1  # nothing sent to a deactivated user
    assert re.search(rf'<tr data-user="{new.id}">.*?data-link="no_password"',
                     admin.get("/admin/users").get_data(as_text=True), re.S)


def test_a_new_link_for_a_forgotten_password(app, db, admin):
    """The old password keeps working until the new one is chosen; then every session ends."""
    old = "ett gammalt långt lösenord"
    db.add(User(email="kim@example.com", name="Kim", role=Role.CONSULTANT,
                password_hash=passwords.hash_password(old)))
    db.commit()
    kim = user(db, "kim@example.com")
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    session = app.test_client()
    assert sign_in(session, "kim@example.com", old).status_code == 302
    assert send_new_link(admin, kim.id).status_code == 302
    [message] = messages_to(db, kim.id)
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert re.search(rf'<tr data-user="{kim.id}">.*?data-link="link_sent"', listing, re.S)
    assert "created for you" not in message.body_text and "new link" in message.body_text
    assert sign_in(app.test_client(), "kim@example.com", old).status_code == 302  # still works
    _, done = choose(app.test_client(), link_of(message), GOOD)
    assert done.status_code == 302
    assert session.get("/admin/").status_code == 302  # signed out everywhere
    assert sign_in(app.test_client(), "kim@example.com", old).status_code == 401
    assert sign_in(app.test_client(), "kim@example.com", GOOD).status_code == 302
    assert [e.action for e in db.scalars(sa.select(AuditEvent).where(
        AuditEvent.id > before, AuditEvent.object_id == kim.id, AuditEvent.object_type == "user",
        AuditEvent.action.in_(["send_set_password_link", "set_password"])).order_by(AuditEvent.id))] == [
        "send_set_password_link", "set_password"]


def test_an_administrator_sets_a_password_then_enrols_a_second_factor(make_app, db, clock):
    from portal import resources as res
    from portal.db import get_session
    from portal.services import set_password as links
    from portal.services.users import create_user

    app = make_app(REQUIRE_ADMIN_2FA=True)
    with app.test_request_context():
        session = get_session()
        new = create_user(session, email="chef@example.com", role=Role.ADMIN, name="Chef")
        links.send_link(session, new, now=res.now(), settings=res.set_password_settings(), renderer=renderer)
        session.commit()
        new_id = new.id
    [message] = messages_to(db, new_id)
    assert "two-factor sign-in" in message.body_text  # the e-mail says what comes next
    client = app.test_client()
    _, done = choose(client, link_of(message), GOOD)
    assert done.status_code == 302
    assert sign_in(client, "chef@example.com", GOOD).status_code == 302
    assert client.get("/admin/").headers["Location"].endswith("/admin/account/two-factor")


# -- the outbox -----------------------------------------------------------------------


def test_only_administrators_see_staff_messages_in_the_outbox(app, db, admin):
    db.add(User(email="k@example.com", role=Role.CONSULTANT, password_hash=passwords.hash_password(ADMIN_PASSWORD)))
    db.commit()
    create(admin)
    [message] = messages_to(db, user(db).id)
    listing = admin.get("/admin/outbox").get_data(as_text=True)
    assert "nilsny@example.com" in listing and f'data-message="{message.id}"' in listing
    detail = admin.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert link_of(message) in detail
    consultant = app.test_client()
    sign_in(consultant, "k@example.com", ADMIN_PASSWORD)
    assert "nilsny@example.com" not in consultant.get("/admin/outbox").get_data(as_text=True)
    assert consultant.get(f"/admin/outbox/{message.id}").status_code == 404


# -- the parts ------------------------------------------------------------------------


def test_set_password_tokens_have_their_own_salt():
    token = tokens.make_set_password_token("k" * 32, 7, "nonce")
    assert tokens.read_set_password_token("k" * 32, token, 3600) == (7, "nonce")
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_invitation_token("k" * 32, token, 3600)
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_set_password_token("k" * 32, tokens.make_invitation_token("k" * 32, 7, "nonce"), 3600)


def test_unusable_passwords():
    stored = passwords.unusable()
    assert stored != passwords.unusable() and not passwords.is_usable(stored)
    assert not passwords.verify(stored, stored) and not passwords.verify(stored, "not-a-real-password")
    assert passwords.is_usable(passwords.hash_password(GOOD)) and not passwords.is_usable("")


def test_the_worker_sends_only_the_newest_unused_link(app, db, admin, start_smtp, clock):  # noqa: F811
    """A link replaced before the worker got to it, or already used, is not e-mailed."""
    inbox, port = start_smtp()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    assert create(admin).status_code == 302
    new = user(db)
    assert send_new_link(admin, new.id).status_code == 302
    first, second = messages_to(db, new.id)
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert len(inbox.envelopes) == 1
    assert link_of(second) in inbox.messages()[0].get_body(("plain",)).get_content()
    first, second = messages_to(db, new.id)
    assert first.sent_at is None and "no_link" in (first.error or "") and second.sent_at is not None
