"""Password storage (argon2id, upgraded at sign-in) and policy (portal.passwords)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import sign_in
from portal import passwords
from portal.models import AuditEvent, Role, User

GOOD = "tre ord som inte hör ihop"


def test_hashes_are_argon2id_with_the_owasp_parameters():
    stored = passwords.hash_password(GOOD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(stored, GOOD) and not passwords.verify(stored, GOOD + "!")
    assert not passwords.needs_rehash(stored)
    assert stored != passwords.hash_password(GOOD)  # salted


def test_older_hashes_still_verify_and_ask_to_be_upgraded():
    old = generate_password_hash(GOOD)  # Werkzeug's scrypt, as stored before
    assert passwords.verify(old, GOOD) and not passwords.verify(old, "wrong password!!")
    assert passwords.needs_rehash(old)
    assert not passwords.verify("", GOOD) and not passwords.verify("$argon2id$garbage", GOOD)


@pytest.mark.parametrize(("password", "email", "expected"), [
    (GOOD, "kim@example.com", []),
    ("password123", "kim@example.com", ["too_short", "common"]),
    ("password123456", "kim@example.com", ["common"]),           # a common one with digits added
    ("QWERTYUIOP!!!!", "kim@example.com", ["common"]),            # case and trailing signs do not help
    ("kimkandidat-2026", "kimkandidat@example.com", ["contains_email"]),
    ("x" * 129, "kim@example.com", ["too_long"]),
    ("elva tecken", "kim@example.com", ["too_short"]),
])
def test_policy(password, email, expected):
    assert passwords.problems(password, email) == expected


def test_the_shipped_list_is_large_enough():
    common = passwords.common_passwords()
    assert len(common) >= 10_000 and "123456" in common and "dragon" in common


def test_sign_in_upgrades_an_old_hash(app, db):
    db.add(User(email="kim@example.com", role=Role.CONSULTANT, password_hash=generate_password_hash(GOOD)))
    db.commit()
    client = app.test_client()
    wrong = sign_in(client, "kim@example.com", "not the password")
    assert wrong.status_code == 401
    db.expire_all()
    assert db.scalar(sa.select(User)).password_hash.startswith("scrypt:")  # a failed sign-in changes nothing
    # ... but its audit event is kept although the response refuses
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "login_failed").order_by(
        AuditEvent.id.desc()).limit(1)) is not None
    ok = sign_in(client, "kim@example.com", GOOD)
    assert ok.status_code == 302
    db.expire_all()
    stored = db.scalar(sa.select(User)).password_hash
    assert stored.startswith("$argon2id$") and passwords.verify(stored, GOOD)
